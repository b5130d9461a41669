from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cd4ml import errors
from cd4ml.adopt import decide


def test_the_task_is_detected_or_checked_against_the_target():
    prices = pd.Series(np.random.default_rng(0).normal(size=200), name="price")
    assert decide.task_for(prices, None)[0] == "regression"
    assert decide.task_for(pd.Series(["a", "b"] * 20), None) == (
        "classification",
        "detected: text with 2 distinct values",
    )
    with pytest.raises(errors.PipelineError, match="a quantity rather than classes"):
        decide.task_for(prices, "classification")
    with pytest.raises(errors.PipelineError, match="holds text, which regression cannot"):
        decide.task_for(pd.Series(["a", "b"] * 20, name="label"), "regression")
    with pytest.raises(errors.PipelineError, match="column 'label' has 1 distinct value"):
        decide.task_for(pd.Series(["a"] * 20, name="label"), None)


def test_small_data_gets_a_larger_test_share_or_a_clear_no():
    assert decide.test_size_for(1000, 0.2, 20) == 0.2
    assert decide.test_size_for(60, 0.2, 20) == 0.34
    with pytest.raises(errors.PipelineError, match="20 rows are too few"):
        decide.test_size_for(20, 0.2, 20)


def test_large_data_gets_gradient_boosting_and_the_reason():
    assert decide.model_for(500, "random_forest", task_changed=False)[0] == "random_forest"
    model, reason = decide.model_for(1_000_000, "random_forest", task_changed=False)
    assert model == "gradient_boosting" and "1000000 rows" in reason


def test_a_new_task_gets_a_model_that_exists_for_it():
    assert decide.model_for(500, "logistic_regression", task_changed=True)[0] == "random_forest"
    assert decide.model_for(500, "logistic_regression", task_changed=False)[0] == (
        "logistic_regression"
    )


def test_the_gate_sits_a_little_below_the_first_model():
    floors = decide.floors({"accuracy": 0.9, "log_loss": 0.2})
    assert floors == {"accuracy": 0.85, "log_loss": 0.26}
    assert decide.baseline_margin({"roc_auc": 0.7}, {"roc_auc": 0.5}, "roc_auc") == 0.1
    assert decide.baseline_margin({"roc_auc": 0.99}, {"roc_auc": 0.5}, "roc_auc") == 0.2


@given(
    gain=st.floats(0, 100, allow_nan=False),
    start=st.floats(-100, 100, allow_nan=False),
    metric=st.sampled_from(["roc_auc", "r2", "f1", "rmse", "mae", "log_loss"]),
)
def test_the_baseline_margin_is_the_new_data_sets_own(gain, start, metric):
    """Half the first model's gain over its baseline, capped by the template's margin for the
    metric: nothing of the previous data set's margin (0.2 for ROC AUC) reaches an r2 or rmse."""
    lower = metric in {"rmse", "mae", "log_loss"}
    metrics, baseline = {metric: start - gain if lower else start + gain}, {metric: start}
    margin = decide.baseline_margin(metrics, baseline, metric)
    assert 0 <= margin <= gain / 2 + 1e-9
    assert margin <= decide.BASELINE_MARGIN.get(metric, float("inf"))
    assert decide.baseline_margin({"r2": 0.46}, {"r2": 0.0}, "r2") == 0.1
    assert decide.baseline_margin({"rmse": 55.2}, {"rmse": 75.0}, "rmse") == 9.9


stems = st.text(st.characters(codec="utf-8", exclude_characters="/\0"), min_size=1, max_size=30)


@given(first=stems, second=stems, base=st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True))
def test_each_data_set_and_task_has_its_own_registered_model_and_keeps_it(first, second, base):
    """Switching names a new lineage; switching back resumes the first one, on the team's base."""
    one, two = (decide.lineage(Path(f"{stem}.csv"), "classification") for stem in (first, second))
    named = decide.model_name_for(base, None, one)
    switched = decide.model_name_for(
        named, one, decide.lineage(Path(f"{second}.csv"), "regression")
    )
    back = decide.model_name_for(switched, decide.lineage(Path(f"{second}.csv"), "regression"), one)
    assert named == back == f"{base}-{one}" and switched.startswith(f"{base}-")
    assert switched != named and two.endswith("-classification")
    assert not set("/: ") & set(switched)  # names MLflow's registry takes, in one shell word
    assert len(decide.lineage(Path(f"{first * 500}.csv"), "classification")) <= 75
