"""Reading and writing pipeline files. Every write goes to a temporary file that is
renamed into place, so a failed run never leaves a half-written output behind."""

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import joblib
import pandas as pd

from .errors import PipelineError
from .project import importable


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside target; it replaces target only if the block succeeds.

    A disk that is full or read-only is one line naming target, not a traceback.
    """
    try:
        with _temporary(target) as temporary:
            yield temporary
            os.replace(temporary, target)
    except OSError as error:
        raise PipelineError(f"cannot write {target}: {error.strerror or error}") from None


def replace_together(writers: dict[Path, Callable[[Path], None]]) -> None:
    """Write every target to a temporary beside it, then rename them all into place.

    Nothing is replaced until every file is written; when a rename fails, the targets already
    replaced get their old content back, so the set stays all old or becomes all new.
    """
    current, replaced = None, []
    try:
        with ExitStack() as stack:
            temporaries = {}
            for current, write in writers.items():
                temporaries[current] = stack.enter_context(_temporary(current))
                write(temporaries[current])
            backups = {target: stack.enter_context(_backup(target)) for target in writers}
            try:
                for current, temporary in temporaries.items():
                    os.replace(temporary, current)
                    replaced.append(current)
            except OSError:
                for target in replaced:
                    _restore(target, backups[target])
                raise
    except OSError as error:
        raise PipelineError(f"cannot write {current}: {error.strerror or error}") from None


@contextmanager
def _temporary(target: Path) -> Iterator[Path]:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    os.close(handle)
    os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes the file private; give it the usual mode
    try:
        yield Path(temporary)
    finally:
        Path(temporary).unlink(missing_ok=True)


@contextmanager
def _backup(target: Path) -> Iterator[Path | None]:
    """A hard link to target's current content (None when there is none), removed afterwards."""
    if not target.exists():
        yield None
        return
    backup = target.with_name(f".{target.name}.{os.getpid()}.old")
    backup.unlink(missing_ok=True)
    try:
        os.link(target, backup)
    except OSError:  # a file system without hard links
        shutil.copy2(target, backup)
    try:
        yield backup
    finally:
        backup.unlink(missing_ok=True)


def _restore(target: Path, backup: Path | None) -> None:
    if backup is None:
        target.unlink(missing_ok=True)
    else:
        os.replace(backup, target)


def read_parquet(source: Path) -> pd.DataFrame:
    if not source.exists():
        raise PipelineError(f"{source}: not found; run the earlier stages first (`dvc repro`)")
    return pd.read_parquet(source)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_json(source: Path) -> object | None:
    """A JSON file's content, or None when the file is not there (yet)."""
    return json.loads(source.read_text()) if source.exists() else None


def write_parquet(frame: pd.DataFrame, target: Path) -> None:
    with atomic_path(target) as temporary:
        frame.to_parquet(temporary, index=False)
        if target.is_dir():  # a folder of partitions that the Dask engine wrote
            shutil.rmtree(target)


def write_csv(frame: pd.DataFrame, target: Path) -> None:
    # No float_format: pandas then writes each double's shortest repr, which reads back exactly.
    with atomic_path(target) as temporary:
        frame.to_csv(temporary, index=False)


def write_json(data: object, target: Path) -> None:
    write_text(json.dumps(data, indent=2) + "\n", target)


def write_text(text: str, target: Path) -> None:
    with atomic_path(target) as temporary:
        temporary.write_text(text)


def write_model(model: object, target: Path) -> None:
    with atomic_path(target) as temporary:
        joblib.dump(model, temporary)


def copy_file(source: Path, target: Path) -> None:
    with atomic_path(target) as temporary:
        shutil.copyfile(source, temporary)


def read_model(source: Path) -> object:
    """A pipeline's model file; its features step refers to the project's own package."""
    if not source.exists():
        raise PipelineError(f"{source}: not found; run the train stage first (`dvc repro`)")
    importable()
    return joblib.load(source)
