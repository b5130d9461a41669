import pytest

from cd4ml import errors
from cd4ml.dask_engine import ingest


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_misspelt_target_gets_the_closest_column_names_before_any_block_is_read(
    tmp_path, mixed_frame, suffix
):
    file = tmp_path / f"part{suffix}"
    frame = mixed_frame.rename(columns={"label": "Label "})
    frame.to_csv(file, index=False) if suffix == ".csv" else frame.to_parquet(file, index=False)
    with pytest.raises(errors.PipelineError, match=r"part\.\w+: .*did you mean 'Label '\?"):
        ingest.read_file(file, "label", None, 64)
