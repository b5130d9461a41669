"""Fixtures for a project's tests, a pytest plugin: `pytest_plugins = ["cd4ml.testing"]` in its
tests/conftest.py. They read the project in the working directory: params.yaml, its task, the data
set params.yaml points at, and the bundled demo data of the task."""

import pandas as pd
import pytest

from cd4ml.config import load_params, param, path
from cd4ml.pipeline import featurize, ingest
from cd4ml.pipeline.ingest import load_bundled
from cd4ml.quality.reading import csv_options


@pytest.fixture(scope="session")
def params() -> dict:
    return load_params()


@pytest.fixture(scope="session")
def task(params) -> str:
    return params["train"]["task"]


@pytest.fixture(scope="session")
def dataset(task) -> pd.DataFrame:
    """The bundled demo data set of this project's task; its label column is "target"."""
    return load_bundled(task)


@pytest.fixture(scope="session")
def feature(dataset) -> str:
    """A numeric feature of the bundled data with a wide range, for tests that change one."""
    numeric = dataset.drop(columns="target").select_dtypes("number")
    return str(numeric.nunique().idxmax())


@pytest.fixture(scope="session")
def current(params) -> pd.DataFrame:
    """The data set params.yaml points at, read as the ingest stage reads it."""
    return ingest.ingest(
        param(params, "ingest.source"),
        param(params, "ingest.target"),
        path(params, "raw"),
        param(params, "train.task"),
        csv_options(params),
    )


@pytest.fixture(scope="module")
def split(params, current) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The current data split into (train, test) as the featurize stage splits it."""
    return featurize.featurize(
        current,
        param(params, "ingest.target"),
        param(params, "featurize.test_size"),
        featurize.columns_to_drop(params, current.columns),
        param(params, "seed"),
        param(params, "train.task"),
    )
