"""The contract's verdicts, from observations of a column or data set rather than the data itself.

Observations are counts, extremes and a few values, so those of a data set's parts merge into
the whole's: pandas observes a whole frame, the Dask engine each partition, with the same verdicts.
"""

import math

import numpy as np
import pandas as pd

from ..checks import Result, rounded
from .reading import shorten

TYPES = {"float": "float64", "int": "int64", "str": "str", "bool": "bool"}
# The models compute in float32: a larger number would become infinity inside them.
FLOAT32_MAX = float(np.finfo(np.float32).max)


def column_observations(values: pd.Series, rules: dict) -> dict:
    """What a column's rules are judged on: counts, extremes and a few values, so that the
    observations of a data set's parts merge into the whole's (see merge_observations)."""
    observed = {"dtype": str(values.dtype), "missing": int(values.isna().sum())}
    if pd.api.types.is_float_dtype(values) and rules.get("role", "feature") == "feature":
        numbers = values.to_numpy(dtype=float, na_value=0.0)
        observed["largest"] = float(np.abs(numbers).max(initial=0.0))
    if "min" in rules or "max" in rules:
        numeric = pd.api.types.is_numeric_dtype(values) and values.notna().any()
        observed["range"] = [values.min(), values.max()] if numeric else None
    if "allowed" in rules:
        unexpected = set(values.dropna().unique().tolist()) - set(rules["allowed"])
        observed["unexpected"] = sorted(unexpected, key=str)[:5]
    if rules.get("unique"):
        observed["repeats"] = int(values.duplicated().sum())
    return observed


def merge_observations(first: dict, second: dict) -> dict:
    """The observations of two parts of a column as one; repeats across parts are not seen."""
    merged = {**first, "missing": first["missing"] + second["missing"]}
    if "largest" in first:
        merged["largest"] = max(first["largest"], second["largest"])
    if "range" in first:
        ranges = [found for found in (first["range"], second["range"]) if found is not None]
        merged["range"] = [min(r[0] for r in ranges), max(r[1] for r in ranges)] if ranges else None
    if "unexpected" in first:
        merged["unexpected"] = sorted({*first["unexpected"], *second["unexpected"]}, key=str)[:5]
    if "repeats" in first:
        merged["repeats"] = first["repeats"] + second["repeats"]
    return merged


def column_verdicts(name: str, rules: dict, observed: dict, failed: list[str]) -> list[Result]:
    """The results of one column's rules, from its observations and pandera's failed checks."""

    def passed(pattern: str) -> bool:
        return not any(pattern in check for check in failed)

    nullable = rules.get("nullable", False)
    results = [
        Result("type", name, observed["dtype"], TYPES[rules["type"]], passed("dtype")),
        Result(
            "missing values",
            name,
            observed["missing"],
            "any" if nullable else "0",
            passed("not_nullable"),
        ),
    ]
    if "largest" in observed:  # before the range: the deeper problem
        results.append(float32_result(name, observed["largest"]))
    if "min" in rules or "max" in rules:
        passing = passed("in_range") and passed("dtype")
        results.append(range_result(name, observed["range"], rules, passing))
    if "allowed" in rules:
        unexpected = observed["unexpected"]
        shown = shorten(unexpected, 200) if unexpected else "none outside"
        results.append(Result("allowed values", name, shown, str(rules["allowed"]), passed("isin")))
    if rules.get("unique"):
        repeats = observed["repeats"]
        unique = passed("field_uniqueness") and repeats == 0
        results.append(Result("unique", name, repeats, "0 repeats", unique))
    return results


def range_result(name: str, extremes: list | None, rules: dict, passed: bool) -> Result:
    observed = f"[{number(extremes[0])}, {number(extremes[1])}]" if extremes else "no numbers"
    bound = f"[{rules.get('min', '-inf')}, {rules.get('max', 'inf')}]"
    return Result("range", name, observed, bound, passed)


def float32_result(name: str, largest: float) -> Result:
    bound = f"<= {FLOAT32_MAX:.3g} in absolute value (float32, as the models compute)"
    return Result("float32 range", name, number(largest), bound, largest <= FLOAT32_MAX)


def dataset_verdicts(contract: dict, observed: dict) -> list[Result]:
    """Row count, columns, duplicate share and class balance, from the whole data set's counts."""
    limits = contract.get("dataset", {})
    rows = observed["rows"]
    row_bounds = limits.get("rows", {})
    low, high = row_bounds.get("min", 1), row_bounds.get("max", float("inf"))
    extra = sorted(set(observed["columns"]) - set(contract["columns"]))
    results = [
        Result("row count", None, rows, f"[{low}, {high}]", low <= rows <= high),
        Result("columns outside the contract", None, extra or "none", "none", not extra),
    ]
    if "duplicates" in observed:
        share = rounded(observed["duplicates"] / rows) if rows else 0.0
        bound = limits["max_duplicate_share"]
        results.append(Result("duplicate row share", None, share, f"<= {bound}", share <= bound))
    if "classes" in observed:
        results.append(class_share_result(contract, observed["target"], observed["classes"]))
    return results


def class_share_result(contract: dict, target: str, counts: dict) -> Result:
    """The smallest class's share, named; a class the contract allows and the data lacks has 0."""
    allowed = (contract["columns"].get(target) or {}).get("allowed") or []
    counts = {**dict.fromkeys(allowed, 0), **counts}
    bound = contract["dataset"]["min_class_share"]
    if not counts:
        return Result("smallest class share", target, "no classes", f">= {bound}", False)
    name, count = min(counts.items(), key=lambda item: item[1])
    share = rounded(count / sum(counts.values()))
    observed = f"{share} (class {shorten(name)})"
    return Result("smallest class share", target, observed, f">= {bound}", share >= bound)


def number(value: float, down: bool | None = None):
    """Four significant digits; rounded away from the data (down for a minimum) when asked."""
    value = float(value)
    if not math.isfinite(value) or value == 0:
        return value
    close = rounded(value, 4)
    slack = abs(value) * 1e-9  # float noise such as 9.700000000000001 is not worth a digit
    if down is not None and (close > value + slack if down else close < value - slack):
        step = 10 ** (math.floor(math.log10(abs(value))) - 3)
        close = rounded(close - step if down else close + step, 4)
    return int(close) if close.is_integer() and abs(close) < 2**53 else close
