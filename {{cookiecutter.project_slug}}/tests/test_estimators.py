"""Your estimators (src/{{ cookiecutter.module_name }}/model.py): each short name of the task
builds from its hyperparameters in params.yaml."""

from cd4ml.estimators import make_estimator

from {{ cookiecutter.module_name }}.model import ESTIMATORS


def test_every_short_name_of_the_task_builds_from_params(params, task):
    for name in ESTIMATORS[task]:
        estimator = make_estimator(task, name, params["train"].get(name) or {}, seed=0)
        assert hasattr(estimator, "fit"), name
