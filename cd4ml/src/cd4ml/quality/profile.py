"""profile: refresh the reference profile from the current data set (deliberately).

The reference profile of the training data, and how far new data has moved from it.

Per column: distinct values, share of the most common value, share of zeros, skewness,
correlation with the target, minimum and maximum, and the distribution itself (quantiles
and bins) for PSI and a KS test.

Minimum, maximum, quantiles and bin edges are the data's own values, not rounded ones: a long
decimal many rows share (1/3, a float32 value written in full) would otherwise sit beside its
rounding, and the range and KS checks would reject the very data the profile came from.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ..checks import Result, rounded
from ..config import param, path
from ..errors import PipelineError
from ..files import read_parquet, write_json
from ..project import command
from .roles import feature_roles, not_features

QUANTILES = np.linspace(0, 1, 101)
BINS = 10
CATEGORY_LIMIT = 20  # numeric columns with at most this many values are treated as categories
EPSILON = 1e-4  # stands in for an empty bin in PSI
EXACT_LIMIT = 10_000  # values up to which the KS p-value is exact
# (check, statistic, the limit in params.yaml's validate section on how far it may move)
MOVES = [
    ("most common value share", "top_share", "top_share_change_max"),
    ("zero share", "zero_share", "zero_share_change_max"),
    ("skewness", "skewness", "skewness_change_max"),
    ("target correlation", "target_correlation", "target_correlation_change_max"),
]


def is_category(values: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(values) or values.nunique() <= CATEGORY_LIMIT


def target_codes(target: pd.Series) -> np.ndarray | None:
    """The target as 0/1 when it has two classes; correlation means little for more."""
    classes = sorted(target.dropna().unique(), key=str)
    return (target == classes[1]).to_numpy(dtype=float) if len(classes) == 2 else None


def number_statistics(values: pd.Series, codes: np.ndarray | None) -> dict:
    """The statistics of a numeric column that are compared with the reference."""
    numbers = values.dropna().to_numpy(dtype=float)
    constant = numbers.min() == numbers.max()
    correlation = None
    if codes is not None and not constant and codes.std() > 0:
        present = values.notna().to_numpy()
        correlation = rounded(
            np.corrcoef(values.to_numpy(dtype=float)[present], codes[present])[0, 1]
        )
    return {
        "top_share": rounded(np.unique(numbers, return_counts=True)[1].max() / len(numbers)),
        "zero_share": rounded(float(np.mean(numbers == 0))),
        "skewness": 0.0 if constant else rounded(float(stats.skew(numbers))),
        "target_correlation": correlation,
        "min": float(numbers.min()),
        "max": float(numbers.max()),
    }


def data_quantiles(numbers: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Quantiles that are values of the data (the smallest with at least that share at or below
    it), never an interpolation such as 8.458359999999999 between two of them."""
    return np.quantile(numbers, levels, method="inverted_cdf")


def category_shares(values: pd.Series) -> pd.Series:
    """Each value's share, by its text, the largest first: the profile and the check count alike
    (as numbers, 0.0 and -0.0 are one value; as text, two)."""
    return values.dropna().astype(str).value_counts(normalize=True)


def column_profile(values: pd.Series, codes: np.ndarray | None) -> dict:
    present = values.dropna()
    if is_category(values):
        shares = category_shares(values)
        return {
            "kind": "category",
            "distinct": len(shares),
            "top_share": rounded(shares.iloc[0]) if len(shares) else 0.0,
            "shares": {key: rounded(share) for key, share in shares.sort_index().items()},
        }
    numbers = present.to_numpy(dtype=float)
    edges = np.unique(data_quantiles(numbers, np.linspace(0, 1, BINS + 1)))[1:-1]
    return {
        "kind": "number",
        **number_statistics(values, codes),
        "quantiles": [float(value) for value in data_quantiles(numbers, QUANTILES)],
        "edges": [float(edge) for edge in edges],
        "bin_shares": [rounded(share) for share in bin_shares(numbers, edges)],
    }


def read_profile(file: Path) -> dict:
    try:
        return json.loads(file.read_text())
    except FileNotFoundError:
        raise PipelineError(f"{file}: not found; write it with {command('profile')}") from None


