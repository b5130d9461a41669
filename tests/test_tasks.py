"""Both tasks end to end under real DVC, MLflow and git: a regression bake on its bundled demo, and a
classification bake adopting a multiclass data set with string labels."""

import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import bake_project, copy_project, run, set_params, untracked

pytestmark = pytest.mark.slow  # a full pipeline run or more; `make test-fast` leaves it out

REGRESSION_PLOTS = {"predicted_vs_actual", "residuals", "feature_importance"}
SPECIES = {0: "setosa", 1: "versicolor", 2: "virginica"}


def read(project: Path, name: str):
    return json.loads((project / name).read_text())


@pytest.fixture(scope="module")
def regression(tmp_path_factory) -> Path:
    """A regression bake (scikit-learn's diabetes data) reproduced once and committed."""
    project = bake_project(tmp_path_factory.mktemp("regression"), task="regression", serving="no")
    run(project, "dvc", "repro")
    run(project, "git", "add", "-A")
    run(project, "git", "commit", "-qm", "Reproduce the pipeline")
    return project


def test_a_regression_bake_trains_scores_and_plots_its_task(regression):
    assert yaml.safe_load((regression / "params.yaml").read_text())["train"]["task"] == "regression"
    metrics = read(regression, "reports/metrics.json")
    assert set(metrics) == {"r2", "rmse", "mae"}
    evaluation = read(regression, "reports/evaluation.json")
    baseline = evaluation["baseline"]
    assert set(baseline) == set(metrics) and evaluation["passed"] is True
    assert metrics["r2"] >= baseline["r2"] + 0.1 and metrics["rmse"] < baseline["rmse"]
    assert evaluation["checks"][0]["check"] == "r2 against the baseline"
    assert {path.stem for path in (regression / "reports/plots").glob("*.json")} == REGRESSION_PLOTS
    shown = json.loads(run(regression, "dvc", "plots", "show", "--json").stdout)
    assert not shown.get("errors") and {Path(name).stem for name in shown["data"]} == REGRESSION_PLOTS
    page = (regression / "reports/report.html").read_text()
    assert "<td>task</td><td>regression</td>" in page and '<figure id="residuals">' in page
    assert re.search(r"Served implementation matches the trained model: yes, max relative &#124;Δ&#124; = ", page)


def test_the_regression_bakes_own_tests_pass(regression):
    result = run(regression, "pytest", "-q", "-p", "no:cacheprovider", "-x")
    assert " passed" in result.stdout and "failed" not in result.stdout


def test_promote_rejects_a_worse_regressor_and_rollback_walks_back(regression, tmp_path):
    project = copy_project(regression, tmp_path)  # the module's other tests read the bake as reproduced
    promote = ("python", "-m", "breast_cancer_classifier", "promote")
    assert "version 1 is the champion" in run(project, *promote).stdout
    forest = yaml.safe_load((project / "params.yaml").read_text())["train"]["random_forest"]
    set_params(project, train={"random_forest": {**forest, "max_depth": 2}})
    run(project, "dvc", "repro")
    rejected = run(project, *promote, check=False)
    assert rejected.returncode == 1
    assert "error: version 2 is not promoted: r2 against the champion is 0.43" in rejected.stderr
    decision = read(project, "reports/promotion.json")
    assert decision["challenger"]["metrics"]["baseline_r2"] < 0 < decision["challenger"]["metrics"]["r2"]
    rollback = ("python", "-m", "breast_cancer_classifier", "rollback", "--reason", "test")
    assert "champion 1 -> 2" in run(project, *rollback, "--to", "2").stdout
    assert "champion 2 -> 1" in run(project, *rollback).stdout


def test_a_multiclass_string_label_data_set_is_adopted_and_gated_on_its_baseline(tmp_path):
    project = untracked(bake_project(tmp_path))  # tracking is test_registry's
    write_iris = (
        "from sklearn.datasets import load_iris; frame = load_iris(as_frame=True).frame; "
        f"frame['species'] = frame.pop('target').map({SPECIES}); "
        "frame.to_csv('data/raw/iris.csv', index=False)"
    )
    run(project, "python", "-c", write_iris)
    run(project, "dvc", "add", "data/raw/iris.csv")
    forest = {"n_estimators": 40, "max_depth": 8, "min_samples_leaf": 1}  # small data, a small forest
    set_params(
        project,
        ingest={"source": "raw", "target": "species"},
        train={"random_forest": forest},
        evaluate={"thresholds": {}},
    )
    run(project, "dvc", "repro", "ingest")
    draft = run(project, "python", "-m", "breast_cancer_classifier", "contract").stdout
    (project / "contract.yaml").write_text(draft)
    run(project, "python", "-m", "breast_cancer_classifier", "profile")
    run(project, "dvc", "repro")

    metrics = read(project, "reports/metrics.json")
    assert set(metrics) == {"accuracy", "precision", "recall", "f1", "roc_auc", "log_loss"}
    evaluation = read(project, "reports/evaluation.json")
    assert evaluation["baseline"]["roc_auc"] == 0.5 and metrics["roc_auc"] >= 0.7
    assert [check["check"] for check in evaluation["checks"]] == ["roc_auc against the baseline"]
    cells = {(row["actual"], row["predicted"]) for row in read(project, "reports/plots/confusion_matrix.json")}
    assert {(name, name) for name in SPECIES.values()} <= cells
    suites = run(project, "pytest", "-q", "-p", "no:cacheprovider", "tests/model", "tests/data")
    assert " passed" in suites.stdout and "failed" not in suites.stdout
