"""evaluate's MLflow logging, made ready by the first stage of a `dvc repro`.

Importing MLflow and opening its store take longer than evaluating a small data set. Under
`dvc repro` (which sets DVC_STAGE and DVC_ROOT), the first stage before evaluate starts this
process. It creates a missing local store, opens the experiment, and waits on 127.0.0.1 for
evaluate to claim it. Each later stage tells it that the repro goes on; once no stage has been
alive for GRACE seconds, it exits unused. Whatever goes wrong here costs only time: evaluate
then logs through a process of its own (tracking_process.py).
"""

import contextlib
import hashlib
import json
import os
import secrets
import select
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from . import tracking_store
from .config import load_params

STATE = Path(".dvc", "tmp", "cd4ml-tracking.json")  # under DVC_ROOT: the port and a secret token
# Seconds without a live stage of the repro before an unclaimed process exits (tests shorten it).
GRACE = float(os.environ.get("CD4ML_TRACKING_GRACE", "30"))
MESSAGE_LIMIT = 4096  # bytes of a claim; a longer one is not ours
ANSWER = "tracking-process-answer: "  # marks the one line of output that holds the answer


def state_file() -> Path | None:
    """Where this repro's logging process says how to reach it; None outside `dvc repro`."""
    root = os.environ.get("DVC_ROOT")
    return Path(root, STATE) if root and os.environ.get("DVC_STAGE") else None


