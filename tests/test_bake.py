"""Baking: the files, the options, the lint of the result and the post-generation steps."""

import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
import yaml
from conftest import OPTIONS, TEMPLATE, VENV_BIN, module_name, run
from cookiecutter.environment import StrictEnvironment
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config
from hypothesis import assume, given, settings
from hypothesis import strategies as st

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

CHOICES = {name: value for name, value in OPTIONS.items() if isinstance(value, list) and not name.startswith("_")}
TEMPLATE_FILES = sorted(
    str(path.relative_to(TEMPLATE / "{{cookiecutter.project_slug}}"))
    for path in (TEMPLATE / "{{cookiecutter.project_slug}}").rglob("*")
    if path.is_file() and "__pycache__" not in path.parts
)


def matrix() -> list[dict[str, str]]:
    """Enough bakes that every value of every choice is baked at least once."""
    longest = max(len(values) for values in CHOICES.values())
    cycles = {name: itertools.islice(itertools.cycle(values), longest) for name, values in CHOICES.items()}
    return [dict(zip(cycles, values, strict=True)) for values in zip(*cycles.values(), strict=True)]


def tracked_files(project: Path) -> list[str]:
    return sorted(run(project, "git", "ls-files").stdout.split())


def test_the_matrix_bakes_every_value_of_every_choice():
    for name, values in CHOICES.items():
        assert {answers[name] for answers in matrix()} == set(values)


@pytest.mark.parametrize("answers", matrix(), ids=lambda answers: "-".join(answers.values()))
def test_every_option_bakes_a_clean_project(bake, answers):
    project = bake(**answers)
    rendered = [path for path in project.rglob("*") if ".git" not in path.parts]
    for path in rendered:
        assert "{{" not in path.name and "{%" not in path.name, path
        if path.is_file():
            text = path.read_text()
            assert not re.search(r"(?<!\$)\{\{|\{%|%\}", text), f"unrendered Jinja in {path}"  # ${{ }} is GitHub's
    run(project, "ruff", "check", ".")
    run(project, "ruff", "format", "--check", ".")
    assert len((project / "README.md").read_text().splitlines()) <= 200  # the guide holds the rest
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert pyproject["requires-python"] == f">={answers['python_version']}"
    assert pyproject["license"] == answers["license"].replace("Proprietary", "LicenseRef-Proprietary")


def read_options(text: str) -> set[str]:
    """The cookiecutter variables a template text reads, and those their own values read."""
    found, pending = set(), [text]
    while pending:
        tree = jinja2.Environment().parse(pending.pop())
        for node in tree.find_all(jinja2.nodes.Getattr):
            if isinstance(node.node, jinja2.nodes.Name) and node.node.name == "cookiecutter" and node.attr not in found:
                found.add(node.attr)
                if isinstance(OPTIONS.get(node.attr), str):
                    pending.append(OPTIONS[node.attr])
    return found


def test_every_option_combination_bakes_params_that_pass_the_schema():
    """params.yaml is rendered, as cookiecutter renders it, for every combination of the choices it reads (the
    others cannot change it), and each rendering passes the library's schema, whose URL is its first line."""
    from cd4ml.params_schema import problems

    template = (TEMPLATE / "{{cookiecutter.project_slug}}/params.yaml").read_text()
    chosen = sorted(read_options(template) & set(CHOICES))
    assert {"task", "serving"} <= set(chosen)
    for values in itertools.product(*(CHOICES[name] for name in chosen)):
        context = generate_context(TEMPLATE / "cookiecutter.json", extra_context=dict(zip(chosen, values, strict=True)))
        answers = prompt_for_config(context, no_input=True)
        environment = StrictEnvironment(context=context, keep_trailing_newline=True)
        text = environment.from_string(template).render(cookiecutter=answers)
        assert problems(yaml.safe_load(text)) == [], values
        assert text.splitlines()[0] == f"# yaml-language-server: $schema={answers['__params_schema_url']}"


def test_default_bake_has_the_template_files_committed(bake):
    project = bake()
    assert project.name == "breast-cancer-classifier"
    # File names rendered with the default answers; an empty name is a file that is not baked.
    defaults = {
        "cookiecutter": {
            "serving": "yes",
            "ci": "github",
            "task": "classification",
            "module_name": "breast_cancer_classifier",
        }
    }
    rendered = [jinja2.Template(name).render(defaults) for name in TEMPLATE_FILES]
    module_files = [name for name in rendered if name and not name.endswith("/")]
    assert tracked_files(project) == sorted([*module_files, ".dvc/config", ".cruft.json"])
    for folder in ("data/raw", "data/interim", "data/processed", "data/external", "models", "notebooks"):
        assert (project / folder).is_dir()
    assert (project / "reports/figures").is_dir()
    log = run(project, "git", "log", "--format=%s").stdout
    assert log == "Initial commit from cd4ml-template\n"
    assert run(project, "git", "status", "--porcelain").stdout == ""


