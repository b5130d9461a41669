"""Generated data sets through the whole user flow, or refused in one line with the project unchanged.

Each set (tests/generated_data.py) is written as a file, adopted into a private copy of one bake
(`adopt` runs `dvc repro`), tested by the project's own tests, promoted, exported, and scored three
ways: by the exported model in this process's terms (offline), by `predict`, and by the running
service, one row per request from concurrent clients and all rows in one request. Every row's answer
must be the same in all of them, byte for byte. A set too small to train on must be refused in one
line, every file of the project keeping its bytes.

GENERATED_DATA_SEED=<n> draws other sets; a failure names the seed and index that replay it:
GENERATED_DATA_SEED=<n> pytest tests/test_generated.py -k 'index-<i>-'.
"""

import hashlib
import json
import os
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import background_server, bake_project, copy_project, free_port, project_env, run, service_command
from generated_data import data_set

BASE_SEED = int(os.environ.get("GENERATED_DATA_SEED", "20261203"))
COUNT = 30
FAST = {0, 3, 16}  # small ones, and one too small to train on, for `make test-fast`
MODULE = "generated"
PROJECT_TESTS = ["tests/data", "tests/model", "tests/test_features.py", "tests/test_estimators.py"]
ALONE = 24  # test rows sent one per request: the first few one after another, then from 8 concurrent clients
SEQUENTIAL = 4
BATCH = 256  # the service's serve.max_batch_rows
TOLERANCE = 1e-5  # cd4ml.compiled.parity's: how far model.onnx may answer from scikit-learn
SPREAD = 4  # the sets go to this many groups, which pytest-xdist spreads over its workers
ROLES = {"dates": {"date"}, "date_times": {"date"}, "all_missing": {"ignore"}, "identifiers": {"id", "ignore"}}


def cases():
    for index in range(COUNT):
        marks = [pytest.mark.xdist_group(f"generated-{index % SPREAD}")]
        if index not in FAST:
            marks.append(pytest.mark.slow)
        yield pytest.param(index, id=f"index-{index}-seed-{BASE_SEED + index}", marks=marks)


@pytest.fixture(scope="module")
def baked(tmp_path_factory) -> Path:
    return bake_project(tmp_path_factory.mktemp("generated"), project_slug="generated")


def files_and_bytes(project: Path) -> dict[str, str]:
    """Every file of the project outside git's and DVC's own folders, with a digest of its bytes."""
    found = {}
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project)
        if path.is_file() and relative.parts[0] != ".git" and relative.parts[:2] != (".dvc", "tmp"):
            found[str(relative)] = hashlib.md5(path.read_bytes()).hexdigest()
    return found


@pytest.mark.parametrize("index", list(cases()))
def test_a_generated_data_set_is_adopted_tested_promoted_and_answered_alike_or_refused(baked, tmp_path, index):
    generated = data_set(BASE_SEED + index, index)
    replay = f"{generated.describe()}; replay: GENERATED_DATA_SEED={BASE_SEED} pytest {__file__} -k 'index-{index}-'"
    project = copy_project(baked, tmp_path)
    file = generated.write(tmp_path)
    before = files_and_bytes(project)

    adopted = run(project, "python", "-m", MODULE, "adopt", str(file), "--target", generated.target, check=False)

    if not generated.trainable:
        errors = [line for line in adopted.stderr.splitlines() if line.startswith("error: ")]
        assert adopted.returncode == 2 and len(errors) == 1 and "Traceback" not in adopted.stderr, replay
        assert files_and_bytes(project) == before, replay
        return
    assert adopted.returncode == 0, f"{replay}\n{adopted.stdout[-2000:]}\n{adopted.stderr[-3000:]}"
    assert f"task: {generated.task}" in adopted.stdout, replay
    check_decisions(project, generated, replay)
    assert run(project, "dvc", "status").stdout.strip() == "Data and pipelines are up to date.", replay
    tested = run(project, "pytest", "-q", "-p", "no:cacheprovider", *PROJECT_TESTS, check=False)
    assert tested.returncode == 0, f"{replay}\n{tested.stdout[-3000:]}"
    assert "is the champion" in run(project, "python", "-m", MODULE, "promote").stdout, replay
    check_answers_alike(project, generated.target, replay)


