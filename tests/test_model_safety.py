"""Model handling under faults and attack, in a reproduced bake with its real SQLite store.

evaluate killed with SIGKILL while it logs to MLflow, and a tracking store that fails, leave the last
good model, metrics and plots byte for byte; a tampered registry artifact or exported folder is
refused with one line before any of its code runs; passwords in a tracking URI never reach a
message or the run report; a read-only or full disk inside a stage is one line naming the file.
"""

import contextlib
import html
import os
import pickle
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from conftest import (
    CLI,
    MODEL,
    copy_project,
    digest,
    free_port,
    mlflow_runs,
    mlflow_store,
    project_env,
    run,
    set_params,
)

pytestmark = pytest.mark.slow  # a full pipeline run or more; `make test-fast` leaves it out

KEPT = ["models/model.pkl", "reports/metrics.json", "reports/plots/roc.json", "reports/plots/feature_importance.json"]


@pytest.fixture
def project(reproduced, tmp_path) -> Path:
    return copy_project(reproduced, tmp_path)


def kept(project: Path) -> dict[str, str]:
    return {name: digest(project / name) for name in KEPT}


def run_statuses(project: Path) -> list[str]:
    return sorted(logged.info.status for logged in mlflow_runs(mlflow_store(project)))


def errors(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def new_candidate(project: Path) -> None:
    """A different candidate model, trained by the stage's own command, not yet evaluated."""
    set_params(project, train={"model": "logistic_regression"})
    run(project, *CLI, "train")


# The project's command, held right after MLflow has logged the run's metrics, while the pause file exists.
PAUSED_AFTER_METRICS = """
import runpy, sys, time
from pathlib import Path
import mlflow

pause, module, *arguments = sys.argv[1:]
log_metrics = mlflow.log_metrics

def held(*args, **kwargs):
    log_metrics(*args, **kwargs)
    Path(pause + ".reached").touch()
    while Path(pause).exists():
        time.sleep(0.05)

mlflow.log_metrics = held
sys.argv = [module, *arguments]
runpy.run_module(module, run_name="__main__")
"""


def test_kill_9_while_evaluate_logs_keeps_the_last_good_set_and_the_next_runs_work(project, tmp_path):
    before = kept(project)
    new_candidate(project)
    pause = tmp_path / "pause"
    pause.touch()
    process = subprocess.Popen(["python", "-c", PAUSED_AFTER_METRICS, str(pause), CLI[2], "evaluate"], cwd=project,
                               env=project_env(project), start_new_session=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not Path(f"{pause}.reached").exists():
            assert process.poll() is None and time.monotonic() < deadline, "evaluate never reached its logging"
            time.sleep(0.1)
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert kept(project) == before
    assert run_statuses(project) == ["FINISHED", "RUNNING"]

    assert "version 1 is the champion" in run(project, *CLI, "promote").stdout  # the last good model
    run(project, *CLI, "evaluate")
    assert run_statuses(project) == ["FAILED", "FINISHED", "FINISHED"]
    assert digest(project / "models/model.pkl") == digest(project / "models/candidate.pkl")
    assert "version 2 is the champion" in run(project, *CLI, "promote").stdout


def test_promote_on_a_run_that_never_finished_is_one_line(project):
    client = mlflow_store(project)
    (logged,) = mlflow_runs(client)
    client.set_terminated(logged.info.run_id, status="KILLED")
    result = run(project, *CLI, "promote", check=False)
    assert result.returncode == 2
    assert errors(result) == [
        f"error: MLflow run {logged.info.run_id} that evaluated this model did not finish (KILLED); "
        "run `dvc repro --force evaluate` again"
    ]


def test_a_failing_store_fails_evaluate_before_anything_is_replaced(project, tmp_path):
    before = kept(project)
    new_candidate(project)
    (tmp_path / "a-file").write_text("not a folder")
    env_uri = f"sqlite:///{tmp_path / 'a-file' / 'mlflow.db'}"  # a store that cannot be opened
    result = subprocess.run([*CLI, "evaluate"], cwd=project, capture_output=True, text=True,
                            env={**project_env(project), "MLFLOW_TRACKING_URI": env_uri})  # fmt: skip
    assert result.returncode == 2
    (line,) = errors(result)
    assert line.startswith(f"error: MLflow tracking at {env_uri} failed")
    assert kept(project) == before


def registered_artifacts(project: Path) -> Path:
    """The folder on disk that holds version 1's logged model (its source is models:/<model id>)."""
    client = mlflow_store(project)
    model_id = client.get_model_version(MODEL, "1").source.removeprefix("models:/")
    return Path(urlparse(client.get_logged_model(model_id).artifact_location).path)


class Payload:
    """Unpickling it creates the marker file: proof that a pickle ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def pickle_in_place_of_skops(folder: Path, marker: Path) -> None:
    mlmodel = yaml.safe_load((folder / "MLmodel").read_text())
    mlmodel["flavors"]["sklearn"].update(serialization_format="pickle", pickled_model="model.pkl")
    (folder / "MLmodel").write_text(yaml.safe_dump(mlmodel))
    (folder / "model.pkl").write_bytes(pickle.dumps(Payload(marker)))


def serve_fails(project: Path, **env: str) -> subprocess.CompletedProcess:
    command = [*CLI, "serve", "--port", str(free_port())]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=120,
                          env={**project_env(project), **env})  # fmt: skip


def test_a_pickle_planted_in_the_registry_is_refused_by_export_and_serve(project, tmp_path):
    run(project, *CLI, "promote")
    marker = tmp_path / "pwned"
    artifacts = registered_artifacts(project)
    pickle_in_place_of_skops(artifacts, marker)
    for result in (run(project, *CLI, "export", check=False), serve_fails(project)):
        assert result.returncode == 2
        (line,) = errors(result)
        assert line.endswith("the model is saved as 'pickle', not skops; refusing to load it")
    assert not marker.exists()
    assert not (project / "build/model").exists()


def test_a_changed_model_file_is_refused_by_its_recorded_hash(project):
    run(project, *CLI, "promote")
    model_file = registered_artifacts(project) / "model.skops"
    model_file.write_bytes(model_file.read_bytes() + b"\0")
    result = run(project, *CLI, "export", check=False)
    assert result.returncode == 2
    (line,) = errors(result)
    assert line.startswith(f"error: model '{MODEL}' version 1: model.skops has SHA-256 ")
    assert line.endswith("refusing to load a changed model")


def test_a_pickle_planted_in_an_exported_folder_is_refused(project, tmp_path):
    run(project, *CLI, "promote")
    run(project, *CLI, "export")
    folder = project / "build/model"
    assert (folder / "model.skops").exists() and not (folder / "model.pkl").exists()
    marker = tmp_path / "pwned"
    (folder / "model.skops").write_bytes(pickle.dumps(Payload(marker)))
    result = serve_fails(project, MODEL_URI=str(folder))
    assert result.returncode == 2
    (line,) = errors(result)
    assert line.startswith(f"error: {folder}: model.skops has SHA-256 ")
    assert not marker.exists()


def test_a_changed_model_onnx_in_an_exported_folder_is_refused_by_serve_and_predict(project, tmp_path):
    run(project, *CLI, "promote")
    assert "export: model.onnx answers as scikit-learn on" in run(project, *CLI, "export").stdout
    folder = project / "build/model"
    (folder / "model.onnx").write_bytes((folder / "model.onnx").read_bytes() + b"\0")
    test = project / "data/processed/test.parquet"
    scored = run(project, *CLI, "predict", str(test), "--output", str(tmp_path / "out.csv"), "--model", str(folder),
                 check=False)  # fmt: skip
    for result in (serve_fails(project, MODEL_URI=str(folder)), scored):
        assert result.returncode == 2
        (line,) = errors(result)
        assert line.startswith(f"error: {folder}: model.onnx has SHA-256 ")
        assert line.endswith("refusing to load a changed model")
    assert not (tmp_path / "out.csv").exists()


def test_a_password_in_the_tracking_uri_never_reaches_a_message_or_the_report(project):
    uri = f"http://alice:s3cret-pw@127.0.0.1:{free_port()}"
    env = {**project_env(project), "MLFLOW_TRACKING_URI": uri}
    shown = uri.replace("s3cret-pw", "***")
    for command in ("evaluate", "promote", "lineage", "export"):
        result = subprocess.run([*CLI, command], cwd=project, env=env, capture_output=True, text=True)
        assert result.returncode == 2, command
        assert "s3cret" not in result.stdout + result.stderr
        refused = f"error: MLflow tracking server {shown} is not reachable ([Errno 111] Connection refused)"
        assert errors(result) == [refused]
    set_params(project, mlflow={"tracking_uri": uri})
    run(project, *CLI, "report")
    page = (project / "reports/report.html").read_text()
    read = html.unescape(page).replace("\u200b", "")  # as a browser shows it (cd4ml.markup)
    assert "s3cret" not in page and "s3cret" not in read and "alice:***@127.0.0.1" in read


@contextlib.contextmanager
def mounted(folder: Path, options: str):
    """A tmpfs over folder (read-only, or a few kilobytes); needs root, as on the test machines."""
    folder.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"mount refused: {result.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


FAULTS = [("ro", "Read-only file system"), ("size=16k", "No space left on device")]


@pytest.mark.parametrize(("options", "reason"), FAULTS)
def test_a_read_only_or_full_disk_in_a_stage_is_one_line_naming_the_file(project, options, reason):
    with mounted(project / "data/processed", options):
        result = run(project, *CLI, "featurize", check=False)
    assert result.returncode == 2
    (line,) = errors(result)  # pyarrow words a full disk its own way, ending with the system's reason
    assert line.startswith("error: cannot write data/processed/train.parquet: ") and line.endswith(reason)
