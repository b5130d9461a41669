"""Load generator: POST JSON bodies to one local URL from N threads, each over its own keep-alive connection.

Every thread sends one request at a time, cycling over the bodies in --body-file (a JSON list), until
--seconds have passed or --max-requests have been sent in all. With --bad-body-file and --bad-every N,
threads 0, N, 2N, ... send those bodies instead (bad clients), and their answers are counted apart.
Prints one JSON object:
  requests    requests of the good clients, answered or failed
  errors      their answers other than 200, and exceptions (refused, reset, timed out)
  seconds     wall time from the first request to the last thread's end
  throughput  successful requests per second
  p50_ms      median latency of the successful requests, in milliseconds (nearest rank)
  p99_ms      99th percentile of the same
  client_cpu  CPU seconds this process used per second of wall time (1.0: one core kept busy)
  bad         the bad clients' requests by answer status ("error" for an exception)
"""

import argparse
import collections
import http.client
import itertools
import json
import math
import resource
import sys
import threading
import time
from urllib.parse import urlsplit

TIMEOUT = 10.0  # seconds per socket operation, so every request ends


def worker(url, bodies: list[bytes], deadline: float, tickets, cap: int, samples: list) -> None:
    """Append each request's (latency in seconds, status) to samples; status "error" for an exception."""
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=TIMEOUT)
    headers = {"Content-Type": "application/json"}
    try:
        while time.perf_counter() < deadline and (ticket := next(tickets)) < cap:
            started = time.perf_counter()
            try:
                connection.request("POST", url.path, body=bodies[ticket % len(bodies)], headers=headers)
                response = connection.getresponse()
                response.read()  # the whole answer, so the connection can be reused
                status = response.status
                if response.getheader("connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                connection.close()  # the next request reconnects
                status = "error"
            samples.append((time.perf_counter() - started, status))
    finally:
        connection.close()


def percentile(ordered: list[float], share: float) -> float | None:
    return round(ordered[max(0, math.ceil(share * len(ordered)) - 1)] * 1000, 3) if ordered else None


def generate(url, bodies: list[bytes], concurrency: int, seconds: float, cap: int, bad=None, every=0) -> dict:
    tickets = itertools.count()  # next() on it is atomic under the GIL
    samples = [[] for _ in range(concurrency)]
    is_bad = [bool(bad) and every > 0 and position % every == 0 for position in range(concurrency)]
    started, cpu = time.perf_counter(), cpu_seconds()
    threads = [
        threading.Thread(
            target=worker,
            args=(url, bad if is_bad[position] else bodies, started + seconds, tickets, cap, own),
            daemon=True,
        )
        for position, own in enumerate(samples)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, started + seconds + 3 * TIMEOUT - time.perf_counter()))
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    good = [sample for position, own in enumerate(samples) if not is_bad[position] for sample in own]
    statuses = [str(status) for position, own in enumerate(samples) if is_bad[position] for _, status in own]
    latencies = [latency for latency, status in good if status == 200]
    figures = summary(latencies, len(good) - len(latencies), elapsed, cpu)
    return {**figures, "bad": dict(collections.Counter(statuses))}


def cpu_seconds() -> float:
    """CPU time of this process so far, user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def summary(latencies, errors: int, elapsed: float, cpu: float) -> dict:
    """The figures of the good clients, from the latencies of their successful requests in seconds
    and the count of the others; see the module's docstring."""
    ordered = sorted(latencies)
    return {
        "requests": len(ordered) + errors,
        "errors": errors,
        "seconds": round(elapsed, 3),
        "throughput": round(len(ordered) / elapsed, 1),
        "p50_ms": percentile(ordered, 0.50),
        "p99_ms": percentile(ordered, 0.99),
        "client_cpu": round(cpu / elapsed, 3),
    }


def arguments(description: str, connections: str) -> argparse.ArgumentParser:
    """The options both clients take; connections says what --concurrency counts."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="http://127.0.0.1:PORT/path")
    parser.add_argument("--body-file", required=True, help="a JSON file holding a list of request bodies")
    parser.add_argument("--concurrency", type=int, default=8, help=f"{connections} (default 8)")
    parser.add_argument("--seconds", type=float, default=10.0, help="time limit (default 10)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="request cap (default 200000)")
    return parser


def checked(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[bytes]:
    """The request bodies, after refusing a URL that is not local and limits that are not positive."""
    url = urlsplit(args.url)
    if url.scheme != "http" or url.hostname not in ("127.0.0.1", "localhost") or url.port is None:
        parser.error("--url must be http://127.0.0.1:PORT/...: this loads local servers only")
    if args.concurrency < 1 or args.seconds <= 0 or args.max_requests < 1:
        parser.error("--concurrency, --seconds and --max-requests must be positive")
    with open(args.body_file) as file:
        bodies = [json.dumps(body).encode() for body in json.load(file)]
    if not bodies:
        parser.error("--body-file holds no bodies")
    return bodies


def main() -> int:
    parser = arguments(__doc__, "threads, one connection each")
    parser.add_argument("--bad-body-file", help="a JSON file of bodies the bad clients send")
    parser.add_argument("--bad-every", type=int, default=0, help="threads 0, N, 2N, ... are bad clients")
    args = parser.parse_args()
    bodies = checked(parser, args)
    url = urlsplit(args.url)
    bad = None
    if args.bad_body_file:
        with open(args.bad_body_file) as file:
            bad = [json.dumps(body).encode() for body in json.load(file)]
    result = generate(url, bodies, args.concurrency, args.seconds, args.max_requests, bad, args.bad_every)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
