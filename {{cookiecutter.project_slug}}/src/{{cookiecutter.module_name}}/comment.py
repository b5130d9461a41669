"""comment: post a report as the one pull-request comment, updated in place on every push.

The pull request comes from the workflow's event (GITHUB_EVENT_PATH). A read-only token, as on a
pull request from a fork, is a warning, not a failure: the report is in the job summary anyway.
On GitLab and Azure DevOps the provider's module in ci/ posts instead (ci/provider.py).
"""

import json
import os
from pathlib import Path

from .ci import provider
from .compare import MARKER
from .errors import PipelineError
from .github import Forbidden, github


def pull_request_number() -> int:
    event = os.environ.get("GITHUB_EVENT_PATH")
    if not event or not Path(event).exists():
        raise PipelineError("GITHUB_EVENT_PATH is not set: comment runs in a pull_request workflow")
    number = json.loads(Path(event).read_text()).get("pull_request", {}).get("number")
    if number is None:
        raise PipelineError(f"{event}: not a pull_request event")
    return number


def upsert(number: int, body: str) -> str:
    comments = github("GET", f"/issues/{number}/comments?per_page=100")
    mine = [comment for comment in comments if MARKER in comment["body"]]
    if mine:
        github("PATCH", f"/issues/comments/{mine[0]['id']}", {"body": body})
        return "updated"
    github("POST", f"/issues/{number}/comments", {"body": body})
    return "posted"


def main(params: dict, file: str = "reports/pr.md") -> None:
    if provider.detect(os.environ) != "github":
        print(provider.post_comment(Path(file).read_text(), MARKER, os.environ))
        return
    number = pull_request_number()
    try:
        action = upsert(number, Path(file).read_text())
    except Forbidden as error:
        print(f"warning: cannot comment on #{number} ({error}); the report is in the job summary")
        return
    print(f"comment: {action} the report on pull request #{number}")
