"""What the service tests share: a model folder as `export` writes it, a real uvicorn server on
127.0.0.1 in a thread, and plain HTTP calls."""

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import skops.io
import uvicorn
import yaml

from cd4ml import provenance, tracking


def export(folder: Path, model, columns: dict, version: str = "7") -> Path:
    """A folder as `export` writes it: the model in skops format, its SHA-256 in model.json."""
    folder.mkdir(parents=True, exist_ok=True)
    skops.io.dump(model, folder / "model.skops")
    sha256 = provenance.file_sha256(folder / "model.skops")
    info = {"model": "test-model", "version": version, tracking.ARTIFACT_HASH_TAG: sha256}
    (folder / "model.json").write_text(json.dumps(info))
    (folder / "contract.yaml").write_text(yaml.safe_dump({"columns": columns}))
    return folder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running(app, http: str = "auto") -> Iterator[str]:
    """The app on a real uvicorn server, stopped afterwards; yields its URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", http=http)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.05)
    assert server.started, "the service did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def call(url: str, body: object = None, raw: bytes | None = None, headers: dict | None = None):
    """(status, JSON answer, response headers) of a GET, or of a POST when there is a body."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    sent = {"Content-Type": "application/json", **(headers or {})}
    request = urllib.request.Request(url, data=data, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read()), response.headers
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers


def as_sent(frame: pd.DataFrame) -> list[dict]:
    """Rows as a client sends them in JSON: plain numbers, text and booleans, null for a gap."""
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def synthetic(rows: int, seed: int = 0) -> pd.DataFrame:
    """Features of several kinds, as a user's data may have them, and several kinds of target."""
    generator = np.random.default_rng(seed)
    x1 = generator.normal(10, 3, rows)
    tiny = generator.normal(0, 0.01, rows)  # a small scale: a huge value overflows once scaled
    region = generator.choice(["north", "south", "east"], rows)
    count = generator.integers(0, 50, rows)
    score = x1 + 300 * tiny + (region == "north") * 2 + count / 10
    return pd.DataFrame(
        {
            "x1": x1,
            "tiny": tiny,
            "region": region,
            "count": count,
            "species": np.select([score < 11, score < 14], ["setosa", "versicolor"], "virginica"),
            "flag": score > 12,
            "grade": np.digitize(score, [10, 12, 14]),
            "amount": score * 3.5 + generator.normal(0, 0.5, rows),
        }
    )


FEATURES = ["x1", "tiny", "region", "count"]
COLUMNS = {
    "x1": {"type": "float"},
    "tiny": {"type": "float", "nullable": True},
    "region": {"type": "str", "allowed": ["north", "south", "east"]},
    "count": {"type": "int", "min": 0},
}


def log_lines(log: Path, count: int) -> list[dict]:
    """The log's lines once there are at least count: a thread writes them after the answer."""
    deadline = time.monotonic() + 10
    lines: list[str] = []
    while time.monotonic() < deadline:
        lines = log.read_text().splitlines() if log.exists() else []
        if len(lines) >= count:
            break
        time.sleep(0.05)
    return [json.loads(line) for line in lines]


class Fragile:
    """A fitted model that fails on one schema-valid value, as a model may on input it never saw."""

    poison = 13.125

    def __init__(self, model) -> None:
        self.model = model
        self.classes_ = model.classes_
        self.feature_names_in_ = model.feature_names_in_

    def predict(self, frame):
        return self.model.predict(self.check(frame))

    def predict_proba(self, frame):
        return self.model.predict_proba(self.check(frame))

    def check(self, frame):
        if (frame["x1"] == self.poison).any():
            raise RuntimeError("/srv/model/internals: cannot score")
        return frame
