import pytest
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

from cd4ml import errors, estimators, measurement, scoring
from cd4ml.compiled import summary
from cd4ml.pipeline import evaluate, train


@pytest.fixture(scope="module")
def sample(dataset):
    return dataset.sample(150, random_state=0)


@pytest.mark.parametrize("name", ["random_forest", "gradient_boosting", "linear"])
def test_feature_importance_names_input_columns(params, task, sample, name):
    if name == "linear":
        name = {"classification": "logistic_regression", "regression": "ridge"}[task]
    estimator = estimators.make_estimator(task, name, params["train"][name], 0)
    model = train.train(sample, "target", estimator)
    features = sample.drop(columns="target")
    ranked = measurement.feature_importance(model, features, sample["target"], seed=0)
    assert {row["feature"] for row in ranked} == set(features.columns)
    importances = [row["importance"] for row in ranked]
    assert importances == sorted(importances, reverse=True)


def test_assess_gives_the_tasks_metrics_and_plot_files(params, task, sample):
    estimator = estimators.make_estimator(task, "random_forest", {"n_estimators": 10}, 0)
    model = train.train(sample, "target", estimator)
    features = sample.drop(columns="target")
    scores, plots = measurement.assess(task, model, features, sample["target"], seed=0)
    assert tuple(scores) == scoring.METRICS[task]
    assert set(plots) == set(scoring.PLOTS[task])


def gate_params(params, **evaluate_section) -> dict:
    return {**params, "evaluate": {**params["evaluate"], **evaluate_section}}


def test_the_gate_needs_the_baseline_beaten_by_the_margin(params, task):
    metric = params["evaluate"]["primary_metric"]
    baseline = dict.fromkeys(scoring.METRICS[task], 0.5)
    lower = metric in ("log_loss", "rmse", "mae")
    scores = {**baseline, metric: 0.2 if lower else 0.8}
    relaxed = gate_params(params, thresholds={}, baseline_margin=0.1)
    assert all(result.passed for result in evaluate.metric_gate(relaxed, scores, baseline))
    strict = gate_params(params, thresholds={}, baseline_margin=0.4)
    (result,) = evaluate.metric_gate(strict, scores, baseline)
    assert not result.passed and result.check == f"{metric} against the baseline"


def test_a_threshold_on_a_metric_the_task_lacks_is_one_line(params, task):
    other = "rmse" if task == "classification" else "roc_auc"
    message = f"evaluate.thresholds '{other}' is not a {task} metric"
    with pytest.raises(errors.PipelineError, match=message):
        evaluate.metric_gate(gate_params(params, thresholds={other: 1}), {}, {})


def with_test_split(params, test, folder) -> dict:
    test.to_parquet(folder / "test.parquet")
    paths = {**params["paths"], "test": str(folder / "test.parquet")}
    return {**params, "paths": paths}


def test_evaluate_proves_the_onnx_model_on_the_test_split(params, task, split, tmp_path):
    """What export would serve, proven where the model and the test split are: the project's own
    data, contract and model shape."""
    train_rows, test = split
    estimator = estimators.make_estimator(task, "random_forest", {"n_estimators": 20}, 0)
    model = train.train(train_rows, "target", estimator)
    entry = evaluate.served_parity(with_test_split(params, test, tmp_path), model)
    assert summary.proven(entry), entry
    assert entry["parity"]["rows"] == len(test)
    assert summary.verdict(entry).endswith(f"on {len(test)} rows")


def test_a_model_without_an_onnx_form_is_not_proven_and_says_why(params, task, split, tmp_path):
    train_rows, test = split
    hist = {
        "classification": HistGradientBoostingClassifier,
        "regression": HistGradientBoostingRegressor,
    }
    model = train.train(train_rows, "target", hist[task](max_iter=10))
    entry = evaluate.served_parity(with_test_split(params, test, tmp_path), model)
    assert summary.verdict(entry).startswith("no: skl2onnx cannot convert HistGradientBoosting")
    column = str(model.feature_names_in_[0])
    gone = evaluate.served_parity(
        with_test_split(params, test.drop(columns=column), tmp_path), model
    )
    assert summary.verdict(gone) == (
        f"no: no test split to prove ONNX parity on: {tmp_path / 'test.parquet'}: "
        f"the model's column {column!r} is missing"
    )
