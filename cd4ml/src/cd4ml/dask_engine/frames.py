"""Data sets on the Dask engine: folders of parquet partitions, read lazily, replaced whole.

A folder is written beside its target and renamed into place only when every partition is
written, so a failed stage leaves the last good folder (or file, from the pandas engine).
"""

import math
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from ..errors import PipelineError, first_line
from .cluster import dask_modules

SAMPLE_ROWS = 10_000  # rows fitted or plotted in one process: a bounded cost whatever the data size


def read_dataset(source: Path, columns: list[str] | None = None):
    """A parquet file or folder of partitions as a Dask frame, one partition per file."""
    dd, _ = dask_modules()
    if not source.exists():
        raise PipelineError(f"{source}: not found; run the earlier stages first (`dvc repro`)")
    return plain_strings(dd.read_parquet(str(source), columns=columns))


def plain_strings(frame):
    """Text columns in pandas' own string type, as the pandas engine reads them and the contract
    names them, whatever string type a worker's Dask configuration converts them to."""
    return frame.map_partitions(plain_partition, meta=plain_partition(frame._meta))


def plain_partition(part: pd.DataFrame) -> pd.DataFrame:
    text = pd.Series(["text"]).dtype  # str on pandas 3, object before
    converted = {
        name: text
        for name, dtype in part.dtypes.items()
        if isinstance(dtype, pd.StringDtype) and dtype != text
    }
    return part.astype(converted) if converted else part


def from_frame(frame: pd.DataFrame, partition_mb: float):
    """An in-memory frame cut into partitions of about partition_mb megabytes."""
    dd, _ = dask_modules()
    size = frame.memory_usage(deep=True).sum() / 2**20
    return dd.from_pandas(frame, npartitions=max(1, math.ceil(size / partition_mb)), sort=False)


def write_datasets(
    client, frames: dict[Path, object], label: str, extra: list = (), check=None
) -> tuple:
    """Write each Dask frame to its folder, computing them and the extra collections together;
    check(*extra results) may refuse them before the folders replace the targets."""
    from .cluster import compute

    staged = {target: _staging(target) for target in frames}
    try:
        writes = [
            frame.to_parquet(str(staged[target]), write_index=False, compute=False)
            for target, frame in frames.items()
        ]
        results = compute(client, *writes, *extra, label=label)[len(writes) :]
        if check is not None:
            check(*results)
    except PipelineError:
        _discard(staged.values())
        raise
    except (OSError, ValueError, TypeError) as error:  # pyarrow's errors derive from these
        _discard(staged.values())
        targets = ", ".join(map(str, frames))
        raise PipelineError(f"cannot write {targets}: {first_line(error)}") from None
    for target, folder in staged.items():
        _swap(folder, target)
    return results


def _staging(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))


def _discard(folders) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def _swap(folder: Path, target: Path) -> None:
    """The new folder takes target's place; the old file or folder goes only after the rename."""
    old = target.with_name(f".{target.name}.{os.getpid()}.old")
    try:
        if target.exists():
            os.replace(target, old)
        os.replace(folder, target)
    except OSError as error:
        if old.exists() and not target.exists():
            os.replace(old, target)
        raise PipelineError(f"cannot write {target}: {error.strerror or error}") from None
    if old.is_dir():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink(missing_ok=True)


def sample(frame, rows: int = SAMPLE_ROWS) -> pd.DataFrame:
    """At most rows rows taken evenly from the partitions' heads: the same on any cluster."""
    share = max(1, rows // max(frame.npartitions, 1))
    return frame.map_partitions(lambda part: part.head(share)).compute().reset_index(drop=True)
