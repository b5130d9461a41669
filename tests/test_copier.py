"""copier beside cookiecutter: one template folder, the same questions, checks and post-generation steps.

`copier copy` bakes what `cookiecutter` bakes, byte for byte; a bad answer stops copier with the
pre-generation hook's one line before anything is written; and a copier project takes a later template
commit over its team's edits with `copier update`.
"""

import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import OPTIONS, TEMPLATE, VENV_BIN, bake_project, run
from test_updates import NAME, SLUG, TEAM_EDITS, TEMPLATE_NOTE, changed_paths, edit_as_the_team, later_template_commit
from test_validation import REJECTED

COPIER = str(VENV_BIN / "copier")
QUESTIONS = yaml.safe_load((TEMPLATE / "copier.yml").read_text())
# The files each tool writes for itself: its record of the answers, and the repository the hook makes.
OWN_FILES = {".cruft.json", ".copier-answers.yml"}


def copier_copy(template: Path | str, destination: Path, *options: str, **answers: str) -> subprocess.CompletedProcess:
    """`copier copy` without prompts; --trust lets it load the template's extension and run its task.

    It runs from the file system's root, where a relative path (sqlite:///mlflow.db, a local remote)
    read from the wrong folder is a top-level one that the checks refuse: they must read it from the project's.
    """
    data = [f"--data={name}={value}" for name, value in answers.items()]
    command = [COPIER, "copy", "--trust", "--defaults", "--quiet", *options, *data, str(template), str(destination)]
    return subprocess.run(command, cwd="/", capture_output=True, text=True, timeout=120)


def tree(project: Path) -> dict[str, bytes | None]:
    """Every folder (None) and file (its bytes) of a project, by relative path, but each tool's own."""
    entries = {}
    for path in sorted(project.rglob("*")):
        name = path.relative_to(project).as_posix()
        if name.split("/")[0] != ".git" and name not in OWN_FILES:
            entries[name] = path.read_bytes() if path.is_file() else None
    return entries


def files(entries: dict[str, bytes | None]) -> dict[str, bytes]:
    return {name: text for name, text in entries.items() if text is not None}


def tracked(project: Path) -> set[str]:
    return set(run(project, "git", "ls-files").stdout.splitlines()) - OWN_FILES


OTHER_OPTIONS = {
    "project_name": "Prix des Maisons Ça",
    "task": "regression",
    "python_version": "3.13",
    "license": "Proprietary",
    "ci": "gitlab",
    "serving": "no",
    "dvc_remote": "local",
    "dvc_remote_url": "../shared-store",  # relative to the project: both tools must resolve it from there
}


@pytest.mark.parametrize("answers", [{}, OTHER_OPTIONS], ids=["defaults", "regression-gitlab-local"])
def test_copier_bakes_what_cookiecutter_bakes(tmp_path, answers):
    baked = bake_project(tmp_path / "cookiecutter", **answers)
    # The working tree as it is: copier takes a local repository's uncommitted changes at --vcs-ref HEAD.
    copied = tmp_path / "copier" / baked.name
    result = copier_copy(TEMPLATE, copied, "--vcs-ref=HEAD", **answers)
    assert result.returncode == 0, result.stderr

    expected, got = tree(baked), tree(copied)
    different = sorted(name for name in expected.keys() | got.keys() if expected.get(name) != got.get(name))
    assert not different, f"copier's bake differs from cookiecutter's: {different}"
    assert tracked(copied) == tracked(baked)
    assert run(copied, "git", "status", "--porcelain").stdout == ""
    recorded = yaml.safe_load((copied / ".copier-answers.yml").read_text())
    assert {name: recorded[name] for name in answers} == answers
    # cruft cannot check a copier project: the project's check says how it updates instead of warning.
    assert "copier update --trust" in run(copied, "make", "template-check").stdout


