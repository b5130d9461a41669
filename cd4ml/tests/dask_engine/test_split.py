"""The Dask engine's split: a function of each row's key and the seed, whatever the partitioning."""

import pandas as pd
import pytest
from sklearn import datasets

from cd4ml.dask_engine.featurize import in_test, side


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
