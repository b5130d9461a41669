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

from .. import gates, scoring, tracking
from ..checks import raise_on_failure, write_report
from ..config import param, path
from ..errors import redact
from ..files import replace_together
from ..measurement import measure


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
    task, candidate = param(params, "train.task"), path(params, "candidate")
    scores, baseline, plots = measure(params)
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
