"""Command line: `python -m <package> <command>`; dvc.yaml runs each pipeline stage this way."""

import argparse
import importlib
import importlib.util
import sys

from .config import load_params
from .errors import PipelineError

COMMANDS = {
    "ingest": "read the bundled or raw data into one data set",
    "validate": "check the data set against contract.yaml and the reference profile",
    "featurize": "clean the data set and split it into train and test sets",
    "train": "fit the model named in params.yaml",
    "evaluate": "score the candidate model; keep it only if it passes the metric gate",
    "report": "write reports/report.html: metrics, plots, gates, lineage and params on one page",
    "profile": "refresh the reference profile from the current data set (deliberately)",
    "contract": "print a draft contract.yaml for the current data set",
    "promote": "register models/model.pkl and make it champion if it beats the current one",
    "rollback": "move the champion alias back to the previous champion or a named version",
    "lineage": "show the commit, data, params and metrics behind a registered version",
    "ui": "start the MLflow UI for this project's tracking store",
    "pull": "dvc pull for CI: without credentials, go on (bundled data) or name the secret to set",
    "compare": "write reports/pr.md: metrics, params, gates, data quality and plots against a base",
    "comment": "post reports/pr.md as the pull request's one comment, updated in place",
    "export": "write the champion as a folder a container can serve",
    "serve": "start the scoring service (MODEL_URI: a registry URI or an exported folder)",
    "monitor": "compare prediction logs with the training reference; exit 1 on drift",
    "alert": "open or update the one GitHub issue about drift with the monitoring report",
}
# Commands whose module lives in a subpackage; the others are modules of the same name.
MODULES = {name: f"serving.{name}" for name in ("export", "serve", "monitor", "alert")}
# Options of the commands that take any; each module's main() receives them as keyword arguments.
OPTIONS = {
    "rollback": {
        "--to": {"help": "the version to make champion (default: the previous champion)"},
        "--reason": {"default": "", "help": "why, recorded on the version"},
    },
    "lineage": {
        "version": {"nargs": "?", "default": "champion", "help": "a version number, or champion"},
        "--json": {"dest": "as_json", "action": "store_true", "help": "print JSON"},
    },
    "ui": {"--port": {"default": "5000", "help": "the port on 127.0.0.1"}},
    "pull": {"--run-cache": {"action": "store_true", "help": "also pull DVC's run cache"}},
    "compare": {
        "--base": {"default": "main", "help": "the revision to compare with"},
        "--out": {"default": "reports/pr.md", "help": "the Markdown file to write"},
    },
    "comment": {"--file": {"default": "reports/pr.md", "help": "the Markdown report to post"}},
    "export": {"--to": {"default": "build/model", "help": "the folder to write"}},
    "serve": {
        "--host": {"default": "127.0.0.1", "help": "the address to listen on"},
        "--port": {"default": "8000", "help": "the port to listen on"},
    },
    "monitor": {
        "--logs": {
            "help": "a log file, folder or URL (default: $PREDICTION_LOGS, then monitor.logs)"
        },
        "--labels": {"help": "a CSV file of true labels: columns id,label"},
    },
}


def baked(module: str) -> bool:
    """Whether a command's module exists: a project baked without an option lacks its modules."""
    try:
        return importlib.util.find_spec(f"{__package__}.{module}") is not None
    except ModuleNotFoundError:  # its subpackage is not there either
        return False


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=f"python -m {__package__}", description=__doc__)
    debug = argparse.ArgumentParser(add_help=False)
    debug.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    for name, summary in COMMANDS.items():
        if not baked(MODULES.get(name, name)):
            continue  # a command of an option this project was baked without
        command = commands.add_parser(name, help=summary, parents=[debug])
        for flag, settings in OPTIONS.get(name, {}).items():
            command.add_argument(flag, **settings)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    options = {key: value for key, value in vars(args).items() if key not in ("command", "debug")}
    try:
        module = MODULES.get(args.command, args.command)
        command = importlib.import_module(f"{__package__}.{module}")
        command.main(load_params(), **options)
    except PipelineError as error:
        if args.debug:
            raise
        print(f"error: {error}", file=sys.stderr)
        return error.exit_status
    return 0


if __name__ == "__main__":
    sys.exit(main())
