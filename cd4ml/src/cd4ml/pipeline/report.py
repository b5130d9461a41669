"""report: metrics, plots, params, data quality and lineage -> reports/report.html, one page.

The page opens offline: the plots are inline SVG, the style is inline, nothing is fetched.
"""

import io

from ..compiled import summary
from ..config import optional_path, path
from ..files import read_json, write_text
from ..markup import escaped
from ..plots import figure
from ..project import library_version, project_version
from ..provenance import data_tags, file_md5, flatten
from .model_card import card

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 64rem; color: #222 }
table { border-collapse: collapse; margin: .5rem 0 1.5rem }
td, th { border: 1px solid #ccc; padding: .2rem .6rem; text-align: left }
.fail { color: #b00020; font-weight: bold }
.pass { color: #1b5e20 }
figure { display: inline-block; margin: 0 1rem 1rem 0 }
"""


def table(rows: list[tuple], header: tuple) -> str:
    head = "".join(f"<th>{escaped(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escaped(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def svg(draw) -> str:
    """A matplotlib figure drawn by draw(axes), as inline SVG."""
    with figure(figsize=(4.8, 3.6)) as (drawing, axes):
        draw(axes)
        drawing.tight_layout()
        buffer = io.StringIO()
        drawing.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()[buffer.getvalue().index("<svg") :]


def curve(rows: list[dict], x: str, y: str, title: str):
    def draw(axes) -> None:
        axes.plot([row[x] for row in rows], [row[y] for row in rows], color="tab:blue")
        axes.set(xlabel=x.replace("_", " "), ylabel=y.replace("_", " "), title=title)

    return draw


def scatter(rows: list[dict], x: str, y: str, title: str, diagonal: bool = False):
    """Points, with the line y = x (a perfect prediction) or y = 0 (no residual) to read them by."""

    def draw(axes) -> None:
        xs, ys = [row[x] for row in rows], [row[y] for row in rows]
        axes.scatter(xs, ys, s=8, alpha=0.6, color="tab:blue")
        low, high = min(xs), max(xs)
        axes.plot([low, high], [low, high] if diagonal else [0, 0], color="tab:red", lw=1)
        axes.set(xlabel=x.replace("_", " "), ylabel=y.replace("_", " "), title=title)

    return draw


# Each plot file evaluate may write (those of the task are there), and how to draw it.
FIGURES = {
    "roc": lambda rows: curve(rows, "false_positive_rate", "true_positive_rate", "ROC curve"),
    "precision_recall": lambda rows: curve(rows, "recall", "precision", "Precision-recall curve"),
    "confusion_matrix": lambda rows: confusion(rows),
    "predicted_vs_actual": lambda rows: scatter(
        rows, "actual", "predicted", "Predicted against actual", diagonal=True
    ),
    "residuals": lambda rows: scatter(rows, "predicted", "residual", "Residuals"),
    "feature_importance": lambda rows: importance(rows),
}


def confusion(rows: list[dict]):
    labels = sorted({row["actual"] for row in rows} | {row["predicted"] for row in rows})

    def draw(axes) -> None:
        counts = [
            [sum(1 for row in rows if row["actual"] == a and row["predicted"] == p) for p in labels]
            for a in labels
        ]
        axes.imshow(counts, cmap="Blues")
        for i, line in enumerate(counts):
            for j, count in enumerate(line):
                axes.text(j, i, count, ha="center", va="center", color="tab:red")
        axes.set(
            xticks=range(len(labels)),
            xticklabels=labels,
            yticks=range(len(labels)),
            yticklabels=labels,
            xlabel="predicted",
            ylabel="actual",
            title="Confusion matrix",
        )

    return draw


def importance(rows: list[dict]):
    top = rows[:12][::-1]

    def draw(axes) -> None:
        axes.barh(
            [row["feature"] for row in top], [row["importance"] for row in top], color="tab:green"
        )
        axes.set(title="Feature importance (top 12)")
        axes.tick_params(axis="y", labelsize=7)

    return draw


def lineage(params: dict) -> list[tuple]:
    """Hashes, not the commit: the page is committed with the run, so it cannot name its commit."""
    tags = data_tags(params)
    model = path(params, "model")
    return [
        ("raw data md5 (DVC)", tags["data_raw_md5"]),
        ("data set md5", tags["data_md5"]),
        ("model md5", file_md5(model) if model.exists() else "no model yet"),
        ("project version", project_version()),
        ("cd4ml version", library_version()),
    ]


def verdict(report: dict | None, name: str) -> str:
    if report is None:
        return f"<p>No {name} report yet.</p>"
    failed = [check for check in report["checks"] if not check["passed"]]
    css, text = (
        ("fail", f"{len(failed)} of {len(report['checks'])} checks failed")
        if failed
        else ("pass", f"all {len(report['checks'])} checks passed")
    )
    rows = [
        (check["column"] or "", check["check"], check["observed"], check["bound"])
        for check in failed
    ]
    return f'<p class="{css}">{name}: {text}</p>' + (
        table(rows, ("column", "check", "observed", "expected")) if rows else ""
    )


def served(entry: dict | None) -> str:
    """Whether what will be served answers as the trained model does (paths.parity), one line."""
    css = ' class="pass"' if summary.proven(entry) else ""
    return f"<p{css}>{escaped(summary.line(entry))}</p>"


def model_card(params: dict) -> list[str]:
    content = card(params)
    columns = [(group, len(names), ", ".join(names)) for group, names in content["columns"].items()]
    prose = [
        f"<h3>{escaped(title)}</h3><p>{escaped(text or 'Not written yet.')}</p>"
        for title, text in content["prose"].items()
    ]
    return [
        '<section id="model-card"><h2>Model card</h2>',
        table(content["facts"], ("what", "value")),
        "<h3>Columns</h3>",
        table(columns, ("role" if "feature" in content["columns"] else "group", "count", "names")),
        "<h3>Metrics against the dummy baseline</h3>",
        table(content["metrics"], ("metric", "model", "baseline")),
        *prose,
        '<p><small>Intended use and limitations come from README.md, section "Model card".'
        "</small></p></section>",
    ]


def render(params: dict) -> str:
    plots, parity = path(params, "plots"), optional_path(params, "parity")
    metrics = read_json(path(params, "metrics")) or {}
    evaluation = read_json(path(params, "evaluation").with_suffix(".json")) or {}
    figures = []
    for name in evaluation.get("plots", FIGURES):  # the task's, not another task's old files
        rows = read_json(plots / f"{name}.json")
        draw = FIGURES.get(name)
        if rows and draw:
            figures.append(f'<figure id="{name}">{svg(draw(rows))}</figure>')
    sections = [
        "<h1>Pipeline run</h1>",
        *model_card(params),
        "<h2>Metrics</h2>",
        table(sorted(metrics.items()), ("metric", "value")),
        "<h2>Gates</h2>",
        verdict(read_json(path(params, "data_quality").with_suffix(".json")), "Data quality"),
        verdict(evaluation or None, "Model gate"),
        *([served(read_json(parity))] if parity else []),
        "<h2>Plots</h2>",
        *figures,
        "<h2>Lineage</h2>",
        table(lineage(params), ("what", "value")),
        "<h2>Parameters</h2>",
        table(sorted(flatten(params).items()), ("parameter", "value")),
    ]
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pipeline run</title>'
        f"<style>{STYLE}</style></head><body>{''.join(sections)}</body></html>\n"
    )


def main(params: dict) -> None:
    target = path(params, "report")
    write_text(render(params), target)
    print(f"report: {target}")
