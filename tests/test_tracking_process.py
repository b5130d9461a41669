"""evaluate's MLflow logging process and a new store's creation, in a reproduced bake, under faults.

Under `dvc repro` the first stage readies a logging process that only evaluate can claim (a secret
token, the same project and params); killing evaluate with SIGKILL ends it too, and a repro that
stops before evaluate leaves none behind. A store created in the background is never half-used:
whoever opens it waits for the creation, and a killed creation is cleared.
"""

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from conftest import CLI, copy_project, digest, mlflow_runs, mlflow_store, project_env, run, set_params

pytestmark = pytest.mark.slow  # a full pipeline run or more; `make test-fast` leaves it out

STATE = Path(".dvc/tmp/cd4ml-tracking.json")  # where the logging process publishes its port and token
KEPT = ["models/model.pkl", "reports/metrics.json", "reports/plots/feature_importance.json"]


@pytest.fixture
def project(reproduced, tmp_path) -> Path:
    return copy_project(reproduced, tmp_path)


def store_runs(uri: str) -> list:
    import mlflow

    return mlflow_runs(mlflow.MlflowClient(uri))


def statuses(runs: list) -> list[str]:
    return sorted(logged.info.status for logged in runs)


def wait_for(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"  # not a zombie
    return False


def command_line(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_text().split("\0")[:-1]


def stage_pid(project: Path, stage: str) -> int | None:
    """The process running `python -m <package> <stage>` in this project, if any."""
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            ours = entry.name.isdigit() and Path(entry, "cwd").resolve() == project.resolve()
            if ours and command_line(int(entry.name))[-3:] == [*CLI[1:], stage]:
                return int(entry.name)
    return None


def dvc_repro(project: Path, *targets: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["dvc", "repro", *targets], cwd=project, env={**project_env(project), **env},
                          capture_output=True, text=True)  # fmt: skip


def creating(database: Path) -> list[Path]:
    return list(database.parent.glob(f"{database.name}.creating-*"))


def test_a_first_stage_readies_the_logging_process_and_only_evaluate_claims_it(project, tmp_path):
    database = tmp_path / "fresh.db"
    uri = f"sqlite:///{database}"
    assert dvc_repro(project, "--single-item", "--force", "ingest", MLFLOW_TRACKING_URI=uri).returncode == 0
    state = json.loads((project / STATE).read_text())
    assert alive(state["pid"]) and command_line(state["pid"])[-2].endswith(".tracking_daemon")
    wait_for(lambda: database.exists() and not creating(database))  # created while nobody waits

    claims = [b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"\xff\xfe not json\n",
              json.dumps({"evaluate": 1, "token": "a guess", "fingerprint": ""}).encode() + b"\n"]  # fmt: skip
    for claim in claims:
        with socket.create_connection(("127.0.0.1", state["port"]), timeout=10) as stranger:
            stranger.sendall(claim)
            assert stranger.makefile("rb").readline() in {b"no\n", b""}
    assert alive(state["pid"])  # strangers claim nothing

    result = dvc_repro(project, "--single-item", "--force", "evaluate", MLFLOW_TRACKING_URI=uri)
    assert result.returncode == 0, result.stderr
    (logged,) = store_runs(uri)
    assert logged.info.status == "FINISHED" and logged.data.tags["evaluate_pid"] == str(state["pid"])
    metrics = json.loads((project / "reports/metrics.json").read_text())
    assert {name: logged.data.metrics[name] for name in metrics} == pytest.approx(metrics, abs=1e-6)
    wait_for(lambda: not alive(state["pid"]), 30)
    assert not (project / STATE).exists()


def test_a_repro_that_stops_before_evaluate_leaves_no_logging_process(project):
    result = dvc_repro(project, "--single-item", "--force", "ingest", CD4ML_TRACKING_GRACE="1")
    assert result.returncode == 0, result.stderr
    pid = json.loads((project / STATE).read_text())["pid"]
    wait_for(lambda: not alive(pid), 60)
    assert not (project / STATE).exists()
    assert statuses(mlflow_runs(mlflow_store(project))) == ["FINISHED"]  # the bake's one run, no other


def test_kill_9_of_evaluate_under_dvc_repro_ends_its_logging_process_and_keeps_the_last_good_set(project, tmp_path):
    before = {name: digest(project / name) for name in KEPT}
    set_params(project, train={"model": "logistic_regression"})
    pause = tmp_path / "pause"
    pause.touch()
    env = {**project_env(project), "CD4ML_PAUSE_AT_LOGGING": str(pause)}
    repro = subprocess.Popen(["dvc", "repro"], cwd=project, env=env, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_for(lambda: Path(f"{pause}.reached").exists() or repro.poll() is not None, 300)
        (logging,) = [r for r in mlflow_runs(mlflow_store(project)) if r.info.status == "RUNNING"]
        logger = int(logging.data.tags["evaluate_pid"])
        assert command_line(logger)[-2].endswith(".tracking_daemon")  # not evaluate's own child
        os.kill(stage_pid(project, "evaluate"), signal.SIGKILL)
        assert repro.wait(timeout=120) != 0
        wait_for(lambda: not alive(logger), 30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(repro.pid, signal.SIGKILL)
        repro.wait(timeout=30)
    assert {name: digest(project / name) for name in KEPT} == before
    assert statuses(mlflow_runs(mlflow_store(project))) == ["FINISHED", "RUNNING"]

    assert dvc_repro(project).returncode == 0
    assert statuses(mlflow_runs(mlflow_store(project))) == ["FAILED", "FINISHED", "FINISHED"]
    assert digest(project / "models/model.pkl") == digest(project / "models/candidate.pkl")


def test_a_killed_creation_of_the_store_is_cleared_by_its_next_user(project, tmp_path):
    database = tmp_path / "killed.db"
    env = {**project_env(project), "MLFLOW_TRACKING_URI": f"sqlite:///{database}"}
    process = subprocess.Popen([*CLI[:2], f"{CLI[2]}.tracking_daemon", "--create-store"], cwd=project, env=env,
                               start_new_session=True)  # fmt: skip
    try:
        wait_for(lambda: creating(database) or process.poll() is not None)
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert creating(database) and not database.exists()
    subprocess.run([*CLI, "evaluate"], cwd=project, env=env, check=True, capture_output=True)
    assert statuses(store_runs(env["MLFLOW_TRACKING_URI"])) == ["FINISHED"]
    assert not creating(database)


def test_evaluate_waits_for_a_store_being_created_and_never_replaces_one(project, tmp_path):
    database = tmp_path / "waited.db"
    env = {**project_env(project), "MLFLOW_TRACKING_URI": f"sqlite:///{database}"}
    with open(f"{database}.creating-1", "wb") as held:  # as a creating process holds it
        fcntl.flock(held, fcntl.LOCK_EX)
        process = subprocess.Popen([*CLI, "evaluate"], cwd=project, env=env, stdout=subprocess.DEVNULL)
        time.sleep(8)  # time to import MLflow and create a store, were it not waiting
        assert process.poll() is None and not database.exists()
    assert process.wait(timeout=300) == 0
    assert statuses(store_runs(env["MLFLOW_TRACKING_URI"])) == ["FINISHED"] and not creating(database)

    before = digest(database)
    run_in_store = run(project, *CLI[:2], f"{CLI[2]}.tracking_daemon", "--create-store")
    assert run_in_store.returncode == 0 and digest(database) == before  # an existing store is left alone
