"""Experiment tracking with MLflow: where the store is, and what every evaluation logs.

The store is local to the project (params.yaml: mlflow.tracking_uri) unless MLFLOW_TRACKING_URI
names another; it is neither a DVC output nor committed, so it never changes what `dvc repro` does.
"""

import os
import socket
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pandas as pd
import yaml

from .config import param, path
from .errors import PipelineError, first_line, redact
from .files import read_model
from .input_schema import TAG as INPUT_SCHEMA_TAG
from .input_schema import digest
from .project import library_version, project_version, trusted
from .provenance import ARTIFACT_HASH_TAG, data_tags, file_md5, file_sha256, flatten, git_tags

# Types that MLflow's skops format must be told to load: those of the models train builds. A
# project adds its own in pyproject.toml ([tool.cd4ml] trusted), never here.
LIBRARY_TRUSTED_TYPES = [
    "numpy.dtype",
    "sklearn.compose._column_transformer.make_column_selector",
    "sklearn.tree._tree.Tree",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    # train.model lightgbm (compute.engine: dask): its booster is restored from LightGBM's text
    # model format, which holds trees and numbers, not code.
    "lightgbm.basic.Booster",
    "lightgbm.sklearn.LGBMClassifier",
    "lightgbm.sklearn.LGBMRegressor",
]


def trusted_types() -> list[str]:
    """The library's trusted types and the project's declared ones."""
    return [*LIBRARY_TRUSTED_TYPES, *trusted()]


MODEL_HASH_TAG = "model_md5"  # of models/model.pkl, the file DVC tracks
HOST_TAG, PID_TAG = "evaluate_host", "evaluate_pid"  # to tell a killed evaluate's run


def tracking_uri(params: dict) -> str:
    return os.environ.get("MLFLOW_TRACKING_URI") or param(params, "mlflow.tracking_uri")


def running(pid: int) -> bool:
    """Whether a process of this machine runs (the evaluate that left a run RUNNING)."""
    if pid <= 0:
        return False
    if os.name == "nt":
        return True  # there os.kill(pid, 0) would end the process; assume it runs
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process
    return True


def check_reachable(uri: str, timeout: float = 5) -> None:
    """A server that does not answer is one clear error now, not minutes of retries later."""
    if not uri.startswith(("http://", "https://")):
        return
    parts = urllib.parse.urlsplit(uri)
    address = parts.netloc.rpartition("@")[2]  # /health needs no credentials
    probe = urllib.parse.urlunsplit((parts.scheme, address, parts.path.rstrip("/"), "", ""))
    try:
        urllib.request.urlopen(f"{probe}/health", timeout=timeout).close()
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        shown = redact(uri)
        raise PipelineError(f"MLflow tracking server {shown} is not reachable ({reason})") from None


# MLflow's artifact folder for a database store, relative to the working directory.
LOCAL_ARTIFACTS = Path("mlruns")


def keep_private(uri: str) -> None:
    """A local SQLite store and its artifact folder are readable by the owner only: they hold the
    models and the data's lineage, and MLflow would create them world-readable under the usual
    umask. Those made by an older version are tightened too."""
    if not uri.startswith("sqlite:///"):
        return
    database = Path(uri.removeprefix("sqlite:///").partition("?")[0])
    if database.name in ("", ":memory:") or not database.parent.is_dir():
        return  # no file, or a folder that is not there: MLflow says why
    os.close(os.open(database, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600))
    LOCAL_ARTIFACTS.mkdir(mode=0o700, exist_ok=True)
    for made in (database, LOCAL_ARTIFACTS):
        mode = made.stat().st_mode
        if mode & 0o077:
            made.chmod(mode & 0o700)


def client(params: dict):
    """An MlflowClient for the configured store; fails fast when a server is down."""
    uri = tracking_uri(params)
    check_reachable(uri)
    keep_private(uri)
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "10")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # one line per error
    import mlflow

    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return mlflow.MlflowClient(uri, registry_uri=uri)


def close_stale_runs(client, experiment_id: str) -> None:
    """Mark FAILED the runs of this machine left RUNNING by an evaluate that was killed."""
    host = socket.gethostname()
    stale = client.search_runs(
        [experiment_id],
        filter_string=f"attributes.status = 'RUNNING' and tags.{HOST_TAG} = '{host}'",
    )
    for run in stale:
        pid = int(run.data.tags.get(PID_TAG, "0"))
        if pid == os.getpid() or not running(pid):
            client.set_terminated(run.info.run_id, status="FAILED")


def open_experiment(params: dict) -> str:
    """The id of the configured experiment, created if new, its stale runs closed."""
    import mlflow

    client(params)
    experiment = mlflow.set_experiment(param(params, "mlflow.experiment"))
    close_stale_runs(mlflow.MlflowClient(), experiment.experiment_id)
    return experiment.experiment_id


