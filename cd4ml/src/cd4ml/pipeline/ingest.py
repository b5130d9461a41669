"""ingest: the bundled data set, or every CSV and parquet file in data/raw -> one parquet file.

CSV files are read in the dialect under `ingest:` in params.yaml (separator, decimal, encoding,
na_values); without one, each file's dialect is detected.
"""

import re
from pathlib import Path

import pandas as pd

from ..compute import cluster, uses_dask
from ..config import param, path
from ..errors import PipelineError, first_line
from ..files import write_parquet
from ..quality.reading import check_target, column_problem, csv_options, read_table, shorten

READERS = (".csv", ".parquet")
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
    """The data files under directory, in name order; hidden files and other types are skipped.

    Only the parts below directory count as hidden: `../data/raw` from a notebook is not.
    """
    found = (
        file
        for file in directory.rglob("*")
        if file.suffix.lower() in READERS
        and not any(part.startswith(".") for part in file.relative_to(directory).parts)
    )
    return sorted(found)


def read_file(file: Path, target: str, dialect: dict | None = None) -> pd.DataFrame:
    frame = read_table(file, dialect)
    check_target(frame.columns, target, file)
    return frame


def load_raw(directory: Path, target: str, dialect: dict | None = None) -> pd.DataFrame:
    files = raw_files(directory)
    if not files:
        raise PipelineError(f"{directory}: no CSV or parquet files found (ingest.source is 'raw')")
    frames = [read_file(file, target, dialect) for file in files]
    if len(frames) == 1:
        return frames[0]
    frame = pd.concat(frames, ignore_index=True)
    for name in frame.columns:
        problem = column_problem(frame[name])  # files that disagree on a column's type
        if problem:
            raise PipelineError(f"{directory}: column {shorten(name)} across files: {problem}")
    return frame


def ingest(
    source: str,
    target: str,
    raw_directory: Path,
    task: str = "classification",
    dialect: dict | None = None,
) -> pd.DataFrame:
    if source not in SOURCES:
        raise PipelineError(
            f"params.yaml: ingest.source is {source!r}; use one of {', '.join(SOURCES)}"
        )
    frame = load_bundled(task) if source == "bundled" else load_raw(raw_directory, target, dialect)
    check_target(frame.columns, target, f"{source} data")
    if frame.empty:
        raise PipelineError(
            f"{raw_directory if source == 'raw' else source}: the data set has no rows"
        )
    return frame


def main(params: dict) -> None:
    source, target = param(params, "ingest.source"), param(params, "ingest.target")
    if uses_dask(params):
        on_dask(params, source, target)
        return
    frame = ingest(
        source, target, path(params, "raw"), param(params, "train.task"), csv_options(params)
    )
    try:
        write_parquet(frame, path(params, "dataset"))
    except (ValueError, TypeError, OverflowError) as error:  # pyarrow's errors derive from these
        reason = shorten(first_line(error), 200)
        raise PipelineError(f"{source} data: cannot be stored as parquet: {reason}") from None
    print(f"ingest: {len(frame)} rows, {frame.shape[1]} columns -> {path(params, 'dataset')}")


def on_dask(params: dict, source: str, target: str) -> None:
    """The same sources read by block on a Dask cluster; the data set becomes a folder."""
    from ..dask_engine import ingest as distributed

    if source not in SOURCES:
        raise PipelineError(
            f"params.yaml: ingest.source is {source!r}; use one of {', '.join(SOURCES)}"
        )
    directory = path(params, "raw")
    if source == "bundled":
        data = load_bundled(param(params, "train.task"))
    else:
        data = raw_files(directory)
        if not data:
            raise PipelineError(
                f"{directory}: no CSV or parquet files found (ingest.source is 'raw')"
            )
    distributed.ingest(cluster(params), data, target, csv_options(params), path(params, "dataset"))
