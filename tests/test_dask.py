"""compute.engine: dask, end to end: the whole pipeline on a cluster of two worker processes on
127.0.0.1, for both tasks, on generated data (several CSV files, several partitions each).

One LocalCluster serves every stage (DASK_SCHEDULER_ADDRESS), as a team's shared cluster would;
the split test starts the stage's own `scheduler: local` cluster of another shape. The champion
trained there scores files on both engines, and the scoring service answers with it.
"""

import hashlib
import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import background_server, bake_project, free_port, module_name, project_env, run, set_params
from sklearn.datasets import make_classification, make_regression

pytestmark = pytest.mark.slow  # whole pipeline runs

CLUSTER = """
import logging, sys
from distributed import LocalCluster

if __name__ == "__main__":
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, memory_limit="1GiB", processes=True,
                           host="127.0.0.1", scheduler_port=int(sys.argv[1]), dashboard_address=None,
                           silence_logs=logging.ERROR)
    print(cluster.scheduler_address, flush=True)
    sys.stdin.read()  # until the test closes stdin
    cluster.close()
"""
COMPUTE = {"engine": "dask", "workers": 2, "threads_per_worker": 1, "memory_limit": "1GiB", "partition_mb": 0.1}


def write_parts(project: Path, frame: pd.DataFrame, parts: int = 2) -> None:
    for index, rows in enumerate(np.array_split(np.arange(len(frame)), parts)):
        frame.iloc[rows].to_csv(project / f"data/raw/part-{index}.csv", index=False)


def classification_data() -> pd.DataFrame:
    features, labels = make_classification(n_samples=4000, n_features=8, n_informative=5, random_state=3)
    frame = pd.DataFrame(features, columns=[f"signal_{i}" for i in range(8)]).round(4)
    frame["channel"] = np.where(features[:, 0] > 0, "web", "store")
    frame.insert(0, "order_id", np.arange(10_000, 10_000 + len(frame)))
    return frame.assign(outcome=np.where(labels == 1, "bought", "left"))


def regression_data() -> pd.DataFrame:
    features, values = make_regression(n_samples=3000, n_features=6, noise=5.0, random_state=4)
    return pd.DataFrame(features, columns=[f"measure_{i}" for i in range(6)]).round(4).assign(price=values.round(2))


def prepared(tmp_path_factory, name: str, task: str, frame: pd.DataFrame, target: str, serving: str) -> Path:
    """A bake on the generated data, its contract and profile drafted from it (README's steps)."""
    project = bake_project(tmp_path_factory.mktemp(task), project_name=name, task=task, serving=serving)
    write_parts(project, frame)
    set_params(project, ingest={"source": "raw", "target": target}, compute=COMPUTE,
               train={"model": "lightgbm", "lightgbm": {"n_estimators": 40, "num_leaves": 15}})  # fmt: skip
    return project


def command(project: Path, *words: str, **env: str) -> subprocess.CompletedProcess:
    return run(
        project, "env", *(f"{key}={value}" for key, value in env.items()), "python", "-m", module_name(project), *words
    )


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    return {
        "classification": prepared(
            tmp_path_factory, "Order Outcome", "classification", classification_data(), "outcome", "yes"
        ),
        "regression": prepared(tmp_path_factory, "House Price", "regression", regression_data(), "price", "no"),
    }


@pytest.fixture(scope="module")
def scheduler(projects, tmp_path_factory) -> str:
    """A LocalCluster of two worker processes on 127.0.0.1 that can import both bakes' packages."""
    script = tmp_path_factory.mktemp("cluster") / "cluster.py"
    script.write_text(CLUSTER)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(project / "src") for project in projects.values()),
    }
    process = subprocess.Popen([sys.executable, str(script), str(free_port())], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, env=env, start_new_session=True)  # fmt: skip
    try:
        address = process.stdout.readline().strip()
        assert address.startswith("tcp://127.0.0.1:"), address
        yield address
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def reproduced(projects, scheduler) -> dict[str, Path]:
    """Both bakes: ingest, contract and profile drafted from the data, then `dvc repro` on Dask."""
    for project in projects.values():
        run(project, "env", f"DASK_SCHEDULER_ADDRESS={scheduler}", "dvc", "repro", "ingest")
        (project / "contract.yaml").write_text(command(project, "contract").stdout)
        command(project, "profile")
        run(project, "env", f"DASK_SCHEDULER_ADDRESS={scheduler}", "dvc", "repro")
    return projects


def checks(project: Path) -> list[dict]:
    return json.loads((project / "reports/data_quality.json").read_text())["checks"]


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_the_whole_pipeline_runs_on_the_cluster_and_passes_its_gates(reproduced, task):
    project = reproduced[task]
    for folder in ("data/interim/dataset.parquet", "data/processed/train.parquet", "data/processed/test.parquet"):
        assert len(list((project / folder).glob("*.parquet"))) >= 2, folder  # partitioned, not one file
    evaluation = json.loads((project / "reports/evaluation.json").read_text())
    assert evaluation["passed"] and all(check["passed"] for check in checks(project))
    metric = {"classification": "roc_auc", "regression": "r2"}[task]
    assert evaluation["metrics"][metric] > evaluation["baseline"][metric] + 0.2
    assert (project / "reports/report.html").is_file() and (project / "models/model.pkl").is_file()
    parity = json.loads((project / "reports/parity.json").read_text())  # ONNX serves LightGBM
    assert parity["parity"]["holds"] and not parity.get("reason"), parity


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_the_dask_trained_lightgbm_model_compiles_to_onnx_at_export(reproduced, task, tmp_path):
    project = reproduced[task]
    printed = command(project, "export", "--from-pipeline", "--to", str(tmp_path / "model")).stdout
    assert "export: model.onnx answers as scikit-learn on" in printed
    entry = json.loads((tmp_path / "model/model.json").read_text())["onnx"]
    assert entry["parity"]["holds"] and entry["parity"]["rows"] > 500 and (tmp_path / "model/model.onnx").is_file()
    assert entry["trees"] is False and entry["finite"] is False  # LightGBM takes any double


