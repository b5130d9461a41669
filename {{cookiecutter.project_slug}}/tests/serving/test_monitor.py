import json

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.quality.profile import make_profile
from {{ cookiecutter.module_name }}.serving import monitor


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


def test_logs_from_the_training_distribution_pass(reference, dataset, limits):
    sample = dataset.sample(300, random_state=1)
    results = monitor.monitor(
        reference, records(sample.drop(columns="target"), list(sample["target"])), None, limits
    )
    assert failed(results) == set()


def test_shifted_logs_and_shifted_predictions_are_flagged(reference, dataset, limits):
    sample = dataset.sample(300, random_state=1)
    shifted = sample.drop(columns="target").assign(
        mean_texture=lambda frame: frame["mean_texture"] * 1.5
    )
    results = monitor.monitor(reference, records(shifted, [0] * 300), None, limits)
    assert {
        ("mean_texture", "PSI"),
        ("mean_texture", "KS test"),
        (None, "prediction PSI"),
    } <= failed(results)


def test_live_accuracy_joins_labels_on_the_request_id(reference, dataset, limits):
    sample = dataset.sample(200, random_state=2)
    logged = records(sample.drop(columns="target"), list(sample["target"]))
    labels = pd.DataFrame(
        {"id": [f"r{position}" for position in range(200)], "label": list(sample["target"])}
    )
    good = monitor.monitor(reference, logged, labels, limits)
    assert "live accuracy" not in {check for _, check in failed(good)}
    wrong = labels.assign(label=1 - labels["label"])
    assert (None, "live accuracy") in failed(monitor.monitor(reference, logged, wrong, limits))


def test_logs_are_read_from_a_file_or_a_folder(tmp_path, dataset):
    lines = records(dataset.drop(columns="target").head(3), [0, 1, 0])
    (tmp_path / "day1.jsonl").write_text("\n".join(json.dumps(line) for line in lines[:2]) + "\n")
    (tmp_path / "day2.jsonl").write_text(json.dumps(lines[2]) + "\n")
    assert len(monitor.read_lines(str(tmp_path))) == 3
    assert len(monitor.read_lines(str(tmp_path / "day2.jsonl"))) == 1
    with pytest.raises(monitor.PipelineError, match="cannot read prediction logs"):
        monitor.read_lines(str(tmp_path / "missing.jsonl"))
