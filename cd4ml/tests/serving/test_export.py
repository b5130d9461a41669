"""export --from-pipeline: this checkout's model as the folder a review app's image serves."""

import json

import pytest
from service_support import COLUMNS, FEATURES, synthetic
from sklearn.linear_model import LogisticRegression

from cd4ml import input_schema, tracking
from cd4ml.errors import PipelineError
from cd4ml.files import write_model
from cd4ml.pipeline import train
from cd4ml.provenance import file_sha256
from cd4ml.serving import export, loading

PATHS = {"model": "model.pkl", "contract": "contract.yaml", "test": "test.parquet"}


def test_the_pipeline_model_is_exported_unregistered_and_loads_through_the_verified_path(
    params, tmp_path, capsys
):
    data = synthetic(120)
    model = train.make_model(LogisticRegression()).fit(data[FEATURES], data["species"])
    write_model(model, tmp_path / "model.pkl")
    (tmp_path / "contract.yaml").write_text(json.dumps({"columns": COLUMNS}))
    paths = {"model": str(tmp_path / "model.pkl"), "contract": str(tmp_path / "contract.yaml")}
    settings = {**params, "paths": {**params["paths"], **paths}}
    export.main(settings, to=str(tmp_path / "out"), from_pipeline=True)
    assert "(not registered) ->" in capsys.readouterr().out
    info = json.loads((tmp_path / "out/model.json").read_text())
    assert info["version"] is None and info["model"] == params["mlflow"]["model_name"]
    assert info[tracking.ARTIFACT_HASH_TAG] and info["git_commit"]
    assert info[input_schema.TAG] == input_schema.digest(FEATURES, COLUMNS)
    loaded = loading.load(settings, str(tmp_path / "out"))
    assert loaded.features == FEATURES
    first = data[FEATURES].head(3)
    assert loaded.scorer.predict(first.to_dict("list")).tolist() == model.predict(first).tolist()


def test_without_a_pipeline_model_export_says_how_to_make_one(params, tmp_path):
    settings = {**params, "paths": {**params["paths"], "model": str(tmp_path / "model.pkl")}}
    with pytest.raises(PipelineError, match="model.pkl: not found; run the train stage first"):
        export.main(settings, to=str(tmp_path / "out"), from_pipeline=True)
    assert not (tmp_path / "out").exists()


def test_a_model_the_contract_does_not_describe_is_not_exported(params, tmp_path):
    """After a switch to another data set, the contract export would ship is the new one's."""
    data = synthetic(60)
    model = train.make_model(LogisticRegression()).fit(data[FEATURES], data["species"])
    write_model(model, tmp_path / "model.pkl")
    (tmp_path / "contract.yaml").write_text(json.dumps({"columns": {"petal": {"type": "float"}}}))
    paths = {"model": str(tmp_path / "model.pkl"), "contract": str(tmp_path / "contract.yaml")}
    settings = {**params, "paths": {**params["paths"], **paths}}
    with pytest.raises(PipelineError, match="takes column 'x1'.*does not describe"):
        export.main(settings, to=str(tmp_path / "out"), from_pipeline=True)
    assert not (tmp_path / "out").exists()


def test_export_writes_model_onnx_proven_on_the_whole_test_split(params, tmp_path, capsys):
    data = synthetic(300, seed=4)
    model = train.make_model(LogisticRegression()).fit(data[FEATURES], data["species"])
    write_model(model, tmp_path / "model.pkl")
    (tmp_path / "contract.yaml").write_text(json.dumps({"columns": COLUMNS}))
    synthetic(90, seed=5).to_parquet(tmp_path / "test.parquet")
    paths = {name: str(tmp_path / file) for name, file in PATHS.items()}
    settings = {**params, "paths": {**params["paths"], **paths}}
    export.main(settings, to=str(tmp_path / "out"), from_pipeline=True)
    assert "export: model.onnx answers as scikit-learn on 90 test rows" in capsys.readouterr().out
    onnx = json.loads((tmp_path / "out/model.json").read_text())["onnx"]
    assert onnx["sha256"] == file_sha256(tmp_path / "out/model.onnx")
    assert onnx["parity"]["rows"] == 90 and onnx["parity"]["largest_difference"] <= 1e-5
    assert loading.load(settings, str(tmp_path / "out")).implementation == "onnx"

    (tmp_path / "test.parquet").unlink()  # exported again without a test split: no model.onnx
    export.main(settings, to=str(tmp_path / "out"), from_pipeline=True)
    said = capsys.readouterr().out
    assert "export: no model.onnx, scikit-learn answers: no test split" in said
    assert not (tmp_path / "out/model.onnx").exists()
    loaded = loading.load(settings, str(tmp_path / "out"))
    assert loaded.implementation == "sklearn" and loaded.reason.startswith("no test split")
