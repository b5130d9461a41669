"""The scoring service and the drift monitor from a fresh bake, started the way the container starts them."""

import json
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import background_server, free_port, project_env, run

CLI = ("python", "-m", "breast_cancer_classifier")


@pytest.fixture(scope="module")
def exported(reproduced, tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("serving") / reproduced.name
    run(reproduced, "git", "clone", "-q", str(reproduced), str(project))
    run(project, "dvc", "repro")
    run(project, *CLI, "promote")
    assert "version 1" in run(project, *CLI, "export").stdout
    return project


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
    with background_server(command, f"{url}/ready", cwd=exported, env=env):
        yield url, log


def post(url: str, body) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_container_command_serves_what_the_offline_model_predicts(exported, service):
    url, log = service
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
    assert [prediction["probabilities"]["1"] for prediction in answer["predictions"]] == pytest.approx(
        offline, abs=1e-6
    )
    status, single = post(f"{url}/predict", test.iloc[0].to_dict())
    assert status == 200 and single["probabilities"]["1"] == pytest.approx(offline[0], abs=1e-6)
    version = json.loads(urllib.request.urlopen(f"{url}/version", timeout=5).read())
    assert version["version"] == "1" and version["git_commit"] and version["data_md5"]
    missing = post(f"{url}/predict", test.drop(columns="mean_area").iloc[0].to_dict())
    assert missing[0] == 422 and missing[1]["detail"][0]["loc"] == ["body", "mean_area"]
    assert len(log.read_text().splitlines()) == 2


def test_the_monitor_flags_shifted_traffic_and_passes_normal_traffic(exported, service, tmp_path):
    url, log = service
    data = pd.read_parquet(exported / "data/interim/dataset.parquet").drop(columns="target")
    for row in data.sample(150, random_state=0).to_dict(orient="records"):
        assert post(f"{url}/predict", row)[0] == 200
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
