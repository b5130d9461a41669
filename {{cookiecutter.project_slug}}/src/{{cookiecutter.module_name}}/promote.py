"""promote: register models/model.pkl as a new version; make it champion if it beats the champion.

Writes reports/promotion.md and .json; a rejected challenger exits with status 1, so CI can gate.
"""

from . import registry, tracking
from .checks import Result, write_report
from .config import param, path
from .errors import PipelineError, Rejected
from .evaluate import LOWER_IS_BETTER, gate


def against_champion(
    challenger: dict, champion: dict | None, metric: str, max_regression: float
) -> list[Result]:
    """The challenger may fall short of the champion's primary metric by max_regression at most."""
    if champion is None:
        return [
            Result(
                f"{metric} against the champion", None, challenger[metric], "no champion yet", True
            )
        ]
    if metric in LOWER_IS_BETTER:
        limit = champion[metric] + max_regression
        passed, bound = challenger[metric] <= limit, f"<= {limit:.6g} (champion {champion[metric]})"
    else:
        limit = champion[metric] - max_regression
        passed, bound = challenger[metric] >= limit, f">= {limit:.6g} (champion {champion[metric]})"
    return [Result(f"{metric} against the champion", None, challenger[metric], bound, passed)]


def decide(challenger: dict, champion: dict | None, params: dict) -> list[Result]:
    metric = param(params, "evaluate.primary_metric")
    return gate(challenger, param(params, "evaluate.thresholds")) + against_champion(
        challenger, champion, metric, param(params, "promote.max_regression")
    )


def main(params: dict) -> None:
    client = tracking.client(params)
    name = param(params, "mlflow.model_name")
    model_file = path(params, "model")
    if not model_file.exists():
        raise PipelineError(f"{model_file}: not found; run `dvc repro` first")
    run = registry.run_of_model(
        client, param(params, "mlflow.experiment"), tracking.file_md5(model_file)
    )
    if run is None:
        raise PipelineError(
            f"no MLflow run logged {model_file}; run `dvc repro --force evaluate` first"
        )
    version = registry.register(client, name, run)
    current = registry.champion(client, name)
    champion_metrics = client.get_run(current.run_id).data.metrics if current else None
    results = decide(run.data.metrics, champion_metrics, params)
    promoted = all(result.passed for result in results)
    summary = {
        "model": name,
        "challenger": {"version": version, "run_id": run.info.run_id, "metrics": run.data.metrics},
        "champion": {"version": str(current.version), "metrics": champion_metrics}
        if current
        else None,
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
    registry.set_champion(client, name, version, [*registry.history(client, name), version])
    client.set_model_version_tag(name, version, "promoted_at", registry.now())
    client.set_model_version_tag(name, version, "promoted_by", registry.who())
    client.set_model_version_tag(
        name, version, "promoted_from_commit", run.data.tags.get("git_commit", "")
    )
    print(f"promote: {name} version {version} is the champion")
