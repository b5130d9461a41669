"""monitor: prediction logs against the training reference: drift, prediction shift, live accuracy.

Reads the JSON lines `serve` writes, from a file, a folder or a URL (e.g. gs://bucket/logs/), and
exits with status 1 when a threshold in params.yaml's monitor section is crossed.
"""

import json
import os

import numpy as np
import pandas as pd

from ..checks import Result, raise_on_failure, rounded, write_report
from ..config import param, path
from ..errors import PipelineError, Rejected
from ..profile import compare, psi
from ..validate import read_profile

DRIFT_CHECKS = ("PSI", "KS test")


def read_lines(source: str) -> list[dict]:
    """Every JSON line of a log file, or of the log files in a folder, local or remote."""
    import fsspec

    try:
        fs, root = fsspec.core.url_to_fs(source)
        files = (
            sorted(name for name in fs.find(root) if name.endswith((".jsonl", ".log", ".json")))
            if fs.isdir(root)
            else [root]
        )
        lines = []
        for name in files:
            with fs.open(name, "rt") as handle:
                lines += [json.loads(line) for line in handle if line.strip()]
    except (OSError, ValueError) as error:
        raise PipelineError(f"{source}: cannot read prediction logs: {error}") from None
    return lines


def frames(records: list[dict]) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """The logged inputs, the predictions and the request ids, one row per scored instance."""
    inputs, predictions, ids = [], [], []
    for record in records:
        for row, output in zip(record["inputs"], record["outputs"], strict=True):
            inputs.append(row)
            predictions.append(output["prediction"])
            ids.append(record["id"])
    return pd.DataFrame(inputs), pd.Series(predictions, dtype=object), pd.Series(ids)


def prediction_shift(reference: dict, predictions: pd.Series, limit: float) -> Result:
    expected = reference["shares"]
    shares = predictions.astype(str).value_counts(normalize=True)
    keys = sorted(set(expected) | set(shares.index))
    shift = rounded(
        psi(
            np.array([expected.get(key, 0.0) for key in keys]),
            shares.reindex(keys, fill_value=0.0).to_numpy(),
        )
    )
    return Result("prediction PSI", None, shift, f"<= {limit}", shift <= limit)


def live_accuracy(
    predictions: pd.Series, ids: pd.Series, labels: pd.DataFrame, minimum: float
) -> Result:
    joined = pd.DataFrame({"id": ids, "predicted": predictions.astype(str)}).merge(
        labels.astype({"id": str, "label": str}), on="id"
    )
    if joined.empty:
        return Result("live accuracy", None, "no labelled predictions", f">= {minimum}", True)
    accuracy = rounded(float((joined["predicted"] == joined["label"]).mean()))
    return Result(
        "live accuracy",
        None,
        accuracy,
        f">= {minimum} over {len(joined)} labels",
        accuracy >= minimum,
    )


def monitor(
    profile: dict, records: list[dict], labels: pd.DataFrame | None, limits: dict
) -> list[Result]:
    inputs, predictions, ids = frames(records)
    drift = [result for result in compare(profile, inputs, limits) if result.check in DRIFT_CHECKS]
    results = [
        *drift,
        prediction_shift(
            profile["columns"][profile["target"]], predictions, limits["prediction_psi_max"]
        ),
    ]
    if labels is not None:
        results.append(live_accuracy(predictions, ids, labels, limits["min_accuracy"]))
    return results


def plot(results: list[Result], limit: float, target) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shifts = [(result.column, result.observed) for result in results if result.check == "PSI"]
    figure, axes = plt.subplots(figsize=(8, max(3, len(shifts) * 0.25)))
    axes.barh(
        [name for name, _ in shifts],
        [value for _, value in shifts],
        color=["tab:red" if value > limit else "tab:blue" for _, value in shifts],
    )
    axes.axvline(limit, color="grey", linestyle="--")
    axes.set_xlabel("PSI against the training reference")
    axes.invert_yaxis()
    figure.tight_layout()
    figure.savefig(target, dpi=100)
    plt.close(figure)


def main(params: dict, logs: str | None = None, labels: str | None = None) -> None:
    source = logs or os.environ.get("PREDICTION_LOGS") or param(params, "monitor.logs")
    records = read_lines(source)
    limits = {**param(params, "validate"), **param(params, "monitor")}
    rows = sum(len(record["inputs"]) for record in records)
    if rows < limits["min_rows"]:
        raise PipelineError(
            f"{source}: {rows} logged predictions; monitor needs at least {limits['min_rows']}"
        )
    truth = pd.read_csv(labels) if labels else None
    results = monitor(read_profile(path(params, "profile")), records, truth, limits)
    report = path(params, "monitoring")
    write_report(
        results, report, f"Monitoring of {rows} predictions", extra={"rows": rows, "source": source}
    )
    plot(results, limits["psi_max"], report.with_suffix(".png"))
    raise_on_failure(results, report.with_suffix(".md"), "consider retraining", Rejected)
    print(f"monitor: {rows} predictions, no drift -> {report.with_suffix('.md')}")
