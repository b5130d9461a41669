import json

import pytest
from fake_github import fake_github

from {{ cookiecutter.module_name }} import comment, compare, errors


@pytest.fixture
def event(tmp_path, monkeypatch):
    payload = tmp_path / "event.json"
    payload.write_text(json.dumps({"pull_request": {"number": 7}}))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(payload))


def test_one_comment_per_pull_request_updated_in_place(github_api, event):
    assert comment.upsert(7, f"{compare.MARKER}\nfirst push") == "posted"
    assert comment.upsert(7, f"{compare.MARKER}\nsecond push") == "updated"
    assert len(github_api.comments) == 1
    assert github_api.comments[0]["body"].endswith("second push")
    assert comment.pull_request_number() == 7


def test_other_comments_are_left_alone(github_api):
    github_api.comments.append({"id": 1, "issue": 7, "body": "Looks good to me"})
    assert comment.upsert(7, f"{compare.MARKER}\nreport") == "posted"
    assert github_api.comments[0]["body"] == "Looks good to me"


def test_a_read_only_token_warns_instead_of_failing(event, tmp_path, monkeypatch, capsys, params):
    report = tmp_path / "pr.md"
    report.write_text(f"{compare.MARKER}\nreport")
    with fake_github(read_only=True) as (url, state):
        monkeypatch.setenv("GITHUB_API_URL", url)
        monkeypatch.setenv("GITHUB_TOKEN", "read-only")
        monkeypatch.setenv("GITHUB_REPOSITORY", "fork/churn")
        comment.main(params, file=str(report))
    assert "warning: cannot comment on #7" in capsys.readouterr().out
    assert state.comments == []


def test_outside_a_pull_request_it_says_so(monkeypatch):
    monkeypatch.delenv("GITHUB_EVENT_PATH", raising=False)
    with pytest.raises(errors.PipelineError, match="GITHUB_EVENT_PATH is not set"):
        comment.pull_request_number()
