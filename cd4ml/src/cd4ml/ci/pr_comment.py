"""pr-comment: post the PR report as the pull request's one comment, updated in place on each push.

The pull request comes from the workflow's event (GITHUB_EVENT_PATH). A read-only token, as on a
pull request from a fork, is a warning, not a failure: the report is in the job summary anyway.
On GitLab and Azure DevOps the provider's module in hosting/ posts instead (hosting/provider.py).
"""

import json
import os
from pathlib import Path

from ..config import path
from ..errors import PipelineError
from ..github import github
from ..hosting import provider
from ..rest import Forbidden

# Finds this project's comment among the others, so each push updates it instead of adding one.
MARKER = "<!-- cd4ml-report -->"


def pull_request_number() -> int:
    event = os.environ.get("GITHUB_EVENT_PATH")
    if not event or not Path(event).exists():
        raise PipelineError("GITHUB_EVENT_PATH is not set: comment runs in a pull_request workflow")
    number = json.loads(Path(event).read_text()).get("pull_request", {}).get("number")
    if number is None:
        raise PipelineError(f"{event}: not a pull_request event")
    return number


def upsert(number: int, report: str) -> str:
    body = f"{MARKER}\n{report}"
    comments = github("GET", f"/issues/{number}/comments?per_page=100")
    mine = [comment for comment in comments if MARKER in comment["body"]]
    if mine:
        github("PATCH", f"/issues/comments/{mine[0]['id']}", {"body": body})
        return "updated"
    github("POST", f"/issues/{number}/comments", {"body": body})
    return "posted"


def main(params: dict) -> None:
    report = path(params, "pr_report")
    if not report.exists():
        raise PipelineError(f"{report}: not found; write it with `make pr-report` first")
    if provider.detect(os.environ) != "github":
        print(provider.post_comment(f"{MARKER}\n{report.read_text()}", MARKER, os.environ))
        return
    number = pull_request_number()
    try:
        action = upsert(number, report.read_text())
    except Forbidden as error:
        print(f"warning: cannot comment on #{number} ({error}); the report is in the job summary")
        return
    print(f"pr-comment: {action} the report on pull request #{number}")
