"""export's compile step: model.onnx written beside model.skops only when it answers as the model
does on the whole test split; model.json's "onnx" entry says what was proven, or why not."""

from pathlib import Path

import pandas as pd

from ..errors import first_line
from ..files import atomic_path
from ..provenance import file_sha256
from . import parity
from .convert import ConversionError, convert, describe
from .folder import FILE
from .runtime import compiled


def proven(model, test: pd.DataFrame | None, why_not: str = "") -> tuple[bytes | None, dict]:
    """The ONNX model when it converts and parity holds on test (the test split in the model's
    columns and declared dtypes), and what was proven: the parity result, or one line saying why
    scikit-learn answers (why_not when there is no test). Nothing is written."""
    if test is None:
        return None, {"reason": why_not}
    try:
        data = convert(model, test).SerializeToString()
        result = parity.compare(model, compiled(data, describe(model)), test)
    except ConversionError as error:
        return None, {"reason": str(error)}
    except Exception as error:  # onnxruntime refusing the converted model
        return None, {"reason": f"onnxruntime cannot run the converted model: {first_line(error)}"}
    if not result["holds"]:
        return None, {"reason": f"ONNX parity fails: {result['reason']}", "parity": result}
    return data, {"parity": result}


def compile_into(model, test: pd.DataFrame | None, folder: Path, why_not: str = "") -> dict:
    """Write folder/model.onnx when the model converts and parity holds on test; the "onnx" entry
    of model.json either way (with the file's SHA-256 and the model's description when written)."""
    target = folder / FILE
    folder.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)  # an earlier export's file must not outlive its model
    data, entry = proven(model, test, why_not)
    if data is None:
        return entry
    with atomic_path(target) as scratch:
        scratch.write_bytes(data)
    return {"sha256": file_sha256(target), **entry, **describe(model)}
