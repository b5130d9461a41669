"""model.onnx in a folder `export` wrote: compiled and proven there (build.py), used as recorded.

model.json's "onnx" entry holds the file's SHA-256, the parity result on the test split and the
model's description (convert.describe), or, when the model has no ONNX form that answers as it
does, one line saying why ("reason"); then the folder has no model.onnx and scikit-learn answers.
Loading needs neither pandas nor scikit-learn: the service's image holds neither when ONNX answers.
"""

from pathlib import Path

from ..errors import PipelineError, first_line
from ..exported import check_model_file
from ..provenance import check_sha256
from .runtime import Compiled, compiled

FILE = "model.onnx"
KEY = "onnx"


def why_not(info: dict) -> str | None:
    """Why scikit-learn answers for the folder model.json describes; None when ONNX does."""
    entry = info.get(KEY)
    if isinstance(entry, dict) and entry.get("sha256") and entry.get("features"):
        return None
    if isinstance(entry, dict) and entry.get("sha256"):
        return "the export predates model descriptions; export it again"
    reason = entry.get("reason") if isinstance(entry, dict) else None
    return reason or "the export has no ONNX model; export it again"


def load(folder: Path, info: dict) -> Compiled:
    """The folder's ONNX model, its SHA-256 checked against model.json's, as the skops file's is
    (checked too: the folder is refused as a whole when either was changed)."""
    check_model_file(folder, info)
    entry, file = info[KEY], folder / FILE
    if not file.is_file():
        raise PipelineError(f"{file}: not found, though {folder / 'model.json'} records it")
    check_sha256(file, entry["sha256"], str(folder))
    try:
        return compiled(file.read_bytes(), entry)
    except Exception as error:
        raise PipelineError(f"{file}: cannot serve it: {first_line(error)}") from None
