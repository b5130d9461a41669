"""The folder `export` writes: model.skops, model.json, contract.yaml, and model.onnx when that
answers as the model does. model.json is read and checked here, before any model file is opened."""

import json
from pathlib import Path

from .errors import PipelineError
from .project import command
from .provenance import ARTIFACT_HASH_TAG, check_sha256


def read_info(folder: Path) -> dict:
    """model.json: the model's lineage, the skops file's SHA-256 and the "onnx" entry."""
    file = folder / "model.json"
    if not file.exists():
        raise PipelineError(f"{file}: not found; write the folder with {command('export')}")
    try:
        info = json.loads(file.read_text())
    except json.JSONDecodeError as error:
        raise PipelineError(f"{file}: not valid JSON ({error})") from None
    if not isinstance(info, dict) or not info.get(ARTIFACT_HASH_TAG):
        raise PipelineError(f"{file}: no {ARTIFACT_HASH_TAG}; export the folder again")
    return info


def model_file(folder: Path) -> Path:
    """model.skops, which must be there whichever model answers."""
    file = folder / "model.skops"
    if not file.exists():
        raise PipelineError(f"{file}: not found; write the folder with {command('export')}")
    return file


def check_model_file(folder: Path, info: dict) -> None:
    """Refuse a folder whose model.skops is not the one model.json records, even when the compiled
    model answers and model.skops is never opened: the folder is checked as a whole."""
    check_sha256(model_file(folder), info[ARTIFACT_HASH_TAG], str(folder))
