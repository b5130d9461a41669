"""Template updates with cruft across this repository's real history.

A project baked at an earlier commit of the template, whose team has since edited its features,
estimators, params.yaml and README, takes the template's later commits with `cruft update`: no
conflict, nothing rejected, the team's edits kept, and every other file as a bake of the new
commit has it. The same holds for a project started with `cruft create`.
"""

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import run

pytestmark = pytest.mark.slow  # several bakes and cruft runs; `make test-fast` leaves it out

NAME, SLUG, MODULE = "Churn", "churn", "churn"
# A line that a later template commit puts at the top of two baked files (see later_template_commit).
TEMPLATE_NOTE = "# A note from a later template commit.\n"


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"the team's edit needs exactly one {old!r} in the file"
    return text.replace(old, new)


# What the project's team changes after the bake, as functions of a file's text, so that the same
# edit applied to a fresh bake of the new template commit says what the update must leave.
TEAM_EDITS: dict[str, Callable[[str], str]] = {
    f"src/{MODULE}/features.py": lambda text: replace_once(
        text,
        "\n    return frame\n",
        '\n    return frame.assign(radius_per_area=frame["mean_radius"] / frame["mean_area"])\n',
    ),
    f"src/{MODULE}/model.py": lambda text: replace_once(
        text,
        '    "classification": {\n',
        '    "classification": {\n        "extra_trees": "sklearn.ensemble.ExtraTreesClassifier",\n',
    ),
    "params.yaml": lambda text: replace_once(
        text, "  random_forest:\n    n_estimators: 200\n", "  random_forest:\n    n_estimators: 50\n"
    ),
    # The README's place for the team's own words: the model card's prompts, which the template keeps.
    "README.md": lambda text: replace_once(
        text,
        "### Intended use\n\n_Fill in:",
        "### Intended use\n\nRanks accounts by churn risk for the retention team's calls.\n\n_Fill in:",
    ),
}


def first_commit(clone: Path, *log: str) -> str:
    """The oldest commit that `git log <log>` lists."""
    commits = run(clone, "git", "log", "--format=%H", *log).stdout.split()
    assert commits, f"no commit matches git log {' '.join(log)}"
    return commits[-1]


def source_in_every_render_commit(clone: Path) -> str:
    """The first commit whose hook records the library's source in cruft's renders too, the earliest
    a project can update from: a bake from before it holds a source that cruft's renders lack (an
    update would add a second), and bakes from before the library split hold the machinery
    (cd4ml/CHANGELOG.md: migrating)."""
    return first_commit(clone, '-S"_commit" in ANSWERS', "--", "hooks/post_gen_project.py")


def cookiecutter_bake(clone: Path, commit: str, folder: Path) -> Path:
    """`cookiecutter <url> --checkout <commit>`, as a team bakes a given template version."""
    folder.mkdir()
    config = folder / "cookiecutter.yaml"  # cookiecutter clones a URL's template here, not into ~
    config.write_text(
        f"cookiecutters_dir: {json.dumps(str(folder / 'cookiecutters'))}\n"
        f"replay_dir: {json.dumps(str(folder / 'replay'))}\n"
    )
    run(folder, "cookiecutter", "--no-input", "--config-file", str(config), "--checkout", commit,
        "--output-dir", str(folder), clone.as_uri(), f"project_name={NAME}")  # fmt: skip
    return folder / SLUG


def cruft_bake(clone: Path, commit: str, folder: Path) -> Path:
    """`cruft create <template> --checkout <commit>`; cruft writes .cruft.json after the hook's first
    commit, so the team commits it."""
    folder.mkdir()
    run(folder, "cruft", "create", str(clone), "--checkout", commit, "--no-input", "--output-dir", str(folder),
        "--extra-context", json.dumps({"project_name": NAME}))  # fmt: skip
    project = folder / SLUG
    run(project, "git", "add", ".cruft.json")
    run(project, "git", "commit", "-qm", "Record the template's version")
    return project