@pytest.fixture(scope="module")
def plain_template(tmp_path_factory) -> Path:
    """The template's files outside git, which copier reads in place: no clone per bake."""
    folder = tmp_path_factory.mktemp("template")
    for name in ("copier.yml", "cookiecutter.json"):
        shutil.copy(TEMPLATE / name, folder)
    for name in ("extensions", "hooks", "{{cookiecutter.project_slug}}"):
        shutil.copytree(TEMPLATE / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


# A seeded sample of the pre-generation hook's own cases: the plumbing is under test, not each rule again.
@pytest.mark.parametrize(("answers", "message"), random.Random(24).sample(REJECTED, 4))
def test_a_bad_answer_stops_copier_with_the_hooks_one_line_before_it_writes(plain_template, tmp_path, answers, message):
    destination = tmp_path / "project"
    result = copier_copy(plain_template, destination, **answers)
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.splitlines() == [result.stderr.strip()], result.stderr
    assert message in result.stderr
    assert not re.search("hunter2|:pw@|sig=abc|ghp_token|access_token", result.stderr), "a secret in the error line"
    assert not destination.exists()


def test_copier_yml_asks_cookiecutter_jsons_questions():
    """Names in order, help texts, choices with their labels, defaults; private values computed, never asked."""
    prompts = OPTIONS["__prompts__"]
    questions = {name: spec for name, spec in QUESTIONS.items() if not name.startswith("_")}
    asked = [name for name, spec in questions.items() if spec.get("when", True) is not False]
    assert asked == [name for name in OPTIONS if not name.startswith("_")]
    for name in asked:
        spec, value = questions[name], OPTIONS[name]
        assert spec["type"] == "str", name
        if isinstance(value, list):
            assert spec["help"] == prompts[name]["__prompt__"], name
            assert spec["choices"] == {prompts[name][choice]: choice for choice in value}, name
            assert list(spec["choices"].values()) == value, name
            assert spec["default"] == value[0], name
        else:
            assert spec["help"] == prompts[name], name
            assert spec["default"] == value, name
    computed = {name: spec["default"] for name, spec in questions.items() if spec.get("when", True) is False}
    private = {name[2:]: value for name, value in OPTIONS.items() if name.startswith("__") and name != "__prompts__"}
    assert computed == private


@pytest.mark.slow
def test_a_copier_project_takes_a_later_template_commit_over_its_teams_edits(template_clone, tmp_path, monkeypatch):
    """From a URL, as teams take the template: the library's git source moves to the new commit too. The DVC
    remote is a folder two levels up, which copier's renders of the update (in a temporary folder) must not
    take for a top-level one."""
    answers = {"project_name": NAME, "dvc_remote": "local", "dvc_remote_url": "../../dvc-store"}
    monkeypatch.setenv("COPIER_CACHE_DIR", str(tmp_path / "copier-cache"))  # copier mirrors a URL's repository
    url = template_clone.as_uri()
    start = run(template_clone, "git", "rev-parse", "HEAD").stdout.strip()
    project = tmp_path / "project" / SLUG
    result = copier_copy(url, project, f"--vcs-ref={start}", **answers)
    assert result.returncode == 0, result.stderr
    before = tree(project)
    edit_as_the_team(project)
    head = later_template_commit(template_clone)

    update = [COPIER, "update", "--trust", "--defaults", "--quiet", f"--vcs-ref={head}"]
    result = subprocess.run(update, cwd=project, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr

    assert not list(project.rglob("*.rej")), "copier rejected part of the update"
    markers = run(project, "git", "grep", "--untracked", "-nE", "^(<<<<<<<|=======|>>>>>>>)( |$)", check=False)
    assert markers.returncode == 1, f"conflict markers:\n{markers.stdout}"
    fresh = tmp_path / "fresh" / SLUG
    assert copier_copy(url, fresh, f"--vcs-ref={head}", **answers).returncode == 0
    expected = {
        name: TEAM_EDITS[name](text.decode()).encode() if name in TEAM_EDITS else text
        for name, text in tree(fresh).items()
    }
    now = tree(project)
    different = sorted(name for name in expected.keys() | now.keys() if expected.get(name) != now.get(name))
    assert not different, f"not as a bake of {head} with the team's edits: {different}"
    assert (project / "params.yaml").read_text().startswith(TEMPLATE_NOTE)
    assert "    n_estimators: 50\n" in (project / "params.yaml").read_text()
    assert f'rev = "{head}"' in (project / "pyproject.toml").read_text()

    # Only the files the template changed are modified, and copier's answers, which now name head.
    files_before, files_fresh = files(before), files(tree(fresh))
    template_changed = {name for name in files_before | files_fresh if files_before.get(name) != files_fresh.get(name)}
    assert changed_paths(project) == template_changed | {".copier-answers.yml"}
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert head.startswith(recorded["_commit"].rpartition("-g")[2]), "git describe's name of head"
    assert recorded["project_name"] == NAME
