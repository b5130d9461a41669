"""The estimator that train.model names: a short name from the project's model.py, or the import
path of any scikit-learn-compatible estimator, with its hyperparameters from params.yaml."""

import importlib
import inspect

from .errors import PipelineError
from .project import team_module
from .scoring import TASKS, check_task


def short_names() -> dict[str, dict[str, str]]:
    """Task -> short name -> import path: the project's model.ESTIMATORS (its model.py is where the
    short names live); none outside a project, where train.model is an import path."""
    model = team_module("model")
    names = getattr(model, "ESTIMATORS", None) if model else None
    if names is None:
        return {task: {} for task in TASKS}
    if not isinstance(names, dict) or not all(isinstance(names.get(task), dict) for task in TASKS):
        raise PipelineError(
            "model.py: ESTIMATORS must map classification and regression "
            "to {short name: import path}"
        )
    return names


def hyperparameters_key(task: str, name: str) -> str:
    """Where params.yaml holds the model's hyperparameters: train.<short name>, or train.params
    for an import path (a dotted key could not be set with `dvc exp run -S`)."""
    return f"train.{name}" if name in short_names().get(task, {}) else "train.params"


def estimator_class(task: str, name: str) -> type:
    names = short_names()
    known = names[check_task(task)]
    if name not in known and "." not in name:
        other = next((other for other in names if name in names[other]), None)
        fits = f", a {other} model," if other else ""
        raise PipelineError(
            f"params.yaml: train.model is {name!r}{fits} but train.task is {task!r}; "
            f"use one of {', '.join(known) or 'the short names of model.py'}, or an import path "
            "such as sklearn.ensemble.ExtraTreesClassifier"
        )
    location = known.get(name, name)
    module, _, attribute = location.rpartition(".")
    try:
        found = getattr(importlib.import_module(module), attribute)
    except ImportError as error:
        raise PipelineError(
            f"params.yaml: train.model is {name!r}, but {error.name or module} is not installed; "
            "add it to pyproject.toml's dependencies and run `make setup`"
        ) from None
    except (AttributeError, ValueError):
        raise PipelineError(
            f"params.yaml: train.model is {name!r}: {location} does not exist"
        ) from None
    if not inspect.isclass(found):
        raise PipelineError(f"params.yaml: train.model is {name!r}: {location} is not a class")
    return found


def accepted_names(estimator: type) -> tuple[set[str], bool]:
    """The hyperparameters an estimator takes, and whether it takes any (its __init__ has **kwargs,
    as XGBoost's does: then its default instance's get_params() lists the known ones)."""
    parameters = inspect.signature(estimator).parameters
    takes_any = any(item.kind is inspect.Parameter.VAR_KEYWORD for item in parameters.values())
    names = {key for key, item in parameters.items() if item.kind is not item.VAR_KEYWORD}
    if takes_any and hasattr(estimator, "get_params"):
        names |= set(estimator().get_params(deep=False))
    return names, takes_any


def make_estimator(task: str, name: str, hyperparameters: dict, seed: int):
    """train.model's estimator with its hyperparameters; random_state is the seed where it takes
    one (a nearest-neighbours model has none)."""
    estimator = estimator_class(task, name)
    if not isinstance(hyperparameters, dict):
        raise PipelineError(
            f"params.yaml: {hyperparameters_key(task, name)} must be a mapping of hyperparameters"
        )
    accepted, takes_any = accepted_names(estimator)
    unknown = sorted(set(hyperparameters) - accepted)
    if unknown and not takes_any:
        raise PipelineError(
            f"params.yaml: {hyperparameters_key(task, name)} has {unknown}, "
            f"which {estimator.__name__} does not take"
        )
    seeded = {"random_state": seed} if "random_state" in accepted else {}
    made = estimator(**{**seeded, **hyperparameters})
    check_kind(made, task, name)
    return made


def check_kind(estimator, task: str, name: str) -> None:
    from sklearn.base import is_classifier, is_regressor

    kind = {"classification": is_classifier, "regression": is_regressor}[task]
    if not hasattr(estimator, "fit") or not kind(estimator):
        raise PipelineError(
            f"params.yaml: train.model is {name!r}, which is not a scikit-learn "
            f"{'classifier' if task == 'classification' else 'regressor'} (train.task is {task!r})"
        )
