"""Load the baked scoring service, `mlflow models serve` and a bare uvicorn app with the same rows.

Bakes the default project into a temporary folder, runs `dvc repro`, `promote` and `export`, and starts
  ours    `python -m <module> serve` on the exported folder, logging every prediction to a file
  MLflow  `mlflow models serve -m models:/<name>/1 --env-manager local` (uvicorn, one worker)
  bare    benchmarks/bare_app.py: uvicorn with the service's loop and HTTP options, and an ASGI app
          that answers every request with the same JSON: the HTTP stack's own limit
  FastAPI the same with `--fastapi`: a FastAPI app with one route that answers a constant, to
          tell the framework's share of our cost from the HTTP stack's
on 127.0.0.1, each in its own process group. Checks once that ours and MLflow predict the same class
for a few test rows, and that ours answers with the compiled model (GET /version: implementation
"onnx"). Then a load generator in a separate process posts single test rows (without the target)
over keep-alive connections, one request at a time each, at concurrency 8 and 64: to MLflow for
--mlflow-seconds at each, then, with MLflow stopped, to the bare app, FastAPI and ours for --seconds at each.
The load generator is benchmarks/load_async.py (one asyncio loop); benchmarks/load.py (a thread per
connection) loads the bare app too, to show what each client can drive on this machine. The CPU the
server and the client use per second is read from /proc and from the client's own rusage.
Targets at concurrency 8: ours serves at least 100x MLflow's requests per second and at least half
the bare app's, with p99 under 10 ms. Last, a soak of ours for --soak-seconds at concurrency 16 with
load.py, in which clients 0 and 10 send bad values (wrong types, NaN, unknown or missing fields, and
numbers the schema accepts but the model cannot score), reading the service's resident memory (VmRSS
of the process started here, which runs uvicorn in-process) once a second: no valid request is
refused, and the mean of the last 5 samples is less than 10 % above the mean of the first 5.
Exits non-zero only when a server fails to start or to serve, not on a missed target.
"""

import argparse
import importlib.metadata
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

import pandas as pd
import yaml
from bench import bake, module_name, run
from servers import HERE, call, free_port, loaded, server
from serving_report import report
from serving_soak import bad_bodies, soak

BIN = Path(sys.executable).parent
CONCURRENCIES, ROWS, CHECKED = (8, 64), 16, 5


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


def prepare(root: Path) -> tuple[Path, str]:
    """A baked project with its champion exported, and the request bodies in root."""
    project = bake(root)
    module = module_name(project)
    for command in (["dvc", "repro"], ["python", "-m", module, "promote"], ["python", "-m", module, "export"]):
        run(project, *command)
    test = pd.read_parquet(project / "data/processed/test.parquet").drop(columns="target")
    rows = json.loads(test.head(ROWS).to_json(orient="records"))  # plain Python numbers
    (root / "ours.json").write_text(json.dumps(rows))
    (root / "mlflow.json").write_text(json.dumps([dataframe_split(row) for row in rows]))
    (root / "bad.json").write_text(json.dumps(bad_bodies(rows)))
    return project, module


def measure(root: Path, args) -> dict:
    project, module = prepare(root)
    name = yaml.safe_load((project / "params.yaml").read_text())["mlflow"]["model_name"]
    rows = json.loads((root / "ours.json").read_text())
    env = dict(os.environ, PYTHONPATH=str(project / "src"), MLFLOW_TRACKING_URI=f"sqlite:///{project}/mlflow.db")
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    ours_env = dict(env, MODEL_URI=str(project / "build/model"), PREDICTION_LOG=str(root / "predictions.jsonl"))
    ports = {name: free_port() for name in ("ours", "MLflow", "bare", "FastAPI")}
    ours_command = [sys.executable, "-m", module, "serve", "--host", "127.0.0.1", "--port", str(ports["ours"])]
    mlflow_command = [str(BIN / "mlflow"), "models", "serve", "-m", f"models:/{name}/1", "--env-manager", "local"]
    mlflow_command += ["--host", "127.0.0.1", "--port", str(ports["MLflow"])]
    bare_command = [sys.executable, str(HERE / "bare_app.py"), "--port", str(ports["bare"])]
    fastapi_command = [sys.executable, str(HERE / "bare_app.py"), "--fastapi", "--port", str(ports["FastAPI"])]
    results, runs, bodies = {"load": os.getloadavg()}, {}, {"ours": root / "ours.json", "MLflow": root / "mlflow.json"}
    paths = {"ours": "/predict", "MLflow": "/invocations", "bare": "/", "FastAPI": "/"}
    processes = {}

    def load(name: str, c: int, seconds: float, client: str = "asyncio") -> dict:
        where = (processes[name], name, ports[name], paths[name], bodies.get(name, bodies["ours"]), seconds)
        return loaded(client, *where, args.max_requests, c)

    with (
        server("our service", ours_command, project, ours_env, ports["ours"], "/ready", root / "ours.log") as ours,
        server("the bare app", bare_command, HERE, env, ports["bare"], "/", root / "bare.log") as bare,
        server("FastAPI", fastapi_command, HERE, env, ports["FastAPI"], "/", root / "fastapi.log") as constant,
    ):
        processes.update(ours=ours, bare=bare, FastAPI=constant)
        results["implementation"] = json.loads(call(ports["ours"], "GET", "/version")[1])["implementation"]
        with server("MLflow", mlflow_command, project, env, ports["MLflow"], "/ping", root / "mlflow.log") as mlflow:
            processes["MLflow"] = mlflow
            check_agreement(ports["ours"], ports["MLflow"], rows[:CHECKED])
            runs.update({("MLflow", c): load("MLflow", c, args.mlflow_seconds) for c in CONCURRENCIES})
        for c in CONCURRENCIES:  # one after the other, so a drift in the machine's load touches all three alike
            runs.update({(name, c): load(name, c, args.seconds) for name in ("bare", "FastAPI", "ours")})
        runs.update({("bare, threads", c): load("bare", c, args.client_seconds, "threads") for c in CONCURRENCIES})
        soaked = soak(ours, ports["ours"], bodies["ours"], root / "bad.json", args.soak_seconds, args.max_requests)
    results["runs"], (results["soak"], results["rss"]) = runs, soaked
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0, help="load of ours, bare app, FastAPI (default 20)")
    parser.add_argument("--mlflow-seconds", type=float, default=10.0, help="load of MLflow (default 10)")
    parser.add_argument("--client-seconds", type=float, default=5.0, help="threaded client's load (default 5)")
    parser.add_argument("--soak-seconds", type=float, default=60.0, help="soak of ours (default 60)")
    parser.add_argument("--max-requests", type=int, default=2_000_000, help="cap per load (default 2000000)")
    args = parser.parse_args()
    if min(args.seconds, args.mlflow_seconds, args.client_seconds, args.soak_seconds, args.max_requests) <= 0:
        parser.error("every duration and --max-requests must be positive")
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    names = ("mlflow", "fastapi", "uvicorn", "uvloop", "httptools", "onnxruntime")
    versions = ", ".join(f"{name} {importlib.metadata.version(name)}" for name in names)
    print(f"{platform.machine()}, nproc {cpus}, Python {platform.python_version()}, {versions}", flush=True)
    print(f"single rows; {args.seconds:g} s a load of ours, bare app, FastAPI; {args.mlflow_seconds:g} s of MLflow\n")
    with tempfile.TemporaryDirectory(prefix="cd4ml-serving-") as root:
        results = measure(Path(root), args)
    report(results, CONCURRENCIES, args.soak_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
