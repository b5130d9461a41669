import pytest

from {{ cookiecutter.module_name }} import promote

CHAMPION = {"accuracy": 0.95, "f1": 0.96, "roc_auc": 0.99, "log_loss": 0.12}


def passed(results) -> bool:
    return all(result.passed for result in results)


def test_the_first_model_is_promoted_when_it_meets_the_thresholds(params):
    assert passed(promote.decide(CHAMPION, None, params))
    assert not passed(promote.decide({**CHAMPION, "f1": 0.5}, None, params))


@pytest.mark.parametrize(
    ("roc_auc", "expected"), [(0.999, True), (0.99, True), (0.9851, True), (0.984, False)]
)
def test_a_challenger_may_regress_by_the_margin_at_most(roc_auc, expected):
    results = promote.against_champion({**CHAMPION, "roc_auc": roc_auc}, CHAMPION, "roc_auc", 0.005)
    assert passed(results) is expected


def test_log_loss_as_primary_metric_is_lower_is_better():
    worse = promote.against_champion({"log_loss": 0.2}, {"log_loss": 0.12}, "log_loss", 0.01)
    better = promote.against_champion({"log_loss": 0.1}, {"log_loss": 0.12}, "log_loss", 0.01)
    assert not passed(worse) and passed(better)
    assert worse[0].bound == "<= 0.13 (champion 0.12)"
