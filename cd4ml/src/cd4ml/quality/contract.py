"""contract: print a draft contract.yaml for the current data set.

The data contract is contract.yaml, one line per column, checked with pandera.
"""

import math

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ..checks import Result
from ..config import param, path
from ..files import read_parquet
from .contract_file import load_contract, render  # noqa: F401 (projects' data tests call it here)
from .roles import detect_role, detect_task
from .verdicts import TYPES, column_observations, column_verdicts, dataset_verdicts, number


def kind_of(dtype) -> str:
    """The contract type of a dtype: numbers and booleans of any width, nullable or not, alike."""
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    return "float" if pd.api.types.is_float_dtype(dtype) else "str"


def column_schema(rules: dict, dtype=None) -> pa.Column:
    """pandera's rules for one column; a column of the right kind keeps its dtype (boolean, int32)
    rather than being cast."""
    kind = rules["type"]
    own = kind != "str" and dtype is not None and kind_of(dtype) == kind
    checks = []
    if "min" in rules or "max" in rules:
        checks.append(
            pa.Check.in_range(rules.get("min", float("-inf")), rules.get("max", float("inf")))
        )
    if "allowed" in rules:
        checks.append(pa.Check.isin(rules["allowed"]))
    return pa.Column(
        str(dtype) if own else TYPES[kind],
        checks,
        nullable=rules.get("nullable", False),
        unique=rules.get("unique", False),
    )


def schema(contract: dict, frame: pd.DataFrame) -> pa.DataFrameSchema:
    dtypes = frame.dtypes
    columns = {
        name: column_schema(rules, dtypes.get(name)) for name, rules in contract["columns"].items()
    }
    return pa.DataFrameSchema(columns, strict=True)


def failures(frame: pd.DataFrame, contract: dict) -> pd.DataFrame:
    """pandera's failure cases: one row per failing value, with the column and the check.

    pandera sees the columns under positional names: it takes a column named `dask` or `pyspark`
    for a sign that the frame belongs to that library."""
    names = {name: f"column_{position}" for position, name in enumerate(frame.columns)}
    for name in contract["columns"]:
        names.setdefault(name, f"column_{len(names)}")
    positional = frame.set_axis([names[name] for name in frame.columns], axis="columns")
    rules = {names[name]: rule for name, rule in contract["columns"].items()}
    try:  # inplace: the schema coerces nothing, and a copy of a million rows costs seconds
        schema({**contract, "columns": rules}, positional).validate(
            positional, lazy=True, inplace=True
        )
    except pa.errors.SchemaErrors as errors:
        found = errors.failure_cases
        original = {value: name for name, value in names.items()}
        return found.assign(column=found["column"].map(original))
    return pd.DataFrame(columns=["column", "check", "failure_case"])


def column_results(
    frame: pd.DataFrame, name: str, rules: dict, failed: pd.DataFrame
) -> list[Result]:
    """Every rule of one column, with what was observed, passed or not."""
    if name not in frame.columns:
        return [Result("presence", name, "missing", "present", False)]
    checks = failed.loc[failed["column"] == name, "check"].astype(str).unique().tolist()
    return column_verdicts(name, rules, column_observations(frame[name], rules), checks)


def dataset_results(frame: pd.DataFrame, contract: dict, target: str) -> list[Result]:
    limits = contract.get("dataset", {})
    rows = len(frame)
    observed = {"rows": rows, "columns": [str(name) for name in frame.columns]}
    if "max_duplicate_share" in limits:
        observed["duplicates"] = round(duplicate_share(frame) * rows)
    if "min_class_share" in limits and target in frame.columns and rows:
        observed["target"], observed["classes"] = target, frame[target].value_counts().to_dict()
    return dataset_verdicts(contract, observed)


