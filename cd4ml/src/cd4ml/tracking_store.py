"""A project's new SQLite tracking store, created in the background while the first stages run.

Creating the store runs MLflow's schema migrations, about 2 s that `evaluate` would otherwise wait
for on a project's first run. Under `dvc repro`, the logging process that the first stage starts
(tracking_daemon.py) builds it under a temporary name beside it and links it into place, never
over an existing file. Whatever opens the store meanwhile waits for that process: it holds a lock
on the temporary file, which the system releases even if the process is killed.
"""

import glob
import os
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no background creation; MLflow creates the store on first use
    fcntl = None

from .config import param

SQLITE = "sqlite:///"
CREATING = ".creating-"  # the temporary file is <store>.creating-<pid>


def tracking_uri(params: dict) -> str:
    return os.environ.get("MLFLOW_TRACKING_URI") or param(params, "mlflow.tracking_uri")


def running(pid: int) -> bool:
    """Whether a process of this machine runs: a stage's, or the one that logs a run."""
    if pid <= 0:
        return False
    if os.name == "nt":
        return True  # there os.kill(pid, 0) would end the process; assume it runs
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process
    return True


def missing_store(uri: str) -> Path | None:
    """The file of a local SQLite store that does not exist yet; None for any other store."""
    if fcntl is None or not uri.startswith(SQLITE):
        return None
    database = Path(urllib.parse.unquote(uri.removeprefix(SQLITE).partition("?")[0]))
    return None if database.exists() else database


def wait(uri: str) -> None:
    """Wait while a background process is creating this store; clear what a killed one left."""
    database = missing_store(uri)
    if database is None:
        return
    for temporary in database.parent.glob(f"{glob.escape(database.name)}{CREATING}*"):
        try:
            with open(temporary, "rb") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
        except FileNotFoundError:  # it finished and removed the file meanwhile
            continue
        # The creator removes the file before it lets go of the lock; a file still there was
        # left by a creator that was killed.
        temporary.unlink(missing_ok=True)


@contextmanager
def building(database: Path) -> Iterator[Path]:
    """A temporary file beside the store, locked while the caller builds the store in it, then
    linked into place: never over a store that appeared meanwhile, which stays."""
    temporary = database.with_name(f"{database.name}{CREATING}{os.getpid()}")
    with open(temporary, "xb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield temporary
            os.link(temporary, database)
        finally:
            temporary.unlink(missing_ok=True)  # before the lock goes: see wait()
