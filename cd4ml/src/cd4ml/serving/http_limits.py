"""Limits on request bodies, enforced on the bytes actually received, whatever the framing.

A plain ASGI middleware (cheaper than Starlette's BaseHTTPMiddleware) reads the body of every
request that has one before the app sees it: more than max_bytes is a 413 as soon as it is exceeded,
even when a chunked body arrives with a small Content-Length; a body still incomplete after
timeout seconds is a 408 (uvicorn's keep-alive timeout does not cover a slow body). A POST with
neither Content-Length nor chunked framing is a 411.
"""

import asyncio

import orjson

from .schema import problem


class Refused(Exception):
    def __init__(self, status: int, message: str, kind: str) -> None:
        super().__init__(message)
        self.status, self.kind = status, kind


class BodyLimits:
    def __init__(self, app, max_bytes: int, timeout_seconds: float) -> None:
        self.app, self.max_bytes, self.timeout = app, max_bytes, timeout_seconds

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        try:
            self.check_headers(dict(scope["headers"]))
            body = await self.read_body(receive)
        except Refused as refused:
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
            raise Refused(413, message, "body_too_large")

    async def read_body(self, receive) -> bytes:
        chunks, size = [], 0
        deadline = asyncio.get_running_loop().time() + self.timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            try:
                message = await asyncio.wait_for(receive(), max(remaining, 0))
            except TimeoutError:
                message = f"the body did not arrive within {self.timeout:g} seconds"
                raise Refused(408, message, "body_timeout") from None
            if message["type"] == "http.disconnect":
                raise Refused(400, "the client disconnected before the body ended", "disconnect")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                message = f"the body is over {self.max_bytes} bytes, the limit"
                raise Refused(413, message, "body_too_large")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


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
    # The rest of the body is not read: the connection must close, not carry a next request.
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": refused.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
