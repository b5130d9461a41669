"""The library's unit tests run inside a project: the template's files for one task, rendered
without hooks (no git, no install), are the working directory. `--task regression` picks the
other task."""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fake_github import fake_github

from cd4ml import project

# params, task, dataset, feature and current: the fixtures a project's own tests get.
pytest_plugins = ["cd4ml.testing"]
TEMPLATE = Path(__file__).resolve().parents[2]


def pytest_addoption(parser):
    parser.addoption("--task", default="classification", choices=["classification", "regression"])


def render(task: str, folder: Path) -> Path:
    """The template's files for this task, as a bake writes them before its hooks run."""
    from cookiecutter.main import cookiecutter

    made = cookiecutter(
        str(TEMPLATE),
        no_input=True,
        accept_hooks=False,
        extra_context={"task": task, "project_slug": "unit-tests"},
        output_dir=str(folder),
    )
    return Path(made)


@pytest.fixture(scope="session", autouse=True)
def project_folder(request, tmp_path_factory) -> Path:
    """Every test runs in the rendered project; tests that need a bare folder chdir to tmp_path."""
    folder = render(request.config.getoption("--task"), tmp_path_factory.mktemp("project"))
    previous = Path.cwd()
    os.chdir(folder)
    project.declaration.cache_clear()
    yield folder
    os.chdir(previous)


@pytest.fixture(autouse=True)
def fresh_declaration():
    """A test that changes folder reads that folder's pyproject.toml."""
    project.declaration.cache_clear()
    yield
    project.declaration.cache_clear()


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
