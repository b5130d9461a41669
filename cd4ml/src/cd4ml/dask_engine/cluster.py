"""The Dask cluster a stage runs on, and the progress of what it computes there.

`compute.scheduler: local` starts a LocalCluster of worker processes on 127.0.0.1 for the stage and
stops it afterwards; an address connects to a running scheduler and leaves it running.
"""

import importlib.util
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from ..compute import EXTRA_HINT, LOCAL, Cluster
from ..errors import PipelineError, first_line


def dask_modules():
    """dask.dataframe and distributed, or one line saying how to install them."""
    # Text columns keep pandas' own string type (what the contract names), not Dask's
    # pyarrow strings; set before import, and inherited by the workers of a local cluster.
    os.environ.setdefault("DASK_DATAFRAME__CONVERT_STRING", "False")
    try:
        import dask.dataframe
        import distributed
    except ImportError as error:
        raise PipelineError(
            f"compute.engine dask needs {error.name or 'dask'}; {EXTRA_HINT}"
        ) from None
    return dask.dataframe, distributed


@contextmanager
def connect(settings: Cluster, stage: str) -> Iterator[object]:
    """A distributed Client for the stage; the dashboard's link, when there is one, is printed."""
    _, distributed = dask_modules()

    cluster = None
    try:
        if settings.scheduler == LOCAL:
            cluster = distributed.LocalCluster(
                n_workers=settings.workers,
                threads_per_worker=settings.threads_per_worker,
                memory_limit=settings.memory_limit,
                processes=True,
                host="127.0.0.1",
                # The dashboard needs bokeh, which the dask extra does not install.
                dashboard_address="127.0.0.1:0" if importlib.util.find_spec("bokeh") else None,
                silence_logs=logging.ERROR,
            )
        client = distributed.Client(cluster or settings.scheduler, timeout="30s")
    except (OSError, TimeoutError, ValueError) as error:
        if cluster is not None:
            cluster.close()
        raise PipelineError(
            f"compute.scheduler {settings.scheduler}: cannot start or reach the Dask cluster: "
            f"{first_line(error)}"
        ) from None
    client.run(keep_strings)  # the workers of a running cluster too
    workers = len(client.scheduler_info().get("workers", {}))
    link = f", dashboard {client.dashboard_link}" if _has_dashboard(client) else ""
    print(f"{stage}: on Dask, {workers} workers at {settings.scheduler}{link}", flush=True)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def keep_strings() -> None:
    import dask

    dask.config.set({"dataframe.convert-string": False})


def _has_dashboard(client) -> bool:
    return "dashboard" in client.scheduler_info().get("services", {})


def compute(client, *collections, label: str = "computing") -> tuple:
    """Compute collections together on the cluster, with a progress bar on a terminal."""
    with warnings.catch_warnings():  # delayed summaries beside expressions: materialised, fine
        warnings.filterwarnings("ignore", message="Computing mixed collections")
        futures = client.compute(list(collections))
    if sys.stderr.isatty():
        from distributed.diagnostics.progressbar import progress

        print(f"{label}:", file=sys.stderr)
        progress(futures)
    return tuple(client.gather(futures))


def merged(items: list, merge_two):
    """Pairwise merges of delayed summaries, as a tree: log2(partitions) rounds deep."""
    from dask import delayed

    while len(items) > 1:
        pairs = [items[index : index + 2] for index in range(0, len(items), 2)]
        items = [delayed(merge_two)(*pair) if len(pair) == 2 else pair[0] for pair in pairs]
    return items[0]
