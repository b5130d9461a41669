from pathlib import Path

import pandas as pd
import pytest

from cd4ml import errors
from cd4ml.pipeline import ingest
from cd4ml.quality import reading


@pytest.mark.parametrize(
    ("task", "shape", "column"),
    [("classification", (569, 31), "mean_radius"), ("regression", (442, 11), "bmi")],
)
def test_the_tasks_bundled_data_has_target_and_snake_case_columns(task, shape, column):
    dataset = ingest.load_bundled(task)
    assert dataset.shape == shape
    assert "target" in dataset.columns and column in dataset.columns
    assert all(name == name.lower() and " " not in name for name in dataset.columns)


def test_raw_files_are_read_in_name_order_and_concatenated(tmp_path, mixed_frame):
    mixed_frame.iloc[:60].to_parquet(tmp_path / "b.parquet")
    mixed_frame.iloc[60:].to_csv(tmp_path / "a.csv", index=False)
    (tmp_path / ".hidden.csv").write_text("not,data\n")
    (tmp_path / "notes.txt").write_text("ignored")

    assert [file.name for file in ingest.raw_files(tmp_path)] == ["a.csv", "b.parquet"]
    frame = ingest.load_raw(tmp_path, "label")
    assert len(frame) == len(mixed_frame)
    assert frame["label"].iloc[0] == mixed_frame["label"].iloc[60]


def test_missing_target_names_the_file_and_column(tmp_path, mixed_frame):
    mixed_frame.drop(columns=["label"]).to_csv(tmp_path / "part.csv", index=False)
    with pytest.raises(
        errors.PipelineError, match=r"part\.csv: the target column 'label' is missing"
    ):
        ingest.load_raw(tmp_path, "label")


def test_a_misspelt_target_in_a_raw_file_gets_the_closest_column_names(tmp_path, mixed_frame):
    mixed_frame.rename(columns={"label": "Label "}).to_csv(tmp_path / "part.csv", index=False)
    with pytest.raises(errors.PipelineError, match=r"did you mean 'Label '\? \(4 columns: "):
        ingest.load_raw(tmp_path, "label")


def test_a_misspelt_target_of_the_bundled_data_gets_the_closest_column_names(tmp_path, task):
    with pytest.raises(errors.PipelineError, match=r"bundled data: .*did you mean 'target'\?"):
        ingest.ingest("bundled", "Target", tmp_path, task)


def test_unreadable_file_is_named(tmp_path):
    (tmp_path / "broken.parquet").write_bytes(b"this is not parquet")
    with pytest.raises(errors.PipelineError, match=r"broken\.parquet: cannot be read as parquet"):
        ingest.load_raw(tmp_path, "label")


def test_empty_folder_and_empty_data_set_are_refused(tmp_path):
    with pytest.raises(errors.PipelineError, match="no CSV or parquet files found"):
        ingest.load_raw(tmp_path, "label")
    (tmp_path / "header_only.csv").write_text("age,label\n")
    with pytest.raises(errors.PipelineError, match="the data set has no rows"):
        ingest.ingest("raw", "label", tmp_path)


def test_unknown_source_is_refused(tmp_path):
    with pytest.raises(errors.PipelineError, match="ingest.source is 'kaggle'"):
        ingest.ingest("kaggle", "target", tmp_path)


def test_bundled_source_ignores_raw_folder(tmp_path, dataset, task):
    pd.DataFrame({"x": [1]}).to_csv(tmp_path / "other.csv", index=False)
    assert len(ingest.ingest("bundled", "target", tmp_path, task)) == len(dataset)


def test_a_folder_reached_through_a_dotted_path_is_not_hidden(tmp_path, mixed_frame, monkeypatch):
    """A notebook reads `../data/raw`: only the parts below the raw folder may hide a file."""
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "raw").mkdir()
    mixed_frame.to_csv(tmp_path / "raw" / "part.csv", index=False)
    monkeypatch.chdir(tmp_path / "notebooks")
    assert [file.name for file in ingest.raw_files(Path("../raw"))] == ["part.csv"]


def test_the_dialect_in_params_is_how_csv_files_are_read(tmp_path):
    (tmp_path / "export.csv").write_text("label;mass\na;1,5\nb;2,25\n")
    params = {"ingest": {"separator": ";", "decimal": ",", "encoding": "utf-8"}}
    frame = ingest.ingest("raw", "label", tmp_path, dialect=reading.csv_options(params))
    assert frame["mass"].tolist() == [1.5, 2.25]
    assert reading.csv_options({"ingest": {"source": "raw"}}) is None  # detected per file
