"""The drift alert against a stand-in for GitHub's REST API on 127.0.0.1."""

import pytest

from cd4ml import errors
from cd4ml.serving import alert


def test_the_first_drift_opens_one_issue_and_later_drift_updates_it(github_api):
    assert alert.upsert_issue("PSI 0.4 on mean_texture") == ("opened", 1)
    assert alert.upsert_issue("PSI 0.6 on mean_texture") == ("updated", 1)
    assert len(github_api.issues) == 1
    issue = github_api.issues[0]
    assert issue["title"] == alert.TITLE and issue["labels"] == ["drift"]
    assert issue["body"] == "PSI 0.6 on mean_texture"
    assert github_api.calls[0][1].startswith("/repos/acme/churn/issues?labels=drift&state=open")


def test_a_closed_drift_issue_is_not_reopened_but_a_new_one_is_opened(github_api):
    alert.upsert_issue("first")
    github_api.issues[0]["state"] = "closed"
    assert alert.upsert_issue("second") == ("opened", 2)


def test_without_credentials_it_says_what_to_set(monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    with pytest.raises(
        errors.PipelineError, match="GITHUB_TOKEN and GITHUB_REPOSITORY must be set"
    ):
        alert.upsert_issue("body")
