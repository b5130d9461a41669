"""Command line: `cd4ml <command>`, or `python -m <project package> <command>` in a project.

Each command is a module with a `main(params, **options)`. Its docstring's first line is its help,
and an optional `arguments(parser)` adds its options. Only the chosen command's module is imported,
so a stage pays for its own imports alone.
"""

import argparse
import ast
import importlib
import importlib.util
import sys

from . import compute
from .config import load_params
from .errors import PipelineError, redact, shorten
from .project import program

# The modules that are commands, in the order `--help` lists them; `ci.pr_report` is `pr-report`.
COMMANDS = [
    "pipeline.ingest",
    "pipeline.validate",
    "pipeline.featurize",
    "pipeline.train",
    "pipeline.evaluate",
    "pipeline.report",
    "adopt.adopt",
    "quality.profile",
    "quality.contract",
    "registry.promote",
    "registry.rollback",
    "registry.lineage",
    "registry.ui",
    "ci.pull",
    "ci.pr_report",
    "ci.pr_comment",
    "batch.predict",
    "serving.export",
    "serving.serve",
    "serving.smoke",
    "serving.monitor",
    "serving.alert",
    "maintenance.upgrade",
]


def command_name(module: str) -> str:
    return module.rpartition(".")[2].replace("_", "-")


def summary(spec) -> str:
    """The first line of a module's docstring, read without importing the module."""
    with open(spec.origin, encoding="utf-8") as source:
        docstring = ast.get_docstring(ast.parse(source.read())) or ""
    return docstring.partition("\n")[0].removeprefix(f"{command_name(spec.name)}: ")


def available() -> dict[str, tuple[str, object]]:
    """Command name -> its module and the module's spec, in the order `--help` lists them."""
    return {
        command_name(module): (module, importlib.util.find_spec(f"{__package__}.{module}"))
        for module in COMMANDS
    }


def parse(argv: list[str]) -> tuple[argparse.Namespace, object]:
    """The parsed arguments, and the chosen command's module."""
    parser = argparse.ArgumentParser(prog=program(), description="The commands of this project.")
    debug = argparse.ArgumentParser(add_help=False)
    debug.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="command")
    commands = available()
    chosen = next((word for word in argv if not word.startswith("-")), None)
    module = None
    for name, (path, spec) in commands.items():
        command = subparsers.add_parser(name, help=summary(spec), parents=[debug])
        if name == chosen:
            module = importlib.import_module(f"{__package__}.{path}")
            if hasattr(module, "arguments"):
                module.arguments(command)
    return parser.parse_args(argv), module


def out_of_memory(argv: list[str]) -> str:
    """What to do when a command's data does not fit in this process's memory."""
    chosen = next((word for word in argv if not word.startswith("-")), "the command")
    try:
        engine = compute.engine(load_params())
    except PipelineError:
        engine = "pandas"
    if engine == "pandas":
        way_out = "for data larger than this machine's memory, set compute.engine: dask"
    else:
        way_out = "lower compute.partition_mb, so that each task holds less"
    return f"{chosen}: out of memory; {way_out} in params.yaml (README: Scaling out with Dask)"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        args, command = parse(argv)
        options = vars(args)
        del options["command"], options["debug"]
        command.main(load_params(), **options)
    except PipelineError as error:
        if debug:
            raise
        for line in getattr(error, "lines", None) or [str(error)]:
            print(f"error: {shorten(redact(line).replace(chr(10), ' '), 600)}", file=sys.stderr)
        return error.exit_status
    except MemoryError:  # numpy's and pyarrow's out-of-memory errors derive from it
        if debug:
            raise
        print(f"error: {out_of_memory(argv)}", file=sys.stderr)
        return 2
    except OSError as error:  # a read-only or full disk, a vanished file: name it, no traceback
        if debug or error.strerror is None:
            raise
        where = error.filename if error.filename is not None else "a file"
        print(f"error: {redact(str(where))}: {error.strerror}", file=sys.stderr)
        return 2
    return 0


def run() -> None:
    """The `cd4ml` console script."""
    sys.exit(main())


if __name__ == "__main__":
    run()
