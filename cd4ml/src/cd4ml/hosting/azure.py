"""azure: the pull request's one thread, and the drift work item, through Azure DevOps' REST API.

The job maps System.AccessToken to SYSTEM_ACCESSTOKEN; the build service needs "Contribute to
pull requests" on the repository (and "Edit work items" for drift). The organisation, project,
repository and pull request come from Azure Pipelines' predefined variables.
"""

import urllib.parse
from collections.abc import Mapping

from ..rest import call
from .provider import required

VERSION = "api-version=7.1"
PULL_REQUEST = "SYSTEM_PULLREQUEST_PULLREQUESTID"


def api(environ: Mapping[str, str], method: str, route: str, body: object = None, **kwargs) -> dict:
    collection, project, token = required(
        environ, "SYSTEM_COLLECTIONURI", "SYSTEM_TEAMPROJECTID", "SYSTEM_ACCESSTOKEN"
    )
    url = f"{collection.rstrip('/')}/{urllib.parse.quote(project)}/_apis{route}"
    separator = "&" if "?" in route else "?"
    headers = {"Authorization": f"Bearer {token}"}
    return call(method, f"{url}{separator}{VERSION}", headers, body, **kwargs)


def upsert_comment(body: str, marker: str, environ: Mapping[str, str]) -> str:
    repository, number = required(environ, "BUILD_REPOSITORY_ID", PULL_REQUEST)
    route = f"/git/repositories/{repository}/pullRequests/{number}/threads"
    for thread in api(environ, "GET", route)["value"]:
        first = (thread.get("comments") or [{}])[0]
        if marker in (first.get("content") or ""):
            comment = f"{route}/{thread['id']}/comments/{first['id']}"
            api(environ, "PATCH", comment, {"content": body})
            return f"updated thread {thread['id']} on pull request {number}"
    # Closed, so that a "check for comment resolution" policy does not wait on a report.
    comment = {"parentCommentId": 0, "content": body, "commentType": "text"}
    created = api(environ, "POST", route, {"comments": [comment], "status": "closed"})
    return f"posted thread {created['id']} on pull request {number}"


def upsert_issue(title: str, body: str, label: str, environ: Mapping[str, str]) -> str:
    """The one open work item tagged `label` with this title; its type is AZURE_WORK_ITEM_TYPE."""
    quoted = title.replace("'", "''")
    query = (
        "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project "
        f"AND [System.Title] = '{quoted}' AND [System.Tags] CONTAINS '{label}' "
        "AND [System.State] NOT IN ('Closed', 'Done', 'Removed')"
    )
    found = api(environ, "POST", "/wit/wiql", {"query": query})["workItems"]
    fields = [
        {"op": "add", "path": "/fields/System.Description", "value": body},
        {"op": "add", "path": "/multilineFieldsFormat/System.Description", "value": "Markdown"},
    ]
    patch = {"content": "application/json-patch+json"}
    if found:
        api(environ, "PATCH", f"/wit/workitems/{found[0]['id']}", fields, **patch)
        return f"updated work item {found[0]['id']}"
    kind = urllib.parse.quote(environ.get("AZURE_WORK_ITEM_TYPE", "Issue"))
    new = [{"op": "add", "path": "/fields/System.Title", "value": title}]
    new += [{"op": "add", "path": "/fields/System.Tags", "value": label}, *fields]
    created = api(environ, "POST", f"/wit/workitems/${kind}", new, **patch)
    return f"opened work item {created['id']}"