def make_profile(frame: pd.DataFrame, target: str, skip: list[str] = ()) -> dict:
    """The profile of every column but those skipped (identifiers, dates: they move by nature)."""
    codes = target_codes(frame[target])
    return {
        "rows": len(frame),
        "target": target,
        "columns": {
            str(name): column_profile(frame[name], codes)
            for name in frame.columns
            if name not in skip
        },
    }


def bin_shares(numbers: np.ndarray, edges: list[float]) -> np.ndarray:
    counts = np.bincount(np.searchsorted(edges, numbers, side="right"), minlength=len(edges) + 1)
    return counts / max(len(numbers), 1)


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """Population stability index: sum of (actual - expected) * ln(actual / expected) over bins."""
    expected, actual = np.clip(expected, EPSILON, None), np.clip(actual, EPSILON, None)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def ks_test(reference_quantiles: list[float], ordered: np.ndarray) -> tuple[float, float]:
    """One-sample KS test of new values (sorted) against the reference, rebuilt from its quantiles.

    Tied values (whole numbers, rounded measurements) are steps in both distributions, so both are
    compared at and just below each distinct value; scipy's kstest assumes no ties and reports a
    column's own data as drifted. Against its own data, D is at most the quantiles' step (0.01),
    below ks_statistic_max, so a profile accepts the data it came from. Past EXACT_LIMIT values
    the p-value is the asymptotic one: the exact one costs about 0.75 s per column at a million
    rows when the distance is small.
    """
    quantiles = np.asarray(reference_quantiles, dtype=float)
    count = len(ordered)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1], [True])))
    values = ordered[starts[:-1]]
    statistic = float(
        max(
            np.abs(starts[1:] / count - reference_cdf(quantiles, values, "right")).max(),
            np.abs(starts[:-1] / count - reference_cdf(quantiles, values, "left")).max(),
        )
    )
    return statistic, ks_pvalue(statistic, count)


def ks_pvalue(statistic: float, count: int) -> float:
    if count <= EXACT_LIMIT:
        pvalue = stats.kstwo.sf(statistic, count)
    else:
        pvalue = stats.kstwobign.sf(statistic * np.sqrt(count))
    return float(np.clip(pvalue, 0, 1))


def reference_cdf(quantiles: np.ndarray, points: np.ndarray, side: str) -> np.ndarray:
    """The reference CDF at points (its left limit for side="left"): steps at tied quantiles."""
    interpolated = np.interp(points, quantiles, QUANTILES)
    left = np.searchsorted(quantiles, points, side="left")
    right = np.searchsorted(quantiles, points, side="right")
    tied = right > left  # the point is one of the reference quantiles
    last = len(QUANTILES) - 1
    index = right - 1 if side == "right" else left
    level = QUANTILES[np.clip(index, 0, last)]
    return np.where(tied, level, interpolated)


def observed_statistics(
    values: pd.Series, numbers: np.ndarray, ordered: np.ndarray, codes: np.ndarray | None
) -> dict:
    """number_statistics of a column's present values, reading counts from them sorted once."""
    constant = ordered[0] == ordered[-1]
    correlation = None
    if codes is not None and not constant and codes.std() > 0:
        present = values.notna().to_numpy()
        pairs = (numbers, codes) if len(numbers) == len(codes) else (numbers, codes[present])
        correlation = rounded(np.corrcoef(*pairs)[0, 1])
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1], [True])))
    zeros = np.searchsorted(ordered, 0.0, "right") - np.searchsorted(ordered, 0.0, "left")
    return {
        "top_share": rounded(np.diff(starts).max() / len(ordered)),
        "zero_share": rounded(float(zeros / len(ordered))),
        "skewness": 0.0 if constant else rounded(float(stats.skew(numbers))),
        "target_correlation": correlation,
        "min": float(ordered[0]),
        "max": float(ordered[-1]),
    }


def sorted_bin_shares(ordered: np.ndarray, edges: list[float]) -> np.ndarray:
    """bin_shares of sorted values: the bin boundaries are found by bisection, not per value."""
    bounds = np.concatenate(([0], np.searchsorted(ordered, edges, side="left"), [len(ordered)]))
    return np.diff(bounds) / max(len(ordered), 1)


def psi_result(column: str, shift: float, limits: dict) -> Result:
    shift = rounded(shift)
    return Result("PSI", column, shift, f"<= {limits['psi_max']}", shift <= limits["psi_max"])


