"""A new user's path, as the README gives it: bake, `make setup`, `make repro`, `make test`, `make lint`.

It builds the project's own virtual environment from requirements.lock, so it needs the package index
(or uv's cache, which `make setup` of the template has already filled).
"""

import os
import subprocess

import pytest
from conftest import bake_project

pytestmark = pytest.mark.slow


def make(project, *targets: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(["make", *targets], cwd=project, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"make {' '.join(targets)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def test_setup_then_repro_test_and_lint_on_the_projects_own_environment(tmp_path):
    project = bake_project(tmp_path, project_name="Churn")
    make(project, "setup")
    python = project / ".venv/bin/python"
    installed = subprocess.run(
        [str(python), "-c", "import churn, dvc, sklearn; print(churn.__file__)"], capture_output=True, text=True
    )
    assert installed.stdout.strip() == str(project / "src/churn/__init__.py")
    check = subprocess.run([str(project / ".venv/bin/uv"), "pip", "check", "--python", str(python)])
    assert check.returncode == 0
    repro = make(project, "repro")
    assert "Running stage 'evaluate'" in repro.stdout
    assert "roc_auc" in repro.stdout
    assert " passed" in make(project, "test").stdout
    make(project, "lint")
    help_text = make(project).stdout
    for target in ("setup", "repro", "test", "lint"):
        assert f"make {target}" in help_text
