"""train on Dask: the preprocessing is fitted on a bounded sample of the training rows, the booster
on all of them, data-parallel across the workers through LightGBM's own network (as lightgbm.dask
does). Each worker reads its share of the partition files in batches and keeps only LightGBM's
binned copy of them (about a byte per value), so the training set need not fit in the workers'
memory as numbers. The model saved is an ordinary scikit-learn pipeline holding a plain LightGBM
estimator: promote, serve and export use it as any.
"""

import contextlib
import inspect
import re
import socket
import sys
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pandas as pd

from ..compute import DASK_MODELS, EXTRA_HINT, Cluster
from ..errors import PipelineError, first_line
from .cluster import connect
from .frames import plain_partition, read_dataset, sample

# Fixed so that a rerun on the same cluster shape writes the same model file.
# Column-wise histograms also spare the row-wise copy of the binned data that the other way keeps.
DETERMINISTIC = {"deterministic": True, "force_col_wise": True, "verbose": -1}
# scikit-learn's parameters that are not LightGBM's; the rest LightGBM takes by these names.
WRAPPER_ONLY = ("n_jobs", "importance_type", "class_weight")
# The ports this run's workers happened to listen on, which would make every model file differ.
NETWORK_LINE = re.compile(r"^\[(machines|local_listen_port): [^\n]*\]\n", re.MULTILINE)
BATCH_ROWS = 65_536  # rows LightGBM bins at a time
CHECK_SECONDS = 2  # how often train looks for a worker that died


def make_estimator(task: str, name: str, hyperparameters: dict, seed: int):
    """train.model's learner with its hyperparameters from params.yaml, as an in-memory estimator
    (the model suite fits it so); fit() trains its booster on the cluster."""
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
    if "class_weight" in hyperparameters:
        raise PipelineError(
            f"params.yaml: train.{name}.class_weight is not supported on the Dask engine"
        )
    return estimator(**{**DETERMINISTIC, **hyperparameters}, random_state=seed)


def partition_files(source: Path) -> list[Path]:
    """A data set's parquet files that hold rows, in Dask's order of its partitions, by the paths
    the workers find them at."""
    import pyarrow.parquet as pq
    from dask.utils import natural_sort_key

    source = source.resolve()
    files = [source] if source.is_file() else source.glob("*.parquet")
    filled = [file for file in files if pq.ParquetFile(file).metadata.num_rows]
    return sorted(filled, key=lambda file: natural_sort_key(file.name))


def transform(features: pd.DataFrame, preprocess) -> np.ndarray:
    """Rows' features as the fitted preprocessing makes them: a dense float matrix."""
    matrix = preprocess.transform(features)
    return matrix.toarray() if hasattr(matrix, "toarray") else np.asarray(matrix)


class Partitions:
    """A worker's files as LightGBM reads them: one file's features in memory at a time, as 32-bit
    floats, transformed a batch of rows at a time (the preprocessing copies what it is given)."""

    def __init__(self, files: list[Path], target: str, preprocess):
        self.files, self.target, self.preprocess = files, target, preprocess
        self.width = len(preprocess[-1].get_feature_names_out())
        self.index, self.matrix = -1, None

    def features(self, index: int) -> np.ndarray:
        if index != self.index:
            self.index, self.matrix = -1, None  # let the last one go before reading the next
            self.matrix, self.index = self.read(self.files[index]), index
        return self.matrix

    def read(self, file: Path) -> np.ndarray:
        import pyarrow.parquet as pq

        reader = pq.ParquetFile(file)
        columns = [name for name in reader.schema_arrow.names if name != self.target]
        matrix = np.empty((reader.metadata.num_rows, self.width), dtype=np.float32)
        start = 0
        for batch in reader.iter_batches(batch_size=BATCH_ROWS, columns=columns):
            rows = transform(plain_partition(batch.to_pandas()), self.preprocess)
            matrix[start : start + len(rows)] = rows
            start += len(rows)
        return matrix

    def labels(self, classes: np.ndarray | None) -> np.ndarray:
        """Every row's label; classes as their index in the sorted classes, as scikit-learn's."""
        read = [pd.read_parquet(file, columns=[self.target])[self.target] for file in self.files]
        values = pd.concat(read, ignore_index=True)
        if classes is None:
            return values.to_numpy(dtype=float)
        codes = pd.Categorical(values, categories=classes).codes
        return codes.astype(np.int32)

    def sequences(self) -> list:
        """One lightgbm.Sequence per file: random rows to choose bins, then batches to fill them."""
        import lightgbm
        import pyarrow.parquet as pq

        partitions = self

        class FileRows(lightgbm.Sequence):
            batch_size = BATCH_ROWS

            def __init__(self, index: int):
                self.index = index
                self.rows = pq.ParquetFile(partitions.files[index]).metadata.num_rows

            def __len__(self) -> int:
                return self.rows

            def __getitem__(self, rows):
                found = partitions.features(self.index)[rows]
                return found if isinstance(rows, slice) else found.astype(np.float64)  # a sample

        return [FileRows(index) for index in range(len(self.files))]


def train_share(files, target, preprocess, classes, params, rounds, first) -> str | None:
    """On one worker: its files as a LightGBM Dataset, trained together with the other workers'
    over LightGBM's network; the first worker returns the model as text."""
    import lightgbm

    partitions = Partitions(files, target, preprocess)
    labels = partitions.labels(classes)
    dataset = lightgbm.Dataset(partitions.sequences(), label=labels, params=params)
    booster = lightgbm.train(params, dataset, num_boost_round=rounds)
    return NETWORK_LINE.sub("", booster.model_to_string()) if first else None


