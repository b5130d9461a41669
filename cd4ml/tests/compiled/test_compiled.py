"""The model compiled to ONNX answers as the scikit-learn model does, or says why not in a line."""

import json

import numpy as np
import pandas as pd
import pytest
from compiled_support import generated
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from cd4ml.compiled import build, parity, summary
from cd4ml.compiled import folder as compiled_folder
from cd4ml.compiled.convert import ConversionError, convert, describe
from cd4ml.compiled.runtime import compiled
from cd4ml.errors import PipelineError
from cd4ml.pipeline import train
from cd4ml.provenance import ARTIFACT_HASH_TAG, file_sha256


@pytest.fixture(scope="module")
def data():
    return generated(600, seed=3)


BUILT_IN = [
    (RandomForestClassifier(n_estimators=60, random_state=0), "text"),
    (RandomForestClassifier(n_estimators=60, max_depth=6, random_state=0), "bool"),
    (LogisticRegression(max_iter=500), "int"),
    (LogisticRegression(max_iter=500), "text"),
    (RandomForestRegressor(n_estimators=60, random_state=0), "number"),
    (Ridge(), "number"),
]


@pytest.mark.parametrize(("estimator", "target"), BUILT_IN, ids=lambda item: str(item)[:30])
def test_each_built_in_model_compiles_and_answers_as_scikit_learn_on_new_rows(
    data, estimator, target
):
    frame, targets = data
    model = train.make_model(estimator).fit(frame, targets[target])
    onnx = compiled(convert(model, frame).SerializeToString(), describe(model))
    unseen, _ = generated(400, seed=11)  # rows the parity check never saw
    result = parity.compare(model, onnx, unseen)
    assert result["holds"], result
    assert result["rows"] == 400 and result["largest_difference"] <= parity.TOLERANCE
    expected, found = model.predict(unseen), onnx.predict(unseen)
    assert [type(value) for value in found] == [type(value) for value in expected]
    if target != "number":
        assert found.tolist() == expected.tolist()
        assert np.abs(onnx.predict_proba(unseen) - model.predict_proba(unseen)).max() <= 1e-5


@pytest.mark.parametrize(
    ("estimator", "target"),
    [
        (HistGradientBoostingClassifier(max_iter=20), "text"),
        (HistGradientBoostingRegressor(max_iter=20), "number"),
    ],
)
def test_hist_gradient_boosting_does_not_convert_and_says_why_in_one_line(
    data, tmp_path, estimator, target
):
    frame, targets = data
    model = train.make_model(estimator).fit(frame, targets[target])
    with pytest.raises(ConversionError) as raised:
        convert(model, frame)
    reason = str(raised.value)
    assert reason.startswith("skl2onnx cannot convert HistGradientBoosting")
    assert "\n" not in reason and len(reason) < 300
    entry = build.compile_into(model, frame, tmp_path)
    assert entry == {"reason": reason} and not (tmp_path / "model.onnx").exists()
    assert summary.line(entry) == f"Served implementation matches the trained model: no: {reason}"


