"""Start, stop, call and load local servers for the serving benchmarks; measure the CPU they use."""

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLIENTS = {"threads": HERE / "load.py", "asyncio": HERE / "load_async.py"}
START_TIMEOUT = 120  # seconds for a server to become ready
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(port: int, method: str, path: str, body=None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        data = None if body is None else json.dumps(body)
        connection.request(method, path, body=data, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group, SIGKILL after 15 s."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
            return


@contextlib.contextmanager
def server(name: str, command: list, cwd: Path, env: dict, port: int, ready: str, log: Path):
    """Start a server in a new session, wait until GET ready answers 200, and stop its group on exit."""
    with open(log, "w") as output:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            with contextlib.suppress(OSError):
                if call(port, "GET", ready)[0] == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                tail = "\n".join(log.read_text().strip().splitlines()[-20:])
                sys.exit(f"error: {name} did not start on port {port}\n{tail}")
            time.sleep(0.3)
        yield process
    finally:
        stop(process)


def group_cpu_seconds(group: int) -> float:
    """CPU seconds (user and system, with those of reaped children) of the processes in a group."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rpartition(")")[2].split()
            if int(fields[2]) == group:
                total += sum(int(value) for value in fields[11:15])
    return total / TICKS


def start_load(client: str, port: int, path: str, bodies: Path, seconds: float, cap: int, concurrency: int, *extra):
    options = ["--body-file", str(bodies), "--concurrency", str(concurrency)]
    options += ["--seconds", str(seconds), "--max-requests", str(cap), *extra]
    command = [sys.executable, str(CLIENTS[client]), "--url", f"http://127.0.0.1:{port}{path}", *options]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def finish_load(load: subprocess.Popen, served: subprocess.Popen, name: str, seconds: float) -> dict:
    try:
        out, _ = load.communicate(timeout=seconds + 60)
    except subprocess.TimeoutExpired:
        load.kill()
        load.communicate()
        sys.exit(f"error: the load generator did not finish loading {name}")
    if load.returncode != 0 or served.poll() is not None:
        sys.exit(f"error: loading {name} failed (load generator exit {load.returncode}, server {served.poll()})")
    return json.loads(out)


def loaded(client: str, served: subprocess.Popen, name: str, port: int, path: str, bodies: Path, seconds: float,
           cap: int, concurrency: int) -> dict:  # fmt: skip
    """The load generator's figures, with the CPU the server's process group used per second and the
    machine's load average of the last minute at the end."""
    before = group_cpu_seconds(served.pid)
    load = start_load(client, port, path, bodies, seconds, cap, concurrency)
    result = finish_load(load, served, name, seconds)
    result["server_cpu"] = round((group_cpu_seconds(served.pid) - before) / result["seconds"], 3)
    result["load_average"] = os.getloadavg()[0]  # what else ran meanwhile, this load included
    return result
