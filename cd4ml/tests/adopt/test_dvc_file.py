from pathlib import Path

from cd4ml.adopt import dvc_file
from cd4ml.scoring import TASKS, dvc_plots


def names(plots: list[dict]) -> set[str]:
    return {next(iter(plot)) for plot in plots}


def switch(file: Path, old: str, new: str) -> None:
    dvc_file.set_plots(file, dvc_plots(new), names(dvc_plots(old)) - names(dvc_plots(new)))


def test_a_new_task_changes_only_the_plots_it_needs_and_back_gives_the_same_bytes(task, tmp_path):
    """The project's dvc.yaml (the rendered template) to the other task and back: byte for byte."""
    other = next(name for name in TASKS if name != task)
    original = Path("dvc.yaml").read_text()
    team_plot = "  - reports/summary.json:  # the team's own\n      x: rows\n"
    file = tmp_path / "dvc.yaml"
    file.write_text(original.replace("plots:\n", f"plots:\n{team_plot}", 1))
    before = file.read_text()

    switch(file, task, other)

    changed = file.read_text()
    stages = before.split("\nplots:\n")[0]
    assert changed.startswith(stages) and team_plot in changed
    assert all(f"{name}:\n" in changed for name in names(dvc_plots(other)))
    assert not any(name in changed for name in names(dvc_plots(task)) - names(dvc_plots(other)))
    switch(file, other, task)
    assert file.read_text() == before
