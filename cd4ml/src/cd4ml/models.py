"""The MLflow model registry: versions, the `champion` alias and the history of champions.

The history lives in a tag of the registered model, so that repeated rollbacks walk back in order.
"""

import getpass
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from . import input_schema
from .errors import PipelineError, redact
from .exported import model_file, read_info
from .project import command, importable
from .provenance import check_sha256
from .tracking import ARTIFACT_HASH_TAG, MODEL_HASH_TAG, model_file_of, trusted_types

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
    """The latest finished run that logged the model with this file hash.

    Runs left RUNNING by a killed evaluate on this machine are closed as FAILED first; a model
    whose only runs did not finish is one clear error.
    """
    from .tracking import close_stale_runs

    found = client.search_experiments(filter_string=f"name = '{experiment}'")
    ids = [found[0].experiment_id] if found else []
    if ids:
        close_stale_runs(client, ids[0])
    runs = client.search_runs(
        ids,
        filter_string=f"tags.{MODEL_HASH_TAG} = '{model_md5}'",
        order_by=["attributes.start_time DESC"],
    )
    finished = [run for run in runs if run.info.status == "FINISHED"]
    if runs and not finished:
        raise PipelineError(
            f"MLflow run {runs[0].info.run_id} that evaluated this model did not finish "
            f"({runs[0].info.status}); run `dvc repro --force evaluate` again"
        )
    return finished[0] if finished else None


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
        input_schema.TAG: tags.get(input_schema.TAG),
        "project_version": tags.get("project_version"),
        "cd4ml_version": tags.get("cd4ml_version"),
        "metrics": run.data.metrics,
        "params": {key: redact(value) for key, value in run.data.params.items()},
        "events": {
            key: value
            for key, value in version.tags.items()
            if key.startswith(("promoted", "roll"))
        },
    }


def registered_file(client, version, folder: Path) -> tuple[Path, str]:
    """Download a registered version's model into folder: its skops file, and the SHA-256 that
    promote recorded for it. MLflow's own loader is never used: it obeys the artifact's MLmodel
    file, pickle included."""
    import mlflow

    expected = client.get_run(version.run_id).data.tags.get(ARTIFACT_HASH_TAG)
    if not expected:
        raise PipelineError(f"{described(version)} has no recorded {ARTIFACT_HASH_TAG}")
    uri = f"models:/{version.name}/{version.version}"
    local = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(folder)))
    return model_file_of(local), expected


def described(version) -> str:
    return f"model {version.name!r} version {version.version}"


def load_registered(client, version):
    with tempfile.TemporaryDirectory() as folder:
        file, expected = registered_file(client, version, Path(folder))
        return load_verified(file, expected, described(version))


def load_verified(file: Path, expected_sha256: str, what: str):
    """THE way a model from the registry or an exported folder is loaded: a skops file whose
    SHA-256 is the one recorded when it was logged, holding only the types train.py builds."""
    import skops.io

    check_sha256(file, expected_sha256, what)
    trusted = trusted_types()
    importable()  # the model's features step is a function of the project's package
    untrusted = set(skops.io.get_untrusted_types(file=file)) - set(trusted)
    if untrusted:
        raise PipelineError(
            f"{what}: {file.name} holds untrusted types {sorted(untrusted)}; if they are your own, "
            "declare them in pyproject.toml under [tool.cd4ml] trusted"
        )
    return skops.io.load(file, trusted=trusted)


def load_exported(folder: Path) -> tuple[object, dict]:
    """The model and description in a folder `export` wrote: model.skops, verified by model.json."""
    info = read_info(folder)
    return load_verified(model_file(folder), info[ARTIFACT_HASH_TAG], str(folder)), info
