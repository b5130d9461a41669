"""ingest on Dask: the same sources, read lazily by block, written as a folder of parquet files."""

from pathlib import Path

import pandas as pd

from ..compute import Cluster
from ..errors import PipelineError
from ..quality.reading import check_target, column_problem, csv_arguments, shorten
from .cluster import connect, dask_modules
from .frames import from_frame, plain_strings, write_datasets


def read_file(file: Path, target: str | None, dialect: dict | None, partition_mb: float):
    """One CSV or parquet file as a Dask frame in partitions of about partition_mb (a parquet
    file's row groups are the smallest unit), its target (if any) checked."""
    dd, _ = dask_modules()
    try:
        if file.suffix.lower() == ".parquet":
            frame = dd.read_parquet(
                str(file), split_row_groups="infer", blocksize=int(partition_mb * 2**20)
            )
        else:
            frame = dd.read_csv(
                str(file), **csv_arguments(file, dialect), blocksize=int(partition_mb * 2**20)
            )
    except MemoryError:
        raise  # a file too large for this process, not a corrupt one: __main__ says so
    except Exception as error:  # pandas, pyarrow and fsspec raise many types for a corrupt file
        reason = shorten(str(error).strip().splitlines()[0] if str(error).strip() else "", 200)
        raise PipelineError(f"{file}: cannot be read as {file.suffix[1:]}: {reason}") from None
    frame.columns = [str(name) for name in frame.columns]
    if target is not None:
        check_target(frame.columns, target, file)
    return plain_strings(frame.map_partitions(checked_partition, str(file), meta=frame._meta))


def checked_partition(part: pd.DataFrame, file: str) -> pd.DataFrame:
    """A block whose columns cannot be stored as one type stops ingest with pandas' message."""
    for name in part.columns:
        problem = column_problem(part[name])
        if problem:
            raise PipelineError(f"{file}: column {shorten(name)}: {problem}")
    return part


def read_raw(files: list[Path], target: str | None, dialect: dict | None, partition_mb: float):
    """Every file, their columns' types agreeing; one frame of all their blocks."""
    dd, _ = dask_modules()
    frames = [read_file(file, target, dialect, partition_mb) for file in files]
    first = frames[0]
    for file, frame in zip(files[1:], frames[1:], strict=True):
        for name in set(first.columns) & set(frame.columns):
            if str(first[name].dtype) != str(frame[name].dtype):
                raise PipelineError(
                    f"{file.parent}: column {shorten(name)} across files: {first[name].dtype} in "
                    f"{files[0].name}, {frame[name].dtype} in {file.name}; make them one type"
                )
    return frames[0] if len(frames) == 1 else dd.concat(frames, ignore_index=True)


def ingest(settings: Cluster, data, target: str, dialect: dict | None, dataset: Path) -> int:
    """Write the data set (an in-memory frame, or raw files read lazily) as partitions; its rows."""
    with connect(settings, "ingest") as client:
        if isinstance(data, pd.DataFrame):
            frame = from_frame(data, settings.partition_mb)
        else:
            frame = read_raw(data, target, dialect, settings.partition_mb)

        def has_rows(rows: int) -> None:
            if rows == 0:
                raise PipelineError(f"{dataset}: the data set has no rows")

        (rows,) = write_datasets(
            client, {dataset: frame}, "ingest", extra=[frame.shape[0]], check=has_rows
        )
    print(f"ingest: {rows} rows, {len(frame.columns)} columns -> {dataset} (partitions)")
    return rows
