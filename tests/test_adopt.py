"""`adopt` on other people's data: public sets shipped inside scikit-learn, and generated ones.

One bake (serving off) is copied per data set. Each data set goes through `adopt` (which runs
`dvc repro`), then the baked tests that read the project's own data, contract and params.
Bad files are stopped with one line, and the last good model and metrics keep their bytes.
"""

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import bake_project, digest, run
from sklearn import datasets

pytestmark = pytest.mark.slow  # a full pipeline run or more; `make test-fast` leaves it out

MODULE = "own_data"
LAST_GOOD = ["models/model.pkl", "reports/metrics.json"]
# The baked tests whose expectations come from the project's data, contract and params; the
# rest test the library on the bundled data, the same whatever the project trains on.
PROJECT_TESTS = [
    "tests/data",
    "tests/model",
    "tests/quality/test_contract.py::test_the_shipped_contract_accepts_the_current_data",
    "tests/quality/test_profile.py::test_the_shipped_reference_is_the_current_data_profile",
    "tests/registry/test_promote.py",
    "tests/test_tracking.py",
]


def iris(folder: Path) -> Path:
    """String labels, three classes, a row-number ID column."""
    frame = datasets.load_iris(as_frame=True).frame
    frame["species"] = np.array(["setosa", "versicolor", "virginica"])[frame.pop("target")]
    frame.insert(0, "row_number", range(1, len(frame) + 1))
    frame.to_csv(folder / "iris.csv", index=False)
    return folder / "iris.csv"


def wine(folder: Path) -> Path:
    """Integer labels, a date column, a spreadsheet export: semicolons and decimal commas."""
    frame = datasets.load_wine(as_frame=True).frame
    frame.insert(0, "bottled", pd.date_range("2020-01-01", periods=len(frame), freq="D").astype(str))
    frame.to_csv(folder / "wine.csv", index=False, sep=";", decimal=",")
    return folder / "wine.csv"


def clinic(folder: Path) -> Path:
    """Boolean labels, integer and categorical features with gaps, many duplicate rows."""
    frame = datasets.load_breast_cancer(as_frame=True).frame.iloc[:, [0, 1, 2, 30]]
    frame.columns = ["radius", "texture", "perimeter", "target"]
    generator = np.random.default_rng(0)
    frame["malignant"] = frame.pop("target") == 0
    frame["visits"] = pd.array(generator.integers(0, 9, len(frame)), dtype="Int64")
    frame["clinic"] = generator.choice(["north", "south", "east"], len(frame))
    frame.loc[frame.index % 9 == 0, "visits"] = pd.NA
    frame.loc[frame.index % 11 == 0, "clinic"] = None
    frame = pd.concat([frame, frame.sample(150, random_state=0)], ignore_index=True)  # 21% repeats
    frame.to_csv(folder / "clinic.csv", index=False)
    return folder / "clinic.csv"


