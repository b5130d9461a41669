"""One JSON request to a REST API: how github.py and the providers in hosting/ call their APIs."""

import json
import urllib.error
import urllib.request

from .errors import PipelineError


class Forbidden(PipelineError):
    """The token may not do this, as with a pull request from a fork (a read-only token)."""


def call(
    method: str, url: str, headers: dict, body: object = None, content: str = "", name: str = ""
) -> object:
    """The decoded JSON answer; 401/403 is Forbidden (a token that may not write), any other
    failure one error naming the API (name), the method and the URL without its query."""
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": content or "application/json", **headers},
    )
    what = f"{name}{method} {url.split('?')[0]}"
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        problem = Forbidden if error.code in (401, 403) else PipelineError
        raise problem(f"{what}: {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        raise PipelineError(f"{what}: {error}") from None
