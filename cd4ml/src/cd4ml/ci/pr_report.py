"""pr-report: what a change did to the model against a base revision, as Markdown for the PR.

Metrics with deltas, changed params, the gate verdicts (the metric gate, and against the base),
whether the served implementation (ONNX) answers as the trained model does, the data-quality
summary, a Mermaid chart that GitHub draws in the comment (the ROC curves for
classification, the absolute-error curves for regression) and, when `smoke` has written it, the
review app's smoke test with the image digest.
"""

import json
import os
from pathlib import Path

import numpy as np

from ..compiled import summary
from ..config import optional_path, param, path
from ..files import read_json, write_text
from ..gates import against_champion
from ..markup import escaped
from ..provenance import flatten

GRID = np.linspace(0, 1, 11)


def at_revision(rev: str, file: Path):
    """A JSON or YAML file as committed at rev (None if it was not there)."""
    import dvc.api
    import yaml

    try:
        text = dvc.api.read(str(file), rev=rev, mode="r")
    except Exception:  # DVC raises a different type for a missing path, revision or file
        return None
    return json.loads(text) if file.suffix == ".json" else yaml.safe_load(text)


def metrics_table(base: dict, new: dict) -> list[str]:
    rows = ["| metric | base | this change | delta |", "| --- | ---: | ---: | ---: |"]
    for name in sorted(set(base) | set(new)):
        old, now = base.get(name), new.get(name)
        delta = f"{now - old:+.4f}" if old is not None and now is not None else ""
        rows.append(f"| {escaped(name)} | {_number(old)} | {_number(now)} | {delta} |")
    return rows


def params_table(base: dict, new: dict) -> list[str]:
    old, now = flatten(base or {}), flatten(new)
    changed = sorted(name for name in set(old) | set(now) if old.get(name) != now.get(name))
    if not changed:
        return ["No parameter changed."]
    rows = ["| parameter | base | this change |", "| --- | --- | --- |"]
    return rows + [
        f"| {escaped(name)} | {escaped(old.get(name, ''))} | {escaped(now.get(name, ''))} |"
        for name in changed
    ]


def gate_lines(params: dict, base_metrics: dict, metrics: dict) -> list[str]:
    evaluation = read_json(path(params, "evaluation").with_suffix(".json"))
    lines = []
    if evaluation:
        verdict = "passed" if evaluation["passed"] else "**failed**"
        lines.append(f"- Metric gate ({escaped(_bounds(evaluation))}): {verdict}")
    if base_metrics and metrics:
        metric = param(params, "evaluate.primary_metric")
        (result,) = against_champion(
            metrics, base_metrics, metric, param(params, "promote.max_regression")
        )
        lines.append(
            f"- Against the base: {escaped(metric)} {escaped(result.observed)}, "
            f"expected {escaped(result.bound)}: "
            + ("would be promoted" if result.passed else "**would be rejected**")
        )
    return lines or ["- No gate report: the pipeline did not reach evaluate."]


def served_lines(params: dict, base: str) -> list[str]:
    """This change's parity line (paths.parity), and the base's when its verdict differs."""
    file = optional_path(params, "parity")
    if file is None:  # a params.yaml older than the key
        return []
    entry, base_entry = read_json(file), at_revision(base, file)
    lines = [f"- {escaped(summary.line(entry))}"]
    if base_entry is not None and summary.proven(base_entry) != summary.proven(entry):
        lines.append(f"  - on the base: {escaped(summary.verdict(base_entry))}")
    return lines


def quality_lines(params: dict) -> list[str]:
    report = read_json(path(params, "data_quality").with_suffix(".json"))
    if report is None:
        return ["No data-quality report."]
    failed = [check for check in report["checks"] if not check["passed"]]
    lines = [f"{len(report['checks']) - len(failed)} of {len(report['checks'])} checks passed."]
    return lines + [
        f"- **{escaped(check['column'] or 'data set')}**: {escaped(check['check'])} is "
        f"{escaped(check['observed'])}, expected {escaped(check['bound'])}"
        for check in failed[:10]
    ]


