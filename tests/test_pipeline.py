"""The baked pipeline under real DVC: reproduce, skip, rerun what changed, and refuse bad data."""

import json
from pathlib import Path

import pytest
import yaml
from conftest import STAGES, copy_project, digest, ran_stages, run, set_params

pytestmark = pytest.mark.slow  # a full pipeline run or more; `make test-fast` leaves it out

METRICS = {"accuracy", "precision", "recall", "f1", "roc_auc", "log_loss"}
PLOTS = {"roc", "precision_recall", "confusion_matrix", "feature_importance"}
KEPT = ["data/interim/dataset.parquet", "models/model.pkl", "reports/metrics.json"]


def digests(project: Path) -> dict[str, str]:
    return {name: digest(project / name) for name in KEPT}


@pytest.fixture
def project(reproduced, tmp_path) -> Path:
    """A private copy of the reproduced bake, DVC cache and git history included."""
    return copy_project(reproduced, tmp_path)


def test_repro_writes_metrics_plots_and_a_lock(reproduced):
    metrics = json.loads((reproduced / "reports/metrics.json").read_text())
    assert set(metrics) == METRICS
    assert metrics["roc_auc"] > 0.95
    assert {path.stem for path in (reproduced / "reports/plots").glob("*.json")} == PLOTS
    lock = yaml.safe_load((reproduced / "dvc.lock").read_text())
    assert list(lock["stages"]) == STAGES
    ingested = lock["stages"]["ingest"]["outs"][0]
    assert ingested["path"] == "data/interim/dataset.parquet"
    assert ingested["md5"] == digest(reproduced / "data/interim/dataset.parquet")


def test_a_second_repro_runs_no_stage(project):
    output = run(project, "dvc", "repro").stdout
    assert ran_stages(output) == []
    assert "Data and pipelines are up to date." in run(project, "dvc", "status").stdout


def test_changing_a_training_param_reruns_only_train_and_evaluate(project):
    set_params(project, train={"random_forest": {"n_estimators": 40, "max_depth": 4, "min_samples_leaf": 1}})
    output = run(project, "dvc", "repro").stdout
    assert ran_stages(output) == ["train", "evaluate", "report"]
    diff = json.loads(run(project, "dvc", "params", "diff", "--json").stdout)
    assert diff["params.yaml"]["train.random_forest.n_estimators"] == {"old": 200, "new": 40, "diff": -160}
    assert "reports/metrics.json" in run(project, "dvc", "metrics", "diff", "--all").stdout


def test_the_same_commit_gives_the_same_model_and_metrics(project):
    before = digests(project)
    output = run(project, "dvc", "repro", "--force").stdout
    assert ran_stages(output) == STAGES
    assert digests(project) == before
    assert run(project, "git", "status", "--porcelain").stdout == ""


def test_a_fresh_clone_reproduces_without_a_remote_or_cache(reproduced, tmp_path):
    clone = tmp_path / "clone"
    run(reproduced, "git", "clone", "-q", str(reproduced), str(clone))
    assert not (clone / ".dvc/cache").exists()
    output = run(clone, "dvc", "repro").stdout
    # validate's report is committed to git and the rebuilt data set matches it, so validate is skipped.
    assert ran_stages(output) == ["ingest", "featurize", "train", "evaluate"]
    assert digests(clone) == digests(reproduced)
    assert run(clone, "git", "status", "--porcelain").stdout == ""


def test_metrics_plots_and_experiments_work_as_in_any_dvc_project(project):
    assert "roc_auc" in run(project, "dvc", "metrics", "show").stdout
    run(project, "dvc", "plots", "show", "--out", "dvc_plots")
    page = (project / "dvc_plots/index.html").read_text()
    assert all(name in page for name in PLOTS)
    run(project, "dvc", "exp", "run", "--name", "shallow", "-S", "train.random_forest.max_depth=2")
    experiments = json.loads(run(project, "dvc", "exp", "show", "--json").stdout)
    names = [exp["name"] for commit in experiments for exp in commit.get("experiments") or []]
    assert "shallow" in names


def write_user_data(project: Path, size: int = 200) -> None:
    rows = ["age,income,region,churned"]
    rows += [f"{20 + i % 50},{30000 + 97 * i},{'north' if i % 3 else 'south'},{int(i % 50 > 30)}" for i in range(size)]
    (project / "data/raw/customers.csv").write_text("\n".join(rows) + "\n")


def test_the_users_own_data_is_versioned_and_trained_on(project):
    """The README's steps: add the data, point params.yaml at it, draft its contract and reference profile."""
    write_user_data(project)
    run(project, "dvc", "add", "data/raw/customers.csv")
    set_params(project, ingest={"source": "raw", "target": "churned"})
    assert "ingest: 200 rows, 4 columns" in run(project, "dvc", "repro", "ingest").stdout
    refused = run(project, "dvc", "repro", check=False)
    assert "error: column 'mean_radius': presence is missing, expected present" in refused.stderr
    draft = run(project, "python", "-m", "breast_cancer_classifier", "contract").stdout
    (project / "contract.yaml").write_text(draft)
    run(project, "python", "-m", "breast_cancer_classifier", "profile")
    output = run(project, "dvc", "repro").stdout
    assert ran_stages(output) == ["validate", "featurize", "train", "evaluate", "report"]
    lock = yaml.safe_load((project / "dvc.lock").read_text())
    raw = lock["stages"]["ingest"]["deps"][0]
    assert raw["path"] == "data/raw" and raw["md5"].endswith(".dir")
    assert (project / "data/raw/customers.csv.dvc").is_file()
    features = {row["feature"] for row in json.loads((project / "reports/plots/feature_importance.json").read_text())}
    assert {"age", "income", "region_north", "region_south"} == features


@pytest.mark.parametrize(
    ("write", "message"),
    [
        (
            lambda raw: (raw / "customers.csv").write_text("age,income\n30,40000\n"),
            "error: data/raw/customers.csv: the target column 'churned' is missing (2 columns: age, income)",
        ),
        (
            lambda raw: (raw / "customers.parquet").write_bytes(b"PAR1 but not really"),
            "error: data/raw/customers.parquet: cannot be read as parquet",
        ),
        (
            lambda raw: (raw / "customers.csv").write_text("age,income,churned\n"),
            "error: data/raw: the data set has no rows",
        ),
    ],
    ids=["missing-target", "unreadable-file", "empty-data-set"],
)
def test_bad_data_stops_ingest_with_one_line_and_keeps_the_last_good_run(project, write, message):
    before = digests(project)
    write(project / "data/raw")
    set_params(project, ingest={"source": "raw", "target": "churned"})
    result = run(project, "dvc", "repro", check=False)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert lines == [message] or (len(lines) == 1 and lines[0].startswith(message))
    assert "Traceback" not in result.stderr
    assert ran_stages(result.stdout) == ["ingest"]
    assert digests(project) == before
