"""Notebooks that review like code (nbdime through git), offline pre-commit, and the record cruft updates start
from (tests/test_updates.py updates bakes across the template's history)."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import TEMPLATE, run

pytestmark = pytest.mark.slow  # a full pipeline run or more; `make test-fast` leaves it out

NOTEBOOK = "notebooks/01-explore.ipynb"


def edit_first_code_cell(project: Path) -> None:
    notebook = json.loads((project / NOTEBOOK).read_text())
    cell = next(cell for cell in notebook["cells"] if cell["cell_type"] == "code")
    cell["source"].append("\nprint('an edited cell')")
    (project / NOTEBOOK).write_text(json.dumps(notebook, indent=1) + "\n")


def test_git_diff_of_a_notebook_is_nbdime_cell_diff(bake):
    project = bake()
    assert run(project, "git", "config", "diff.jupyternotebook.command").stdout.strip() == "scripts/nbdiff"
    assert "*.ipynb diff=jupyternotebook merge=jupyternotebook" in (project / ".gitattributes").read_text()
    edit_first_code_cell(project)
    diff = run(project, "git", "diff", "--no-color", NOTEBOOK).stdout
    assert "## modified /cells/1/source:" in diff
    assert "print('an edited cell')" in diff


def test_git_diff_still_works_without_nbdime(bake):
    project = bake()
    edit_first_code_cell(project)
    bare = {**os.environ, "PATH": "/usr/bin:/bin"}  # no virtual environment, so no nbdime
    result = subprocess.run(
        ["git", "diff", "--no-color", NOTEBOOK], cwd=project, env=bare, capture_output=True, text=True
    )
    assert (
        "git-nbdiffdriver"
        not in subprocess.run(
            ["sh", "-c", "command -v git-nbdiffdriver"], env=bare, capture_output=True, text=True
        ).stdout
    )
    assert result.returncode == 0 and "external diff died" not in result.stderr
    assert result.stdout.startswith("--- a/notebooks/01-explore.ipynb")
    assert "+    \"\\nprint('an edited cell')\"" in result.stdout


def test_a_fresh_clone_gets_the_drivers_from_setup_script(bake, tmp_path):
    clone = tmp_path / "clone"
    run(bake(), "git", "clone", "-q", ".", str(clone))
    assert run(clone, "git", "config", "diff.jupyternotebook.command", check=False).stdout == ""
    run(clone, "sh", "scripts/configure-git")  # what `make setup` runs
    assert run(clone, "git", "config", "merge.jupyternotebook.driver").stdout.startswith("scripts/nbmerge")


def test_pre_commit_runs_offline_and_strips_notebook_outputs(bake, tmp_path, monkeypatch):
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-cache"))
    project = bake()
    assert run(project, "pre-commit", "run", "--all-files").returncode == 0
    notebook = json.loads((project / NOTEBOOK).read_text())
    code = next(cell for cell in notebook["cells"] if cell["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["leaked output\n"]}]
    code["execution_count"] = 3
    (project / NOTEBOOK).write_text(json.dumps(notebook, indent=1) + "\n")
    stripped = run(project, "pre-commit", "run", "nbstripout", "--all-files", check=False)
    assert stripped.returncode == 1 and "files were modified by this hook" in stripped.stdout
    assert "leaked output" not in (project / NOTEBOOK).read_text()
    assert not list((tmp_path / "pre-commit-cache").rglob("*.tar.gz"))  # nothing was downloaded


def test_a_bake_records_where_it_came_from_for_cruft(bake):
    state = json.loads((bake() / ".cruft.json").read_text())
    assert state["template"] == str(TEMPLATE)
    assert state["commit"] == run(TEMPLATE, "git", "rev-parse", "HEAD").stdout.strip()
    assert state["context"]["cookiecutter"]["project_name"] == "Breast Cancer Classifier"
