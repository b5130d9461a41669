"""A model the service cannot load stops `serve` with one line naming the file, exit status 2."""

import json

import pytest
import yaml
from service_support import COLUMNS, FEATURES, export, synthetic
from sklearn.linear_model import LogisticRegression

from cd4ml import input_schema
from cd4ml.__main__ import main
from cd4ml.errors import PipelineError
from cd4ml.pipeline import train
from cd4ml.serving import loading


@pytest.fixture
def folder(tmp_path):
    data = synthetic(60)
    model = train.make_model(LogisticRegression()).fit(data[FEATURES], data["species"])
    return export(tmp_path / "model", model, COLUMNS)


def damage(folder, how: str):
    model, description = folder / "model.skops", folder / "model.json"
    if how == "empty model":
        model.write_bytes(b"")
    elif how == "truncated model":
        model.write_bytes(model.read_bytes()[: model.stat().st_size // 2])
    elif how == "corrupt model":
        model.write_bytes(b"PK\x03\x04this is not a skops file" * 10)
    elif how == "bad model.json":
        description.write_text("{not json")
    elif how == "model.json not an object":
        description.write_text("[1, 2]")
    elif how == "missing model":
        model.unlink()
    return {
        "missing folder": folder / "absent",
        "not a model": folder,
    }.get(how, folder)


@pytest.mark.parametrize(
    ("how", "named"),
    [
        ("empty model", "model.skops"),
        ("truncated model", "model.skops"),
        ("corrupt model", "model.skops"),
        ("missing model", "model.skops"),
        ("bad model.json", "model.json"),
        ("model.json not an object", "model.json"),
        ("missing folder", "absent"),
    ],
)
def test_a_model_that_cannot_be_loaded_is_one_line(folder, how, named, monkeypatch, capsys):
    monkeypatch.setenv("MODEL_URI", str(damage(folder, how)))
    assert main(["serve", "--port", "1"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and error.count("\n") == 1 and named in error


def test_an_object_that_is_not_a_model_is_one_line(folder, monkeypatch, capsys):
    import skops.io

    from cd4ml import provenance, tracking

    skops.io.dump({"weights": [1, 2]}, folder / "model.skops")
    info = json.loads((folder / "model.json").read_text())
    info[tracking.ARTIFACT_HASH_TAG] = provenance.file_sha256(folder / "model.skops")
    (folder / "model.json").write_text(json.dumps(info))
    monkeypatch.setenv("MODEL_URI", str(folder))
    assert main(["serve", "--port", "1"]) == 2
    assert "not a model this service can serve" in capsys.readouterr().err


def test_an_unknown_model_uri_is_one_line(monkeypatch, capsys):
    """An unknown registered model is tested by the template, in a project with a registry."""
    monkeypatch.setenv("MODEL_URI", "gs://bucket/model")
    assert main(["serve", "--port", "1"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: MODEL_URI gs://bucket/model: no such folder")
    assert error.count("\n") == 1


def test_a_model_of_another_data_set_is_refused_before_its_request_schema_is_typed(folder, params):
    """The contract beside the model is the new data set's: its columns are not the model's."""
    other = {"sepal": {"type": "float"}, "petal": {"type": "float"}}
    (folder / "contract.yaml").write_text(yaml.safe_dump({"columns": other}))
    with pytest.raises(PipelineError, match=r"takes column 'x1' \(4 of its 4 columns are missing"):
        loading.load(params, str(folder))


def test_a_contract_that_retypes_the_models_columns_is_refused(folder, params):
    """A column once text and now a number: requests typed by the new contract mean nothing."""
    info = json.loads((folder / "model.json").read_text())
    info[input_schema.TAG] = input_schema.digest(FEATURES, COLUMNS)
    (folder / "model.json").write_text(json.dumps(info))
    assert loading.load(params, str(folder)).features == FEATURES
    retyped = {**COLUMNS, "region": {"type": "int"}}
    (folder / "contract.yaml").write_text(yaml.safe_dump({"columns": retyped}))
    with pytest.raises(PipelineError, match="recorded with other column types than"):
        loading.load(params, str(folder))
