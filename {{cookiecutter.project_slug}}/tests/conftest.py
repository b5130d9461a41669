import numpy as np
import pandas as pd
import pytest
from fake_github import fake_github

from {{ cookiecutter.module_name }}.config import load_params, param, path
from {{ cookiecutter.module_name }}.pipeline import ingest
from {{ cookiecutter.module_name }}.pipeline.ingest import load_bundled


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
        ingest.dialect_of(params),
    )


@pytest.fixture
def mixed_frame() -> pd.DataFrame:
    """Numbers with gaps, a text column and a string target: what a user's CSV may look like."""
    generator = np.random.default_rng(0)
    size = 120
    return pd.DataFrame(
        {
            "age": generator.integers(20, 80, size).astype(float),
            "income": generator.normal(50_000, 10_000, size),
            "region": generator.choice(["north", "south", "east"], size),
            "label": generator.choice(["yes", "no"], size),
        }
    ).assign(age=lambda frame: frame["age"].mask(frame.index % 10 == 0))


@pytest.fixture(autouse=True)
def outside_ci(monkeypatch):
    """The unit tests run inside CI jobs too: no test may see the job's provider or its token."""
    for name in ("GITLAB_CI", "TF_BUILD", "GITLAB_API_TOKEN", "SYSTEM_ACCESSTOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def github_api(monkeypatch):
    """A stand-in GitHub API, and the variables a workflow would set."""
    with fake_github() as (url, state):
        monkeypatch.setenv("GITHUB_API_URL", url)
        monkeypatch.setenv("GITHUB_TOKEN", "test-token")
        monkeypatch.setenv("GITHUB_REPOSITORY", "acme/churn")
        yield state
