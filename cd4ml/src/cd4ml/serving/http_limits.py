"""Limits on requests: their heads and bodies must arrive in time, and bodies be small enough.

A plain ASGI middleware (cheaper than Starlette's BaseHTTPMiddleware) reads the body of every
request that has one before the app sees it: more than max_bytes is a 413 as soon as it is exceeded,
even when a chunked body arrives with a small Content-Length; a body still incomplete after
timeout seconds is a 408 (uvicorn's keep-alive timeout does not cover a slow body). A POST with
neither Content-Length nor chunked framing is a 411. A refused body is read to its end, within
bounds, before the 413 goes out: a client that sends its whole body before reading (urllib,
requests) would otherwise see the connection reset, not the answer.

The request head is outside any ASGI middleware's reach: uvicorn has no timeout for it (its
keep-alive timer starts only after a response, and each byte received stops it), so a client that
sends half a request line, or one byte now and then, would hold its connection forever. The
protocol that `protocol()` returns closes a connection whose next request head is not all there
within the timeout.
"""

import asyncio

import orjson

from .schema import problem

# A refused body is drained up to this many times max_bytes; past that, the connection is closed.
DRAINED_AT_MOST = 10


class Refused(Exception):
    def __init__(self, status: int, message: str, kind: str, unread: bool = False) -> None:
        super().__init__(message)
        self.status, self.kind = status, kind
        self.unread = unread  # whether the client may still be sending the body


class BodyLimits:
    def __init__(self, app, max_bytes: int, timeout_seconds: float) -> None:
        self.app, self.max_bytes, self.timeout = app, max_bytes, timeout_seconds

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        deadline = asyncio.get_running_loop().time() + self.timeout
        try:
            self.check_headers(headers)
            body = await self.read_body(receive, deadline)
        except Refused as refused:
            # A client that asked to be told before it sends (Expect: 100-continue) sends nothing.
            waits = b"100-continue" in headers.get(b"expect", b"").lower()
            if refused.status == 413 and refused.unread and not waits:
                await self.drain(receive, deadline)
            await answer(send, refused)
            return
        await self.app(scope, replay(body, receive), send)

    def check_headers(self, headers: dict) -> None:
        length = headers.get(b"content-length", b"").strip()
        chunked = b"chunked" in headers.get(b"transfer-encoding", b"").lower()
        if not length and not chunked:
            raise Refused(411, "a Content-Length header is required", "length_required")
        if length.isdigit() and int(length) > self.max_bytes:
            message = f"the body is {int(length)} bytes; the limit is {self.max_bytes}"
            raise Refused(413, message, "body_too_large", unread=True)

    async def read_body(self, receive, deadline: float) -> bytes:
        chunks, size = [], 0
        while True:
            try:
                message = await before(deadline, receive)
            except TimeoutError:
                message = f"the body did not arrive within {self.timeout:g} seconds"
                raise Refused(408, message, "body_timeout") from None
            if message["type"] == "http.disconnect":
                raise Refused(400, "the client disconnected before the body ended", "disconnect")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                unread = message.get("more_body", False)
                text = f"the body is over {self.max_bytes} bytes, the limit"
                raise Refused(413, text, "body_too_large", unread)
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def drain(self, receive, deadline: float) -> None:
        """Read and drop the rest of a refused body, until it ends, the deadline passes or more
        than DRAINED_AT_MOST times max_bytes have come."""
        dropped = 0
        while dropped <= DRAINED_AT_MOST * self.max_bytes:
            try:
                message = await before(deadline, receive)
            except TimeoutError:
                return
            if message["type"] == "http.disconnect" or not message.get("more_body", False):
                return
            dropped += len(message.get("body", b""))


async def before(deadline: float, receive) -> dict:
    """The next message of receive(), or TimeoutError once the loop's clock passes deadline."""
    remaining = deadline - asyncio.get_running_loop().time()
    return await asyncio.wait_for(receive(), max(remaining, 0))


def replay(body: bytes, receive):
    """A receive() that gives the app the body already read, then whatever the server sends."""
    sent = False

    async def receive_again() -> dict:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive_again


async def answer(send, refused: Refused) -> None:
    body = orjson.dumps(problem(["body"], str(refused), refused.kind))
    # The body may not have been read to its end: the connection must close, not carry a next
    # request.
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": refused.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class HeadDeadline:
    """Mixed into uvicorn's HTTP protocol: a connection waiting for a request head (since it opened,
    or since the last response ended) is closed when the whole head is not there after
    head_timeout seconds."""

    head_timeout: float
    head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self.expect_head()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self.expect_head()

    def connection_lost(self, exc) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
        super().connection_lost(exc)

    def expect_head(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
        # uvicorn starts a new request-response cycle once a request's head is complete.
        waiting = self.cycle
        self.head_timer = self.loop.call_later(self.head_timeout, self.close_if_late, waiting)

    def close_if_late(self, waiting) -> None:
        busy = waiting is not None and not waiting.response_complete  # a pipelined request
        if self.cycle is waiting and not busy and not self.transport.is_closing():
            self.transport.close()


def protocol(http: str, head_timeout: float) -> type:
    """uvicorn's HTTP protocol `http` ("auto", "httptools" or "h11") with the head's deadline; for
    uvicorn.run(http=...)."""
    from uvicorn.config import HTTP_PROTOCOLS
    from uvicorn.importer import import_from_string

    base = import_from_string(HTTP_PROTOCOLS[http])
    return type(base.__name__, (HeadDeadline, base), {"head_timeout": head_timeout})
