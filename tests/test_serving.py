"""The scoring service and the drift monitor from a fresh bake, started the way the container starts them."""

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import CLI, VENV_BIN, background_server, copy_project, free_port, project_env, run

pytestmark = pytest.mark.slow  # a full pipeline run or more; `make test-fast` leaves it out

BODY_TIMEOUT = 2  # serve.body_timeout_seconds in these tests


@pytest.fixture(scope="module")
def exported(reproduced, tmp_path_factory) -> Path:
    """The reproduced bake's model promoted and exported, as the container image would hold it."""
    project = copy_project(reproduced, tmp_path_factory.mktemp("serving"))
    run(project, *CLI, "promote")
    said = run(project, *CLI, "export").stdout
    assert "version 1" in said and "export: model.onnx answers as scikit-learn on" in said
    params = project / "params.yaml"
    params.write_text(params.read_text().replace("body_timeout_seconds: 10", f"body_timeout_seconds: {BODY_TIMEOUT}"))
    return project


def log_lines(log: Path, count: int) -> list[str]:
    """The prediction log once it has count lines: a thread writes them after each answer."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and (len(log.read_text().splitlines()) if log.exists() else 0) < count:
        time.sleep(0.1)
    return log.read_text().splitlines()


def container_command(project: Path) -> list[str]:
    """The Dockerfile's CMD, which the tests run as it is, on another port."""
    line = next(line for line in (project / "Dockerfile").read_text().splitlines() if line.startswith("CMD "))
    return json.loads(line.removeprefix("CMD "))


@pytest.fixture
def service(exported, tmp_path):
    port = free_port()
    command = [part if part != "8000" else str(port) for part in container_command(exported)]
    command = [part if part != "0.0.0.0" else "127.0.0.1" for part in command]
    log = tmp_path / "predictions.jsonl"
    env = {**project_env(exported), "MODEL_URI": str(exported / "build/model"), "PREDICTION_LOG": str(log)}
    url = f"http://127.0.0.1:{port}"
    with background_server(command, f"{url}/ready", cwd=exported, env=env) as process:
        yield url, log, process.pid


def post(url: str, body) -> tuple[int, dict]:
    """POST body as JSON, or GET when body is None; (0, {}) while nothing listens."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    except OSError:
        return 0, {}


def test_the_container_command_serves_what_the_offline_model_predicts(exported, service):
    url, log, _ = service
    test = pd.read_parquet(exported / "data/processed/test.parquet").drop(columns="target")
    offline = json.loads(
        run(
            exported,
            "python",
            "-c",
            (
                "import joblib, pandas as pd, json;"
                "m = joblib.load('models/model.pkl');"
                "x = pd.read_parquet('data/processed/test.parquet').drop(columns='target');"
                "print(json.dumps(m.predict_proba(x)[:, 1].round(6).tolist()))"
            ),
        ).stdout
    )
    status, answer = post(f"{url}/predict/batch", {"instances": test.to_dict(orient="records")})
    assert status == 200
    # ONNX answers a forest's probabilities in float32: rounded to six decimals, one may end a step away
    assert [prediction["probabilities"]["1"] for prediction in answer["predictions"]] == pytest.approx(
        offline, abs=2e-6
    )
    status, single = post(f"{url}/predict", test.iloc[0].to_dict())
    assert status == 200 and single["probabilities"]["1"] == pytest.approx(offline[0], abs=2e-6)
    version = json.loads(urllib.request.urlopen(f"{url}/version", timeout=5).read())
    assert version["version"] == "1" and version["git_commit"] and version["data_md5"]
    assert version["implementation"] == "onnx"  # the bake's random forest, proven at export
    missing = post(f"{url}/predict", test.drop(columns="mean_area").iloc[0].to_dict())
    assert missing[0] == 422 and missing[1]["detail"][0]["loc"] == ["body", "mean_area"]
    assert len(log_lines(log, 2)) == 2


def test_the_monitor_flags_shifted_traffic_and_passes_normal_traffic(exported, service, tmp_path):
    url, log, _ = service
    data = pd.read_parquet(exported / "data/interim/dataset.parquet").drop(columns="target")
    for row in data.sample(150, random_state=0).to_dict(orient="records"):
        assert post(f"{url}/predict", row)[0] == 200
    assert len(log_lines(log, 150)) == 150
    normal = run(exported, *CLI, "monitor", "--logs", str(log))
    assert "no drift" in normal.stdout
    report = json.loads((exported / "reports/monitoring.json").read_text())
    assert report["passed"] is True and report["rows"] == 150
    assert (exported / "reports/monitoring.png").stat().st_size > 1000

    shifted_log = tmp_path / "shifted"
    shifted_log.mkdir()
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    for line in lines:
        line["inputs"] = [{**row, "mean_texture": row["mean_texture"] * 1.6} for row in line["inputs"]]
    (shifted_log / "day1.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    drifted = run(exported, *CLI, "monitor", "--logs", str(shifted_log), check=False)
    assert drifted.returncode == 1
    assert drifted.stderr.startswith("error: column 'mean_texture': PSI is")
    assert drifted.stderr.rstrip().endswith("consider retraining")


def test_the_container_and_kubernetes_files_agree_with_the_service(exported):
    command = container_command(exported)
    assert command == ["python", "-m", "breast_cancer_classifier", "serve", "--host", "0.0.0.0", "--port", "8000"]
    dockerfile = (exported / "Dockerfile").read_text()
    assert "USER service" in dockerfile and "HEALTHCHECK" in dockerfile
    assert "FROM python:3.11-slim-bookworm" in dockerfile
    deployment, service = yaml.safe_load_all((exported / "k8s.yaml").read_text())
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert service["spec"]["ports"][0]["targetPort"] == container["ports"][0]["containerPort"] == 8000


LEFT_OUT = {"pandas", "scikit-learn", "scipy", "mlflow", "dvc", "pyarrow", "pandera", "skl2onnx", "onnx"}


def image_install(project: Path, python: Path) -> list[str]:
    """The Dockerfile's `uv pip install` of the service, into python's environment, not the system's."""
    words = re.search(r"uv pip install ([^&\\]+)", (project / "Dockerfile").read_text()).group(1).split()
    copied = {"serving-overrides.txt": "build/model/serving-overrides.txt"}  # as the Dockerfile copies it
    # --reinstall-package: uv would reuse an earlier build of the library's folder from its cache
    uv = [str(VENV_BIN / "uv"), "pip", "install", "--quiet", "--reinstall-package", "cd4ml"]
    return [*uv, "--python", str(python)] + [copied.get(word, word) for word in words if word != "--system"]


