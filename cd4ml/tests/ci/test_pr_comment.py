import json

import pytest
from fake_github import fake_github

from cd4ml import errors
from cd4ml.ci import pr_comment


@pytest.fixture
def event(tmp_path, monkeypatch):
    payload = tmp_path / "event.json"
    payload.write_text(json.dumps({"pull_request": {"number": 7}}))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(payload))


def test_one_comment_per_pull_request_updated_in_place(github_api, event):
    assert pr_comment.upsert(7, "first push") == "posted"
    assert pr_comment.upsert(7, "second push") == "updated"
    assert len(github_api.comments) == 1
    assert github_api.comments[0]["body"] == f"{pr_comment.MARKER}\nsecond push"
    assert pr_comment.pull_request_number() == 7


def test_other_comments_are_left_alone(github_api):
    github_api.comments.append({"id": 1, "issue": 7, "body": "Looks good to me"})
    assert pr_comment.upsert(7, "report") == "posted"
    assert github_api.comments[0]["body"] == "Looks good to me"


def test_a_read_only_token_warns_instead_of_failing(event, tmp_path, monkeypatch, capsys, params):
    report = tmp_path / "pr_report.md"
    report.write_text("report")
    params = {**params, "paths": {**params["paths"], "pr_report": str(report)}}
    with fake_github(read_only=True) as (url, state):
        monkeypatch.setenv("GITHUB_API_URL", url)
        monkeypatch.setenv("GITHUB_TOKEN", "read-only")
        monkeypatch.setenv("GITHUB_REPOSITORY", "fork/churn")
        pr_comment.main(params)
    assert "warning: cannot comment on #7" in capsys.readouterr().out
    assert state.comments == []


def test_outside_a_pull_request_it_says_so(monkeypatch):
    monkeypatch.delenv("GITHUB_EVENT_PATH", raising=False)
    with pytest.raises(errors.PipelineError, match="GITHUB_EVENT_PATH is not set"):
        pr_comment.pull_request_number()
