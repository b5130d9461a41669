import pytest

from {{ cookiecutter.module_name }} import errors
from {{ cookiecutter.module_name }}.pipeline import featurize


def test_split_is_stratified_and_repeatable(dataset):
    train, test = featurize.featurize(dataset, "target", 0.2, [], seed=1)
    again, _ = featurize.featurize(dataset, "target", 0.2, [], seed=1)
    assert len(train) + len(test) == len(dataset)
    assert len(test) == pytest.approx(0.2 * len(dataset), abs=1)
    assert abs(train["target"].mean() - test["target"].mean()) < 0.02
    assert train.equals(again)


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
