"""The MLflow model registry: versions, the `champion` alias and the history of champions.

The history lives in a tag of the registered model, so that repeated rollbacks walk back in order.
"""

import getpass
import json
import os
from datetime import UTC, datetime

from .errors import PipelineError, command
from .tracking import MODEL_HASH_TAG

CHAMPION = "champion"
HISTORY_TAG = "champion_history"


def who() -> str:
    return os.environ.get("GITHUB_ACTOR") or getpass.getuser()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def history(client, name: str) -> list[str]:
    """Versions that have held the champion alias, oldest first; the last one holds it now."""
    tags = client.get_registered_model(name).tags
    return json.loads(tags.get(HISTORY_TAG, "[]"))


def set_champion(client, name: str, version: str, versions: list[str]) -> None:
    client.set_registered_model_alias(name, CHAMPION, version)
    client.set_registered_model_tag(name, HISTORY_TAG, json.dumps(versions))


def champion(client, name: str):
    """The version holding the champion alias, or None before the first promotion."""
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(name, CHAMPION)
    except MlflowException:
        return None


def resolve(client, name: str, reference: str):
    """A model version from "champion" or a version number."""
    if reference == CHAMPION:
        version = champion(client, name)
        if version is None:
            raise PipelineError(f"model {name!r} has no champion yet; run {command('promote')}")
        return version
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version(name, reference)
    except MlflowException:
        raise PipelineError(f"model {name!r} has no version {reference!r}") from None


def run_of_model(client, experiment: str, model_md5: str):
    """The latest run that logged the model with this file hash."""
    found = client.search_experiments(filter_string=f"name = '{experiment}'")
    runs = client.search_runs(
        [found[0].experiment_id] if found else [],
        filter_string=f"tags.{MODEL_HASH_TAG} = '{model_md5}'",
        order_by=["attributes.start_time DESC"],
        max_results=1,
    )
    return runs[0] if runs else None


def register(client, name: str, run) -> str:
    """The version registered from this run, registering it if it is not yet."""
    from mlflow.exceptions import MlflowException

    try:
        client.get_registered_model(name)
    except MlflowException:
        client.create_registered_model(name)
    existing = client.search_model_versions(f"name = '{name}' and run_id = '{run.info.run_id}'")
    if existing:
        return str(existing[0].version)
    tags = run.data.tags
    version = client.create_model_version(
        name, tags["model_uri"], run_id=run.info.run_id, model_id=tags["model_id"]
    )
    return str(version.version)


def describe(version, run) -> dict:
    tags = run.data.tags
    return {
        "model": version.name,
        "version": str(version.version),
        "aliases": list(version.aliases),
        "run_id": run.info.run_id,
        "git_commit": tags.get("git_commit"),
        "git_dirty": tags.get("git_dirty"),
        "data_raw_md5": tags.get("data_raw_md5"),
        "data_md5": tags.get("data_md5"),
        "model_md5": tags.get(MODEL_HASH_TAG),
        "project_version": tags.get("project_version"),
        "metrics": run.data.metrics,
        "params": run.data.params,
        "events": {
            key: value
            for key, value in version.tags.items()
            if key.startswith(("promoted", "roll"))
        },
    }
