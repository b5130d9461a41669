"""What a model is scored on, per task: metrics, plot data and the dummy baseline.

Pure functions of plain values (labels, predictions), shared by evaluate, the model suite and
anything else that scores a model. train.task in params.yaml names the task.
"""

from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.preprocessing import label_binarize

from .errors import PipelineError
from .input_frame import as_declared

TASKS = ("classification", "regression")
METRICS = {
    "classification": ("accuracy", "precision", "recall", "f1", "roc_auc", "log_loss"),
    "regression": ("r2", "rmse", "mae"),
}
PLOTS = {
    "classification": ("roc", "precision_recall", "confusion_matrix", "feature_importance"),
    "regression": ("predicted_vs_actual", "residuals", "feature_importance"),
}
# The primary metric of a new adoption (evaluate.primary_metric), and how dvc.yaml draws each plot;
# the baked tests check that dvc.yaml's `plots:` are these, for the task in params.yaml.
PRIMARY_METRIC = {"classification": "roc_auc", "regression": "r2"}
PLOT_DEFINITIONS = {
    "roc": ("simple", "false_positive_rate", "true_positive_rate", "ROC curve"),
    "precision_recall": ("simple", "recall", "precision", "Precision-recall curve"),
    "confusion_matrix": ("confusion", "actual", "predicted", "Confusion matrix"),
    "predicted_vs_actual": ("scatter", "actual", "predicted", "Predicted against actual"),
    "residuals": ("scatter", "predicted", "residual", "Residuals (actual - predicted)"),
    "feature_importance": ("bar_horizontal_sorted", "importance", "feature", "Feature importance"),
}
DIGITS = 6


PLOTS_FOLDER = "${paths.plots}"  # interpolated by DVC from params.yaml


def dvc_plots(task: str) -> list[dict]:
    """dvc.yaml's top-level `plots:` for a task."""
    keys = ("template", "x", "y", "title")
    return [
        {f"{PLOTS_FOLDER}/{name}.json": dict(zip(keys, PLOT_DEFINITIONS[name], strict=True))}
        for name in PLOTS[task]
    ]


class Predictions(NamedTuple):
    """A model's answers on a test set: predicted values, and class probabilities if it has them."""

    predicted: np.ndarray
    probabilities: np.ndarray | None = None
    classes: np.ndarray | None = None


def check_task(task: str) -> str:
    if task not in TASKS:
        raise PipelineError(f"params.yaml: train.task is {task!r}; use one of {', '.join(TASKS)}")
    return task


def check_metric(task: str, metric: str, name: str) -> str:
    """One line for a metric the task does not have, e.g. roc_auc for a regression model."""
    if metric not in METRICS[check_task(task)]:
        raise PipelineError(
            f"params.yaml: {name} {metric!r} is not a {task} metric; "
            f"use one of {', '.join(METRICS[task])}"
        )
    return metric


def predict(task: str, model, features: pd.DataFrame) -> Predictions:
    if check_task(task) == "regression":
        return Predictions(np.asarray(model.predict(features), dtype=float))
    probabilities = model.predict_proba(features)
    classes = model.classes_
    return Predictions(classes[probabilities.argmax(axis=1)], probabilities, classes)


def score(task: str, labels: pd.Series, predictions: Predictions) -> dict[str, float]:
    if check_task(task) == "regression":
        values = regression_scores(labels, predictions.predicted)
    else:
        values = classification_scores(labels, predictions.probabilities, predictions.classes)
    return {name: round(float(value), DIGITS) for name, value in values.items()}


def classification_scores(labels: pd.Series, probabilities: np.ndarray, classes: np.ndarray):
    """Accuracy, precision, recall, f1, ROC AUC and log loss; macro averages past two classes.

    Past two classes, ROC AUC is one-vs-rest, averaged over the classes.
    """
    predicted = classes[probabilities.argmax(axis=1)]
    binary = len(classes) == 2
    average = {"average": "binary", "pos_label": classes[1]} if binary else {"average": "macro"}
    roc_auc = (
        metrics.roc_auc_score(labels == classes[1], probabilities[:, 1])
        if binary
        else metrics.roc_auc_score(labels, probabilities, multi_class="ovr", labels=classes)
    )
    return {
        "accuracy": metrics.accuracy_score(labels, predicted),
        "precision": metrics.precision_score(labels, predicted, zero_division=0, **average),
        "recall": metrics.recall_score(labels, predicted, zero_division=0, **average),
        "f1": metrics.f1_score(labels, predicted, zero_division=0, **average),
        "roc_auc": roc_auc,
        "log_loss": metrics.log_loss(labels, probabilities, labels=classes),
    }


def regression_scores(labels: pd.Series, predicted: np.ndarray):
    """R² (1 is perfect, 0 is predicting the mean), and RMSE and MAE in the target's units."""
    return {
        "r2": metrics.r2_score(labels, predicted),
        "rmse": metrics.root_mean_squared_error(labels, predicted),
        "mae": metrics.mean_absolute_error(labels, predicted),
    }


def baseline_scores(task: str, train_labels: pd.Series, labels: pd.Series) -> dict[str, float]:
    """The metrics of the dummy a model must beat, on the same test labels as the model's.

    The dummy predicts the training labels' class shares (classification) or their mean
    (regression), whatever the features, so it sees none.
    """
    if check_task(task) == "regression":
        dummy = DummyRegressor(strategy="mean")
    else:
        dummy = DummyClassifier(strategy="prior")
    dummy.fit(np.zeros((len(train_labels), 1)), train_labels)
    return score(task, labels, predict(task, dummy, np.zeros((len(labels), 1))))


def plots(task: str, labels: pd.Series, predictions: Predictions) -> dict[str, list[dict]]:
    """Plot data by file name (without feature importance, which needs the model itself)."""
    if check_task(task) == "regression":
        actual = labels.to_numpy(dtype=float)
        return {
            "predicted_vs_actual": _rows(actual=actual, predicted=predictions.predicted),
            "residuals": _rows(
                predicted=predictions.predicted, residual=actual - predictions.predicted
            ),
        }
    return {
        **curves(labels, predictions.probabilities, predictions.classes),
        "confusion_matrix": confusion_rows(labels, predictions.predicted),
    }


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


def _rows(**columns: np.ndarray) -> list[dict]:
    names = list(columns)
    return [
        {name: round(float(value), DIGITS) for name, value in zip(names, values, strict=True)}
        for values in zip(*columns.values(), strict=True)
    ]


def scored_rows(
    task: str, model, frame: pd.DataFrame, dtypes: dict[str, str], where
) -> pd.DataFrame:
    """Batch scoring's output: the input rows with `prediction`, and a classifier's probability of
    each class as `probability_<class>`. The model's columns are given the dtypes the contract
    declares (input_schema.dtypes), not those a file's rows suggest, so that a row's answer does
    not depend on the rows read with it."""
    found = predict(task, model, as_declared(frame, dtypes, where))
    columns = {"prediction": found.predicted}
    if found.probabilities is not None:
        for index, name in enumerate(found.classes):
            columns[f"probability_{name}"] = found.probabilities[:, index]
    return frame.assign(**columns)
