import numpy as np
import pandas as pd
import pytest

from cd4ml.quality import roles

ROWS = 200
generator = np.random.default_rng(0)


@pytest.mark.parametrize(
    ("values", "role"),
    [
        (pd.Series(range(ROWS), name="row"), "id"),
        (pd.Series([f"u{n:05d}" for n in range(ROWS)], name="user"), "id"),
        (pd.Series(generator.integers(0, 10**6, ROWS), name="order_id"), "id"),
        (pd.Series(pd.date_range("2024-01-01", periods=ROWS).astype(str), name="day"), "date"),
        (pd.Series(["same"] * ROWS, name="country"), "ignore"),
        (pd.Series([f"free text {n} " * 3 for n in range(150)] * 2, name="note")[:ROWS], "ignore"),
        (pd.Series(generator.normal(size=ROWS), name="income"), "feature"),
        (pd.Series(generator.choice(["a", "b", None], ROWS), name="region"), "feature"),
        (pd.Series(generator.integers(0, 5, ROWS), name="valid"), "feature"),
    ],
    ids=lambda value: getattr(value, "name", value),
)
def test_each_role_is_detected_with_a_reason(values, role):
    detected, reason = roles.detect_role(values)
    assert detected == role
    assert reason or role == "feature"


@pytest.mark.parametrize(
    ("values", "task"),
    [
        (pd.Series(["yes", "no"] * 50), "classification"),
        (pd.Series([True, False] * 50), "classification"),
        (pd.Series([0, 1, 2] * 40), "classification"),
        (pd.Series(generator.normal(size=300)), "regression"),
        (pd.Series(generator.integers(25, 346, 300)), "regression"),
    ],
    ids=["text", "bool", "few-integers", "floats", "many-integers"],
)
def test_the_task_is_detected_from_the_target(values, task):
    assert roles.detect_task(values)[0] == task


def test_a_continuous_target_under_classification_names_the_fix():
    values = pd.Series(generator.normal(size=300), name="price")
    message = roles.continuous_target_problem(values, "classification")
    assert "column 'price' holds 300 distinct numbers" in message
    assert "train.task: regression" in message
    assert roles.continuous_target_problem(values, "regression") is None


def test_roles_are_read_from_the_contract(tmp_path):
    file = tmp_path / "contract.yaml"
    file.write_text("columns:\n  id: {type: int, role: id}\n  x: {type: float}\n  y: {type: int}\n")
    found = roles.feature_roles(file)
    assert found == {"id": "id", "x": "feature", "y": "feature"}
    assert roles.not_features(found, "y") == ["id"]