def duplicate_share(frame: pd.DataFrame) -> float:
    """The share of rows that repeat an earlier one, by a 64-bit hash per row (ten times faster
    than comparing rows; a collision is negligible). Text is hashed by its pd.factorize code, which
    pyarrow computes without making a Python string per row (150 MB for a million IDs)."""
    combined = np.zeros(len(frame), dtype=np.uint64)
    for name in frame.columns:
        values = frame[name]
        if not pd.api.types.is_numeric_dtype(values):
            values = pd.Series(pd.factorize(values)[0])
        hashed = pd.util.hash_pandas_object(values, index=False).to_numpy()
        combined = combined * np.uint64(1_000_003) ^ hashed
    return float(pd.Series(combined).duplicated().mean()) if len(frame) else 0.0


def check_contract(frame: pd.DataFrame, contract: dict, target: str) -> list[Result]:
    failed = failures(frame, contract)
    results = [
        result
        for name, rules in contract["columns"].items()
        for result in column_results(frame, name, rules, failed)
    ]
    return results + dataset_results(frame, contract, target)


def draft(
    frame: pd.DataFrame, target: str, task: str | None = None, roles: dict | None = None
) -> dict:
    """A contract the given data meets, with headroom; tighten it to what must never break.

    Roles are detected unless given; the task is detected from the target unless given.
    """
    task = task or detect_task(frame[target])[0]
    roles = roles or {name: detect_role(frame[name])[0] for name in frame.columns}
    columns = {str(name): column_draft(frame[name], roles.get(name, "feature")) for name in frame}
    columns[target] = {**target_draft(frame[target], task), "role": "target"}
    return {"columns": columns, "dataset": dataset_draft(frame, target, task)}


def column_draft(values: pd.Series, role: str) -> dict:
    kind = kind_of(values.dtype)
    rules = {"type": kind}
    if role == "feature" and kind in ("float", "int") and values.notna().any():
        rules.update(number_range(values))
    if role == "feature" and kind == "str" and values.nunique() <= 20:
        rules["allowed"] = sorted(values.dropna().unique().tolist(), key=str)
    if values.isna().any():
        rules["nullable"] = True
    if role != "feature":
        rules["role"] = role
    return rules


def number_range(values: pd.Series) -> dict:
    """The observed range widened by half its width on each side, from the data alone: a year or
    a temperature in Fahrenheit keeps a lower bound of its own, not 0."""
    low, high = float(values.min()), float(values.max())
    margin = (high - low) * 0.5
    return {
        "min": number(low - margin, down=True),
        "max": number(high + margin, down=False),
    }


def target_draft(values: pd.Series, task: str) -> dict:
    kind = kind_of(values.dtype)
    rules = {"type": kind}
    if task == "regression":
        rules.update(number_range(values))
    else:
        rules["allowed"] = sorted(values.dropna().unique().tolist(), key=str)
    if values.isna().any():
        rules["nullable"] = True  # unlabelled rows are dropped by featurize
    return rules


def dataset_draft(frame: pd.DataFrame, target: str, task: str) -> dict:
    """Row bounds, duplicate share and class balance from the data, with headroom."""
    rows = len(frame)
    duplicates = duplicate_share(frame)
    limits = {
        "rows": {"min": max(1, rows // 10), "max": rows * 100},
        "max_duplicate_share": _share(max(0.01, duplicates * 1.5 + 0.01), down=False),
    }
    if task == "classification" and rows:
        smallest = frame[target].value_counts(normalize=True).min()
        limits["min_class_share"] = _share(smallest / 2, down=True)
    return limits


def _share(value: float, down: bool) -> float:
    """A share rounded away from the observed one, within [0, 1]: to two decimals, or below 0.01
    to its first significant digit, so that a class at 1.4 % keeps a minimum above zero."""
    decimals = -math.floor(math.log10(value)) if 0 < value < 0.01 else 2
    scaled = round(value * 10**decimals, 9)  # float noise (6.9999999999) is not a step
    step = math.floor(scaled) if down else math.ceil(scaled)
    return min(1.0, max(0.0, step / 10**decimals))


def main(params: dict) -> None:
    frame = read_parquet(path(params, "dataset"))
    task = (params.get("train") or {}).get("task")  # absent: detected from the target
    print(render(draft(frame, param(params, "ingest.target"), task)), end="")
