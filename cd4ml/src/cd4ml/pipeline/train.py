"""train: data/processed/train.parquet -> models/candidate.pkl (preprocessing and estimator)."""

import pandas as pd
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from ..compute import check_model, cluster, uses_dask
from ..config import param, path
from ..estimators import hyperparameters_key, make_estimator
from ..files import read_parquet, write_model
from ..project import team_module

# Booleans, with gaps or not, are the numbers 0 and 1 to the model: pandas' nullable booleans
# cannot share the one-hot encoder's input with text (its missing value is ambiguous there).
NUMBERS = ["number", "bool", "boolean"]


def make_model(estimator) -> Pipeline:
    """Derive the project's features, impute and scale numbers and booleans, one-hot encode text,
    then classify or regress. The features step is inside the model, so whatever scores it (the
    service, batch predict, an exported model) takes the raw columns."""
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
    steps = [("preprocess", preprocess), ("estimator", estimator)]
    features = team_module("features")
    if features is not None:
        steps.insert(0, ("features", FunctionTransformer(features.add_features)))
    return Pipeline(steps)


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
    task = param(params, "train.task")
    key = f"train.{name}" if uses_dask(params) else hyperparameters_key(task, name)
    return build(task, name, param(params, key) or {}, seed)


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
