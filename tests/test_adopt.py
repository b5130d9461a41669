"""`adopt` on other people's data: a public set shipped inside scikit-learn, and files spoiled on purpose.

The iris set, with a feature of the team's own, goes through `adopt` (which runs `dvc repro`), the
baked tests that read the project's own data, contract and params, `promote`, `export`, and the
service started as the container starts it, which must answer the test rows as the exported model
does offline. Bad files are stopped with one line, and the last good model and metrics keep their bytes. One
copy switches data sets with `adopt --replace`, each promoted as the first champion of its own registered model.
"""

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import (
    bake_project,
    check_served_as_offline,
    copy_project,
    digests,
    free_port,
    project_env,
    reproduce_and_commit,
    run,
)
from data_sets import diabetes, iris, small
from sklearn import datasets

pytestmark = pytest.mark.slow  # a full pipeline run or more; `make test-fast` leaves it out

MODULE = "own_data"
LAST_GOOD = ["models/model.pkl", "reports/metrics.json"]
# The baked tests whose expectations come from the project's data, contract and params; the whole
# suite adds the notebook, which takes a kernel's start.
PROJECT_TESTS = ["tests/data", "tests/model", "tests/test_features.py", "tests/test_estimators.py"]
DEMO_THRESHOLDS = {"accuracy": 0.9, "f1": 0.9, "roc_auc": 0.95, "log_loss": 0.3}

# The hand-picked set: the generated ones (test_generated.py) cover the other shapes of data.
DATA_SETS = {  # file, target, what adopt must decide, the type of the service's answers
    "iris": (iris, "species", {"task": "classification", "roles": {"row_number": "id"}}, str),
}
WHOLE_SUITE = "iris"  # the whole baked suite, as `make test` runs it
# The team's first feature on its own data: the whole suite then tests it on that data, not the demo's.
IRIS_FEATURE = """import pandas as pd


def add_features(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(petal_ratio=frame["petal length (cm)"] / frame["petal width (cm)"])
"""


@pytest.fixture(scope="module")
def baked(tmp_path_factory) -> Path:
    project = bake_project(tmp_path_factory.mktemp("adopt"), project_slug="own-data")
    return project


def copy_of(baked: Path, folder: Path, tracked: bool = False) -> Path:
    """A private copy of the bake; without MLflow unless tracked, which saves seconds per run."""
    project = copy_project(baked, folder)
    if not tracked:
        params = project / "params.yaml"
        params.write_text(params.read_text().replace("  enabled: true", "  enabled: false", 1))
    return project


def adopt(project: Path, file: Path, target: str, *options: str, check: bool = True):
    return run(project, "python", "-m", MODULE, "adopt", str(file), "--target", target, *options, check=check)


def one_error_line(result) -> str:
    """The one error line; our commands exit with 2, `dvc repro` with its own status."""
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert result.returncode == (2 if "adopt" in result.args else 255) and len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return errors[0]


def check_decisions(project: Path, output: str, target: str, expected: dict, params_before: str) -> None:
    """params.yaml and contract.yaml say what adopt decided for this file, comments kept."""
    assert f"task: {expected['task']}" in output and "first run:" in output
    params = yaml.safe_load((project / "params.yaml").read_text())
    assert params["ingest"]["source"] == "raw" and params["ingest"]["target"] == target
    assert params["train"]["task"] == expected["task"]
    assert params["ingest"]["separator"] == expected.get("separator", ",")
    assert params["evaluate"]["thresholds"] not in ({}, DEMO_THRESHOLDS)
    assert params["featurize"]["test_size"] == expected.get("test_size", 0.2)
    comments = [line for line in params_before.splitlines() if line.lstrip().startswith("#")]
    assert all(line in (project / "params.yaml").read_text() for line in comments)
    contract = yaml.safe_load((project / "contract.yaml").read_text())
    assert contract["columns"][target]["role"] == "target"
    for column, role in expected.get("roles", {}).items():
        assert contract["columns"][column]["role"] == role
    for column, rules in expected.get("rules", {}).items():
        assert contract["columns"][column] == rules
    assert contract["dataset"]["max_duplicate_share"] >= expected.get("duplicates", 0)


@pytest.mark.parametrize("name", DATA_SETS)
def test_an_adopted_file_passes_the_project_tests_is_promoted_and_served_as_trained(baked, tmp_path, name):
    make, target, expected, label = DATA_SETS[name]
    project = copy_of(baked, tmp_path, tracked=True)
    before = (project / "params.yaml").read_text()

    result = adopt(project, make(tmp_path), target)

    check_decisions(project, result.stdout, target, expected, before)
    assert run(project, "dvc", "status").stdout.strip() == "Data and pipelines are up to date."
    run(project, "bash", "-c", result.stdout.splitlines()[-1])  # the commit adopt prints
    assert run(project, "git", "status", "--porcelain").stdout == ""  # DVC's new .gitignore files too
    tests = ["tests"] if name == WHOLE_SUITE else PROJECT_TESTS
    if name == WHOLE_SUITE:
        (project / f"src/{MODULE}/features.py").write_text(IRIS_FEATURE)
        assert "Running stage 'train'" in run(project, "dvc", "repro").stdout
    assert " passed" in run(project, "pytest", "-q", "-p", "no:cacheprovider", *tests).stdout
    assert "is the champion" in run(project, "python", "-m", MODULE, "promote").stdout
    check_served_as_offline(project, MODULE, target, label)


