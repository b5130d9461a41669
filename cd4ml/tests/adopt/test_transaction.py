import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cd4ml.adopt.transaction import transaction

NAMES = ["params.yaml", "dvc.lock", "data/raw/old.csv", "data/raw/.gitignore", "reports/plots"]
contents = st.one_of(st.none(), st.binary(max_size=64))  # None: the file does not exist
changes = st.sampled_from(["write", "delete", "grow folder", "keep"])


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under folder (the scratch space aside) and its bytes."""
    return {
        str(file.relative_to(folder)): file.read_bytes()
        for file in sorted(folder.rglob("*"))
        if file.is_file() and ".scratch" not in file.parts
    }


def lay_out(folder: Path, before: dict[str, bytes | None]) -> None:
    for name, content in before.items():
        file = folder / name
        file.parent.mkdir(parents=True, exist_ok=True)
        if content is not None and name.endswith("plots"):
            file.mkdir()
            (file / "roc.json").write_bytes(content)
        elif content is not None:
            file.write_bytes(content)


def change(file: Path, how: str) -> None:
    if how == "write" and not file.is_dir():
        file.write_bytes(b"new")
    elif how == "delete" and file.is_file():
        file.unlink()
    elif how == "grow folder" and not file.is_file():
        file.mkdir(exist_ok=True)
        (file / "added.json").write_text("{}")


@settings(max_examples=40, deadline=None)
@given(
    before=st.fixed_dictionaries({name: contents for name in NAMES}),
    how=st.lists(changes, min_size=len(NAMES), max_size=len(NAMES)),
    failure=st.sampled_from([KeyboardInterrupt, RuntimeError]),
)
def test_a_failed_block_leaves_every_path_as_it_was(before, how, failure):
    """Whatever the block changed, created or deleted, and however it stopped (Ctrl-C too)."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        lay_out(folder, before)
        paths = [folder / name for name in NAMES]
        removed = [path for path in paths[2:3] if path.exists()]
        expected = tree(folder)
        with pytest.raises(failure), transaction(paths, removed, folder / ".scratch"):
            assert not any(path.exists() for path in removed)
            for path, each in zip(paths, how, strict=True):
                change(path, each)
            raise failure
        assert tree(folder) == expected
        assert list((folder / ".scratch").iterdir()) == []


def test_a_block_that_succeeds_keeps_its_changes_and_drops_what_it_removed(tmp_path):
    (tmp_path / "old.csv").write_text("a,b\n")
    (tmp_path / "params.yaml").write_text("seed: 1\n")
    with transaction([tmp_path / "params.yaml"], [tmp_path / "old.csv"], tmp_path / ".scratch"):
        (tmp_path / "params.yaml").write_text("seed: 2\n")
    assert tree(tmp_path) == {"params.yaml": b"seed: 2\n"}
