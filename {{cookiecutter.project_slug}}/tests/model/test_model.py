"""The model suite: how the configured model behaves, trained on the current data.

Run it alone with `pytest tests/model`.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyClassifier

from {{ cookiecutter.module_name }} import files
from {{ cookiecutter.module_name }}.config import param, path
from {{ cookiecutter.module_name }}.pipeline import evaluate, featurize, ingest, train


@pytest.fixture(scope="module")
def split(params):
    frame = ingest.ingest(
        param(params, "ingest.source"),
        param(params, "ingest.target"),
        path(params, "raw"),
        ingest.dialect_of(params),
    )
    return featurize.featurize(
        frame,
        param(params, "ingest.target"),
        param(params, "featurize.test_size"),
        featurize.columns_to_drop(params, frame.columns),
        param(params, "seed"),
    )


def fit(params, frame):
    name = param(params, "train.model")
    classifier = train.make_classifier(
        name, param(params, f"train.{name}") or {}, param(params, "seed")
    )
    return train.train(frame, param(params, "ingest.target"), classifier)


@pytest.fixture(scope="module")
def model(params, split):
    return fit(params, split[0])


@pytest.fixture(scope="module")
def features(params, split):
    return split[1].drop(columns=param(params, "ingest.target"))


def test_it_fits_on_one_small_batch(params, split):
    batch = split[0].groupby(param(params, "ingest.target")).head(8)
    assert fit(params, batch).predict(batch.drop(columns=param(params, "ingest.target"))).shape == (
        len(batch),
    )


def test_it_beats_a_dummy_baseline_by_the_margin(params, split, model, features):
    target, metric = param(params, "ingest.target"), param(params, "evaluate.primary_metric")
    labels = split[1][target]
    baseline = DummyClassifier(strategy="prior").fit(
        split[0].drop(columns=target), split[0][target]
    )
    scores = evaluate.score(labels, model.predict_proba(features), model.classes_)
    dummy = evaluate.score(labels, baseline.predict_proba(features), baseline.classes_)
    assert scores[metric] >= dummy[metric] + param(params, "evaluate.baseline_margin"), (
        scores,
        dummy,
    )


def test_the_same_seed_gives_the_same_predictions(params, split, model, features):
    assert np.array_equal(
        fit(params, split[0]).predict_proba(features), model.predict_proba(features)
    )


def test_every_class_is_predicted_in_a_sane_share(params, split, model, features):
    labels = split[1][param(params, "ingest.target")]
    predicted = pd.Series(model.predict(features)).value_counts(normalize=True)
    actual = labels.value_counts(normalize=True)
    assert set(predicted.index) == set(actual.index)
    assert (predicted - actual).abs().max() < 0.15


def test_all_zero_and_all_missing_rows_get_a_prediction(model, features):
    """Documented: missing values are imputed (training medians) and zeros are ordinary values."""
    odd = pd.DataFrame(
        [{name: 0 for name in features.columns}, {name: None for name in features.columns}]
    )
    odd = odd.astype(
        {name: float if kind.kind in "iu" else kind for name, kind in features.dtypes.items()}
    )
    probabilities = model.predict_proba(odd)
    assert probabilities.shape == (2, len(model.classes_))
    assert np.allclose(probabilities.sum(axis=1), 1)


def test_save_then_load_gives_the_same_predictions(tmp_path, model, features):
    files.write_model(model, tmp_path / "model.pkl")
    loaded = files.read_model(tmp_path / "model.pkl")
    assert np.array_equal(loaded.predict_proba(features), model.predict_proba(features))


def test_no_output_is_missing(model, features):
    assert not np.isnan(model.predict_proba(features)).any()
    assert not pd.isna(model.predict(features)).any()
