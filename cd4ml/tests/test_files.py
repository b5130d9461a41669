import os

import pytest

from cd4ml import files
from cd4ml.errors import PipelineError


def test_files_replaced_together_all_change(tmp_path):
    first, second = tmp_path / "model.pkl", tmp_path / "plots" / "roc.json"
    first.write_text("old model")
    files.replace_together(
        {
            first: lambda path: path.write_text("new model"),
            second: lambda path: path.write_text("[]"),
        }
    )
    assert (first.read_text(), second.read_text()) == ("new model", "[]")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["model.pkl", "plots"]


def test_a_failed_rename_puts_back_the_files_already_replaced(tmp_path, monkeypatch):
    first, second = tmp_path / "model.pkl", tmp_path / "metrics.json"
    first.write_text("old model")
    second.write_text("old metrics")
    real_replace = os.replace

    def failing_replace(source, target):
        if str(target) == str(second):
            raise OSError(28, "No space left on device", str(target))
        real_replace(source, target)

    monkeypatch.setattr(files.os, "replace", failing_replace)
    with pytest.raises(PipelineError, match=f"cannot write {second}: No space left on device"):
        files.replace_together(
            {
                first: lambda path: path.write_text("new"),
                second: lambda path: path.write_text("new"),
            }
        )
    assert (first.read_text(), second.read_text()) == ("old model", "old metrics")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["metrics.json", "model.pkl"]


def test_a_failed_write_replaces_nothing(tmp_path):
    first, second = tmp_path / "model.pkl", tmp_path / "metrics.json"
    first.write_text("old model")

    def full_disk(path):
        raise OSError(28, "No space left on device")

    with pytest.raises(PipelineError, match="metrics.json: No space left on device"):
        files.replace_together({first: lambda path: path.write_text("new"), second: full_disk})
    assert first.read_text() == "old model" and not second.exists()
