"""The `ci` answer: GitLab and Azure DevOps pipelines, linted offline, held to security rules, rehearsed.

There is no GitLab runner, Azure agent or docker engine here. GitLab's merge-request job runs under
gitlab-ci-local in shell mode; Azure's pull-request steps run in order with bash. Both run in a clone
with an `origin`, with the variables the provider sets, against a stand-in of its API on 127.0.0.1 (the
baked tests/fake_ci.py), and with a stand-in `docker` (tests/tools/fake_docker.py) that runs the
Dockerfile's command for the review app: those are the only parts replaced. Two pushes: the report is
posted once, then updated in place.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import OPTIONS, TEMPLATE, VENV_BIN, bake_project, fake_docker, run, set_params

CI_FILES = {
    "github": {".github/workflows/main.yml", ".github/workflows/pr.yml", ".github/workflows/rollback.yml"},
    "gitlab": {".gitlab-ci.yml"},
    "azure": {"azure-pipelines/main.yml", "azure-pipelines/pr.yml", "azure-pipelines/rollback.yml"},
}
MONITOR = {"github": ".github/workflows/monitor.yml", "azure": "azure-pipelines/monitor.yml"}
GITLAB_CI_LOCAL = TEMPLATE / "node_modules/gitlab-ci-local/dist/index.js"
PR_AND_MAIN = {
    "github": (".github/workflows/pr.yml", ".github/workflows/main.yml"),
    "gitlab": (".gitlab-ci.yml", ".gitlab-ci.yml"),
    "azure": ("azure-pipelines/pr.yml", "azure-pipelines/main.yml"),
}
SCHEMA = {"github": "vendor.github-workflows", "gitlab": "vendor.gitlab-ci", "azure": "vendor.azure-pipelines"}


def ci_files(project: Path) -> set[str]:
    tracked = run(project, "git", "ls-files").stdout.splitlines()
    return {name for name in tracked if re.match(r"\.github/|\.gitlab-ci\.yml$|azure-pipelines/", name)}


@pytest.mark.parametrize("ci", ["github", "gitlab", "azure"])
@pytest.mark.parametrize("serving", ["yes", "no"])
def test_a_bake_has_only_its_providers_files_and_they_match_its_schema(tmp_path, ci, serving):
    project = bake_project(tmp_path, ci=ci, serving=serving)
    expected = CI_FILES[ci] | ({MONITOR[ci]} if serving == "yes" and ci in MONITOR else set())
    assert ci_files(project) == expected
    other_folders = {".github", "azure-pipelines"} - {Path(name).parts[0] for name in expected}
    assert not [folder for folder in other_folders if (project / folder).exists()], "an empty folder was left"
    # The Azure schema has a pattern that the default regex engine cannot compile.
    run(project, "check-jsonschema", "--regex-variant", "python", "--builtin-schema", SCHEMA[ci], *sorted(expected))
    text = {name: (project / name).read_text() for name in expected}
    pr, main = PR_AND_MAIN[ci]
    if ci == "github":  # one workflow for both: the steps are skipped without a Dockerfile
        assert "if: hashFiles('Dockerfile') != ''\n        run: make review-app" in text[pr]
        assert "if: hashFiles('Dockerfile') != ''" in text[main].split("run: make image")[0].rsplit("- name:", 1)[1]
    else:
        assert ("make review-app" in text[pr]) == ("make image" in text[main]) == (serving == "yes")


@pytest.mark.parametrize("ci", ["github", "gitlab", "azure"])
def test_the_ci_files_do_not_depend_on_the_storage_remote(tmp_path, ci):
    """The remote's credentials reach the jobs as variables, so every ci x dvc_remote x serving bake has
    the CI files that the ci x serving bakes above lint; the remote's own files are test_bake's and test_storage's."""
    baked = {}
    for remote in OPTIONS["dvc_remote"]:
        project = bake_project(tmp_path / remote, ci=ci, dvc_remote=remote)
        baked[remote] = {name: (project / name).read_bytes() for name in sorted(ci_files(project))}
    first, *others = baked.values()
    assert first and all(files == first for files in others)


def test_the_gitlab_pipeline_follows_the_security_rules(tmp_path):
    pipeline = yaml.safe_load((bake_project(tmp_path, ci="gitlab") / ".gitlab-ci.yml").read_text())
    assert re.fullmatch(r"python:3\.\d+\.\d+-bookworm", pipeline["default"]["image"]), "pinned by version"
    jobs = {name: job for name, job in pipeline.items() if isinstance(job, dict) and "script" in job}
    assert set(jobs) == {"merge-request", "release", "rollback", "monitor"}
    for name, job in jobs.items():
        for line in pipeline["default"]["before_script"] + job["script"]:
            assert line.startswith(("make ", ".venv/bin/")), f"{name}: {line} is not a project command"
            # Merge-request titles, descriptions and branch names are attacker-controlled.
            assert not re.search(r"CI_MERGE_REQUEST_(TITLE|DESCRIPTION|SOURCE_BRANCH)|CI_COMMIT_(MESSAGE|TITLE)", line)
    assert jobs["rollback"]["rules"][0]["when"] == "manual"
    docker = pipeline[".docker-in-docker"]  # the review app's and the image's engine
    assert [service["name"] for service in docker["services"]] == ["docker:27.5.1-dind"], "pinned by version"
    with_docker = [name for name, job in jobs.items() if job.get("extends") == ".docker-in-docker"]
    assert with_docker == ["merge-request", "release"]
    assert "CI_JOB_TOKEN" not in (tmp_path / "breast-cancer-classifier/.gitlab-ci.yml").read_text()