def log_evaluation(
    params: dict, candidate: Path, scores: dict, passed: bool, plots: Path, experiment: str = ""
) -> str:
    """One MLflow run per evaluation: params, metrics, plots, reports, lineage and the model's hash.

    The model itself is logged by `promote`, for the versions that go to the registry only.
    """
    import mlflow

    experiment = experiment or open_experiment(params)
    tags = {
        **git_tags(),
        **data_tags(params),
        "project_version": project_version(),
        "cd4ml_version": library_version(),
        MODEL_HASH_TAG: file_md5(candidate),
        "gate": "passed" if passed else "failed",
        HOST_TAG: socket.gethostname(),
        PID_TAG: str(os.getpid()),
    }
    with mlflow.start_run(experiment_id=experiment, tags=tags) as run:
        mlflow.log_params(flatten(params))
        mlflow.log_metrics(scores)
        if passed:  # plots exist for a candidate that passed
            mlflow.log_artifacts(str(plots), artifact_path="plots")
        for report in (path(params, "evaluation"), path(params, "data_quality")):
            if report.with_suffix(".md").exists():
                mlflow.log_artifact(str(report.with_suffix(".md")), artifact_path="reports")
    return run.info.run_id


def log_model(params: dict, run, model_file: Path) -> dict[str, str]:
    """Log the model of an evaluated run, as MLflow's sklearn flavor saved with skops.

    Called by `promote` before it registers a version. Returns the tags it set on the run:
    model_uri, model_id, the SHA-256 of the saved model file, which loading checks, and the digest
    of its input schema (its columns and their contract types), which serving checks.
    """
    import mlflow
    from mlflow.models import infer_signature

    from .quality.contract_file import load_contract

    model = read_model(model_file)
    columns = load_contract(path(params, "contract")).get("columns") or {}
    example = pd.read_parquet(path(params, "test")).drop(columns=[param(params, "ingest.target")])
    example = example.head(3)
    client(params)
    with mlflow.start_run(run_id=run.info.run_id):
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            signature=infer_signature(example, model.predict(example)),
            input_example=example,
            pip_requirements=mlflow.sklearn.get_default_pip_requirements(),
            skops_trusted_types=trusted_types(),
        )
        tags = {
            "model_uri": info.model_uri,
            "model_id": info.model_id,
            ARTIFACT_HASH_TAG: artifact_sha256(info.model_uri),
            INPUT_SCHEMA_TAG: digest([str(name) for name in model.feature_names_in_], columns),
        }
        mlflow.set_tags(tags)
    return tags


def artifact_sha256(model_uri: str) -> str:
    import mlflow

    with tempfile.TemporaryDirectory() as folder:
        local = Path(mlflow.artifacts.download_artifacts(artifact_uri=model_uri, dst_path=folder))
        return file_sha256(model_file_of(local))


def model_file_of(folder: Path) -> Path:
    """The skops file of a saved sklearn model; anything else (pickle, cloudpickle) is refused."""
    flavor = yaml.safe_load((folder / "MLmodel").read_text()).get("flavors", {}).get("sklearn", {})
    if flavor.get("serialization_format") != "skops":
        raise PipelineError(
            f"{folder}: the model is saved as {flavor.get('serialization_format')!r}, not skops; "
            "refusing to load it"
        )
    file = (folder / str(flavor.get("pickled_model", ""))).resolve()
    if folder.resolve() not in file.parents:
        raise PipelineError(f"{folder}: the model file lies outside the model folder")
    return file


def not_tracked(params: dict, error: Exception) -> None:
    """Fail with one line, or, when mlflow.required is false, warn and go on untracked."""
    message = first_line(error)
    if param(params, "mlflow.required"):
        raise PipelineError(message) from None
    print(f"warning: {message}; this run is not tracked (mlflow.required is false)")


def tracking_available(params: dict) -> bool:
    """Whether tracking is on and the store answers; asked before evaluate replaces anything."""
    if not param(params, "mlflow.enabled"):
        return False
    try:
        check_reachable(tracking_uri(params))
    except PipelineError as error:
        not_tracked(params, error)
        return False
    return True


def track_evaluation(params: dict, log, *args) -> str | None:
    """The run id that log(*args) returns; its failure is one line, or a warning (not_tracked)."""
    try:
        return log(*args)
    except Exception as error:  # MLflow raises many types for a store it cannot use
        not_tracked(
            params,
            RuntimeError(f"MLflow tracking at {redact(tracking_uri(params))} failed: {error}"),
        )
        return None
