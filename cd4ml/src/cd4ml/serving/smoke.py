"""smoke: check a running service: health, ready, version, predictions, an invalid request.

Against `make serve` (the default URL) or a review app's container. The rows come from the test
set (paths.test): one per class it holds for a classifier, a few for a regression model, with the
fields the service's OpenAPI document asks for. The invalid request is a row without its first
field, which must be a 422 in the service's one error shape. Writes paths.review_app (Markdown, for
the PR report) whether the checks pass or not; a failed check exits with status 1 and one line.
"""

import json
import math
import time
import urllib.error
import urllib.request

import pandas as pd

from ..config import param, path
from ..errors import PipelineError, Rejected
from ..files import read_parquet, write_text
from .smoke_checks import Check, check_answers, error_shape_problem, render

REGRESSION_ROWS = 5
MAX_CLASSES = 50  # one row each; more would not say more about a running service


def example_rows(frame: pd.DataFrame, target: str, task: str, fields: list[str]) -> pd.DataFrame:
    """Rows of the test set to score, with the fields the service takes and the target: the first
    row of each class (in order of appearance) for classification, the first few for regression."""
    missing = [name for name in [*fields, target] if name not in frame.columns]
    if missing:
        raise PipelineError(f"the test set has no column {missing[0]!r}, which the service needs")
    if task == "classification":
        frame = frame.drop_duplicates(subset=[target]).head(MAX_CLASSES)
    else:
        frame = frame.head(REGRESSION_ROWS)
    return frame[[*fields, target]]


def as_json(frame: pd.DataFrame) -> list[dict]:
    """The rows as a client sends them: JSON's numbers, strings, booleans and nulls."""
    return json.loads(frame.to_json(orient="records"))


def request(url: str, body: object = None) -> tuple[int, object]:
    """(status, decoded JSON) of a GET, or a POST when there is a body; (0, reason) when nothing
    answers, and the text itself when the answer is not JSON."""
    data = None if body is None else json.dumps(body).encode()
    sent = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(sent, timeout=30) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    except (urllib.error.URLError, OSError) as error:
        return 0, str(getattr(error, "reason", error))
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text.decode(errors="replace")[:200]


def wait_ready(url: str, seconds: float) -> Check:
    """GET /ready until it answers 200, for at most seconds (a container takes a while to start)."""
    started = time.monotonic()
    while True:
        status, answer = request(f"{url}/ready")
        waited = time.monotonic() - started
        if status == 200 and answer == {"ready": True}:
            return Check("GET /ready", True, f"ready after {waited:.1f} s")
        if waited >= seconds:
            said = f"answered {status} {answer}" if status else f"no answer ({answer})"
            return Check("GET /ready", False, f"not ready within {seconds:g} s: {said}")
        time.sleep(0.5)


def fields_wanted(url: str) -> list[str] | None:
    """The request fields of /predict, from the service's own OpenAPI document."""
    _, document = request(f"{url}/openapi.json")
    try:
        return list(document["components"]["schemas"]["Features"]["properties"])
    except (KeyError, TypeError):
        return None


def run_checks(url: str, rows: pd.DataFrame, target: str, task: str) -> list[Check]:
    """Every check after /ready: health, version, the predictions, the invalid request."""
    status, health = request(f"{url}/health")
    checks = [Check("GET /health", status == 200, f"{status} {health}")]
    status, version = request(f"{url}/version")
    about = version if isinstance(version, dict) else {}
    names = f"model {about.get('model')}, version {about.get('version') or 'not registered'}"
    commit = (about.get("git_commit") or "unknown")[:12]
    answers = about.get("implementation") or "unknown"
    checks.append(
        Check("GET /version", status == 200, f"{names}, commit {commit}, answered by {answers}")
    )
    instances, labels = as_json(rows.drop(columns=target)), rows[target].tolist()
    single = request(f"{url}/predict", instances[0])
    batch = request(f"{url}/predict/batch", {"instances": instances})
    checks += check_answers(single, batch, labels, task)
    missing, *kept = instances[0]
    status, answer = request(f"{url}/predict", {name: instances[0][name] for name in kept})
    problem = error_shape_problem(answer) if status == 422 else f"answered {status}, not 422"
    detail = problem or f"422 for a row without {missing!r}, in the one error shape"
    return [*checks, Check("invalid request", problem is None, detail)]


def all_checks(params: dict, url: str, seconds: float) -> list[Check]:
    ready = wait_ready(url, seconds)
    if not ready.passed:
        return [ready]
    fields = fields_wanted(url)
    if fields is None:
        return [ready, Check("GET /openapi.json", False, "no Features schema in the document")]
    target, task = param(params, "ingest.target"), param(params, "train.task")
    rows = example_rows(read_parquet(path(params, "test")), target, task, fields)
    return [ready, *run_checks(url, rows, target, task)]


def arguments(parser) -> None:
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the service's address")
    parser.add_argument("--digest", default="", help="the image's digest, for the report")
    parser.add_argument("--wait", default="60", help="seconds to wait for /ready (default 60)")


def main(params: dict, url: str = "http://127.0.0.1:8000", digest: str = "", wait: str = "60"):
    try:
        seconds = float(wait)
    except ValueError:
        seconds = math.nan
    if not 0 <= seconds < math.inf:
        raise PipelineError(f"--wait {wait}: expected a number of seconds")
    url = url.rstrip("/")
    checks = all_checks(params, url, seconds)
    report = path(params, "review_app")
    write_text(render(checks, url, digest), report)
    failed = [check for check in checks if not check.passed]
    if failed:
        raise Rejected(f"smoke: {failed[0].name}: {failed[0].detail}; see {report}")
    print(f"smoke: {len(checks)} checks passed against {url}; {report}")
