"""ui: the MLflow UI for this project's tracking store, on http://127.0.0.1:5000."""

import os
import shutil

from ..errors import PipelineError
from ..tracking import keep_private, tracking_uri


def arguments(parser) -> None:
    parser.add_argument("--port", default="5000", help="the port on 127.0.0.1")


def main(params: dict, port: str = "5000") -> None:
    uri = tracking_uri(params)
    if uri.startswith(("http://", "https://")):
        print(f"ui: the tracking server has its own UI: {uri}")
        return
    mlflow = shutil.which("mlflow")
    if mlflow is None:
        raise PipelineError("mlflow is not installed here; run `make setup`")
    keep_private(uri)
    os.execv(
        mlflow, [mlflow, "ui", "--backend-store-uri", uri, "--host", "127.0.0.1", "--port", port]
    )