def test_the_contract_gives_the_same_verdicts_as_the_pandas_engine(reproduced):
    """Exactly the same contract results; the profile's checks pass or fail alike (their KS
    distances and most-common shares are the documented approximations)."""
    project = reproduced["classification"]
    on_dask = checks(project)
    set_params(project, compute={"engine": "pandas"})
    try:
        probe = f"import sys; from {module_name(project)}.__main__ import main; main(['validate']); print(*sys.modules)"
        loaded = run(project, "python", "-c", probe).stdout.split()
    finally:
        set_params(project, compute={"engine": "dask"})
    assert not {"dask", "distributed", "lightgbm"} & set(loaded)  # the pandas engine imports none
    in_pandas = checks(project)
    assert [(c["check"], c["column"], c["passed"]) for c in on_dask] == [
        (c["check"], c["column"], c["passed"]) for c in in_pandas
    ]
    contract = {"type", "missing values", "float32 range", "range", "allowed values", "row count"}
    assert [c for c in on_dask if c["check"] in contract] == [c for c in in_pandas if c["check"] in contract]


def test_the_split_is_the_same_on_another_cluster_shape(reproduced):
    """Rows go to test by a hash of their id: another partitioning and cluster, the same test set."""
    project = reproduced["classification"]
    test = project / "data/processed/test.parquet"
    before = pd.read_parquet(test)
    set_params(project, compute={"workers": 1, "partition_mb": 0.3})  # scheduler: local, one worker
    try:
        command(project, "ingest")
        assert len(list((project / "data/interim/dataset.parquet").glob("*.parquet"))) == 2
        command(project, "featurize")
    finally:
        set_params(project, compute=COMPUTE)
    after = pd.read_parquet(test)
    assert "order_id" not in after.columns  # the id is the split's key, not a feature
    assert 0.15 < len(after) / 4000 < 0.25
    columns = list(after.columns)
    pd.testing.assert_frame_equal(
        after.sort_values(columns, ignore_index=True), before.sort_values(columns, ignore_index=True)
    )


def test_a_rerun_on_the_same_cluster_writes_the_same_model_file(reproduced, scheduler):
    project = reproduced["regression"]
    first = md5(project / "models/candidate.pkl")
    command(project, "train", DASK_SCHEDULER_ADDRESS=scheduler)
    assert md5(project / "models/candidate.pkl") == first


def test_the_dask_trained_champion_scores_files_on_both_engines_and_is_served(reproduced, scheduler, tmp_path):
    project = reproduced["classification"]
    command(project, "promote")
    new = classification_data().drop(columns="outcome").head(500)
    new.to_csv(tmp_path / "new.csv", index=False)
    command(project, "predict", str(tmp_path / "new.csv"), "--output", str(tmp_path / "dask"),
            DASK_SCHEDULER_ADDRESS=scheduler)  # fmt: skip
    set_params(project, compute={"engine": "pandas"})
    try:
        printed = command(project, "predict", str(tmp_path / "new.csv"), "--output", str(tmp_path / "one.parquet"))
    finally:
        set_params(project, compute={"engine": "dask"})
    assert "predict: 500 of 500 rows (100%)" in printed.stdout
    on_dask = pd.read_parquet(tmp_path / "dask").sort_values("order_id", ignore_index=True)
    in_pandas = pd.read_parquet(tmp_path / "one.parquet")
    assert len(list((tmp_path / "dask").glob("*.parquet"))) >= 1 and len(in_pandas) == 500
    assert set(in_pandas["prediction"]) <= {"bought", "left"}
    pd.testing.assert_frame_equal(on_dask[in_pandas.columns], in_pandas, check_dtype=False)
    assert (in_pandas["prediction"] == classification_data()["outcome"].head(500)).mean() > 0.8

    url = f"http://127.0.0.1:{free_port()}"
    env = {**project_env(project), "PREDICTION_LOG": str(tmp_path / "log.jsonl")}  # MODEL_URI: the champion
    serve = ["python", "-m", module_name(project), "serve", "--port", url.rpartition(":")[2]]
    rows = json.loads(new.drop(columns="order_id").head(50).to_json(orient="records"))  # features only
    with background_server(serve, f"{url}/ready", cwd=project, env=env):
        request = urllib.request.Request(f"{url}/predict/batch", data=json.dumps({"instances": rows}).encode(),
                                         headers={"Content-Type": "application/json"})  # fmt: skip
        answer = json.loads(urllib.request.urlopen(request, timeout=60).read())
    assert [item["prediction"] for item in answer["predictions"]] == in_pandas["prediction"].head(50).tolist()
