import pytest

from cd4ml.__main__ import main


def test_a_bad_input_is_one_line_and_exit_status_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "params.yaml").write_text(
        "ingest: {source: kaggle, target: y}\n"
        "train: {task: classification}\n"
        "paths: {raw: data/raw}\n"
    )
    assert main(["ingest"]) == 2
    error = capsys.readouterr().err
    assert error == "error: params.yaml: ingest.source is 'kaggle'; use one of bundled, raw\n"


def test_missing_params_file_is_reported(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train"]) == 2
    assert "params.yaml: not found" in capsys.readouterr().err


def test_help_lists_every_stage(capsys):
    with pytest.raises(SystemExit) as exit_status:
        main(["--help"])
    assert exit_status.value.code == 0
    output = capsys.readouterr().out
    for stage in ("ingest", "featurize", "train", "evaluate"):
        assert stage in output
