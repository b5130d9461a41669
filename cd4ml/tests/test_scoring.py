from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from cd4ml import errors, scoring

CLASSIFICATION = {"accuracy", "precision", "recall", "f1", "roc_auc", "log_loss"}


def classified(probabilities, classes) -> scoring.Predictions:
    classes = np.array(classes)
    return scoring.Predictions(classes[probabilities.argmax(axis=1)], probabilities, classes)


def test_perfect_binary_scores():
    labels = pd.Series([0, 0, 1, 1])
    probabilities = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.1, 0.9]])
    scores = scoring.score("classification", labels, classified(probabilities, [0, 1]))
    assert set(scores) == CLASSIFICATION
    assert scores["accuracy"] == scores["f1"] == scores["roc_auc"] == 1.0
    assert 0 < scores["log_loss"] < 0.4


@pytest.mark.parametrize(
    "classes", [["a", "b", "c"], [3, 5, 9]], ids=["string-labels", "integer-labels"]
)
def test_three_classes_use_macro_averages_and_one_vs_rest_roc_auc(classes):
    labels = pd.Series([classes[0], classes[1], classes[2], classes[0]])
    probabilities = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.2, 0.7], [0.2, 0.5, 0.3]])
    predictions = classified(probabilities, classes)
    scores = scoring.score("classification", labels, predictions)
    assert scores["accuracy"] == 0.75
    assert 0 < scores["f1"] < 1
    assert 0.9 < scores["roc_auc"] < 1  # one-vs-rest, averaged over the classes
    plots = scoring.plots("classification", labels, predictions)
    assert len(plots["roc"]) > 2
    cells = {(row["actual"], row["predicted"]) for row in plots["confusion_matrix"]}
    assert (str(classes[0]), str(classes[1])) in cells  # per-class confusion, labels as text


def test_boolean_labels_score_like_any_two_classes():
    labels = pd.Series([False, True, True, False])
    probabilities = np.array([[0.7, 0.3], [0.4, 0.6], [0.2, 0.8], [0.6, 0.4]])
    scores = scoring.score("classification", labels, classified(probabilities, [False, True]))
    assert scores["accuracy"] == scores["roc_auc"] == 1.0


def test_regression_scores_are_r2_rmse_and_mae():
    labels = pd.Series([1.0, 2.0, 3.0, 4.0])
    predicted = np.array([1.0, 2.0, 3.0, 6.0])
    scores = scoring.score("regression", labels, scoring.Predictions(predicted))
    assert scores == {"r2": 0.2, "rmse": 1.0, "mae": 0.5}


def test_regression_plots_pair_actual_and_predicted_and_residuals():
    labels = pd.Series([10.0, 20.0])
    plots = scoring.plots("regression", labels, scoring.Predictions(np.array([12.0, 15.0])))
    assert plots["predicted_vs_actual"] == [
        {"actual": 10.0, "predicted": 12.0},
        {"actual": 20.0, "predicted": 15.0},
    ]
    assert plots["residuals"] == [
        {"predicted": 12.0, "residual": -2.0},
        {"predicted": 15.0, "residual": 5.0},
    ]


def test_the_regression_baseline_predicts_the_training_mean():
    baseline = scoring.baseline_scores(
        "regression", pd.Series([1.0, 3.0]), pd.Series([2.0, 2.0, 4.0])
    )
    assert baseline["rmse"] == pytest.approx(np.sqrt(4 / 3), abs=1e-6)
    assert baseline["mae"] == pytest.approx(2 / 3, abs=1e-6)


def test_the_classification_baseline_predicts_the_class_shares():
    baseline = scoring.baseline_scores(
        "classification", pd.Series(["no", "no", "no", "yes"]), pd.Series(["no", "yes"])
    )
    assert baseline["roc_auc"] == 0.5 and baseline["accuracy"] == 0.5


def test_curves_run_from_corner_to_corner():
    labels = pd.Series([0, 1, 0, 1, 1])
    probabilities = np.array([[0.6, 0.4], [0.2, 0.8], [0.7, 0.3], [0.4, 0.6], [0.55, 0.45]])
    roc = scoring.curves(labels, probabilities, np.array([0, 1]))["roc"]
    assert roc[0] == {"false_positive_rate": 0.0, "true_positive_rate": 0.0}
    assert roc[-1] == {"false_positive_rate": 1.0, "true_positive_rate": 1.0}


def test_an_unknown_task_or_a_metric_the_task_lacks_is_one_line():
    with pytest.raises(errors.PipelineError, match="train.task is 'ranking'; use one of"):
        scoring.check_task("ranking")
    with pytest.raises(
        errors.PipelineError,
        match="primary_metric 'roc_auc' is not a regression metric; use one of r2, rmse, mae",
    ):
        scoring.check_metric("regression", "roc_auc", "evaluate.primary_metric")


def test_dvc_yaml_draws_the_plots_of_the_task_in_params(params):
    """adopt writes dvc.yaml's plots for a new task from scoring.dvc_plots; the bake must agree."""
    drawn = yaml.safe_load(Path("dvc.yaml").read_text())["plots"]
    assert drawn == scoring.dvc_plots(params["train"]["task"])
