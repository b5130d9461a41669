"""gitlab: the merge request's one note, and the drift issue, through GitLab's REST API (v4).

CI_JOB_TOKEN cannot write notes, so the job needs GITLAB_API_TOKEN: a project access token
(role Reporter, scope api) stored as a masked CI/CD variable. The project, merge request and API
address come from GitLab's predefined variables.
"""

import urllib.parse
from collections.abc import Mapping

from ..rest import call
from .provider import required


def api(environ: Mapping[str, str], method: str, route: str, body: dict | None = None) -> object:
    base, project, token = required(environ, "CI_API_V4_URL", "CI_PROJECT_ID", "GITLAB_API_TOKEN")
    return call(method, f"{base}/projects/{project}{route}", {"PRIVATE-TOKEN": token}, body)


def notes(environ: Mapping[str, str], route: str) -> list[dict]:
    """Every note of the merge request, page by page (a busy one has more than a page)."""
    found, page = [], 1
    while True:
        batch = api(environ, "GET", f"{route}?per_page=100&page={page}&sort=asc")
        found += batch
        if len(batch) < 100:
            return found
        page += 1


def upsert_comment(body: str, marker: str, environ: Mapping[str, str]) -> str:
    (number,) = required(environ, "CI_MERGE_REQUEST_IID")
    route = f"/merge_requests/{number}/notes"
    mine = [note for note in notes(environ, route) if marker in note["body"]]
    if mine:
        api(environ, "PUT", f"{route}/{mine[0]['id']}", {"body": body})
        return f"updated note {mine[0]['id']} on merge request !{number}"
    created = api(environ, "POST", route, {"body": body})
    return f"posted note {created['id']} on merge request !{number}"


def upsert_issue(title: str, body: str, label: str, environ: Mapping[str, str]) -> str:
    query = urllib.parse.urlencode({"labels": label, "state": "opened", "per_page": 100})
    issues = api(environ, "GET", f"/issues?{query}")
    existing = [issue for issue in issues if issue["title"] == title]
    if existing:
        api(environ, "PUT", f"/issues/{existing[0]['iid']}", {"description": body})
        return f"updated issue #{existing[0]['iid']}"
    new = {"title": title, "description": body, "labels": label}
    created = api(environ, "POST", "/issues", new)
    return f"opened issue #{created['iid']}"
