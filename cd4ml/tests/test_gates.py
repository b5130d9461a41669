import pytest

from cd4ml import errors, gates

CHAMPION = {"accuracy": 0.95, "f1": 0.96, "roc_auc": 0.99, "log_loss": 0.12}


def passed(results) -> bool:
    return all(result.passed for result in results)


def test_the_gate_passes_floors_and_ceilings():
    scores = {"f1": 0.95, "log_loss": 0.2, "roc_auc": 0.99}
    results = gates.gate(scores, {"f1": 0.9, "log_loss": 0.3})
    assert [result.passed for result in results] == [True, True]
    failing = gates.gate(scores, {"f1": 0.97, "log_loss": 0.1})
    assert [result.line() for result in failing] == [
        "f1 is 0.95, expected >= 0.97",
        "log_loss is 0.2, expected <= 0.1",
    ]
    assert not any(result.passed for result in failing)


def test_the_gate_names_an_unknown_metric():
    with pytest.raises(
        errors.PipelineError, match=r"evaluate.thresholds names \['auc'\], which this model"
    ):
        gates.gate({"roc_auc": 0.9}, {"auc": 0.8})


@pytest.mark.parametrize(
    ("roc_auc", "expected"), [(0.999, True), (0.99, True), (0.9851, True), (0.984, False)]
)
def test_a_challenger_may_regress_by_the_margin_at_most(roc_auc, expected):
    results = gates.against_champion({**CHAMPION, "roc_auc": roc_auc}, CHAMPION, "roc_auc", 0.005)
    assert passed(results) is expected


def test_log_loss_as_primary_metric_is_lower_is_better():
    worse = gates.against_champion({"log_loss": 0.2}, {"log_loss": 0.12}, "log_loss", 0.01)
    better = gates.against_champion({"log_loss": 0.1}, {"log_loss": 0.12}, "log_loss", 0.01)
    assert not passed(worse) and passed(better)
    assert worse[0].bound == "<= 0.13 (champion 0.12)"


@pytest.mark.parametrize(
    ("metric", "score", "expected"),
    [("roc_auc", 0.75, True), ("roc_auc", 0.65, False), ("rmse", 40, True), ("rmse", 48, False)],
)
def test_the_baseline_must_be_beaten_by_the_margin_in_the_metrics_direction(
    metric, score, expected
):
    baseline = {"roc_auc": 0.5, "rmse": 50}
    margin = {"roc_auc": 0.2, "rmse": 5}[metric]
    (result,) = gates.against_baseline({metric: score}, baseline, metric, margin)
    assert result.passed is expected
    assert result.bound.startswith(">= 0.7 " if metric == "roc_auc" else "<= 45 ")


def test_the_metric_gate_is_the_baseline_rule_then_the_thresholds():
    results = gates.metric_gate(
        {"r2": 0.4, "rmse": 60}, {"r2": 0.0, "rmse": 80}, {"rmse": 55}, "r2", 0.1
    )
    assert [(result.check, result.passed) for result in results] == [
        ("r2 against the baseline", True),
        ("rmse", False),
    ]


def test_logged_metrics_keep_the_baseline_beside_the_models():
    logged = gates.with_baseline({"r2": 0.4}, {"r2": -0.01})
    assert logged == {"r2": 0.4, "baseline_r2": -0.01}
    assert gates.split_baseline(logged) == ({"r2": 0.4}, {"r2": -0.01})
    assert gates.split_baseline({"r2": 0.4}) == ({"r2": 0.4}, None)
