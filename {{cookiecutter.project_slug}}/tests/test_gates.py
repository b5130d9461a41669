import pytest

from {{ cookiecutter.module_name }} import errors, gates

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
        errors.PipelineError, match=r"evaluate.thresholds names unknown metrics \['auc'\]"
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
