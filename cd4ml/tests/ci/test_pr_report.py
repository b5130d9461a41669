import json

from cd4ml.ci import pr_report
from cd4ml.markup import escaped


def test_metrics_show_base_new_and_delta():
    rows = pr_report.metrics_table({"f1": 0.9, "roc_auc": 0.95}, {"f1": 0.92, "roc_auc": 0.95})
    assert "| f1 | 0.9000 | 0.9200 | +0.0200 |" in rows
    assert "| roc_auc | 0.9500 | 0.9500 | +0.0000 |" in rows


def test_only_changed_params_are_listed():
    base = {"train": {"model": "random_forest", "random_forest": {"max_depth": 8}}}
    new = {"train": {"model": "random_forest", "random_forest": {"max_depth": 4}}}
    assert pr_report.params_table(base, new)[2:] == ["| train.random_forest.max_depth | 8 | 4 |"]
    assert pr_report.params_table(new, new) == ["No parameter changed."]


def test_roc_curves_become_a_mermaid_chart():
    curve = [
        {"false_positive_rate": 0.0, "true_positive_rate": 0.0},
        {"false_positive_rate": 1.0, "true_positive_rate": 1.0},
    ]
    chart = pr_report.roc_chart(curve, curve)
    assert chart[0] == "```mermaid" and chart[1] == "xychart-beta" and chart[-1] == "```"
    assert sum(line.strip().startswith("line [") for line in chart) == 2
    assert pr_report.roc_chart(None, None) == []


def test_regression_errors_become_a_mermaid_chart_lower_is_better():
    base = [{"actual": 10.0, "predicted": 14.0}, {"actual": 20.0, "predicted": 20.0}]
    better = [{"actual": 10.0, "predicted": 11.0}, {"actual": 20.0, "predicted": 20.0}]
    chart = pr_report.error_chart(base, better)
    assert chart[0] == "```mermaid" and chart[-1] == "```"
    assert '    y-axis "absolute error" 0 --> 4' in chart
    lines = [line for line in chart if line.strip().startswith("line [")]
    assert lines[0].endswith(", 4]") and lines[1].endswith(", 1]")
    assert pr_report.error_chart(None, None) == []


def test_the_served_line_is_one_escaped_bullet(params, tmp_path):
    parity = tmp_path / "parity.json"
    changed = {**params, "paths": {**params["paths"], "parity": str(parity)}}
    assert pr_report.served_lines(changed, "main") == [
        "- Served implementation matches the trained model: not proven yet "
        "(evaluate proves it when a model passes its gate)"
    ]
    reason = "features | derives\ncolumns <b>in Python</b>"
    parity.write_text(json.dumps({"reason": reason}))
    (bullet,) = pr_report.served_lines(changed, "no-such-revision")
    assert bullet == "- " + escaped(
        f"Served implementation matches the trained model: no: {reason}"
    )
    assert "|" not in bullet and "\n" not in bullet and "<b>" not in bullet


def test_a_params_yaml_older_than_paths_parity_gets_no_served_line(params):
    older = {**params, "paths": {k: v for k, v in params["paths"].items() if k != "parity"}}
    assert pr_report.served_lines(older, "main") == []
