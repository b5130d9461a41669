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
        description = describe(model)
        result = parity.compare(model, compiled(data, description), test)
    except ConversionError as error:
        return {"reason": str(error)}
    except Exception as error:  # onnxruntime refusing the converted model
        return {"reason": f"onnxruntime cannot run the converted model: {first_line(error)}"}
    if not result["holds"]:
        return {"reason": f"ONNX parity fails: {result['reason']}", "parity": result}
    with atomic_path(target) as scratch:
        scratch.write_bytes(data)
    return {"sha256": file_sha256(target), "parity": result, **description}
