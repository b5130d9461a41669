"""The Dask engine's split: a function of each row's key and the seed, whatever the partitioning."""

import pandas as pd
import pytest
from sklearn import datasets

from cd4ml.dask_engine.featurize import in_test, side
from cd4ml.labels import plain_type


@pytest.fixture
def frame() -> pd.DataFrame:
    data = datasets.load_wine(as_frame=True).frame
    return pd.concat([data] * 20, ignore_index=True).assign(order_id=lambda f: f.index * 7 + 3)


def test_a_row_lands_on_the_same_side_in_any_partition_and_order(frame):
    whole = frame[in_test(frame, ["order_id"], 0.25, seed=42)]
    shuffled = frame.sample(frac=1.0, random_state=0)
    pieces = [shuffled.iloc[start : start + 500] for start in range(0, len(shuffled), 500)]
    again = pd.concat([piece[in_test(piece, ["order_id"], 0.25, seed=42)] for piece in pieces])
    assert sorted(again["order_id"]) == sorted(whole["order_id"])


def test_the_test_share_is_about_test_size_and_the_seed_changes_it(frame):
    chosen = in_test(frame, [], 0.2, seed=1)
    assert chosen.mean() == pytest.approx(0.2, abs=0.03)
    assert (in_test(frame, [], 0.2, seed=2) != chosen).any()


def test_repeated_rows_never_straddle_the_split(frame):
    """Without an id column the whole row is the key: copies of a row go to one side together."""
    data = frame.drop(columns="order_id")
    chosen = in_test(data, [], 0.3, seed=0)
    keys = pd.util.hash_pandas_object(data, index=False)
    assert pd.Series(chosen).groupby(keys.to_numpy()).nunique().max() == 1


def test_sides_drop_unlabelled_rows_and_the_dropped_columns(frame):
    gappy = frame.assign(target=frame["target"].astype(float).mask(frame.index % 5 == 0))
    train = side(gappy, "target", ["order_id"], 0.25, 0, ["order_id"], test=False)
    test = side(gappy, "target", ["order_id"], 0.25, 0, ["order_id"], test=True)
    assert len(train) + len(test) == gappy["target"].notna().sum()
    assert "order_id" not in train.columns and train["target"].notna().all()


@pytest.mark.parametrize("labels", [[0, 1, 2], [True, False], [-3, 10**12]])
def test_labels_with_gaps_get_one_type_in_every_partition(labels):
    """A partition holding only whole floats and one holding only blanks must agree: the type is
    decided on the whole column, and every labelled row comes back in the file's type."""
    import dask.dataframe as dd

    rows = [labels[n % len(labels)] for n in range(60)] + [None] * 30
    frame = pd.DataFrame({"x": range(len(rows)), "y": pd.Series(rows).convert_dtypes()})
    frame["y"] = frame["y"].astype(float) if not isinstance(labels[0], bool) else frame["y"]
    parts = dd.from_pandas(frame, npartitions=3, sort=False)
    kind = plain_type(parts["y"].dropna())
    sides = [
        parts.map_partitions(side, "y", [], 0.25, 0, [], test=test, label_type=kind).compute()
        for test in (False, True)
    ]
    answers = pd.concat(sides)["y"].tolist()
    assert {(type(answer), answer) for answer in answers} == {
        (type(label), label) for label in labels
    }
