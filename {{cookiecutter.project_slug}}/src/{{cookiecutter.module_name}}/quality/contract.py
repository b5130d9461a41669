"""contract: print a draft contract.yaml for the current data set.

The data contract is contract.yaml, one line per column, checked with pandera.
"""

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import yaml

from ..checks import Result, rounded
from ..config import param, path
from ..errors import PipelineError, command
from ..files import read_parquet

TYPES = {"float": "float64", "int": "int64", "str": "str", "bool": "bool"}
COLUMN_KEYS = {"type", "min", "max", "allowed", "nullable", "unique"}


def load_contract(file: Path) -> dict:
    try:
        contract = yaml.safe_load(file.read_text())
    except FileNotFoundError:
        raise PipelineError(f"{file}: not found; draft one with {command('contract')}") from None
    except yaml.YAMLError as error:
        raise PipelineError(f"{file}: not valid YAML: {error}".replace("\n", " ")) from None
    for name, rules in (contract or {}).get("columns", {}).items():
        unknown = set(rules) - COLUMN_KEYS
        if unknown or rules.get("type") not in TYPES:
            problem = (
                f"unknown keys {sorted(unknown)}" if unknown else f"type {rules.get('type')!r}"
            )
            raise PipelineError(
                f"{file}: column {name!r} has {problem}; use {', '.join(TYPES)} types and keys "
                f"{', '.join(sorted(COLUMN_KEYS))}"
            )
    return contract


def column_schema(rules: dict) -> pa.Column:
    checks = []
    if "min" in rules or "max" in rules:
        checks.append(
            pa.Check.in_range(rules.get("min", float("-inf")), rules.get("max", float("inf")))
        )
    if "allowed" in rules:
        checks.append(pa.Check.isin(rules["allowed"]))
    return pa.Column(
        TYPES[rules["type"]],
        checks,
        nullable=rules.get("nullable", False),
        unique=rules.get("unique", False),
    )


def schema(contract: dict) -> pa.DataFrameSchema:
    columns = {name: column_schema(rules) for name, rules in contract["columns"].items()}
    return pa.DataFrameSchema(columns, strict=True)


def failures(frame: pd.DataFrame, contract: dict) -> pd.DataFrame:
    """pandera's failure cases: one row per failing value, with the column and the check."""
    try:  # inplace: the schema coerces nothing, and a copy of a million rows costs seconds
        schema(contract).validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as errors:
        return errors.failure_cases
    return pd.DataFrame(columns=["column", "check", "failure_case"])


def column_results(
    frame: pd.DataFrame, name: str, rules: dict, failed: pd.DataFrame
) -> list[Result]:
    """Every rule of one column, with what was observed, passed or not."""
    if name not in frame.columns:
        return [Result("presence", name, "missing", "present", False)]
    values = frame[name]
    mine = failed[failed["column"] == name]

    def passed(pattern: str) -> bool:
        return not mine["check"].astype(str).str.contains(pattern).any()

    missing = int(values.isna().sum())
    nullable = rules.get("nullable", False)
    results = [
        Result("type", name, str(values.dtype), TYPES[rules["type"]], passed("dtype")),
        Result("missing values", name, missing, "any" if nullable else "0", passed("not_nullable")),
    ]
    if "min" in rules or "max" in rules:
        results.append(range_result(name, values, rules, passed("in_range") and passed("dtype")))
    if "allowed" in rules:
        seen = set(values.dropna().unique().tolist())
        unexpected = sorted(seen - set(rules["allowed"]), key=str)[:5]
        observed = unexpected or "none outside"
        results.append(
            Result("allowed values", name, observed, str(rules["allowed"]), passed("isin"))
        )
    if rules.get("unique"):
        repeats = int(values.duplicated().sum())
        results.append(Result("unique", name, repeats, "0 repeats", passed("field_uniqueness")))
    return results


def range_result(name: str, values: pd.Series, rules: dict, passed: bool) -> Result:
    numeric = pd.api.types.is_numeric_dtype(values) and values.notna().any()
    observed = f"[{_number(values.min())}, {_number(values.max())}]" if numeric else "no numbers"
    bound = f"[{rules.get('min', '-inf')}, {rules.get('max', 'inf')}]"
    return Result("range", name, observed, bound, passed)


def dataset_results(frame: pd.DataFrame, contract: dict, target: str) -> list[Result]:
    limits = contract.get("dataset", {})
    rows = len(frame)
    row_bounds = limits.get("rows", {})
    low, high = row_bounds.get("min", 1), row_bounds.get("max", float("inf"))
    extra = sorted(set(map(str, frame.columns)) - set(contract["columns"]))
    results = [
        Result("row count", None, rows, f"[{low}, {high}]", low <= rows <= high),
        Result("columns outside the contract", None, extra or "none", "none", not extra),
    ]
    if "max_duplicate_share" in limits:
        # Hashing rows first is ten times faster than comparing them; a collision is negligible.
        hashes = pd.util.hash_pandas_object(frame, index=False)
        share = rounded(hashes.duplicated().mean()) if rows else 0.0
        results.append(
            Result(
                "duplicate row share",
                None,
                share,
                f"<= {limits['max_duplicate_share']}",
                share <= limits["max_duplicate_share"],
            )
        )
    if "min_class_share" in limits and target in frame.columns and rows:
        smallest = rounded(frame[target].value_counts(normalize=True).min())
        results.append(
            Result(
                "smallest class share",
                target,
                smallest,
                f">= {limits['min_class_share']}",
                smallest >= limits["min_class_share"],
            )
        )
    return results


def check_contract(frame: pd.DataFrame, contract: dict, target: str) -> list[Result]:
    failed = failures(frame, contract)
    results = [
        result
        for name, rules in contract["columns"].items()
        for result in column_results(frame, name, rules, failed)
    ]
    return results + dataset_results(frame, contract, target)


def draft(frame: pd.DataFrame, target: str) -> dict:
    """A contract the given data meets; tighten its bounds to what the data must never break."""
    columns = {}
    for name in frame.columns:
        values = frame[name]
        kind = next((key for key, dtype in TYPES.items() if str(values.dtype) == dtype), "str")
        rules = {"type": kind}
        if kind in ("float", "int") and values.notna().any() and name != target:
            low, high = values.min(), values.max()
            margin = (high - low) * 0.5
            rules["min"] = 0 if low >= 0 else _number(low - margin)
            rules["max"] = _number(high + margin)
        if name == target or (kind == "str" and values.nunique() <= 20):
            rules["allowed"] = sorted(values.dropna().unique().tolist(), key=str)
        if values.isna().any():
            rules["nullable"] = True
        columns[str(name)] = rules
    return {
        "columns": columns,
        "dataset": {
            "rows": {"min": max(1, len(frame) // 10), "max": len(frame) * 100},
            "max_duplicate_share": 0.05,
            "min_class_share": 0.05,
        },
    }


def render(contract: dict) -> str:
    """contract.yaml text with one flow-style line per column."""

    def flow(rules: dict) -> str:
        return yaml.safe_dump(rules, default_flow_style=True, sort_keys=False, width=1000).strip()

    lines = [f"  {name}: {flow(rules)}" for name, rules in contract["columns"].items()]
    dataset = yaml.safe_dump({"dataset": contract["dataset"]}, sort_keys=False)
    return "columns:\n" + "\n".join(lines) + "\n" + dataset


def _number(value: float):
    value = rounded(float(value), 4)
    return int(value) if value.is_integer() else value


def main(params: dict) -> None:
    frame = read_parquet(path(params, "dataset"))
    print(render(draft(frame, param(params, "ingest.target"))), end="")
