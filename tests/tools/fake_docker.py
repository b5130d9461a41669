"""A stand-in for the docker client, for rehearsals on a machine with no docker engine.

It knows the commands `make review-app` and `make image` give: `build` checks what the Dockerfile
copies and writes an image ID; `run` starts the Dockerfile's CMD on 127.0.0.1 at the published port,
in the build context, with the model folder the image would hold; `logs` and `stop`. State (images,
processes, logs) lives in $FAKE_DOCKER_STATE. Anything else is an error, so a new use is noticed.
"""

import argparse
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

STATE = Path(os.environ.get("FAKE_DOCKER_STATE", "/nonexistent"))


def build(args: argparse.Namespace) -> None:
    context = Path(args.context).resolve()
    dockerfile = (context / "Dockerfile").read_text()
    model = context / "build/model/model.skops"
    if not model.exists():
        sys.exit("fake docker: COPY build/model: no model.skops (run export first)")
    for line in dockerfile.splitlines():
        sources = line.split()[1:-1] if line.startswith("COPY ") else []
        missing = [source for source in sources if not (context / source).exists()]
        if missing:
            sys.exit(f"fake docker: {line}: {missing[0]} not found")
    image_id = "sha256:" + hashlib.sha256(dockerfile.encode() + model.read_bytes()).hexdigest()
    if args.iidfile:
        Path(args.iidfile).write_text(image_id)
    images = json.loads((STATE / "images.json").read_text()) if (STATE / "images.json").exists() else {}
    images[args.tag] = str(context)
    (STATE / "images.json").write_text(json.dumps(images))


def container_command(context: Path, port: str) -> list[str]:
    line = next(line for line in (context / "Dockerfile").read_text().splitlines() if line.startswith("CMD "))
    command = json.loads(line.removeprefix("CMD "))
    return [{"0.0.0.0": "127.0.0.1", "8000": port}.get(part, part) for part in command]


def run(args: argparse.Namespace) -> None:
    context = Path(json.loads((STATE / "images.json").read_text())[args.image])
    port, _, inside = args.publish.partition(":")
    assert inside == "8000", "the image serves on 8000"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "MODEL_URI": str(context / "build/model"),
        "MLFLOW_ALLOW_PICKLE_DESERIALIZATION": "false",
    }
    with open(STATE / f"{args.name}.log", "w") as log:
        process = subprocess.Popen(container_command(context, port), cwd=context, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    (STATE / f"{args.name}.pid").write_text(str(process.pid))
    print(f"{process.pid:064x}")


def logs(args: argparse.Namespace) -> None:
    lines = (STATE / f"{args.name}.log").read_text().splitlines()
    print("\n".join(lines[-args.tail :]))


def alive(pid: int) -> bool:
    """Whether the process still runs (not a child of this process, so it is polled)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not status.exists() or status.read_text().split(") ")[1][0] != "Z"


def stop(args: argparse.Namespace) -> None:
    pid_file = STATE / f"{args.name}.pid"
    pid = int(pid_file.read_text())
    for sent in (signal.SIGTERM, signal.SIGKILL):  # as docker stop: SIGTERM, then SIGKILL after 10 s
        try:
            os.killpg(pid, sent)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and alive(pid):
            time.sleep(0.1)
        if not alive(pid):
            break
    pid_file.unlink()
    print(args.name)


def main() -> None:
    parser = argparse.ArgumentParser(prog="docker")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("build")
    command.add_argument("--iidfile")
    command.add_argument("-t", dest="tag", required=True)
    command.add_argument("context")
    command = commands.add_parser("run")
    for flag in ("--detach", "--rm"):
        command.add_argument(flag, action="store_true")
    command.add_argument("--name", required=True)
    command.add_argument("--publish", required=True)
    command.add_argument("image")
    command = commands.add_parser("logs")
    command.add_argument("--tail", type=int, default=40)
    command.add_argument("name")
    command = commands.add_parser("stop")
    command.add_argument("name")
    args = parser.parse_args()
    {"build": build, "run": run, "logs": logs, "stop": stop}[args.command](args)


if __name__ == "__main__":
    main()
