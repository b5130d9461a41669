import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.pipeline import evaluate, train

METRICS = {"accuracy", "precision", "recall", "f1", "roc_auc", "log_loss"}


def test_perfect_binary_scores():
    labels = pd.Series([0, 0, 1, 1])
    probabilities = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.1, 0.9]])
    scores = evaluate.score(labels, probabilities, np.array([0, 1]))
    assert set(scores) == METRICS
    assert scores["accuracy"] == scores["f1"] == scores["roc_auc"] == 1.0
    assert 0 < scores["log_loss"] < 0.4


def test_three_classes_use_macro_averages():
    labels = pd.Series(["a", "b", "c", "a"])
    probabilities = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.2, 0.7], [0.2, 0.5, 0.3]])
    scores = evaluate.score(labels, probabilities, np.array(["a", "b", "c"]))
    assert scores["accuracy"] == 0.75
    assert 0 < scores["f1"] < 1
    assert len(evaluate.curves(labels, probabilities, np.array(["a", "b", "c"]))["roc"]) > 2


def test_curves_run_from_corner_to_corner():
    labels = pd.Series([0, 1, 0, 1, 1])
    probabilities = np.array([[0.6, 0.4], [0.2, 0.8], [0.7, 0.3], [0.4, 0.6], [0.55, 0.45]])
    roc = evaluate.curves(labels, probabilities, np.array([0, 1]))["roc"]
    assert roc[0] == {"false_positive_rate": 0.0, "true_positive_rate": 0.0}
    assert roc[-1] == {"false_positive_rate": 1.0, "true_positive_rate": 1.0}


def test_confusion_rows_pair_actual_and_predicted():
    rows = evaluate.confusion_rows(pd.Series([1, 0]), np.array([1, 1]))
    assert rows == [{"actual": "1", "predicted": "1"}, {"actual": "0", "predicted": "1"}]


@pytest.mark.parametrize("name", ["random_forest", "logistic_regression", "gradient_boosting"])
def test_feature_importance_names_input_columns(params, dataset, name):
    sample = dataset.sample(150, random_state=0)
    model = train.train(
        sample, "target", train.make_classifier(name, params["train"][name], seed=0)
    )
    features = sample.drop(columns="target")
    ranked = evaluate.feature_importance(model, features, sample["target"], seed=0)
    assert {row["feature"] for row in ranked} == set(features.columns)
    importances = [row["importance"] for row in ranked]
    assert importances == sorted(importances, reverse=True)
