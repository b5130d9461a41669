"""The metric-gate rules that evaluate, promote and the pull-request report share.

A metric is better higher, except those in LOWER_IS_BETTER; each rule returns check Results.
"""

from .checks import Result
from .errors import PipelineError

LOWER_IS_BETTER = {"log_loss"}


def gate(scores: dict[str, float], thresholds: dict[str, float]) -> list[Result]:
    """Each metric against its threshold: a floor, or a ceiling for log loss."""
    unknown = sorted(set(thresholds) - set(scores))
    if unknown:
        raise PipelineError(
            f"params.yaml: evaluate.thresholds names unknown metrics {unknown}; use {list(scores)}"
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
