import os
import stat

import pytest

from cd4ml import errors, provenance, tracking


def test_params_are_flattened_with_dotted_names(params):
    flat = provenance.flatten(params)
    model = params["train"]["model"]
    for name, value in params["train"][model].items():
        assert flat[f"train.{model}.{name}"] == str(value)
    for name, value in params["evaluate"]["thresholds"].items():
        assert flat[f"evaluate.thresholds.{name}"] == str(value)
    assert flat["ingest.target"] == params["ingest"]["target"]
    assert flat["evaluate.primary_metric"] == params["evaluate"]["primary_metric"]
    assert all(isinstance(value, str) for value in flat.values())


def test_the_environment_overrides_the_tracking_uri(params, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert tracking.tracking_uri(params) == params["mlflow"]["tracking_uri"]
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://mlflow.internal:5000")
    assert tracking.tracking_uri(params) == "http://mlflow.internal:5000"


def test_an_unreachable_server_is_one_error_naming_it():
    with pytest.raises(
        errors.PipelineError, match=r"MLflow tracking server http://127.0.0.1:9 is not"
    ):
        tracking.check_reachable("http://127.0.0.1:9", timeout=2)
    tracking.check_reachable("sqlite:///mlflow.db")  # a local store needs no server


def test_a_store_that_is_not_required_only_warns(params, capsys):
    relaxed = {**params, "mlflow": {**params["mlflow"], "required": False}}
    tracking.not_tracked(relaxed, RuntimeError("store is down"))
    assert capsys.readouterr().out.startswith("warning: store is down; this run is not tracked")
    with pytest.raises(errors.PipelineError, match="store is down"):
        tracking.not_tracked(params, RuntimeError("store is down"))


def test_a_password_in_a_url_is_redacted_in_messages_and_params(params):
    uri = "https://alice:s3cret@mlflow.example.com/path"
    assert errors.redact(f"tracking at {uri} failed") == (
        "tracking at https://alice:***@mlflow.example.com/path failed"
    )
    assert errors.redact("sqlite:///mlflow.db and http://host:5000") == (
        "sqlite:///mlflow.db and http://host:5000"
    )
    assert errors.first_line(RuntimeError(f"{uri} refused\nmore")) == (
        "https://alice:***@mlflow.example.com/path refused"
    )
    flat = provenance.flatten({**params, "mlflow": {**params["mlflow"], "tracking_uri": uri}})
    assert flat["mlflow.tracking_uri"] == "https://alice:***@mlflow.example.com/path"


@pytest.mark.parametrize("existing", [False, True], ids=["new store", "store of an older version"])
def test_the_local_store_and_its_artifacts_are_readable_by_the_owner_only(
    params, tmp_path, monkeypatch, existing
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///mlflow.db")
    previous = os.umask(0o022)  # the usual umask, under which files are world-readable
    try:
        if existing:
            (tmp_path / "mlflow.db").touch(mode=0o644)
            (tmp_path / "mlruns").mkdir(mode=0o755)
        tracking.client(params).search_experiments()  # MLflow creates its tables and experiment 0
    finally:
        os.umask(previous)
    for made in ("mlflow.db", "mlruns"):
        mode = stat.S_IMODE((tmp_path / made).stat().st_mode)
        assert mode & 0o077 == 0, f"{made} has mode {mode:o}"
    assert (tmp_path / "mlruns").is_dir()
