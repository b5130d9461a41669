"""validate on Dask: pandera's contract on each partition, and the profile's statistics merged.

Each partition yields small observations (counts, extremes, a few values, pandera's failed checks)
which merge pairwise into the data set's; what cannot be seen one partition at a time (repeated
values, duplicate rows) is counted over the whole data set. The verdicts are pandas'.
"""

from pathlib import Path

import pandas as pd

from ..checks import Result
from ..compute import Cluster
from ..quality.contract import failures
from ..quality.profile import category_verdicts, number_verdicts
from ..quality.verdicts import (
    column_observations,
    column_verdicts,
    dataset_verdicts,
    merge_observations,
)
from .cluster import compute, connect, merged
from .frames import read_dataset
from .moments import ks_on_grid, merge_numbers, number_summary, statistics


def partition_summary(
    part: pd.DataFrame, contract: dict, profile: dict, target: str, classes: list | None
) -> dict:
    """One partition's observations for the contract and the profile."""
    failed = failures(part, contract)
    columns = {
        name: (
            column_observations(part[name], rules),
            set(failed.loc[failed["column"] == name, "check"].astype(str)),
        )
        for name, rules in contract["columns"].items()
        if name in part.columns
    }
    codes = None
    if classes is not None and target in part.columns:
        codes = (part[target] == classes[1]).to_numpy(dtype=float)
    profiled = {}
    for name, reference in profile["columns"].items():
        if name not in part.columns:
            continue
        if reference["kind"] == "category":
            profiled[name] = part[name].dropna().astype(str).value_counts().to_dict()
        elif pd.api.types.is_numeric_dtype(part[name]):
            profiled[name] = number_summary(part[name], codes, reference)
    wanted = "min_class_share" in contract.get("dataset", {}) and target in part.columns
    return {
        "rows": len(part),
        "codes": 0.0 if codes is None else float(codes.sum()),
        "classes": part[target].value_counts().to_dict() if wanted else None,
        "contract": columns,
        "profile": profiled,
    }


def merge(first: dict, second: dict, profile: dict) -> dict:
    contract = {
        name: (
            merge_observations(observed, second["contract"][name][0]),
            failed | second["contract"][name][1],
        )
        for name, (observed, failed) in first["contract"].items()
    }
    profiled = {
        name: _merge_counts(value, second["profile"][name])
        if profile["columns"][name]["kind"] == "category"
        else merge_numbers(value, second["profile"][name])
        for name, value in first["profile"].items()
    }
    classes = first["classes"]
    if classes is not None:
        classes = _merge_counts(classes, second["classes"])
    rows, codes = first["rows"] + second["rows"], first["codes"] + second["codes"]
    return {
        "rows": rows,
        "codes": codes,
        "classes": classes,
        "contract": contract,
        "profile": profiled,
    }


def _merge_counts(first: dict, second: dict) -> dict:
    merged = dict(first)
    for key, count in second.items():
        merged[key] = merged.get(key, 0) + count
    return merged


def binary_classes(frame, target: str) -> list | None:
    """The target's two classes, sorted as the profile sorts them, or None when it has not two.
    Each partition contributes at most three distinct values, so the answer is exact and small."""
    if target not in frame.columns:
        return None
    few = frame[target].map_partitions(lambda labels: pd.Series(labels.dropna().unique()[:3]))
    classes = sorted(set(few.compute().tolist()), key=str)
    return classes if len(classes) == 2 else None


def judge(total: dict, contract: dict, profile: dict, limits: dict, counted: dict) -> list[Result]:
    """The contract's and the profile's results from the merged summary and whole-set counts."""
    results = []
    for name, rules in contract["columns"].items():
        if name not in counted["columns"]:
            results.append(Result("presence", name, "missing", "present", False))
            continue
        observed, failed = total["contract"][name]
        if "repeats" in observed:  # repeats across partitions, counted over the whole set
            observed = {**observed, "repeats": total["rows"] - counted["distinct"][name]}
        results += column_verdicts(name, rules, observed, sorted(failed))
    dataset = {"rows": total["rows"], "columns": counted["columns"]}
    if counted["distinct_rows"] is not None:
        dataset["duplicates"] = total["rows"] - counted["distinct_rows"]
    if total["classes"] is not None and total["rows"]:
        dataset["target"], dataset["classes"] = profile["target"], total["classes"]
    results += dataset_verdicts(contract, dataset)
    return results + profile_results(total, profile, limits)


def profile_results(total: dict, profile: dict, limits: dict) -> list[Result]:
    codes_vary = 0 < total["codes"] < total["rows"]
    results = []
    for name, summary in total["profile"].items():
        reference = profile["columns"][name]
        if reference["kind"] == "category":
            counts = pd.Series(summary, dtype=float).sort_values(ascending=False, kind="stable")
            shares = counts / counts.sum() if len(counts) else counts
            results += category_verdicts(name, reference, shares, limits)
        elif not summary["count"]:
            results.append(Result("values", name, "none", "some", False))
        else:
            observed = statistics(summary, codes_vary)
            shares = summary["bins"] / summary["count"]
            ks = ks_on_grid(summary, reference["quantiles"])
            results += number_verdicts(name, reference, observed, shares, ks, limits)
    return results


def validate(
    settings: Cluster, dataset: Path, contract: dict, profile: dict, limits: dict, target: str
) -> list[Result]:
    """Contract checks first, then statistics against the reference profile, as in pandas."""
    from dask import delayed

    with connect(settings, "validate") as client:
        frame = read_dataset(dataset)
        classes = binary_classes(frame, target)
        summaries = [
            delayed(partition_summary)(part, contract, profile, target, classes)
            for part in frame.to_delayed()
        ]
        total = merged(summaries, lambda first, second: merge(first, second, profile))
        unique = [
            name
            for name, rules in contract["columns"].items()
            if rules.get("unique") and name in frame.columns
        ]
        distinct = [frame[name].nunique(dropna=False) for name in unique]
        rows = frame.map_partitions(pd.util.hash_pandas_object, index=False, meta=(None, "uint64"))
        wants_rows = "max_duplicate_share" in contract.get("dataset", {})
        extra = [rows.nunique()] if wants_rows else []
        found = compute(client, total, *distinct, *extra, label="validate")
    counted = {
        "columns": [str(name) for name in frame.columns],
        "distinct": dict(zip(unique, found[1 : 1 + len(unique)], strict=True)),
        "distinct_rows": found[-1] if wants_rows else None,
    }
    return judge(found[0], contract, profile, limits, counted)
