"""The service on the project's own data and contract, on a real uvicorn server."""

import json
import threading
from pathlib import Path

import numpy as np
import pytest
import yaml
from service_support import as_sent, call, export, log_lines, running

from cd4ml import estimators
from cd4ml.pipeline import featurize, train
from cd4ml.serving import app as service_app


@pytest.fixture(scope="module")
def target(params) -> str:
    return params["ingest"]["target"]


@pytest.fixture(scope="module")
def labelled(current, target):
    """The project's own data set, the rows with a label."""
    return current.dropna(subset=[target])


@pytest.fixture(scope="module")
def features(params, labelled, target):
    """The columns the project's model is trained on: contract.yaml's features."""
    return labelled.drop(columns=[*featurize.columns_to_drop(params, labelled.columns), target])


@pytest.fixture(scope="module")
def columns(params) -> dict:
    return yaml.safe_load(Path(params["paths"]["contract"]).read_text())["columns"]


@pytest.fixture(scope="module")
def number(columns, features) -> str:
    """A number feature of the contract, to send odd values in."""
    numbers = [name for name in features if columns.get(name, {}).get("type") in ("float", "int")]
    if not numbers:
        pytest.skip("contract.yaml has no number feature to send odd values in")
    return numbers[0]


@pytest.fixture(scope="module")
def exported(tmp_path_factory, columns, labelled, features, target, task):
    """A model folder as `export` writes it, from a small forest trained on the project's data."""
    estimator = estimators.make_estimator(task, "random_forest", {"n_estimators": 20}, 0)
    model = train.train(labelled[[*features.columns, target]], target, estimator)
    return export(tmp_path_factory.mktemp("model"), model, columns), model


@pytest.fixture(scope="module")
def service(params, exported, tmp_path_factory):
    log = tmp_path_factory.mktemp("logs") / "predictions.jsonl"
    with running(service_app.create_app(params, str(exported[0]), str(log))) as url:
        yield url, log


@pytest.fixture
def rows(features) -> list[dict]:
    return as_sent(features.head(5))


def test_answers_equal_the_offline_model(service, exported, features, rows):
    url, _ = service
    model = exported[1]
    status, single, _ = call(f"{url}/predict", rows[0])
    assert status == 200
    status, batch, _ = call(f"{url}/predict/batch", {"instances": rows})
    assert status == 200
    answers = batch["predictions"]
    expected = model.predict(features.head(5)).tolist()
    if not hasattr(model, "predict_proba"):  # a regression model: numbers
        assert [answer["prediction"] for answer in [single, *answers]] == pytest.approx(
            expected[:1] + expected
        )
        return
    assert [answer["prediction"] for answer in [single, *answers]] == expected[:1] + expected
    names = [str(label) for label in model.classes_]
    got = [[answer["probabilities"][name] for name in names] for answer in answers]
    assert np.allclose(got, model.predict_proba(features.head(5)), atol=1e-6)


def test_health_ready_and_version(service):
    url, _ = service
    assert call(f"{url}/health")[:2] == (200, {"status": "alive"})
    assert call(f"{url}/ready")[:2] == (200, {"ready": True})
    status, version, _ = call(f"{url}/version")
    assert status == 200 and version["model"] == "test-model" and version["version"] == "7"


def test_a_bad_field_is_a_422_that_names_it(service, rows, number):
    url, _ = service
    row = rows[0]
    for body, field in (
        ({key: value for key, value in row.items() if key != number}, number),
        ({**row, "not_a_feature": 3}, "not_a_feature"),
        ({**row, number: "large"}, number),
        ({**row, number: True}, number),  # strict: a boolean is not a number
        ({**row, number: "  12 "}, number),  # strict: neither is a string of digits
        ({**row, number: 1e39}, number),  # beyond float32, which tree models compute in
        ({**row, number: 1.7e308}, number),
    ):
        status, answer, _ = call(f"{url}/predict", body)
        assert status == 422, body
        assert answer["detail"][0]["loc"] == ["body", field]


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_422(service, rows, number, value):
    body = json.dumps({**rows[0], number: 12345.678}).replace("12345.678", value).encode()
    status, answer, _ = call(f"{service[0]}/predict", raw=body)
    assert status == 422 and answer["detail"][0]["loc"] == ["body", number]


def test_odd_input_is_a_documented_error_never_a_500(service, rows):
    url, _ = service
    for raw in (b"", b"not json", b"[]", b"null", b'{"instances": []}', b"\xff\xfe"):
        for path in ("/predict", "/predict/batch"):
            status, answer, _ = call(f"{url}{path}", raw=raw)
            assert status in (400, 422), (path, raw)
            assert isinstance(answer["detail"], list) and {"loc", "msg", "type"} <= set(
                answer["detail"][0]
            )
    assert call(f"{url}/predict", raw=json.dumps([rows[0]]).encode())[0] == 422


def test_every_request_is_one_json_line_in_the_log(service, rows):
    url, log = service
    before = len(log_lines(log, 0))
    _, _, headers = call(f"{url}/predict/batch", {"instances": rows[:2]})
    _, _, kept = call(f"{url}/predict", rows[0], headers={"X-Request-Id": "order-17.a_b"})
    _, _, replaced = call(f"{url}/predict", rows[0], headers={"X-Request-Id": "x" * 129})
    _, _, odd = call(f"{url}/predict", rows[0], headers={"X-Request-Id": "a b<script>"})
    lines = log_lines(log, before + 4)[before:]
    assert set(lines[0]) == {"time", "id", "model_version", "inputs", "outputs", "latency_ms"}
    assert len(lines[0]["inputs"]) == len(lines[0]["outputs"]) == 2
    assert lines[0]["model_version"] == "7" and lines[0]["id"] == headers["x-request-id"]
    assert [line["id"] for line in lines[1:]] == [
        "order-17.a_b",
        replaced["x-request-id"],
        odd["x-request-id"],
    ]
    assert len(replaced["x-request-id"]) == 32 and odd["x-request-id"].isalnum()


def test_concurrent_requests_are_batched_and_each_gets_its_own_answer(service, features):
    url, _ = service
    rows = as_sent(features.head(16))
    answers = [None] * 16

    def ask(position: int) -> None:
        answers[position] = call(f"{url}/predict", rows[position])[1]

    threads = [threading.Thread(target=ask, args=(position,)) for position in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert answers == [call(f"{url}/predict", row)[1] for row in rows]


def test_the_openapi_document_lists_every_error_with_one_model_and_docs_are_off(service):
    url, _ = service
    status, document, _ = call(f"{url}/openapi.json")
    assert status == 200
    for path in ("/predict", "/predict/batch"):
        responses = document["paths"][path]["post"]["responses"]
        assert {"400", "408", "411", "413", "422", "500"} <= set(responses)
        schemas = {
            responses[code]["content"]["application/json"]["schema"]["$ref"]
            for code in responses
            if code != "200"
        }
        assert schemas == {"#/components/schemas/ErrorBody"}
    for page in ("/docs", "/redoc"):
        assert call(f"{url}{page}")[0] == 404