def roc_chart(base_rows: list | None, rows: list | None) -> list[str]:
    """ROC curves resampled on a grid, as a Mermaid xychart (base first, then this change)."""
    if not rows:
        return []
    lines = [
        "```mermaid",
        "xychart-beta",
        '    title "ROC curve: base, then this change"',
        '    x-axis "false positive rate" [' + ", ".join(f"{x:.1f}" for x in GRID) + "]",
        '    y-axis "true positive rate" 0 --> 1',
    ]
    for curve in (base_rows, rows):
        if curve:
            values = np.interp(
                GRID,
                [r["false_positive_rate"] for r in curve],
                [r["true_positive_rate"] for r in curve],
            )
            lines.append("    line [" + ", ".join(f"{value:.3f}" for value in values) + "]")
    return [*lines, "```"]


def error_chart(base_rows: list | None, rows: list | None) -> list[str]:
    """Regression: the absolute error under which each share of the test rows falls, as a
    Mermaid xychart (base first, then this change); lower is better."""
    if not rows:
        return []
    curves = [
        np.quantile([abs(row["predicted"] - row["actual"]) for row in curve], GRID)
        for curve in (base_rows, rows)
        if curve
    ]
    top = max(float(curve.max()) for curve in curves) or 1.0
    lines = [
        "```mermaid",
        "xychart-beta",
        '    title "Absolute error by share of test rows: base, then this change"',
        '    x-axis "share of test rows" [' + ", ".join(f"{x:.1f}" for x in GRID) + "]",
        f'    y-axis "absolute error" 0 --> {top:.4g}',
    ]
    lines += ["    line [" + ", ".join(f"{value:.4g}" for value in curve) + "]" for curve in curves]
    return [*lines, "```"]


def chart(params: dict, base: str) -> list[str]:
    """The task's chart of this change against the base."""
    if param(params, "train.task") == "regression":
        name, draw = "predicted_vs_actual", error_chart
    else:
        name, draw = "roc", roc_chart
    file = path(params, "plots") / f"{name}.json"
    return draw(at_revision(base, file), read_json(file))


def review_app(params: dict) -> list[str]:
    """The smoke test of this change's service (paths.review_app, written by `smoke`), if it ran."""
    file = param(params, "paths").get("review_app")
    text = _read_text(Path(file)) if file else None
    return ["", text] if text else []


def render(params: dict, base: str, data_note: str) -> str:
    metrics = read_json(path(params, "metrics")) or {}
    base_metrics = at_revision(base, path(params, "metrics")) or {}
    sections = [
        f"## Model report: this change against <code>{escaped(base)}</code>",
        "",
        data_note,
        "",
        "### Metrics",
        *metrics_table(base_metrics, metrics),
        "",
        "### Parameters changed",
        *params_table(at_revision(base, Path("params.yaml")), params),
        "",
        "### Gates",
        *gate_lines(params, base_metrics, metrics),
        *served_lines(params, base),
        "",
        "### Data quality",
        *quality_lines(params),
        "",
        "### Plots",
        *chart(params, base),
        "",
        "The full `dvc plots diff` page is attached to the workflow run as an artifact.",
        *review_app(params),
    ]
    return "\n".join(sections) + "\n"


def arguments(parser) -> None:
    parser.add_argument("--base", default="main", help="the revision to compare with")


def main(params: dict, base: str = "main") -> None:
    written = _read_text(path(params, "data_note"))
    note = written or "The pipeline ran on the data at this commit."
    text = render(params, base, note)
    out = path(params, "pr_report")
    write_text(text, out)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a") as handle:
            handle.write(text)
    print(f"pr-report: {out}")


def _read_text(file: Path) -> str | None:
    return file.read_text().strip() if file.exists() else None


def _bounds(evaluation: dict) -> str:
    return ", ".join(f"{check['check']} {check['bound']}" for check in evaluation["checks"])


def _number(value) -> str:
    return "" if value is None else f"{value:.4f}"
