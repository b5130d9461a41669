import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cd4ml.quality import profile, reading, roles


@pytest.fixture(scope="module")
def reference(dataset) -> dict:
    return profile.make_profile(dataset, "target")


def standard(values):
    return (values - values.mean()) / values.std()


def failed(results) -> set[tuple[str | None, str]]:
    return {(result.column, result.check) for result in results if not result.passed}


def test_the_shipped_reference_is_the_current_data_profile(params, current):
    target = params["ingest"]["target"]
    skip = roles.not_features(roles.feature_roles(Path(params["paths"]["contract"])), target)
    shipped = json.loads(Path(params["paths"]["profile"]).read_text())
    assert shipped == json.loads(json.dumps(profile.make_profile(current, target, skip)))


def test_the_current_data_passes_every_statistical_check_against_the_shipped_profile(
    params, current
):
    shipped = profile.read_profile(Path(params["paths"]["profile"]))
    assert failed(profile.compare(shipped, current, params["validate"])) == set()


def test_ties_at_bin_edges_and_whole_numbers_are_not_drift(params):
    """Rounded edges moved tied values across a bin; scipy's KS test assumes no ties."""
    frame = pd.DataFrame(
        {"count": np.repeat(np.arange(12), 40), "label": np.tile(["a", "b"], 240)}
    ).assign(ratio=lambda frame: frame["count"] / 7)
    reference = profile.make_profile(frame, "label")
    assert failed(profile.compare(reference, frame, params["validate"])) == set()


def test_a_profile_describes_each_column(reference, feature, task):
    column = reference["columns"][feature]
    assert column["kind"] == "number"
    assert column["min"] < column["quantiles"][50] < column["max"]
    assert sum(column["bin_shares"]) == pytest.approx(1, abs=1e-4)
    target_kind = "category" if task == "classification" else "number"
    assert reference["columns"]["target"]["kind"] == target_kind


def test_the_same_data_passes_every_statistical_check(reference, dataset, params):
    assert failed(profile.compare(reference, dataset, params["validate"])) == set()


def test_a_fresh_sample_of_the_same_data_passes_the_drift_tests(reference, dataset, params):
    sample = dataset.sample(300, random_state=3)
    drift = {check for _, check in failed(profile.compare(reference, sample, params["validate"]))}
    assert not drift & {"PSI", "KS test"}


def test_a_shift_is_caught_by_psi_and_ks(reference, dataset, params, feature):
    shifted = dataset.assign(**{feature: dataset[feature] + dataset[feature].std()})
    assert {(feature, "PSI"), (feature, "KS test")} <= failed(
        profile.compare(reference, shifted, params["validate"])
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda frame, name: frame.assign(**{name: 0.0}), "zero share"),
        (lambda frame, name: frame.assign(**{name: np.exp(2 * standard(frame[name]))}), "skewness"),
        (
            lambda frame, name: frame.assign(**{name: frame[name].iloc[0]}),
            "most common value share",
        ),
        (lambda frame, name: frame.assign(**{name: frame[name] * 3}), "min and max"),
        (
            lambda frame, name: frame.assign(target=np.where(frame.index % 10 == 0, 0, 1)),
            "target PSI",
        ),
    ],
    ids=["zeros", "skew", "top-share", "range", "target-shares"],
)
def test_each_statistic_catches_its_change(reference, dataset, params, feature, change, expected):
    wanted = ("target", "PSI") if expected == "target PSI" else (feature, expected)
    changed = change(dataset, feature)
    assert wanted in failed(profile.compare(reference, changed, params["validate"]))


def test_a_shuffled_feature_loses_its_correlation_with_two_classes(reference, dataset, params):
    """Correlation with the target is profiled for two classes only (none for regression)."""
    correlated = [
        name
        for name, column in reference["columns"].items()
        if column.get("target_correlation") is not None
    ]
    if reference["columns"]["target"]["kind"] == "category":
        columns = reference["columns"]
        name = max(correlated, key=lambda name: abs(columns[name]["target_correlation"]))
        shuffled = dataset.assign(**{name: dataset[name].sample(frac=1, random_state=0).to_numpy()})
        assert (name, "target correlation") in failed(
            profile.compare(reference, shuffled, params["validate"])
        )
    else:
        assert correlated == []


def test_psi_is_zero_for_equal_shares_and_grows_with_the_gap():
    even = np.full(4, 0.25)
    assert profile.psi(even, even) == 0
    assert (
        0
        < profile.psi(even, np.array([0.3, 0.2, 0.25, 0.25]))
        < profile.psi(even, np.array([0.7, 0.1, 0.1, 0.1]))
    )


@pytest.mark.parametrize("size", [500, 20_000])
def test_statistics_from_sorted_values_equal_the_direct_ones(size):
    """Ties, zeros, values on the bin edges: the same numbers as computing each check directly."""
    from scipy import stats

    generator = np.random.default_rng(size)
    zeros = generator.choice([0, 1], size, p=[0.1, 0.9])
    numbers = np.round(generator.gamma(2.0, 3.0, size), 1) * zeros
    reference = profile.column_profile(pd.Series(generator.gamma(2.0, 3.2, 800)), None)
    numbers[:5] = reference["edges"][:5]
    codes = (generator.random(size) < 0.4).astype(float)
    ordered = np.sort(numbers)
    values = pd.Series(numbers)
    assert profile.observed_statistics(values, numbers, ordered, codes) == (
        profile.number_statistics(values, codes)
    )
    np.testing.assert_array_equal(
        profile.sorted_bin_shares(ordered, reference["edges"]),
        profile.bin_shares(numbers, reference["edges"]),
    )

    def reference_cdf(points):
        return np.interp(points, reference["quantiles"], profile.QUANTILES)

    method = "exact" if size <= profile.EXACT_LIMIT else "asymp"
    expected = stats.kstest(numbers, reference_cdf, method=method)
    assert profile.ks_test(reference["quantiles"], ordered) == pytest.approx(
        (expected.statistic, expected.pvalue), rel=1e-12
    )


# A long decimal many rows share: a third, a float32 value written in full, a tenth's neighbour.
LONG_DECIMALS = [1 / 3, float(np.float32(0.8)), 0.1 + 0.2, -2 / 7 * 1e5, 123456.789012345678]


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    rows=st.integers(30, 3000),
    tied=st.lists(st.sampled_from(LONG_DECIMALS), min_size=1, max_size=3, unique=True),
    share=st.floats(0.05, 0.6),
    scale=st.sampled_from([1e-6, 1.0, 1e6]),
)
def test_a_profile_passes_the_data_it_was_drafted_from_even_read_back_from_csv(
    params, tmp_path_factory, seed, rows, tied, share, scale
):
    """Rounded quantiles put a tied long decimal (0.3333333333333333 in a quarter of the rows)
    beside its rounding (0.333333), and the KS test found the data drifted from itself."""
    generator = np.random.default_rng(seed)
    values = generator.normal(0, scale, rows).round(generator.integers(0, 17))
    heavy = generator.random(rows) < share
    values[heavy] = generator.choice(tied, heavy.sum())
    frame = pd.DataFrame({"reading": values, "label": generator.choice(["a", "b"], rows)})
    file = tmp_path_factory.mktemp("read") / "data.csv"
    frame.to_csv(file, index=False)
    reference = profile.make_profile(frame, "label")
    assert failed(profile.compare(reference, frame, params["validate"])) == set()
    read = reading.read_table(file)
    assert failed(profile.compare(reference, read, params["validate"])) == set()
