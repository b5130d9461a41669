"""Shared fixtures: one way to bake, one way to run commands inside a bake."""

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parents[1]
OPTIONS = json.loads((TEMPLATE / "cookiecutter.json").read_text())
VENV_BIN = Path(sys.executable).parent


@pytest.fixture(autouse=True, scope="session")
def git_identity(tmp_path_factory) -> None:
    """Bakes commit with git; give them an identity that does not depend on the machine."""
    config = tmp_path_factory.mktemp("home") / ".gitconfig"
    config.write_text("[user]\n\tname = Template Tests\n\temail = tests@example.com\n")
    os.environ["GIT_CONFIG_GLOBAL"] = str(config)


def bake_project(output_dir: Path, **answers: str) -> Path:
    """Bake the template without prompts; returns the project folder."""
    return Path(cookiecutter(str(TEMPLATE), no_input=True, extra_context=answers, output_dir=str(output_dir)))


@pytest.fixture
def bake(tmp_path) -> Callable[..., Path]:
    return lambda **answers: bake_project(tmp_path, **answers)


def project_env(project: Path) -> dict[str, str]:
    """The shared test environment, with the baked package importable."""
    return {
        **os.environ,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(project / "src"),
    }


def run(project: Path, *command: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=project, env=project_env(project), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def reproduced(tmp_path_factory) -> Path:
    """A default bake whose pipeline has run once and been committed."""
    project = bake_project(tmp_path_factory.mktemp("reproduced"))
    run(project, "dvc", "repro")
    run(project, "git", "add", "-A")
    run(project, "git", "commit", "-qm", "Reproduce the pipeline")
    return project
