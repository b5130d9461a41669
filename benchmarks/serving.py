"""Load the baked scoring service and `mlflow models serve` with the same model and the same rows.

Bakes the default project into a temporary folder, runs `dvc repro`, `promote` and `export`, and starts
  ours    `python -m <module> serve` on the exported folder, logging every prediction to a file
  MLflow  `mlflow models serve -m models:/<name>/1 --env-manager local` (uvicorn, one worker)
on 127.0.0.1, each in its own process group. Checks once that both answer 200 and predict the same
class for a few test rows. Then benchmarks/load.py, a separate process, posts single test rows (without
the target) from 8 threads with a keep-alive connection each: to MLflow for --seconds, then, with MLflow
stopped, to ours for --seconds, each capped at --max-requests; then a soak of ours for --soak-seconds
at concurrency 16 in which clients 0 and 10 send bad values (wrong types, NaN, unknown or missing
fields, and numbers the schema accepts but the model cannot score), reading the service's resident
memory (VmRSS in /proc/<pid>/status of the process started here, which runs uvicorn in-process) once
a second. Before the servers start, the exported model scores the same rows in-process, in batches of
1 and of 8 rows (the most 8 clients can put in one batch), for the rate the service is compared with.
Targets: ours serves at least 10x MLflow's requests per second, at least a third of the in-process rate
at batches of 8, with p99 under 50 ms; in the soak no valid request is refused, and RSS is flat: the
mean of the last 5 samples is less than 10 % above the mean of the first 5.
Exits non-zero only when a server fails to start or to serve, not on a missed target.
"""

import argparse
import contextlib
import http.client
import importlib.metadata
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml
from bench import bake, module_name, run

