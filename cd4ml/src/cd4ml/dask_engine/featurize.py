"""featurize on Dask: each row goes to train or test by a hash of its key, seeded by `seed`.

The key is the contract's `id` columns, or the whole row when there are none, so a row lands on
the same side on any cluster and any partitioning, and repeated rows never straddle the split.
Unlike pandas' split it is not stratified: each class's test share is test_size on average.
"""

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from ..compute import Cluster
from ..errors import PipelineError
from ..labels import plain_type
from ..quality.roles import continuous_target_problem
from .cluster import connect
from .frames import read_dataset, sample, write_datasets

BUCKETS = 1_000_000


def in_test(frame: pd.DataFrame, keys: list[str], test_size: float, seed: int) -> np.ndarray:
    """Whether each row is a test row: a pure function of its key's values and the seed."""
    rows = pd.util.hash_pandas_object(frame[keys] if keys else frame, index=False).to_numpy()
    mixed = pd.util.hash_array(rows ^ np.uint64(seed % 2**64))
    return mixed % BUCKETS < round(test_size * BUCKETS)


def side(
    part: pd.DataFrame, target, keys, test_size, seed, drop, test: bool, label_type=None
) -> pd.DataFrame:
    """The partition's labelled rows on one side of the split, without the dropped columns, their
    labels in `label_type` when given (decided on the whole column, so every partition agrees)."""
    labelled = part.dropna(subset=[target])
    if label_type:
        labelled = labelled.astype({target: label_type})
    chosen = in_test(labelled, keys, test_size, seed)
    return labelled[chosen if test else ~chosen].drop(columns=drop).reset_index(drop=True)


def check_counts(train_rows: int, test_rows: int, min_test_rows: int, test_size: float) -> None:
    if test_rows < min_test_rows:
        raise PipelineError(
            f"{train_rows + test_rows} labelled rows give {test_rows} test rows at "
            f"featurize.test_size {test_size}, fewer than featurize.min_test_rows "
            f"{min_test_rows}; add rows, or raise test_size, or lower min_test_rows knowing the "
            "metrics will be noisy"
        )


def check_labels(labels: pd.Series, task: str, classes: int, spread: tuple) -> None:
    """pandas' label checks: two classes at least, classes that are not a measured quantity, or a
    regression target with two values at least (its minimum and maximum differ)."""
    problem = continuous_target_problem(labels, task)  # on a bounded sample of the labels
    if problem:
        raise PipelineError(problem)
    if task == "classification" and classes < 2:
        raise PipelineError(
            f"column {labels.name!r}: needs at least two classes, found {classes}; "
            "a model cannot learn from one"
        )
    if task == "regression" and spread[0] == spread[1]:
        raise PipelineError(
            f"column {labels.name!r}: a regression target needs at least two values"
        )


def featurize(
    settings: Cluster,
    paths: dict[str, Path],
    target: str,
    split: dict,
    drop_columns: Callable[[list[str]], list[str]],
    keys: list[str],
    task: str,
) -> tuple[int, int]:
    """Write the train and test folders from the data set's folder; their row counts."""
    if not 0 < split["test_size"] < 1:
        raise PipelineError(
            f"params.yaml: featurize.test_size is {split['test_size']}; "
            "use a fraction between 0 and 1"
        )
    with connect(settings, "featurize") as client:
        frame = read_dataset(paths["dataset"])
        drop = drop_columns(list(frame.columns))
        unknown = sorted(set(drop) - set(frame.columns))
        if unknown:
            raise PipelineError(
                f"params.yaml: featurize.drop_columns names unknown columns {unknown}"
            )
        keys = [key for key in keys if key in frame.columns]
        labels = frame[target].dropna()
        kind = plain_type(labels) if task == "classification" else None
        arguments = (target, keys, split["test_size"], split["seed"], drop)
        train = frame.map_partitions(side, *arguments, test=False, label_type=kind)
        test = frame.map_partitions(side, *arguments, test=True, label_type=kind)
        check_labels(sample(labels.to_frame())[target], task, *_label_counts(labels, task))

        def enough(train_rows: int, test_rows: int) -> None:
            check_counts(train_rows, test_rows, split["min_test_rows"], split["test_size"])

        counts = [train.shape[0], test.shape[0]]
        targets = {paths["train"]: train, paths["test"]: test}
        train_rows, test_rows = write_datasets(client, targets, "featurize", counts, enough)
    return train_rows, test_rows


def _label_counts(labels, task: str) -> tuple[int, tuple]:
    if task == "classification":
        return int(labels.nunique().compute()), (None, None)
    low, high = labels.min().compute(), labels.max().compute()
    return 0, (low, high)
