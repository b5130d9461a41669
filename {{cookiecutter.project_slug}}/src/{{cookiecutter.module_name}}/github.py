"""GitHub's REST API, with what a workflow provides: GITHUB_TOKEN, GITHUB_REPOSITORY."""

import json
import os
import urllib.error
import urllib.request

from .errors import PipelineError


class Forbidden(PipelineError):
    """The token may not do this, as with a pull request from a fork (a read-only token)."""


def github(method: str, route: str, body: dict | None = None) -> object:
    token, repository = os.environ.get("GITHUB_TOKEN"), os.environ.get("GITHUB_REPOSITORY")
    if not token or not repository:
        raise PipelineError("GITHUB_TOKEN and GITHUB_REPOSITORY must be set to call the GitHub API")
    base = os.environ.get("GITHUB_API_URL", "https://api.github.com")
    request = urllib.request.Request(
        f"{base}/repos/{repository}{route}",
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        problem = Forbidden if error.code in (401, 403) else PipelineError
        raise problem(f"GitHub API {method} {route}: {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        raise PipelineError(f"GitHub API {method} {route}: {error}") from None
