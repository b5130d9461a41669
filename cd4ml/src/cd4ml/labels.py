"""Class labels in the type their file meant, once the rows without a label are gone.

Blanks make pandas read a column of booleans as nullable booleans and one of whole numbers as
floats; a model trained on those would answer 1.0 for 1 and 0.0 for False.
"""

import pandas as pd

EXACT = 2**53  # whole floats below this are exact integers


def plain_type(labels) -> str | None:
    """The type labelled rows get back (bool or int64), or None to keep theirs; `labels`, without
    gaps, is a pandas or a Dask series: the answer holds for the whole column either way."""
    if labels.dtype == "boolean":
        return "bool"
    if pd.api.types.is_integer_dtype(labels.dtype):
        return "int64"
    if not pd.api.types.is_float_dtype(labels.dtype):
        return None
    whole, largest = _computed((labels == labels.round()).all(), labels.abs().max())
    return "int64" if whole and largest < EXACT else None


def plain_labels(labels: pd.Series) -> pd.Series:
    kind = plain_type(labels)
    return labels.astype(kind) if kind else labels


def _computed(*values):
    if hasattr(values[0], "compute"):
        import dask

        return dask.compute(*values)
    return values
