from {{ cookiecutter.module_name }}.gates import LOWER_IS_BETTER
from {{ cookiecutter.module_name }}.registry import promote


def passed(results) -> bool:
    return all(result.passed for result in results)


def test_the_first_model_is_promoted_when_it_meets_the_thresholds(params):
    """Metrics exactly at each threshold pass; one step past any of them fails."""
    thresholds = params["evaluate"]["thresholds"]
    primary = params["evaluate"]["primary_metric"]
    challenger = {primary: 0.5, **thresholds}
    assert passed(promote.decide(challenger, None, params))
    for name, limit in thresholds.items():
        worse = limit + 0.01 if name in LOWER_IS_BETTER else limit - 0.01
        assert not passed(promote.decide({**challenger, name: worse}, None, params))


def test_a_challenger_may_fall_short_of_the_champion_by_max_regression_only(params):
    primary = params["evaluate"]["primary_metric"]
    champion = {primary: 0.8, **params["evaluate"]["thresholds"]}
    allowed = params["promote"]["max_regression"]
    step = allowed + 0.01
    worse = champion[primary] + step if primary in LOWER_IS_BETTER else champion[primary] - step
    assert passed(promote.decide(champion, champion, params))
    assert not passed(promote.decide({**champion, primary: worse}, champion, params))
