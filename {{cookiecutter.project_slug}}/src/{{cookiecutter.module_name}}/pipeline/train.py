"""train: data/processed/train.parquet -> models/candidate.pkl (preprocessing and estimator)."""

import inspect

import pandas as pd
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from ..compute import check_model, cluster, uses_dask
from ..config import param, path
from ..errors import PipelineError
from ..files import read_parquet, write_model
from ..scoring import check_task

# train.model names, per train.task
MODELS = {
    "classification": {
        "random_forest": RandomForestClassifier,
        "logistic_regression": LogisticRegression,
        "gradient_boosting": HistGradientBoostingClassifier,
    },
    "regression": {
        "random_forest": RandomForestRegressor,
        "ridge": Ridge,
        "gradient_boosting": HistGradientBoostingRegressor,
    },
}


def make_estimator(task: str, name: str, hyperparameters: dict, seed: int):
    models = MODELS[check_task(task)]
    if name not in models:
        other = next((other for other in MODELS if name in MODELS[other]), None)
        fits = f", a {other} model," if other else ""
        raise PipelineError(
            f"params.yaml: train.model is {name!r}{fits} but train.task is {task!r}; "
            f"use one of {', '.join(models)}"
        )
    estimator = models[name]
    accepted = inspect.signature(estimator).parameters
    unknown = sorted(set(hyperparameters) - set(accepted))
    if unknown:
        raise PipelineError(
            f"params.yaml: train.{name} has {unknown}, which {estimator.__name__} does not take"
        )
    return estimator(**hyperparameters, random_state=seed)


# Booleans, with gaps or not, are the numbers 0 and 1 to the model: pandas' nullable booleans
# cannot share the one-hot encoder's input with text (its missing value is ambiguous there).
NUMBERS = ["number", "bool", "boolean"]


def make_model(estimator) -> Pipeline:
    """Impute and scale numbers and booleans, one-hot encode text, then classify or regress."""
    preprocess = ColumnTransformer(
        [
            (
                "number",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                make_column_selector(dtype_include=NUMBERS),
            ),
            (
                "category",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")
                ),
                make_column_selector(dtype_exclude=NUMBERS),
            ),
        ],
        verbose_feature_names_out=False,
    )
    return Pipeline([("preprocess", preprocess), ("estimator", estimator)])


def train(frame: pd.DataFrame, target: str, estimator) -> Pipeline:
    features, labels = frame.drop(columns=[target]), frame[target]
    return make_model(estimator).fit(shared_text(features), labels)


def shared_text(features: pd.DataFrame) -> pd.DataFrame:
    """Text columns as categories of plain strings. scikit-learn's encoders make one Python string
    per row of text (about 65 MB per million rows and column); a category's rows share one."""
    text = features.select_dtypes(exclude=NUMBERS).columns
    return features.astype(
        {
            name: pd.CategoricalDtype(pd.Index(features[name].dropna().unique(), dtype=object))
            for name in text
        }
    )


def configured(params: dict):
    """The estimator params.yaml asks for: train.task, train.model and its hyperparameters."""
    name, seed = param(params, "train.model"), param(params, "seed")
    check_model(params)
    build = make_estimator
    if uses_dask(params):
        from ..dask_engine.train import make_estimator as build
    return build(param(params, "train.task"), name, param(params, f"train.{name}") or {}, seed)


def main(params: dict) -> None:
    name, target = param(params, "train.model"), param(params, "ingest.target")
    if uses_dask(params):
        from ..dask_engine.train import train as distributed

        model = distributed(
            cluster(params), path(params, "train"), target, make_model(configured(params))
        )
    else:
        model = train(read_parquet(path(params, "train")), target, configured(params))
    write_model(model, path(params, "candidate"))
    print(f"train: {name} -> {path(params, 'candidate')}")
