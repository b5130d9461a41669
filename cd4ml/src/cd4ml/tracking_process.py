"""evaluate's MLflow logging, in a process other than the stage's, ready before the stage needs it.

Importing MLflow and opening its store take about as long as the rest of an evaluation on small
data. Under `dvc repro`, evaluate claims the process that the repro's first stage made ready
(tracking_daemon.py); otherwise `python -m <package> evaluate` starts one of its own before the
stage's imports, so the two go on at once on two cores. Either way the stage hands over its results
and waits for the run's id before it replaces any file, exactly as when it logged itself.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from . import tracking_daemon
from .config import load_params, param
from .errors import PipelineError

_channel: socket.socket | subprocess.Popen | None = None


def start() -> None:
    """Claim the repro's logging process, or start one (which exits if mlflow.enabled is false)."""
    global _channel
    try:
        _channel = tracking_daemon.connect(load_params(), {"evaluate": os.getpid()})
    except PipelineError:  # the stage reports a bad params.yaml itself
        _channel = None
    if _channel is None:
        _channel = subprocess.Popen(
            [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )


def started() -> bool:
    return isinstance(_channel, socket.socket) or (
        isinstance(_channel, subprocess.Popen) and _channel.returncode is None
    )


def log(candidate: Path, scores: dict, passed: bool, plots: Path) -> str:
    """Hand the results over; the run's id, or a RuntimeError with the process's error."""
    global _channel
    request = {"candidate": str(candidate), "scores": scores, "passed": passed, "plots": str(plots)}
    channel, _channel = _channel, None
    output = _exchange(channel, json.dumps(request).encode() + b"\n").decode(errors="replace")
    answers = [line for line in output.splitlines() if line.startswith(tracking_daemon.ANSWER)]
    if not answers:
        raise RuntimeError("the logging process ended without an answer")
    answer = json.loads(answers[-1].removeprefix(tracking_daemon.ANSWER))
    if "error" in answer:
        raise RuntimeError(answer["error"])
    return answer["run"]


def _exchange(channel: socket.socket | subprocess.Popen, request: bytes) -> bytes:
    """Send the request; what the process answers (the repro's: one line, not its exit)."""
    if isinstance(channel, subprocess.Popen):
        return channel.communicate(request)[0]
    with channel, channel.makefile("rb") as answers:
        channel.sendall(request)
        return answers.readline()


def stop() -> None:
    """End a process that was never handed results (the stage failed first): it logs nothing."""
    global _channel
    channel, _channel = _channel, None
    if isinstance(channel, socket.socket):
        channel.close()
    elif channel is not None and channel.poll() is None:
        channel.communicate(b"", timeout=30)  # end of input: the process exits without a run


def serve() -> None:
    """The process evaluate starts: open the experiment now, log the results when they come."""
    params = load_params()
    if not param(params, "mlflow.enabled"):
        return
    opened = tracking_daemon.open_store(params)
    line = sys.stdin.readline()
    if line:
        sys.stdout.write(tracking_daemon.answer(params, opened, line))
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