def category_results(column: str, reference: dict, values: pd.Series, limits: dict) -> list[Result]:
    return category_verdicts(column, reference, category_shares(values), limits)


def category_verdicts(
    column: str, reference: dict, shares: pd.Series, limits: dict
) -> list[Result]:
    """The checks of a category column from its values' shares, the largest first."""
    keys = sorted(set(reference["shares"]) | set(shares.index))
    expected = np.array([reference["shares"].get(key, 0.0) for key in keys])
    ratio = limits["distinct_ratio_max"]
    low, high = reference["distinct"] / ratio, reference["distinct"] * ratio
    top = rounded(shares.iloc[0]) if len(shares) else 0.0
    top_limit = limits["top_share_change_max"]
    return [
        Result(
            "distinct values",
            column,
            len(shares),
            f"[{rounded(low, 3)}, {rounded(high, 3)}]",
            low <= len(shares) <= high,
        ),
        Result(
            "most common value share",
            column,
            top,
            f"{reference['top_share']} +/- {top_limit}",
            abs(top - reference["top_share"]) <= top_limit,
        ),
        psi_result(column, psi(expected, shares.reindex(keys, fill_value=0.0).to_numpy()), limits),
    ]


def number_results(
    column: str, reference: dict, values: pd.Series, codes, limits: dict
) -> list[Result]:
    numbers = values.dropna().to_numpy(dtype=float)
    if not len(numbers):
        return [Result("values", column, "none", "some", False)]
    ordered = np.sort(numbers)  # sorted once, for every check that counts
    observed = observed_statistics(values, numbers, ordered, codes)
    shares = sorted_bin_shares(ordered, reference["edges"])
    ks = ks_test(reference["quantiles"], ordered)
    return number_verdicts(column, reference, observed, shares, ks, limits)


def number_verdicts(
    column: str, reference: dict, observed: dict, shares, ks: tuple, limits: dict
) -> list[Result]:
    """The checks of a numeric column from its statistics, bin shares and KS (D, p)."""
    results = []
    for check, statistic, limit_name in MOVES:
        now, then, limit = observed[statistic], reference[statistic], limits[limit_name]
        if now is not None and then is not None:
            results.append(
                Result(check, column, now, f"{then} +/- {limit}", abs(now - then) <= limit)
            )
    grow = limits["range_growth_max"] * (reference["max"] - reference["min"])
    low, high = reference["min"] - grow, reference["max"] + grow
    results.append(
        Result(
            "min and max",
            column,
            f"[{rounded(observed['min'])}, {rounded(observed['max'])}]",
            f"within [{rounded(low)}, {rounded(high)}]",
            low <= observed["min"] and observed["max"] <= high,
        )
    )
    results.append(psi_result(column, psi(np.array(reference["bin_shares"]), shares), limits))
    statistic, pvalue = ks
    drifted = pvalue < limits["ks_pvalue_min"] and statistic > limits["ks_statistic_max"]
    results.append(
        Result(
            "KS test",
            column,
            f"D={rounded(statistic, 3)}, p={rounded(pvalue, 3)}",
            f"not (p < {limits['ks_pvalue_min']} and D > {limits['ks_statistic_max']})",
            not drifted,
        )
    )
    return results


def compare(profile: dict, frame: pd.DataFrame, limits: dict) -> list[Result]:
    """Statistical checks of each profiled column of frame against the reference profile."""
    target = profile["target"]
    codes = target_codes(frame[target]) if target in frame.columns else None
    results = []
    for column, reference in profile["columns"].items():
        if column not in frame.columns:
            continue  # the contract reports a missing column
        values = frame[column]
        if reference["kind"] == "category":
            results += category_results(column, reference, values, limits)
        elif pd.api.types.is_numeric_dtype(values):
            results += number_results(column, reference, values, codes, limits)
    return results


def main(params: dict) -> None:
    frame = read_parquet(path(params, "dataset"))
    target, label = path(params, "profile"), param(params, "ingest.target")
    skip = not_features(feature_roles(path(params, "contract")), label)
    write_json(make_profile(frame, label, skip), target)
    print(f"profile: the reference for {len(frame)} rows -> {target}; commit it to adopt it")
