"""Parameters and paths, read from params.yaml: the one place every knob lives."""

from pathlib import Path

import yaml

from .errors import PipelineError, Problems
from .params_schema import problems

PARAMS_FILE = Path("params.yaml")


def load_params(file: Path = PARAMS_FILE) -> dict:
    """The parameters, checked against params.schema.json: every problem is reported at once,
    before any stage has read a key."""
    try:
        params = yaml.safe_load(file.read_text())
    except FileNotFoundError:
        raise PipelineError(f"{file}: not found; run commands from the project folder") from None
    except yaml.YAMLError as error:
        raise PipelineError(f"{file}: not valid YAML: {error}".replace("\n", " ")) from None
    if not isinstance(params, dict):
        raise PipelineError(f"{file}: expected a mapping of sections, got {type(params).__name__}")
    found = problems(params, str(file))
    if found:
        raise Problems(found)
    return params


def param(params: dict, name: str):
    """The value at a dotted name such as "train.model"; a missing one is a one-line error."""
    value = params
    for key in name.split("."):
        if not isinstance(value, dict) or key not in value:
            raise PipelineError(f"params.yaml: {name} is missing")
        value = value[key]
    return value


def path(params: dict, name: str) -> Path:
    return Path(param(params, f"paths.{name}"))


def optional_path(params: dict, name: str) -> Path | None:
    """paths.<name>, or None in a params.yaml older than the key: a project that moves to a newer
    library goes on working without it, and gets the key with the template's next update."""
    value = (params.get("paths") or {}).get(name)
    return Path(value) if value else None
