"""evaluate: candidate model and test set -> metrics, plots and, past the gate, models/model.pkl.

A candidate that does not beat the dummy baseline by evaluate.baseline_margin on
evaluate.primary_metric, or misses a threshold, fails the stage. One that passes is compiled to
ONNX and proven on the test split as `export` does (paths.parity: whether what will be served
answers as the trained model does, or why not). The MLflow run is logged first; model, metrics,
parity and plots are replaced together as the last step, so a stage killed or failing on the way
leaves the last good set whole.
"""

import functools
import json
import shutil
import tempfile
from pathlib import Path

from .. import gates, scoring, tracking
from ..checks import raise_on_failure, write_report
from ..compiled import build, summary
from ..compiled import rows as compiled_rows
from ..compute import uses_dask
from ..config import optional_path, param, path
from ..errors import redact
from ..files import read_model, read_parquet, replace_together
from ..measurement import measure
from ..quality.contract_file import load_contract


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


def sampled_test(source: Path):
    """A bounded sample of a test split too large for one process (compute.engine dask)."""
    from ..dask_engine.frames import read_dataset, sample

    return sample(read_dataset(source))


def served_parity(params: dict, model) -> dict:
    """The "onnx" entry `export` would write for the candidate model, but for the file's hash:
    parity on the test split (on a bounded sample of it on Dask), or one line saying why not."""
    features = [str(name) for name in getattr(model, "feature_names_in_", [])]
    columns = load_contract(path(params, "contract")).get("columns") or {}
    read = sampled_test if uses_dask(params) else read_parquet
    frame, why_not = compiled_rows.test_rows(read, path(params, "test"), features, columns)
    _, entry = build.proven(model, frame, why_not)
    return entry


def as_json(content):
    return lambda target: target.write_text(json.dumps(content, indent=2) + "\n")


def keep(
    params: dict, candidate: Path, scores: dict, parity: dict | None, staged: list[Path]
) -> None:
    """The last step: the candidate becomes the model, with its metrics, parity and plots, all or
    none."""
    replace_together(
        {
            path(params, "model"): copier(candidate),
            path(params, "metrics"): as_json(scores),
            **({optional_path(params, "parity"): as_json(parity)} if parity is not None else {}),
            **{path(params, "plots") / file.name: copier(file) for file in staged},
        }
    )


def main(params: dict) -> None:
    task, candidate = param(params, "train.task"), path(params, "candidate")
    model = read_model(candidate)
    scores, baseline, plots = measure(params, model)
    print("evaluate: " + ", ".join(f"{name} {value:.4f}" for name, value in scores.items()))
    results = metric_gate(params, scores, baseline)
    passed = all(result.passed for result in results)
    report = path(params, "evaluation")
    extra = {"task": task, "metrics": scores, "baseline": baseline, "plots": list(plots)}
    write_report(results, report, "Model gate", extra=extra)
    parity = None
    if passed and optional_path(params, "parity"):  # proven before anything is logged or replaced
        parity = served_parity(params, model)
        print(f"evaluate: {summary.line(parity)}")
    with tempfile.TemporaryDirectory() as folder:
        staged = [Path(folder) / f"{name}.json" for name in plots] if passed else []
        for file in staged:
            file.write_text(json.dumps(plots[file.stem], indent=2) + "\n")
        track(params, candidate, gates.with_baseline(scores, baseline), passed, Path(folder))
        if passed:
            keep(params, candidate, scores, parity, staged)
    raise_on_failure(results, report.with_suffix(".md"), "the last good model and metrics are kept")
    print(f"evaluate: the model passed the gate -> {path(params, 'model')}")
