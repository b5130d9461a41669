"""train on Dask: the preprocessing is fitted on a bounded sample of the training rows, the booster
on all of them, data-parallel across the workers (lightgbm.dask). The model saved is an ordinary
scikit-learn pipeline holding a plain LightGBM estimator: promote, serve and export use it as any.
"""

import inspect
from pathlib import Path

import numpy as np
import pandas as pd

from ..compute import DASK_MODELS, EXTRA_HINT, Cluster
from ..errors import PipelineError
from .cluster import connect
from .frames import read_dataset, sample

# Fixed so that a rerun on the same cluster shape writes the same model file.
DETERMINISTIC = {"deterministic": True, "force_row_wise": True, "verbose": -1}


def make_estimator(task: str, name: str, hyperparameters: dict, seed: int):
    """train.model's learner with its hyperparameters from params.yaml, as an in-memory estimator
    (the model suite fits it so); fit() trains its Dask twin from lightgbm.dask."""
    try:
        import lightgbm
    except ImportError:
        raise PipelineError(f"train.model {name} needs lightgbm; {EXTRA_HINT}") from None
    estimator = getattr(lightgbm, DASK_MODELS[task][name])
    accepted = inspect.signature(lightgbm.LGBMModel).parameters
    unknown = sorted(set(hyperparameters) - set(accepted))
    if unknown:
        raise PipelineError(
            f"params.yaml: train.{name} has {unknown}, which {estimator.__name__} does not take"
        )
    return estimator(**{**DETERMINISTIC, **hyperparameters}, random_state=seed)


def transform(part: pd.DataFrame, preprocess) -> pd.DataFrame:
    """One partition's features as the fitted preprocessing makes them: a dense float frame."""
    matrix = preprocess.transform(part)
    dense = matrix.toarray() if hasattr(matrix, "toarray") else np.asarray(matrix)
    return pd.DataFrame(dense.astype(float), index=part.index)


def fit(frame, target: str, model, client):
    """Fit model (preprocess, distributed estimator) on a Dask frame; the fitted local pipeline."""
    from sklearn.pipeline import Pipeline

    preprocess, estimator = model.named_steps["preprocess"], model.named_steps["estimator"]
    rows = sample(frame)
    preprocess.fit(rows.drop(columns=[target]), rows[target])
    features = frame.drop(columns=[target])
    width = len(preprocess.get_feature_names_out())
    meta = pd.DataFrame(columns=range(width), dtype=float)
    matrix = features.map_partitions(transform, preprocess, meta=meta)
    import lightgbm.dask

    twin = getattr(lightgbm.dask, f"Dask{type(estimator).__name__}")
    distributed = twin(**estimator.get_params(), client=client)
    distributed.fit(matrix.to_dask_array(lengths=True), frame[target].to_dask_array(lengths=True))
    return Pipeline([("preprocess", preprocess), ("estimator", distributed.to_local())])


def train(settings: Cluster, source: Path, target: str, model):
    with connect(settings, "train") as client:
        return fit(read_dataset(source), target, model, client)
