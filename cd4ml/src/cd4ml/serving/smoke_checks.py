"""What `smoke` judges, with no I/O: a service's answers, and the Markdown report of the checks."""

import math
from dataclasses import dataclass

from ..markup import escaped


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


def error_shape_problem(answer: object) -> str | None:
    """What is wrong with an error answer's shape, {"detail": [{"loc", "msg", "type"}]}, or None."""
    detail = answer.get("detail") if isinstance(answer, dict) else None
    if not isinstance(detail, list) or not detail:
        return f"the answer {_short(answer)} has no list of problems under 'detail'"
    for problem in detail:
        if not (
            isinstance(problem, dict)
            and isinstance(problem.get("loc"), list)
            and isinstance(problem.get("msg"), str)
            and isinstance(problem.get("type"), str)
        ):
            return f"the problem {_short(problem)} lacks loc (a list), msg or type"
    return None


def prediction_problem(answer: object, task: str) -> str | None:
    """What is wrong with one prediction of the task, or None."""
    if not isinstance(answer, dict) or "prediction" not in answer:
        return f"the answer {_short(answer)} has no 'prediction'"
    predicted = answer["prediction"]
    if task == "regression":
        number = isinstance(predicted, int | float) and not isinstance(predicted, bool)
        return None if number and math.isfinite(predicted) else f"{predicted!r} is not a number"
    probabilities = answer.get("probabilities")
    if probabilities is None:  # a classifier without predict_proba
        return None
    if not isinstance(probabilities, dict) or str(predicted) not in probabilities:
        return f"the class {predicted!r} is not among the probabilities {_short(probabilities)}"
    total = sum(probabilities.values())
    return None if abs(total - 1) < 1e-3 else f"the probabilities add up to {total:.4g}, not 1"


def check_answers(
    single: tuple[int, object], batch: tuple[int, object], labels: list, task: str
) -> list[Check]:
    """/predict's answer to the first row, /predict/batch's to all the rows (whose true values are
    labels); a prediction need not be right, only well-formed."""
    status, answer = single
    problem = prediction_problem(answer, task) if status == 200 else f"answered {status}"
    shown = f"{_value(labels[0])} → {_value(answer['prediction'])}" if problem is None else problem
    checks = [Check("POST /predict", problem is None, shown)]
    status, answer = batch
    predictions = answer.get("predictions") if isinstance(answer, dict) else None
    if status != 200 or not isinstance(predictions, list) or len(predictions) != len(labels):
        counted = len(predictions) if isinstance(predictions, list) else "no"
        detail = f"answered {status} with {counted} predictions for {len(labels)} rows"
        return [*checks, Check("POST /predict/batch", False, detail)]
    problems = [prediction_problem(item, task) for item in predictions]
    failed = next((problem for problem in problems if problem), None)
    if failed:
        return [*checks, Check("POST /predict/batch", False, failed)]
    return [*checks, Check("POST /predict/batch", True, _pairs(labels, predictions, task))]


def _pairs(labels: list, predictions: list[dict], task: str) -> str:
    """Each row's true value → predicted one, and the classes the model knows but the test set
    lacks."""
    pairs = ", ".join(
        f"{_value(label)} → {_value(item['prediction'])}"
        for label, item in zip(labels, predictions, strict=True)
    )
    if task == "regression":
        return f"{len(labels)} rows of the test set (true → predicted): {pairs}"
    known = set((predictions[0].get("probabilities") or {}).keys())
    absent = sorted(known - {str(label) for label in labels})
    lacking = f"; not in the test set: {', '.join(absent)}" if absent else ""
    return f"one row per class of the test set (true → predicted): {pairs}{lacking}"


def render(checks: list[Check], url: str, digest: str = "") -> str:
    """The review app's section of the PR report."""
    failed = [check for check in checks if not check.passed]
    verdict = f"**failed** ({len(failed)} of {len(checks)} checks)" if failed else "passed"
    lines = [
        "### Review app",
        "",
        f"Smoke test of the service at <code>{escaped(url)}</code>: {verdict}.",
    ]
    if digest:
        lines.append(f"Image: <code>{escaped(digest)}</code>.")
    lines += ["", "| check | result | detail |", "| --- | --- | --- |"]
    for check in checks:
        result = "passed" if check.passed else "**failed**"
        lines.append(f"| {escaped(check.name)} | {result} | {escaped(check.detail)} |")
    lines += ["", "Run it yourself: `make serve`, then `make smoke`."]
    return "\n".join(lines) + "\n"


def _value(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _short(value: object, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."
