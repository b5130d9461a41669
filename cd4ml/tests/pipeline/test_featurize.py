import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cd4ml import errors
from cd4ml.pipeline import featurize
from cd4ml.quality.reading import read_table


def test_split_is_repeatable_and_stratified_for_classes(dataset, task):
    train, test = featurize.featurize(dataset, "target", 0.2, [], seed=1, task=task)
    again, _ = featurize.featurize(dataset, "target", 0.2, [], seed=1, task=task)
    assert len(train) + len(test) == len(dataset)
    assert len(test) == pytest.approx(0.2 * len(dataset), abs=1)
    assert train.equals(again)
    if task == "classification":
        shares = train["target"].value_counts(normalize=True)
        assert (shares - test["target"].value_counts(normalize=True)).abs().max() < 0.02


def test_a_regression_target_is_split_without_classes(mixed_frame):
    """Every value of a continuous target is its own "class": stratifying would fail."""
    frame = mixed_frame.assign(label=mixed_frame["income"])
    train, test = featurize.featurize(frame, "label", 0.2, [], seed=0, task="regression")
    assert len(train) + len(test) == len(frame)
    with pytest.raises(errors.PipelineError, match="a regression target needs at least two"):
        featurize.featurize(frame.assign(label=1.0), "label", 0.2, [], seed=0, task="regression")


def test_unlabelled_rows_and_dropped_columns_are_removed(mixed_frame):
    mixed_frame.loc[:4, "label"] = None
    train, test = featurize.featurize(mixed_frame, "label", 0.25, ["region"], seed=0)
    assert len(train) + len(test) == len(mixed_frame) - 5
    assert "region" not in train.columns


@pytest.mark.parametrize(
    ("test_size", "drop", "message"),
    [
        (1.5, [], "featurize.test_size is 1.5"),
        (0.2, ["nope"], r"drop_columns names unknown columns \['nope'\]"),
    ],
)
def test_bad_parameters_are_named(mixed_frame, test_size, drop, message):
    with pytest.raises(errors.PipelineError, match=message):
        featurize.featurize(mixed_frame, "label", test_size, drop, seed=0)


def test_a_single_class_is_refused(mixed_frame):
    with pytest.raises(errors.PipelineError, match="needs at least two classes"):
        featurize.featurize(mixed_frame.assign(label="yes"), "label", 0.2, [], seed=0)


def test_too_few_test_rows_name_the_minimum(mixed_frame):
    with pytest.raises(errors.PipelineError, match="fewer than featurize.min_test_rows 30"):
        featurize.featurize(mixed_frame, "label", 0.2, [], seed=0, min_test_rows=30)


def test_a_continuous_target_under_classification_names_the_fix(mixed_frame):
    with pytest.raises(errors.PipelineError, match="set train.task: regression"):
        featurize.featurize(mixed_frame, "income", 0.2, [], seed=0)
    train, _ = featurize.featurize(mixed_frame, "income", 0.2, [], seed=0, task="regression")
    assert len(train) == 96


def test_columns_whose_role_is_not_feature_are_dropped(tmp_path, mixed_frame, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "contract.yaml").write_text(
        "columns:\n  age: {type: float, role: ignore}\n  region: {type: str}\n"
    )
    params = {
        "paths": {"contract": "contract.yaml"},
        "ingest": {"target": "label"},
        "featurize": {"drop_columns": ["income"]},
    }
    assert featurize.columns_to_drop(params, mixed_frame.columns) == ["income", "age"]


@settings(max_examples=40, deadline=None)
@given(
    labels=st.sampled_from([[True, False], [0, 1, 2], [3, 7], ["yes", "no"]]),
    gaps=st.integers(min_value=1, max_value=5),
)
def test_labels_with_gaps_keep_their_type_after_a_csv(tmp_path_factory, labels, gaps):
    """Blank labels make pandas read booleans and whole numbers as nullable or float columns; the
    labelled rows get the file's own type back, so the model answers True and 2, not 1.0 and 2.0."""
    rows = [labels[n % len(labels)] for n in range(40)] + [None] * gaps
    file = tmp_path_factory.mktemp("labels") / "data.csv"
    pd.DataFrame({"x": range(len(rows)), "y": rows}).to_csv(file, index=False)
    frame = read_table(file)

    train, test = featurize.featurize(frame, "y", 0.25, [], 0)

    answers = pd.concat([train, test])["y"].tolist()
    assert {(type(answer), answer) for answer in answers} == {
        (type(label), label) for label in labels
    }