def snapshot(project: Path) -> dict[str, bytes]:
    """Every file of a project but git's and cruft's own, by relative path."""
    files = {}
    for path in sorted(project.rglob("*")):
        name = path.relative_to(project).as_posix()
        if path.is_file() and not name.startswith(".git/") and name != ".cruft.json":
            files[name] = path.read_bytes()
    return files


def edit_as_the_team(project: Path) -> None:
    for name, edit in TEAM_EDITS.items():
        (project / name).write_text(edit((project / name).read_text()))
    run(project, "git", "commit", "-qam", "Our features, estimator, forest size and data note")


def later_template_commit(clone: Path) -> str:
    """A template commit on top of the clone's HEAD that changes files the team edited (params.yaml,
    and the README's end, in other places) and one it did not (Makefile): the real history since
    the earlier commit may touch none. Returns the new HEAD."""
    for name in ("params.yaml", "Makefile"):
        path = clone / "{{cookiecutter.project_slug}}" / name
        path.write_text(TEMPLATE_NOTE + path.read_text())
    readme = clone / "{{cookiecutter.project_slug}}/README.md"
    readme.write_text(readme.read_text() + "\n" + TEMPLATE_NOTE.removeprefix("# "))
    run(clone, "git", "commit", "-qam", "A later template change")
    return run(clone, "git", "rev-parse", "HEAD").stdout.strip()


def changed_paths(project: Path) -> set[str]:
    status = run(project, "git", "status", "--porcelain", "--untracked-files=all").stdout
    return {line[3:] for line in status.splitlines()}


def assert_updated(project: Path, before: dict, fresh: dict, head: str) -> None:
    """The project after `cruft update` to head: a fresh bake of head with the team's edits on top."""
    assert not list(project.rglob("*.rej")), "cruft rejected part of the update"
    markers = run(project, "git", "grep", "--untracked", "-nE", "^(<<<<<<<|>>>>>>>)( |$)", check=False)
    assert markers.returncode == 1, f"conflict markers:\n{markers.stdout}"

    expected = {name: TEAM_EDITS[name](text.decode()).encode() if name in TEAM_EDITS else text
                for name, text in fresh.items()}  # fmt: skip
    now = snapshot(project)
    different = sorted(name for name in expected.keys() | now.keys() if expected.get(name) != now.get(name))
    assert not different, f"not as a bake of {head} with the team's edits: {different}"
    assert (project / "Makefile").read_text().startswith(TEMPLATE_NOTE)
    assert (project / "params.yaml").read_text().startswith(TEMPLATE_NOTE)
    assert (project / "README.md").read_text().endswith(TEMPLATE_NOTE.removeprefix("# "))
    assert "    n_estimators: 50\n" in (project / "params.yaml").read_text()

    # Only what the template changed is modified, and .cruft.json, which now names head.
    template_changed = {name for name in before.keys() | fresh.keys() if before.get(name) != fresh.get(name)}
    assert changed_paths(project) == template_changed | {".cruft.json"}
    assert json.loads((project / ".cruft.json").read_text())["commit"] == head
    run(project, "cruft", "check")
    # The team's code still runs, with the template's tests for it.
    run(project, "pytest", "-q", "-p", "no:cacheprovider", "tests/test_features.py", "tests/test_estimators.py")


def update_across_history(clone: Path, start: str, bake: Callable[[Path, str, Path], Path], tmp_path: Path) -> None:
    project = bake(clone, start, tmp_path / "project")
    before = snapshot(project)
    edit_as_the_team(project)
    head = later_template_commit(clone)
    assert run(project, "cruft", "check", check=False).returncode != 0

    run(project, "cruft", "update", "--skip-apply-ask", "--checkout", head)
    assert_updated(project, before, snapshot(bake(clone, head, tmp_path / "fresh")), head)


def test_a_cookiecutter_bake_takes_the_later_history_over_its_teams_edits(template_clone, tmp_path):
    update_across_history(template_clone, source_in_every_render_commit(template_clone), cookiecutter_bake, tmp_path)


def test_a_cruft_create_project_takes_the_later_history_over_its_teams_edits(template_clone, tmp_path):
    update_across_history(template_clone, source_in_every_render_commit(template_clone), cruft_bake, tmp_path)
