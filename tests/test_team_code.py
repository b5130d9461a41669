"""The team's own code in a bake, end to end: a derived feature in features.py, estimators named by
import path, a stage added by the recipe (a function in the team's package and a dvc.yaml entry)."""

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import (
    bake_project,
    check_served_as_offline,
    copy_project,
    ran_stages,
    reproduce_and_commit,
    run,
    set_params,
)

pytestmark = pytest.mark.slow  # full pipeline runs; `make test-fast` leaves them out

MODULE = "team_code"
RATIO = '''"""A ratio of two raw columns, derived inside the model."""

import pandas as pd


def add_features(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(radius_per_area=frame["mean_radius"] / frame["mean_area"])
'''
# The recipe for a stage of the team's own: a module with a main(), and its entry in dvc.yaml.
SUMMARY = '''"""summary: the training set -> reports/summary.json (rows per class)."""

import json
from pathlib import Path

import pandas as pd
from cd4ml.config import load_params, param, path


def main() -> None:
    params = load_params()
    train = pd.read_parquet(path(params, "train"))
    counts = train[param(params, "ingest.target")].astype(str).value_counts().sort_index()
    summary = {"rows": len(train), **{label: int(count) for label, count in counts.items()}}
    Path("reports/summary.json").write_text(json.dumps(summary, indent=2) + "\\n")


if __name__ == "__main__":
    main()
'''
SUMMARY_STAGE = {
    "cmd": f"python -m {MODULE}.summary",
    "deps": ["${paths.train}", f"src/{MODULE}/summary.py"],
    "metrics": [{"reports/summary.json": {"cache": False}}],
}


@pytest.fixture(scope="module")
def baked(tmp_path_factory) -> Path:
    return bake_project(tmp_path_factory.mktemp("team"), project_slug="team-code")


# What the trained pipeline says of itself, read in the bake (its features step is the bake's code).
DESCRIBE = """
import json, joblib, pandas as pd
model = joblib.load("models/model.pkl")
rows = pd.read_parquet("data/processed/test.parquet").drop(columns="target")
estimator = model.named_steps["estimator"]
print(json.dumps({
    "steps": list(model.named_steps), "inputs": list(model.feature_names_in_),
    "predicted": model.predict(rows).tolist(), "estimator": type(estimator).__name__,
    "params": {key: value for key, value in estimator.get_params().items() if isinstance(value, int | str)},
}))
"""


def described(project: Path) -> dict:
    return json.loads(run(project, "python", "-c", DESCRIBE).stdout)


def test_a_derived_feature_is_trained_tested_promoted_and_served_from_raw_columns(baked, tmp_path):
    project = copy_project(baked, tmp_path)
    (project / f"src/{MODULE}/features.py").write_text(RATIO)
    reproduce_and_commit(project, "A ratio feature")

    model = described(project)
    assert model["steps"] == ["features", "preprocess", "estimator"]
    assert "radius_per_area" not in model["inputs"] and "mean_area" in model["inputs"]  # clients send raw columns
    importance = json.loads((project / "reports/plots/feature_importance.json").read_text())
    assert "radius_per_area" in {row["feature"] for row in importance}
    suite = run(project, "pytest", "-q", "-p", "no:cacheprovider")
    assert " passed" in suite.stdout and "failed" not in suite.stdout
    assert "is the champion" in run(project, "python", "-m", MODULE, "promote").stdout
    check_served_as_offline(project, MODULE, "target", int)
    raw = pd.read_parquet(project / "data/processed/test.parquet").drop(columns="target")
    raw.to_csv(tmp_path / "raw.csv", index=False)
    output = tmp_path / "out.parquet"
    run(project, "python", "-m", MODULE, "predict", str(tmp_path / "raw.csv"), "--output", str(output))
    scored = pd.read_parquet(output)
    assert scored["prediction"].tolist() == model["predicted"]


@pytest.mark.parametrize(
    ("estimator", "hyperparameters", "seeded"),
    [
        ("sklearn.ensemble.ExtraTreesClassifier", {"n_estimators": 30, "min_samples_leaf": 2}, True),
        ("sklearn.neighbors.KNeighborsClassifier", {"n_neighbors": 7}, False),
    ],
)
def test_an_import_path_estimator_trains_promotes_and_serves(baked, tmp_path, estimator, hyperparameters, seeded):
    project = copy_project(baked, tmp_path)
    set_params(project, train={"model": estimator, "params": hyperparameters})
    reproduce_and_commit(project, f"Train {estimator}")

    model = described(project)
    assert model["estimator"] == estimator.rpartition(".")[2]
    assert hyperparameters.items() <= model["params"].items()
    assert (model["params"].get("random_state") == 42) == seeded
    suite = run(project, "pytest", "-q", "-p", "no:cacheprovider", "tests/model", "tests/test_estimators.py")
    assert " passed" in suite.stdout and "failed" not in suite.stdout
    assert "is the champion" in run(project, "python", "-m", MODULE, "promote").stdout
    check_served_as_offline(project, MODULE, "target", int)


def test_an_unknown_hyperparameter_or_estimator_is_one_line(baked, tmp_path):
    project = copy_project(baked, tmp_path)
    run(project, "dvc", "repro", "featurize")
    set_params(project, train={"model": "sklearn.neighbors.KNeighborsClassifier", "params": {"depth": 3}})
    failed = run(project, "python", "-m", MODULE, "train", check=False)
    assert failed.returncode == 2
    assert failed.stderr == (
        "error: params.yaml: train.params has ['depth'], which KNeighborsClassifier does not take\n"
    )
    set_params(project, train={"model": "sklearn.linear_model.Ridge", "params": {}})
    assert "which is not a scikit-learn classifier" in run(project, "python", "-m", MODULE, "train", check=False).stderr


def test_a_stage_added_by_the_recipe_runs_in_the_pipeline(baked, tmp_path):
    project = copy_project(baked, tmp_path)
    (project / f"src/{MODULE}/summary.py").write_text(SUMMARY)
    pipeline = yaml.safe_load((project / "dvc.yaml").read_text())
    pipeline["stages"]["summary"] = SUMMARY_STAGE
    (project / "dvc.yaml").write_text(yaml.safe_dump(pipeline, sort_keys=False))

    first = run(project, "dvc", "repro")
    assert "Running stage 'summary'" in first.stdout
    summary = json.loads((project / "reports/summary.json").read_text())
    assert summary["rows"] == len(pd.read_parquet(project / "data/processed/train.parquet"))
    assert "Running stage" not in run(project, "dvc", "repro").stdout
    set_params(project, featurize={"test_size": 0.3})
    again = run(project, "dvc", "repro").stdout
    assert "Running stage 'summary'" in again and ran_stages(again) == ["featurize", "train", "evaluate", "report"]
