import pytest

from cd4ml import errors, estimators, scoring
from cd4ml.pipeline import train


@pytest.mark.parametrize("name", ["random_forest", "gradient_boosting", "linear"])
def test_every_model_of_the_task_trains_from_its_params(params, task, dataset, name):
    if name == "linear":
        name = {"classification": "logistic_regression", "regression": "ridge"}[task]
    estimator = estimators.make_estimator(task, name, params["train"][name], seed=0)
    model = train.train(dataset.sample(200, random_state=0), "target", estimator)
    predicted = model.predict(dataset.drop(columns="target").head(3))
    assert predicted.shape == (3,)
    if task == "classification":
        assert set(model.classes_) == set(dataset["target"].unique())
    else:
        assert not hasattr(model, "predict_proba") and predicted.dtype.kind == "f"


@pytest.mark.parametrize("task", scoring.TASKS)
def test_text_columns_and_gaps_are_handled(mixed_frame, task):
    frame = mixed_frame.assign(score=mixed_frame["income"] / 1000)
    target = "label" if task == "classification" else "score"
    model = train.train(
        frame.drop(columns="score" if target == "label" else "label"),
        target,
        estimators.make_estimator(task, "random_forest", {"n_estimators": 5}, 0),
    )
    new = mixed_frame.drop(columns="label").head(2).assign(region=["unseen", None], age=None)
    assert model.predict(new).shape == (2,)


def test_unknown_model_and_hyperparameter_are_named():
    with pytest.raises(errors.PipelineError, match="train.model is 'svm' but train.task is"):
        estimators.make_estimator("classification", "svm", {}, 0)
    with pytest.raises(errors.PipelineError, match=r"train.random_forest has \['depth'\]"):
        estimators.make_estimator("classification", "random_forest", {"depth": 3}, 0)


def test_a_model_of_the_other_task_is_one_line():
    with pytest.raises(
        errors.PipelineError,
        match="train.model is 'ridge', a regression model, but train.task is 'classification'; "
        "use one of random_forest, logistic_regression, gradient_boosting",
    ):
        estimators.make_estimator("classification", "ridge", {}, 0)
    with pytest.raises(errors.PipelineError, match="use one of random_forest, ridge, gradient"):
        estimators.make_estimator("regression", "logistic_regression", {}, 0)
