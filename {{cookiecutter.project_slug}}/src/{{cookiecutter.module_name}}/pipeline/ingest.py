"""ingest: the bundled data set, or every CSV and parquet file in data/raw -> one parquet file."""

import re
from pathlib import Path

import pandas as pd

from ..config import param, path
from ..errors import PipelineError, first_line
from ..files import write_parquet

READERS = {".csv": pd.read_csv, ".parquet": pd.read_parquet}
SOURCES = ("bundled", "raw")


def load_bundled(task: str = "classification") -> pd.DataFrame:
    """The task's demo data set, which ships inside scikit-learn: breast cancer (569 rows,
    30 features, a 0/1 target) for classification, diabetes (442 rows, 10 features, a
    disease-progression score, unscaled) for regression."""
    from sklearn import datasets

    if task == "regression":
        frame = datasets.load_diabetes(as_frame=True, scaled=False).frame
    else:
        frame = datasets.load_breast_cancer(as_frame=True).frame
    return frame.rename(columns=lambda name: re.sub(r"\W+", "_", name.strip()).lower())


def raw_files(directory: Path) -> list[Path]:
    """The data files under directory, in name order; hidden files and other types are skipped."""
    found = (
        file
        for file in directory.rglob("*")
        if file.suffix.lower() in READERS and not any(part.startswith(".") for part in file.parts)
    )
    return sorted(found)


def read_file(file: Path, target: str) -> pd.DataFrame:
    try:
        frame = READERS[file.suffix.lower()](file)
    except Exception as error:  # pandas and pyarrow raise many types for a corrupt file
        reason = first_line(error)
        raise PipelineError(f"{file}: cannot be read as {file.suffix[1:]}: {reason}") from None
    if target not in frame.columns:
        columns = ", ".join(map(str, frame.columns[:10])) or "none"
        raise PipelineError(f"{file}: the target column {target!r} is missing (columns: {columns})")
    return frame


def load_raw(directory: Path, target: str) -> pd.DataFrame:
    files = raw_files(directory)
    if not files:
        raise PipelineError(f"{directory}: no CSV or parquet files found (ingest.source is 'raw')")
    return pd.concat([read_file(file, target) for file in files], ignore_index=True)


def ingest(
    source: str, target: str, raw_directory: Path, task: str = "classification"
) -> pd.DataFrame:
    if source not in SOURCES:
        raise PipelineError(
            f"params.yaml: ingest.source is {source!r}; use one of {', '.join(SOURCES)}"
        )
    frame = load_bundled(task) if source == "bundled" else load_raw(raw_directory, target)
    if target not in frame.columns:
        raise PipelineError(f"{source} data: the target column {target!r} is missing")
    if frame.empty:
        raise PipelineError(
            f"{raw_directory if source == 'raw' else source}: the data set has no rows"
        )
    return frame


def main(params: dict) -> None:
    source, target = param(params, "ingest.source"), param(params, "ingest.target")
    frame = ingest(source, target, path(params, "raw"), param(params, "train.task"))
    write_parquet(frame, path(params, "dataset"))
    print(f"ingest: {len(frame)} rows, {frame.shape[1]} columns -> {path(params, 'dataset')}")
