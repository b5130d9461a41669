"""The pre-generation hook: a bad answer stops the bake with one line and leaves nothing behind.

The bakes here run the cookiecutter command from a virtual environment that holds only cookiecutter, as
a user's `pip install cookiecutter` does, so no check can lean on the project's dependencies being there.
"""

import configparser
import fcntl
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import OPTIONS, TEMPLATE, VENV_BIN, bake_project, run

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

LOCKED_COOKIECUTTER = re.search(r"^cookiecutter==(\S+)", (TEMPLATE / "requirements-dev.txt").read_text(), re.M)[1]


@pytest.fixture(scope="session")
def bare_cookiecutter(request, tmp_path_factory) -> Path:
    """A virtual environment with cookiecutter at the locked version and nothing else, made once and cached."""
    name = f"bare-cookiecutter-{LOCKED_COOKIECUTTER}"
    cache = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider
    venv = Path(cache.mkdir(name)) if cache else tmp_path_factory.mktemp(name)
    python = venv / "bin/python"
    # Under pytest-xdist every worker asks for it: the first builds it, the others wait for the lock.
    with open(venv.parent / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (venv / "ready").exists():
            uv = str(VENV_BIN / "uv")
            subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
            subprocess.run(
                [uv, "pip", "install", "--quiet", "--compile-bytecode", "--python", str(python)]
                + [f"cookiecutter=={LOCKED_COOKIECUTTER}"],
                check=True,
            )
            (venv / "ready").write_text(LOCKED_COOKIECUTTER)
    return python


def bare_bake(python: Path, output: Path, *arguments: str, **answers: str) -> subprocess.CompletedProcess:
    """`cookiecutter --no-input` from the bare environment, with git on PATH but not the project's tools."""
    path = os.pathsep.join(part for part in os.environ["PATH"].split(os.pathsep) if Path(part) != VENV_BIN)
    env = {**os.environ, "PATH": path}
    env.pop("VIRTUAL_ENV", None)
    # A replay file stands for the answers; cookiecutter refuses --no-input with it.
    no_input = [] if "--replay-file" in arguments else ["--no-input"]
    command = [str(python), "-m", "cookiecutter", *no_input, "--output-dir", str(output), *arguments]
    command += [str(TEMPLATE), *(f"{key}={value}" for key, value in answers.items())]
    return subprocess.run(command, cwd=output, env=env, capture_output=True, text=True, timeout=120)


def hook_lines(result: subprocess.CompletedProcess) -> list[str]:
    """What the hook said, without cookiecutter's own report that a hook failed (see the README)."""
    assert "exit status: 2" in result.stdout, result.stdout + result.stderr
    return result.stderr.strip().splitlines()


REJECTED = [
    ({"project_name": " ", "project_slug": "churn"}, "project_name: the value is empty"),
    ({"project_name": "Churn\nModel"}, "project_name: 'Churn\\nModel' holds the character U+000A; use one line"),
    ({"description": "tab\there"}, "description: 'tab\\there' holds the character U+0009"),
    ({"author_name": "Jane\u2028Doe"}, "author_name: 'Jane\\u2028Doe' holds the character U+2028"),
    ({"project_slug": "churn_model"}, "project_slug: 'churn_model' is not valid"),
    ({"project_slug": "Churn-Model"}, "project_slug: 'Churn-Model' is not valid; use lower-case letters"),
    ({"project_slug": "churn--model"}, "project_slug: 'churn--model' is not valid"),
    ({"project_slug": "2churn"}, "project_slug: '2churn' is not valid"),
    ({"project_slug": "a/b"}, "project_slug: 'a/b' is not valid"),
    ({"project_slug": "a" * 65}, "project_slug: '" + "a" * 40 + "'... (65 characters) is 65 characters long"),
    ({"module_name": "m" * 300}, "module_name: '" + "m" * 40 + "'... (300 characters) is 300 characters long; use at"),
    ({"project_slug": "con"}, "project_slug: 'con' is a name Windows reserves for a device"),
    ({"project_slug": "aux", "module_name": "churn"}, "project_slug: 'aux' is a name Windows reserves"),
    ({"project_slug": "com1", "module_name": "churn"}, "project_slug: 'com1' is a name Windows reserves"),
    ({"module_name": "nul"}, "module_name: 'nul' is a name Windows reserves for a device"),
    ({"module_name": "lpt9"}, "module_name: 'lpt9' is a name Windows reserves"),
    ({"module_name": ""}, "module_name: the value is empty"),
    ({"module_name": "Churn"}, "module_name: 'Churn' is not valid; use lower-case letters, digits and underscores"),
    ({"module_name": "churn-model"}, "module_name: 'churn-model' is not valid"),
    ({"module_name": "class"}, "module_name: 'class' is a Python keyword"),
    ({"module_name": "match"}, "module_name: 'match' is a Python keyword"),
    ({"module_name": "json"}, "module_name: 'json' would shadow the standard library module"),
    ({"module_name": "tomllib"}, "module_name: 'tomllib' would shadow the standard library module"),
    *(({"module_name": name}, f"module_name: {name!r} would shadow the dependency")
      for name in ("dvc", "pandas", "sklearn", "mlflow", "fastapi", "pyarrow", "yaml", "numpy", "pandera", "uvicorn")),
    ({"author_name": ""}, "author_name: the value is empty"),
    ({"author_email": "jane"}, "author_email: 'jane' is not an e-mail address"),
    ({"author_email": "jané@example.com"}, "author_email: 'jané@example.com' is not an e-mail address of ASCII"),
    ({"author_email": "jane@exa mple.com"}, "author_email: 'jane@exa mple.com' is not an e-mail address"),
    ({"dvc_remote": "gcs", "dvc_remote_url": ""}, "dvc_remote_url: the value is empty; dvc_remote 'gcs' needs a URL"),
    ({"dvc_remote": "gcs", "dvc_remote_url": "s3://bucket/x"}, "does not match dvc_remote 'gcs'; use gs://"),
    ({"dvc_remote": "gcs", "dvc_remote_url": "team-bucket/x"}, "does not match dvc_remote 'gcs'"),
    ({"dvc_remote": "gcs", "dvc_remote_url": "gs://Team_Bucket/x"}, "bucket name 'Team_Bucket' breaks the gcs"),
    ({"dvc_remote": "gcs", "dvc_remote_url": "gs://ab/x"}, "bucket name 'ab' breaks the gcs naming rule"),
    ({"dvc_remote": "gcs", "dvc_remote_url": "gs://google-data/x"}, "bucket name 'google-data' breaks the gcs"),
    ({"dvc_remote": "gcs", "dvc_remote_url": "gs://192.168.1.1/x"}, "bucket name '192.168.1.1' must not be an IP"),
    ({"dvc_remote": "gcs", "dvc_remote_url": "gs://team-data/x?access_token=ya29"}, "'gs://team-data/x?...' holds"),
    ({"dvc_remote": "gcs", "dvc_remote_url": "gs://team-data/a#b"}, "holds '#', which DVC's config file cannot hold"),
    ({"dvc_remote": "s3", "dvc_remote_url": "gs://bucket/x"}, "does not match dvc_remote 's3'; use s3://"),
    ({"dvc_remote": "s3", "dvc_remote_url": "s3://my_bucket/x"}, "bucket name 'my_bucket' breaks the s3 naming rule"),
    ({"dvc_remote": "s3", "dvc_remote_url": "s3://my..bucket/x"}, "bucket name 'my..bucket' breaks the s3 naming"),
    ({"dvc_remote": "s3", "dvc_remote_url": "s3://" + "a" * 64}, "breaks the s3 naming rule: 3-63 characters"),
    ({"dvc_remote": "s3", "dvc_remote_url": "s3://AKIAEXAMPLE:hunter2@team-data/x"}, "'s3://AKIAEXAMPLE:***@team-data/x'"),
    ({"dvc_remote": "azure", "dvc_remote_url": "azure://my--container"}, "container name 'my--container' breaks"),
    ({"dvc_remote": "azure", "dvc_remote_url": "azure://My.Container/x"}, "container name 'My.Container' breaks"),
    ({"dvc_remote": "azure", "dvc_remote_url": "azure://team-data/x?sv=2024&sig=abc"}, "'azure://team-data/x?...'"),
    ({"dvc_remote": "local", "dvc_remote_url": "gs://bucket/x"}, "has a scheme; the local remote takes a folder path"),
    ({"dvc_remote": "local", "dvc_remote_url": "file:///etc"}, "'file:///etc' has a scheme; the local remote"),
    ({"dvc_remote": "local", "dvc_remote_url": ""}, "dvc_remote_url: the value is empty; dvc_remote 'local'"),
    *(({"dvc_remote": "local", "dvc_remote_url": url}, f"{url!r} is a root, top-level, home or system folder")
      for url in ("/", "/etc", "/usr/local/dvc", "/srv", "/srv/../etc/store", "~", "C:\\", "C:\\Windows\\store")),
    ({"dvc_remote": "local", "dvc_remote_url": "/srv/store, 2"}, "holds ',', which DVC's config file cannot hold"),
    ({"dvc_remote": "local", "dvc_remote_url": '/srv/"store"'}, "holds '\"', which DVC's config file cannot hold"),
    ({"dvc_remote": "local", "dvc_remote_url": "/srv/100%"}, "holds '%', which DVC's config file cannot hold"),
    ({"dvc_remote": "none", "dvc_remote_url": "gs://bucket/x"}, "is set but dvc_remote is 'none'"),
    ({"mlflow_tracking_uri": "mlflow.db"}, "mlflow_tracking_uri: 'mlflow.db' is not a tracking URI"),
    ({"mlflow_tracking_uri": "ftp://host"}, "mlflow_tracking_uri: 'ftp://host' is not a tracking URI"),
    ({"mlflow_tracking_uri": "file:///etc"}, "mlflow_tracking_uri: 'file:///etc' is not a tracking URI"),
    ({"mlflow_tracking_uri": "sqlite:////etc/mlflow.db"}, "puts the store in a root or system folder"),
    ({"mlflow_tracking_uri": "https://user:pw@mlflow.example.com"}, "'https://user:***@mlflow.example.com' holds"),
    ({"mlflow_tracking_uri": "https://ghp_token@mlflow.example.com"}, "'https://***@mlflow.example.com' holds"),
    ({"mlflow_tracking_uri": "https://mlflow.example.com/?token=abc"}, "'https://mlflow.example.com/?...' holds"),
    ({"mlflow_tracking_uri": "postgresql://db/mlflow"}, "'postgresql://db/mlflow' needs a database driver the project"),
    ({"mlflow_tracking_uri": "mysql+pymysql://db/mlflow"}, "needs a database driver the project does not lock"),
]  # fmt: skip


@pytest.mark.parametrize(("answers", "message"), REJECTED, ids=[str(answers)[:80] for answers, _ in REJECTED])
def test_bad_answer_stops_with_one_line_and_no_files(bare_cookiecutter, tmp_path, answers, message):
    result = bare_bake(bare_cookiecutter, tmp_path, **answers)
    assert result.returncode != 0
    lines = hook_lines(result)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert message in lines[0]
    assert not re.search("hunter2|:pw@|sig=abc|ghp_token|access_token", lines[0]), "a secret in the error line"
    assert [path for path in tmp_path.rglob("*") if not path.is_dir()] == []
    if "/" not in answers.get("project_slug", ""):
        assert list(tmp_path.iterdir()) == []


def test_credentials_in_the_tracking_uri_point_to_mlflows_variables(bare_cookiecutter, tmp_path):
    result = bare_bake(bare_cookiecutter, tmp_path, mlflow_tracking_uri="https://jane:s3cret@mlflow.example.com")
    assert hook_lines(result) == [
        "error: mlflow_tracking_uri: 'https://jane:***@mlflow.example.com' holds credentials, which would be "
        "committed; give the URI without them and set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD "
        "(or MLFLOW_TRACKING_TOKEN)"
    ]


def test_a_slash_in_the_slug_is_refused_but_cookiecutter_leaves_the_parent_folder(bare_cookiecutter, tmp_path):
    """cookiecutter makes the project folder before the hook runs and removes only that folder (README)."""
    result = bare_bake(bare_cookiecutter, tmp_path, project_slug="a/b")
    assert hook_lines(result)[0].startswith("error: project_slug: 'a/b' is not valid")
    assert [path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*")] == ["a"]


def test_a_slug_too_long_for_a_folder_name_fails_in_cookiecutter_and_writes_nothing(bare_cookiecutter, tmp_path):
    """Past 255 characters cookiecutter cannot make the folder, so it stops before the hook (README)."""
    result = bare_bake(bare_cookiecutter, tmp_path, project_slug="a" * 300)
    assert result.returncode != 0
    assert "File name too long" in result.stderr
    assert list(tmp_path.iterdir()) == []


def replay_file(tmp_path: Path, **answers: str) -> Path:
    """A replay file as cookiecutter writes one: cookiecutter applies none of its own checks to it."""
    context = {key: value[0] if isinstance(value, list) else value for key, value in OPTIONS.items()}
    context.update(project_slug="churn", module_name="churn", dvc_remote_url="gs://churn-dvc/store")
    context.update(__license_expression="MIT", **answers)
    path = tmp_path.parent / f"{tmp_path.name}-replay.json"
    path.write_text(json.dumps({"cookiecutter": context}))
    return path


@pytest.mark.parametrize(
    ("field", "value"), [("python_version", "2.7"), ("license", "GPL"), ("dvc_remote", "ftp"), ("serving", "maybe")]
)
def test_a_replayed_value_outside_a_choice_is_refused_by_the_hook(bare_cookiecutter, tmp_path, field, value):
    replay = replay_file(tmp_path, **{field: value})
    result = bare_bake(bare_cookiecutter, tmp_path, "--replay-file", str(replay))
    lines = hook_lines(result)
    assert len(lines) == 1 and lines[0].startswith(f"error: {field}: {value!r} is not one of the choices ")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("answers", [{"python_version": "2.7"}, {"license": "GPL"}, {"dvc_remote": "ftp"}])
def test_a_value_outside_a_choice_is_refused_by_cookiecutter(tmp_path, answers):
    """cookiecutter itself raises before any hook runs (a traceback on the command line; see the README)."""
    with pytest.raises(ValueError, match="provided for choice variable"):
        bake_project(tmp_path, **answers)
    assert list(tmp_path.iterdir()) == []


def test_the_hooks_choices_are_cookiecutter_jsons():
    hook = (TEMPLATE / "hooks/pre_gen_project.py").read_text()
    choices = {name: values for name, values in OPTIONS.items() if isinstance(values, list) and name[0] != "_"}
    for name, values in choices.items():
        assert f'"{name}": ({", ".join(json.dumps(value) for value in values)}),' in hook, name
    assert len(re.findall(r'^    "\w+": \(', hook, re.M)) == len(choices)


def test_the_module_name_list_matches_the_lock():
    """The hook's list of dependency import names is the one tests/tools/module_names.py makes from the lock."""
    result = subprocess.run(
        [sys.executable, str(TEMPLATE / "tests/tools/module_names.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_an_accented_name_derives_a_valid_slug_and_module(bare_cookiecutter, tmp_path):
    result = bare_bake(bare_cookiecutter, tmp_path, project_name="Détection Fraude Ça Marche")
    assert result.returncode == 0, result.stderr
    project = tmp_path / "detection-fraude-ca-marche"
    assert (project / "src/detection_fraude_ca_marche/__init__.py").is_file()


@pytest.mark.parametrize(
    "answers",
    [
        {"project_slug": "churn", "module_name": "churn"},
        {"project_slug": "c" * 64, "module_name": "m" * 64, "dvc_remote": "none", "dvc_remote_url": ""},
        {"module_name": "churn_model_2"},
        {"dvc_remote": "gcs", "dvc_remote_url": "gs://team.data-store_eu/churn/v1"},
        {"dvc_remote": "s3", "dvc_remote_url": "s3://team.data-store"},
        {"dvc_remote": "azure", "dvc_remote_url": "azure://team-data/churn"},
        {"dvc_remote": "local", "dvc_remote_url": "~/dvc-store"},
        {"dvc_remote": "local", "dvc_remote_url": "D:\\shared\\dvc"},
        {"mlflow_tracking_uri": "http://127.0.0.1:5000"},
        {"mlflow_tracking_uri": "https://mlflow.example.com/?experiment=churn"},
        {"mlflow_tracking_uri": "databricks://churn-profile"},
    ],
)
def test_good_answers_are_accepted(bare_cookiecutter, tmp_path, answers):
    result = bare_bake(bare_cookiecutter, tmp_path, **answers)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(list(tmp_path.glob("*/dvc.yaml"))) == 1


def test_an_empty_slug_is_refused_before_anything_is_written(bare_cookiecutter, tmp_path):
    """Cookiecutter itself stops here, before the hook runs: the folder name would be the output folder."""
    result = bare_bake(bare_cookiecutter, tmp_path, project_slug="")
    assert result.returncode != 0
    assert list(tmp_path.iterdir()) == []


HOSTILE = {
    # cookiecutter renders each answer as a template once: {{ '...' }} leaves the braces in the value.
    "project_name": "Détection \"fraude\" ''' \"\"\" \\ C:\\new {{ '{{ cookiecutter }}' }} {{ '{% if %}' }} 😀 𝔘",
    "author_name": 'O\'Brien "Bob" \\ 🚀 </script>',
    "author_email": "o'brien+{tag}@example.com",
    "description": "Says \"\"\" and ''' and \\n, \\u0000 and ${{ '{{' }} github.token }} 👨‍👩‍👧 <b>&amp;",
    "dvc_remote": "local",
    "dvc_remote_url": "../store \\new\\ü😀 {{ '{{x}}' }}",
    "mlflow_tracking_uri": "sqlite:///mlflow-😀 \\\" '.db",
}


def rendered(value: str) -> str:
    return value.replace("{{ '", "").replace("' }}", "")


def test_hostile_answers_bake_files_that_parse_and_hold_them_verbatim(bare_cookiecutter, tmp_path):
    """Quotes, backslashes, triple quotes, Jinja and emoji reach every file as data, and every file parses."""
    result = bare_bake(bare_cookiecutter, tmp_path, project_slug="hostile", module_name="hostile", **HOSTILE)
    assert result.returncode == 0, result.stdout + result.stderr
    expected = {key: rendered(value) for key, value in HOSTILE.items()}
    project = tmp_path / "hostile"
    for path in project.rglob("*"):
        if ".git" in path.parts or not path.is_file():
            continue
        if path.suffix == ".toml":
            tomllib.loads(path.read_text(encoding="utf-8"))
        elif path.suffix in (".yaml", ".yml"):
            list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        elif path.suffix in (".json", ".ipynb"):
            json.loads(path.read_text(encoding="utf-8"))
    meta = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["description"] == expected["description"]
    assert meta["authors"] == [{"name": expected["author_name"], "email": expected["author_email"]}]
    params = yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))
    assert params["mlflow"]["tracking_uri"] == expected["mlflow_tracking_uri"]
    readme = (project / "README.md").read_text(encoding="utf-8").splitlines()
    assert readme[0] == f"# {expected['project_name']}"
    assert expected["description"] in readme
    cruft = json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]
    assert {key: cruft[key] for key in expected} == expected
    # The package builds: the wheel's metadata takes the name, description and author as given.
    run(project, "uv", "build", "--wheel", "--no-build-isolation", "--quiet", "--python", str(VENV_BIN / "python"))
    with zipfile.ZipFile(next(project.glob("dist/*.whl"))) as wheel:
        metadata = wheel.read(next(name for name in wheel.namelist() if name.endswith("/METADATA"))).decode()
    assert f"Summary: {expected['description']}\n" in metadata
    parser = configparser.ConfigParser()  # as the project's `pull` reads it
    parser.read(project / ".dvc/config", encoding="utf-8")
    assert parser["'remote \"storage\"'"]["url"] == "../" + expected["dvc_remote_url"]  # relative to .dvc/
    url = run(project, "dvc", "config", "remote.storage.url").stdout.rstrip("\n")
    assert url == os.path.normpath(project / expected["dvc_remote_url"])  # DVC shows it resolved
