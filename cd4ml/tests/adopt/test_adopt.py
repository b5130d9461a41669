import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cd4ml import errors
from cd4ml.adopt import adopt, workspace
from cd4ml.config import load_params
from cd4ml.quality import reading


def test_a_misspelt_target_gets_the_closest_column_names_and_nothing_is_written(
    params, tmp_path, mixed_frame, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # a bare folder: nothing of the project's may change
    file = tmp_path / "customers.csv"
    mixed_frame.rename(columns={"label": "Churned"}).to_csv(file, index=False)
    with pytest.raises(errors.PipelineError, match=r"did you mean 'Churned'\? \(4 columns: "):
        adopt.main(params, file, "churned ", None, no_repro=True)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["customers.csv"]


def test_a_line_break_in_a_file_name_is_refused_in_one_line(params, tmp_path, mixed_frame):
    """DVC's .gitignore names one file a line: such a name would split it."""
    file = tmp_path / "customers\nfinal.csv"
    mixed_frame.to_csv(file, index=False)
    with pytest.raises(errors.PipelineError, match="a line break in a file name would split"):
        adopt.main(params, file, "label", None, no_repro=True)
    assert not list(Path("data/raw").glob("customers*"))


def shell(*command: str, cwd: Path | None = None) -> str:
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def project(project_folder, tmp_path, monkeypatch) -> Path:
    """The rendered project under git and DVC, committed, as the working directory."""
    folder = Path(shutil.copytree(project_folder, tmp_path / "project"))
    monkeypatch.chdir(folder)
    for name in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{name}_NAME", "Unit Tests")
        monkeypatch.setenv(f"GIT_{name}_EMAIL", "unit@example.com")
    monkeypatch.setenv("DVC_NO_ANALYTICS", "1")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    shell("git", "init", "-q")
    shell("dvc", "init", "-q", "--force")  # the template ships .dvc/.gitignore
    shell("git", "add", "-A")
    shell("git", "commit", "-qm", "Bake")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file's bytes (git's and DVC's own stores aside), and git status."""
    skipped = {".git", "cache", "tmp"}
    files = {
        str(file.relative_to(folder)): file.read_bytes()
        for file in sorted(folder.rglob("*"))
        if file.is_file() and not skipped & set(file.relative_to(folder).parts)
    }
    return {**files, "git status": shell("git", "status", "--porcelain").encode()}


def adopted(project: Path, mixed_frame, name: str, *options: str, **flags) -> str:
    file = project.parent / name
    mixed_frame.to_csv(file, index=False)
    adopt.main(load_params(), file, "label", None, no_repro="--no-repro" in options, **flags)
    return file.name


def test_switching_needs_replace_and_a_failed_or_interrupted_run_puts_every_file_back(
    project, mixed_frame, monkeypatch
):
    adopted(project, mixed_frame, "first.csv", "--no-repro")
    shell("git", "add", "-A")
    shell("git", "commit", "-qm", "Adopt first.csv")
    before = snapshot(project)

    with pytest.raises(errors.PipelineError) as refused:
        adopted(project, mixed_frame, "second.csv")
    assert str(refused.value).startswith(
        "data/raw already holds the project's data (data/raw/first.csv); add --replace to "
        "replace it with second.csv"
    )
    assert snapshot(project) == before

    monkeypatch.setenv("PYTHONPATH", "")  # the stages cannot start: no package is installed here
    with pytest.raises(errors.PipelineError, match="dvc repro failed: .*No module named"):
        adopted(project, mixed_frame, "second.csv", replace=True)
    assert snapshot(project) == before

    def interrupted(*words: str) -> str:
        if words[0] == "repro":
            raise KeyboardInterrupt  # Ctrl-C
        return workspace.dvc(*words)

    monkeypatch.setattr(adopt, "dvc", interrupted)
    with pytest.raises(errors.PipelineError, match="adopt: interrupted; every file it had changed"):
        adopted(project, mixed_frame, "second.csv", replace=True)
    assert snapshot(project) == before


def test_replace_removes_the_old_data_and_the_printed_commit_takes_every_change(
    project, mixed_frame, capsys
):
    """A file name with shell syntax is pasted as a name: nothing in it runs."""
    first = adopted(project, mixed_frame, "first.csv", "--no-repro")
    shell("git", "add", "-A")
    shell("git", "commit", "-qm", f"Adopt {first}")
    capsys.readouterr()

    name = adopted(
        project, mixed_frame, "x$(touch ran)`touch ran2`.csv", "--no-repro", replace=True
    )

    printed = capsys.readouterr().out
    assert "replaced: data/raw/first.csv, removed from DVC and data/raw" in printed
    assert sorted(path.name for path in Path("data/raw").iterdir()) == sorted(
        [".gitignore", ".gitkeep", name, f"{name}.dvc"]
    )
    params = yaml.safe_load(Path("params.yaml").read_text())
    assert params["mlflow"]["model_name"] == "unit-tests-x-touch-ran-touch-ran2-classification"
    commit = printed.splitlines()[-1].strip()
    shell("bash", "-c", commit)
    assert not list(project.glob("ran*")) and shell("git", "status", "--porcelain") == ""
    assert shell("git", "show", "--stat", "--format=%s", "HEAD").startswith(f"Adopt {name}")


def test_na_values_are_read_as_gaps_and_written_to_params(project, mixed_frame):
    """adopt --na-values "?": the markers are gaps in the contract and for every later reader."""
    marked = mixed_frame.astype({"age": object}).assign(
        age=lambda frame: frame["age"].where(frame["age"].notna(), "?")
    )
    parser = argparse.ArgumentParser()
    adopt.arguments(parser)
    given = parser.parse_args(["x.csv", "--target", "label", "--na-values", "?"]).na_values
    adopted(project, marked, "first.csv", "--no-repro", na_values=given)
    params = load_params()
    assert params["ingest"]["na_values"] == ["?"]
    contract = yaml.safe_load(Path(params["paths"]["contract"]).read_text())
    assert contract["columns"]["age"]["type"] == "float" and contract["columns"]["age"]["nullable"]
    read = reading.read_table(Path("data/raw/first.csv"), reading.csv_options(params))
    assert read["age"].isna().sum() == mixed_frame["age"].isna().sum() > 0
