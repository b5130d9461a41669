import pytest
import tomlkit

from cd4ml import errors
from cd4ml.maintenance import upgrade

PYPROJECT = """[project]
name = "churn"
# the library's pin
dependencies = ["cd4ml[dask]==0.1.0", "xgboost>=2"]

[tool.uv.sources]
cd4ml = { git = "https://example.com/org/cd4ml-template", subdirectory = "cd4ml", rev = "aaa" }
"""


def test_the_pin_and_the_git_commit_move_and_the_rest_stays():
    text, old = upgrade.upgrade(PYPROJECT, "0.2.0", "bbb")
    assert old == "0.1.0"
    document = tomlkit.parse(text)
    assert document["project"]["dependencies"] == ["cd4ml[dask]==0.2.0", "xgboost>=2"]
    assert document["tool"]["uv"]["sources"]["cd4ml"]["rev"] == "bbb"
    assert "# the library's pin" in text
    assert text.replace("0.2.0", "0.1.0").replace('"bbb"', '"aaa"') == PYPROJECT


def test_a_path_source_needs_only_the_version():
    path_source = PYPROJECT.replace('git = "https://example.com/org/cd4ml-template"', 'path = "/t"')
    path_source = path_source.replace(', subdirectory = "cd4ml", rev = "aaa"', "")
    text, _ = upgrade.upgrade(path_source, "0.1.1", None)
    assert "cd4ml[dask]==0.1.1" in text and 'path = "/t"' in text
    with pytest.raises(errors.PipelineError, match="--rev is for a cd4ml git source"):
        upgrade.upgrade(path_source, "0.1.1", "bbb")


@pytest.mark.parametrize(
    ("text", "version", "rev", "message"),
    [
        (PYPROJECT, "0.2.0", None, "give --rev, the commit of version 0.2.0"),
        (PYPROJECT, "latest; rm -rf", "bbb", "is not a version such as 0.2.0"),
        (PYPROJECT.replace("cd4ml[dask]==0.1.0", "cd4ml>=0.1"), "0.2.0", "b", "must pin cd4ml"),
        ('[project]\nname = "x"\n', "0.2.0", None, "no project.dependencies"),
    ],
)
def test_what_cannot_be_upgraded_is_one_line(text, version, rev, message):
    with pytest.raises(errors.PipelineError, match=message):
        upgrade.upgrade(text, version, rev)


def test_the_schema_line_of_params_yaml_moves_to_the_new_version():
    line = "# yaml-language-server: $schema=https://raw.example.com/o/r/cd4ml-v0.1.0/cd4ml/params.schema.json\n"
    text = line + "seed: 42  # cd4ml-v0.1.0/ stays in a comment below the first line\n"
    moved = upgrade.schema_moved(text, "0.2.0")
    assert moved == text.replace("cd4ml-v0.1.0/cd4ml", "cd4ml-v0.2.0/cd4ml", 1)
    assert upgrade.schema_moved("seed: 42\n", "0.2.0") == "seed: 42\n"


def test_main_moves_the_pin_and_the_schema_line_together(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "params.yaml").write_text(
        "# yaml-language-server: $schema=https://h/o/r/cd4ml-v0.1.0/s.json\nseed: 1\n"
    )
    upgrade.main({}, "0.2.0", "bbb")
    assert "cd4ml[dask]==0.2.0" in (tmp_path / "pyproject.toml").read_text()
    assert "/cd4ml-v0.2.0/s.json" in (tmp_path / "params.yaml").read_text()
