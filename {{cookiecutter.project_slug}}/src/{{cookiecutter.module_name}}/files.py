"""Reading and writing pipeline files. Every write goes to a temporary file that is
renamed into place, so a failed run never leaves a half-written output behind."""

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import joblib
import pandas as pd

from .errors import PipelineError


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside target; it replaces target only if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    os.close(handle)
    os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes the file private; give it the usual mode
    try:
        yield Path(temporary)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)


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
    if not source.exists():
        raise PipelineError(f"{source}: not found; run the train stage first (`dvc repro`)")
    return joblib.load(source)
