"""The rows parity is proven on: the test split in the model's columns and their declared dtypes."""

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .. import input_frame, input_schema
from ..errors import PipelineError


def test_rows(
    read: Callable[[Path], pd.DataFrame], source: Path, features: list[str], columns: dict
) -> tuple[pd.DataFrame | None, str]:
    """read(source) in the model's columns (features), typed as the contract's columns declare
    them; or None and one line saying why there are none."""
    try:
        frame = read(source)
        missing = [name for name in features if name not in frame.columns]
        if missing:
            raise PipelineError(f"{source}: the model's column {missing[0]!r} is missing")
        declared = input_schema.dtypes(features, columns)
        return input_frame.as_declared(frame, declared, source), ""
    except PipelineError as error:
        return None, f"no test split to prove ONNX parity on: {error}"