def test_names_derive_from_the_project_name_and_can_be_overridden(bake):
    derived = bake(project_name="Churn Model 2")
    assert derived.name == "churn-model-2"
    assert (derived / "src/churn_model_2/features.py").is_file()
    chosen = bake(project_name="Churn", project_slug="churn-pipeline", module_name="churn")
    assert chosen.name == "churn-pipeline"
    assert (chosen / "src/churn/model.py").is_file()


@pytest.mark.parametrize(
    ("remote", "url", "expected"),
    [
        ("gcs", "gs://team-data/churn", "url = gs://team-data/churn"),
        ("s3", "s3://team-data/churn", "url = s3://team-data/churn"),
        ("azure", "azure://team-data/churn", "url = azure://team-data/churn"),
        ("local", "/srv/dvc/churn", "url = /srv/dvc/churn"),
        ("local", "../shared-store", "url = ../../shared-store"),
    ],
)
def test_the_chosen_remote_is_the_dvc_default(bake, remote, url, expected):
    project = bake(dvc_remote=remote, dvc_remote_url=url)
    config = (project / ".dvc/config").read_text()
    assert expected in config
    assert "remote = storage" in config
    listed = run(project, "dvc", "remote", "list").stdout.split()
    assert listed[0] == "storage"
    assert run(project, "dvc", "config", "core.analytics").stdout.strip() == "false"


def test_no_remote_leaves_dvc_without_one(bake):
    project = bake(dvc_remote="none", dvc_remote_url="")
    assert run(project, "dvc", "remote", "list").stdout == ""
    assert run(project, "dvc", "status").returncode == 0


def test_relative_local_remote_points_where_the_user_meant(bake, tmp_path):
    project = bake(dvc_remote="local", dvc_remote_url="../shared-store")
    (project / "data/raw/extra.csv").write_text("a,target\n1,0\n2,1\n")
    run(project, "dvc", "add", "data/raw/extra.csv")
    run(project, "dvc", "push")
    assert any((tmp_path / "shared-store").rglob("*")), "nothing was pushed to the folder next to the project"


@pytest.mark.parametrize("license_name", CHOICES["license"])
def test_license_file_matches_the_choice(bake, license_name):
    text = (bake(license=license_name, author_name="Ada Lovelace") / "LICENSE").read_text()
    first_words = {
        "MIT": "MIT License",
        "BSD-3-Clause": "BSD 3-Clause License",
        "Apache-2.0": "Copyright",
        "Proprietary": "Copyright",
    }
    assert text.startswith(first_words[license_name])
    assert "Ada Lovelace" in text
    assert ("All rights reserved" in text) == (license_name == "Proprietary")
    assert ("Apache License" in text) == (license_name == "Apache-2.0")


def test_without_a_git_identity_the_bake_is_staged_and_says_so(bake, monkeypatch, capfd):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for variable in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(variable, raising=False)
    # Refuse identities git would guess from the host name.
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "user.useConfigOnly")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "true")
    project = bake()
    assert "git has no user.name or user.email" in capfd.readouterr().out
    staged = subprocess.run(["git", "diff", "--cached", "--name-only"], cwd=project, capture_output=True, text=True)
    assert "dvc.yaml" in staged.stdout.split()
    assert (project / ".dvc/config").is_file()


def test_without_git_the_bake_still_completes(bake, monkeypatch, capfd):
    monkeypatch.setenv("PATH", str(VENV_BIN))
    project = bake()
    output = capfd.readouterr().out
    assert "git is not installed" in output
    assert "make setup" in output
    assert not (project / ".git").exists()
    assert (project / "dvc.yaml").is_file()


def test_next_steps_are_printed(bake, capfd):
    bake(project_name="Fraud")
    assert "\nNext:\n  cd fraud\n  make setup\n  make repro\n" in capfd.readouterr().out


def test_template_and_bake_share_the_tool_versions():
    """requirements-dev.txt is compiled against the project lock; a drift would break `make setup`."""
    pins = {}
    for lock in (TEMPLATE / "requirements-dev.txt", TEMPLATE / "{{cookiecutter.project_slug}}/requirements.lock"):
        for line in lock.read_text().splitlines():
            match = re.match(r"([a-z0-9._-]+)==(\S+)(?: ;.*)?$", line)
            if match and ";" not in line:
                pins.setdefault(match.group(1), set()).add(match.group(2))
    assert {name for name, versions in pins.items() if len(versions) > 1} == set()
    assert {"pytest", "ruff", "uv"} <= set(pins)