def add_features(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(reading_per_visit=frame["reading"] / (frame["visits"].astype(float) + 1))


def test_a_features_step_that_derives_columns_is_not_converted(data):
    frame, targets = data
    steps = [step for step in train.make_model(Ridge()).steps if step[0] != "features"]
    model = Pipeline([("features", FunctionTransformer(add_features)), *steps])
    model.fit(frame, targets["number"])
    with pytest.raises(ConversionError, match="^add_features derives columns in Python"):
        convert(model, frame)


def test_the_bakes_default_features_step_returning_its_input_converts(data):
    frame, targets = data
    model = train.make_model(Ridge()).fit(frame, targets["number"])
    assert model.steps[0][0] == "features"  # the project's add_features, as baked
    onnx = compiled(convert(model, frame).SerializeToString(), describe(model))
    assert parity.compare(model, onnx, frame)["holds"]


@pytest.mark.parametrize(
    ("estimator", "target", "difference"),
    [
        (RandomForestClassifier(n_estimators=30, random_state=0), "text", "max |Δp|"),
        (RandomForestRegressor(n_estimators=30, random_state=0), "number", "max relative |Δ|"),
    ],
)
def test_the_served_line_gives_the_largest_difference_and_the_rows(
    data, tmp_path, estimator, target, difference
):
    frame, targets = data
    model = train.make_model(estimator).fit(frame, targets[target])
    unseen, _ = generated(250, seed=5)
    data_bytes, entry = build.proven(model, unseen)
    assert data_bytes and not list(tmp_path.iterdir())  # proven, nothing written
    largest = entry["parity"]["largest_difference"]
    assert 0 <= largest <= parity.TOLERANCE and summary.proven(entry)
    assert summary.line(entry) == (
        f"Served implementation matches the trained model: yes, {difference} = "
        f"{largest:.1g} on 250 rows"
    )
    assert build.compile_into(model, unseen, tmp_path) == {
        "sha256": file_sha256(tmp_path / "model.onnx"),
        **entry,
        **describe(model),
    }


def test_the_served_line_says_no_with_the_reason_in_one_line(data):
    frame, targets = data
    steps = [step for step in train.make_model(Ridge()).steps if step[0] != "features"]
    model = Pipeline([("features", FunctionTransformer(add_features)), *steps])
    model.fit(frame, targets["number"])
    data_bytes, entry = build.proven(model, frame)
    assert data_bytes is None and not summary.proven(entry)
    assert summary.verdict(entry).startswith("no: add_features derives columns in Python")
    missing = build.proven(model, None, "no test split to prove ONNX parity on: gone")
    assert summary.verdict(missing[1]) == "no: no test split to prove ONNX parity on: gone"
    assert summary.verdict(None).startswith("not proven yet")


def test_a_changed_onnx_file_is_refused_and_a_missing_entry_falls_back(data, tmp_path):
    frame, targets = data
    model = train.make_model(LogisticRegression(max_iter=500)).fit(frame, targets["bool"])
    entry = build.compile_into(model, frame, tmp_path)
    assert entry["sha256"] == file_sha256(tmp_path / "model.onnx")
    assert entry["parity"]["rows"] == len(frame) and entry["parity"]["holds"]
    json.dumps(entry)  # model.json holds it
    (tmp_path / "model.skops").write_bytes(b"the model file, which the compiled model needs not")
    info = {"onnx": entry, ARTIFACT_HASH_TAG: file_sha256(tmp_path / "model.skops")}
    assert compiled_folder.why_not(info) is None
    scorer = compiled_folder.load(tmp_path, info)
    assert scorer.predict(frame).tolist() == model.predict(frame).tolist()
    fewer = {**info, "onnx": {**entry, "features": entry["features"][:-1]}}
    with pytest.raises(PipelineError, match="model.onnx: cannot serve it: it takes .* columns"):
        compiled_folder.load(tmp_path, fewer)
    skops_file = (tmp_path / "model.skops").read_bytes()
    (tmp_path / "model.skops").write_bytes(b"a planted model file")
    with pytest.raises(PipelineError, match="model.skops has SHA-256 .* refusing to load"):
        compiled_folder.load(tmp_path, info)
    (tmp_path / "model.skops").write_bytes(skops_file)
    with (tmp_path / "model.onnx").open("ab") as file:
        file.write(b"\0")
    with pytest.raises(PipelineError, match="model.onnx has SHA-256 .* refusing to load"):
        compiled_folder.load(tmp_path, info)
    failed = {"onnx": {"reason": "skl2onnx cannot convert X: no converter"}}
    assert compiled_folder.why_not(failed) == "skl2onnx cannot convert X: no converter"
    assert "export it again" in compiled_folder.why_not({})


def test_parity_fails_on_a_model_that_answers_otherwise(data):
    frame, targets = data
    model = train.make_model(Ridge()).fit(frame, targets["number"])
    other = train.make_model(Ridge(alpha=50)).fit(frame, targets["number"])
    onnx = compiled(convert(other, frame).SerializeToString(), describe(other))
    result = parity.compare(model, onnx, frame)
    assert not result["holds"] and result["reason"].startswith("answers differ by up to")


@pytest.mark.parametrize(
    "estimator", [RandomForestClassifier(n_estimators=30, random_state=0), LogisticRegression()]
)
def test_a_rows_onnx_answer_is_bitwise_the_same_alone_and_in_any_batch(data, estimator):
    frame, targets = data
    model = train.make_model(estimator).fit(frame, targets["text"])
    onnx = compiled(convert(model, frame).SerializeToString(), describe(model))
    together = onnx.predict_proba(frame)
    generator = np.random.default_rng(2)
    for size in (1, 3, 64):
        picked = generator.choice(len(frame), size, replace=False)
        alone = onnx.predict_proba(frame.iloc[picked])
        assert alone.tobytes() == together[picked].tobytes()
