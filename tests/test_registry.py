"""MLflow tracking and the model registry under real stores: a SQLite file, and a real `mlflow server`.

From a fresh bake: `dvc repro`, promote, change a param, `dvc repro`, promote (accepted, then rejected),
rollback, lineage; and `git checkout <tag>` + `dvc checkout` giving back a release's exact bytes.
"""

import json
import time
from pathlib import Path

import mlflow
import pytest
from conftest import (
    CLI,
    MODEL,
    VENV_BIN,
    background_server,
    copy_project,
    digest,
    free_port,
    mlflow_runs,
    mlflow_store,
    ran_stages,
    run,
    set_params,
)

import cd4ml

pytestmark = pytest.mark.slow  # a full pipeline run or more; `make test-fast` leaves it out

RELEASE = ["data/interim/dataset.parquet", "models/candidate.pkl", "models/model.pkl", "reports/metrics.json"]


@pytest.fixture
def project(reproduced, tmp_path) -> Path:
    return copy_project(reproduced, tmp_path)


def test_an_evaluation_is_one_run_with_params_metrics_plots_and_lineage_and_promote_adds_the_model(
    project, monkeypatch
):
    client = mlflow_store(project)
    (logged,) = mlflow_runs(client)
    assert logged.data.params["train.random_forest.n_estimators"] == "200"
    assert logged.data.params["ingest.source"] == "bundled"
    metrics = json.loads((project / "reports/metrics.json").read_text())
    baseline = json.loads((project / "reports/evaluation.json").read_text())["baseline"]
    assert logged.data.metrics == {**metrics, **{f"baseline_{name}": value for name, value in baseline.items()}}
    tags = logged.data.tags
    assert tags["gate"] == "passed"
    assert tags["git_commit"] != "unknown" and tags["git_dirty"] in ("true", "false")
    assert tags["model_md5"] == digest(project / "models/model.pkl")
    assert tags["data_md5"] == digest(project / "data/interim/dataset.parquet")
    assert tags["data_raw_md5"].endswith(".dir")
    assert tags["project_version"] == "0.1.0" and tags["cd4ml_version"] == cd4ml.__version__
    artifacts = {artifact.path for artifact in client.list_artifacts(logged.info.run_id)}
    assert {"plots", "reports"} <= artifacts
    assert "model_uri" not in tags  # evaluate logs the model's hash; promote logs the model itself

    run(project, *CLI, "promote")
    (logged,) = mlflow_runs(client)  # the same run, now with the model
    tags = logged.data.tags
    assert str(client.get_model_version(MODEL, "1").run_id) == logged.info.run_id
    # Not mlflow.set_tracking_uri: it also sets the variable for every later subprocess of this session.
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{project / 'mlflow.db'}")
    monkeypatch.syspath_prepend(str(project / "src"))  # the model's features step is the project's code
    loaded = mlflow.sklearn.load_model(tags["model_uri"])
    model_info = mlflow.models.get_model_info(tags["model_uri"])
    assert model_info.signature is not None and model_info.saved_input_example_info is not None
    assert list(loaded.classes_) == [0, 1]
    assert len(tags["model_artifact_sha256"]) == 64


def test_a_no_op_repro_logs_nothing(project):
    before = len(mlflow_runs(mlflow_store(project)))
    assert ran_stages(run(project, "dvc", "repro").stdout) == []
    assert len(mlflow_runs(mlflow_store(project))) == before


