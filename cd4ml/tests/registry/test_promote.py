from types import SimpleNamespace

from cd4ml import gates, input_schema, scoring
from cd4ml.registry import promote


def passed(results) -> bool:
    return all(result.passed for result in results)


def meeting_the_gate(params) -> dict:
    """Logged metrics that meet each threshold exactly and beat the baseline by twice the margin."""
    evaluate = params["evaluate"]
    metric, margin = evaluate["primary_metric"], evaluate["baseline_margin"]
    sign = -1 if metric in gates.LOWER_IS_BETTER else 1
    scores = {metric: 0.5, **(evaluate["thresholds"] or {})}
    return gates.with_baseline(scores, {metric: scores[metric] - sign * 2 * margin})


def test_the_first_model_is_promoted_when_it_passes_the_metric_gate(params):
    assert passed(promote.decide(meeting_the_gate(params), None, params))


def test_a_model_that_does_not_beat_the_baseline_is_not_promoted(params):
    metric = params["evaluate"]["primary_metric"]
    logged = meeting_the_gate(params)
    scores, baseline = gates.split_baseline(logged)
    no_better = gates.with_baseline(scores, {**baseline, metric: scores[metric]})
    assert not passed(promote.decide(no_better, None, params))


def test_a_challenger_far_below_the_champion_is_not_promoted(params):
    metric = params["evaluate"]["primary_metric"]
    champion = meeting_the_gate(params)
    sign = -1 if metric in gates.LOWER_IS_BETTER else 1
    champion_better = {**champion, metric: champion[metric] + sign * 1.0}
    results = promote.decide(meeting_the_gate(params), champion_better, params)
    assert [result.check for result in results if not result.passed] == [
        f"{metric} against the champion"
    ]


def logged(task: str, schema: str | None, metrics: dict) -> SimpleNamespace:
    """An MLflow run as promote reads it: params, tags and metrics."""
    tags = {input_schema.TAG: schema} if schema else {}
    return SimpleNamespace(
        data=SimpleNamespace(params={"train.task": task}, tags=tags, metrics=metrics)
    )


def test_a_champion_of_another_task_or_data_set_is_no_yardstick(params):
    """Before promote compares scores (a KeyError on r2 once) or registers anything."""
    metric = params["evaluate"]["primary_metric"]
    task = params["train"]["task"]
    other = next(name for name in scoring.TASKS if name != task)
    challenger = logged(task, "a" * 64, meeting_the_gate(params))
    same = logged(task, "a" * 64, meeting_the_gate(params))
    assert promote.difference(same, challenger, metric) == ""
    assert promote.difference(logged(task, None, same.data.metrics), challenger, metric) == ""
    other_task = logged(other, "a" * 64, {scoring.PRIMARY_METRIC[other]: 0.9})
    assert promote.difference(other_task, challenger, metric) == (
        f"it was trained for {other}, this model for {task}"
    )
    other_columns = logged(task, "b" * 64, meeting_the_gate(params))
    assert "other input columns" in promote.difference(other_columns, challenger, metric)
