"""evaluate: candidate model and test set -> metrics, plots and, past the gate, models/model.pkl.

A candidate below a threshold in params.yaml fails the stage; the last good model and metrics stay.
The MLflow run is logged first; model, metrics and plots are replaced together as the last step,
so a stage killed or failing on the way leaves the last good set whole.
"""

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.inspection import permutation_importance
from sklearn.preprocessing import label_binarize

from .. import tracking
from ..checks import raise_on_failure, write_report
from ..config import param, path
from ..errors import redact
from ..files import read_model, read_parquet, replace_together
from ..gates import gate

DIGITS = 6
IMPORTANCE_ROWS = 10_000  # permutation importance on at most this many test rows: a bounded cost


def score(labels: pd.Series, probabilities: np.ndarray, classes: np.ndarray) -> dict[str, float]:
    """Accuracy, precision, recall, f1, ROC AUC and log loss; macro averages past two classes."""
    predicted = classes[probabilities.argmax(axis=1)]
    binary = len(classes) == 2
    average = {"average": "binary", "pos_label": classes[1]} if binary else {"average": "macro"}
    roc_auc = (
        metrics.roc_auc_score(labels, probabilities[:, 1])
        if binary
        else metrics.roc_auc_score(labels, probabilities, multi_class="ovr", labels=classes)
    )
    values = {
        "accuracy": metrics.accuracy_score(labels, predicted),
        "precision": metrics.precision_score(labels, predicted, zero_division=0, **average),
        "recall": metrics.recall_score(labels, predicted, zero_division=0, **average),
        "f1": metrics.f1_score(labels, predicted, zero_division=0, **average),
        "roc_auc": roc_auc,
        "log_loss": metrics.log_loss(labels, probabilities, labels=classes),
    }
    return {name: round(float(value), DIGITS) for name, value in values.items()}


def curves(
    labels: pd.Series, probabilities: np.ndarray, classes: np.ndarray
) -> dict[str, list[dict]]:
    """ROC and precision-recall points; over two classes, micro-averaged one-vs-rest."""
    if len(classes) == 2:
        truth, scores = (labels == classes[1]).to_numpy(), probabilities[:, 1]
    else:
        truth, scores = label_binarize(labels, classes=classes).ravel(), probabilities.ravel()
    false_positive, true_positive, _ = metrics.roc_curve(truth, scores)
    precision, recall, _ = metrics.precision_recall_curve(truth, scores)
    return {
        "roc": _rows(false_positive_rate=false_positive, true_positive_rate=true_positive),
        "precision_recall": _rows(recall=recall, precision=precision),
    }


def confusion_rows(labels: pd.Series, predicted: np.ndarray) -> list[dict]:
    """One row per test example, the shape DVC's confusion template reads."""
    return [{"actual": str(a), "predicted": str(p)} for a, p in zip(labels, predicted, strict=True)]


def feature_importance(model, features: pd.DataFrame, labels: pd.Series, seed: int) -> list[dict]:
    """The classifier's own importances, mean absolute coefficients, or permutation importance
    (on a sample of at most IMPORTANCE_ROWS rows, the same every run)."""
    classifier = model[-1]
    names = model[:-1].get_feature_names_out()
    if hasattr(classifier, "feature_importances_"):
        values = classifier.feature_importances_
    elif hasattr(classifier, "coef_"):
        values = np.abs(classifier.coef_).mean(axis=0)
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


def _rows(**columns: np.ndarray) -> list[dict]:
    names = list(columns)
    return [
        {name: round(float(value), DIGITS) for name, value in zip(names, values, strict=True)}
        for values in zip(*columns.values(), strict=True)
    ]


def outputs(
    labels: pd.Series, probabilities: np.ndarray, classes: np.ndarray, importance: list[dict]
) -> dict[str, object]:
    """The plots' file names and rows, for a candidate that passed the gate."""
    predicted = classes[probabilities.argmax(axis=1)]
    return {
        **{f"{name}.json": rows for name, rows in curves(labels, probabilities, classes).items()},
        "confusion_matrix.json": confusion_rows(labels, predicted),
        "feature_importance.json": importance,
    }


def copier(source: Path):
    return lambda target: shutil.copyfile(source, target)


def track(params: dict, candidate: Path, scores: dict, passed: bool, plots: Path) -> None:
    """Log the run, before anything is replaced: a store that fails (when mlflow.required) or a
    stage killed while logging leaves the last good model, metrics and plots as they were."""
    if tracking.tracking_available(params):
        run = tracking.track_evaluation(params, candidate, scores, passed, plots)
        if run:
            print(f"evaluate: logged MLflow run {run} to {redact(tracking.tracking_uri(params))}")


def keep(params: dict, candidate: Path, scores: dict, staged: list[Path]) -> None:
    """The last step: the candidate becomes the model, with its metrics and plots, all or none."""
    metrics = path(params, "metrics")
    replace_together(
        {
            path(params, "model"): copier(candidate),
            metrics: lambda target: target.write_text(json.dumps(scores, indent=2) + "\n"),
            **{path(params, "plots") / file.name: copier(file) for file in staged},
        }
    )


def main(params: dict) -> None:
    target, seed = param(params, "ingest.target"), param(params, "seed")
    candidate = path(params, "candidate")
    model = read_model(candidate)
    test = read_parquet(path(params, "test"))
    features, labels = test.drop(columns=[target]), test[target]
    probabilities = model.predict_proba(features)
    classes = model.classes_
    scores = score(labels, probabilities, classes)
    print("evaluate: " + ", ".join(f"{name} {value:.4f}" for name, value in scores.items()))
    results = gate(scores, param(params, "evaluate.thresholds"))
    passed = all(result.passed for result in results)
    report = path(params, "evaluation")
    write_report(results, report, "Model gate", extra={"metrics": scores})
    plots = {}
    if passed:
        importance = feature_importance(model, features, labels, seed)
        plots = outputs(labels, probabilities, classes, importance)
    with tempfile.TemporaryDirectory() as folder:
        staged = [Path(folder) / name for name in plots]
        for file in staged:
            file.write_text(json.dumps(plots[file.name], indent=2) + "\n")
        track(params, candidate, scores, passed, Path(folder))
        if passed:
            keep(params, candidate, scores, staged)
    raise_on_failure(results, report.with_suffix(".md"), "the last good model and metrics are kept")
    print(f"evaluate: the model passed the gate -> {path(params, 'model')}")