def fingerprint(params: dict) -> str:
    """What evaluate and the process must agree on: the project folder (paths are relative to it),
    the store (params.yaml's, or the environment's override), and every parameter it logs."""
    overridden = os.environ.get("MLFLOW_TRACKING_URI")
    text = json.dumps([os.getcwd(), overridden, params], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def connect(params: dict, message: dict) -> socket.socket | None:
    """A connection to this repro's process, which said yes to the message; else None."""
    file = state_file()
    try:
        state = json.loads(file.read_text()) if file else {}
        connection = socket.create_connection(("127.0.0.1", int(state["port"])), timeout=5)
    except (OSError, ValueError, KeyError, TypeError):  # none, or one that has ended
        return None
    message = {**message, "token": state.get("token"), "fingerprint": fingerprint(params)}
    try:
        connection.sendall(json.dumps(message).encode() + b"\n")
        agreed = connection.makefile("rb").readline().strip() == b"yes"
    except OSError:
        agreed = False
    if not agreed:
        connection.close()
        return None
    connection.settimeout(None)
    return connection


def keep_or_start(params: dict) -> None:
    """A stage before evaluate: tell the repro's logging process that it runs, or start one."""
    if not (params.get("mlflow") or {}).get("enabled") or state_file() is None or os.name == "nt":
        return  # on Windows, tracking_store.running cannot tell when the repro is over
    connection = connect(params, {"stage": os.getpid()})
    if connection is not None:
        connection.close()
        return
    subprocess.Popen(
        [sys.executable, "-m", __name__, str(os.getpid())],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a stage's end, or its Ctrl-C, is not this process's
    )


def create_store(params: dict) -> None:
    """Build a missing local store under a temporary name (tracking_store.building)."""
    from . import tracking

    database = tracking_store.missing_store(tracking_store.tracking_uri(params))
    if database is None:
        return
    configured = os.environ.get("MLFLOW_TRACKING_URI")
    # On any failure the process that opens the store creates it, and reports what went wrong.
    with contextlib.suppress(Exception), tracking_store.building(database) as temporary:
        os.environ["MLFLOW_TRACKING_URI"] = tracking_store.SQLITE + str(temporary)
        tracking.open_experiment(params)
    os.environ.pop("MLFLOW_TRACKING_URI", None)
    if configured is not None:
        os.environ["MLFLOW_TRACKING_URI"] = configured


def open_store(params: dict) -> dict:
    """{"experiment": id} of the configured experiment, or {"error": why it cannot be opened}."""
    from . import tracking

    try:
        return {"experiment": tracking.open_experiment(params)}
    except Exception as error:  # MLflow raises many types for a store it cannot use
        return {"error": str(error)}


def answer(params: dict, opened: dict, line: str) -> str:
    """The answer line to evaluate's request: the run's id, or the error that stopped it."""
    from . import tracking

    result = {"error": opened["error"]} if "error" in opened else {}
    if not result:
        request = json.loads(line)
        try:
            run = tracking.log_evaluation(
                params, Path(request["candidate"]), request["scores"], request["passed"],
                Path(request["plots"]), opened["experiment"],
            )  # fmt: skip
            result = {"run": run}
        except Exception as error:
            result = {"error": str(error)}
    return ANSWER + json.dumps(result) + "\n"


def serve(stage: int) -> None:
    """The process: get ready in a thread, meanwhile answer stages until evaluate claims it."""
    params, opened = load_params(), {}
    expected = fingerprint(params)  # before create_store points MLFLOW_TRACKING_URI elsewhere
    ready = threading.Thread(target=_get_ready, args=(params, opened), daemon=True)
    ready.start()
    with socket.create_server(("127.0.0.1", 0)) as server:
        token = secrets.token_hex(16)
        state = {"port": server.getsockname()[1], "token": token, "pid": os.getpid()}
        _publish(state_file(), state)
        evaluate = _wait_for_evaluate(server, token, expected, [stage])
    _unpublish(state_file(), token)
    ready.join()
    if evaluate is not None:
        with evaluate:
            _log(evaluate, params, opened)


def _get_ready(params: dict, opened: dict) -> None:
    with contextlib.suppress(Exception):  # opening the store then says what is wrong
        create_store(params)
    opened.update(open_store(params))


def _wait_for_evaluate(server, token: str, expected: str, stages: list[int]):
    """evaluate's connection, once it claims the process; None when the repro is over."""
    last_alive = time.monotonic()
    while True:
        if select.select([server], [], [], 0.2)[0]:
            connection, _ = server.accept()
            message = _read_message(connection, token, expected)
            if "evaluate" in message:
                return connection
            if "stage" in message:
                stages.append(int(message["stage"]))
            connection.close()
        stages[:] = [pid for pid in stages if tracking_store.running(pid)]
        if stages:
            last_alive = time.monotonic()
        elif time.monotonic() - last_alive > GRACE:
            return None


def _read_message(connection: socket.socket, token: str, expected: str) -> dict:
    """The message of a caller that knows the token and agrees on the fingerprint; else {}."""
    connection.settimeout(5)
    try:
        message = json.loads(connection.makefile("rb").readline(MESSAGE_LIMIT))
        agreed = secrets.compare_digest(str(message.get("token")), token)
        agreed = agreed and message.get("fingerprint") == expected
        connection.sendall(b"yes\n" if agreed else b"no\n")
    except (OSError, ValueError, AttributeError):
        return {}
    connection.settimeout(None)
    return message if agreed else {}


def _log(connection: socket.socket, params: dict, opened: dict) -> None:
    """Log evaluate's results; if evaluate dies first (kill -9), die with it, as its child would."""
    line = connection.makefile("r").readline()
    if not line:
        return  # evaluate failed before it had results: no run
    watcher = threading.Thread(target=_exit_when_closed, args=(connection,), daemon=True)
    watcher.start()
    connection.sendall(answer(params, opened, line).encode())


def _exit_when_closed(connection: socket.socket) -> None:
    select.select([connection], [], [])  # evaluate sends nothing more: readable means it is gone
    with contextlib.suppress(OSError):
        if connection.recv(1, socket.MSG_PEEK):
            return
    os._exit(1)


def _publish(file: Path, state: dict) -> None:
    """Write the state file whole, readable by this user only: the token guards the port."""
    file.parent.mkdir(parents=True, exist_ok=True)
    temporary = file.with_name(f"{file.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(state, handle)
    os.replace(temporary, file)


def _unpublish(file: Path, token: str) -> None:
    """Remove the state file if it is still this process's, not a newer one's."""
    with contextlib.suppress(OSError, ValueError):
        if json.loads(file.read_text()).get("token") == token:
            file.unlink()


if __name__ == "__main__":
    if sys.argv[1:] == ["--create-store"]:
        create_store(load_params())
    else:
        serve(int(sys.argv[1]))
