"""A new user's path, as the README gives it: bake, `make setup`, `make repro`, `make test`, `make lint`.

It builds the project's own virtual environment from requirements.lock, so it needs the package index
(or uv's cache, which `make setup` of the template has already filled). The bake is renamed (its own
module name, a proprietary licence, the running Python as `python_version`), so the baked suite that
`make test` runs here also proves nothing in it hangs on the default names.
"""

import os
import subprocess
import sys

import pytest
from conftest import bake_project

pytestmark = pytest.mark.slow

RENAMED = {
    "project_name": "Churn",
    "module_name": "churn_pipeline",
    "license": "Proprietary",
    "python_version": f"{sys.version_info.major}.{sys.version_info.minor}",  # what `make setup` will install into
}


def make(project, *targets: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(["make", *targets], cwd=project, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"make {' '.join(targets)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def test_setup_then_repro_test_and_lint_on_the_projects_own_environment(tmp_path):
    project = bake_project(tmp_path, **RENAMED)
    make(project, "setup")
    python = project / ".venv/bin/python"
    installed = subprocess.run(
        [str(python), "-c", "import churn_pipeline, dvc, sklearn; print(churn_pipeline.__file__)"],
        capture_output=True,
        text=True,
    )
    assert installed.stdout.strip() == str(project / "src/churn_pipeline/__init__.py")
    check = subprocess.run([str(project / ".venv/bin/uv"), "pip", "check", "--python", str(python)])
    assert check.returncode == 0
    repro = make(project, "repro")
    assert "Running stage 'evaluate'" in repro.stdout
    assert "roc_auc" in repro.stdout
    tested = make(project, "test").stdout
    assert " passed" in tested and "failed" not in tested and "error" not in tested.lower()
    make(project, "lint")
    help_text = make(project).stdout
    for target in ("setup", "repro", "test", "lint"):
        assert f"make {target}" in help_text
