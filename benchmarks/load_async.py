"""Lean load generator: N keep-alive HTTP/1.1 connections driven from one asyncio loop (uvloop when
installed), each sending one request at a time, written as prepared bytes to a raw socket.

A Python thread per connection (load.py) spends most of its CPU in http.client and in switching
threads; on a machine of 2 cores that client, not the server, may set the pace. This one takes the
same --url, --body-file, --concurrency, --seconds and --max-requests (no bad clients), and prints
the same JSON object as load.py without "bad". Answers must carry a Content-Length (no chunked
framing), as uvicorn's do for a body sent in one piece.
"""

import array
import asyncio
import itertools
import json
import re
import sys
import time
from urllib.parse import urlsplit

from load import TIMEOUT, arguments, checked, cpu_seconds, summary

CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)


class Connection(asyncio.Protocol):
    """One connection: request() writes a request and waits for its whole answer's status."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.answer: asyncio.Future | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        if self.answer is not None and not self.answer.done():
            self.answer.set_exception(ConnectionError("the server closed the connection"))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0 or self.answer is None or self.answer.done():
            return
        length = CONTENT_LENGTH.search(self.buffer, 0, end + 2)
        if length is None:
            self.answer.set_exception(ConnectionError("an answer without Content-Length"))
            return
        size = end + 4 + int(length[1])
        if len(self.buffer) >= size:
            status = int(self.buffer[9:12])
            del self.buffer[:size]
            self.answer.set_result(status)

    async def request(self, data: bytes) -> int:
        self.answer = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        return await self.answer


class Tally:
    """The latencies in seconds of the answers 200, and the count of the other answers and failures."""

    def __init__(self) -> None:
        self.latencies, self.errors = array.array("d"), 0


async def client(url, requests: list[bytes], deadline: float, tickets, cap: int, tally: Tally) -> None:
    loop, connection = asyncio.get_running_loop(), None
    try:
        while time.perf_counter() < deadline and (ticket := next(tickets)) < cap:
            started = time.perf_counter()
            try:
                if connection is None or connection.transport.is_closing():
                    _, connection = await loop.create_connection(Connection, url.hostname, url.port)
                status = await connection.request(requests[ticket % len(requests)])
            except OSError:  # refused, reset or closed: the next request reconnects
                if connection is not None:
                    connection.transport.close()
                connection, status = None, "error"
            if status == 200:
                tally.latencies.append(time.perf_counter() - started)
            else:
                tally.errors += 1
    finally:
        if connection is not None:
            connection.transport.close()


async def generate(url, bodies: list[bytes], concurrency: int, seconds: float, cap: int) -> dict:
    head = f"POST {url.path or '/'} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: application/json\r\n"
    requests = [f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body for body in bodies]
    tickets, tally = itertools.count(), Tally()
    started, cpu = time.perf_counter(), cpu_seconds()
    deadline = started + seconds
    tasks = [asyncio.create_task(client(url, requests, deadline, tickets, cap, tally)) for _ in range(concurrency)]
    _, late = await asyncio.wait(tasks, timeout=seconds + TIMEOUT)
    for task in late:  # a request still unanswered TIMEOUT seconds after the deadline
        task.cancel()
        tally.errors += 1
    return summary(tally.latencies, tally.errors, time.perf_counter() - started, cpu_seconds() - cpu)


def main() -> int:
    parser = arguments(__doc__, "connections")
    args = parser.parse_args()
    bodies = checked(parser, args)
    url = urlsplit(args.url)
    try:
        from uvloop import run
    except ImportError:
        run = asyncio.run
    print(json.dumps(run(generate(url, bodies, args.concurrency, args.seconds, args.max_requests))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
