"""The profile statistics merged from partitions are pandas' on the whole column, or within the
documented distance (KS at the reference's percentiles; the most common value's share)."""

import numpy as np
import pandas as pd
import pytest
from sklearn import datasets

from cd4ml.dask_engine import moments
from cd4ml.quality import profile


def merged(values: pd.Series, codes, reference: dict, pieces: int) -> dict:
    cuts = np.array_split(np.arange(len(values)), pieces)
    summaries = [
        moments.number_summary(values.iloc[cut], None if codes is None else codes[cut], reference)
        for cut in cuts
    ]
    total = summaries[0]
    for summary in summaries[1:]:
        total = moments.merge_numbers(total, summary)
    return total


@pytest.mark.parametrize("loader", [datasets.load_breast_cancer, datasets.load_diabetes])
def test_merged_statistics_are_the_whole_columns(loader):
    frame = loader(as_frame=True).frame
    shifted = frame.sample(frac=1.0, random_state=1).reset_index(drop=True)
    codes = profile.target_codes(shifted["target"])
    reference = profile.make_profile(frame, "target")
    for name, column in reference["columns"].items():
        if column["kind"] != "number":
            continue
        values = shifted[name].mask(shifted.index % 17 == 0)  # gaps, as real data has
        total = merged(values, codes, column, pieces=5)
        exact = profile.number_statistics(values, codes)
        found = moments.statistics(total, codes is not None and codes.std() > 0)
        for key in ("zero_share", "min", "max"):
            assert found[key] == exact[key], (name, key)
        for key in ("skewness", "target_correlation"):
            if exact[key] is not None:
                assert found[key] == pytest.approx(exact[key], abs=1e-5), (name, key)
        assert found["top_share"] <= exact["top_share"]  # a lower bound
        numbers = np.sort(values.dropna().to_numpy(dtype=float))
        assert np.allclose(
            total["bins"] / total["count"], profile.sorted_bin_shares(numbers, column["edges"])
        )
        exact_d, _ = profile.ks_test(column["quantiles"], numbers)
        grid_d, _ = moments.ks_on_grid(total, column["quantiles"])
        assert exact_d - 0.01 - 1e-9 <= grid_d <= exact_d + 1e-9, name


def test_a_partition_without_values_merges_as_nothing():
    reference = profile.make_profile(
        pd.DataFrame({"x": np.arange(100.0), "target": [0, 1] * 50}), "target"
    )
    empty = moments.number_summary(pd.Series([np.nan, np.nan]), None, reference["columns"]["x"])
    full = moments.number_summary(pd.Series(np.arange(100.0)), None, reference["columns"]["x"])
    assert moments.merge_numbers(empty, full) == full
