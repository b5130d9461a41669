"""Where a run came from, with no MLflow import: file hashes, git state, DVC's data hashes,
the project version, and params.yaml flattened into dotted names."""

import hashlib
import subprocess
from pathlib import Path

import yaml

from .config import path
from .errors import PipelineError, redact

ARTIFACT_HASH_TAG = "model_artifact_sha256"  # of the registered skops file, checked on loading


def flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    """params.yaml as MLflow params: {"train.random_forest.max_depth": "8", ...}, redacted."""
    flat = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = redact(str(value))
    return flat


def file_md5(file: Path) -> str:
    return hashlib.md5(file.read_bytes()).hexdigest()


def file_sha256(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


def check_sha256(file: Path, expected: str, what: str) -> None:
    """Refuse a model file whose bytes are not those recorded when it was logged or exported."""
    actual = file_sha256(file)
    if actual != expected:
        raise PipelineError(
            f"{what}: {file.name} has SHA-256 {actual[:16]}, not the recorded "
            f"{str(expected)[:16]}; refusing to load a changed model"
        )


def git_tags() -> dict[str, str]:
    def git(*args: str) -> str:
        result = subprocess.run(["git", *args], capture_output=True, text=True)
        return result.stdout.strip() if result.returncode == 0 else ""

    status = git("status", "--porcelain", "--untracked-files=no")
    return {
        "git_commit": git("rev-parse", "HEAD") or "unknown",
        "git_dirty": str(bool(status)).lower(),
    }


def data_tags(params: dict) -> dict[str, str]:
    """The hashes DVC recorded for this run's data: the raw folder and the ingested data set."""
    lock = Path("dvc.lock")
    stages = yaml.safe_load(lock.read_text()).get("stages", {}) if lock.exists() else {}
    ingest = stages.get("ingest", {})
    hashes = {
        entry["path"]: entry.get("md5", "")
        for entry in ingest.get("deps", []) + ingest.get("outs", [])
    }
    return {
        "data_raw_md5": hashes.get(str(path(params, "raw")), "unknown"),
        "data_md5": hashes.get(str(path(params, "dataset")), "unknown"),
    }
