"""The metric-gate rules that evaluate, promote and the pull-request report share.

A metric is better higher, except those in LOWER_IS_BETTER; each rule returns check Results.
The gate: beat the dummy baseline by a margin on the primary metric, and meet any thresholds.
"""

from .checks import Result
from .errors import PipelineError

LOWER_IS_BETTER = {"log_loss", "rmse", "mae"}
BASELINE_PREFIX = "baseline_"  # the baseline's metrics beside the model's in an MLflow run


def metric_gate(
    scores: dict, baseline: dict | None, thresholds: dict, metric: str, margin: float
) -> list[Result]:
    """The whole metric gate, the same in evaluate and promote."""
    return against_baseline(scores, baseline, metric, margin) + gate(scores, thresholds or {})


def against_baseline(
    scores: dict, baseline: dict | None, metric: str, margin: float
) -> list[Result]:
    """The model must beat the dummy baseline's metric by margin, in the metric's direction."""
    name = f"{metric} against the baseline"
    if baseline is None:  # a run logged before baselines were recorded
        return [Result(name, None, scores[metric], "no baseline recorded", True)]
    if metric in LOWER_IS_BETTER:
        limit = baseline[metric] - margin
        passed, sign = scores[metric] <= limit, "<="
    else:
        limit = baseline[metric] + margin
        passed, sign = scores[metric] >= limit, ">="
    bound = f"{sign} {limit:.6g} (baseline {baseline[metric]}, margin {margin})"
    return [Result(name, None, scores[metric], bound, passed)]


def with_baseline(scores: dict, baseline: dict) -> dict:
    """The model's and the baseline's metrics in one flat mapping, as an MLflow run keeps them."""
    return {**scores, **{f"{BASELINE_PREFIX}{key}": value for key, value in baseline.items()}}


def split_baseline(logged: dict) -> tuple[dict, dict | None]:
    """The inverse of with_baseline: the model's metrics, and the baseline's (None if absent)."""
    scores = {key: value for key, value in logged.items() if not key.startswith(BASELINE_PREFIX)}
    baseline = {
        key.removeprefix(BASELINE_PREFIX): value
        for key, value in logged.items()
        if key.startswith(BASELINE_PREFIX)
    }
    return scores, baseline or None


def gate(scores: dict[str, float], thresholds: dict[str, float]) -> list[Result]:
    """Each metric against its threshold: a floor, or a ceiling for log loss."""
    unknown = sorted(set(thresholds) - set(scores))
    if unknown:
        raise PipelineError(
            f"params.yaml: evaluate.thresholds names {unknown}, which this model does not have; "
            f"use {', '.join(scores)}"
        )
    results = []
    for name, limit in thresholds.items():
        lower = name in LOWER_IS_BETTER
        passed = scores[name] <= limit if lower else scores[name] >= limit
        results.append(
            Result(name, None, scores[name], f"{'<=' if lower else '>='} {limit}", passed)
        )
    return results


def against_champion(
    challenger: dict, champion: dict | None, metric: str, max_regression: float
) -> list[Result]:
    """The challenger may fall short of the champion's primary metric by max_regression at most."""
    if champion is None:
        return [
            Result(
                f"{metric} against the champion", None, challenger[metric], "no champion yet", True
            )
        ]
    if metric in LOWER_IS_BETTER:
        limit = champion[metric] + max_regression
        passed, bound = challenger[metric] <= limit, f"<= {limit:.6g} (champion {champion[metric]})"
    else:
        limit = champion[metric] - max_regression
        passed, bound = challenger[metric] >= limit, f">= {limit:.6g} (champion {champion[metric]})"
    return [Result(f"{metric} against the champion", None, challenger[metric], bound, passed)]