def open_port() -> int:
    with socket.socket() as probe:
        probe.bind(("", 0))
        return probe.getsockname()[1]


def booster_params(estimator, classes: np.ndarray | None, threads: int) -> tuple[dict, int]:
    """LightGBM's parameters for the estimator, as its scikit-learn wrapper would pass them."""
    params = {k: v for k, v in estimator.get_params().items() if k not in WRAPPER_ONLY}
    rounds = params.pop("n_estimators")
    if classes is not None and params.get("objective") is None:
        params["objective"] = "binary" if len(classes) == 2 else "multiclass"
    if classes is not None and len(classes) > 2:
        params["num_class"] = len(classes)
    return {**params, "num_threads": threads, "tree_learner": "data"}, rounds


def wrapped(estimator, text: str, classes: np.ndarray | None, width: int):
    """The estimator, fitted: a one-round fit on a row per class sets what scikit-learn's wrapper
    keeps (classes, label encoder, objective), then the booster trained on the cluster replaces
    its booster."""
    import lightgbm

    rounds = estimator.get_params()["n_estimators"]
    labels = np.array([0.0, 1.0]) if classes is None else classes
    estimator.set_params(n_estimators=1).fit(np.zeros((len(labels), width)), labels)
    estimator.set_params(n_estimators=rounds)
    estimator._Booster = lightgbm.Booster(model_str=text)
    return estimator


def share_out(client, files: list[Path]) -> dict[str, list[Path]]:
    """Worker address -> its files: file i goes to the i-th worker by name, modulo their number,
    so each LightGBM machine trains on the same rows in the same order on every run on a cluster
    of the same shape."""
    workers = sorted(alive_workers(client).items(), key=lambda worker: str(worker[1]["name"]))
    shares = {address: [] for address, _ in workers}
    for index, file in enumerate(files):
        shares[workers[index % len(workers)][0]].append(file)
    return {address: share for address, share in shares.items() if share}


def run_shares(client, shares: dict, params: dict, **arguments) -> str:
    """train_share on every worker at once; a worker that dies meanwhile is one error, not a wait
    for a LightGBM machine that never answers."""
    futures = submit_shares(client, shares, params, arguments)
    try:
        return first_model(client, shares, futures)
    except PipelineError:
        client.cancel(futures)
        with contextlib.suppress(Exception):  # LightGBM machines left waiting for the lost one
            alive = alive_workers(client)
            client.restart_workers([address for address in shares if address in alive])
        raise


def submit_shares(client, shares: dict, params: dict, arguments: dict) -> list:
    """One train_share per worker, each told every machine's address and its own port."""
    ports = client.run(open_port, workers=list(shares))
    machines = ",".join(f"{urlparse(address).hostname}:{ports[address]}" for address in shares)
    network = {"machines": machines, "num_machines": len(shares), "time_out": 10}
    return [
        client.submit(
            train_share,
            files,
            **arguments,
            params={**params, **network, "local_listen_port": ports[address]},
            first=index == 0,
            workers=[address],
            allow_other_workers=False,
            pure=False,
        )
        for index, (address, files) in enumerate(shares.items())
    ]


def first_model(client, shares: dict, futures: list) -> str:
    """The first worker's model, checking every CHECK_SECONDS that no worker failed or died."""
    import distributed

    while True:
        running = [future for future in futures if future.status == "pending"]
        with contextlib.suppress(distributed.TimeoutError):
            distributed.wait(running, timeout=CHECK_SECONDS, return_when="FIRST_COMPLETED")
        failed = [future.exception() for future in futures if future.status == "error"]
        if failed:
            raise PipelineError(f"train: LightGBM failed on a worker: {first_line(failed[0])}")
        lost = [address for address in shares if address not in alive_workers(client)]
        if lost:
            raise PipelineError(
                f"train: Dask worker {lost[0]} died while training, most likely past its "
                "compute.memory_limit; give the workers more memory, or add workers"
            )
        if not running:
            return next(text for text in client.gather(futures) if text)


def alive_workers(client) -> dict:
    return client.scheduler_info(n_workers=-1)["workers"]


def interned(value):
    """value with every string in it interned and the attributes of its estimators in name order,
    so that pickle writes the same bytes on every run."""
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


def fit(source: Path, target: str, model, client, threads: int):
    """Fit model ([features,] preprocess, estimator) on the data set's files: the fitted in-memory
    pipeline. The steps before the estimator (a pipeline of their own) run in the workers."""
    from sklearn.pipeline import Pipeline

    preprocess, estimator = model[:-1], model.named_steps["estimator"]
    frame = read_dataset(source)
    rows = sample(frame)
    preprocess.fit(rows.drop(columns=[target]), rows[target])
    classes = None  # the sorted classes, in the labels' own type, as scikit-learn's
    if hasattr(estimator, "predict_proba"):
        classes = np.unique(frame[target].dropna().drop_duplicates().compute().to_numpy())
    params, rounds = booster_params(estimator, classes, threads)
    shares = share_out(client, partition_files(source))
    text = run_shares(
        client, shares, params, target=target, preprocess=preprocess, classes=classes, rounds=rounds
    )
    width = len(preprocess[-1].get_feature_names_out())
    fitted = wrapped(estimator, text, classes, width)
    return interned(Pipeline([*preprocess.steps, ("estimator", fitted)]))


def train(settings: Cluster, source: Path, target: str, model):
    with connect(settings, "train") as client:
        return fit(source, target, model, client, settings.threads_per_worker)
