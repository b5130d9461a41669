"""A LightGBM model (the Dask engine's) compiles to ONNX through onnxmltools and answers as
LightGBM does, to the branch, or says why not in a line."""

import sys

import numpy as np
import pytest
from compiled_support import generated
from sklearn.pipeline import Pipeline

from cd4ml.compiled import build, parity
from cd4ml.compiled.convert import ConversionError, convert, describe
from cd4ml.compiled.runtime import compiled
from cd4ml.dask_engine import train as dask_train
from cd4ml.pipeline import train

lightgbm = pytest.importorskip("lightgbm", reason="LightGBM models need the dask extra")

CLASSIFIER, REGRESSOR = "classification", "regression"


@pytest.fixture(scope="module")
def data():
    frame, targets = generated(600, seed=3)
    targets["binary text"] = targets["bool"].map({True: "yes", False: "no"})
    targets["binary int"] = targets["bool"].astype("int64") * 3 + 1
    return frame, targets


def fitted(frame, labels, hyperparameters=None, task=CLASSIFIER):
    """The Dask engine's estimator in the project's pipeline, fitted in this process."""
    estimator = dask_train.make_estimator(
        task, "lightgbm", {"n_estimators": 40, **(hyperparameters or {})}, seed=0
    )
    return train.make_model(estimator).fit(frame, labels)


def as_onnx(model, frame):
    return compiled(convert(model, frame).SerializeToString(), describe(model))


TARGETS = [
    ("text", CLASSIFIER),
    ("int", CLASSIFIER),
    ("binary text", CLASSIFIER),
    ("binary int", CLASSIFIER),
    ("bool", CLASSIFIER),
    ("number", REGRESSOR),
]


@pytest.mark.parametrize(("target", "task"), TARGETS)
def test_lightgbm_compiles_and_answers_as_lightgbm_on_new_rows(data, target, task):
    frame, targets = data
    model = fitted(frame, targets[target], task=task)
    onnx = as_onnx(model, frame)
    unseen, _ = generated(400, seed=11)
    result = parity.compare(model, onnx, unseen)
    assert result["holds"] and result["ties"] == 0, result
    expected, found = model.predict(unseen), onnx.predict(unseen)
    assert [type(value) for value in found] == [type(value) for value in expected]
    if task == CLASSIFIER:
        assert found.tolist() == expected.tolist()
        assert np.abs(onnx.predict_proba(unseen) - model.predict_proba(unseen)).max() <= 1e-5
    else:
        assert np.abs(found - expected).max() <= 1e-5 * np.abs(expected).max()
    assert describe(model)["trees"] is False and describe(model)["finite"] is False


def trained_as_the_workers_do(frame, labels, task):
    """A model as dask_engine.train.fit makes it, in this process: the booster trained on the
    features as float32 (as the workers read them), then set into the fitted estimator."""
    model = train.make_model(dask_train.make_estimator(task, "lightgbm", {}, seed=0))
    preprocess, estimator = model[:-1], model.named_steps["estimator"]
    preprocess.fit(frame, labels)
    matrix = dask_train.transform(frame, preprocess).astype(np.float32)
    classes = np.unique(labels) if task == CLASSIFIER else None
    params, rounds = dask_train.booster_params(estimator, classes, threads=1)
    params.pop("tree_learner")  # one machine here
    codes = np.searchsorted(classes, labels) if task == CLASSIFIER else labels
    booster = lightgbm.train(params, lightgbm.Dataset(matrix, codes), num_boost_round=rounds)
    text = booster.model_to_string()
    fitted_estimator = dask_train.wrapped(estimator, text, classes, matrix.shape[1])
    return Pipeline([*preprocess.steps, ("estimator", fitted_estimator)])


@pytest.mark.parametrize(("target", "task"), [("text", CLASSIFIER), ("number", REGRESSOR)])
def test_a_model_trained_as_the_dask_workers_train_it_compiles_with_parity(
    data, tmp_path, target, task
):
    frame, targets = data
    model = trained_as_the_workers_do(frame, targets[target], task)
    entry = build.compile_into(model, frame, tmp_path)
    assert entry["parity"]["holds"] and (tmp_path / "model.onnx").is_file(), entry
    assert entry["features"] == list(frame.columns)


