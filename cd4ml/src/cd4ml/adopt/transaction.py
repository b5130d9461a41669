"""adopt as one transaction: should it fail in any way, Ctrl-C included, the project is as it was.

Before the block, each path it may change is copied aside (DVC and git write their files in
place, so a hard link would change with them), and each path it removes is moved aside: that move
is the removal. If the block raises, every path gets its saved content back (one that did not
exist is deleted) and every removed path returns; if it succeeds, the saved copies are dropped.
"""

import shutil
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def transaction(
    changed: Iterable[Path], removed: Iterable[Path] = (), scratch: Path = Path(".")
) -> Iterator[None]:
    """Run the block as all or nothing for the changed and removed paths (files or folders).

    scratch is where the saved copies wait: best on the project's file system, where moving a path
    aside and back is a rename.
    """
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch, prefix="adopt-") as folder:
        aside = Path(folder)
        saved = {
            path: _save(path, aside / f"saved-{number}") for number, path in enumerate(changed)
        }
        moved: dict[Path, Path] = {}
        try:
            for number, path in enumerate(removed):
                moved[path] = Path(shutil.move(path, aside / f"removed-{number}"))
            yield
        except BaseException:
            with _uninterrupted():
                for path, copy in saved.items():
                    _put_back(path, copy)
                for path, place in moved.items():
                    _put_back(path, place)
            raise


def _save(path: Path, copy: Path) -> Path | None:
    """A copy of path's content, or None when it does not exist."""
    if path.is_dir():
        shutil.copytree(path, copy, symlinks=True)
    elif path.exists():
        shutil.copy2(path, copy)
    else:
        return None
    return copy


def _put_back(path: Path, copy: Path | None) -> None:
    """path as the copy holds it; no copy means it did not exist."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
    if copy is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(copy, path)  # a rename, or a copy when data/ is another disk


@contextmanager
def _uninterrupted() -> Iterator[None]:
    """A second Ctrl-C must not stop the restore halfway."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
