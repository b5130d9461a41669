"""Where the stages compute, from params.yaml's `compute:` section; nothing here imports Dask.

engine pandas: every stage loads its data into this process (the default). engine dask: every stage
runs on a Dask cluster, a local one or the scheduler named by `compute.scheduler` (or by the
DASK_SCHEDULER_ADDRESS variable), and its data sets become folders of parquet partitions.
"""

import os
import re
from dataclasses import dataclass

from .config import param
from .errors import PipelineError

ENGINES = ("pandas", "dask")
LOCAL = "local"
ADDRESS_VARIABLE = "DASK_SCHEDULER_ADDRESS"
# train.model values that exist only on the Dask engine: the learner (lightgbm's class) that
# trains data-parallel across the workers, per train.task.
DASK_MODELS = {
    "classification": {"lightgbm": "LGBMClassifier"},
    "regression": {"lightgbm": "LGBMRegressor"},
}
EXTRA_HINT = "install the dask extra (`make setup EXTRAS=dev,dask`)"
# A worker's libraries take about 400 MB before any data, and Dask pauses a worker at 80 % of its
# memory_limit: below this floor a worker can sit paused with nothing to spill, and a stage waits
# forever.
MEMORY_FLOOR = 768 * 2**20
SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)b?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Cluster:
    """How to reach the cluster: a LocalCluster's shape, or a running scheduler's address."""

    scheduler: str
    workers: int
    threads_per_worker: int
    memory_limit: str
    partition_mb: float


def engine(params: dict) -> str:
    """compute.engine; a project without a `compute:` section computes with pandas."""
    chosen = (params.get("compute") or {}).get("engine", "pandas")
    if chosen not in ENGINES:
        raise PipelineError(
            f"params.yaml: compute.engine is {chosen!r}; use one of {', '.join(ENGINES)}"
        )
    return chosen


def uses_dask(params: dict) -> bool:
    return engine(params) == "dask"


def cluster(params: dict) -> Cluster:
    """The cluster settings, checked; DASK_SCHEDULER_ADDRESS overrides compute.scheduler."""
    scheduler = os.environ.get(ADDRESS_VARIABLE) or str(param(params, "compute.scheduler"))
    if scheduler != LOCAL and "://" not in scheduler:
        raise PipelineError(
            f"params.yaml: compute.scheduler is {scheduler!r}; use {LOCAL} or an address such as "
            "tcp://scheduler:8786"
        )
    numbers = {}
    for name in ("workers", "threads_per_worker", "partition_mb"):
        value = param(params, f"compute.{name}")
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise PipelineError(f"params.yaml: compute.{name} is {value!r}; use a positive number")
        numbers[name] = value
    memory_limit = str(param(params, "compute.memory_limit"))
    check_memory(memory_limit)
    return Cluster(
        scheduler,
        int(numbers["workers"]),
        int(numbers["threads_per_worker"]),
        memory_limit,
        float(numbers["partition_mb"]),
    )


def check_memory(limit: str) -> None:
    """A memory_limit under the floor is one line; forms this does not read are Dask's to judge."""
    size = SIZE.match(limit)
    if size is None:
        return
    number, prefix, binary = size.groups()
    power = "kmgt".find(prefix.lower()) + 1 if prefix else 0
    limit_bytes = float(number) * (1024 if binary or not prefix else 1000) ** power
    if 0 < limit_bytes < MEMORY_FLOOR:
        raise PipelineError(
            f"params.yaml: compute.memory_limit is {limit}; a worker's libraries take about 400 MB "
            "before any data and Dask pauses it at 80 % of its limit: use 768MiB or more"
        )


def check_model(params: dict) -> None:
    """A Dask-only learner on the pandas engine, or a pandas-only one on Dask, is one line."""
    task, name = param(params, "train.task"), param(params, "train.model")
    dask_models = DASK_MODELS.get(task, {})
    if uses_dask(params) and name not in dask_models:
        raise PipelineError(
            f"params.yaml: train.model is {name!r}, which trains in one process; with "
            f"compute.engine: dask use one of {', '.join(dask_models)}"
        )
    if not uses_dask(params) and name in dask_models:
        raise PipelineError(
            f"params.yaml: train.model is {name!r}, a distributed learner; set "
            "compute.engine: dask to train it"
        )
