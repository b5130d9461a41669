"""The one way the service loads a model: from the registry or from a folder that `export` wrote.

From a folder whose model.json records a proven model.onnx, onnxruntime answers, and nothing here
imports pandas, scikit-learn or MLflow: the service's image can leave them out. Every problem (a
missing folder, an empty, truncated or corrupt model file, a bad model.json, an unknown registered
model) is a PipelineError naming the file or URI, so `serve` stops with one line.
"""

from dataclasses import dataclass
from pathlib import Path

from .. import input_schema
from ..compiled import folder as compiled_folder
from ..config import path
from ..errors import PipelineError, first_line
from ..exported import read_info
from ..project import command
from ..quality.contract_file import load_contract


@dataclass(frozen=True)
class Loaded:
    scorer: object  # what answers: the ONNX model (compiled.runtime) or a frame_scorer
    info: dict  # model name, version and lineage tags, for /version and the prediction log
    columns: dict  # the contract's rules per column, which type the request schema
    features: list[str]  # the columns the model was trained on, in order
    reason: str | None = None  # why scikit-learn answers, when it does

    @property
    def implementation(self) -> str:
        return "sklearn" if self.reason else "onnx"


def load(params: dict, source: str) -> Loaded:
    """The model named by source: "models:/<name>[@alias]" or a folder `export` wrote, whose
    model.onnx answers when model.json records one (models.py loads a skops file otherwise,
    after checking its recorded SHA-256; never pickle)."""
    if source.startswith("models:/"):
        model, info, contract = _from_registry(params, source)
        reason = "served from the registry; ONNX runs only from a folder `export` wrote"
        return _loaded(model, info, contract, source, reason)
    folder = Path(source)
    if not folder.is_dir():
        raise PipelineError(
            f"MODEL_URI {source}: no such folder; use models:/<name>@champion or a folder "
            f"written by {command('export')}"
        )
    info = read_info(folder)
    reason = compiled_folder.why_not(info)
    if reason is None:
        model, what = compiled_folder.load(folder, info), folder / compiled_folder.FILE
    else:
        model, what = _from_folder(folder), folder / "model.skops"
    return _loaded(model, info, folder / "contract.yaml", str(what), reason)


def _loaded(model, info: dict, contract: Path, source: str, reason: str | None) -> Loaded:
    features = getattr(model, "feature_names_in_", None)
    if not callable(getattr(model, "predict", None)) or features is None:
        raise PipelineError(
            f"{source}: not a model this service can serve (it needs predict() and the "
            "feature names it was fitted on)"
        )
    columns = load_contract(contract).get("columns") or {}
    features = [str(name) for name in features]
    version = info.get("version")
    what = f"model {info.get('model')!r} version {version}" if version else source
    input_schema.check(features, columns, info.get(input_schema.TAG), what, contract)
    if reason:
        from .frame_scorer import frame_scorer

        model = frame_scorer(model, input_schema.dtypes(features, columns))
    return Loaded(model, info, columns, features, reason)


def _from_registry(params: dict, source: str) -> tuple[object, dict, Path]:
    from mlflow.exceptions import MlflowException

    from .. import models, tracking

    name, _, alias = source.removeprefix("models:/").partition("@")
    try:
        client = tracking.client(params)
        version = models.resolve(client, name, alias or models.CHAMPION)
        model = models.load_registered(client, version)
        tags = client.get_run(version.run_id).data.tags
    except PipelineError as error:
        raise PipelineError(f"MODEL_URI {source}: {error}") from None
    except (MlflowException, OSError, ValueError) as error:
        raise PipelineError(f"MODEL_URI {source}: cannot load it: {first_line(error)}") from None
    info = {"model": name, "version": str(version.version), **tags}
    return model, info, path(params, "contract")


def _from_folder(folder: Path):
    from .. import models

    try:
        return models.load_exported(folder)[0]
    except PipelineError:
        raise
    except Exception as error:  # a damaged model file raises almost any type
        file = folder / "model.skops"
        raise PipelineError(f"{file}: not a readable model file: {first_line(error)}") from None
