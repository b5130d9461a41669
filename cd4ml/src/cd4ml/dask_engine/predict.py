"""predict on Dask: input files read by block, each partition scored where it lies."""

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..compute import Cluster
from ..scoring import scored_rows
from .cluster import connect
from .frames import write_datasets
from .ingest import read_raw


def score_partition(part: pd.DataFrame, task: str, model) -> pd.DataFrame:
    return scored_rows(task, model, part)


def scored_meta(meta: pd.DataFrame, task: str, model) -> pd.DataFrame:
    """The empty frame score_partition returns, without asking the model to predict nothing."""
    if task == "regression":
        return meta.assign(prediction=pd.Series(dtype=float))
    classes = model.classes_
    columns = {"prediction": pd.Series(classes).iloc[:0]}  # as pandas types the predicted labels
    columns.update({f"probability_{name}": pd.Series(dtype=float) for name in classes})
    return meta.assign(**columns)


def predict(
    settings: Cluster, files: list[Path], model, task: str, target: Path, check: Callable
) -> int:
    """Score every row of files into the folder target; the number of rows."""
    with connect(settings, "predict") as client:
        frame = read_raw(files, None, None, settings.partition_mb)
        check(frame.columns, model, files[0])
        meta = scored_meta(frame._meta, task, model)
        scored = frame.map_partitions(score_partition, task, model, meta=meta)
        (rows,) = write_datasets(client, {target: scored}, "predict", extra=[scored.shape[0]])
    return rows
