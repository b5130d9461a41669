import pytest

from {{ cookiecutter.module_name }} import errors
from {{ cookiecutter.module_name }}.pipeline import train


@pytest.mark.parametrize("name", train.CLASSIFIERS)
def test_every_model_type_trains_from_its_params(params, dataset, name):
    classifier = train.make_classifier(name, params["train"][name], seed=0)
    model = train.train(dataset.sample(200, random_state=0), "target", classifier)
    assert list(model.classes_) == [0, 1]
    assert model.predict_proba(dataset.drop(columns="target").head(3)).shape == (3, 2)


def test_text_columns_and_gaps_are_handled(mixed_frame):
    model = train.train(
        mixed_frame, "label", train.make_classifier("random_forest", {"n_estimators": 5}, 0)
    )
    new = mixed_frame.drop(columns="label").head(2).assign(region=["unseen", None], age=None)
    assert model.predict(new).shape == (2,)


def test_unknown_model_and_hyperparameter_are_named():
    with pytest.raises(errors.PipelineError, match="train.model is 'svm'"):
        train.make_classifier("svm", {}, 0)
    with pytest.raises(errors.PipelineError, match=r"train.random_forest has \['depth'\]"):
        train.make_classifier("random_forest", {"depth": 3}, 0)
