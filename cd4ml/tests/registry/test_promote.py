from cd4ml import gates
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