def test_the_image_holds_only_what_the_compiled_model_needs_and_serves_from_it(exported, service, tmp_path):
    """The service's environment as the Dockerfile installs it, in a fresh virtual environment: no
    pandas, scikit-learn, MLflow or DVC, and the same answers as the full environment's service."""
    url = service[0]
    python = tmp_path / "image/bin/python"
    uv = str(VENV_BIN / "uv")
    subprocess.run([uv, "venv", "--quiet", "--python", str(VENV_BIN / "python"), str(python.parents[1])], check=True)
    installed = subprocess.run(image_install(exported, python), cwd=exported, capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    listed = subprocess.run([uv, "pip", "list", "--python", str(python), "--format", "json"],
                            capture_output=True, text=True, check=True).stdout  # fmt: skip
    names = {re.sub(r"[-_.]+", "-", package["name"]).lower() for package in json.loads(listed)}
    assert not names & LEFT_OUT and {"cd4ml", "onnxruntime", "fastapi", "uvicorn"} <= names
    port = free_port()
    command = [{"python": str(python), "0.0.0.0": "127.0.0.1", "8000": str(port)}.get(part, part)
               for part in container_command(exported)]  # fmt: skip
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "MODEL_URI": str(exported / "build/model")}
    rows = json.loads(pd.read_parquet(exported / "data/processed/test.parquet").drop(columns="target")
                      .head(20).to_json(orient="records"))  # fmt: skip
    with background_server(command, f"http://127.0.0.1:{port}/ready", cwd=exported, env=env):
        lean = f"http://127.0.0.1:{port}"
        assert post(f"{lean}/version", None)[1]["implementation"] == "onnx"
        answers = post(f"{lean}/predict/batch", {"instances": rows})
        assert post(f"{lean}/predict", {**rows[0], "mean_radius": "wide"})[0] == 422
    assert answers == post(f"{url}/predict/batch", {"instances": rows})


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]) / 1024


