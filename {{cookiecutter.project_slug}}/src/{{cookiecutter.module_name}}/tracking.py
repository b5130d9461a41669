"""Experiment tracking with MLflow: where the store is, and what every evaluation logs.

The store is local to the project (params.yaml: mlflow.tracking_uri) unless MLFLOW_TRACKING_URI
names another; it is neither a DVC output nor committed, so it never changes what `dvc repro` does.
"""

import os
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd

from .config import param, path
from .errors import PipelineError, first_line
from .provenance import data_tags, file_md5, flatten, git_tags, project_version

# Types that MLflow's skops format must be told to load: those of the models train.py builds.
TRUSTED_TYPES = [
    "numpy.dtype",
    "sklearn.compose._column_transformer.make_column_selector",
    "sklearn.tree._tree.Tree",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
]
MODEL_HASH_TAG = "model_md5"


def tracking_uri(params: dict) -> str:
    return os.environ.get("MLFLOW_TRACKING_URI") or param(params, "mlflow.tracking_uri")


def check_reachable(uri: str, timeout: float = 5) -> None:
    """A server that does not answer is one clear error now, not minutes of retries later."""
    if not uri.startswith(("http://", "https://")):
        return
    try:
        urllib.request.urlopen(f"{uri.rstrip('/')}/health", timeout=timeout).close()
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise PipelineError(f"MLflow tracking server {uri} is not reachable ({reason})") from None


def client(params: dict):
    """An MlflowClient for the configured store; fails fast when a server is down."""
    uri = tracking_uri(params)
    check_reachable(uri)
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "10")
    import mlflow

    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return mlflow.MlflowClient(uri, registry_uri=uri)


def log_evaluation(
    params: dict, candidate: Path, model, features: pd.DataFrame, scores: dict, passed: bool
) -> str:
    """One MLflow run per evaluation: params, metrics, the model, plots and lineage tags."""
    import mlflow
    from mlflow.models import infer_signature

    client(params)
    mlflow.set_experiment(param(params, "mlflow.experiment"))
    tags = {
        **git_tags(),
        **data_tags(params),
        "project_version": project_version(),
        MODEL_HASH_TAG: file_md5(candidate),
        "gate": "passed" if passed else "failed",
    }
    example = features.head(3)
    with mlflow.start_run(tags=tags) as run:
        mlflow.log_params(flatten(params))
        mlflow.log_metrics(scores)
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            signature=infer_signature(example, model.predict(example)),
            input_example=example,
            pip_requirements=mlflow.sklearn.get_default_pip_requirements(),
            skops_trusted_types=TRUSTED_TYPES,
        )
        mlflow.set_tags({"model_uri": info.model_uri, "model_id": info.model_id})
        if passed:  # the plots on disk are this candidate's only when it passed
            mlflow.log_artifacts(str(path(params, "plots")), artifact_path="plots")
        for report in (path(params, "evaluation"), path(params, "data_quality")):
            if report.with_suffix(".md").exists():
                mlflow.log_artifact(str(report.with_suffix(".md")), artifact_path="reports")
    return run.info.run_id


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


def track_evaluation(params: dict, *args) -> str | None:
    try:
        return log_evaluation(params, *args)
    except Exception as error:  # MLflow raises many types for a store it cannot use
        not_tracked(
            params, RuntimeError(f"MLflow tracking at {tracking_uri(params)} failed: {error}")
        )
        return None
