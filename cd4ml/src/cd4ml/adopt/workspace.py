"""The project's files as adopt sees them: the data it replaces, what a run may change, what to
commit afterwards, and DVC run so that Ctrl-C stops it before adopt puts the files back."""

import os
import shlex
import signal
import subprocess
from pathlib import Path

from ..errors import PipelineError, shorten

READERS = (".csv", ".parquet")


def dvc(*arguments: str) -> str:
    """Run DVC; its error is one line, and the last lines of its output say which stage.

    DVC runs in its own process group, which Ctrl-C reaches through adopt alone: adopt stops the
    group, and waits for it, before it restores any file a stage might still be writing.
    """
    process = subprocess.Popen(
        ["dvc", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=os.name == "posix",
    )
    try:
        stdout, stderr = process.communicate()
    except BaseException:
        _stop(process)
        raise
    if process.returncode != 0:
        raise PipelineError(f"dvc {arguments[0]} failed: {shorten(reason(stderr), 400)}")
    return stdout


def reason(stderr: str) -> str:
    """A stage's one-line error; else DVC's, with the last line a failing stage printed (a
    traceback's exception)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    ours = [line.removeprefix("error: ") for line in lines if line.startswith("error: ")]
    if ours:
        return ours[-1]
    theirs = [line.removeprefix("ERROR: ") for line in lines if line.startswith("ERROR: ")]
    printed = [line for line in lines if not line.startswith("ERROR: ")]
    return "; ".join([*theirs[-1:], *printed[-1:]]) or "no error message"


def _stop(process: subprocess.Popen) -> None:
    if os.name != "posix":
        process.kill()
        process.wait()
        return
    for sent, grace in ((signal.SIGINT, 10), (signal.SIGKILL, None)):
        try:
            os.killpg(process.pid, sent)
            process.communicate(timeout=grace)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def data_files(raw: Path) -> list[Path]:
    """The files under raw/ that ingest reads."""
    return sorted(file for file in raw.rglob("*") if file.suffix.lower() in READERS)


def replaced(raw: Path, placed: Path, replace: bool) -> list[Path]:
    """The data files the adopted one replaces: ingest reads every file under raw/, so the one
    adopted must be the only one. Without --replace that is a refusal naming them."""
    others = [file for file in data_files(raw) if file.resolve() != placed.resolve()]
    if not others:
        return []
    named = shorten(", ".join(map(str, others[:3])), 160)
    if not replace:
        raise PipelineError(
            f"{raw} already holds the project's data ({named}); add --replace to replace it "
            f"with {placed.name}, or adopt that file again to keep it"
        )
    untracked = [file for file in others if not dvc_file(file).exists()]
    if untracked:
        raise PipelineError(
            f"{untracked[0]} is not tracked by DVC (no {dvc_file(untracked[0]).name}), so "
            f"--replace would lose it; move it out of {raw} first"
        )
    return others


def dvc_file(data: Path) -> Path:
    return data.with_name(f"{data.name}.dvc")


def pipeline_outputs() -> list[Path]:
    """Every output of dvc.yaml's stages, and the .gitignore beside each that DVC keeps."""
    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    try:
        with Repo() as repo:
            outputs = [
                Path(os.path.relpath(output.fs_path))
                for stage in repo.index.stages
                if getattr(stage, "cmd", None)  # dvc.yaml's stages, not .dvc files
                for output in stage.outs
            ]
    except DvcException as error:
        raise PipelineError(f"dvc.yaml: {shorten(str(error), 300)}") from None
    return outputs + sorted({output.parent / ".gitignore" for output in outputs})


def to_commit(paths: list[Path]) -> list[str]:
    """The paths among these that git would commit: changed, new or deleted, not ignored."""

    def git(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *arguments], capture_output=True, text=True)

    prefix = git("rev-parse", "--show-prefix")  # git status names paths from the repository's root
    listed = git("status", "--porcelain", "-z", "--no-renames", "--untracked-files=all", "--",
                 *map(str, paths))  # fmt: skip
    if prefix.returncode != 0 or listed.returncode != 0:
        return [str(path) for path in paths if path.exists()]
    found = [entry[3:] for entry in listed.stdout.split("\0") if entry]
    return [name.removeprefix(prefix.stdout.strip()) for name in found]


def commit_line(paths: list[str], placed: Path) -> str:
    """The git commands to commit them, each word quoted for the shell it is pasted into."""
    if not paths:  # `git add -A --` alone would add the whole tree
        return "nothing to commit: git has every file as adopt left it"
    words = " ".join(shlex.quote(path) for path in paths)
    message = shlex.quote(f"Adopt {placed.name}")
    return f"git add -A -- {words} && git commit -m {message}"
