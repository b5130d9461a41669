"""Any tabular task: string, boolean and integer labels, regression, and one request that breaks
the model never failing the others."""

import asyncio
import json
import threading

import pytest
from service_support import COLUMNS, FEATURES, Fragile, call, export, running, synthetic
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

from cd4ml import input_schema
from cd4ml.pipeline import train
from cd4ml.serving import app as service_app
from cd4ml.serving import batching
from cd4ml.serving.frame_scorer import frame_scorer


@pytest.fixture(scope="module")
def data():
    return synthetic(300)


def serve_model(params, folder, model):
    return running(service_app.create_app(params, str(export(folder, model, COLUMNS)), "-"))


@pytest.mark.parametrize(("target", "kind"), [("species", str), ("flag", bool), ("grade", int)])
def test_labels_come_back_as_the_json_type_they_have(params, data, tmp_path, target, kind):
    model = train.make_model(RandomForestClassifier(n_estimators=10, random_state=0))
    model.fit(data[FEATURES], data[target])
    rows = json.loads(data[FEATURES].head(8).to_json(orient="records"))
    with serve_model(params, tmp_path, model) as url:
        status, answer, _ = call(f"{url}/predict/batch", {"instances": rows})
    assert status == 200
    predicted = [item["prediction"] for item in answer["predictions"]]
    assert predicted == model.predict(data[FEATURES].head(8)).tolist()
    assert all(type(value) is kind for value in predicted)
    labels = {str(label) for label in model.classes_}
    assert all(set(item["probabilities"]) == labels for item in answer["predictions"])


def test_a_regression_model_answers_a_number(params, data, tmp_path):
    model = train.make_model(RandomForestRegressor(n_estimators=10, random_state=0))
    model.fit(data[FEATURES], data["amount"])
    rows = json.loads(data[FEATURES].head(8).to_json(orient="records"))
    with serve_model(params, tmp_path, model) as url:
        status, answer, _ = call(f"{url}/predict/batch", {"instances": rows})
        single = call(f"{url}/predict", rows[0])[1]
    assert status == 200
    expected = model.predict(data[FEATURES].head(8))
    assert [item["prediction"] for item in answer["predictions"]] == pytest.approx(expected)
    assert single == {"prediction": pytest.approx(expected[0])}


def test_categories_outside_the_contract_are_refused_and_listed_in_the_schema(
    params, data, tmp_path
):
    model = train.make_model(RandomForestClassifier(n_estimators=5, random_state=0))
    model.fit(data[FEATURES], data["species"])
    row = json.loads(data[FEATURES].head(1).to_json(orient="records"))[0]
    with serve_model(params, tmp_path, model) as url:
        status, answer, _ = call(f"{url}/predict", {**row, "region": "west"})
        document = call(f"{url}/openapi.json")[1]
    assert status == 422 and answer["detail"][0]["loc"] == ["body", "region"]
    assert document["components"]["schemas"]["Features"]["properties"]["region"]["enum"] == [
        "north",
        "south",
        "east",
    ]


def test_a_poisoned_request_fails_alone_among_concurrent_valid_ones(
    params, data, tmp_path, monkeypatch
):
    """A schema-valid value that breaks the model fails its own request only, with a JSON 500."""
    model = train.make_model(RandomForestClassifier(n_estimators=20, random_state=0))
    model = Fragile(model.fit(data[FEATURES], data["species"]))
    # The verified loader refuses a class it does not trust, rightly; this test is about scoring.
    scorer = frame_scorer(model, input_schema.dtypes(list(FEATURES), COLUMNS))
    loaded = service_app.Loaded(scorer, {"model": "test-model"}, COLUMNS, list(FEATURES))
    monkeypatch.setattr(service_app, "load", lambda params, source: loaded)
    rows = json.loads(data[FEATURES].head(40).to_json(orient="records"))
    poison = {**rows[0], "x1": Fragile.poison}
    answers: list[dict] = []
    results: list[tuple[str, int]] = []

    def client(kind: str, body: dict) -> None:
        for _ in range(10):
            status, answer, _ = call(f"{url}/predict", body)
            results.append((kind, status))
            answers.extend([answer] if kind == "poison" else [])

    with serve_model(params, tmp_path, model) as url:
        clients = [threading.Thread(target=client, args=("poison", poison))]
        clients += [threading.Thread(target=client, args=("valid", row)) for row in rows[:8]]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join(timeout=60)
        still_ready = call(f"{url}/ready")[0]
    assert [status for kind, status in results if kind == "valid"] == [200] * 80
    assert [status for kind, status in results if kind == "poison"] == [500] * 10
    assert "internals" not in json.dumps(answers) and answers[0]["detail"][0]["type"]
    assert still_ready == 200


def test_a_number_too_large_for_the_model_once_scaled_is_refused_by_the_schema(
    params, data, tmp_path
):
    """tiny has a standard deviation of 0.01: 1e37 becomes about 1e39 once scaled, past float32."""
    model = train.make_model(RandomForestClassifier(n_estimators=5, random_state=0))
    model.fit(data[FEATURES], data["species"])
    row = json.loads(data[FEATURES].head(1).to_json(orient="records"))[0]
    with serve_model(params, tmp_path, model) as url:
        status, answer, _ = call(f"{url}/predict", {**row, "tiny": 1e37})
        assert call(f"{url}/predict", {**row, "tiny": 1e30})[0] == 200
    assert status == 422 and answer["detail"][0]["loc"] == ["body", "tiny"]


class Exploding:
    """A model that fails with an error that is not about its input."""

    classes_ = ["a", "b"]

    def predict_proba(self, columns):
        if any(value < 0 for value in columns["x1"]):
            raise RuntimeError("/secret/path/model.pkl: internal state broken")
        return [[0.25, 0.75]] * len(columns["x1"])


def test_a_model_failure_fails_only_its_request_and_the_batcher_survives():
    async def scenario():
        batcher = batching.Batcher(Exploding(), list(FEATURES), max_rows=64, window_ms=5)
        task = asyncio.create_task(batcher.run())
        good = {"x1": 1.0, "tiny": 0.0, "region": "north", "count": 1}
        answers = await asyncio.gather(
            batcher.score([good]),
            batcher.score([{**good, "x1": -1.0}]),
            batcher.score([good, good]),
            return_exceptions=True,
        )
        later = await batcher.score([good])
        alive = not task.done()
        task.cancel()
        return answers, later, alive

    answers, later, alive = asyncio.run(scenario())
    assert answers[0] == [{"prediction": "b", "probabilities": {"a": 0.25, "b": 0.75}}]
    assert isinstance(answers[1], batching.ScoringError) and answers[1].status == 500
    assert "secret" not in str(answers[1])
    assert len(answers[2]) == 2 and later == answers[0] and alive
