"""promote: register models/model.pkl as a new version; make it champion if it beats the champion.

The model is logged to the evaluate run that measured it (MLflow's sklearn flavor, saved with
skops, with its signature, input example and SHA-256) only here, when it goes to the registry.

Writes reports/promotion.md and .json; a rejected challenger exits with status 1, so CI can gate.
A champion trained for another task or on other columns (another data set) is no yardstick: promote
refuses before it registers anything, and says to give that data set its own registered model.
"""

from .. import input_schema, models, scoring, tracking
from ..checks import Result, write_report
from ..config import param, path
from ..errors import PipelineError, Rejected
from ..gates import against_champion, metric_gate, split_baseline
from ..provenance import file_md5


def decide(challenger: dict, champion: dict | None, params: dict) -> list[Result]:
    """evaluate's metric gate (baseline and thresholds) on the challenger's logged metrics, and
    the primary metric against the champion's; logged metrics hold the baseline's beside them."""
    task = param(params, "train.task")
    metric = scoring.check_metric(
        task, param(params, "evaluate.primary_metric"), "evaluate.primary_metric"
    )
    scores, baseline = split_baseline(challenger)
    margin = param(params, "evaluate.baseline_margin")
    thresholds = param(params, "evaluate.thresholds")
    champion_scores = champion and split_baseline(champion)[0]
    return metric_gate(scores, baseline, thresholds, metric, margin) + against_champion(
        scores, champion_scores, metric, param(params, "promote.max_regression")
    )


def difference(champion_run, challenger_run, metric: str) -> str:
    """What makes the champion no yardstick for the challenger ("" when it is one): another task,
    other input columns or their types (another data set), or no score on the primary metric."""
    tasks = [run.data.params.get("train.task") for run in (champion_run, challenger_run)]
    if tasks[0] != tasks[1]:
        return f"it was trained for {tasks[0]}, this model for {tasks[1]}"
    schemas = [run.data.tags.get(input_schema.TAG) for run in (champion_run, challenger_run)]
    if all(schemas) and schemas[0] != schemas[1]:
        return "it takes other input columns or types (another data set)"
    if metric not in champion_run.data.metrics:
        return f"it has no {metric} score"
    return ""


def crown(client, name: str, version: str, commit: str) -> None:
    """Give the version the champion alias, and record who promoted it, when and from what."""
    models.set_champion(client, name, version, [*models.history(client, name), version])
    tags = {"at": models.now(), "by": models.who(), "from_commit": commit}
    for key, value in tags.items():
        client.set_model_version_tag(name, version, f"promoted_{key}", value)


def main(params: dict) -> None:
    client = tracking.client(params)
    name = param(params, "mlflow.model_name")
    model_file = path(params, "model")
    if not model_file.exists():
        raise PipelineError(f"{model_file}: not found; run `dvc repro` first")
    run = models.run_of_model(client, param(params, "mlflow.experiment"), file_md5(model_file))
    if run is None:
        raise PipelineError(
            f"no MLflow run logged {model_file}; run `dvc repro --force evaluate` first"
        )
    if "model_uri" not in run.data.tags:  # evaluate logs the hash; the model is logged here
        tracking.log_model(params, run, model_file)
        run = client.get_run(run.info.run_id)
    current = models.champion(client, name)
    champion_run = client.get_run(current.run_id) if current else None
    why = champion_run and difference(champion_run, run, param(params, "evaluate.primary_metric"))
    if why:
        raise PipelineError(
            f"the champion of {name!r} (version {current.version}) is no yardstick for this model: "
            f"{why}; give this data set its own registered model (mlflow.model_name in "
            "params.yaml; adopt names one per data set and task)"
        )
    champion_metrics = champion_run.data.metrics if champion_run else None
    results = decide(run.data.metrics, champion_metrics, params)  # before registering: it may fail
    version = models.register(client, name, run)
    promoted = all(result.passed for result in results)
    summary = {
        "model": name,
        "challenger": {"version": version, "run_id": run.info.run_id, "metrics": run.data.metrics},
        "champion": current and {"version": str(current.version), "metrics": champion_metrics},
        "verdict": "promoted" if promoted else "rejected",
    }
    report = path(params, "promotion")
    write_report(results, report, f"Promotion of {name} version {version}", extra=summary)
    if current is not None and str(current.version) == version:
        print(f"promote: version {version} is already the champion")
        return
    if not promoted:
        failed = next(result for result in results if not result.passed)
        raise Rejected(
            f"version {version} is not promoted: {failed.line()}; see {report.with_suffix('.md')}"
        )
    crown(client, name, version, run.data.tags.get("git_commit", ""))
    print(f"promote: {name} version {version} is the champion")
