"""dvc.yaml's plots for a new task, changed item by item: every other line keeps its bytes."""

import io
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq

from ..errors import PipelineError
from ..files import write_text


def set_plots(file: Path, wanted: list[dict], stale: set[str]) -> None:
    """Remove the plots named in stale from dvc.yaml's top-level `plots:` and add those of wanted
    it lacks, where the first removed one stood (or first); a team's own plots stay as they are."""
    text = file.read_text()
    lines = text.splitlines(keepends=True)
    document = YAML().load(text)
    if "plots" not in document:
        ending = "" if not text or text.endswith("\n") else "\n"
        write_text(text + ending + "plots:\n" + _render(wanted, 2), file)
        return
    plots = document["plots"]
    if not isinstance(plots, CommentedSeq) or plots.fa.flow_style() or not plots:
        raise PipelineError(
            f"{file}: `plots:` is not a list of one plot per item; write it as one, or change "
            "its plots by hand for the new task"
        )
    dash = _indent(lines[plots.lc.item(0)[0]])
    spans = _item_spans(lines, plots, dash)
    names = [_name(item) for item in plots]
    missing = [plot for plot in wanted if _name(plot) not in names]
    removed = [number for number, name in enumerate(names) if name in stale]
    at = spans[removed[0]][0] if removed else spans[0][0]
    kept = [
        "".join(lines[start:end]) if number not in removed else ""
        for number, (start, end) in enumerate(spans)
    ]
    before, after = "".join(lines[: spans[0][0]]), "".join(lines[spans[-1][1] :])
    items = "".join(
        (_render(missing, dash) if start == at else "") + part
        for (start, _), part in zip(spans, kept, strict=True)
    )
    write_text(before + items + after, file)


def _name(item: object) -> object:
    """A plot's file (the key of a one-key mapping), or the item itself (a bare file name)."""
    return next(iter(item)) if isinstance(item, dict) and item else item


def _item_spans(lines: list[str], plots: CommentedSeq, dash: int) -> list[tuple[int, int]]:
    """The lines of each item, [start, end): from its dash (and the comments just above it) to
    the next item's, the last one to the first line indented no deeper than its dash."""
    starts = [_with_comments_above(lines, plots.lc.item(number)[0]) for number in range(len(plots))]
    end = plots.lc.item(len(plots) - 1)[0] + 1
    while end < len(lines) and (_blank(lines[end]) or _indent(lines[end]) > dash):
        end += 1
    while end - 1 > starts[-1] and _blank(lines[end - 1]):  # blank lines before the next key
        end -= 1
    return list(zip(starts, [*starts[1:], end], strict=True))


def _with_comments_above(lines: list[str], line: int) -> int:
    while line > 0 and lines[line - 1].lstrip().startswith("#"):
        line -= 1
    return line


def _blank(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _render(plots: list[dict], indent: int) -> str:
    if not plots:
        return ""
    text = io.StringIO()
    YAML().dump(plots, text)
    return "".join(" " * indent + line for line in text.getvalue().splitlines(keepends=True))
