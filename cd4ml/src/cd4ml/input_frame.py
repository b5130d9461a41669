"""The model's input as a pandas frame, every column in the dtype its contract type declares
(input_schema.dtypes): the scikit-learn model's side; the ONNX model takes plain columns."""

import pandas as pd

from .errors import PipelineError, first_line, shorten


def frame_of(columns: dict[str, list], declared: dict[str, str]) -> pd.DataFrame:
    """The model's input from columns of plain values (None is a gap), each built in its declared
    dtype, so that every row is scored alike whichever rows share its frame."""
    rows = len(next(iter(columns.values()), []))
    return pd.DataFrame(
        {
            name: pd.Series(columns.get(name, [None] * rows), dtype=dtype, index=range(rows))
            for name, dtype in declared.items()
        },
        index=range(rows),
    )


def as_declared(frame: pd.DataFrame, declared: dict[str, str], where: object) -> pd.DataFrame:
    """The model's columns of frame in their declared dtypes; one line for a column that has no
    such type (text in a number column, a gap where the contract allows none)."""
    typed = {}
    for name, dtype in declared.items():
        try:
            typed[name] = frame[name].astype(dtype)
        except (TypeError, ValueError) as error:
            raise PipelineError(
                f"{where}: column {name!r} cannot be read as {dtype}, as the contract types it "
                f"for the model: {shorten(first_line(error), 200)}"
            ) from None
    return pd.DataFrame(typed, index=frame.index)
