import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.quality import profile


@pytest.fixture(scope="module")
def reference(dataset) -> dict:
    return profile.make_profile(dataset, "target")


def failed(results) -> set[tuple[str | None, str]]:
    return {(result.column, result.check) for result in results if not result.passed}


def test_the_shipped_reference_is_the_bundled_data_profile(params, reference):
    shipped = json.loads(Path(params["paths"]["profile"]).read_text())
    assert shipped == json.loads(json.dumps(reference))


def test_a_profile_describes_each_column(reference):
    radius = reference["columns"]["mean_radius"]
    assert radius["kind"] == "number"
    assert radius["min"] < radius["quantiles"][50] < radius["max"]
    assert radius["target_correlation"] < -0.5  # large tumours are malignant (target 0)
    assert sum(radius["bin_shares"]) == pytest.approx(1, abs=1e-4)
    assert reference["columns"]["target"]["kind"] == "category"


def test_the_same_data_passes_every_statistical_check(reference, dataset, params):
    assert failed(profile.compare(reference, dataset, params["validate"])) == set()


def test_a_fresh_sample_of_the_same_data_passes_the_drift_tests(reference, dataset, params):
    sample = dataset.sample(300, random_state=3)
    drift = {check for _, check in failed(profile.compare(reference, sample, params["validate"]))}
    assert not drift & {"PSI", "KS test"}


def test_a_shift_is_caught_by_psi_and_ks(reference, dataset, params):
    shifted = dataset.assign(mean_radius=dataset["mean_radius"] + dataset["mean_radius"].std())
    assert {("mean_radius", "PSI"), ("mean_radius", "KS test")} <= failed(
        profile.compare(reference, shifted, params["validate"])
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda frame: frame.assign(mean_area=0.0), ("mean_area", "zero share")),
        (lambda frame: frame.assign(mean_area=frame["mean_area"] ** 2), ("mean_area", "skewness")),
        (
            lambda frame: frame.assign(mean_area=frame["mean_area"].iloc[0]),
            ("mean_area", "most common value share"),
        ),
        (
            lambda frame: frame.assign(mean_area=frame["mean_area"] * 3),
            ("mean_area", "min and max"),
        ),
        (
            lambda frame: frame.assign(
                mean_area=frame["mean_area"].sample(frac=1, random_state=0).to_numpy()
            ),
            ("mean_area", "target correlation"),
        ),
        (
            lambda frame: frame.assign(target=np.where(frame.index % 10 == 0, 0, 1)),
            ("target", "PSI"),
        ),
    ],
    ids=["zeros", "skew", "top-share", "range", "correlation", "class-shares"],
)
def test_each_statistic_catches_its_change(reference, dataset, params, change, expected):
    assert expected in failed(profile.compare(reference, change(dataset), params["validate"]))


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
