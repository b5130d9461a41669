"""train on Dask: the preprocessing is fitted on a bounded sample of the training rows, the booster
on all of them, data-parallel across the workers (lightgbm.dask). The model saved is an ordinary
scikit-learn pipeline holding a plain LightGBM estimator: promote, serve and export use it as any.
"""

import inspect
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from ..compute import DASK_MODELS, EXTRA_HINT, Cluster
from ..errors import PipelineError
from .cluster import connect
from .frames import read_dataset, sample

# Fixed so that a rerun on the same cluster shape writes the same model file.
DETERMINISTIC = {"deterministic": True, "force_row_wise": True, "verbose": -1}
NETWORK = ("machines", "local_listen_port", "num_machines", "time_out")
NETWORK_LINE = re.compile(r"^\[(machines|local_listen_port): [^\n]*\]\n", re.MULTILINE)


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


def transform(part: pd.DataFrame, target: str, preprocess) -> np.ndarray:
    """One partition's features as the fitted preprocessing makes them: a dense float matrix."""
    matrix = preprocess.transform(part.drop(columns=[target]))
    dense = matrix.toarray() if hasattr(matrix, "toarray") else np.asarray(matrix)
    return dense.astype(float)


def labels_of(part: pd.DataFrame, target: str) -> np.ndarray:
    return part[target].to_numpy()


def placed(client, frame, target: str, preprocess) -> tuple:
    """Features and labels as Dask arrays whose partition i lies on worker i mod n (workers by
    name): LightGBM then trains each of its machines on the same rows, in the same order, on
    every run on a cluster of the same shape."""
    import dask
    import dask.array as da

    workers = sorted(
        client.scheduler_info()["workers"].items(), key=lambda item: str(item[1]["name"])
    )
    pairs = []
    for index, part in enumerate(frame.to_delayed()):
        where = {"workers": [workers[index % len(workers)][0]], "allow_other_workers": False}
        pair = [
            dask.delayed(transform)(part, target, preprocess),
            dask.delayed(labels_of)(part, target),
        ]
        pairs.append(client.compute(pair, **where))
    rows = client.gather([client.submit(len, labels) for _, labels in pairs])
    width = len(preprocess.get_feature_names_out())
    numeric = pd.api.types.is_numeric_dtype(frame[target].dtype)
    label_type = frame[target].dtype if numeric else object  # text classes: numpy objects
    features = [
        da.from_delayed(matrix, shape=(count, width), dtype=float)
        for (matrix, _), count in zip(pairs, rows, strict=True)
    ]
    labels = [
        da.from_delayed(values, shape=(count,), dtype=label_type)
        for (_, values), count in zip(pairs, rows, strict=True)
    ]
    return da.concatenate(features), da.concatenate(labels)


def local_model(distributed):
    """The fitted in-memory estimator, without the ports this run's workers happened to listen on
    (which would make every model file differ)."""
    import lightgbm

    model = distributed.to_local()
    for name in NETWORK:
        vars(model).pop(name, None)
    text = model.booster_.model_to_string()
    model._Booster = lightgbm.Booster(model_str=NETWORK_LINE.sub("", text))
    return model


def in_partition_order(client) -> None:
    """lightgbm.dask ranks its machines in the order Client.who_has lists the data's parts, and
    distributed builds that list from a set, so the order (and the model) changed from run to
    run; this client lists them in the order they were asked for: the partitions' order."""
    asked = client.who_has

    def who_has(futures=None, **options):
        found = asked(futures, **options)
        keys = [future.key for future in client.futures_of(futures)] if futures else list(found)
        return type(found)({key: found[key] for key in dict.fromkeys(keys) if key in found})

    client.who_has = who_has


def interned(value):
    """value with every string in it interned and the attributes of its estimators in name order
    (lightgbm.dask copies some from a set), so that pickle writes the same bytes on every run."""
    if isinstance(value, str):
        return sys.intern(value)
    if isinstance(value, list | tuple):
        return type(value)(interned(item) for item in value)
    if isinstance(value, dict):
        return {interned(key): interned(item) for key, item in value.items()}
    if isinstance(value, np.ndarray) and value.dtype == object:
        return np.array([interned(item) for item in value.tolist()], dtype=object)
    if hasattr(value, "get_params"):  # scikit-learn estimators, and the pipeline itself
        value.__dict__ = interned(dict(sorted(vars(value).items())))
    return value


def fit(frame, target: str, model, client):
    """Fit model (preprocess, estimator) on a Dask frame: the fitted in-memory pipeline."""
    import lightgbm.dask
    from sklearn.pipeline import Pipeline

    preprocess, estimator = model.named_steps["preprocess"], model.named_steps["estimator"]
    rows = sample(frame)
    preprocess.fit(rows.drop(columns=[target]), rows[target])
    features, labels = placed(client, frame, target, preprocess)
    twin = getattr(lightgbm.dask, f"Dask{type(estimator).__name__}")
    settings = {key: value for key, value in estimator.get_params().items() if key != "n_jobs"}
    in_partition_order(client)
    distributed = twin(**settings, client=client)
    distributed.fit(features, labels)
    return interned(Pipeline([("preprocess", preprocess), ("estimator", local_model(distributed))]))


def train(settings: Cluster, source: Path, target: str, model):
    with connect(settings, "train") as client:
        return fit(read_dataset(source), target, model, client)
