import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.quality import profile, roles


@pytest.fixture(scope="module")
def reference(dataset) -> dict:
    return profile.make_profile(dataset, "target")


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
