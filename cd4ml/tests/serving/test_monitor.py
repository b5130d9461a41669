import json

import pandas as pd
import pytest
from service_support import FEATURES, synthetic

from cd4ml.checks import Result
from cd4ml.quality.profile import make_profile
from cd4ml.serving import monitor


def records(frame: pd.DataFrame, predictions: list) -> list[dict]:
    rows = frame.to_dict(orient="records")
    return [
        {"id": f"r{position}", "inputs": [row], "outputs": [{"prediction": predicted}]}
        for position, (row, predicted) in enumerate(zip(rows, predictions, strict=True))
    ]


@pytest.fixture(scope="module")
def reference(dataset):
    return make_profile(dataset, "target")  # the bundled data, whatever the project trains on


@pytest.fixture
def limits(params):
    return {**params["validate"], **params["monitor"]}


def failed(results) -> set:
    return {(result.column, result.check) for result in results if not result.passed}


@pytest.fixture(scope="module")
def target() -> str:
    return "target"  # the bundled data's label column, whatever the project trains on


def test_logs_from_the_training_distribution_pass(reference, dataset, limits, target):
    sample = dataset.sample(300, random_state=1)
    results = monitor.monitor(
        reference, records(sample.drop(columns=target), list(sample[target])), None, limits
    )
    assert failed(results) == set()


def test_shifted_logs_and_shifted_predictions_are_flagged(reference, dataset, limits, target):
    sample = dataset.sample(300, random_state=1)
    features = sample.drop(columns=target)
    column = features.select_dtypes("number").std().idxmax()  # a spread-out number feature
    shifted = features.assign(**{column: features[column] + 3 * features[column].std()})
    constant = [sample[target].iloc[0]] * 300
    results = monitor.monitor(reference, records(shifted, constant), None, limits)
    assert {(column, "PSI"), (column, "KS test"), (None, "prediction PSI")} <= failed(results)


def test_live_metrics_join_labels_on_the_request_id(reference, dataset, limits, target, params):
    """Right labels pass; wrong ones fail the task's live metric against the evaluated one."""
    sample = dataset.sample(200, random_state=2)
    logged = records(sample.drop(columns=target), list(sample[target]))
    labels = pd.DataFrame(
        {"id": [f"r{position}" for position in range(200)], "label": list(sample[target])}
    )
    regression = reference["columns"][target]["kind"] == "number"
    evaluated = {"rmse": 1.0, "mae": 1.0} if regression else {"accuracy": 0.9}
    good = monitor.monitor(reference, logged, labels, limits, evaluated)
    assert not failed(good)
    if regression:
        wrong = labels.assign(label=labels["label"] + 10 * sample[target].std())
    else:
        other = {
            label: sorted(set(sample[target]) - {label}, key=str)[0] for label in sample[target]
        }
        wrong = labels.assign(label=labels["label"].map(other))
    live = {"live RMSE", "live MAE"} if regression else {"live accuracy"}
    flagged = {
        check for _, check in failed(monitor.monitor(reference, logged, wrong, limits, evaluated))
    }
    assert live <= flagged


def test_a_regression_log_gets_prediction_drift_and_live_errors(limits):
    data = synthetic(400, seed=3)
    profile = make_profile(data[[*FEATURES, "amount"]], "amount")
    logged = records(data[FEATURES], list(data["amount"]))
    labels = pd.DataFrame({"id": [f"r{position}" for position in range(400)], "label": 0.0})
    evaluated = {"rmse": 1.0, "mae": 1.0}
    results = monitor.monitor(
        profile, logged, labels.assign(label=data["amount"]), limits, evaluated
    )
    assert failed(results) == set()
    by_check = {result.check: result.observed for result in results if result.column is None}
    assert by_check["live RMSE"] == 0 and by_check["live MAE"] == 0
    assert by_check["prediction PSI"] < limits["prediction_psi_max"]
    doubled = monitor.monitor(
        profile, records(data[FEATURES], list(data["amount"] * 2)), labels, limits
    )
    assert (None, "prediction PSI") in failed(doubled)


def test_logs_are_read_from_a_file_or_a_folder_with_rotated_files(tmp_path, dataset, target):
    lines = records(dataset.drop(columns=target).head(3), list(dataset[target].head(3)))
    (tmp_path / "predictions.jsonl.1").write_text(
        "\n".join(json.dumps(line) for line in lines[:2]) + "\n"
    )
    (tmp_path / "predictions.jsonl").write_text(json.dumps(lines[2]) + "\n")
    assert len(monitor.read_lines(str(tmp_path))[0]) == 3
    assert monitor.read_lines(str(tmp_path / "predictions.jsonl")) == ([lines[2]], 0)


def test_truncated_and_malformed_lines_are_skipped_and_counted(tmp_path, dataset, target):
    lines = [
        json.dumps(line)
        for line in records(dataset.drop(columns=target).head(4), list(dataset[target].head(4)))
    ]
    broken = [
        lines[0][: len(lines[0]) // 2],  # cut short by a crash
        "[1, 2]",
        json.dumps({"id": "x", "inputs": [{}], "outputs": []}),
        json.dumps({"id": "y", "inputs": [{}]}),
    ]
    log = tmp_path / "predictions.jsonl"
    log.write_text("\n".join([*lines, *broken]) + "\n")
    records_read, skipped = monitor.read_lines(str(log))
    assert len(records_read) == 4 and skipped == 4


def test_too_few_good_lines_are_refused_in_one_line(tmp_path, params):
    log = tmp_path / "predictions.jsonl"
    log.write_text("{not json\n" * 5)
    with pytest.raises(monitor.PipelineError, match=r"0 logged predictions \(5 malformed"):
        monitor.main(params, logs=str(log))
    with pytest.raises(monitor.PipelineError, match="cannot read prediction logs"):
        monitor.read_lines(str(tmp_path / "missing.jsonl"))


def test_column_names_with_mathtext_markup_are_plotted_as_written(tmp_path):
    names = ["$x$", "$", "\\frac", "^_{}", "$\\frac$", "$^_{}$", "a $b$ \\frac{1}{2} ^_{}"]
    results = [Result("PSI", name, 0.1 * rank, "<= 0.2", True) for rank, name in enumerate(names)]
    monitor.plot(results, 0.2, tmp_path / "monitoring.png")
    assert (tmp_path / "monitoring.png").stat().st_size > 0
