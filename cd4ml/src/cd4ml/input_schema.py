"""A model's input schema: the columns it was trained on, in order, with their contract types.

promote records its digest with a registered model (a run tag) and export with an exported one
(model.json). serve, export and predict refuse a model that the contract no longer describes, so
that after a switch to another data set the old champion is never served with a request schema
typed from the new data set's contract.
"""

import hashlib
import json
from pathlib import Path

from .errors import PipelineError

TAG = "input_schema_sha256"
# The dtype of each contract type, without and with missing values allowed. A frame built from the
# rows at hand would infer it from them: a gap alone is an object column, an integer beside a gap a
# float, text beside no text nothing at all; the model then answers a row by its company.
DTYPES = {
    "float": ("float64", "float64"),
    "int": ("int64", "Int64"),
    "bool": ("bool", "boolean"),
    "str": ("str", "str"),
}


def digest(features: list[str], columns: dict) -> str:
    """The SHA-256 of the model's columns and the contract's type of each."""
    schema = [[name, (columns.get(name) or {}).get("type")] for name in features]
    return hashlib.sha256(json.dumps(schema).encode()).hexdigest()


def check(features: list[str], columns: dict, recorded: str | None, what: str, contract: Path):
    """One line when the contract does not describe the model's columns as they were when it was
    registered or exported; a model recorded before digests were kept is checked by name only."""
    missing = [name for name in features if name not in columns]
    if missing:
        raise PipelineError(
            f"{what} takes column {missing[0]!r} ({len(missing)} of its {len(features)} columns "
            f"are missing), which {contract} does not describe: it was trained on another data "
            "set; promote a model trained on this one, or use that data set's contract"
        )
    if recorded and recorded != digest(features, columns):
        raise PipelineError(
            f"{what} was recorded with other column types than {contract} gives its columns now; "
            "train and promote a model on this contract, or restore its types"
        )


def dtypes(features: list[str], columns: dict) -> dict[str, str]:
    """The dtype of each of the model's columns, in order, from the contract's type (float when it
    names none) and whether it allows missing values."""
    declared = {}
    for name in features:
        rules = columns.get(name) or {}
        declared[name] = DTYPES[rules.get("type") or "float"][bool(rules.get("nullable"))]
    return declared


def columns_of(rows: list[dict], features: list[str]) -> dict[str, list]:
    """The model's columns of rows, as plain lists; a field missing from a row is a gap (None)."""
    return {name: [row.get(name) for row in rows] for name in features}
