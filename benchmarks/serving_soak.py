"""The soak of the serving benchmark: the service under load with bad clients among the good, and
its resident memory once a second."""

import subprocess
import time
from pathlib import Path

from servers import finish_load, start_load

SOAK_CONCURRENCY, BAD_EVERY = 16, 10


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]) / 1024


def soak(
    served: subprocess.Popen, port: int, bodies: Path, bad: Path, seconds: float, cap: int
) -> tuple[dict, list[float]]:
    """Load ours for seconds from load.py, clients 0 and BAD_EVERY sending bad bodies, while reading its
    RSS once a second."""
    extra = ("--bad-body-file", str(bad), "--bad-every", str(BAD_EVERY))
    load = start_load("threads", port, "/predict", bodies, seconds, cap, SOAK_CONCURRENCY, *extra)
    samples, tick = [], time.monotonic()
    deadline = tick + seconds + 60
    while load.poll() is None and served.poll() is None and tick < deadline:
        samples.append(rss_mb(served.pid))
        tick += 1
        time.sleep(max(0.0, tick - time.monotonic()))
    return finish_load(load, served, "ours (soak)", seconds), samples


def bad_bodies(rows: list[dict]) -> list:
    """Values a careless or hostile client sends: each is refused, or scored, but never crashes."""
    row = rows[0]
    numbers = [name for name, value in row.items() if isinstance(value, float)]
    first = numbers[0]
    bodies = [{**row, name: 3e38} for name in numbers]  # schema-valid; may overflow once scaled
    bodies += [{**row, first: "12"}, {**row, first: True}, {**row, first: float("nan")}]
    bodies += [{**row, "unknown": 1}, {key: value for key, value in row.items() if key != first}]
    return bodies
