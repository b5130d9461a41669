"""Time the train and evaluate stages of every model on a large data set; evaluate must stay within 1.5x train.

A default bake's data set is resampled to --rows rows with 1% noise (as in data_gate.py), split by the project's
own featurize stage, then each model in --models is trained and evaluated by the stages' own commands, with MLflow
tracking off (benchmarks/tracking.py measures that). The metrics and the top features are printed, so a change in
how evaluate computes them shows.
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from bench import bake, module_name, run
from data_gate import resample

RATIO_LIMIT = 1.5
MODELS = ("gradient_boosting", "logistic_regression", "random_forest")


def prepare(project: Path, rows: int) -> dict:
    """The project's params with tracking off, and its data set resampled to rows rows, split."""
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["mlflow"]["enabled"] = False
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    module = module_name(project)
    run(project, "python", "-m", module, "ingest")
    dataset = project / params["paths"]["dataset"]
    profile = json.loads((project / params["paths"]["profile"]).read_text())
    resample(pd.read_parquet(dataset), profile, rows, np.random.default_rng(0)).to_parquet(dataset, index=False)
    run(project, "python", "-m", module, "featurize")
    return params


def stage_seconds(project: Path, stage: str) -> float:
    started = time.perf_counter()
    run(project, "python", "-m", module_name(project), stage)
    return time.perf_counter() - started


def measure(project: Path, params: dict, model: str) -> tuple[float, float, dict, list[str]]:
    params["train"]["model"] = model
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    train, evaluate = stage_seconds(project, "train"), stage_seconds(project, "evaluate")
    metrics = json.loads((project / params["paths"]["metrics"]).read_text())
    importance = json.loads((project / params["paths"]["plots"] / "feature_importance.json").read_text())
    return train, evaluate, metrics, [row["feature"] for row in importance[:3]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the data set (default 1,000,000)")
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated models (default: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cd4ml-evaluate-") as root:
        project = bake(Path(root))
        params = prepare(project, args.rows)
        print(f"{args.rows:,} rows, test set {params['featurize']['test_size']:.0%}")
        header = f"{'model':<20} {'train s':>8} {'evaluate s':>10} {'ratio':>6}  target <= {RATIO_LIMIT}x"
        print(f"{header}  metrics; top features")
        for model in args.models.split(","):
            train, evaluate, metrics, top = measure(project, params, model)
            verdict = "pass" if evaluate <= RATIO_LIMIT * train else "FAIL"
            scores = " ".join(f"{name}={value:.4f}" for name, value in metrics.items())
            ratio = evaluate / train
            print(f"{model:<20} {train:8.1f} {evaluate:10.1f} {ratio:6.2f}  {verdict:<15} {scores}; {', '.join(top)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
