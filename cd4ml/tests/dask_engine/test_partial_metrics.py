"""The Dask engine's metrics, summed over partitions, are scikit-learn's on the whole test set."""

import numpy as np
import pandas as pd
import pytest
from sklearn import datasets
from sklearn.linear_model import LogisticRegression, Ridge

from cd4ml import scoring
from cd4ml.dask_engine import metrics


def summed(parts: list[dict]) -> dict:
    total = parts[0]
    for part in parts[1:]:
        total = metrics.merge(total, part)
    return total


@pytest.mark.parametrize(
    "loader", [datasets.load_breast_cancer, datasets.load_iris, datasets.load_wine]
)
def test_classification_metrics_match_scikit_learn(loader):
    features, labels = loader(return_X_y=True, as_frame=True)
    labels = labels.map(lambda code: f"class {code}")  # string classes, as a user's CSV has them
    model = LogisticRegression(max_iter=5000).fit(features, labels)
    found = scoring.predict("classification", model, features)
    cuts = np.array_split(np.arange(len(labels)), 4)
    parts = [
        metrics.classification_partial(labels.iloc[cut], found.probabilities[cut], found.classes)
        for cut in cuts
    ]
    expected = scoring.score("classification", labels, found)
    scores = metrics.scores(summed(parts))
    assert scores.pop("roc_auc") == pytest.approx(expected.pop("roc_auc"), abs=1e-4)  # binned
    assert scores == pytest.approx(expected, abs=2e-6)


def test_regression_metrics_match_scikit_learn():
    features, labels = datasets.load_diabetes(return_X_y=True, as_frame=True)
    predicted = Ridge().fit(features, labels).predict(features)
    cuts = np.array_split(np.arange(len(labels)), 5)
    parts = [metrics.regression_partial(labels.iloc[cut], predicted[cut]) for cut in cuts]
    expected = scoring.score("regression", labels, scoring.Predictions(predicted))
    assert metrics.scores(summed(parts)) == pytest.approx(expected, abs=2e-6)


def test_saturated_probabilities_keep_their_order_in_roc_auc():
    """Boosted models put many scores within 1e-9 of 1; the log-odds bins still rank them."""
    generator = np.random.default_rng(0)
    truth = generator.random(2000) < 0.5
    logits = np.where(truth, 25.0, 20.0) + generator.normal(0, 1.5, 2000)
    positive = 1 / (1 + np.exp(-logits))
    probabilities = np.column_stack([1 - positive, positive])
    labels = pd.Series(np.where(truth, "yes", "no"))
    classes = np.array(["no", "yes"])
    found = scoring.Predictions(classes[probabilities.argmax(axis=1)], probabilities, classes)
    total = metrics.classification_partial(labels, probabilities, classes)
    expected = scoring.score("classification", labels, found)["roc_auc"]
    assert metrics.scores(total)["roc_auc"] == pytest.approx(expected, abs=1e-3)
