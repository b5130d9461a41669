"""The smoke test of a running service: what it judges, and the command against a real server."""

from pathlib import Path

import pandas as pd
import pytest
from service_support import COLUMNS, FEATURES, export, running, synthetic
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

from cd4ml.errors import PipelineError, Rejected
from cd4ml.pipeline import train
from cd4ml.serving import app as service_app
from cd4ml.serving import smoke
from cd4ml.serving.smoke_checks import (
    Check,
    check_answers,
    error_shape_problem,
    prediction_problem,
    render,
)


def test_classification_takes_the_first_row_of_each_class_and_regression_a_few_rows():
    frame = synthetic(200)
    rows = smoke.example_rows(frame, "species", "classification", FEATURES)
    assert rows["species"].tolist() == list(dict.fromkeys(frame["species"]))
    assert list(rows.columns) == [*FEATURES, "species"]
    first = [frame.index[frame["species"] == label][0] for label in rows["species"]]
    assert rows.index.tolist() == first
    assert len(smoke.example_rows(frame, "amount", "regression", FEATURES)) == smoke.REGRESSION_ROWS


def test_a_field_the_service_wants_and_the_test_set_lacks_is_one_error_naming_it():
    with pytest.raises(PipelineError, match="no column 'height'"):
        smoke.example_rows(synthetic(20), "species", "classification", [*FEATURES, "height"])


def test_rows_go_out_as_json_has_them():
    frame = pd.DataFrame({"x": [1.5, None], "n": [3, 4], "s": ["a", "b"], "b": [True, False]})
    assert smoke.as_json(frame) == [
        {"x": 1.5, "n": 3, "s": "a", "b": True},
        {"x": None, "n": 4, "s": "b", "b": False},
    ]


def test_the_error_shape_is_a_list_of_loc_msg_and_type():
    good = {"detail": [{"loc": ["body", "x1"], "msg": "Field required", "type": "missing"}]}
    assert error_shape_problem(good) is None
    assert "no list of problems" in error_shape_problem({"detail": "Field required"})
    assert "no list of problems" in error_shape_problem({"detail": []})
    flat = {"detail": [{"loc": "body", "msg": "", "type": ""}]}
    assert "lacks loc (a list), msg or type" in error_shape_problem(flat)


def test_a_prediction_is_judged_by_its_form_for_each_task():
    def classified(prediction, probabilities=None):
        answer = {"prediction": prediction, "probabilities": probabilities}
        return prediction_problem(answer, "classification")

    assert classified("a", {"a": 0.7, "b": 0.3}) is None
    assert classified(True) is None  # a classifier without predict_proba
    assert "not among" in classified("c", {"a": 1.0})
    assert "add up to 0.5" in classified("a", {"a": 0.5})
    assert prediction_problem({"prediction": 151.3}, "regression") is None
    for odd in ("151.3", True, None, float("nan")):
        assert "not a number" in prediction_problem({"prediction": odd}, "regression")
    assert "no 'prediction'" in prediction_problem({"detail": []}, "regression")


def test_a_batch_answer_must_hold_one_prediction_per_row():
    single, batch = (200, {"prediction": 3.0}), (200, {"predictions": [{"prediction": 3.0}]})
    checks = check_answers(single, batch, [1.0, 2.0], "regression")
    assert [check.passed for check in checks] == [True, False]
    assert "1 predictions for 2 rows" in checks[1].detail
    checks = check_answers((500, {"detail": []}), (422, {"detail": []}), [1.0], "regression")
    assert checks[0].detail == "answered 500"
    assert checks[1].detail == "answered 422 with no predictions for 1 rows"


def test_the_report_says_the_verdict_the_digest_and_each_check_in_one_table_cell():
    checks = [Check("GET /health", True, "200"), Check("POST /predict", False, "500 | retry")]
    text = render(checks, "http://127.0.0.1:8000", "sha256:abc")
    assert text.startswith("### Review app\n")
    assert "**failed** (1 of 2 checks)" in text and "Image: <code>sha256:abc</code>." in text
    assert "| POST /predict | **failed** | 500 &#124; retry |" in text
    passed = render(checks[:1], "http://127.0.0.1:8000")
    assert "Image" not in passed and ": passed." in passed


@pytest.fixture(params=["classification", "regression"])
def served(request, params, tmp_path):
    """A model of the task on a real server, with params pointing at its test set and report."""
    task = request.param
    target = "species" if task == "classification" else "amount"
    data = synthetic(300)
    kind = RandomForestClassifier if task == "classification" else RandomForestRegressor
    model = train.make_model(kind(n_estimators=10)).fit(data[FEATURES], data[target])
    folder = export(tmp_path / "model", model, COLUMNS)
    data[[*FEATURES, target]].to_parquet(tmp_path / "test.parquet")
    paths = {"test": str(tmp_path / "test.parquet"), "review_app": str(tmp_path / "review.md")}
    settings = {**params, "paths": {**params["paths"], **paths}}
    settings["ingest"] = {**params["ingest"], "target": target}
    settings["train"] = {**params["train"], "task": task}
    return settings, folder, task


def test_smoke_passes_against_a_good_service_and_writes_its_report(served, capsys):
    settings, folder, task = served
    with running(service_app.create_app(settings, str(folder), "-")) as url:
        smoke.main(settings, url=url, digest="sha256:feed", wait="10")
    assert "6 checks passed" in capsys.readouterr().out
    report = Path(settings["paths"]["review_app"]).read_text()
    assert ": passed." in report and "Image: <code>sha256:feed</code>." in report
    assert "model test-model, version 7" in report
    assert ("one row per class" if task == "classification" else "5 rows of the test set") in report


def test_smoke_fails_with_one_line_against_a_broken_service(served):
    """A service whose batches take one row cannot answer one row per class, or a few rows."""
    settings, folder, _ = served
    broken = {**settings, "serve": {**settings["serve"], "max_batch_rows": 1}}
    with (
        running(service_app.create_app(broken, str(folder), "-")) as url,
        pytest.raises(Rejected) as failed,
    ):
        smoke.main(settings, url=url, wait="10")
    assert str(failed.value).startswith("smoke: POST /predict/batch: answered 422")
    assert "\n" not in str(failed.value)
    assert "**failed** (1 of 6 checks)" in Path(settings["paths"]["review_app"]).read_text()


def test_nothing_listening_is_a_failed_ready_check_within_the_wait(params, tmp_path):
    settings = {**params, "paths": {**params["paths"], "review_app": str(tmp_path / "review.md")}}
    with pytest.raises(Rejected, match=r"smoke: GET /ready: not ready within 1 s: no answer"):
        smoke.main(settings, url="http://127.0.0.1:9", wait="1")


def test_a_wait_that_is_not_a_number_of_seconds_is_one_error():
    for wait in ("soon", "-1", "inf", "nan"):
        with pytest.raises(PipelineError, match=f"--wait {wait}: expected a number of seconds"):
            smoke.main({}, wait=wait)
