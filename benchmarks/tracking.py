"""Time what MLflow tracking adds to a cold `dvc repro`, and a `promote` end to end.

Each a median over fresh bakes: a cold `dvc repro` with tracking on (the default: a SQLite store in the
project) and off (`mlflow.enabled: false`), and the first `promote` after a tracked repro (register,
compare, set the alias, write the decision). evaluate logs in its own process; target: tracking adds
at most 3 s.
"""

import argparse
import resource
import statistics
import sys
import tempfile
from pathlib import Path

import yaml
from bench import bake, module_name, run, timed

ADDED_LIMIT = 3.0


def tracking_off(project: Path) -> Path:
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["mlflow"]["enabled"] = False
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    return project


def cpu_timed(*command) -> tuple[float, float]:
    """Wall seconds and the CPU seconds of the command's processes, which other work on the machine inflates less.

    The logging process that a repro's first stage starts is detached (not waited for), so its CPU is not counted.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = timed(run, *command)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def measure(root: Path, repeat: int) -> dict[str, tuple[float, float]]:
    tracked = [bake(root) for _ in range(repeat)]
    untracked = [tracking_off(bake(root)) for _ in range(repeat)]
    times = {
        "cold dvc repro, tracking off": [cpu_timed(project, "dvc", "repro") for project in untracked],
        "cold dvc repro, tracking on": [cpu_timed(project, "dvc", "repro") for project in tracked],
        "promote (first version)": [
            cpu_timed(project, "python", "-m", module_name(project), "promote") for project in tracked
        ],
    }
    return {
        name: (statistics.median(v[0] for v in values), statistics.median(v[1] for v in values))
        for name, values in times.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, metavar="N", help="fresh bakes per measurement (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cd4ml-tracking-") as root:
        results = measure(Path(root), max(args.repeat, 1))
    print(f"{'':<30} {'wall':>8} {'cpu':>8}")
    for name, (wall, cpu) in results.items():
        print(f"{name:<30} {wall:6.2f} s {cpu:6.2f} s")
    on, off = results["cold dvc repro, tracking on"], results["cold dvc repro, tracking off"]
    added = on[0] - off[0]
    verdict = "pass" if added <= ADDED_LIMIT else "FAIL"
    target = f"target <= {ADDED_LIMIT:.0f} s (wall): {verdict}"
    print(f"{'added by tracking':<30} {added:6.2f} s {on[1] - off[1]:6.2f} s   {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
