"""Time a baked project's `make setup` with uv's cache warm, and a no-op `dvc repro` afterwards.

Medians over fresh bakes: `make setup` (a virtual environment, the locked dependencies, and the
byte-compiling of what the commands import), then, with PYTHONDONTWRITEBYTECODE=1 as on CI machines
and in containers, a cold `dvc repro` followed by no-op ones. Targets: setup at most 10 s (warm cache),
a no-op repro at most 1 s.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import bake

SETUP_LIMIT, NOOP_LIMIT = 10.0, 1.0


def timed_command(project: Path, command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"error: `{' '.join(command)}` failed in {project}:\n{result.stderr[-2000:]}")
    return time.perf_counter() - started


def measure(root: Path, repeat: int) -> tuple[list[float], list[float]]:
    setups, noops = [], []
    for _ in range(repeat):
        project = bake(root)
        base = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PYTHONPATH")}
        setups.append(timed_command(project, ["make", "setup"], {**base, "PYTHONDONTWRITEBYTECODE": "1"}))
        venv = {**base, "PYTHONDONTWRITEBYTECODE": "1", "PATH": f"{project / '.venv/bin'}{os.pathsep}{base['PATH']}"}
        timed_command(project, ["dvc", "repro"], venv)
        noops += [timed_command(project, ["dvc", "repro"], venv) for _ in range(3)]
    return setups, noops


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, metavar="N", help="fresh bakes (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cd4ml-setup-") as root:
        setups, noops = measure(Path(root), max(args.repeat, 1))
    rows = (("make setup (warm cache)", setups, SETUP_LIMIT), ("no-op dvc repro", noops, NOOP_LIMIT))
    for name, values, limit in rows:
        median = statistics.median(values)
        verdict = "pass" if median <= limit else "FAIL"
        print(f"{name:<26} n={len(values)}  {median:6.2f} s   target <= {limit:.0f} s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
