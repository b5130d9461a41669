"""Body limits on the bytes actually received, whatever the framing; slow bodies time out."""

import contextlib
import json
import select
import socket
import time
import urllib.error
import urllib.request

import numpy as np
import pytest
from service_support import COLUMNS, FEATURES, call, export, running, synthetic
from sklearn.linear_model import LogisticRegression

from cd4ml.pipeline import train
from cd4ml.serving import app as service_app
from cd4ml.serving import http_limits

LIMIT, TIMEOUT = 4000, 3.0  # a timeout long enough for a loaded machine to send the big bodies


@pytest.fixture(scope="module", params=["httptools", "h11"])
def url(request, params, tmp_path_factory):
    """The service on each of uvicorn's HTTP parsers, which frame bodies differently."""
    data = synthetic(100)
    model = train.make_model(LogisticRegression()).fit(data[FEATURES], data["species"])
    folder = export(tmp_path_factory.mktemp("model"), model, COLUMNS)
    limited = {
        **params,
        "serve": {**params["serve"], "max_body_bytes": LIMIT, "body_timeout_seconds": TIMEOUT},
    }
    app = service_app.create_app(limited, str(folder), "-")
    with running(app, http=http_limits.protocol(request.param, TIMEOUT)) as address:
        yield address


@pytest.fixture
def parser(url, request) -> str:
    return request.node.callspec.params["url"]


def exchange(url: str, head: bytes, parts: list[bytes], pause: float = 0.0) -> tuple[int, dict]:
    """Send a hand-made request over a raw socket; the status and JSON body of the answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(head)
        for part in parts:
            try:
                connection.sendall(part)
            except OSError:  # the server answered and closed before the whole body was sent
                break
            time.sleep(pause)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    header, _, body = answer.partition(b"\r\n\r\n")
    status = int(header.split()[1])
    # httptools refuses some malformed requests itself, with a plain-text 400.
    return status, json.loads(body) if status != 400 else {"detail": [{"type": body.decode()}]}


def head(headers: str) -> bytes:
    start = "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    return f"{start}{headers}\r\n".encode()


def chunked(size: int) -> list[bytes]:
    body = b'{"x1": ' + b" " * size + b"1}"
    pieces = [body[start : start + 1000] for start in range(0, len(body), 1000)]
    return [b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces] + [b"0\r\n\r\n"]


def test_a_chunked_body_over_the_limit_is_413(url):
    status, answer = exchange(url, head("Transfer-Encoding: chunked\r\n"), chunked(50 * LIMIT))
    assert status == 413 and answer["detail"][0]["type"] == "body_too_large"


def test_a_chunked_body_with_a_lying_content_length_never_gets_through(url, parser):
    """h11 frames it by the chunks, so the count stops it; httptools refuses the framing."""
    request = head("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n")
    status, answer = exchange(url, request, chunked(50 * LIMIT))
    expected = {
        "h11": (413, "body_too_large"),
        "httptools": (400, "Invalid HTTP request received."),
    }
    assert (status, answer["detail"][0]["type"]) == expected[parser]


def test_a_chunked_body_within_the_limit_is_read(url):
    status, answer = exchange(url, head("Transfer-Encoding: chunked\r\n"), chunked(100))
    assert status == 422 and answer["detail"][0]["loc"][0] == "body"  # read, then validated


def test_an_announced_oversized_body_is_413_before_it_is_sent(url):
    status, answer = exchange(
        url, head(f"Content-Length: {LIMIT + 1}\r\nExpect: 100-continue\r\n"), []
    )
    assert status == 413 and str(LIMIT) in answer["detail"][0]["msg"]


def test_a_post_without_length_or_chunks_is_411(url):
    assert exchange(url, head(""), [])[0] == 411


def test_a_slow_body_is_408_within_the_timeout(url):
    body = json.dumps({name: 1 for name in FEATURES}).encode()
    started = time.monotonic()
    status, answer = exchange(url, head(f"Content-Length: {len(body)}\r\n"), [body[:5]], pause=0)
    assert status == 408 and answer["detail"][0]["type"] == "body_timeout"
    assert time.monotonic() - started < TIMEOUT + 5


def test_a_client_that_sends_its_whole_body_before_reading_gets_the_413(url):
    """urllib and requests send the body, then read: the refused body is drained, not reset."""
    sizes = np.random.default_rng(8).integers(LIMIT + 1, http_limits.DRAINED_AT_MOST * LIMIT, 3)
    for size in sizes:
        body = b'{"x1": ' + b" " * int(size) + b"1}"
        status, answer, _ = call(f"{url}/predict", raw=body)
        assert status == 413 and answer["detail"][0]["type"] == "body_too_large", size
        pieces = (body[start : start + 1000] for start in range(0, len(body), 1000))
        request = urllib.request.Request(f"{url}/predict", data=pieces, method="POST")
        with pytest.raises(
            urllib.error.HTTPError
        ) as refused:  # chunked, as urllib sends an iterable
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 413, size


def test_a_stalled_request_head_is_closed_in_time_while_others_are_answered(url):
    """Half a request line then nothing; or, on a kept-alive connection, the next head a byte at
    a time: each is closed once its request head is late, and the service answers others."""
    host, port = url.removeprefix("http://").split(":")
    stalled = socket.create_connection((host, int(port)), timeout=10)
    stalled.sendall(b"POST /predict HT")
    trickling = socket.create_connection((host, int(port)), timeout=10)
    trickling.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    assert trickling.recv(65536).startswith(b"HTTP/1.1 200")
    trickling.sendall(b"GET /health HTTP/1.1\r\nX-Slow: ")
    started, closed = time.monotonic(), {}
    while len(closed) < 2 and time.monotonic() - started < TIMEOUT + 10:
        assert call(f"{url}/health")[0] == 200
        with contextlib.suppress(OSError):
            trickling.sendall(b"a")
        for name, connection in (("stalled", stalled), ("trickling", trickling)):
            if name not in closed and select.select([connection], [], [], 0.2)[0]:
                with contextlib.suppress(OSError):
                    assert connection.recv(65536) == b"", f"the {name} client got an answer"
                closed[name] = time.monotonic() - started
    stalled.close()
    trickling.close()
    assert set(closed) == {"stalled", "trickling"}, f"still open after {TIMEOUT + 10} s: {closed}"
    assert max(closed.values()) < TIMEOUT + 3
