import pytest

from cd4ml import errors
from cd4ml.adopt import adopt


def test_a_misspelt_target_gets_the_closest_column_names_and_nothing_is_written(
    params, tmp_path, mixed_frame, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # a bare folder: nothing of the project's may change
    file = tmp_path / "customers.csv"
    mixed_frame.rename(columns={"label": "Churned"}).to_csv(file, index=False)
    with pytest.raises(errors.PipelineError, match=r"did you mean 'Churned'\? \(4 columns: "):
        adopt.main(params, file, "churned ", None, no_repro=True)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["customers.csv"]
