import http.client
import json
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request

import numpy as np
import pytest
import skops.io
import uvicorn

from {{ cookiecutter.module_name }} import provenance, tracking
from {{ cookiecutter.module_name }}.pipeline import train
from {{ cookiecutter.module_name }}.serving import serve


@pytest.fixture(scope="module")
def exported(tmp_path_factory, params, dataset):
    """A model folder as `export` writes it, from a small forest trained here."""
    folder = tmp_path_factory.mktemp("model")
    model = train.train(
        dataset, "target", train.make_classifier("random_forest", {"n_estimators": 20}, 0)
    )
    skops.io.dump(model, folder / "model.skops")
    sha256 = provenance.file_sha256(folder / "model.skops")
    info = {"model": "test-model", "version": "7", tracking.ARTIFACT_HASH_TAG: sha256}
    (folder / "model.json").write_text(json.dumps(info))
    shutil.copy(params["paths"]["contract"], folder / "contract.yaml")
    return folder, model


@pytest.fixture(scope="module")
def service(params, exported, tmp_path_factory):
    """The app on a real uvicorn server on 127.0.0.1, in a thread, stopped afterwards."""
    log = tmp_path_factory.mktemp("logs") / "predictions.jsonl"
    app = serve.create_app(params, str(exported[0]), str(log))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", log
    server.should_exit = True
    thread.join(timeout=10)


def call(url: str, body: object = None, raw: bytes | None = None) -> tuple[int, dict]:
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def announced_length(url: str, length: int) -> int:
    """The status for a POST whose headers announce a body of this size; the body is never sent."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("POST", "/predict")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(length))
    connection.endheaders()
    status = connection.getresponse().status
    connection.close()
    return status


@pytest.fixture
def rows(dataset) -> list[dict]:
    return dataset.drop(columns="target").head(5).to_dict(orient="records")


def test_answers_equal_the_offline_model(service, exported, dataset, rows):
    url, _ = service
    model = exported[1]
    expected = model.predict_proba(dataset.drop(columns="target").head(5))
    status, single = call(f"{url}/predict", rows[0])
    assert status == 200
    assert single["probabilities"]["1"] == pytest.approx(expected[0][1], abs=1e-6)
    status, batch = call(f"{url}/predict/batch", {"instances": rows})
    assert status == 200
    assert [answer["prediction"] for answer in batch["predictions"]] == list(
        model.classes_[expected.argmax(1)]
    )
    assert np.allclose(
        [answer["probabilities"]["0"] for answer in batch["predictions"]], expected[:, 0], atol=1e-6
    )


def test_health_ready_and_version(service):
    url, _ = service
    assert call(f"{url}/health") == (200, {"status": "alive"})
    assert call(f"{url}/ready") == (200, {"ready": True})
    status, version = call(f"{url}/version")
    assert status == 200 and version["model"] == "test-model" and version["version"] == "7"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda row: {key: value for key, value in row.items() if key != "mean_area"}, "mean_area"),
        (lambda row: {**row, "patient_id": 3}, "patient_id"),
        (lambda row: {**row, "mean_area": "large"}, "mean_area"),
    ],
    ids=["missing", "unknown", "wrong-type"],
)
def test_a_bad_field_is_a_422_that_names_it(service, rows, change, field):
    status, answer = call(f"{service[0]}/predict", change(rows[0]))
    assert status == 422
    assert answer["detail"][0]["loc"] == ["body", field]


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_422(service, rows, value):
    body = json.dumps({**rows[0], "mean_area": 12345.678}).replace("12345.678", value).encode()
    status, answer = call(f"{service[0]}/predict", raw=body)
    assert status == 422 and answer["detail"][0]["loc"] == ["body", "mean_area"]


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
def test_oversized_bodies_and_odd_input_never_give_a_500(service, rows):
    url, _ = service
    assert announced_length(url, 2_000_000) == 413
    for raw in (
        b"",
        b"not json",
        b"[]",
        b"null",
        b'{"instances": []}',
        json.dumps([rows[0]]).encode(),
    ):
        assert call(f"{url}/predict", raw=raw)[0] == 422, raw
        assert call(f"{url}/predict/batch", raw=raw)[0] == 422, raw
    assert call(f"{url}/predict", {**rows[0], "mean_area": 1.7e308})[0] == 422


def test_every_request_is_one_json_line_in_the_log(service, rows):
    url, log = service
    before = len(log.read_text().splitlines()) if log.exists() else 0
    call(f"{url}/predict/batch", {"instances": rows[:2]})
    record = json.loads(log.read_text().splitlines()[before])
    assert set(record) == {"time", "id", "model_version", "inputs", "outputs", "latency_ms"}
    assert len(record["inputs"]) == len(record["outputs"]) == 2
    assert record["model_version"] == "7"


def test_concurrent_requests_are_batched_and_each_gets_its_own_answer(service, dataset):
    url, _ = service
    features = dataset.drop(columns="target")
    answers = [None] * 16

    def ask(position: int) -> None:
        answers[position] = call(f"{url}/predict", features.iloc[position].to_dict())[1]

    threads = [threading.Thread(target=ask, args=(position,)) for position in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    singles = [
        call(f"{url}/predict", features.iloc[position].to_dict())[1] for position in range(16)
    ]
    assert answers == singles