def split_thresholds(model, column: str) -> np.ndarray:
    """The thresholds of LightGBM's splits on column (which the model scales), as it keeps them."""
    index = list(model[-2].get_feature_names_out()).index(column)
    trees = model[-1].booster_.dump_model()["tree_info"]
    thresholds, nodes = [], [tree["tree_structure"] for tree in trees]
    while nodes:
        node = nodes.pop()
        if "split_feature" in node:
            thresholds += [node["threshold"]] if node["split_feature"] == index else []
            nodes += [node["left_child"], node["right_child"]]
    return np.unique(thresholds)


@pytest.mark.parametrize(("target", "task"), [("text", CLASSIFIER), ("number", REGRESSOR)])
def test_rows_a_few_doubles_either_side_of_every_split_take_lightgbms_branches(data, target, task):
    frame, targets = data
    model = fitted(frame, targets[target], task=task)
    thresholds = split_thresholds(model, "reading")
    scaler = model[-2].named_transformers_["number"][-1]
    points = thresholds * scaler.scale_[0] + scaler.mean_[0]  # reading is the first number
    values = np.concatenate([points + step * np.spacing(points) for step in range(-4, 5)])
    rows = frame.sample(len(values), replace=True, random_state=0).reset_index(drop=True)
    rows["reading"] = values
    result = parity.compare(model, as_onnx(model, rows), rows)
    assert result["holds"] and result["ties"] == 0, result
    # thresholds rounded to float32, as ONNX's float attributes hold them, would send these
    # rows down other branches
    scaled = model[-2].transform(rows)[:, [0]].T
    rounded = thresholds.astype(np.float32).astype(np.float64)
    crossed = (scaled <= thresholds[:, None]) != (scaled <= rounded[:, None])
    assert crossed.any(axis=0).sum() >= len(thresholds) // 2


@pytest.mark.parametrize(
    ("target", "task", "hyperparameters"),
    [
        ("text", CLASSIFIER, {"objective": "multiclassova"}),
        ("number", REGRESSOR, {"boosting_type": "rf", "subsample": 0.5, "subsample_freq": 1}),
    ],
)
def test_a_lightgbm_model_onnx_answers_otherwise_is_refused_with_a_one_line_reason(
    data, tmp_path, target, task, hyperparameters
):
    """onnxmltools' trees take one-vs-all's classes as one softmax, and divide a random forest's
    answer by 100."""
    frame, targets = data
    model = fitted(frame, targets[target], hyperparameters, task=task)
    entry = build.compile_into(model, frame, tmp_path)
    assert entry["reason"].startswith("ONNX parity fails: answers differ by up to")
    assert "\n" not in entry["reason"] and not entry["parity"]["holds"]
    assert not (tmp_path / "model.onnx").exists()


def test_lightgbm_answers_where_scaling_overflows_and_refuses_infinity_as_its_pipeline_does(data):
    frame, targets = data
    model = fitted(frame, targets["text"])
    onnx = as_onnx(model, frame)
    rows = frame.head(4).copy()
    rows["small"] = [1e306, -1e306, 1e39, -1e39]  # scaled by about 1000: beyond double's range
    with np.errstate(over="ignore"):
        expected = model.predict_proba(rows)
    assert np.abs(onnx.predict_proba(rows) - expected).max() <= 1e-5
    rows.loc[rows.index[0], "small"] = np.inf
    for scorer in (model, onnx):
        with pytest.raises(ValueError, match="^Input X contains infinity"):
            scorer.predict_proba(rows)


def test_without_onnxmltools_a_lightgbm_model_does_not_convert_and_says_what_to_install(
    data, monkeypatch
):
    frame, targets = data
    model = fitted(frame, targets["bool"])
    converter = "onnxmltools.convert.lightgbm.operator_converters.LightGbm"
    monkeypatch.setitem(sys.modules, converter, None)  # import then fails
    with pytest.raises(
        ConversionError,
        match="^LightGBM models compile to ONNX with onnxmltools; install the dask extra",
    ):
        convert(model, frame)


def test_a_rows_lightgbm_answer_is_bitwise_the_same_alone_and_in_any_batch(data):
    frame, targets = data
    model = fitted(frame, targets["text"])
    onnx = as_onnx(model, frame)
    together = onnx.predict_proba(frame)
    picked = np.random.default_rng(2).choice(len(frame), 5, replace=False)
    for row in picked:
        assert onnx.predict_proba(frame.iloc[[row]]).tobytes() == together[[row]].tobytes()
