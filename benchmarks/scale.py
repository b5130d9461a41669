"""Both compute engines on generated data: seconds per stage and peak memory, at growing row counts.

A default bake gets --rows rows x 30 numeric columns and a 0/1 target (a noisy linear rule), written as parquet
files of 500,000 rows under data/raw; its contract and reference profile are drafted from a 100,000-row sample
with the project's own functions. Then, for each engine, every stage runs by its own command with MLflow off:
pandas trains gradient_boosting, dask trains lightgbm on a LocalCluster of 2 workers x 1 thread, memory_limit
--memory-limit. Peak RSS is the stage process's own (the client) and the largest of its children (the Dask
workers and their nannies). Targets (issue #14): at the largest size every Dask process stays under 1.2 GB, and
at 1,000,000 rows the Dask engine takes at most 2x the pandas engine's time.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from bench import bake, module_name, run

COLUMNS = 30
FILE_ROWS = 500_000
STAGES = ("ingest", "validate", "featurize", "train", "evaluate")
MODELS = {"pandas": "gradient_boosting", "dask": "lightgbm"}
RSS_LIMIT_MB, TIME_RATIO_LIMIT = 1200, 2.0
# Runs one stage and prints its own peak RSS and its children's (Linux reports KiB).
PROBE = (
    "import resource, runpy, sys; sys.argv = ['x', sys.argv[1]]\n"
    "try:\n    runpy.run_module('{module}', run_name='__main__')\n"
    "except SystemExit as stop:\n    assert not stop.code, stop.code\n"
    "own, children = (resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))\n"
    "print(f'RSS {{own / 1024:.0f}} {{children / 1024:.0f}}', file=sys.stderr)\n"
)


def generate(raw: Path, rows: int) -> None:
    """rows rows in files of FILE_ROWS; a file at a time, so memory stays that of one file."""
    weights = np.random.default_rng(0).normal(size=COLUMNS)
    for index, start in enumerate(range(0, rows, FILE_ROWS)):
        generator = np.random.default_rng(index + 1)
        values = generator.normal(size=(min(FILE_ROWS, rows - start), COLUMNS)).round(5)
        target = (values @ weights + generator.normal(scale=2.0, size=len(values)) > 0).astype("int64")
        frame = pd.DataFrame(values, columns=[f"x{i:02d}" for i in range(COLUMNS)]).assign(target=target)
        frame.to_parquet(raw / f"part-{index:04d}.parquet", index=False)


def draft(project: Path, rows: int) -> None:
    """contract.yaml and the reference profile from a sample, with the library's functions."""
    from cd4ml.quality import contract, profile

    sample = pd.read_parquet(project / "data/raw/part-0000.parquet").head(100_000)
    drafted = contract.draft(sample, "target", "classification")
    drafted["dataset"]["rows"] = {"min": 1, "max": rows * 10}
    (project / "contract.yaml").write_text(contract.render(drafted))
    (project / "data/reference/profile.json").write_text(json.dumps(profile.make_profile(sample, "target")))
    sys.path.pop(0)


def configure(project: Path, engine: str, memory_limit: str) -> None:
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["ingest"]["source"] = "raw"
    params["mlflow"]["enabled"] = False
    params["evaluate"].update(thresholds={}, baseline_margin=0.0)  # generated data: timing, not a gate
    params["train"]["model"] = MODELS[engine]
    params["compute"].update(engine=engine, workers=2, threads_per_worker=1, memory_limit=memory_limit)
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def stage(project: Path, name: str) -> tuple[float, float, float]:
    """(seconds, client MB, largest child MB) of one stage, run by its own command."""
    probe = PROBE.format(module=module_name(project))
    env = dict(os.environ, PYTHONPATH=str(project / "src"))
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", probe, name], cwd=project, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"error: {name} failed in {project}:\n" + "\n".join(result.stderr.splitlines()[-15:]))
    own, children = result.stderr.strip().splitlines()[-1].split()[1:]
    return seconds, float(own), float(children)


def measure(root: Path, rows: int, engines: list[str], memory_limit: str) -> dict:
    project = bake(root)
    run(project, "git", "rm", "-q", "--cached", "data/raw/.gitkeep")
    generate(project / "data/raw", rows)
    draft(project, rows)
    found = {}
    for engine in engines:
        configure(project, engine, memory_limit)
        found[engine] = {name: stage(project, name) for name in STAGES}
        print(f"  {rows:>10,} rows  {engine:<6} " + "  ".join(f"{n} {s[0]:.1f}s" for n, s in found[engine].items()))
    return found


def report(results: dict) -> int:
    print(
        f"\n{'rows':>10}  {'engine':<6} {'total s':>8} "
        + " ".join(f"{s:>9}" for s in STAGES)
        + "  client MB  worker MB"
    )
    failed = False
    for rows, engines in results.items():
        for engine, stages in engines.items():
            total = sum(seconds for seconds, _, _ in stages.values())
            client = max(own for _, own, _ in stages.values())
            workers = max(children for _, _, children in stages.values()) if engine == "dask" else 0
            cells = " ".join(f"{stages[name][0]:>9.1f}" for name in STAGES)
            print(f"{rows:>10,}  {engine:<6} {total:>8.1f} {cells}  {client:>9.0f}  {workers:>9.0f}")
        if {"pandas", "dask"} <= set(engines) and rows == 1_000_000:
            ratio = sum(s[0] for s in engines["dask"].values()) / sum(s[0] for s in engines["pandas"].values())
            verdict = "pass" if ratio <= TIME_RATIO_LIMIT else "FAIL"
            failed |= verdict == "FAIL"
            print(f"dask / pandas time at 1,000,000 rows  {ratio:.2f} x   target <= {TIME_RATIO_LIMIT} x   {verdict}")
    largest = max(results)
    if "dask" in results[largest]:
        stages = results[largest]["dask"].values()
        peak = max(max(own, children) for _, own, children in stages)
        verdict = "pass" if peak <= RSS_LIMIT_MB else "FAIL"
        failed |= verdict == "FAIL"
        print(f"dask peak RSS at {largest:,} rows  {peak:.0f} MB   target <= {RSS_LIMIT_MB} MB   {verdict}")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="1000000,3000000,10000000", help="comma-separated row counts")
    parser.add_argument("--engines", default="pandas,dask", help="comma-separated engines (default both)")
    parser.add_argument("--memory-limit", default="1GiB", help="each Dask worker's memory_limit (default 1GiB)")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="cd4ml-scale-") as root:
        for rows in sorted(int(value) for value in args.rows.split(",")):
            results[rows] = measure(Path(root), rows, args.engines.split(","), args.memory_limit)
    return report(results)


if __name__ == "__main__":
    sys.exit(main())