def test_the_bake_pins_the_library_of_its_template(bake):
    """The project installs the cd4ml library at the version in cookiecutter.json, which is the library's own,
    from the template it was made from (here a folder: its cd4ml/ subfolder)."""
    import cd4ml

    assert OPTIONS["__cd4ml_version"] == cd4ml.__version__
    pyproject = tomllib.loads((bake() / "pyproject.toml").read_text())
    assert pyproject["project"]["dependencies"] == [f"cd4ml=={cd4ml.__version__}"]
    assert pyproject["tool"]["uv"]["sources"]["cd4ml"] == {"path": str(TEMPLATE / "cd4ml")}
    assert pyproject["tool"]["cd4ml"]["package"] == "breast_cancer_classifier"


def test_dvc_files_are_those_dvc_init_writes(bake, tmp_path):
    """The hook writes DVC's files itself so that baking needs no DVC; they must stay what `dvc init` makes."""
    reference = tmp_path / "reference"
    reference.mkdir()
    run(reference, "git", "init", "-q")
    run(reference, "dvc", "init", "-q")
    project = bake()
    assert (project / ".dvc/.gitignore").read_text() == (reference / ".dvc/.gitignore").read_text()
    assert (project / ".dvcignore").is_file()
    assert sorted(path.name for path in (project / ".dvc").iterdir()) == [".gitignore", "config"]


def test_the_options_are_documented_once_from_cookiecutter_json():
    """The README links the guide's options page, which the build generates from cookiecutter.json
    (tests/test_docs.py checks that it lists every option and choice)."""
    assert "docs/reference/options.md" in (TEMPLATE / "README.md").read_text()
    assert "<!-- reference: options -->" in (TEMPLATE / "docs/reference/options.md").read_text()


def test_without_serving_the_service_files_are_not_baked(bake):
    project = bake(serving="no")
    files = tracked_files(project)
    assert not {"Dockerfile", "k8s.yaml", ".dockerignore"} & set(files)
    assert not [name for name in files if "serving" in Path(name).parts]
    assert "serve:" not in (project / "params.yaml").read_text()
    assert "make serve" not in run(project, "make", "help").stdout
    makefile = (project / "Makefile").read_text()
    phony = re.search(r"^\.PHONY: (.*)$", makefile, re.MULTILINE)[1].split()
    assert [name for name in phony if not re.search(rf"^{name}:", makefile, re.MULTILINE)] == []


MAKEFILE = (TEMPLATE / "{{cookiecutter.project_slug}}/Makefile").read_text()
# What a file or column name may hold that make or the shell would run: make and shell code, quotes, blanks.
HOSTILE = st.lists(
    st.sampled_from(["$(shell touch made)", "`touch made`", "$$(touch made)", "$(touch made)", "${HOME}", "$FILE"])
    | st.sampled_from(["'", '"', "\\", " ", "\n", "#", "%", ";", "*", "-", "="])
    | st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=4),
    max_size=6,
).map("".join)


def test_make_gives_the_command_what_it_is_given_as_one_literal_argument(bake):
    """`make adopt FILE=… TARGET=… TASK=…`, on the command line or from the environment: make runs no
    `$(shell …)`, the shell runs nothing, and the command gets each value as it was given."""
    project = bake()
    module = module_name(project)
    recorder = project / "recorder/bin/python"  # the Makefile puts $(VENV)/bin first on PATH
    recorder.parent.mkdir(parents=True)
    recorder.write_text(f"#!{sys.executable}\nimport json, sys\nprint(json.dumps(sys.argv[1:]))\n")
    recorder.chmod(0o755)

    @settings(max_examples=40, deadline=None)
    @given(file=HOSTILE, target=HOSTILE, task=HOSTILE, from_environment=st.booleans())
    def check(file: str, target: str, task: str, from_environment: bool) -> None:
        values = {"FILE": file, "TARGET": target, "TASK": task}
        if not from_environment:  # make itself drops the blanks that start a command-line value
            assume(not any(value[:1].isspace() for value in values.values()))
        given_values = [f"{name}={value}" for name, value in values.items()]
        result = subprocess.run(
            ["make", "--silent", "adopt", "VENV=recorder", *([] if from_environment else given_values)],
            cwd=project,
            env={**os.environ, **(values if from_environment else {})},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        task_option = [f"--task={task}"] if task else []
        assert json.loads(result.stdout) == ["-m", module, "adopt", f"--target={target}", *task_option, "--", file]
        assert not (project / "made").exists()

    check()


def test_no_recipe_lets_make_expand_a_given_value():
    """Every value a user gives a command reaches the recipes through the environment only."""
    names = re.search(r"^ARGUMENTS := (.+)$", MAKEFILE, re.M)[1].split()
    recipes = "\n".join(line for line in MAKEFILE.splitlines() if line.startswith("\t"))
    for name in names:
        assert f"$({name})" not in recipes and f"${{{name}}}" not in recipes, name
    assert set(re.findall(r"\$\$\{?([A-Z_]+)", recipes)) <= set(names), "a recipe reads a value ARGUMENTS does not list"
