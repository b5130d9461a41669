"""Bad data and bad models are stopped by the right check, and the last good model and metrics stay.

Each fault is injected into a baked project's data/raw/ and run through the real `dvc repro`.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import copy_project, digest, digests, ran_stages, reproduce_and_commit, run, set_params, untracked

pytestmark = pytest.mark.slow  # a full pipeline run or more; `make test-fast` leaves it out

RAW = "data/raw/breast_cancer.csv"
LAST_GOOD = ["models/model.pkl", "reports/metrics.json", "reports/plots/roc.json"]


@pytest.fixture(scope="session")
def raw_baseline(reproduced, tmp_path_factory) -> Path:
    """The reproduced bake, switched to the bundled data exported as the user's own CSV file.

    MLflow is off: these tests are about the gates, and tracking is test_registry's."""
    project = untracked(copy_project(reproduced, tmp_path_factory.mktemp("raw")))
    export = "from cd4ml.pipeline.ingest import load_bundled; load_bundled().to_csv('%s', index=False)"
    run(project, "python", "-c", export % RAW)
    run(project, "dvc", "add", RAW)
    set_params(project, ingest={"source": "raw", "target": "target"})
    reproduce_and_commit(project, "Train on data/raw")
    return project


@pytest.fixture
def project(raw_baseline, tmp_path) -> Path:
    return copy_project(raw_baseline, tmp_path)


def kept(project: Path) -> dict[str, str]:
    return digests(project, LAST_GOOD)


def shifted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(mean_texture=frame["mean_texture"] + frame["mean_texture"].std())


def with_text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(mean_area=frame["mean_area"].astype(object).where(frame.index % 7 > 0, "unknown"))


FAULTS = {
    "missing-column": (lambda frame: frame.drop(columns="mean_area"), "column 'mean_area': presence is missing"),
    "wrong-dtype": (with_text, f"{RAW}: column 'mean_area': mixes numbers and text: 82 of 569 values"),
    "all-nan-column": (lambda frame: frame.assign(mean_area=np.nan), "column 'mean_area': missing values is 569"),
    "empty-file": (lambda frame: None, f"{RAW}: cannot be read as csv"),
    "duplicate-flood": (
        lambda frame: pd.concat([frame, frame.sample(200, random_state=0)]),
        "duplicate row share is 0.26",
    ),
    "unseen-class": (
        lambda frame: frame.assign(target=frame["target"].where(frame.index % 50 > 0, 2)),
        "column 'target': allowed values is [2]",
    ),
    "out-of-range": (
        lambda frame: frame.assign(mean_area=frame["mean_area"].where(frame.index % 100 > 0, 1e6)),
        "column 'mean_area': range is [143.5, 1000000], expected [0, 3680]",
    ),
    "shifted-distribution": (shifted, "column 'mean_texture': PSI is"),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_is_stopped_by_its_check_and_the_last_good_run_stays(project, fault):
    change, message = FAULTS[fault]
    before = kept(project)
    broken = change(pd.read_csv(project / RAW))
    (project / RAW).write_text("" if broken is None else broken.to_csv(index=False))

    result = run(project, "dvc", "repro", check=False)

    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and errors[0].startswith(f"error: {message}"), result.stderr
    assert "Traceback" not in result.stderr
    assert "featurize" not in ran_stages(result.stdout)
    assert kept(project) == before


def test_the_data_quality_report_lists_every_check_with_observed_value_and_bound(project):
    (project / RAW).write_text(shifted(pd.read_csv(project / RAW)).to_csv(index=False))
    run(project, "dvc", "repro", check=False)
    report = json.loads((project / "reports/data_quality.json").read_text())
    assert report["passed"] is False
    failed = {(check["column"], check["check"]) for check in report["checks"] if not check["passed"]}
    assert ("mean_texture", "PSI") in failed
    assert len(report["checks"]) > 300
    assert all({"check", "column", "observed", "bound", "passed"} == set(check) for check in report["checks"])
    markdown = (project / "reports/data_quality.md").read_text()
    assert "| **FAIL** | mean_texture | PSI |" in markdown


def test_the_data_suite_runs_under_pytest_too(project):
    assert "2 passed" in run(project, "pytest", "-q", "-p", "no:cacheprovider", "tests/data").stdout
    (project / RAW).write_text(shifted(pd.read_csv(project / RAW)).to_csv(index=False))
    failing = run(project, "pytest", "-q", "-p", "no:cacheprovider", "tests/data", check=False)
    assert failing.returncode == 1
    assert "column 'mean_texture': PSI is" in failing.stdout


def test_a_model_below_the_gate_is_not_kept(project):
    before = kept(project)
    candidate = digest(project / "models/candidate.pkl")
    set_params(project, train={"model": "logistic_regression", "logistic_regression": {"C": 1e-4, "max_iter": 50}})

    result = run(project, "dvc", "repro", check=False)

    assert result.returncode != 0
    assert ran_stages(result.stdout) == ["train", "evaluate"]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1
    assert errors[0].endswith("see reports/evaluation.md; the last good model and metrics are kept")
    assert "expected >=" in errors[0]
    assert digest(project / "models/candidate.pkl") != candidate
    assert kept(project) == before
    gate = json.loads((project / "reports/evaluation.json").read_text())
    assert gate["passed"] is False and set(gate["metrics"]) >= {"accuracy", "roc_auc"}
    assert "evaluate" in run(project, "dvc", "status").stdout
