"""predict on Dask: input files read by block, each partition scored where it lies."""

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..compute import Cluster
from ..scoring import scored_rows
from .cluster import connect
from .frames import write_datasets
from .ingest import read_raw


def score_partition(part: pd.DataFrame, task: str, model, dtypes: dict, where: str) -> pd.DataFrame:
    return scored_rows(task, model, part, dtypes, where)


def scored_meta(meta: pd.DataFrame, task: str, model) -> pd.DataFrame:
    """The empty frame score_partition returns, without asking the model to predict nothing."""
    if task == "regression":
        return meta.assign(prediction=pd.Series(dtype=float))
    classes = model.classes_
    columns = {"prediction": pd.Series(classes).iloc[:0]}  # as pandas types the predicted labels
    columns.update({f"probability_{name}": pd.Series(dtype=float) for name in classes})
    return meta.assign(**columns)


def predict(
    settings: Cluster,
    files: list[Path],
    loaded: tuple,
    task: str,
    target: Path,
    check: Callable,
    options: dict | None = None,
) -> int:
    """Score every row of files (CSV files read with options, reading.csv_options) into the folder
    target with loaded, the model and the dtypes of its columns; the number of rows."""
    model, dtypes = loaded
    with connect(settings, "predict") as client:
        frame = read_raw(files, None, options, settings.partition_mb)
        check(frame.columns, model, files[0])
        meta = scored_meta(frame._meta, task, model)
        where = str(files[0].parent if len(files) > 1 else files[0])
        scored = frame.map_partitions(score_partition, task, model, dtypes, where, meta=meta)
        (rows,) = write_datasets(client, {target: scored}, "predict", extra=[scored.shape[0]])
    return rows
