from {{ cookiecutter.module_name }}.registry import promote

CHAMPION = {"accuracy": 0.95, "f1": 0.96, "roc_auc": 0.99, "log_loss": 0.12}


def passed(results) -> bool:
    return all(result.passed for result in results)


def test_the_first_model_is_promoted_when_it_meets_the_thresholds(params):
    assert passed(promote.decide(CHAMPION, None, params))
    assert not passed(promote.decide({**CHAMPION, "f1": 0.5}, None, params))
