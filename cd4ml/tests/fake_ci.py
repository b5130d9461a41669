"""Stand-ins for the parts of GitLab's and Azure DevOps' REST APIs that ci/ uses, on 127.0.0.1.

Each checks the token, keeps what was written, and records every call; `environment(url)` gives
the variables the provider's CI would set, so a job's commands can run against the stand-in.
"""

import json
import re
import threading
import urllib.parse
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "test-token"


class State:
    def __init__(self, read_only: bool = False) -> None:
        self.comments: dict[int, dict] = {}  # GitLab notes, or Azure threads, by id
        self.issues: dict[int, dict] = {}  # GitLab issues, or Azure work items, by id
        self.calls: list[tuple[str, str]] = []
        self.read_only = read_only

    def add(self, table: dict, item: dict) -> dict:
        item = {**item, "id": 100 + len(self.comments) + len(self.issues)}
        table[item["id"]] = item
        return item


def gitlab(state: State, method: str, route: str, body: object) -> tuple[int, object]:
    notes = re.fullmatch(r"/api/v4/projects/42/merge_requests/5/notes(?:/(\d+))?", route)
    if notes and method == "GET":
        return 200, list(state.comments.values())
    if notes and method == "POST":
        return 201, state.add(state.comments, body)
    if notes and method == "PUT":
        state.comments[int(notes[1])].update(body)
        return 200, state.comments[int(notes[1])]
    issues = re.fullmatch(r"/api/v4/projects/42/issues(?:/(\d+))?", route)
    if issues and method == "GET":
        return 200, [issue for issue in state.issues.values() if issue["state"] == "opened"]
    if issues and method == "POST":
        number = len(state.issues) + 1
        return 201, state.add(state.issues, {**body, "state": "opened", "iid": number})
    if issues and method == "PUT":
        found = next(issue for issue in state.issues.values() if issue["iid"] == int(issues[1]))
        found.update(body)
        return 200, found
    return 404, {"message": "404 Not Found"}


def azure(state: State, method: str, route: str, body: object) -> tuple[int, object]:
    pull_request = "/acme/p-1/_apis/git/repositories/r-1/pullRequests/5"
    threads = re.fullmatch(rf"{pull_request}/threads(.*)", route)
    if threads and method == "GET" and not threads[1]:
        return 200, {"value": list(state.comments.values()), "count": len(state.comments)}
    if threads and method == "POST" and not threads[1]:
        created = state.add(state.comments, body)
        created["comments"] = [{**body["comments"][0], "id": 1}]
        return 200, created
    if threads and method == "PATCH" and (found := re.fullmatch(r"/(\d+)/comments/1", threads[1])):
        state.comments[int(found[1])]["comments"][0]["content"] = body["content"]
        return 200, state.comments[int(found[1])]["comments"][0]
    if route == "/acme/p-1/_apis/wit/wiql" and method == "POST":
        return 200, {"workItems": [{"id": number} for number in state.issues]}
    if item := re.fullmatch(r"/acme/p-1/_apis/wit/workitems/(\$\w+|\d+)", route):
        fields = {change["path"]: change["value"] for change in body}
        if method == "POST":
            return 200, state.add(state.issues, {"type": item[1], "fields": fields})
        state.issues[int(item[1])]["fields"].update(fields)
        return 200, state.issues[int(item[1])]
    return 404, {"message": f"no route {method} {route}"}


def handler(state: State, api) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def answer(self) -> None:
            state.calls.append((self.command, self.path))
            route, _, query = self.path.partition("?")
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            tokens = (self.headers.get("PRIVATE-TOKEN"), self.headers.get("Authorization"))
            if TOKEN not in tokens and f"Bearer {TOKEN}" not in tokens:
                status, reply = 401, {"message": "401 Unauthorized"}
            elif api is azure and "api-version=7.1" not in urllib.parse.unquote(query):
                status, reply = 400, {"message": "no api-version"}
            elif state.read_only and self.command != "GET":
                status, reply = 403, {"message": "403 Forbidden"}
            else:
                status, reply = api(state, self.command, route, body)
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = answer  # noqa: N815 - the handler's API

        def log_message(self, *args) -> None:
            pass

    return Handler


def environment(provider: str, url: str) -> dict[str, str]:
    """The variables GitLab CI or Azure Pipelines sets in a merge/pull request job."""
    if provider == "gitlab":
        return {
            "GITLAB_CI": "true",
            "CI_API_V4_URL": f"{url}/api/v4",
            "CI_PROJECT_ID": "42",
            "CI_MERGE_REQUEST_IID": "5",
            "GITLAB_API_TOKEN": TOKEN,
        }
    return {
        "TF_BUILD": "True",
        "SYSTEM_COLLECTIONURI": f"{url}/acme/",
        "SYSTEM_TEAMPROJECTID": "p-1",
        "BUILD_REPOSITORY_ID": "r-1",
        "SYSTEM_PULLREQUEST_PULLREQUESTID": "5",
        "SYSTEM_ACCESSTOKEN": TOKEN,
    }


@contextmanager
def fake_ci(provider: str, read_only: bool = False):
    """Yields (api_url, state) for "gitlab" or "azure"."""
    state = State(read_only)
    api = {"gitlab": gitlab, "azure": azure}[provider]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(state, api))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", state
    finally:
        server.shutdown()
        thread.join(timeout=10)
