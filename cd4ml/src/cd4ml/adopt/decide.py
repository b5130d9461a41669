"""adopt's decisions, as pure functions of the data and the first run's metrics."""

import math
import re
import unicodedata
from pathlib import Path

import pandas as pd

from ..errors import PipelineError
from ..gates import LOWER_IS_BETTER
from ..quality.roles import TASKS, continuous_target_problem, detect_task

LARGE = 100_000  # rows past which a random forest is too slow on a laptop
FLOOR_MARGIN = 0.05  # how far below the first model's metrics the gate's floors sit
# The template's baseline margins, a cap on the first model's; other metrics have no common scale.
BASELINE_MARGIN = {"roc_auc": 0.2, "r2": 0.1}
STEM_CHARACTERS = 60  # of a file's name in a registered model's: MLflow stores at most 256 in all


def task_for(labels: pd.Series, chosen: str | None) -> tuple[str, str]:
    """(task, reason): the chosen task checked against the target, or the detected one."""
    present = labels.dropna()
    if present.nunique() < 2:
        values = ", ".join(str(value)[:40] for value in present.unique()[:1]) or "none"
        raise PipelineError(
            f"column {labels.name!r} has {present.nunique()} distinct value(s) ({values}); "
            "a model needs a target that varies"
        )
    detected, reason = detect_task(labels)
    if chosen is None:
        return detected, f"detected: {reason}"
    if chosen not in TASKS:
        raise PipelineError(f"--task is {chosen!r}; use one of {', '.join(TASKS)}")
    problem = continuous_target_problem(labels, chosen)
    if problem:
        raise PipelineError(problem)
    if chosen == "regression" and not pd.api.types.is_numeric_dtype(present):
        raise PipelineError(
            f"column {labels.name!r} holds text, which regression cannot predict; "
            "use --task classification"
        )
    return chosen, "as given"


def test_size_for(rows: int, test_size: float, min_test_rows: int) -> float:
    """The configured test share, raised so the test set has min_test_rows (at most half)."""
    needed = math.ceil(min_test_rows / max(rows, 1) * 100) / 100
    if needed > 0.5:
        raise PipelineError(
            f"{rows} rows are too few: a test set of featurize.min_test_rows {min_test_rows} "
            f"needs at least {2 * min_test_rows}; add rows, or lower min_test_rows in params.yaml"
        )
    return max(test_size, needed)


def model_for(rows: int, configured: str, task_changed: bool) -> tuple[str, str]:
    """The model for this much data; a forest or gradient boosting exist for either task."""
    if rows > LARGE and configured in ("random_forest", "logistic_regression", "ridge"):
        return "gradient_boosting", (
            f"{rows} rows: histogram gradient boosting trains in seconds where a random forest "
            "takes minutes"
        )
    if task_changed and configured != "gradient_boosting":
        return "random_forest", "a random forest, which exists for either task"
    return configured, "as configured"


def floors(metrics: dict[str, float]) -> dict[str, float]:
    """Gate thresholds a little worse than the first model's metrics, in two decimals."""
    limits = {}
    for name, value in metrics.items():
        if name in LOWER_IS_BETTER:
            limits[name] = _hundredths(value * (1 + FLOOR_MARGIN) + FLOOR_MARGIN, math.ceil)
        else:
            limits[name] = max(0.0, _hundredths(value - FLOOR_MARGIN, math.floor))
    return limits


def _hundredths(value: float, direction) -> float:
    """Rounded to two decimals in one direction; float noise (0.0999999) is not a step."""
    return direction(round(value * 100, 6)) / 100


def baseline_margin(metrics: dict, baseline: dict, primary: str) -> float:
    """Half of what the first model gained over the dummy baseline on the primary metric, at most
    the template's margin for it: the new data set's own, never the previous data set's."""
    if primary not in metrics or primary not in baseline:
        return BASELINE_MARGIN.get(primary, 0.0)
    gain = metrics[primary] - baseline[primary]
    half = max(0.0, _hundredths((-gain if primary in LOWER_IS_BETTER else gain) / 2, math.floor))
    return min(half, BASELINE_MARGIN.get(primary, half))


def lineage(file: Path, task: str) -> str:
    """A data set and task as part of a registered model's name: `customers-2024-classification`."""
    ascii_stem = unicodedata.normalize("NFKD", file.stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_stem.lower())[:STEM_CHARACTERS].strip("-") or "data"
    return f"{stem}-{task}"


def model_name_for(configured: str, previous: str | None, new: str) -> str:
    """The registered model of the new data set and task: one champion lineage each. The previous
    lineage's suffix gives way to the new one; the rest of the name (the team's) stays."""
    base = configured.removesuffix(f"-{previous}") if previous else configured
    return base if base.endswith(f"-{new}") else f"{base}-{new}"
