"""evaluate: candidate model and test set -> metrics, plots and, past the gate, models/model.pkl.

A candidate that does not beat the dummy baseline by evaluate.baseline_margin on
evaluate.primary_metric, or misses a threshold, fails the stage. The MLflow run is logged first;
model, metrics and plots are replaced together as the last step, so a stage killed or failing on
the way leaves the last good set whole.
"""

import functools
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance

from .. import gates, scoring, tracking
from ..checks import raise_on_failure, write_report
from ..compute import cluster, uses_dask
from ..config import param, path
from ..errors import redact
from ..files import read_model, read_parquet, replace_together

DIGITS = 6
IMPORTANCE_ROWS = 10_000  # permutation importance on at most this many test rows: a bounded cost


def assess(
    task: str, model, features: pd.DataFrame, labels: pd.Series, seed: int
) -> tuple[dict[str, float], dict[str, list[dict]]]:
    """The model's metrics, and its plot data by file name, for the task."""
    predictions = scoring.predict(task, model, features)
    plots = scoring.plots(task, labels, predictions)
    plots["feature_importance"] = feature_importance(model, features, labels, seed)
    return scoring.score(task, labels, predictions), plots


def in_memory(params: dict, model, target: str, task: str, seed: int) -> tuple[dict, dict, dict]:
    """The model's and the baseline's metrics and the plots, from the whole test set in memory."""
    test = read_parquet(path(params, "test"))
    features, labels = test.drop(columns=[target]), test[target]
    scores, plots = assess(task, model, features, labels, seed)
    train_labels = pd.read_parquet(path(params, "train"), columns=[target])[target]
    return scores, scoring.baseline_scores(task, train_labels, labels), plots


def on_dask(params: dict, model, target: str, task: str, seed: int) -> tuple[dict, dict, dict]:
    """The metrics summed over the test partitions on Dask; the plots from a sample of them."""
    from ..dask_engine.evaluate import assess as distributed

    paths = {name: path(params, name) for name in ("train", "test")}
    scores, baseline, rows = distributed(cluster(params), model, paths, target, task)
    _, plots = assess(task, model, rows.drop(columns=[target]), rows[target], seed)
    return scores, baseline, plots


def metric_gate(params: dict, scores: dict, baseline: dict) -> list:
    """The gate in params.yaml's terms: the baseline rule on the primary metric, then thresholds."""
    task = param(params, "train.task")
    metric = scoring.check_metric(
        task, param(params, "evaluate.primary_metric"), "evaluate.primary_metric"
    )
    thresholds = param(params, "evaluate.thresholds") or {}
    for name in thresholds:
        scoring.check_metric(task, name, "evaluate.thresholds")
    return gates.metric_gate(
        scores, baseline, thresholds, metric, param(params, "evaluate.baseline_margin")
    )


def feature_importance(model, features: pd.DataFrame, labels: pd.Series, seed: int) -> list[dict]:
    """The estimator's own importances, mean absolute coefficients, or permutation importance
    (on a sample of at most IMPORTANCE_ROWS rows, the same every run)."""
    estimator = model[-1]
    names = model.named_steps["preprocess"].get_feature_names_out()
    if hasattr(estimator, "feature_importances_"):
        values = estimator.feature_importances_
    elif hasattr(estimator, "coef_"):
        values = np.abs(np.atleast_2d(estimator.coef_)).mean(axis=0)
    else:
        rows = min(len(features), IMPORTANCE_ROWS)
        result = permutation_importance(
            model, features, labels, n_repeats=3, random_state=seed, max_samples=rows
        )
        names, values = features.columns, result.importances_mean
    ranked = sorted(zip(names, values, strict=True), key=lambda item: -item[1])
    return [
        {"feature": str(name), "importance": round(float(value), DIGITS)} for name, value in ranked
    ]


def copier(source: Path):
    return lambda target: shutil.copyfile(source, target)


def track(params: dict, candidate: Path, scores: dict, passed: bool, plots: Path) -> None:
    """Log the run, before anything is replaced: a store that fails (when mlflow.required) or a
    stage killed while logging leaves the last good model, metrics and plots as they were."""
    if tracking.tracking_available(params):
        log = functools.partial(tracking.log_evaluation, params)
        run = tracking.track_evaluation(params, log, candidate, scores, passed, plots)
        if run:
            print(f"evaluate: logged MLflow run {run} to {redact(tracking.tracking_uri(params))}")


def keep(params: dict, candidate: Path, scores: dict, staged: list[Path]) -> None:
    """The last step: the candidate becomes the model, with its metrics and plots, all or none."""
    replace_together(
        {
            path(params, "model"): copier(candidate),
            path(params, "metrics"): lambda target: target.write_text(
                json.dumps(scores, indent=2) + "\n"
            ),
            **{path(params, "plots") / file.name: copier(file) for file in staged},
        }
    )


def main(params: dict) -> None:
    target, seed = param(params, "ingest.target"), param(params, "seed")
    task = param(params, "train.task")
    candidate = path(params, "candidate")
    model = read_model(candidate)
    measure = on_dask if uses_dask(params) else in_memory
    scores, baseline, plots = measure(params, model, target, task, seed)
    print("evaluate: " + ", ".join(f"{name} {value:.4f}" for name, value in scores.items()))
    results = metric_gate(params, scores, baseline)
    passed = all(result.passed for result in results)
    report = path(params, "evaluation")
    extra = {"task": task, "metrics": scores, "baseline": baseline, "plots": list(plots)}
    write_report(results, report, "Model gate", extra=extra)
    with tempfile.TemporaryDirectory() as folder:
        staged = [Path(folder) / f"{name}.json" for name in plots] if passed else []
        for file in staged:
            file.write_text(json.dumps(plots[file.stem], indent=2) + "\n")
        track(params, candidate, gates.with_baseline(scores, baseline), passed, Path(folder))
        if passed:
            keep(params, candidate, scores, staged)
    raise_on_failure(results, report.with_suffix(".md"), "the last good model and metrics are kept")
    print(f"evaluate: the model passed the gate -> {path(params, 'model')}")
