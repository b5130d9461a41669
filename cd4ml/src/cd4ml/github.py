"""GitHub's REST API, with what a workflow provides: GITHUB_TOKEN, GITHUB_REPOSITORY."""

import os

from .errors import PipelineError
from .rest import call


def github(method: str, route: str, body: dict | None = None) -> object:
    token, repository = os.environ.get("GITHUB_TOKEN"), os.environ.get("GITHUB_REPOSITORY")
    if not token or not repository:
        raise PipelineError("GITHUB_TOKEN and GITHUB_REPOSITORY must be set to call the GitHub API")
    base = os.environ.get("GITHUB_API_URL", "https://api.github.com")
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json"}
    return call(method, f"{base}/repos/{repository}{route}", headers, body, name="GitHub API ")
