"""The model suite: how the configured model behaves, trained on the current data.

Run it alone with `pytest tests/model`. The task (train.task) decides what "good" means:
class probabilities for classification, numbers for regression.
"""

import numpy as np
import pandas as pd
import pytest
from cd4ml import files, gates, scoring
from cd4ml.config import param
from cd4ml.pipeline import train


@pytest.fixture(scope="module")
def target(params) -> str:
    return param(params, "ingest.target")


def fit(params, frame):
    return train.train(frame, param(params, "ingest.target"), train.configured(params))


def outputs(task, model, features) -> np.ndarray:
    """What the model answers: class probabilities, or the predicted numbers."""
    if task == "classification":
        return model.predict_proba(features)
    return model.predict(features)


@pytest.fixture(scope="module")
def model(params, split):
    return fit(params, split[0])


@pytest.fixture(scope="module")
def features(split, target):
    return split[1].drop(columns=target)


def test_it_fits_on_one_small_batch(params, task, split, target):
    train_set = split[0]
    batch = train_set.groupby(target).head(8) if task == "classification" else train_set.head(16)
    assert fit(params, batch).predict(batch.drop(columns=target)).shape == (len(batch),)


def test_it_beats_a_dummy_baseline_by_the_margin(params, task, split, model, features, target):
    """A DummyClassifier (class shares) or DummyRegressor (the mean), scored on the same rows."""
    metric = param(params, "evaluate.primary_metric")
    labels = split[1][target]
    scores = scoring.score(task, labels, scoring.predict(task, model, features))
    baseline = scoring.baseline_scores(task, split[0][target], labels)
    (result,) = gates.against_baseline(
        scores, baseline, metric, param(params, "evaluate.baseline_margin")
    )
    assert result.passed, result.line()


def test_the_same_seed_gives_the_same_predictions(params, task, split, model, features):
    assert np.array_equal(
        outputs(task, fit(params, split[0]), features), outputs(task, model, features)
    )


def test_predictions_are_sane_for_the_task(task, split, model, features, target):
    """Classes seen in training, of the labels' own type; numbers in about the range of the labels.

    How good they are is the baseline test's business: a fair model on a small or skewed data set
    may predict some classes far more often than they occur.
    """
    labels = split[0][target].dropna()
    predicted = pd.Series(model.predict(features))
    if task == "classification":
        known = {(type(label), label) for label in labels.tolist()}
        assert {(type(answer), answer) for answer in predicted.tolist()} <= known
    else:
        spread = labels.max() - labels.min()
        assert labels.min() - spread / 2 <= predicted.min()
        assert predicted.max() <= labels.max() + spread / 2
        assert predicted.std() > 0


def test_all_zero_and_all_missing_rows_get_a_prediction(task, model, features):
    """Documented: missing values are imputed (training medians) and zeros are ordinary values."""
    odd = pd.DataFrame(
        [{name: 0 for name in features.columns}, {name: None for name in features.columns}]
    )
    odd = odd.astype(
        {name: float if kind.kind in "iu" else kind for name, kind in features.dtypes.items()}
    )
    answers = outputs(task, model, odd)
    assert len(answers) == 2 and not np.isnan(answers).any()
    if task == "classification":
        assert np.allclose(answers.sum(axis=1), 1)


def test_save_then_load_gives_the_same_predictions(tmp_path, task, model, features):
    files.write_model(model, tmp_path / "model.pkl")
    loaded = files.read_model(tmp_path / "model.pkl")
    assert np.array_equal(outputs(task, loaded, features), outputs(task, model, features))


def test_no_output_is_missing(task, model, features):
    assert not np.isnan(outputs(task, model, features)).any()
    assert not pd.isna(model.predict(features)).any()
