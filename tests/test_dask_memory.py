"""compute.engine: dask on a data set about three times larger than each worker's memory_limit.

An event log of 1,000,000 rows: an id, 12 measurements, a label and a free-text payload of about
2.5 kB per row (role `ignore`: it goes through ingest and validate, and reaches no model), about
2.5 GB in memory. On two workers of 800 MiB each (a worker's libraries take about 400 MB of it),
every stage completes and no worker is lost (`allowed-failures: 0`, so a worker killed for its
memory fails the stage). The pandas engine, in one process capped at the same 800 MiB
(RLIMIT_DATA), stops with one line naming compute.engine: dask, and writes nothing.
"""

import json
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import bake_project, module_name, project_env, run, set_params

pytestmark = pytest.mark.slow  # a gigabyte through the whole pipeline

ROWS, FILES, MEASURES = 1_000_000, 4, 12
LIMIT_MB = 800
FILLER = "payload " * 306  # 2,448 characters
DRAFT = """
import sys
from pathlib import Path
import pandas as pd
from cd4ml.quality import contract, profile

sample = pd.read_parquet(sys.argv[1]).head(50_000)
drafted = contract.draft(sample, "label", "classification", roles={{"payload": "ignore"}})
drafted["dataset"]["rows"] = {{"min": 1, "max": 10 ** 9}}
for bound in ("min", "max"):  # drafted from the first rows: ids go on past them
    drafted["columns"]["event_id"].pop(bound, None)
Path("contract.yaml").write_text(contract.render(drafted))
Path("data/reference/profile.json").write_text(
    __import__("json").dumps(profile.make_profile(sample, "label", ["event_id", "payload"]))
)
"""


def write_events(raw: Path) -> int:
    """The log as FILES parquet files; returns its size in memory, in megabytes."""
    weights = np.random.default_rng(0).normal(size=MEASURES)
    size = 0
    for index, start in enumerate(range(0, ROWS, ROWS // FILES)):
        generator = np.random.default_rng(index + 1)
        values = generator.normal(size=(ROWS // FILES, MEASURES)).round(4)
        frame = pd.DataFrame(values, columns=[f"m{i:02d}" for i in range(MEASURES)])
        ids = np.arange(start, start + len(frame))
        frame.insert(0, "event_id", ids)
        frame["payload"] = [f"event {i} {FILLER}" for i in ids]
        noise = generator.normal(scale=0.5, size=len(frame))
        frame["label"] = np.where(values @ weights + noise > 0, "kept", "churned")
        size += frame.memory_usage(deep=True).sum()
        frame.to_parquet(raw / f"events-{index}.parquet", index=False, row_group_size=8_000)
    return size // 2**20


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    project = bake_project(tmp_path_factory.mktemp("events"), project_name="Event Log", serving="no")
    run(project, "git", "rm", "-q", "--cached", "data/raw/.gitkeep")
    assert write_events(project / "data/raw") > 3 * LIMIT_MB
    run(project, "python", "-c", DRAFT.format(module=module_name(project)), "data/raw/events-0.parquet")
    set_params(project, ingest={"source": "raw", "target": "label"}, mlflow={"enabled": False},
               evaluate={"thresholds": {}},  # the demo's; the gate against the dummy baseline stays
               train={"model": "lightgbm", "lightgbm": {"n_estimators": 20, "num_leaves": 15}},
               compute={"engine": "dask", "workers": 2, "threads_per_worker": 1,
                        "memory_limit": f"{LIMIT_MB}MiB", "partition_mb": 16})  # fmt: skip
    return project


def capped(limit_bytes: int):
    return lambda: resource.setrlimit(resource.RLIMIT_DATA, (limit_bytes, limit_bytes))


def test_the_pandas_engine_under_the_same_cap_stops_with_one_line_naming_the_dask_engine(project):
    set_params(project, compute={"engine": "pandas"}, train={"model": "gradient_boosting"})
    try:
        ingest = [sys.executable, "-m", module_name(project), "ingest"]
        result = subprocess.run(ingest, cwd=project, env=project_env(project), capture_output=True, text=True,
                                preexec_fn=capped(LIMIT_MB * 2**20))  # fmt: skip
    finally:
        set_params(project, compute={"engine": "dask"}, train={"model": "lightgbm"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: ingest: out of memory; for data larger than this machine's memory, set compute.engine: dask "
        "in params.yaml (README: Scaling out with Dask)"
    ]
    assert not (project / "data/interim/dataset.parquet").exists()


def test_the_dask_engine_runs_every_stage_without_losing_a_worker(project):
    env = {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}  # a killed worker fails its task
    result = run(project, "env", *(f"{key}={value}" for key, value in env.items()), "dvc", "repro")
    for stage in ("ingest", "validate", "featurize", "train", "evaluate", "report"):
        assert f"Running stage '{stage}'" in result.stdout
    metrics = json.loads((project / "reports/metrics.json").read_text())
    assert metrics["roc_auc"] > 0.9  # the label follows the measurements: the model learned it
    partitions = list((project / "data/interim/dataset.parquet").glob("*.parquet"))
    assert len(partitions) > 10 * FILES  # cut at row groups by partition_mb, not a file at a time
