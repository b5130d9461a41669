"""Command line: `python -m <package> <command>`; dvc.yaml runs each pipeline stage this way."""

import argparse
import importlib
import sys

from .config import load_params
from .errors import PipelineError

COMMANDS = {
    "ingest": "read the bundled or raw data into one data set",
    "validate": "check the data set against contract.yaml and the reference profile",
    "featurize": "clean the data set and split it into train and test sets",
    "train": "fit the model named in params.yaml",
    "evaluate": "score the candidate model; keep it only if it passes the metric gate",
    "profile": "refresh the reference profile from the current data set (deliberately)",
    "contract": "print a draft contract.yaml for the current data set",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {__package__}", description=__doc__)
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    for name, summary in COMMANDS.items():
        commands.add_parser(name, help=summary, parents=[options])
    args = parser.parse_args(argv)
    try:
        command = importlib.import_module(f"{__package__}.{args.command}")
        command.main(load_params())
    except PipelineError as error:
        if args.debug:
            raise
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
