"""A numeric column's profile statistics as sums over partitions, merged pairwise.

Exact on Dask as in pandas: count, zeros, minimum, maximum, the shares of the reference's bins (so
PSI), skewness and target correlation (from central moments, merged as Chan et al. do; they agree
with pandas' to about 1e-9). Approximate: the KS distance is measured at the reference's 101
percentiles rather than at every value, so it is at most 0.01 below the exact one (the reference
CDF rises 0.01 between two percentiles); the most common value's share is the largest count among
each partition's TOP_VALUES most common values, summed (exact whenever the value is among them).
"""

import numpy as np
import pandas as pd

from ..checks import rounded
from ..quality.profile import ks_pvalue, reference_cdf

TOP_VALUES = 100


def number_summary(values: pd.Series, codes: np.ndarray | None, reference: dict) -> dict:
    """The sums of one partition's values that number_statistics and the checks need."""
    present = values.notna().to_numpy()
    numbers = values.to_numpy(dtype=float, na_value=np.nan)[present]
    if not len(numbers):
        return {"count": 0}
    ordered = np.sort(numbers)
    distinct, counts = np.unique(ordered, return_counts=True)
    keep = np.argsort(-counts, kind="stable")[:TOP_VALUES]
    quantiles = np.asarray(reference["quantiles"], dtype=float)
    mean = float(numbers.mean())
    centred = numbers - mean
    summary = {
        "count": len(numbers),
        "mean": mean,
        "m2": float(np.sum(centred**2)),
        "m3": float(np.sum(centred**3)),
        "zeros": int(np.sum(numbers == 0)),
        "min": float(ordered[0]),
        "max": float(ordered[-1]),
        "top": dict(zip(distinct[keep].tolist(), counts[keep].tolist(), strict=True)),
        "bins": np.bincount(
            np.searchsorted(reference["edges"], numbers, side="right"),
            minlength=len(reference["edges"]) + 1,
        ),
        "at_or_below": np.searchsorted(ordered, quantiles, side="right"),
        "below": np.searchsorted(ordered, quantiles, side="left"),
    }
    if codes is not None:
        paired = codes[present]
        summary["code_mean"] = float(paired.mean())
        summary["code_m2"] = float(np.sum((paired - paired.mean()) ** 2))
        summary["co_moment"] = float(np.sum(centred * (paired - paired.mean())))
    return summary


def merge_numbers(first: dict, second: dict) -> dict:
    """Two partitions' summaries as one (Chan, Golub and LeVeque's pairwise update of moments)."""
    if not first["count"] or not second["count"]:
        return first if first["count"] else second
    a, b = first["count"], second["count"]
    count, delta = a + b, second["mean"] - first["mean"]
    top = dict(first["top"])
    for value, seen in second["top"].items():
        top[value] = top.get(value, 0) + seen
    merged = {
        "count": count,
        "mean": first["mean"] + delta * b / count,
        "m2": first["m2"] + second["m2"] + delta**2 * a * b / count,
        "m3": first["m3"]
        + second["m3"]
        + delta**3 * a * b * (a - b) / count**2
        + 3 * delta * (a * second["m2"] - b * first["m2"]) / count,
        "min": min(first["min"], second["min"]),
        "max": max(first["max"], second["max"]),
        "top": dict(sorted(top.items(), key=lambda item: -item[1])[:TOP_VALUES]),
        **{key: first[key] + second[key] for key in ("zeros", "bins", "at_or_below", "below")},
    }
    if "co_moment" in first:
        code_delta = second["code_mean"] - first["code_mean"]
        merged["code_mean"] = first["code_mean"] + code_delta * b / count
        merged["code_m2"] = first["code_m2"] + second["code_m2"] + code_delta**2 * a * b / count
        merged["co_moment"] = (
            first["co_moment"] + second["co_moment"] + delta * code_delta * a * b / count
        )
    return merged


def statistics(summary: dict, codes_vary: bool) -> dict:
    """number_statistics' values from a whole column's summary."""
    count = summary["count"]
    constant = summary["min"] == summary["max"]
    correlation = None
    if "co_moment" in summary and codes_vary and not constant:
        correlation = rounded(summary["co_moment"] / np.sqrt(summary["m2"] * summary["code_m2"]))
    skewness = (summary["m3"] / count) / (summary["m2"] / count) ** 1.5 if not constant else 0.0
    return {
        "top_share": rounded(max(summary["top"].values()) / count),
        "zero_share": rounded(summary["zeros"] / count),
        "skewness": rounded(float(skewness)),
        "target_correlation": correlation,
        "min": float(summary["min"]),
        "max": float(summary["max"]),
    }


def ks_on_grid(summary: dict, reference_quantiles: list[float]) -> tuple[float, float]:
    """The KS distance (D, p) at the reference's percentiles, from counts at and below them."""
    quantiles = np.asarray(reference_quantiles, dtype=float)
    count = summary["count"]
    statistic = float(
        max(
            np.abs(
                summary["at_or_below"] / count - reference_cdf(quantiles, quantiles, "right")
            ).max(),
            np.abs(summary["below"] / count - reference_cdf(quantiles, quantiles, "left")).max(),
        )
    )
    return statistic, ks_pvalue(statistic, count)