def test_the_azure_pipelines_follow_the_security_rules(tmp_path):
    project = bake_project(tmp_path, ci="azure")
    for file in sorted((project / "azure-pipelines").glob("*.yml")):
        pipeline = yaml.safe_load(file.read_text())
        assert re.fullmatch(r"ubuntu-\d\d\.\d\d", pipeline["pool"]["vmImage"]), f"{file.name}: a pinned image"
        for step in pipeline["steps"]:
            if "checkout" in step:
                assert step["persistCredentials"] == "false", file.name
            if "task" in step:
                assert re.fullmatch(r"\w+@\d+", step["task"]), step["task"]
            if "script" in step:
                # Macros and template expressions are pasted into the script's text: only env: may hold them.
                assert "$(" not in step["script"] and "${{" not in step["script"], f"{file.name}: {step['script']}"
                assert step["script"].startswith(("make ", ".venv/bin/")), step["script"]
            if "SYSTEM_ACCESSTOKEN" in step.get("env", {}):
                assert step["script"] in ("make pr-comment", "make alert"), "the token goes only where it posts"


def origin_with_a_change(ci: str, tmp_path: Path) -> Path:
    """A bare origin whose main has the pipeline's results, and a clone on a branch that changes a param."""
    project = bake_project(tmp_path / "bake", ci=ci)
    run(project, "dvc", "repro")
    run(project, "git", "add", "-A")
    run(project, "git", "commit", "-qm", "Reproduce the pipeline")
    origin = tmp_path / "origin.git"
    run(project, "git", "-c", "init.defaultBranch=main", "init", "-q", "--bare", str(origin))
    run(project, "git", "push", "-q", str(origin), "main")
    workspace = tmp_path / "workspace"
    run(tmp_path, "git", "clone", "-q", str(origin), str(workspace))
    run(workspace, "git", "checkout", "-qb", "shallower-trees")
    set_params(workspace, train={"random_forest": {"n_estimators": 200, "max_depth": 4, "min_samples_leaf": 1}})
    run(workspace, "git", "commit", "-qam", "Shallower trees")
    return workspace


def job_path() -> str:
    """PATH outside the template's venv: a job has only what `make setup` installs."""
    return os.environ["PATH"].replace(f"{VENV_BIN}{os.pathsep}", "")


def job_environment(workspace: Path, variables: dict[str, str]) -> dict[str, str]:
    """This machine's environment outside the template's venv, with the job's variables.

    The dependency cache the provider would restore is this machine's warm uv cache."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = job_path()
    env.update({"CI": "true", **variables})
    env["UV_CACHE_DIR"] = os.environ.get("UV_CACHE_DIR", str(Path.home() / ".cache/uv"))
    env.pop("PIP_CACHE_DIR", None)
    return env


def rehearse(workspace: Path, lines: list[str], env: dict[str, str]) -> None:
    for line in lines:
        result = subprocess.run(["bash", "-e", "-c", line], cwd=workspace, env=env, capture_output=True, text=True,
                                timeout=900)  # fmt: skip
        assert result.returncode == 0, f"{line}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


def second_push(workspace: Path) -> None:
    set_params(workspace, train={"random_forest": {"n_estimators": 100, "max_depth": 4, "min_samples_leaf": 1}})
    run(workspace, "git", "commit", "-qam", "Fewer trees")


def check_first_report(workspace: Path, bodies: list[str]) -> None:
    report = (workspace / "reports/pr_report.md").read_text()
    assert "| train.random_forest.max_depth | 8 | 4 |" in report
    assert re.search(r"\| roc_auc \| 0\.\d{4} \| 0\.\d{4} \| [+-]0\.\d{4} \|", report)
    assert "- Metric gate (" in report and "Against the base:" in report
    (body,) = bodies  # the report behind the marker that finds the note again on the next push
    assert body.startswith("<!--") and body.endswith(report)
    assert "### Review app" in report and ": passed." in report  # the smoke test of this change's container
    assert re.search(r"Image: <code>sha256:[0-9a-f]{64}</code>", report)
    assert not list((workspace.parent / "docker").glob("*.pid")), "the review app's container was stopped"
    assert (workspace / "dvc_plots/index.html").exists()


def gitlab_ci_local(workspace: Path, variables: dict[str, str], env: dict[str, str]) -> str:
    """Run the merge-request job with gitlab-ci-local in shell mode (no docker engine here); its log.

    The pipeline is the baked one less the docker-in-docker service, which needs an engine: the
    stand-in `docker` on PATH plays the engine's part."""
    pipeline = yaml.safe_load((workspace / ".gitlab-ci.yml").read_text())
    del pipeline[".docker-in-docker"]["services"]
    (workspace.parent / "gitlab-ci.yml").write_text(yaml.safe_dump(pipeline, sort_keys=False))
    command = ["node", str(GITLAB_CI_LOCAL), "--force-shell-executor", "--no-color", "--file", "../gitlab-ci.yml",
               "--state-dir", "../gitlab-ci-local", "--ignore-predefined-vars", ",".join(variables)]  # fmt: skip
    command += [f"--variable={key}={value}" for key, value in variables.items()]
    result = subprocess.run([*command, "merge-request"], cwd=workspace, env=env, capture_output=True, text=True,
                            timeout=1200)  # fmt: skip
    assert result.returncode == 0, f"{result.stdout[-5000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.mark.slow