def raw_request(url: str, head: bytes, chunks, pause: float = 0.0) -> int:
    """Send a hand-made request over a socket, stopping when the server closes; the answer's status."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(head)
        for chunk in chunks:
            try:
                connection.sendall(chunk)
            except OSError:  # the server answered and closed
                break
            time.sleep(pause)
        answer = connection.recv(65536)
    return int(answer.split()[1])


def chunked(megabytes: int):
    piece = b"1" * 65536
    return (b"%x\r\n%s\r\n" % (len(piece), piece) for _ in range(megabytes * 16))


def head(framing: bytes) -> bytes:
    return b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + framing + b"\r\n"


def test_a_chunked_body_with_a_lying_content_length_is_refused_and_memory_stays_flat(service):
    """The probe of issue #12: a chunked body announced as 5 bytes; 64 MB of it must not be read into memory."""
    url, _, pid = service
    before = rss_mb(pid)
    # httptools, which the service uses, refuses the mixed framing itself (400); plain chunks are counted.
    assert raw_request(url, head(b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"), chunked(64)) in (400, 413)
    assert raw_request(url, head(b"Transfer-Encoding: chunked\r\n"), chunked(64)) == 413
    assert rss_mb(pid) < before + 20


def test_a_slow_body_gets_408_within_the_timeout(service):
    url, _, _ = service
    started = time.monotonic()
    assert raw_request(url, head(b"Content-Length: 500\r\n"), [b'{"mean', b"_radius"], pause=0.5) == 408
    assert time.monotonic() - started < BODY_TIMEOUT + 2


def test_a_stalled_request_head_is_closed_within_the_timeout(service):
    """A slow-header client, half a request line and then nothing, does not hold its connection."""
    url, _, _ = service
    with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=BODY_TIMEOUT + 5) as stalled:
        stalled.sendall(b"POST /predict HT")
        started = time.monotonic()
        assert stalled.recv(1) == b""
        assert time.monotonic() - started < BODY_TIMEOUT + 2


def test_sigterm_stops_the_service_within_5_seconds_even_mid_request(exported):
    port = free_port()
    env = {**project_env(exported), "MODEL_URI": str(exported / "build/model"), "PREDICTION_LOG": "-"}
    process = subprocess.Popen([*CLI, "serve", "--port", str(port)], cwd=exported, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while post(f"http://127.0.0.1:{port}/ready", None)[0] != 200:
            assert process.poll() is None and time.monotonic() < deadline, "the service did not start"
            time.sleep(0.3)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as hanging:
            hanging.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 900\r\n\r\n{")
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)
            assert time.monotonic() - started < 5
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_an_unknown_registered_model_stops_serve_with_one_line(exported):
    env_model = {"MODEL_URI": "models:/no-such-model@champion"}
    result = subprocess.run(
        [*CLI, "serve"], cwd=exported, env={**project_env(exported), **env_model}, capture_output=True, text=True
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("error: MODEL_URI models:/no-such-model@champion: ")


def test_schemathesis_finds_no_server_error_and_no_schema_violation(service, tmp_path):
    url, _, _ = service
    result = subprocess.run(
        ["schemathesis", "run", f"{url}/openapi.json", "--max-examples", "25", "--request-timeout", "10"],
        cwd=tmp_path,  # its example database and crash cache, not in the template's folder
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"},
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "No issues found" in result.stdout


OWN_MODEL = """
import json, sys
from pathlib import Path
import yaml
from sklearn import datasets
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
import skops.io
from cd4ml import provenance, tracking
from cd4ml.pipeline import train

kind, folder = sys.argv[1], Path(sys.argv[2])
if kind == "species":
    data = datasets.load_iris(as_frame=True)
    features, target = data.data, data.target.map(dict(enumerate(data.target_names)))
    estimator = RandomForestClassifier(n_estimators=20, random_state=0)
else:
    data = datasets.load_diabetes(as_frame=True)
    features, target = data.data, data.target
    estimator = RandomForestRegressor(n_estimators=20, random_state=0)
features.columns = [name.replace(" (cm)", "").replace(" ", "_") for name in features.columns]
model = train.make_model(estimator).fit(features, target)
folder.mkdir(parents=True)
skops.io.dump(model, folder / "model.skops")
sha256 = provenance.file_sha256(folder / "model.skops")
(folder / "model.json").write_text(json.dumps({"model": kind, "version": "1", tracking.ARTIFACT_HASH_TAG: sha256}))
columns = {name: {"type": "float"} for name in features.columns}
(folder / "contract.yaml").write_text(yaml.safe_dump({"columns": columns}))
rows = json.loads(features.head(10).to_json(orient="records"))  # the numbers as JSON has them
expected = model.predict(features.head(0).__class__.from_records(rows, columns=features.columns))
print(json.dumps({"rows": rows, "expected": expected.tolist()}))
"""


@pytest.mark.parametrize("kind", ["species", "regression"])
def test_a_string_label_multiclass_model_and_a_regression_model_are_served(exported, tmp_path, kind):
    """Models of other tasks, trained with the project's own pipeline and served by its CLI."""
    folder = tmp_path / "model"
    case = json.loads(run(exported, "python", "-c", OWN_MODEL, kind, str(folder)).stdout)
    port = free_port()
    env = {**project_env(exported), "MODEL_URI": str(folder), "PREDICTION_LOG": str(tmp_path / "log.jsonl")}
    url = f"http://127.0.0.1:{port}"
    with background_server([*CLI, "serve", "--port", str(port)], f"{url}/ready", cwd=exported, env=env):
        status, answer = post(f"{url}/predict/batch", {"instances": case["rows"]})
        single = post(f"{url}/predict", case["rows"][0])
    assert status == 200 and single[0] == 200
    predicted = [item["prediction"] for item in answer["predictions"]]
    if kind == "species":
        assert predicted == case["expected"] and set(predicted) <= {"setosa", "versicolor", "virginica"}
        assert set(single[1]["probabilities"]) == {"setosa", "versicolor", "virginica"}
    else:
        assert predicted == pytest.approx(case["expected"]) and "probabilities" not in single[1]
