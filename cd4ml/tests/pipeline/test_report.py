import json
import re

from cd4ml.markup import escaped
from cd4ml.pipeline import model_card, report

# Strings mathtext would read as markup; each also wrapped in dollars, which makes it math.
MARKUP = ["$x$", "$", "\\frac", "^_{}", "a $b$ \\frac{1}{2} ^_{}"]
AWKWARD_NAMES = [*MARKUP, *(f"${fragment}$" for fragment in MARKUP)]


def drawn_text(drawing: str) -> set[str]:
    """The strings an SVG draws: matplotlib writes each as a comment before its glyphs."""
    return set(re.findall(r"<!-- (.*?) -->", drawing))


def test_the_page_is_self_contained_and_deterministic(params):
    page = report.render(params)
    assert page == report.render(params)
    assert page.startswith("<!doctype html>") and "<h2>Parameters</h2>" in page
    assert not re.search(r"""<(script|link|img)\b|src=|href=["']?https?:""", page)


def test_plots_are_inline_svg(tmp_path):
    rows = [
        {"false_positive_rate": 0.0, "true_positive_rate": 0.0},
        {"false_positive_rate": 1.0, "true_positive_rate": 1.0},
    ]
    drawing = report.svg(
        report.curve(rows, "false_positive_rate", "true_positive_rate", "ROC curve")
    )
    assert drawing.startswith("<svg") and "<path" in drawing


def test_failed_checks_are_listed_in_the_verdict():
    checks = [
        {"column": "age", "check": "PSI", "observed": 0.4, "bound": "<= 0.2", "passed": False},
        {
            "column": "age",
            "check": "type",
            "observed": "float64",
            "bound": "float64",
            "passed": True,
        },
    ]
    text = report.verdict({"passed": False, "checks": checks}, "Data quality")
    assert 'class="fail">Data quality: 1 of 2 checks failed' in text and "<td>PSI</td>" in text


def test_the_model_card_has_the_task_data_metrics_and_the_readmes_words(params, task):
    page = report.render(params)
    card = page[page.index('<section id="model-card">') : page.index("</section>")]
    assert f"<td>task</td><td>{task}</td>" in card
    assert "<th>metric</th><th>model</th><th>baseline</th>" in card
    assert "<h3>Intended use</h3>" in card and "<h3>Limitations</h3>" in card


def test_the_readmes_card_prose_is_found_under_its_headings():
    readme = (
        "# P\n\n## Model card\n\nIntro.\n\n### Intended use\n\nTriage of\nreferrals.\n\n"
        "### Limitations\n\nAdults only.\n\n## Next\n\n### Intended use\n\nNot this.\n"
    )
    assert model_card.prose(readme) == {
        "Intended use": "Triage of referrals.",
        "Limitations": "Adults only.",
    }
    assert model_card.prose("# No card\n") == {"Intended use": "", "Limitations": ""}


def test_columns_are_grouped_by_role_when_the_contract_has_roles_else_by_type():
    typed = {"columns": {"age": {"type": "int"}, "city": {"type": "str"}, "y": {"type": "bool"}}}
    assert model_card.columns_by_role(typed, "y") == {
        "int features": ["age"],
        "str features": ["city"],
        "target": ["y"],
    }
    roles = {"columns": {"id": {"type": "int", "role": "id"}, "age": {"type": "int"}}}
    assert model_card.columns_by_role(roles, "y") == {"id": ["id"], "feature": ["age"]}


def test_regression_plots_are_drawn_as_scatter_with_a_reference_line():
    rows = [{"actual": 1.0, "predicted": 1.5}, {"actual": 3.0, "predicted": 2.0}]
    drawing = report.svg(report.scatter(rows, "actual", "predicted", "Predicted", diagonal=True))
    assert drawing.startswith("<svg") and "<path" in drawing


def test_class_labels_are_drawn_as_written_not_as_mathtext():
    rows = [{"actual": label, "predicted": label} for label in AWKWARD_NAMES]
    drawing = report.svg(report.confusion(rows))
    assert set(AWKWARD_NAMES) <= drawn_text(drawing)


def test_feature_names_are_drawn_as_written_not_as_mathtext():
    rows = [{"feature": name, "importance": 1.0} for name in AWKWARD_NAMES[:12]]
    drawing = report.svg(report.importance(rows))
    assert set(AWKWARD_NAMES[:12]) <= drawn_text(drawing)


def test_the_page_says_whether_the_served_implementation_is_proven(params, tmp_path):
    parity = tmp_path / "parity.json"
    changed = {**params, "paths": {**params["paths"], "parity": str(parity)}}
    reason = "skl2onnx cannot convert <Model> | a *step*"
    parity.write_text(json.dumps({"reason": reason}))
    page = report.render(changed)
    line = f"Served implementation matches the trained model: no: {reason}"
    assert f"<p>{escaped(line)}</p>" in page and "<Model>" not in page
    result = {"holds": True, "rows": 121, "compared": "probabilities", "largest_difference": 8e-7}
    parity.write_text(json.dumps({"parity": result}))
    line = "Served implementation matches the trained model: yes, max |Δp| = 8e-07 on 121 rows"
    assert f'<p class="pass">{escaped(line)}</p>' in report.render(changed)


def test_a_params_yaml_older_than_paths_parity_gets_a_page_without_the_line(params):
    older = {**params, "paths": {k: v for k, v in params["paths"].items() if k != "parity"}}
    assert "Served implementation" not in report.render(older)