def small(folder: Path) -> Path:
    """Sixty rows of integer features (plain int64), a float and a category: a larger test share."""
    generator = np.random.default_rng(1)
    size = np.concatenate([generator.integers(1, 40, 30), generator.integers(30, 90, 30)])
    frame = pd.DataFrame({"size": size, "rooms": size // 10 + generator.integers(0, 2, 60)})
    frame["area"] = size * 1.5 + generator.normal(0, 5, 60).round(2)
    frame["kind"] = np.where(np.arange(60) % 3 == 0, "flat", "house")
    frame["big"] = np.where(np.arange(60) < 30, "no", "yes")
    frame.sample(frac=1, random_state=0).to_csv(folder / "small.csv", index=False)
    return folder / "small.csv"


DATA_SETS = {
    "iris": (iris, "species", {"task": "classification", "roles": {"row_number": "id"}}),
    "wine": (wine, "target", {"task": "classification", "roles": {"bottled": "date"}, "separator": ";"}),
    "clinic": (clinic, "malignant", {"task": "classification", "duplicates": 0.2}),
    "small": (small, "big", {"task": "classification", "test_size": 0.34}),
}


@pytest.fixture(scope="module")
def baked(tmp_path_factory) -> Path:
    project = bake_project(tmp_path_factory.mktemp("adopt"), project_slug="own-data", serving="no")
    assert (project / "src" / MODULE).is_dir()
    return project


def copy_of(baked: Path, folder: Path, tracked: bool = False) -> Path:
    """A private copy of the bake; without MLflow unless tracked, which saves seconds per run."""
    project = Path(shutil.copytree(baked, folder / baked.name, symlinks=True))
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


@pytest.mark.parametrize("name", DATA_SETS)
def test_adopt_then_the_project_tests_pass(baked, tmp_path, name):
    make, target, expected = DATA_SETS[name]
    project = copy_of(baked, tmp_path, tracked=name == "iris")
    before = (project / "params.yaml").read_text()
    result = adopt(project, make(tmp_path), target)

    assert f"task: {expected['task']}" in result.stdout and "first run:" in result.stdout
    params = yaml.safe_load((project / "params.yaml").read_text())
    assert params["ingest"]["source"] == "raw" and params["ingest"]["target"] == target
    assert params["train"]["task"] == expected["task"]
    assert params["ingest"]["separator"] == expected.get("separator", ",")
    assert params["evaluate"]["thresholds"] != {"accuracy": 0.9, "f1": 0.9, "roc_auc": 0.95, "log_loss": 0.3}
    assert params["featurize"]["test_size"] == expected.get("test_size", 0.2)
    comments = [line for line in before.splitlines() if line.lstrip().startswith("#")]
    assert all(line in (project / "params.yaml").read_text() for line in comments)
    contract = yaml.safe_load((project / "contract.yaml").read_text())
    assert contract["columns"][target]["role"] == "target"
    for column, role in expected.get("roles", {}).items():
        assert contract["columns"][column]["role"] == role
    assert contract["dataset"]["max_duplicate_share"] >= expected.get("duplicates", 0)
    assert run(project, "dvc", "status").stdout.strip() == "Data and pipelines are up to date."
    tests = ["tests"] if name == "iris" else PROJECT_TESTS  # once the whole suite, as `make test`
    assert " passed" in run(project, "pytest", "-q", "-p", "no:cacheprovider", *tests).stdout
    if name == "iris":
        assert "is the champion" in run(project, "python", "-m", MODULE, "promote").stdout


def test_a_regression_target_is_detected_and_drafted_as_a_range(baked, tmp_path):
    project = copy_of(baked, tmp_path)
    frame = datasets.load_diabetes(as_frame=True, scaled=False).frame
    frame.to_csv(tmp_path / "diabetes.csv", index=False)

    result = adopt(project, tmp_path / "diabetes.csv", "target", "--no-repro")

    assert "task: regression (detected: numbers with 214 distinct values)" in result.stdout
    assert yaml.safe_load((project / "params.yaml").read_text())["train"]["task"] == "regression"
    rules = yaml.safe_load((project / "contract.yaml").read_text())["columns"]["target"]
    assert "allowed" not in rules and rules["min"] <= 25 and rules["max"] >= 346
    profile = json.loads((project / "data/reference/profile.json").read_text())
    assert profile["columns"]["target"]["kind"] == "number"


def test_a_regression_data_set_runs_end_to_end(baked, tmp_path):
    project = copy_of(baked, tmp_path)
    datasets.load_diabetes(as_frame=True, scaled=False).frame.to_csv(tmp_path / "diabetes.csv", index=False)
    adopt(project, tmp_path / "diabetes.csv", "target")
    assert " passed" in run(project, "pytest", "-q", "-p", "no:cacheprovider", *PROJECT_TESTS).stdout


@pytest.fixture(scope="module")
def adopted(baked, tmp_path_factory) -> Path:
    """The small data set adopted, reproduced and committed: the last good run."""
    folder = tmp_path_factory.mktemp("adopted")
    project = copy_of(baked, folder)
    adopt(project, small(folder), "big", "--no-repro")  # adopt's own run is tested above
    run(project, "dvc", "repro")
    run(project, "git", "add", "-A")
    run(project, "git", "commit", "-qm", "Adopt small.csv")
    return project


@pytest.fixture
def project(adopted, tmp_path) -> Path:
    return Path(shutil.copytree(adopted, tmp_path / adopted.name, symlinks=True))


def kept(project: Path) -> dict[str, str]:
    return {name: digest(project / name) for name in LAST_GOOD}


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
        "the target column 'label' is missing (columns: feature_0, feature_1",
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
