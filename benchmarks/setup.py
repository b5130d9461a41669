"""Time a baked project's `make setup` with uv's cache warm, and a no-op `dvc repro` afterwards.

Medians over fresh bakes: `make setup` (a virtual environment, the locked dependencies, the cd4ml
library from the template and the project's package), once with uv on PATH (`uv venv`) and once without
(`python -m venv`, then pip installs uv first), then, with PYTHONDONTWRITEBYTECODE=1 as on CI
machines and in containers, a cold `dvc repro` followed by no-op ones. Wall and CPU seconds side by
side: a machine shared with other work inflates the first. Targets: setup at most 10 s with uv on
PATH and its cache warm, a no-op repro at most 1 s.
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


def timed_command(project: Path, command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (of the command's processes) of one command."""
    before = os.times()
    started = time.perf_counter()
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"error: `{' '.join(command)}` failed in {project}:\n{result.stderr[-2000:]}")
    after = os.times()
    cpu = after.children_user - before.children_user + after.children_system - before.children_system
    return time.perf_counter() - started, cpu


def without_uv(path: str) -> str:
    """PATH without the folders that hold a `uv`."""
    return os.pathsep.join(folder for folder in path.split(os.pathsep) if not (Path(folder) / "uv").exists())


def measure(root: Path, repeat: int) -> dict[str, list[tuple[float, float]]]:
    base = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PYTHONPATH")}
    base["PYTHONDONTWRITEBYTECODE"] = "1"
    paths = {
        "make setup, uv on PATH": f"{Path(sys.executable).parent}{os.pathsep}{without_uv(base['PATH'])}",
        "make setup, no uv on PATH": without_uv(base["PATH"]),
    }
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in [*paths, "no-op dvc repro"]}
    for _ in range(repeat):
        for name, path in paths.items():
            project = bake(root)
            times[name].append(timed_command(project, ["make", "setup"], {**base, "PATH": path}))
        venv = {**base, "PATH": f"{project / '.venv/bin'}{os.pathsep}{base['PATH']}"}
        timed_command(project, ["dvc", "repro"], venv)
        times["no-op dvc repro"] += [timed_command(project, ["dvc", "repro"], venv) for _ in range(3)]
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, metavar="N", help="fresh bakes (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cd4ml-setup-") as root:
        times = measure(Path(root), max(args.repeat, 1))
    limits = {"make setup, uv on PATH": SETUP_LIMIT, "no-op dvc repro": NOOP_LIMIT}
    print(f"{'measurement':<27} {'n':>3} {'wall s':>8} {'cpu s':>8}  target")
    for name, values in times.items():
        wall = statistics.median(wall for wall, _ in values)
        cpu = statistics.median(cpu for _, cpu in values)
        limit = limits.get(name)
        verdict = f"wall <= {limit:.0f} s: {'pass' if wall <= limit else 'FAIL'}" if limit else "-"
        print(f"{name:<27} {len(values):>3} {wall:8.2f} {cpu:8.2f}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
