"""Shared fixtures: one way to bake, one way to run commands inside a bake."""

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parents[1]
OPTIONS = json.loads((TEMPLATE / "cookiecutter.json").read_text())
VENV_BIN = Path(sys.executable).parent
# dvc.yaml's stage names, read past the Jinja lines that choose its plots.
_DVC_YAML = (TEMPLATE / "{{cookiecutter.project_slug}}/dvc.yaml").read_text().splitlines()
STAGES = list(yaml.safe_load("\n".join(line for line in _DVC_YAML if "{%" not in line))["stages"])
# The default bake's registered model (and experiment) and its command line.
MODEL = "breast-cancer-classifier"
CLI = ("python", "-m", "breast_cancer_classifier")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under `--dist loadgroup`, a module's tests share a worker, and so its module-scoped bakes, unless
    they name their own `xdist_group` (the generated data sets spread over several)."""
    for item in items:
        if not any(item.iter_markers("xdist_group")):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


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
    reproduce_and_commit(project, "Reproduce the pipeline")
    return project


@pytest.fixture
def template_clone(tmp_path) -> Path:
    """This repository, cloned with its history, so that the test can add a later commit to it.

    The folder's name ends in .git: cookiecutter takes a file:// URL for a git repository only if it
    says "git" (a "git+" prefix would reach .cruft.json, and cruft cannot clone that).
    """
    clone = tmp_path / "cd4ml-template.git"
    run(TEMPLATE, "git", "clone", "-q", str(TEMPLATE), str(clone))
    shallow = run(clone, "git", "rev-parse", "--is-shallow-repository").stdout.strip()
    assert shallow == "false", "these tests need the template's history: a full clone (fetch-depth: 0 in CI)"
    return clone


def copy_project(project: Path, folder: Path) -> Path:
    """A private copy of a bake, DVC cache and git history included, that a test may change."""
    return Path(shutil.copytree(project, folder / project.name, symlinks=True))


def untracked(project: Path) -> Path:
    """MLflow tracking off in params.yaml, which saves seconds per evaluate; no stage depends on it."""
    params = project / "params.yaml"
    text, changed = re.subn(r"^(mlflow:\n  enabled:) true\b", r"\1 false", params.read_text(), flags=re.MULTILINE)
    assert changed == 1, "params.yaml has no `mlflow: enabled: true` to turn off"
    params.write_text(text)
    return project


def mlflow_store(project: Path):
    """The bake's own MLflow store (its SQLite file), as tracking and registry client."""
    import mlflow  # not at the top: it takes a second or two, and most modules do not use it

    uri = f"sqlite:///{project / 'mlflow.db'}"
    return mlflow.MlflowClient(uri, registry_uri=uri)


def mlflow_runs(client) -> list:
    """The runs of the default bake's experiment, newest first."""
    experiment = client.get_experiment_by_name(MODEL)
    return client.search_runs([experiment.experiment_id]) if experiment else []


@contextmanager
def background_server(command: list[str], ready: str, **popen) -> Iterator[subprocess.Popen]:
    """A server started in its own process group, ready when `ready` answers, always stopped after."""
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, **popen)  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(ready, timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{command[0]} did not start: {process.stderr.read()[-2000:]}") from None
                time.sleep(0.3)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def digest(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def digests(project: Path, names: list[str]) -> dict[str, str]:
    """Each named file's MD5: the same before and after a failed run means kept byte for byte."""
    return {name: digest(project / name) for name in names}


def reproduce_and_commit(project: Path, message: str) -> None:
    """Run the pipeline and commit everything: the last good run that a test then tries to spoil."""
    run(project, "dvc", "repro")
    run(project, "git", "add", "-A")
    run(project, "git", "commit", "-qm", message)


def ran_stages(output: str) -> list[str]:
    """The stages a `dvc repro` output says it ran, in pipeline order."""
    return [stage for stage in STAGES if f"Running stage '{stage}'" in output]


def set_params(project: Path, **changes: dict) -> None:
    """Update sections of a bake's params.yaml, e.g. set_params(project, train={"model": "..."})."""
    params = yaml.safe_load((project / "params.yaml").read_text())
    for section, values in changes.items():
        params[section].update(values)
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def module_name(project: Path) -> str:
    """The bake's package: the folder under src/ that has a __main__.py."""
    return next(path.name for path in (project / "src").iterdir() if (path / "__main__.py").exists())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def fake_docker(folder: Path, path: str) -> Iterator[dict[str, str]]:
    """Variables that make tests/tools/fake_docker.py the `docker` on PATH (there is no engine here), with
    its state in folder and a free port for the review app; a container left running is killed after."""
    (folder / "bin").mkdir(parents=True)
    shim = folder / "bin/docker"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{TEMPLATE / "tests/tools/fake_docker.py"}" "$@"\n')
    shim.chmod(0o755)
    try:
        yield {"PATH": f"{folder / 'bin'}{os.pathsep}{path}", "FAKE_DOCKER_STATE": str(folder),
               "REVIEW_PORT": str(free_port())}  # fmt: skip
    finally:
        for pid in folder.glob("*.pid"):
            try:
                os.killpg(int(pid.read_text()), signal.SIGKILL)
            except ProcessLookupError:
                continue  # it had stopped


# The exported model's own answers for the test split, and those rows as a client sends them.
OFFLINE = """
import json, sys
from pathlib import Path
import pandas as pd
from cd4ml.models import load_exported

model, _ = load_exported(Path("build/model"))
features = pd.read_parquet("data/processed/test.parquet").drop(columns=sys.argv[1])
rows = features.astype(object).where(features.notna(), None).to_dict(orient="records")
print(json.dumps({"rows": rows, "expected": model.predict(features).tolist()}))
"""


def service_command(project: Path, port: int) -> list[str]:
    """The Dockerfile's CMD, on 127.0.0.1 and the given port."""
    line = next(line for line in (project / "Dockerfile").read_text().splitlines() if line.startswith("CMD "))
    local = {"0.0.0.0": "127.0.0.1", "8000": str(port)}
    return [local.get(part, part) for part in json.loads(line.removeprefix("CMD "))]


def served(url: str, rows: list[dict]) -> list:
    """The service's predictions for rows sent in one /predict/batch request."""
    body = json.dumps({"instances": rows}).encode()
    request = urllib.request.Request(f"{url}/predict/batch", body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return [answer["prediction"] for answer in json.loads(response.read())["predictions"]]
    except urllib.error.HTTPError as error:
        raise AssertionError(f"/predict/batch answered {error.code}: {error.read()[:2000]}") from None


def check_served_as_offline(project: Path, module: str, target: str, label: type, version: int = 1) -> None:
    """The exported champion, served as the container serves it, answers as it does offline."""
    assert f"version {version}" in run(project, "python", "-m", module, "export").stdout
    case = json.loads(run(project, "python", "-c", OFFLINE, target).stdout)
    port = free_port()
    env = {**project_env(project), "MODEL_URI": str(project / "build/model"), "PREDICTION_LOG": "-"}
    url = f"http://127.0.0.1:{port}"
    with background_server(service_command(project, port), f"{url}/ready", cwd=project, env=env):
        answers = served(url, case["rows"])
    if label is float:
        # model.onnx answers within the tolerance export proved (cd4ml.compiled.parity)
        assert answers == pytest.approx(case["expected"], rel=1e-5, abs=1e-5)
    else:
        assert answers == case["expected"] and {type(answer) for answer in answers} == {label}
