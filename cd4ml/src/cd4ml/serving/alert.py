"""alert: open, or update, the one GitHub issue about drift, with the monitoring report as its body.

On GitLab it is a GitLab issue, on Azure DevOps a work item (ci/gitlab.py, ci/azure.py).

Uses GitHub's REST API with GITHUB_TOKEN and GITHUB_REPOSITORY, as a workflow has them
(GITHUB_API_URL too, for GitHub Enterprise).
"""

import os
import urllib.parse

from ..config import path
from ..errors import PipelineError
from ..github import github
from ..hosting import provider
from ..project import command

TITLE = "Drift detected: the model may need retraining"
LABEL = "drift"


def upsert_issue(body: str) -> tuple[str, int]:
    """Update the open drift issue, or open one; returns what was done, and the issue's number."""
    query = urllib.parse.urlencode({"labels": LABEL, "state": "open", "per_page": 100})
    existing = [issue for issue in github("GET", f"/issues?{query}") if issue["title"] == TITLE]
    if existing:
        number = existing[0]["number"]
        github("PATCH", f"/issues/{number}", {"body": body})
        return "updated", number
    created = github("POST", "/issues", {"title": TITLE, "body": body, "labels": [LABEL]})
    return "opened", created["number"]


def main(params: dict) -> None:
    report = path(params, "monitoring").with_suffix(".md")
    if not report.exists():
        raise PipelineError(f"{report}: not found; run {command('monitor')} first")
    if provider.detect(os.environ) != "github":  # a GitLab issue or an Azure DevOps work item
        done = provider.module(provider.detect(os.environ)).upsert_issue(
            TITLE, report.read_text(), LABEL, os.environ
        )
        print(f"alert: {done}")
        return
    action, number = upsert_issue(report.read_text())
    print(f"alert: {action} issue #{number}")
