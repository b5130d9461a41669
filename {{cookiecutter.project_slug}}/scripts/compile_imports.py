"""Byte-compile the modules this project's commands import, and no others (run by `make setup`).

Compiling every installed package took most of a 19 s setup; the commands import a fraction of
them. Without compiled files, each command would compile its imports again on every start where
PYTHONDONTWRITEBYTECODE is set (CI, containers), and a no-op `dvc repro` would take seconds.

Finding those modules means importing them, which is slow and runs on one core. So the list of
their files is kept in scripts/compile_imports.txt, stamped with the hash of the requirements.lock
it was made from. While the stamp matches, the listed files are compiled in parallel without
importing anything. When the lock changes, the modules are imported (compiling them) and the list
is written anew: commit it with the lock.
"""

import compileall
import concurrent.futures
import contextlib
import hashlib
import importlib
import io
import os
import py_compile
import sys
import sysconfig
from pathlib import Path

PACKAGE = "{{ cookiecutter.module_name }}"
ROOT = Path(__file__).resolve().parents[1]
LOCK, LIST = ROOT / "requirements.lock", Path(__file__).with_suffix(".txt")
# Imported inside functions, so importing the command modules alone does not reach them.
LAZY = [
    "mlflow",
    "mlflow.sklearn",
    "mlflow.models",
    "skops.io",
    "sklearn.inspection",
    "uvicorn",
    "dvc.api",
    "dvc.cli",
    "dvc.commands.repro",
    "dvc.repo.reproduce",
    "dvc.repo.graph",
    "dvc.repo.trie",
    "networkx",
    "matplotlib.pyplot",
    "mlflow.store.tracking.sqlalchemy_store",
    "mlflow.store.model_registry.sqlalchemy_store",
]


def site_folders() -> list[Path]:
    paths = sysconfig.get_paths()
    return sorted({Path(paths["purelib"]), Path(paths["platlib"])})


def stamp() -> str:
    return f"# {LOCK.name} sha256 {hashlib.sha256(LOCK.read_bytes()).hexdigest()}"


def import_everything() -> None:
    """Import what the commands and a no-op `dvc repro` import; importing writes compiled files."""
    sys.dont_write_bytecode = False  # write .pyc files here even where the environment says not to
    commands = importlib.import_module(f"{PACKAGE}.__main__")
    modules = [f"{PACKAGE}.{module}" for module, _ in commands.available().values()]
    for module in [*modules, *LAZY]:
        with contextlib.suppress(ImportError):  # a command of an option this project lacks
            importlib.import_module(module)
    # DVC imports most of its code on demand: a status check walks the path a no-op repro takes.
    from dvc.cli import main as dvc

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        dvc(["status", "--quiet"])


def imported_files() -> list[str]:
    """The source files of the loaded modules, relative to the site-packages folder holding them."""
    found, folders = set(), site_folders()
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None) or ""
        if file.endswith(".py"):
            for folder in folders:
                with contextlib.suppress(ValueError):
                    found.add(Path(file).resolve().relative_to(folder.resolve()).as_posix())
    return sorted(found)


def compile_files(files: list[str]) -> None:
    folders = site_folders()
    for file in files:
        for folder in folders:
            if (folder / file).exists():
                py_compile.compile(str(folder / file), doraise=False, quiet=2)
                break


def compile_listed(files: list[str]) -> None:
    """Compile the listed files in one process per core, a share of the list each."""
    workers = os.cpu_count() or 1
    shares = [files[start::workers] for start in range(workers)]
    with concurrent.futures.ProcessPoolExecutor(workers) as pool:
        list(pool.map(compile_files, shares))
    compileall.compile_dir(str(ROOT / "src"), quiet=1)


def main() -> int:
    lines = LIST.read_text().splitlines() if LIST.exists() else []
    if lines and lines[0] == stamp():
        compile_listed(lines[1:])
        return 0
    import_everything()
    LIST.write_text("\n".join([stamp(), *imported_files()]) + "\n")
    print(f"{LIST.relative_to(ROOT)}: written for the current {LOCK.name}; commit it with the lock")
    return 0


if __name__ == "__main__":
    sys.exit(main())
