"""Time the template: baking it, and running the baked pipeline with and without DVC.

Measures, each as a median over fresh bakes in a temporary folder:
  bake             cookiecutter with the default answers
  cold dvc repro   `dvc repro` in a fresh bake
  no-op dvc repro  `dvc repro` again, right after a cold one
  plain stages     each stage's command from dvc.yaml, in order, without DVC
and checks two targets: a no-op repro takes at most 1 s, and a cold repro at most 1.25 x the plain stages.
"""

import argparse
import contextlib
import importlib.metadata
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent
NOOP_LIMIT = 1.0
COLD_RATIO_LIMIT = 1.25


@contextlib.contextmanager
def quiet_stdout():
    """Silence file descriptor 1, which the bake hooks print to from their own processes."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def timed(action, *args) -> float:
    start = time.perf_counter()
    action(*args)
    return time.perf_counter() - start


def bake(root: Path) -> Path:
    with quiet_stdout():
        return Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=tempfile.mkdtemp(dir=root)))


def run(project: Path, *command: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(project / "src"))
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-20:])
        sys.exit(f"error: `{' '.join(command)}` failed with exit code {result.returncode} in {project}\n{tail}")


def module_name(project: Path) -> str:
    """The baked package: the one folder with an __init__.py under src/."""
    return next(path.name for path in (project / "src").iterdir() if (path / "__init__.py").exists())


def plain_stages(project: Path) -> None:
    """Every stage's command from dvc.yaml, in order, without DVC."""
    for stage in yaml.safe_load((project / "dvc.yaml").read_text())["stages"].values():
        run(project, *stage["cmd"].split())


def measure(root: Path, repeat: dict[str, int]) -> dict[str, tuple[int, float]]:
    baked = [bake(root) for _ in range(repeat["cold"])]
    runs = {
        "bake": [timed(bake, root) for _ in range(repeat["bake"])],
        "cold dvc repro": [timed(run, project, "dvc", "repro") for project in baked],
        "no-op dvc repro": [timed(run, baked[-1], "dvc", "repro") for _ in range(repeat["noop"])],
        "plain stages": [timed(plain_stages, bake(root)) for _ in range(repeat["plain"])],
    }
    return {name: (len(times), statistics.median(times)) for name, times in runs.items()}


def report(results: dict[str, tuple[int, float]]) -> None:
    plain = results["plain stages"][1]
    cold, noop = results["cold dvc repro"][1], results["no-op dvc repro"][1]
    checks = {
        "cold dvc repro": (f"<= {COLD_RATIO_LIMIT:.2f} x plain", cold / plain <= COLD_RATIO_LIMIT),
        "no-op dvc repro": (f"<= {NOOP_LIMIT:.2f} s", noop <= NOOP_LIMIT),
    }
    row = "{:<16} {:>3} {:>9} {:>8}  {:<18} {}"
    print(row.format("measurement", "n", "median", "x plain", "target", "result"))
    for name, (count, median) in results.items():
        target, ok = checks.get(name, ("-", None))
        result = "-" if ok is None else ("pass" if ok else "FAIL")
        print(row.format(name, count, f"{median:.2f} s", f"{median / plain:.2f}", target, result))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, metavar="N", help="repeat every measurement N times (default 5/3/5/3)")
    args = parser.parse_args()
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    repeat = {"bake": 5, "cold": 3, "noop": 5, "plain": 3}
    if args.repeat:
        repeat = dict.fromkeys(repeat, args.repeat)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    dvc = importlib.metadata.version("dvc")
    print(f"{platform.machine()}, nproc {cpus}, Python {platform.python_version()}, DVC {dvc}\n", flush=True)
    with tempfile.TemporaryDirectory(prefix="cd4ml-bench-") as root:
        report(measure(Path(root), repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
