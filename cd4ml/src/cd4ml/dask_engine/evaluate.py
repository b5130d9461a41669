"""evaluate on Dask: the candidate predicts each test partition (map_partitions), and the metrics
of the model and of the dummy baseline are sums over those partitions (see metrics.py).

The plots and feature importance come from a bounded sample of test rows (frames.SAMPLE_ROWS).
"""

from pathlib import Path

import numpy as np
import pandas as pd

from ..compute import Cluster
from ..scoring import predict
from . import metrics
from .cluster import compute, connect, merged
from .frames import read_dataset, sample

ACTUAL, PREDICTED = "actual", "predicted"


def probability_column(index: int) -> str:
    return f"probability_{index}"


def predict_partition(part: pd.DataFrame, model, task: str, target: str | None) -> pd.DataFrame:
    """A partition's predictions: the predicted value, each class's probability, and the actual
    value when target names a column (evaluate) rather than None (batch scoring)."""
    features = part.drop(columns=[target]) if target else part
    found = predict(task, model, features)
    columns = {PREDICTED: found.predicted}
    if found.probabilities is not None:
        for index in range(found.probabilities.shape[1]):
            columns[probability_column(index)] = found.probabilities[:, index]
    if target:
        columns[ACTUAL] = part[target].to_numpy()
    return pd.DataFrame(columns, index=part.index)


def prediction_meta(meta: pd.DataFrame, model, task: str, target: str | None) -> pd.DataFrame:
    """The empty frame predict_partition returns, without asking the model to predict nothing."""
    classes = getattr(model, "classes_", None) if task == "classification" else None
    columns = {
        PREDICTED: pd.Series(dtype=float) if classes is None else pd.Series(classes).iloc[:0]
    }
    for index in range(0 if classes is None else len(classes)):
        columns[probability_column(index)] = pd.Series(dtype=float)
    if target:
        columns[ACTUAL] = meta[target]
    return pd.DataFrame(columns)


def partial_scores(predicted: pd.DataFrame, classes, prior) -> dict:
    """The sums of one partition for the model and for the dummy baseline (prior: the training
    class shares, or the training mean)."""
    labels = predicted[ACTUAL]
    if classes is None:
        baseline = np.full(len(labels), prior)
        return {
            "model": metrics.regression_partial(labels, predicted[PREDICTED].to_numpy(dtype=float)),
            "baseline": metrics.regression_partial(labels, baseline),
        }
    probabilities = predicted[[probability_column(i) for i in range(len(classes))]].to_numpy()
    constant = np.tile(np.asarray(prior[1], dtype=float), (len(labels), 1))
    return {
        "model": metrics.classification_partial(labels, probabilities, classes),
        "baseline": metrics.classification_partial(labels, constant, prior[0]),
    }


def merge(first: dict, second: dict) -> dict:
    return {side: metrics.merge(first[side], second[side]) for side in first}


def training_prior(labels, task: str):
    """What the dummy baseline predicts: the training labels' class shares, or their mean."""
    if task == "regression":
        return float(labels.mean().compute())
    counts = labels.value_counts().compute()
    classes = np.unique(counts.index.to_numpy())  # sorted, as DummyClassifier's classes_
    return classes, (counts[classes] / counts.sum()).to_numpy()


def assess(
    settings: Cluster, model, paths: dict[str, Path], target: str, task: str
) -> tuple[dict, dict, pd.DataFrame]:
    """The model's and the baseline's metrics over the whole test set, and a sample of test rows."""
    from dask import delayed

    with connect(settings, "evaluate") as client:
        test = read_dataset(paths["test"])
        prior = training_prior(read_dataset(paths["train"], columns=[target])[target], task)
        classes = getattr(model, "classes_", None) if task == "classification" else None
        meta = prediction_meta(test._meta, model, task, target)
        predicted = test.map_partitions(predict_partition, model, task, target, meta=meta)
        partials = [
            delayed(partial_scores)(part, classes, prior) for part in predicted.to_delayed()
        ]
        total, rows = compute(client, merged(partials, merge), test.shape[0], label="evaluate")
        rows_sample = sample(test)
    print(f"evaluate: {rows} test rows predicted on Dask; plots from {len(rows_sample)} of them")
    return metrics.scores(total["model"]), metrics.scores(total["baseline"]), rows_sample