def test_the_gitlab_merge_request_job_run_by_gitlab_ci_local_posts_one_note_and_updates_it(tmp_path):
    workspace = origin_with_a_change("gitlab", tmp_path)
    sys.path.insert(0, str(TEMPLATE / "cd4ml/tests"))
    from fake_ci import environment, fake_ci

    merge_base = run(workspace, "git", "merge-base", "HEAD", "origin/main").stdout.strip()
    with fake_ci("gitlab") as (api, state), fake_docker(tmp_path / "docker", job_path()) as docker:
        variables = {**environment("gitlab", api), "CI_PIPELINE_SOURCE": "merge_request_event",
                     "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_MERGE_REQUEST_DIFF_BASE_SHA": merge_base,
                     # The machine's warm uv cache stands for the job's restored one; the review app's port
                     # is on this machine, not on a docker-in-docker service.
                     "UV_CACHE_DIR": os.environ.get("UV_CACHE_DIR", str(Path.home() / ".cache/uv")),
                     "SMOKE_URL": f"http://127.0.0.1:{docker['REVIEW_PORT']}"}  # fmt: skip
        env = job_environment(workspace, docker)
        log = gitlab_ci_local(workspace, variables, env)
        assert "make review-app" in log and "make pr-comment" in log
        check_first_report(workspace, [note["body"] for note in state.comments.values()])

        second_push(workspace)
        gitlab_ci_local(workspace, variables, env)
        (note,) = state.comments.values()
        assert "| train.random_forest.n_estimators | 200 | 100 |" in note["body"]
        assert [method for method, _ in state.calls if method != "GET"] == ["POST", "PUT"]
    sys.path.remove(str(TEMPLATE / "cd4ml/tests"))


def macros(value: str, variables: dict[str, str]) -> str:
    """Azure's $(Name) macros, as the agent expands them before a step runs."""
    return re.sub(r"\$\(([\w.]+)\)", lambda match: variables.get(match[1], match[0]), str(value))


@pytest.mark.slow
def test_the_azure_pull_request_pipeline_rehearsed_posts_one_thread_and_updates_it(tmp_path):
    workspace = origin_with_a_change("azure", tmp_path)
    pipeline = yaml.safe_load((workspace / "azure-pipelines/pr.yml").read_text())
    steps = [step for step in pipeline["steps"] if "script" in step]
    sys.path.insert(0, str(TEMPLATE / "cd4ml/tests"))
    from fake_ci import environment, fake_ci

    with fake_ci("azure") as (api, state), fake_docker(tmp_path / "docker", job_path()) as docker:
        predefined = environment("azure", api)
        # Azure gives its predefined variables to every step as environment, except the token,
        # which a step gets only by mapping $(System.AccessToken) in its env:.
        token = predefined.pop("SYSTEM_ACCESSTOKEN")
        names = {"System.AccessToken": token, "System.PullRequest.targetBranchName": "main",
                 "Pipeline.Workspace": str(tmp_path)}  # fmt: skip
        env = job_environment(workspace, {**predefined, "BUILD_REASON": "PullRequest", **docker})

        def run_steps(selected: list[dict]) -> None:
            for step in selected:
                step_env = {**env, **{key: macros(value, names) for key, value in step.get("env", {}).items()}}
                rehearse(workspace, [step["script"]], step_env)

        run_steps(steps)
        check_first_report(workspace, [thread["comments"][0]["content"] for thread in state.comments.values()])

        second_push(workspace)
        scripts = [step["script"] for step in steps]
        run_steps(steps[scripts.index("make repro") :])
        (thread,) = state.comments.values()
        assert "| train.random_forest.n_estimators | 200 | 100 |" in thread["comments"][0]["content"]
        assert thread["status"] == "closed", "a report thread must not hold the merge"
        assert [method for method, _ in state.calls if method != "GET"] == ["POST", "PATCH"]
    sys.path.remove(str(TEMPLATE / "cd4ml/tests"))
