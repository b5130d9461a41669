"""A stand-in for the parts of GitHub's REST API that the project uses, on 127.0.0.1."""

import json
import re
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    def __init__(self, read_only: bool = False) -> None:
        self.issues: list[dict] = []
        self.comments: list[dict] = []
        self.calls: list[tuple[str, str]] = []
        self.read_only = read_only


def handler(state: State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def reply(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def payload(self) -> dict:
            return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

        def route(self) -> str:
            state.calls.append((self.command, self.path))
            return re.sub(r"^/repos/[^/]+/[^/]+", "", self.path.split("?")[0])

        def do_GET(self) -> None:  # noqa: N802 - the handler's API
            route = self.route()
            if match := re.fullmatch(r"/issues/(\d+)/comments", route):
                self.reply(200, [c for c in state.comments if c["issue"] == int(match[1])])
            else:
                self.reply(200, [issue for issue in state.issues if issue["state"] == "open"])

        def write(self, change) -> None:
            if state.read_only:
                self.reply(403, {"message": "Resource not accessible by integration"})
            else:
                status, body = change(self.route(), self.payload())
                self.reply(status, body)

        def do_POST(self) -> None:  # noqa: N802
            def create(route: str, body: dict):
                if match := re.fullmatch(r"/issues/(\d+)/comments", route):
                    comment = {**body, "id": 100 + len(state.comments), "issue": int(match[1])}
                    state.comments.append(comment)
                    return 201, comment
                issue = {**body, "number": len(state.issues) + 1, "state": "open"}
                state.issues.append(issue)
                return 201, issue

            self.write(create)

        def do_PATCH(self) -> None:  # noqa: N802
            def update(route: str, body: dict):
                if match := re.fullmatch(r"/issues/comments/(\d+)", route):
                    found = next(c for c in state.comments if c["id"] == int(match[1]))
                else:
                    found = state.issues[int(route.rsplit("/", 1)[1]) - 1]
                found.update(body)
                return 200, found

            self.write(update)

        def log_message(self, *args) -> None:
            pass

    return Handler


@contextmanager
def fake_github(read_only: bool = False):
    """Yields (api_url, state); set GITHUB_API_URL to the URL."""
    state = State(read_only)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", state
    finally:
        server.shutdown()
        thread.join(timeout=10)
