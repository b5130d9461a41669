"""The candidate's metrics, the dummy baseline's and the plot data, on the engine params.yaml names.

evaluate gates and keeps on these; adopt sets the first gate from them without logging a run.
"""

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance

from . import scoring
from .compute import cluster, uses_dask
from .config import param, path
from .files import read_parquet

IMPORTANCE_ROWS = 10_000  # permutation importance on at most this many test rows: a bounded cost


def assess(
    task: str, model, features: pd.DataFrame, labels: pd.Series, seed: int
) -> tuple[dict[str, float], dict[str, list[dict]]]:
    """The model's metrics, and its plot data by file name, for the task."""
    predictions = scoring.predict(task, model, features)
    plots = scoring.plots(task, labels, predictions)
    plots["feature_importance"] = feature_importance(model, features, labels, seed)
    return scoring.score(task, labels, predictions), plots


def in_memory(params: dict, model, target: str, task: str, seed: int) -> tuple[dict, dict, dict]:
    """The model's and the baseline's metrics and the plots, from the whole test set in memory."""
    test = read_parquet(path(params, "test"))
    features, labels = test.drop(columns=[target]), test[target]
    scores, plots = assess(task, model, features, labels, seed)
    train_labels = pd.read_parquet(path(params, "train"), columns=[target])[target]
    return scores, scoring.baseline_scores(task, train_labels, labels), plots


def on_dask(params: dict, model, target: str, task: str, seed: int) -> tuple[dict, dict, dict]:
    """The metrics summed over the test partitions on Dask; the plots from a sample of them."""
    from .dask_engine.evaluate import assess as distributed

    paths = {name: path(params, name) for name in ("train", "test")}
    scores, baseline, rows = distributed(cluster(params), model, paths, target, task)
    _, plots = assess(task, model, rows.drop(columns=[target]), rows[target], seed)
    return scores, baseline, plots


def measure(params: dict, model) -> tuple[dict, dict, dict]:
    """The candidate model's metrics, the baseline's and the plots, on the engine params.yaml
    names."""
    target, seed = param(params, "ingest.target"), param(params, "seed")
    on_engine = on_dask if uses_dask(params) else in_memory
    return on_engine(params, model, target, param(params, "train.task"), seed)


def feature_importance(model, features: pd.DataFrame, labels: pd.Series, seed: int) -> list[dict]:
    """The estimator's own importances, mean absolute coefficients, or permutation importance
    (on a sample of at most IMPORTANCE_ROWS rows, the same every run)."""
    estimator = model[-1]
    names = model.named_steps["preprocess"].get_feature_names_out()
    if hasattr(estimator, "feature_importances_"):
        values = estimator.feature_importances_
    elif hasattr(estimator, "coef_"):
        values = np.abs(np.atleast_2d(estimator.coef_)).mean(axis=0)
    else:
        rows = min(len(features), IMPORTANCE_ROWS)
        result = permutation_importance(
            model, features, labels, n_repeats=3, random_state=seed, max_samples=rows
        )
        names, values = features.columns, result.importances_mean
    ranked = sorted(zip(names, values, strict=True), key=lambda item: -item[1])
    return [
        {"feature": str(name), "importance": round(float(value), scoring.DIGITS)}
        for name, value in ranked
    ]
