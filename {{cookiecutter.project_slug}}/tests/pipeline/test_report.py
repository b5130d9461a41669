import re

from {{ cookiecutter.module_name }}.pipeline import report


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
