import json

import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from cd4ml import input_frame, input_schema, provenance, tracking
from cd4ml.batch import predict
from cd4ml.errors import PipelineError
from cd4ml.scoring import scored_rows


@pytest.fixture
def rows(dataset) -> pd.DataFrame:
    """The bundled features, and a column of doubles that a rounding writer would change."""
    generator = np.random.default_rng(7)
    size = len(dataset)
    awkward = generator.choice([-1, 1], size) * generator.random(size)
    awkward *= 10.0 ** generator.integers(-300, 300, size)
    return dataset.drop(columns="target").fillna(0).assign(awkward=awkward)


@pytest.fixture
def model(dataset, task, monkeypatch):
    """A small fitted model on the numeric features, standing in for the champion."""
    features = dataset.drop(columns="target").select_dtypes("number").fillna(0)
    estimator = LogisticRegression() if task == "classification" else LinearRegression()
    fitted = make_pipeline(StandardScaler(), estimator).fit(features, dataset["target"])
    declared = input_schema.dtypes(list(features.columns), {})  # float64, as no contract says
    monkeypatch.setattr(predict, "champion", lambda params, folder: (fitted, declared))
    return fitted, declared


@pytest.fixture
def source(rows, tmp_path):
    """The input as parquet, so its doubles reach predict exactly."""
    rows.to_parquet(tmp_path / "new.parquet", index=False)
    return tmp_path / "new.parquet"


def test_a_csv_output_is_csv_and_reads_back_exactly_what_parquet_holds(params, model, source):
    as_csv, as_parquet = source.with_name("scored.csv"), source.with_name("scored.parquet")
    predict.main(params, str(source), str(as_csv))
    predict.main(params, str(source), str(as_parquet))
    assert not as_csv.read_bytes().startswith(b"PAR1")  # parquet's magic bytes
    expected = pd.read_parquet(as_parquet)
    pd.testing.assert_frame_equal(
        pd.read_csv(as_csv), expected, check_exact=True, check_dtype=False
    )


def test_a_parquet_output_holds_the_scored_rows(params, task, model, rows, source):
    target = source.with_name("scored.parquet")
    predict.main(params, str(source), str(target))
    fitted, declared = model
    expected = scored_rows(task, fitted, rows, declared, source)
    pd.testing.assert_frame_equal(pd.read_parquet(target), expected)


def never(*arguments):
    pytest.fail("a model was loaded or a cluster asked before the output was checked")


@pytest.mark.parametrize("name", ["scored.txt", "scored", "scored.csv.gz", "scored.json"])
def test_another_output_suffix_is_refused_before_any_scoring(params, source, monkeypatch, name):
    monkeypatch.setattr(predict, "champion", never)
    target = source.with_name(name)
    with pytest.raises(PipelineError) as refused:
        predict.main(params, str(source), str(target))
    message = str(refused.value)
    assert str(target) in message and ".csv" in message and ".parquet" in message
    assert "\n" not in message and not target.exists()


@pytest.mark.parametrize("name", ["scored.csv", "scored.txt"])
def test_the_dask_engine_refuses_a_csv_or_other_file_before_connecting(
    params, source, monkeypatch, name
):
    monkeypatch.setattr(predict, "champion", never)
    monkeypatch.setattr(predict, "cluster", never)
    on_dask = {**params, "compute": {**(params.get("compute") or {}), "engine": "dask"}}
    target = source.with_name(name)
    with pytest.raises(PipelineError) as refused:
        predict.main(on_dask, str(source), str(target))
    assert str(target) in str(refused.value) and "folder" in str(refused.value)


def test_an_exported_model_whose_contract_retypes_its_columns_scores_nothing(
    params, dataset, tmp_path
):
    """predict --model checks the folder's contract as serve does: one line, no output."""
    features = dataset.drop(columns="target").select_dtypes("number").fillna(0)
    fitted = make_pipeline(StandardScaler(), LinearRegression()).fit(features, dataset["target"])
    folder = tmp_path / "model"
    folder.mkdir()
    skops.io.dump(fitted, folder / "model.skops")
    columns = {name: {"type": "float"} for name in features}
    recorded = input_schema.digest(
        list(features), {**columns, features.columns[0]: {"type": "int"}}
    )
    info = {"model": "m", "version": "1", input_schema.TAG: recorded,
            tracking.ARTIFACT_HASH_TAG: provenance.file_sha256(folder / "model.skops")}  # fmt: skip
    (folder / "model.json").write_text(json.dumps(info))
    (folder / "contract.yaml").write_text(json.dumps({"columns": columns}))
    features.to_csv(tmp_path / "new.csv", index=False)
    with pytest.raises(PipelineError, match="recorded with other column types"):
        predict.main(params, str(tmp_path / "new.csv"), str(tmp_path / "out.csv"), str(folder))
    assert not (tmp_path / "out.csv").exists()


def test_an_exported_folder_with_proven_onnx_scores_with_it_as_scikit_learn_would(
    params, task, dataset, tmp_path, capsys
):
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    from cd4ml.compiled import build
    from cd4ml.pipeline import train

    features = dataset.drop(columns="target")
    forest = RandomForestClassifier if task == "classification" else RandomForestRegressor
    fitted = train.make_model(forest(n_estimators=30, random_state=0))
    fitted.fit(features, dataset["target"])
    folder = tmp_path / "model"
    folder.mkdir()
    skops.io.dump(fitted, folder / "model.skops")
    columns = {name: {"type": "float", "nullable": True} for name in features}
    declared = input_schema.dtypes(list(features), columns)
    onnx = build.compile_into(fitted, input_frame.as_declared(features, declared, "test"), folder)
    info = {"model": "m", "version": "1", "onnx": onnx,
            tracking.ARTIFACT_HASH_TAG: provenance.file_sha256(folder / "model.skops")}  # fmt: skip
    (folder / "model.json").write_text(json.dumps(info))
    (folder / "contract.yaml").write_text(json.dumps({"columns": columns}))
    features.to_parquet(tmp_path / "new.parquet", index=False)
    predict.main(params, str(tmp_path / "new.parquet"), str(tmp_path / "out.parquet"), str(folder))
    assert "predict: ONNX answers" in capsys.readouterr().out
    scored = pd.read_parquet(tmp_path / "out.parquet")
    expected = scored_rows(task, fitted, features, declared, "test")
    assert scored["prediction"].tolist() == pytest.approx(expected["prediction"].tolist(), rel=1e-5)
    if task == "classification":
        assert scored["prediction"].tolist() == expected["prediction"].tolist()
