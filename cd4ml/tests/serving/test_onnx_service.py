"""The service answers from model.onnx when export proved it equal to the model, as the scikit-learn
model would; otherwise from scikit-learn, saying why; a changed model.onnx is refused."""

import json

import pytest
from service_support import COLUMNS, FEATURES, as_sent, call, export, running, synthetic
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import Ridge

from cd4ml import input_frame, input_schema
from cd4ml.compiled import build
from cd4ml.errors import PipelineError
from cd4ml.pipeline import train
from cd4ml.serving import app as service_app
from cd4ml.serving import batching
from cd4ml.serving.frame_scorer import frame_scorer

pytestmark = pytest.mark.slow
DTYPES = input_schema.dtypes(FEATURES, COLUMNS)


def exported(folder, model, frame):
    """A folder as `export` writes it, with model.onnx compiled and proven on frame."""
    export(folder, model, COLUMNS)
    info = json.loads((folder / "model.json").read_text())
    info["onnx"] = build.compile_into(model, frame, folder)
    (folder / "model.json").write_text(json.dumps(info))
    return folder


@pytest.mark.parametrize(
    ("estimator", "target"),
    [(RandomForestClassifier(n_estimators=40, random_state=0), "species"), (Ridge(), "amount")],
)
def test_the_service_answers_from_onnx_as_the_scikit_learn_model_on_generated_rows(
    params, tmp_path, capsys, estimator, target
):
    data = synthetic(400, seed=1)
    data.loc[::5, "tiny"] = None
    frame = input_frame.as_declared(data, DTYPES, "train")
    model = train.make_model(estimator).fit(frame, data[target])
    folder = exported(tmp_path, model, frame)
    unseen = synthetic(150, seed=9)[FEATURES]
    unseen.loc[::7, "tiny"] = None
    rows = as_sent(unseen)
    expected = batching.predict(
        frame_scorer(model, DTYPES), list(DTYPES), rows
    )  # the scikit-learn service's answers
    with running(service_app.create_app(params, str(folder), "-")) as url:
        assert call(f"{url}/version")[1]["implementation"] == "onnx"
        status, answer, _ = call(f"{url}/predict/batch", {"instances": rows})
        alone = [call(f"{url}/predict", row)[1] for row in rows[:20]]
    assert "serve: ONNX answers" in capsys.readouterr().out
    assert status == 200 and len(answer["predictions"]) == len(rows)
    assert alone == answer["predictions"][:20]  # byte-identical alone and in a batch
    for found, wanted in zip(answer["predictions"], expected, strict=True):
        assert type(found["prediction"]) is type(wanted["prediction"])
        if isinstance(wanted["prediction"], float):
            assert found["prediction"] == pytest.approx(wanted["prediction"], rel=1e-5)
        else:
            assert found["prediction"] == wanted["prediction"]
        for label, probability in wanted.get("probabilities", {}).items():
            assert found["probabilities"][label] == pytest.approx(probability, abs=2e-6)


def test_a_model_without_onnx_form_is_served_by_scikit_learn_which_says_why(
    params, tmp_path, capsys
):
    data = synthetic(200)
    frame = input_frame.as_declared(data, DTYPES, "train")
    model = train.make_model(HistGradientBoostingClassifier(max_iter=10)).fit(frame, data["flag"])
    folder = exported(tmp_path, model, frame)
    assert not (folder / "model.onnx").exists()
    rows = as_sent(data[FEATURES].head(5))
    with running(service_app.create_app(params, str(folder), "-")) as url:
        assert call(f"{url}/version")[1]["implementation"] == "sklearn"
        answer = call(f"{url}/predict/batch", {"instances": rows})[1]
    said = capsys.readouterr().out
    assert "serve: scikit-learn answers: skl2onnx cannot convert HistGradientBoosting" in said
    assert answer["predictions"] == batching.predict(
        frame_scorer(model, DTYPES), list(DTYPES), rows
    )


def test_a_changed_model_onnx_stops_the_service_before_it_starts(params, tmp_path):
    data = synthetic(200)
    frame = input_frame.as_declared(data, DTYPES, "train")
    model = train.make_model(Ridge()).fit(frame, data["amount"])
    folder = exported(tmp_path, model, frame)
    (folder / "model.onnx").write_bytes((folder / "model.onnx").read_bytes()[:-1] + b"x")
    with pytest.raises(PipelineError, match="model.onnx has SHA-256 .* refusing to load"):
        service_app.create_app(params, str(folder), "-")
