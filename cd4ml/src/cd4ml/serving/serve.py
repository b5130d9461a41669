"""serve: a REST scoring service for the champion model (FastAPI on uvicorn).

MODEL_URI names the model: a registry URI (default models:/<mlflow.model_name>@champion) or a folder
written by `export`. PREDICTION_LOG is where each request's JSON line goes: a file (default "-",
stdout). The app itself is built in app.py; this module only starts it.
"""

import gc
import os

from ..config import param
from .app import create_app
from .http_limits import protocol

__all__ = ["create_app", "main"]


def arguments(parser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    parser.add_argument("--port", default="8000", help="the port to listen on")


def main(params: dict, host: str = "127.0.0.1", port: str = "8000") -> None:
    import uvicorn

    source = os.environ.get("MODEL_URI") or f"models:/{param(params, 'mlflow.model_name')}@champion"
    app = create_app(params, source, os.environ.get("PREDICTION_LOG", "-"))
    # The model, the app and the imports live as long as the process: frozen, the collector's full
    # passes no longer walk them, which under load stalled every request for tens of milliseconds.
    gc.freeze()
    uvicorn.run(
        app,
        host=host,
        port=int(port),
        log_level="warning",
        access_log=False,
        loop="auto",  # uvloop when installed
        # httptools when installed; a request head must arrive as fast as a body
        http=protocol("auto", param(params, "serve.body_timeout_seconds")),
        timeout_graceful_shutdown=3,  # SIGTERM stops the process within a few seconds
    )
