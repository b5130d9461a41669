import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from cd4ml.adopt import workspace

# A `dvc` whose stage runs on in a child, as `dvc repro` runs a stage's command.
FAKE_DVC = f"""#!{sys.executable}
import os, subprocess, sys
stage = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
open(os.environ["STAGE_PID"], "w").write(str(stage.pid))
stage.wait()
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(os.name != "posix", reason="process groups are POSIX")
def test_ctrl_c_stops_dvc_and_its_stage_before_adopt_goes_on(tmp_path, monkeypatch):
    """Ctrl-C reaches adopt; the stage DVC runs must be gone before adopt restores any file."""
    (tmp_path / "dvc").write_text(FAKE_DVC)
    (tmp_path / "dvc").chmod(0o755)
    stage = tmp_path / "stage.pid"
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("STAGE_PID", str(stage))

    def press_ctrl_c() -> None:
        deadline = time.monotonic() + 20
        while not (stage.exists() and stage.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=press_ctrl_c, daemon=True).start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        workspace.dvc("repro")
    assert time.monotonic() - started < 15
    assert not alive(int(stage.read_text()))


def test_a_failed_stage_is_one_line_with_what_it_printed_last():
    traceback = "Traceback (most recent call last):\n  File 'features.py'\nValueError: team bug\n"
    failed = f"{traceback}ERROR: failed to reproduce 'train': failed to run: python -m p train\n"
    assert workspace.reason(failed) == (
        "failed to reproduce 'train': failed to run: python -m p train; ValueError: team bug"
    )
    assert workspace.reason("error: data/raw/a.csv: column 'x': mixes numbers\n") == (
        "data/raw/a.csv: column 'x': mixes numbers"
    )


def test_the_printed_commit_quotes_each_path_and_never_adds_the_whole_tree():
    placed = Path("data/raw/a b.csv")
    assert workspace.commit_line(["data/raw/a b.csv.dvc", "params.yaml"], placed) == (
        "git add -A -- 'data/raw/a b.csv.dvc' params.yaml && git commit -m 'Adopt a b.csv'"
    )
    assert "git add" not in workspace.commit_line([], placed)  # `git add -A --` adds everything
