"""With a proven model.onnx, `serve` answers with none of the packages the image leaves out
importable (serving-overrides.txt, written by export): no pandas, scikit-learn, MLflow or DVC."""

import importlib.metadata
import json
import os
import subprocess
import sys
import time

import pytest
from service_support import COLUMNS, FEATURES, as_sent, call, export, free_port, synthetic
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import Ridge

from cd4ml import input_frame, input_schema
from cd4ml.compiled import build
from cd4ml.compiled import folder as compiled_folder
from cd4ml.pipeline import train
from cd4ml.serving import batching, image

pytestmark = pytest.mark.slow
# Starts the service as the image does, with an import of any left-out package failing.
SERVE = """
import importlib.abc, sys
BLOCKED = set(sys.argv[1].split(","))
class Blocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ImportError(f"{name} is left out of the service's image")
sys.meta_path.insert(0, Blocked())
from cd4ml.__main__ import main
sys.exit(main(["serve", "--port", sys.argv[2]]))
"""


def left_out_modules() -> set[str]:
    """The top-level modules of the distributions serving-overrides.txt lists."""
    names = set(image.left_out())
    return {
        module
        for module, distributions in importlib.metadata.packages_distributions().items()
        if names & {image.name_of(distribution) for distribution in distributions}
    }


def test_the_left_out_packages_are_the_pipelines_heavy_ones():
    assert {"pandas", "scikit-learn", "mlflow", "dvc", "scipy", "pyarrow"} <= set(image.left_out())
    assert not set(image.left_out()) & image.SERVES
    assert {"pandas", "sklearn", "mlflow", "dvc"} <= left_out_modules()
    assert image.overrides(False).strip().splitlines()[-1].startswith("#")  # nothing left out


@pytest.mark.parametrize(
    ("estimator", "target"),
    [(RandomForestClassifier(n_estimators=20, random_state=0), "species"), (Ridge(), "amount")],
)
def test_the_onnx_service_answers_without_the_left_out_packages(tmp_path, estimator, target):
    data = synthetic(300, seed=3)
    data.loc[::6, "tiny"] = None
    frame = input_frame.as_declared(data, input_schema.dtypes(FEATURES, COLUMNS), "train")
    model = train.make_model(estimator).fit(frame, data[target])
    folder = export(tmp_path / "model", model, COLUMNS)
    info = json.loads((folder / "model.json").read_text())
    info["onnx"] = build.compile_into(model, frame, folder)
    (folder / "model.json").write_text(json.dumps(info))
    rows = as_sent(synthetic(12, seed=4)[FEATURES])
    expected = batching.predict(compiled_folder.load(folder, info), FEATURES, rows)

    port = free_port()
    blocked = ",".join(sorted(left_out_modules()))
    env = {**os.environ, "MODEL_URI": str(folder), "PREDICTION_LOG": str(tmp_path / "log")}
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, blocked, str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while server.poll() is None and time.monotonic() < deadline:
            try:
                if call(f"{url}/ready")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        assert server.poll() is None, server.communicate()[0]
        assert call(f"{url}/version")[1]["implementation"] == "onnx"
        status, answer, _ = call(f"{url}/predict/batch", {"instances": rows})
        assert status == 200 and answer["predictions"] == json.loads(json.dumps(expected))
        assert call(f"{url}/predict", {**rows[0], "x1": "text"})[0] == 422
    finally:
        server.terminate()
        said = server.communicate(timeout=15)[0]
    assert "ONNX answers" in said and "Traceback" not in said
