"""Time the pull-request job for a param change and for a docs-only change.

A bake with a local DVC remote is reproduced, pushed (data and run cache) and committed as `main`; a
fresh clone then plays the job's steps after installation (pull with run cache, repro, the data and model
suites, the report, the plots page), once on a branch that changes a training param and once on a branch
that changes only the README. A docs-only change must retrain nothing.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from bench import bake, module_name, run

STEPS = [
    ("pull", ["python", "-m", "{module}", "pull", "--run-cache"]),
    ("repro", ["dvc", "repro"]),
    ("suites", ["python", "-m", "pytest", "-q", "tests/data", "tests/model"]),
    ("report", ["python", "-m", "{module}", "pr-report", "--base", "origin/main"]),
    ("plots", ["dvc", "plots", "diff", "origin/main", "--out", "dvc_plots"]),
]


def job(workspace: Path, module: str) -> tuple[float, int]:
    """Seconds for the job's steps, and how many stages `dvc repro` ran."""
    started, stages = time.perf_counter(), 0
    for name, command in STEPS:
        result = subprocess.run([part.format(module=module) for part in command], cwd=workspace, capture_output=True,
                                text=True, env=bench_env(workspace))  # fmt: skip
        if result.returncode != 0:
            sys.exit(f"error: {name} failed in {workspace}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
        if name == "repro":
            stages = result.stdout.count("Running stage")
    return time.perf_counter() - started, stages


def bench_env(project: Path) -> dict:
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "PYTHONPATH": str(project / "src"),
    }


def branch(origin: Path, root: Path, name: str, change) -> Path:
    workspace = root / name
    subprocess.run(["git", "clone", "-q", str(origin), str(workspace)], check=True)
    subprocess.run(["git", "checkout", "-qb", name], cwd=workspace, check=True)
    change(workspace)
    subprocess.run(["git", "commit", "-qam", name], cwd=workspace, check=True)
    return workspace


def param_change(workspace: Path) -> None:
    params = yaml.safe_load((workspace / "params.yaml").read_text())
    params["train"]["random_forest"]["max_depth"] = 4
    (workspace / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def docs_change(workspace: Path) -> None:
    with open(workspace / "README.md", "a") as readme:
        readme.write("\nA line of documentation.\n")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="cd4ml-pr-") as temporary:
        root = Path(temporary)
        project = bake(root)
        module = module_name(project)
        run(project, "dvc", "remote", "add", "-f", "-d", "storage", str(root / "store"))
        run(project, "dvc", "repro")
        run(project, "dvc", "push", "--run-cache")
        run(project, "git", "add", "-A")
        run(project, "git", "commit", "-qm", "main")
        origin = root / "origin.git"
        subprocess.run(["git", "clone", "-q", "--bare", str(project), str(origin)], check=True)
        print(f"{'change':<14} {'seconds':>8} {'stages run':>11}")
        for name, change in (("param change", param_change), ("docs only", docs_change)):
            results = [job(branch(origin, root, f"{name.replace(' ', '-')}-{n}", change), module) for n in range(3)]
            seconds = statistics.median(seconds for seconds, _ in results)
            print(f"{name:<14} {seconds:>8.1f} {results[0][1]:>11}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
