"""The one way the service loads a model: from the registry or from a folder that `export` wrote.

Every problem (a missing folder, an empty, truncated or corrupt model file, a bad model.json, an
unknown registered model) is a PipelineError naming the file or URI, so `serve` stops with one line.
"""

from dataclasses import dataclass
from pathlib import Path

from .. import input_schema, models, tracking
from ..compiled import folder as compiled_folder
from ..config import path
from ..errors import PipelineError, first_line
from ..quality.contract import load_contract


@dataclass(frozen=True)
class Loaded:
    model: object
    info: dict  # model name, version and lineage tags, for /version and the prediction log
    columns: dict  # the contract's rules per column, which type the request schema
    features: list[str]  # the columns the model was trained on, in order
    scorer: object = None  # what answers: the model, or its ONNX form (compiled.runtime)
    implementation: str = "sklearn"
    reason: str | None = None  # why scikit-learn answers, when it does


def load(params: dict, source: str) -> Loaded:
    """The model named by source: "models:/<name>[@alias]" or a folder of model.skops, model.json
    and contract.yaml. models.py loads either, after checking the recorded SHA-256; never pickle."""
    if source.startswith("models:/"):
        model, info, contract = _from_registry(params, source)
        scorer, implementation = model, "sklearn"
        reason = "served from the registry; ONNX runs only from a folder `export` wrote"
    else:
        model, info, contract = _from_folder(source)
        scorer, implementation, reason = compiled_folder.scorer(model, info, Path(source))
        source = str(Path(source) / "model.skops")
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
    return Loaded(model, info, columns, features, scorer, implementation, reason)


def _from_registry(params: dict, source: str) -> tuple[object, dict, Path]:
    from mlflow.exceptions import MlflowException

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


def _from_folder(source: str) -> tuple[object, dict, Path]:
    folder = Path(source)
    if not folder.is_dir():
        raise PipelineError(
            f"MODEL_URI {source}: no such folder; use models:/<name>@champion or a folder "
            "written by {command('export')}"
        )
    try:
        model, info = models.load_exported(folder)
    except PipelineError:
        raise
    except Exception as error:  # a damaged model file raises almost any type
        file = folder / "model.skops"
        raise PipelineError(f"{file}: not a readable model file: {first_line(error)}") from None
    return model, info, folder / "contract.yaml"
