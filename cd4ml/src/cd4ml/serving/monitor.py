"""monitor: prediction logs against the training reference: drift, prediction shift, live accuracy.

Reads the JSON lines `serve` writes, from a file, a folder or a URL (e.g. gs://bucket/logs/), and
exits with status 1 when a threshold in params.yaml's monitor section is crossed.
"""

import json
import os
import re

import numpy as np
import pandas as pd

from ..checks import Result, raise_on_failure, rounded, write_report
from ..config import param, path
from ..errors import PipelineError, Rejected
from ..files import read_json
from ..plots import figure
from ..quality.profile import bin_shares, compare, psi, read_profile

DRIFT_CHECKS = ("PSI", "KS test")
LOG_NAME = re.compile(r"\.(jsonl|log|json)(\.\d+)?$")  # serve's rotated files end in .1, .2, ...


def read_lines(source: str) -> tuple[list[dict], int]:
    """Every well-formed record of a log file, or of the log files in a folder (rotated ones
    included), local or remote; and how many lines were skipped as truncated or malformed."""
    import fsspec

    try:
        fs, root = fsspec.core.url_to_fs(source)
        files = (
            sorted(name for name in fs.find(root) if LOG_NAME.search(name))
            if fs.isdir(root)
            else [root]
        )
        records, skipped = [], 0
        for name in files:
            with fs.open(name, "rt", encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    if line.strip():
                        record = parse(line)
                        records += [record] if record else []
                        skipped += 0 if record else 1
    except (OSError, ValueError) as error:
        raise PipelineError(f"{source}: cannot read prediction logs: {error}") from None
    return records, skipped


def parse(line: str) -> dict | None:
    """One log record, or None when the line is not one (e.g. cut short by a crash)."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    inputs, outputs = record.get("inputs"), record.get("outputs")
    if not isinstance(inputs, list) or not isinstance(outputs, list) or len(inputs) != len(outputs):
        return None
    if not all(isinstance(row, dict) for row in inputs):
        return None
    if not all(isinstance(output, dict) and "prediction" in output for output in outputs):
        return None
    return record


def frames(records: list[dict]) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """The logged inputs, the predictions and the request ids, one row per scored instance."""
    inputs, predictions, ids = [], [], []
    for record in records:
        for row, output in zip(record["inputs"], record["outputs"], strict=True):
            inputs.append(row)
            predictions.append(output["prediction"])
            ids.append(str(record.get("id")))
    return pd.DataFrame(inputs), pd.Series(predictions, dtype=object), pd.Series(ids)


def prediction_shift(reference: dict, predictions: pd.Series, limit: float) -> Result:
    """PSI of the predicted classes' shares, or of a regression's predicted numbers' bins."""
    if reference["kind"] == "number":
        numbers = pd.to_numeric(predictions, errors="coerce").dropna().to_numpy(dtype=float)
        expected = np.array(reference["bin_shares"])
        actual = bin_shares(numbers, reference["edges"])
    else:
        expected_shares = reference["shares"]
        shares = predictions.astype(str).value_counts(normalize=True)
        keys = sorted(set(expected_shares) | set(shares.index))
        expected = np.array([expected_shares.get(key, 0.0) for key in keys])
        actual = shares.reindex(keys, fill_value=0.0).to_numpy()
    shift = rounded(psi(expected, actual))
    return Result("prediction PSI", None, shift, f"<= {limit}", shift <= limit)


def joined_labels(predictions: pd.Series, ids: pd.Series, labels: pd.DataFrame) -> pd.DataFrame:
    """The logged predictions that have a true label, matched on the request id."""
    logged = pd.DataFrame({"id": ids.astype(str), "predicted": predictions})
    return logged.merge(labels.astype({"id": str}), on="id")


def live_errors(joined: pd.DataFrame, evaluated: dict, max_growth: float) -> list[Result]:
    """A regression's live RMSE and MAE, which may exceed the evaluation's by max_growth at most."""
    errors = (
        pd.to_numeric(joined["predicted"], errors="coerce")
        - pd.to_numeric(joined["label"], errors="coerce")
    ).dropna()
    live = {"rmse": float(np.sqrt((errors**2).mean())), "mae": float(errors.abs().mean())}
    results = []
    for name, value in live.items():
        ceiling = evaluated.get(name)
        if errors.empty or ceiling is None:
            results.append(
                Result(f"live {name.upper()}", None, "not judged", "labels and an evaluation", True)
            )
            continue
        limit = rounded(ceiling * (1 + max_growth))
        bound = f"<= {limit} (evaluated {ceiling}) over {len(errors)} labels"
        results.append(Result(f"live {name.upper()}", None, rounded(value), bound, value <= limit))
    return results


def live_accuracy(joined: pd.DataFrame, evaluated: dict, max_drop: float) -> Result:
    """Live accuracy, which may fall below the evaluation's by max_drop at most."""
    if joined.empty or "accuracy" not in evaluated:
        return Result("live accuracy", None, "not judged", "labels and an evaluation", True)
    accuracy = rounded(
        float((joined["predicted"].astype(str) == joined["label"].astype(str)).mean())
    )
    floor = rounded(evaluated["accuracy"] - max_drop)
    bound = f">= {floor} (evaluated {evaluated['accuracy']}) over {len(joined)} labels"
    return Result("live accuracy", None, accuracy, bound, accuracy >= floor)


def monitor(
    profile: dict,
    records: list[dict],
    labels: pd.DataFrame | None,
    limits: dict,
    evaluated: dict | None = None,
) -> list[Result]:
    """Drift of the inputs and predictions; with labels, live metrics against the evaluated ones."""
    inputs, predictions, ids = frames(records)
    drift = [result for result in compare(profile, inputs, limits) if result.check in DRIFT_CHECKS]
    target = profile["columns"][profile["target"]]
    results = [*drift, prediction_shift(target, predictions, limits["prediction_psi_max"])]
    if labels is not None:
        joined, evaluated = joined_labels(predictions, ids, labels), evaluated or {}
        if target["kind"] == "number":
            results += live_errors(joined, evaluated, limits["max_error_growth"])
        else:
            results.append(live_accuracy(joined, evaluated, limits["max_accuracy_drop"]))
    return results


def plot(results: list[Result], limit: float, target) -> None:
    shifts = [(result.column, result.observed) for result in results if result.check == "PSI"]
    with figure(figsize=(8, max(3, len(shifts) * 0.25))) as (drawing, axes):
        axes.barh(
            [name for name, _ in shifts],
            [value for _, value in shifts],
            color=["tab:red" if value > limit else "tab:blue" for _, value in shifts],
        )
        axes.axvline(limit, color="grey", linestyle="--")
        axes.set_xlabel("PSI against the training reference")
        axes.invert_yaxis()
        drawing.tight_layout()
        drawing.savefig(target, dpi=100)


def arguments(parser) -> None:
    parser.add_argument(
        "--logs", help="a log file, folder or URL (default: $PREDICTION_LOGS, then monitor.logs)"
    )
    parser.add_argument("--labels", help="a CSV file of true labels: columns id,label")


def main(params: dict, logs: str | None = None, labels: str | None = None) -> None:
    source = logs or os.environ.get("PREDICTION_LOGS") or param(params, "monitor.logs")
    records, skipped = read_lines(source)
    limits = {**param(params, "validate"), **param(params, "monitor")}
    rows = sum(len(record["inputs"]) for record in records)
    if rows < limits["min_rows"]:
        raise PipelineError(
            f"{source}: {rows} logged predictions ({skipped} malformed lines skipped); "
            f"monitor needs at least {limits['min_rows']} (monitor.min_rows)"
        )
    truth = pd.read_csv(labels) if labels else None
    evaluated = read_json(path(params, "metrics")) or {}
    results = monitor(read_profile(path(params, "profile")), records, truth, limits, evaluated)
    report = path(params, "monitoring")
    title = f"Monitoring of {rows} predictions ({skipped} malformed log lines skipped)"
    write_report(results, report, title, extra={"rows": rows, "skipped": skipped, "source": source})
    plot(results, limits["psi_max"], report.with_suffix(".png"))
    raise_on_failure(results, report.with_suffix(".md"), "consider retraining", Rejected)
    print(
        f"monitor: {rows} predictions, {skipped} malformed lines skipped, no drift "
        f"-> {report.with_suffix('.md')}"
    )
