"""serve: a REST scoring service for the champion model (FastAPI on uvicorn).

The request schema is built from the model's own feature list, typed by contract.yaml. Concurrent
requests are scored together in one call to the model (opportunistic batching), and every request
writes one JSON line to the prediction log, which `monitor` reads.
"""

import asyncio
import json
import logging
import os
import sys
import time
import uuid
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, create_model

from .. import models, tracking
from ..config import param, path
from ..quality.contract import load_contract

PYTHON_TYPES = {"float": float, "int": int, "str": str, "bool": bool}


def load(params: dict, source: str) -> tuple[object, dict, dict]:
    """The model, its description and the contract's column rules, from the registry or a folder.

    A folder is what `python -m <package> export` writes: model.skops, model.json and contract.yaml.
    Either way the model is loaded by models.py, which checks its recorded hash and refuses pickle.
    """
    if source.startswith("models:/"):
        client = tracking.client(params)
        name, _, alias = source.removeprefix("models:/").partition("@")
        version = models.resolve(client, name, alias or models.CHAMPION)
        model = models.load_registered(client, version)
        info = {
            "model": name,
            "version": str(version.version),
            **client.get_run(version.run_id).data.tags,
        }
        return model, info, load_contract(path(params, "contract"))["columns"]
    folder = Path(source)
    model, info = models.load_exported(folder)
    return model, info, load_contract(folder / "contract.yaml")["columns"]


def request_schema(features: list[str], columns: dict) -> type[BaseModel]:
    """One required field per trained feature; unknown fields, NaN and infinity are refused."""
    fields = {}
    for position, name in enumerate(features):
        rules = columns.get(name, {"type": "float"})
        kind = PYTHON_TYPES[rules["type"]]
        annotation = kind | None if rules.get("nullable") else kind
        fields[f"feature_{position}"] = (annotation, Field(alias=name))
    config = ConfigDict(extra="forbid", allow_inf_nan=False)
    return create_model("Features", __config__=config, **fields)


class Batcher:
    """Scores the rows of all waiting requests in one call to the model, off the event loop."""

    def __init__(self, model, features: list[str], max_rows: int) -> None:
        self.model, self.features, self.max_rows = model, features, max_rows
        self.queue: asyncio.Queue = asyncio.Queue()

    async def score(self, rows: list[dict]) -> list[dict]:
        done = asyncio.get_running_loop().create_future()
        await self.queue.put((rows, done))
        return await done

    async def run(self) -> None:
        while True:
            waiting = [await self.queue.get()]
            while not self.queue.empty() and sum(len(rows) for rows, _ in waiting) < self.max_rows:
                waiting.append(self.queue.get_nowait())
            rows = [row for batch, _ in waiting for row in batch]
            try:
                scored = await asyncio.to_thread(self.predict, rows)
            except ValueError as error:  # values the model cannot take, e.g. overflowing numbers
                for _, done in waiting:
                    done.set_exception(HTTPException(422, f"the input cannot be scored: {error}"))
                continue
            start = 0
            for batch, done in waiting:
                done.set_result(scored[start : start + len(batch)])
                start += len(batch)

    def predict(self, rows: list[dict]) -> list[dict]:
        frame = pd.DataFrame.from_records(rows, columns=self.features)
        probabilities = self.model.predict_proba(frame)
        classes = self.model.classes_
        return [
            {
                "prediction": classes[row.argmax()].item(),
                "probabilities": {
                    str(label): round(float(p), 6) for label, p in zip(classes, row, strict=True)
                },
            }
            for row in probabilities
        ]


def prediction_logger(destination: str) -> logging.Logger:
    logger = logging.getLogger("predictions")
    logger.handlers.clear()
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handler = (
        logging.StreamHandler(sys.stdout)
        if destination == "-"
        else logging.FileHandler(destination)
    )
    logger.addHandler(handler)
    return logger


def create_app(params: dict, source: str, log_to: str = "-") -> FastAPI:
    """The app, with the model loaded and the request schema built from its features."""
    limits = param(params, "serve")
    model, info, columns = load(params, source)
    features = [str(name) for name in model.feature_names_in_]
    Features = request_schema(features, columns)  # noqa: N806 - a class
    Batch = create_model(  # noqa: N806 - a class
        "Batch",
        instances=(list[Features], Field(min_length=1, max_length=limits["max_batch_rows"])),
    )
    batcher = Batcher(model, features, limits["max_batch_rows"])
    log = prediction_logger(log_to)
    running: list[asyncio.Task] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        running.append(asyncio.create_task(batcher.run()))
        yield
        running.pop().cancel()

    app = FastAPI(title=f"{info.get('model', 'model')} scoring service", lifespan=lifespan)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        # Without the offending input, which may be NaN (not JSON) or large.
        detail = [
            {key: problem[key] for key in ("loc", "msg", "type")} for problem in error.errors()
        ]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        length = request.headers.get("content-length", "")
        if request.method == "POST" and not length.isdigit():
            return JSONResponse({"detail": "a Content-Length header is required"}, status_code=411)
        if length.isdigit() and int(length) > limits["max_body_bytes"]:
            detail = f"the body is {length} bytes; the limit is {limits['max_body_bytes']}"
            return JSONResponse({"detail": detail}, status_code=413)
        return await call_next(request)

    async def score(request: Request, instances: list[BaseModel]) -> list[dict]:
        started = time.perf_counter()
        rows = [instance.model_dump(by_alias=True) for instance in instances]
        outputs = await batcher.score(rows)
        record = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "id": request.headers.get("x-request-id") or uuid.uuid4().hex,
            "model_version": info.get("version"),
            "inputs": rows,
            "outputs": outputs,
            "latency_ms": round((time.perf_counter() - started) * 1000, 3),
        }
        log.info(json.dumps(record))
        return outputs

    @app.post("/predict")
    async def predict(request: Request, features: Features) -> dict:
        return (await score(request, [features]))[0]

    @app.post("/predict/batch")
    async def predict_batch(request: Request, batch: Batch) -> dict:
        return {"predictions": await score(request, batch.instances)}

    @app.get("/health")
    async def health() -> dict:
        return {"status": "alive"}

    @app.get("/ready")
    async def ready() -> JSONResponse:
        serving = bool(running) and not running[0].done()
        return JSONResponse({"ready": serving}, status_code=200 if serving else 503)

    @app.get("/version")
    async def version() -> dict:
        keys = ("model", "version", "git_commit", "data_md5", "model_md5", "project_version")
        return {key: info.get(key) for key in keys}

    return app


def arguments(parser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    parser.add_argument("--port", default="8000", help="the port to listen on")


def main(params: dict, host: str = "127.0.0.1", port: str = "8000") -> None:
    import uvicorn

    source = os.environ.get("MODEL_URI") or f"models:/{param(params, 'mlflow.model_name')}@champion"
    app = create_app(params, source, os.environ.get("PREDICTION_LOG", "-"))
    uvicorn.run(app, host=host, port=int(port), log_level="warning", access_log=False)