def check_decisions(project: Path, generated, replay: str) -> None:
    """params.yaml reads the file as it was written; contract.yaml gives each kind of column its role."""
    ingest = yaml.safe_load((project / "params.yaml").read_text())["ingest"]
    assert ingest["target"] == generated.target, replay
    if generated.file_format == "csv":
        assert (ingest["separator"], ingest["decimal"]) == (generated.separator, generated.decimal), replay
    contract = yaml.safe_load((project / "contract.yaml").read_text())
    roles = {name: (rules or {}).get("role", "feature") for name, rules in contract["columns"].items()}
    assert roles[generated.target] == "target", replay
    for name, kind in generated.kinds.items():
        assert roles[name] in ROLES.get(kind, {"feature", "ignore", "id"}), (
            f"{replay}: {name!r} ({kind}) is {roles[name]}"
        )
    if generated.row_numbers:
        assert roles["Unnamed: 0"] == "id", replay
    assert contract["dataset"]["max_duplicate_share"] >= generated.duplicate_share, replay


# The exported model's answers for the test split, row by row, as the service words them.
OFFLINE = """
import json, sys
from pathlib import Path
import pandas as pd
from cd4ml.models import load_exported

model, _ = load_exported(Path("build/model"))
features = pd.read_parquet("data/processed/test.parquet").drop(columns=sys.argv[1])
features.to_parquet("build/test_features.parquet")
rows = features.astype(object).where(features.notna(), None).to_dict(orient="records")
answers = {"prediction": model.predict(features).tolist()}
if hasattr(model, "predict_proba"):
    answers["probabilities"] = model.predict_proba(features).tolist()
print(json.dumps({"rows": rows, "answers": answers, "classes": [str(c) for c in getattr(model, "classes_", [])]}))
"""


def check_answers_alike(project: Path, target: str, replay: str) -> None:
    run(project, "python", "-m", MODULE, "export")
    offline = json.loads(run(project, "python", "-c", OFFLINE, target).stdout)
    rows, expected = offline["rows"], offline["answers"]["prediction"]
    run(project, "python", "-m", MODULE, "predict", "build/test_features.parquet", "--output", "build/scored.parquet",
        "--model", "build/model")  # fmt: skip
    scored = pd.read_parquet(project / "build/scored.parquet")
    assert alike(scored["prediction"].tolist(), expected), f"{replay}: predict differs from the exported model"
    if "probabilities" in offline["answers"]:
        columns = [f"probability_{name}" for name in offline["classes"]]
        difference = scored[columns].to_numpy() - np.asarray(offline["answers"]["probabilities"])
        assert np.abs(difference).max() <= TOLERANCE, replay

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**project_env(project), "MODEL_URI": str(project / "build/model"), "PREDICTION_LOG": "-"}
    with background_server(service_command(project, port), f"{url}/ready", cwd=project, env=env):
        together = post(f"{url}/predict/batch", {"instances": rows[:BATCH]})["predictions"]
        alone = [post(f"{url}/predict", row) for row in rows[:SEQUENTIAL]]
        with ThreadPoolExecutor(8) as clients:
            alone += clients.map(lambda row: post(f"{url}/predict", row), rows[SEQUENTIAL:ALONE])
    served = [answer["prediction"] for answer in together]
    assert alike(served, expected[:BATCH]), f"{replay}: the service differs from the model"
    assert alone == together[:ALONE], f"{replay}: a row's answer depends on its batch"


def alike(found: list, expected: list) -> bool:
    """Labels equal; numbers within the tolerance model.onnx is proven to at export (when it answers)."""
    if all(isinstance(value, float) for value in expected):
        return found == pytest.approx(expected, rel=TOLERANCE, abs=TOLERANCE)
    return found == expected


def post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise AssertionError(f"{url} answered {error.code}: {error.read()[:2000]}") from None
