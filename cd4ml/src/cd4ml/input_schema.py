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
