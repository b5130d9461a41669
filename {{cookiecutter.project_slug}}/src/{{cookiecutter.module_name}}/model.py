"""The estimators `train.model` in params.yaml may name, by short name, for each train.task.

A short name's hyperparameters are `train.<name>` in params.yaml. `train.model` may also be the
import path of any scikit-learn-compatible estimator, with its hyperparameters in `train.params`:

    train:
      model: sklearn.ensemble.ExtraTreesClassifier
      params: {n_estimators: 300, min_samples_leaf: 2}

To give one a short name of your own, add it below (and `train.extra_trees:` to params.yaml):

    ESTIMATORS["classification"]["extra_trees"] = "sklearn.ensemble.ExtraTreesClassifier"

`random_state` is set to params.yaml's seed wherever an estimator takes one. A package that is not
installed yet (xgboost) goes into pyproject.toml's dependencies first; its types a saved model
holds go into [tool.cd4ml] trusted.
"""

ESTIMATORS = {
    "classification": {
        "random_forest": "sklearn.ensemble.RandomForestClassifier",
        "logistic_regression": "sklearn.linear_model.LogisticRegression",
        "gradient_boosting": "sklearn.ensemble.HistGradientBoostingClassifier",
    },
    "regression": {
        "random_forest": "sklearn.ensemble.RandomForestRegressor",
        "ridge": "sklearn.linear_model.Ridge",
        "gradient_boosting": "sklearn.ensemble.HistGradientBoostingRegressor",
    },
}
