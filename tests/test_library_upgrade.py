"""A fix in the cd4ml library reaches a project by one pin: `make upgrade VERSION=… REV=…` moves the
pin and the git source's commit, `make setup` installs that library, and `dvc repro` reruns every
stage, since each depends on the pin; the run report records the new version."""

import shutil
from pathlib import Path

import pytest
import tomllib
from conftest import STAGES, TEMPLATE, bake_project, ran_stages, run, untracked

pytestmark = pytest.mark.slow  # two installs of the project and two full pipeline runs

NEXT = "0.1.1"


def library_repository(folder: Path) -> tuple[str, str]:
    """A git repository holding the template's library, then a fix released as NEXT: both commits."""
    shutil.copytree(
        TEMPLATE / "cd4ml", folder / "cd4ml", ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__")
    )
    run(folder, "git", "init", "-q")
    run(folder, "git", "add", "-A")
    run(folder, "git", "commit", "-qm", "The library as the template has it")
    first = run(folder, "git", "rev-parse", "HEAD").stdout.strip()
    version = folder / "cd4ml/src/cd4ml/__init__.py"
    text = version.read_text()
    old = next(line for line in text.splitlines() if line.startswith("__version__"))
    version.write_text(text.replace(old, f'__version__ = "{NEXT}"'))
    run(folder, "git", "commit", "-qam", f"A fix, released as {NEXT}")
    return first, run(folder, "git", "rev-parse", "HEAD").stdout.strip()


def from_git(project: Path, repository: Path, rev: str) -> None:
    """The source a bake from a git URL gets: the template's repository at a commit."""
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    path_source = text[text.index("cd4ml = { path = ") :].splitlines()[0]
    git_source = f'cd4ml = {{ git = "file://{repository}", subdirectory = "cd4ml", rev = "{rev}" }}'
    pyproject.write_text(text.replace(path_source, git_source))


def test_one_pin_upgrades_the_library_and_reruns_every_stage(tmp_path):
    first, fix = library_repository(tmp_path / "template")
    project = untracked(bake_project(tmp_path / "bake", project_slug="upgrading"))  # MLflow is test_registry's
    from_git(project, tmp_path / "template", first)
    run(project, "make", "setup")
    assert ran_stages(run(project, "make", "repro").stdout) == STAGES
    run(project, "git", "add", "-A")
    run(project, "git", "commit", "-qm", "Reproduce with cd4ml 0.1.0")

    upgraded = run(project, "make", "upgrade", f"VERSION={NEXT}", f"REV={fix}")

    assert f"upgrade: cd4ml 0.1.0 -> {NEXT}" in upgraded.stdout
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["dependencies"] == [f"cd4ml=={NEXT}"]
    assert pyproject["tool"]["uv"]["sources"]["cd4ml"]["rev"] == fix
    changed = run(project, "git", "diff", "--name-only").stdout.split()
    assert changed == ["params.yaml", "pyproject.toml"]  # one pin (and its commit), nothing else
    params_diff = run(project, "git", "diff", "-U0", "params.yaml").stdout.splitlines()
    edited = [line for line in params_diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert len(edited) == 2 and all("$schema=" in line for line in edited)  # the schema's version
    assert f"cd4ml-v{NEXT}/" in edited[1]
    installed = run(project, ".venv/bin/python", "-c", "import cd4ml; print(cd4ml.__version__)").stdout
    assert installed.strip() == NEXT
    assert ran_stages(run(project, "make", "repro").stdout) == STAGES
    assert f"<td>cd4ml version</td><td>{NEXT}</td>" in (project / "reports/report.html").read_text()