def test_a_regression_target_is_detected_and_drafted_as_a_range(baked, tmp_path):
    project = copy_of(baked, tmp_path)

    result = adopt(project, diabetes(tmp_path), "target", "--no-repro")

    assert "task: regression (detected: numbers with 214 distinct values)" in result.stdout
    assert yaml.safe_load((project / "params.yaml").read_text())["train"]["task"] == "regression"
    rules = yaml.safe_load((project / "contract.yaml").read_text())["columns"]["target"]
    assert "allowed" not in rules and rules["min"] <= 25 and rules["max"] >= 346
    profile = json.loads((project / "data/reference/profile.json").read_text())
    assert profile["columns"]["target"]["kind"] == "number"


@pytest.fixture(scope="module")
def adopted(baked, tmp_path_factory) -> Path:
    """The small data set adopted, reproduced (its evaluation tracked) and committed: the last good run."""
    folder = tmp_path_factory.mktemp("adopted")
    project = copy_of(baked, folder, tracked=True)
    adopt(project, small(folder), "big", "--no-repro")  # adopt's own run is tested above
    reproduce_and_commit(project, "Adopt small.csv")
    return project


@pytest.fixture
def project(adopted, tmp_path) -> Path:
    return copy_project(adopted, tmp_path)


def kept(project: Path) -> dict[str, str]:
    return digests(project, LAST_GOOD)


def break_column(column: str, value) -> callable:
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame[column] = frame[column].astype(object)
        frame.loc[frame.index[::10], column] = value
        return frame

    return change


BAD_FILES = {
    "mixed-types": (break_column("size", "unknown"), "column 'size': mixes numbers and text: 6 of 60"),
    "huge-integer": (
        break_column("size", "9" * 309),
        "column 'size': 999999... (309 chars in all) is beyond the 64-bit integer range",
    ),
    "float32-overflow": (break_column("area", 1e39), "column 'area': float32 range is 1e+39"),
}


@pytest.mark.parametrize("fault", BAD_FILES)
def test_a_bad_file_is_one_line_and_the_last_good_run_stays(project, fault):
    change, message = BAD_FILES[fault]
    raw = project / "data/raw/small.csv"
    before = kept(project)
    raw.write_text(change(pd.read_csv(raw)).to_csv(index=False))

    error = one_error_line(run(project, "dvc", "repro", check=False))

    assert message in error and len(error) < 400
    assert kept(project) == before


def test_a_nested_column_is_one_line_naming_the_file_and_column(project):
    before = kept(project)
    pd.DataFrame({"size": [1], "tags": [[1, 2]], "big": ["no"]}).to_parquet(project / "data/raw/more.parquet")
    error = one_error_line(run(project, "dvc", "repro", check=False))
    assert "data/raw/more.parquet: column 'tags': holds nested values" in error
    assert kept(project) == before


def test_a_too_small_test_set_is_refused_by_featurize(project):
    before = kept(project)
    text = (project / "params.yaml").read_text().replace("min_test_rows: 20", "min_test_rows: 40")
    (project / "params.yaml").write_text(text)
    error = one_error_line(run(project, "dvc", "repro", check=False))
    assert "give 21 test rows at featurize.test_size 0.34, fewer than featurize.min_test_rows 40" in error
    assert kept(project) == before


def frame_of(name: str) -> pd.DataFrame:
    return getattr(datasets, f"load_{name}")(as_frame=True).frame


REFUSED = {
    "one-class": (lambda: frame_of("iris").assign(target=1), "target", (), "has 1 distinct value(s) (1)"),
    "continuous-as-classes": (
        lambda: frame_of("diabetes"),
        "target",
        ("--task", "classification"),
        "a quantity rather than classes; set train.task: regression",
    ),
    "too-few-rows": (lambda: frame_of("linnerud"), "Weight", (), "20 rows are too few"),
    "10000-columns": (
        lambda: pd.DataFrame(np.zeros((3, 10_000)), columns=[f"feature_{n}" for n in range(10_000)]),
        "label",
        (),
        "the target column 'label' is missing (10,000 columns: feature_0, feature_1",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_adopt_refuses_a_file_it_cannot_train_on_with_one_line_and_changes_nothing(project, tmp_path, case):
    make, target, options, message = REFUSED[case]
    make().to_csv(tmp_path / "theirs.csv", index=False)
    before = run(project, "git", "status", "--porcelain").stdout

    error = one_error_line(adopt(project, tmp_path / "theirs.csv", target, *options, check=False))

    assert message in error and len(error) < 400
    assert run(project, "git", "status", "--porcelain").stdout == before
    assert not (project / "data/raw/theirs.csv").exists()


def test_switching_data_sets_gives_each_data_set_and_task_its_own_champion(adopted, tmp_path):
    """small -> iris (classification to classification) -> diabetes (to regression): each model is its data
    set's first champion, neither rejected against nor compared with the last one's; the service refuses a
    champion whose columns the contract no longer describes."""
    project = copy_project(adopted, tmp_path)
    cli = ("python", "-m", MODULE)
    assert "own-data-small-classification version 1 is the champion" in run(project, *cli, "promote").stdout

    for make, target, name in [(iris, "species", "iris-classification"), (diabetes, "target", "diabetes-regression")]:
        adopt(project, make(tmp_path), target, "--replace", "--no-repro")
        run(project, "dvc", "repro", "evaluate")  # what promote needs; the report is not
        assert f"own-data-{name} version 1 is the champion" in run(project, *cli, "promote").stdout
    assert sorted(path.name for path in (project / "data/raw").glob("*.csv")) == ["diabetes.csv"]

    old = {**project_env(project), "MODEL_URI": "models:/own-data-small-classification@champion"}
    served = subprocess.run([*cli, "serve", "--port", str(free_port())], cwd=project, env=old,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert served.returncode == 2 and served.stderr.count("\n") == 1
    assert "version 1 takes column 'size' (4 of its 4 columns are missing), which contract.yaml" in served.stderr
