"""The review app's smoke test, `make smoke`, against the service the Dockerfile's CMD starts.

There is no docker engine here, so the CMD runs as it is on 127.0.0.1, in the bake, with the model
folder that `export --from-pipeline` writes (what the review app's image holds); as in CI, the
result goes into the PR report with the image digest.
"""

import json
from pathlib import Path

import pytest
import yaml
from conftest import background_server, bake_project, free_port, project_env, run, set_params

pytestmark = pytest.mark.slow  # a pipeline run per task

CLI = ("python", "-m", "breast_cancer_classifier")
DIGEST = "sha256:" + "ab" * 32


@pytest.fixture(scope="module", params=["classification", "regression"])
def exported(request, tmp_path_factory) -> Path:
    """A bake of the task with its pipeline run and its model exported as a review app exports it."""
    project = bake_project(tmp_path_factory.mktemp(request.param), task=request.param)
    # A quick linear model: what is tested is the service around it.
    set_params(project, train={"model": "logistic_regression" if request.param == "classification" else "ridge"})
    run(project, "dvc", "repro")
    run(project, "git", "add", "-A")
    run(project, "git", "commit", "-qm", "Reproduce the pipeline")
    assert "(not registered)" in run(project, *CLI, "export", "--from-pipeline").stdout
    return project


def dockerfile_command(project: Path, port: int) -> list[str]:
    """The Dockerfile's CMD, on 127.0.0.1 and another port."""
    line = next(line for line in (project / "Dockerfile").read_text().splitlines() if line.startswith("CMD "))
    return [{"0.0.0.0": "127.0.0.1", "8000": str(port)}.get(part, part) for part in json.loads(line[4:])]


def served(project: Path):
    port = free_port()
    env = {**project_env(project), "MODEL_URI": str(project / "build/model"), "PREDICTION_LOG": "-"}
    url = f"http://127.0.0.1:{port}"
    return url, background_server(dockerfile_command(project, port), f"{url}/health", cwd=project, env=env)


def test_make_smoke_passes_against_the_container_command_and_the_pr_report_shows_it(exported):
    url, server = served(exported)
    with server:
        result = run(exported, "make", "--no-print-directory", "smoke", f"SMOKE_URL={url}", f"DIGEST={DIGEST}")
    assert "6 checks passed" in result.stdout
    review = (exported / "reports/review_app.md").read_text()
    assert f"Smoke test of the service at <code>{url}</code>: passed." in review
    assert f"Image: <code>{DIGEST}</code>." in review
    task = yaml.safe_load((exported / "params.yaml").read_text())["train"]["task"]
    if task == "classification":  # both classes of the test set, one row each
        assert "one row per class of the test set (true → predicted): 0 → " in review and ", 1 → " in review
    else:
        assert "5 rows of the test set" in review
    assert "| invalid request | passed | 422 for a row without" in review
    assert "version not registered" in review
    run(exported, *CLI, "pr-report", "--base", "HEAD")
    assert review in (exported / "reports/pr_report.md").read_text()


def test_smoke_fails_with_one_line_against_a_broken_service(exported):
    """A service whose batches take one row cannot answer a row per class (or a few rows)."""
    params = exported / "params.yaml"
    good = params.read_text()
    params.write_text(good.replace("max_batch_rows: 256", "max_batch_rows: 1"))
    try:
        url, server = served(exported)
        with server:
            result = run(exported, *CLI, "smoke", "--url", url, check=False)
    finally:
        params.write_text(good)
    assert result.returncode == 1
    assert result.stderr.startswith("error: smoke: POST /predict/batch: answered 422")
    assert result.stderr.count("\n") == 1, "one line"
    assert "**failed** (1 of 6 checks)" in (exported / "reports/review_app.md").read_text()
