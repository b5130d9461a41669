import pytest
from fake_ci import environment, fake_ci

from cd4ml.ci.pr_comment import MARKER
from cd4ml.hosting import provider

PROVIDERS = ["gitlab", "azure"]


def comment_bodies(name: str, state) -> list[str]:
    if name == "gitlab":
        return [note["body"] for note in state.comments.values()]
    return [thread["comments"][0]["content"] for thread in state.comments.values()]


def test_the_provider_is_read_from_the_variables_each_ci_sets():
    assert provider.detect({"GITLAB_CI": "true"}) == "gitlab"
    assert provider.detect({"TF_BUILD": "True"}) == "azure"
    assert provider.detect({"GITHUB_ACTIONS": "true"}) == "github"
    assert provider.detect({}) == "github"


@pytest.mark.parametrize("name", PROVIDERS)
def test_one_comment_per_pull_request_updated_in_place(name):
    with fake_ci(name) as (url, state):
        module, env = provider.module(name), environment(name, url)
        assert module.upsert_comment(f"{MARKER}\nfirst push", MARKER, env).startswith("posted")
        assert module.upsert_comment(f"{MARKER}\nsecond push", MARKER, env).startswith("updated")
    assert [body.splitlines()[-1] for body in comment_bodies(name, state)] == ["second push"]


@pytest.mark.parametrize("name", PROVIDERS)
def test_one_drift_issue_opened_then_updated(name):
    with fake_ci(name) as (url, state):
        module, env = provider.module(name), environment(name, url)
        assert module.upsert_issue("Drift", "first", "drift", env).startswith("opened")
        assert module.upsert_issue("Drift", "second", "drift", env).startswith("updated")
    (issue,) = state.issues.values()
    assert issue.get("description") == "second" or (
        issue["fields"]["/fields/System.Description"] == "second"
    )


@pytest.mark.parametrize("name", PROVIDERS)
def test_a_token_that_may_not_write_is_a_warning(name):
    with fake_ci(name, read_only=True) as (url, state):
        said = provider.post_comment(f"{MARKER}\nreport", MARKER, environment(name, url))
    assert said.startswith("warning: cannot comment (") and "403" in said
    assert state.comments == {}


@pytest.mark.parametrize("name", PROVIDERS)
def test_a_pipeline_without_the_token_says_which_variable_is_missing(name):
    env = {key: value for key, value in environment(name, "http://127.0.0.1:9").items()}
    token = "GITLAB_API_TOKEN" if name == "gitlab" else "SYSTEM_ACCESSTOKEN"
    del env[token]
    said = provider.post_comment(f"{MARKER}\nreport", MARKER, env)
    assert said == (
        f"warning: cannot comment ({token} not set (as in a pipeline for a fork)); "
        "the report is in the job's artifacts"
    )