def test_promote_change_promote_reject_rollback_and_lineage(project):
    promoted = run(project, *CLI, "promote")
    assert "version 1 is the champion" in promoted.stdout
    decision = json.loads((project / "reports/promotion.json").read_text())
    assert decision["verdict"] == "promoted" and decision["champion"] is None

    set_params(project, train={"model": "logistic_regression"})
    run(project, "dvc", "repro")
    assert "version 2 is the champion" in run(project, *CLI, "promote").stdout

    set_params(project, train={"model": "random_forest", "random_forest": {"n_estimators": 10, "max_depth": 2}})
    run(project, "dvc", "repro")
    rejected = run(project, *CLI, "promote", check=False)
    assert rejected.returncode == 1
    assert rejected.stderr.startswith("error: version 3 is not promoted: roc_auc against the champion is 0.98")
    decision = json.loads((project / "reports/promotion.json").read_text())
    assert decision["verdict"] == "rejected" and decision["champion"]["version"] == "2"
    assert "| **FAIL** | (data set) | roc_auc against the champion |" in (project / "reports/promotion.md").read_text()

    client = mlflow_store(project)
    assert str(client.get_model_version_by_alias(MODEL, "champion").version) == "2"
    run(project, *CLI, "rollback", "--reason", "latency regression")
    assert str(client.get_model_version_by_alias(MODEL, "champion").version) == "1"
    again = run(project, *CLI, "rollback", check=False)
    assert again.returncode == 2
    assert again.stderr == "error: version 1 is the only champion there has been; name one with --to\n"
    run(project, *CLI, "rollback", "--to", "2", "--reason", "false alarm")
    assert str(client.get_model_version_by_alias(MODEL, "champion").version) == "2"
    run(project, *CLI, "rollback")
    assert str(client.get_model_version_by_alias(MODEL, "champion").version) == "1"

    lineage = json.loads(run(project, *CLI, "lineage", "2", "--json").stdout)
    assert lineage["params"]["train.model"] == "logistic_regression"
    assert lineage["metrics"]["roc_auc"] > 0.99
    assert lineage["git_commit"] and lineage["data_md5"] == digest(project / "data/interim/dataset.parquet")
    assert lineage["events"]["rollback_reason"] == "false alarm"
    assert "promoted_at" in lineage["events"] and "promoted_by" in lineage["events"]
    assert "breast-cancer-classifier version 1 ['champion']" in run(project, *CLI, "lineage").stdout


def test_an_unreachable_server_is_one_line_and_fast_or_a_warning(project, monkeypatch):
    before = digest(project / "models/model.pkl")
    uri = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    started = time.monotonic()
    result = run(project, "dvc", "repro", "--force", "--single-item", "evaluate", check=False)
    assert time.monotonic() - started < 30
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: MLflow tracking server {uri} is not reachable ([Errno 111] Connection refused)"]
    assert digest(project / "models/model.pkl") == before

    set_params(project, mlflow={"required": False})
    warned = run(project, "dvc", "repro", "--force", "--single-item", "evaluate")
    assert f"warning: MLflow tracking server {uri} is not reachable" in warned.stdout


@pytest.fixture
def server(tmp_path):
    """A real MLflow tracking server on 127.0.0.1, stopped afterwards."""
    port = free_port()
    command = [str(VENV_BIN / "mlflow"), "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
               "--backend-store-uri", f"sqlite:///{tmp_path / 'server.db'}",
               "--artifacts-destination", str(tmp_path / "artifacts")]  # fmt: skip
    uri = f"http://127.0.0.1:{port}"
    with background_server(command, f"{uri}/health"):
        yield uri


def test_tracking_and_registry_against_a_real_server(project, server, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server)
    assert "logged MLflow run" in run(project, "dvc", "repro", "--force", "--single-item", "evaluate").stdout
    assert "version 1 is the champion" in run(project, *CLI, "promote").stdout
    set_params(project, train={"model": "logistic_regression"})
    run(project, "dvc", "repro")
    assert "version 2 is the champion" in run(project, *CLI, "promote").stdout
    assert "champion 2 -> 1" in run(project, *CLI, "rollback", "--reason", "drill").stdout
    lineage = json.loads(run(project, *CLI, "lineage", "--json").stdout)
    assert lineage["version"] == "1" and lineage["events"]["rollback_reason"] == "drill"
    client = mlflow.MlflowClient(server, registry_uri=server)
    assert str(client.get_model_version_by_alias(MODEL, "champion").version) == "1"
    assert mlflow_store(project).search_registered_models() == []  # nothing went to the local store instead


def test_a_release_tag_restores_the_exact_bytes_with_dvc_checkout(project):
    run(project, "git", "tag", "v1")
    release = {name: digest(project / name) for name in RELEASE}
    set_params(project, train={"model": "logistic_regression"})
    run(project, "dvc", "repro")
    run(project, "git", "commit", "-qam", "Try logistic regression")
    assert {name: digest(project / name) for name in RELEASE} != release

    run(project, "git", "checkout", "-q", "v1")
    run(project, "dvc", "checkout")
    assert {name: digest(project / name) for name in RELEASE} == release