LOAD = Path(__file__).resolve().parent / "load.py"
BIN = Path(sys.executable).parent
CONCURRENCY, SOAK_CONCURRENCY, BAD_EVERY, ROWS, CHECKED = 8, 16, 10, 16, 5
RATIO_TARGET, IN_PROCESS_SHARE, P99_LIMIT_MS, GROWTH_LIMIT = 10.0, 1 / 3, 50.0, 10.0
IN_PROCESS = """
import importlib, json, sys, time
from pathlib import Path
import pandas as pd
model, _ = importlib.import_module(sys.argv[2] + ".models").load_exported(Path("build/model"))
rows = json.load(open(sys.argv[1]))
features = [str(name) for name in model.feature_names_in_]
rates = {}
for size in (1, 8):
    batches = [rows[start:start + size] for start in range(0, len(rows) - size + 1, size)]
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < 3:
        model.predict_proba(pd.DataFrame.from_records(batches[done % len(batches)], columns=features))
        done += 1
    rates[size] = done * size / (time.perf_counter() - started)
print(json.dumps(rates))
"""
START_TIMEOUT = 120  # seconds for a server to become ready


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(port: int, method: str, path: str, body=None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        data = None if body is None else json.dumps(body)
        connection.request(method, path, body=data, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group, SIGKILL after 15 s."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
            return


@contextlib.contextmanager
def server(name: str, command: list[str], project: Path, env: dict, port: int, ready: str, log: Path):
    """Start a server in a new session, wait until GET ready answers 200, and stop its group on exit."""
    with open(log, "w") as output:
        process = subprocess.Popen(
            command, cwd=project, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            with contextlib.suppress(OSError):
                if call(port, "GET", ready)[0] == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                tail = "\n".join(log.read_text().strip().splitlines()[-20:])
                sys.exit(f"error: {name} did not start on port {port}\n{tail}")
            time.sleep(0.3)
        yield process
    finally:
        stop(process)


def start_load(
    port: int,
    path: str,
    bodies: Path,
    seconds: float,
    cap: int,
    concurrency: int = CONCURRENCY,
    bad: Path | None = None,
) -> subprocess.Popen:
    options = ["--body-file", str(bodies), "--concurrency", str(concurrency)]
    options += ["--seconds", str(seconds), "--max-requests", str(cap)]
    if bad is not None:
        options += ["--bad-body-file", str(bad), "--bad-every", str(BAD_EVERY)]
    url = f"http://127.0.0.1:{port}{path}"
    return subprocess.Popen([sys.executable, str(LOAD), "--url", url, *options], stdout=subprocess.PIPE, text=True)


def finish_load(load: subprocess.Popen, served: subprocess.Popen, name: str, seconds: float) -> dict:
    try:
        out, _ = load.communicate(timeout=seconds + 60)
    except subprocess.TimeoutExpired:
        load.kill()
        load.communicate()
        sys.exit(f"error: the load generator did not finish loading {name}")
    if load.returncode != 0 or served.poll() is not None:
        sys.exit(f"error: loading {name} failed (load generator exit {load.returncode}, server {served.poll()})")
    return json.loads(out)


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]) / 1024


def soak(
    served: subprocess.Popen, port: int, bodies: Path, bad: Path, seconds: float, cap: int
) -> tuple[dict, list[float]]:
    """Load ours for seconds, with bad clients among the good, while reading its RSS once a second."""
    load = start_load(port, "/predict", bodies, seconds, cap, SOAK_CONCURRENCY, bad)
    samples, tick = [], time.monotonic()
    deadline = tick + seconds + 60
    while load.poll() is None and served.poll() is None and tick < deadline:
        samples.append(rss_mb(served.pid))
        tick += 1
        time.sleep(max(0.0, tick - time.monotonic()))
    return finish_load(load, served, "ours (soak)", seconds), samples


def dataframe_split(row: dict) -> dict:
    """One row as MLflow's /invocations takes it."""
    return {"dataframe_split": {"columns": list(row), "data": [list(row.values())]}}


def check_agreement(ours: int, mlflow: int, rows: list[dict]) -> None:
    for row in rows:
        status, answer = call(ours, "POST", "/predict", row)
        mlflow_status, mlflow_answer = call(mlflow, "POST", "/invocations", dataframe_split(row))
        if status != 200 or mlflow_status != 200:
            sys.exit(f"error: /predict answered {status}, /invocations {mlflow_status}: {answer} {mlflow_answer}")
        if json.loads(answer)["prediction"] != json.loads(mlflow_answer)["predictions"][0]:
            sys.exit(f"error: the servers disagree on {row}: {answer} against {mlflow_answer}")


def bad_bodies(rows: list[dict]) -> list:
    """Values a careless or hostile client sends: each is refused, or scored, but never crashes."""
    row = rows[0]
    numbers = [name for name, value in row.items() if isinstance(value, float)]
    first = numbers[0]
    bodies = [{**row, name: 3e38} for name in numbers]  # schema-valid; may overflow once scaled
    bodies += [{**row, first: "12"}, {**row, first: True}, {**row, first: float("nan")}]
    bodies += [{**row, "unknown": 1}, {key: value for key, value in row.items() if key != first}]
    return bodies


def in_process_rates(project: Path, env: dict, rows: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", IN_PROCESS, str(rows), module_name(project)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.exit(f"error: scoring in-process failed: {result.stderr[-2000:]}")
    return {int(size): rate for size, rate in json.loads(result.stdout).items()}


def measure(root: Path, seconds: float, soak_seconds: float, cap: int) -> tuple[dict, dict, list[float], dict]:
    project = bake(root)
    module = module_name(project)
    for command in (["dvc", "repro"], ["python", "-m", module, "promote"], ["python", "-m", module, "export"]):
        run(project, *command)
    name = yaml.safe_load((project / "params.yaml").read_text())["mlflow"]["model_name"]
    test = pd.read_parquet(project / "data/processed/test.parquet").drop(columns="target")
    rows = json.loads(test.head(ROWS).to_json(orient="records"))  # plain Python numbers
    (root / "ours.json").write_text(json.dumps(rows))
    (root / "mlflow.json").write_text(json.dumps([dataframe_split(row) for row in rows]))
    (root / "bad.json").write_text(json.dumps(bad_bodies(rows)))
    all_rows = json.loads(test.to_json(orient="records"))
    (root / "rows.json").write_text(json.dumps(all_rows))

    env = dict(os.environ, PYTHONPATH=str(project / "src"), MLFLOW_TRACKING_URI=f"sqlite:///{project}/mlflow.db")
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    ours_env = dict(env, MODEL_URI=str(project / "build/model"), PREDICTION_LOG=str(root / "predictions.jsonl"))
    rates = in_process_rates(project, env, root / "rows.json")
    ours_port, mlflow_port = free_port(), free_port()
    ours_command = [sys.executable, "-m", module, "serve", "--host", "127.0.0.1", "--port", str(ours_port)]
    mlflow_command = [str(BIN / "mlflow"), "models", "serve", "-m", f"models:/{name}/1", "--env-manager", "local"]
    mlflow_command += ["--host", "127.0.0.1", "--port", str(mlflow_port)]
    with server("our service", ours_command, project, ours_env, ours_port, "/ready", root / "ours.log") as ours:
        with server("MLflow", mlflow_command, project, env, mlflow_port, "/ping", root / "mlflow.log") as mlflow:
            check_agreement(ours_port, mlflow_port, rows[:CHECKED])
            load = start_load(mlflow_port, "/invocations", root / "mlflow.json", seconds, cap)
            mlflow_result = finish_load(load, mlflow, "MLflow", seconds)
        load = start_load(ours_port, "/predict", root / "ours.json", seconds, cap)
        ours_result = finish_load(load, ours, "ours", seconds)
        soak_result, samples = soak(ours, ours_port, root / "ours.json", root / "bad.json", soak_seconds, cap)
    return {"MLflow": mlflow_result, "ours": ours_result}, soak_result, samples, rates


def verdict(passed: bool) -> str:
    return "pass" if passed else "FAIL"


def report(results: dict, soak_result: dict, samples: list[float], soak_seconds: float, rates: dict) -> None:
    row = "{:<8} {:>9} {:>7} {:>9} {:>8} {:>8}"
    print(row.format("server", "requests", "errors", "req/s", "p50 ms", "p99 ms"))
    for name, result in results.items():
        p50, p99 = (f"{result[key]:.2f}" if result[key] is not None else "-" for key in ("p50_ms", "p99_ms"))
        print(row.format(name, result["requests"], result["errors"], f"{result['throughput']:.1f}", p50, p99))
    print("in-process, rows/s: " + ", ".join(f"batches of {size}: {rate:.1f}" for size, rate in rates.items()))
    mlflow, ours, p99 = results["MLflow"]["throughput"], results["ours"]["throughput"], results["ours"]["p99_ms"]
    ratio = ours / mlflow if mlflow else float("inf")
    share = ours / rates[CONCURRENCY]
    print()
    line = "{:<36} {:>10}   {:<22} {}"
    print(
        line.format("ours / MLflow", f"{ratio:.2f} x", f"target >= {RATIO_TARGET:g} x", verdict(ratio >= RATIO_TARGET))
    )
    print(
        line.format(
            f"ours / in-process at batches of {CONCURRENCY}",
            f"{share:.2f} x",
            f"target >= {IN_PROCESS_SHARE:.2f} x",
            verdict(share >= IN_PROCESS_SHARE),
        )
    )
    print(line.format("ours / in-process at batches of 1", f"{ours / rates[1]:.2f} x", "-", "-"))
    print(line.format("p99 of ours", f"{p99:.1f} ms", f"target < {P99_LIMIT_MS:g} ms", verdict(p99 < P99_LIMIT_MS)))
    errors = soak_result["errors"]
    print(
        f"\nsoak of ours, {soak_seconds:g} s at concurrency {SOAK_CONCURRENCY}, "
        f"clients 0 and {BAD_EVERY} sending bad values"
    )
    print(
        f"  valid      {soak_result['requests']} requests ({soak_result['throughput']:.1f} req/s), "
        f"p99 {soak_result['p99_ms']} ms"
    )
    print(f"  refused    {errors} valid requests   target 0: {verdict(errors == 0)}")
    print(f"  bad        {sum(soak_result['bad'].values())} requests, answered {soak_result['bad']}")
    if len(samples) < 5:
        print(f"  RSS        {len(samples)} samples, too few to judge")
        return
    start, end = statistics.mean(samples[:5]), statistics.mean(samples[-5:])
    growth = (end - start) / start * 100
    print(f"  RSS start  {start:.1f} MB (mean of the first 5 of {len(samples)} samples, one a second)")
    print(f"  RSS end    {end:.1f} MB (mean of the last 5)")
    print(f"  growth     {growth:+.1f} %   target < {GROWTH_LIMIT:.0f} %: {verdict(growth < GROWTH_LIMIT)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0, help="load per server (default 20)")
    parser.add_argument("--soak-seconds", type=float, default=60.0, help="soak of ours (default 60)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="request cap per run (default 200000)")
    args = parser.parse_args()
    if args.seconds <= 0 or args.soak_seconds <= 0 or args.max_requests < 1:
        parser.error("--seconds, --soak-seconds and --max-requests must be positive")
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = ", ".join(f"{name} {importlib.metadata.version(name)}" for name in ("mlflow", "fastapi", "uvicorn"))
    print(f"{platform.machine()}, nproc {cpus}, Python {platform.python_version()}, {versions}", flush=True)
    print(f"{CONCURRENCY} connections, {args.seconds:g} s per server, single rows\n", flush=True)
    with tempfile.TemporaryDirectory(prefix="cd4ml-serving-") as root:
        results, soak_result, samples, rates = measure(Path(root), args.seconds, args.soak_seconds, args.max_requests)
    report(results, soak_result, samples, args.soak_seconds, rates)
    return 0


if __name__ == "__main__":
    sys.exit(main())
