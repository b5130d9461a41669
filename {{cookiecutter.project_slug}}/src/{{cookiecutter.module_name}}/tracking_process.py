"""evaluate's MLflow logging, in a process of its own that starts before the stage's imports.

Importing MLflow and opening (on a first run, creating) its store take about as long as the rest of
an evaluation on small data. `python -m <package> evaluate` starts this process first, so the two go
on at once on two cores. The stage hands over its results and waits for the run's id before it
replaces any file, exactly as when it logged in its own process.
"""

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

from . import tracking_store

ANSWER = "tracking-process-answer: "  # marks the one line of stdout that holds the answer
_process: subprocess.Popen | None = None


def start() -> None:
    """Start the logging process; it exits at once when mlflow.enabled is false."""
    global _process
    _process = subprocess.Popen(
        [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def started() -> bool:
    return _process is not None and _process.returncode is None


def log(candidate: Path, scores: dict, passed: bool, plots: Path) -> str:
    """Hand the results over; the run's id, or a RuntimeError with the process's error."""
    global _process
    request = {"candidate": str(candidate), "scores": scores, "passed": passed, "plots": str(plots)}
    process, _process = _process, None
    output, _ = process.communicate(json.dumps(request) + "\n")
    answers = [line for line in output.splitlines() if line.startswith(ANSWER)]
    if not answers:
        raise RuntimeError(f"the logging process ended with exit status {process.returncode}")
    answer = json.loads(answers[-1].removeprefix(ANSWER))
    if "error" in answer:
        raise RuntimeError(answer["error"])
    return answer["run"]


def stop() -> None:
    """End a process that was never handed results (the stage failed first): it logs nothing."""
    global _process
    process, _process = _process, None
    if process is not None and process.poll() is None:
        process.communicate("", timeout=30)  # end of input: the process exits without a run


def serve() -> None:
    """The process: open the experiment now, log the results when they come, answer one line."""
    from . import tracking
    from .config import load_params, param

    params = load_params()
    if not param(params, "mlflow.enabled"):
        return
    try:
        experiment = tracking.open_experiment(params)
    except Exception as error:  # MLflow raises many types for a store it cannot use
        experiment, failure = None, error
    line = sys.stdin.readline()
    if not line:
        return
    if experiment is None:
        answer = {"error": str(failure)}
    else:
        request = json.loads(line)
        try:
            run = tracking.log_evaluation(
                params, Path(request["candidate"]), request["scores"], request["passed"],
                Path(request["plots"]), experiment,
            )  # fmt: skip
            answer = {"run": run}
        except Exception as error:
            answer = {"error": str(error)}
    print(ANSWER + json.dumps(answer), flush=True)


def create_store(params: dict) -> None:
    """Build a missing local store (tracking_store.py starts this in the background)."""
    from . import tracking

    database = tracking_store.missing_store(tracking_store.tracking_uri(params))
    if database is None:
        return
    # On any failure the stage that needs the store creates it, and reports what went wrong.
    with contextlib.suppress(Exception), tracking_store.building(database) as temporary:
        os.environ["MLFLOW_TRACKING_URI"] = tracking_store.SQLITE + str(temporary)
        tracking.open_experiment(params)


if __name__ == "__main__":
    if sys.argv[1:] == ["--create-store"]:
        from .config import load_params

        create_store(load_params())
    else:
        serve()
