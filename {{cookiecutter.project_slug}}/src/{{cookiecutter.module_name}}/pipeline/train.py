"""train: data/processed/train.parquet -> models/candidate.pkl (preprocessing and classifier)."""

import inspect

import pandas as pd
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from ..config import param, path
from ..errors import PipelineError
from ..files import read_parquet, write_model

CLASSIFIERS = {
    "random_forest": RandomForestClassifier,
    "logistic_regression": LogisticRegression,
    "gradient_boosting": HistGradientBoostingClassifier,
}


def make_classifier(name: str, hyperparameters: dict, seed: int):
    if name not in CLASSIFIERS:
        raise PipelineError(
            f"params.yaml: train.model is {name!r}; use one of {', '.join(CLASSIFIERS)}"
        )
    classifier = CLASSIFIERS[name]
    accepted = inspect.signature(classifier).parameters
    unknown = sorted(set(hyperparameters) - set(accepted))
    if unknown:
        raise PipelineError(
            f"params.yaml: train.{name} has {unknown}, which {classifier.__name__} does not take"
        )
    return classifier(**hyperparameters, random_state=seed)


def make_model(classifier) -> Pipeline:
    """Impute and scale numbers, one-hot encode text columns, then classify."""
    preprocess = ColumnTransformer(
        [
            (
                "number",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                make_column_selector(dtype_include="number"),
            ),
            (
                "category",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")
                ),
                make_column_selector(dtype_exclude="number"),
            ),
        ],
        verbose_feature_names_out=False,
    )
    return Pipeline([("preprocess", preprocess), ("classifier", classifier)])


def train(frame: pd.DataFrame, target: str, classifier) -> Pipeline:
    features, labels = frame.drop(columns=[target]), frame[target]
    return make_model(classifier).fit(features, labels)


def main(params: dict) -> None:
    name = param(params, "train.model")
    classifier = make_classifier(name, param(params, f"train.{name}") or {}, param(params, "seed"))
    model = train(read_parquet(path(params, "train")), param(params, "ingest.target"), classifier)
    write_model(model, path(params, "candidate"))
    print(f"train: {name} -> {path(params, 'candidate')}")
