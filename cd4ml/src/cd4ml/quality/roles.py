"""What each column is for (its role in contract.yaml), and what kind of task a target asks for.

Only `feature` columns reach the model: `featurize` drops the others. Identifiers and dates
would be memorised rather than learned from, and constant or free-text columns carry nothing a
one-hot encoder can use.
"""

import re
from pathlib import Path

import pandas as pd
import yaml

from .contract_file import parse

TASKS = ("classification", "regression")
ID_NAME = re.compile(r"(^|[_\W])(id|uuid|guid|key)$|^(id|uuid)([_\W]|$)", re.IGNORECASE)
CAMEL_ID = re.compile(r"[a-z](ID|Id)$")  # customerID, orderId
DATE_TEXT = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}|^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}")
CATEGORY_LIMIT = 50  # text columns with more distinct values, most of them unique, are free text
SAMPLE = 2_000


def feature_roles(contract_file: Path) -> dict[str, str]:
    """Column -> role, from contract.yaml; a column without a role is a feature."""
    try:
        contract = parse(contract_file.read_text())
    except (OSError, yaml.YAMLError):
        return {}  # validate reports an unreadable contract with its own message
    return {
        name: (rules or {}).get("role", "feature")
        for name, rules in (contract.get("columns") or {}).items()
    }


def not_features(roles: dict[str, str], target: str) -> list[str]:
    return [name for name, role in roles.items() if role != "feature" and name != target]


def detect_role(values: pd.Series) -> tuple[str, str]:
    """(role, reason) for a non-target column, from its name, type and values."""
    present = values.dropna()
    distinct = present.nunique()
    rows = max(len(present), 1)
    if distinct <= 1:
        return "ignore", "constant" if distinct else "empty"
    if pd.api.types.is_datetime64_any_dtype(values) or _looks_like_dates(present):
        return "date", "dates"
    unique = distinct == len(present)
    named = ID_NAME.search(str(values.name)) or CAMEL_ID.search(str(values.name))
    if named and distinct / rows > 0.9:
        return "id", "an identifier's name, values nearly all distinct"
    sequence = pd.api.types.is_integer_dtype(values) and present.max() - present.min() == rows - 1
    if unique and sequence:
        return "id", "a sequence of distinct integers"
    if pd.api.types.is_string_dtype(values) or values.dtype == object:
        if unique and rows >= 20:
            return "id", "every value distinct"
        if distinct > CATEGORY_LIMIT and distinct / rows > 0.5:
            return "ignore", f"free text ({distinct} distinct values)"
    return "feature", ""


def _looks_like_dates(present: pd.Series) -> bool:
    if not pd.api.types.is_string_dtype(present) or present.empty:
        return False
    sample = present.iloc[:SAMPLE].astype(str)
    if sample.str.match(DATE_TEXT).mean() < 0.95:
        return False
    parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return parsed.notna().mean() >= 0.95


def looks_continuous(values: pd.Series) -> bool:
    """Floats with fractions or many distinct values measure something; they are not classes."""
    present = values.dropna()
    if not pd.api.types.is_numeric_dtype(present) or pd.api.types.is_bool_dtype(present):
        return False
    whole = bool((present == present.round()).all())
    distinct = present.nunique()
    return (not whole and distinct > 10) or distinct > max(20, len(present) // 20)


def detect_task(values: pd.Series) -> tuple[str, str]:
    """(task, reason) for a target column."""
    present = values.dropna()
    distinct = present.nunique()
    kind = "booleans" if pd.api.types.is_bool_dtype(present) else None
    if kind is None and not pd.api.types.is_numeric_dtype(present):
        kind = "text"
    if kind:
        return "classification", f"{kind} with {distinct} distinct values"
    if looks_continuous(present):
        return "regression", f"numbers with {distinct} distinct values"
    return "classification", f"only {distinct} distinct whole numbers"


def continuous_target_problem(values: pd.Series, task: str) -> str | None:
    """The one-line message for a measured quantity treated as classes, or None."""
    if task != "classification" or not looks_continuous(values):
        return None
    return (
        f"column {values.name!r} holds {values.nunique()} distinct numbers, a quantity rather than "
        "classes; set train.task: regression in params.yaml (adopt: --task regression), "
        "or bin the values into classes first"
    )
