"""Byte-compile the modules this project's commands import, and no others (run by `make setup`).

Compiling every installed package took most of a 19 s setup; the commands import a fraction of
them. Without compiled files, each command would compile its imports again on every start where
PYTHONDONTWRITEBYTECODE is set (CI, containers), and a no-op `dvc repro` would take seconds.
Importing a module here writes its compiled file; a module imported only deep inside a library
call is compiled on its first use instead (and every use where PYTHONDONTWRITEBYTECODE is set).
"""

import contextlib
import importlib
import io
import sys

sys.dont_write_bytecode = False  # write .pyc files here even where the environment says not to

PACKAGE = "{{ cookiecutter.module_name }}"
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


def main() -> int:
    commands = importlib.import_module(f"{PACKAGE}.__main__")
    modules = [f"{PACKAGE}.{module}" for module, _ in commands.available().values()]
    for module in [*modules, *LAZY]:
        with contextlib.suppress(ImportError):  # a command of an option this project lacks
            importlib.import_module(module)
    # DVC imports most of its code on demand: a status check walks the path a no-op repro takes.
    from dvc.cli import main as dvc

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        dvc(["status", "--quiet"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
