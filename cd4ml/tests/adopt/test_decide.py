import numpy as np
import pandas as pd
import pytest

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
    assert decide.baseline_margin({"roc_auc": 0.7}, "roc_auc", 0.2) == 0.1
    assert decide.baseline_margin({"roc_auc": 0.99}, "roc_auc", 0.2) == 0.2
