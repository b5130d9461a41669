"""model.onnx in a folder `export` wrote: compiled and proven there, used only as recorded.

model.json's "onnx" entry holds the file's SHA-256 and the parity result on the test split, or,
when the model has no ONNX form that answers as it does, one line saying why ("reason"); then the
folder has no model.onnx and scikit-learn answers.
"""

from pathlib import Path

import pandas as pd

from ..errors import PipelineError, first_line
from ..files import atomic_path
from ..provenance import check_sha256, file_sha256
from . import parity
from .convert import ConversionError, convert
from .runtime import compiled

FILE = "model.onnx"
KEY = "onnx"


def compile_into(model, test: pd.DataFrame | None, folder: Path, why_not: str = "") -> dict:
    """Write folder/model.onnx when the model converts and parity holds on test (the test split
    in the model's columns and declared dtypes); the "onnx" entry of model.json either way."""
    target = folder / FILE
    folder.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)  # an earlier export's file must not outlive its model
    if test is None:
        return {"reason": why_not}
    try:
        data = convert(model, test).SerializeToString()
        result = parity.compare(model, compiled(data, model), test)
    except ConversionError as error:
        return {"reason": str(error)}
    except Exception as error:  # onnxruntime refusing the converted model
        return {"reason": f"onnxruntime cannot run the converted model: {first_line(error)}"}
    if not result["holds"]:
        return {"reason": f"ONNX parity fails: {result['reason']}", "parity": result}
    with atomic_path(target) as scratch:
        scratch.write_bytes(data)
    return {"sha256": file_sha256(target), "parity": result}


def scorer(model, info: dict, folder: Path) -> tuple[object, str, str | None]:
    """What answers for an exported folder: the ONNX model when model.json records one (its
    SHA-256 checked, as the skops file's is), otherwise the scikit-learn model; with the
    implementation's name and, for scikit-learn, why."""
    entry = info.get(KEY)
    if not isinstance(entry, dict) or not entry.get("sha256"):
        reason = entry.get("reason") if isinstance(entry, dict) else None
        return model, "sklearn", reason or "the export has no ONNX model; export it again"
    file = folder / FILE
    if not file.is_file():
        raise PipelineError(f"{file}: not found, though {folder / 'model.json'} records it")
    check_sha256(file, entry["sha256"], str(folder))
    try:
        return compiled(file.read_bytes(), model), "onnx", None
    except Exception as error:
        raise PipelineError(f"{file}: onnxruntime cannot load it: {first_line(error)}") from None
