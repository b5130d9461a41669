"""What a project declares to the library: its own package, and the types its models may hold.

The declaration is the `[tool.cd4ml]` table of the project's pyproject.toml (commands run in the
project folder):

    [tool.cd4ml]
    package = "churn"                     # src/churn/features.py and src/churn/model.py
    trusted = ["churn.features.Ratio"]    # your own types and functions a saved model may hold

The team's code lives in that package: `features.add_features(frame)` derives columns inside the
fitted model, and `model.py` says which estimators exist. Outside a project there is no package:
no features are derived, and train.model must be an estimator's import path.
"""

import functools
import importlib
import sys
from pathlib import Path
from types import ModuleType

from .errors import PipelineError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PYPROJECT = Path("pyproject.toml")


@functools.cache
def declaration(file: Path = PYPROJECT) -> dict:
    """The [tool.cd4ml] table, or {} when there is no pyproject.toml here."""
    try:
        document = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as error:
        raise PipelineError(f"{file}: not valid TOML: {error}") from None
    table = document.get("tool", {}).get("cd4ml", {})
    if not isinstance(table, dict):
        raise PipelineError(f"{file}: [tool.cd4ml] must be a table")
    return table


def package() -> str | None:
    """The project's own package, as [tool.cd4ml] names it; None outside a project."""
    name = declaration().get("package")
    if name is not None and (not isinstance(name, str) or not name.isidentifier()):
        raise PipelineError(f"{PYPROJECT}: tool.cd4ml.package is {name!r}; give a package name")
    return name


def importable() -> str | None:
    """The project's package name, with src/ on the import path when the package is there."""
    own = package()
    source = Path("src").resolve()
    if own is not None and (source / own).is_dir() and str(source) not in sys.path:
        sys.path.insert(0, str(source))
    return own


def team_module(name: str) -> ModuleType | None:
    """The project's own module `name` (features, model), or None when it has none.

    The project's src/ folder is importable even when the project is not installed, as kedro's
    projects are: a stage run by `dvc repro` before `make setup` still finds the team's code.
    """
    own = importable()
    if own is None:
        return None
    try:
        return importlib.import_module(f"{own}.{name}")
    except ModuleNotFoundError as error:
        if error.name in (own, f"{own}.{name}"):
            return None
        raise


def trusted() -> list[str]:
    """The project's own types and functions that a saved model may hold, as declared."""
    declared = declaration().get("trusted", [])
    if not isinstance(declared, list) or not all(isinstance(item, str) for item in declared):
        raise PipelineError(f"{PYPROJECT}: tool.cd4ml.trusted must be a list of dotted names")
    return declared


def project_version() -> str:
    """The project's version: its package's __version__, or "unknown" outside a project."""
    own = importable()
    if own is None:
        return "unknown"
    try:
        return str(importlib.import_module(own).__version__)
    except (ImportError, AttributeError):
        return "unknown"


def program() -> str:
    """How the commands are run here: `python -m <project package>` in a project, else `cd4ml`."""
    try:
        own = package()
    except PipelineError:
        own = None
    return f"python -m {own}" if own else "cd4ml"


def command(words: str) -> str:
    """How to run one of the commands, for a message."""
    return f"`{program()} {words}`"


def library_version() -> str:
    from . import __version__

    return __version__
