"""The scoring service's FastAPI app: routes, error answers and the parts they share.

Every answer is JSON. Every error answer has one shape, {"detail": [{"loc", "msg", "type"}]}, which
the OpenAPI document lists for 400, 408, 411, 413, 422, 500 and 503.
"""

import asyncio
import contextlib
import logging
import re
import time
import uuid
from datetime import UTC, datetime

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from ..config import param
from .batching import Batcher, ScoringError
from .bounds import number_bounds
from .http_limits import BodyLimits
from .loading import Loaded, load
from .predictions_log import PredictionLog
from .schema import ERRORS, Prediction, Predictions, Ready, Version, problem, request_models

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
VERSION_KEYS = tuple(Version.model_fields)
SETTINGS = (
    "max_body_bytes",
    "body_timeout_seconds",
    "max_batch_rows",
    "batch_window_ms",
    "log_max_bytes",
    "log_backups",
    "docs",
)
log = logging.getLogger(__name__)


def json_response(content: object, status: int = 200, headers: dict | None = None) -> Response:
    return Response(orjson.dumps(content), status, headers, media_type="application/json")


def request_id(request: Request) -> str:
    """The client's X-Request-Id when it is short and plain, otherwise a new one."""
    given = request.headers.get("x-request-id", "")
    return given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


class Service:
    """The model, its batcher and the prediction log, started and stopped with the app."""

    def __init__(self, loaded: Loaded, settings: dict, log_to: str) -> None:
        self.loaded = loaded
        self.batcher = Batcher(
            loaded.scorer,
            loaded.features,
            settings["max_batch_rows"],
            settings["batch_window_ms"],
        )
        self.log = PredictionLog(log_to, settings["log_max_bytes"], settings["log_backups"])
        self.task: asyncio.Task | None = None

    @contextlib.asynccontextmanager
    async def lifespan(self, app: FastAPI):
        self.log.start()
        self.task = asyncio.create_task(self.batcher.run())
        try:
            yield
        finally:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.log.stop()

    def ready(self) -> bool:
        return self.task is not None and not self.task.done()

    async def score(self, request: Request, instances: list[BaseModel]) -> tuple[list, str]:
        """The answers for the instances of one request, logged as one line."""
        started = time.perf_counter()
        rows = [instance.model_dump(by_alias=True) for instance in instances]
        outputs = await self.batcher.score(rows)
        identifier = request_id(request)
        self.log.write(
            {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "id": identifier,
                "model_version": self.loaded.info.get("version"),
                "inputs": rows,
                "outputs": outputs,
                "latency_ms": round((time.perf_counter() - started) * 1000, 3),
            }
        )
        return outputs, identifier


def add_error_handlers(app: FastAPI) -> None:
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        # Without the offending input, which may be NaN (not JSON) or large.
        detail = [
            {"loc": list(problem["loc"]), "msg": problem["msg"], "type": problem["type"]}
            for problem in error.errors()
        ]
        return json_response({"detail": detail}, 422)

    async def http_error(request: Request, error: HTTPException) -> Response:
        body = problem([], str(error.detail), "http_error")
        return json_response(body, error.status_code, error.headers)

    async def scoring_error(request: Request, error: ScoringError) -> Response:
        return json_response(problem(["body"], str(error), "scoring_error"), error.status)

    async def unexpected(request: Request, error: Exception) -> Response:
        log.error("unexpected error on %s: %r", request.url.path, error)
        return json_response(problem([], "internal error", "internal_error"), 500)

    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(ScoringError, scoring_error)
    app.add_exception_handler(Exception, unexpected)


def add_routes(app: FastAPI, service: Service, features_model, batch_model) -> None:
    @app.post("/predict", response_model=None, responses={200: {"model": Prediction}, **ERRORS})
    async def predict(request: Request, features: features_model) -> Response:
        outputs, identifier = await service.score(request, [features])
        return json_response(outputs[0], headers={"x-request-id": identifier})

    @app.post(
        "/predict/batch", response_model=None, responses={200: {"model": Predictions}, **ERRORS}
    )
    async def predict_batch(request: Request, batch: batch_model) -> Response:
        outputs, identifier = await service.score(request, batch.instances)
        return json_response({"predictions": outputs}, headers={"x-request-id": identifier})

    @app.get("/health")
    async def health() -> dict:
        return {"status": "alive"}

    @app.get(
        "/ready", response_model=None, responses={status: {"model": Ready} for status in (200, 503)}
    )
    async def ready() -> Response:
        serving = service.ready()
        return json_response({"ready": serving}, 200 if serving else 503)

    @app.get("/version", response_model=Version)
    async def version() -> dict:
        info = {**service.loaded.info, "implementation": service.loaded.implementation}
        return {key: None if info.get(key) is None else str(info[key]) for key in VERSION_KEYS}


def create_app(params: dict, source: str, log_to: str = "-") -> FastAPI:
    """The app, with the model loaded and the request schema built from its features."""
    # A missing setting is one line, before the model loads.
    settings = {key: param(params, f"serve.{key}") for key in SETTINGS}
    loaded = load(params, source)
    if loaded.reason:
        print(f"serve: scikit-learn answers: {loaded.reason}", flush=True)
    else:
        print("serve: ONNX answers (onnxruntime), proven equal to the model at export", flush=True)
    service = Service(loaded, settings, log_to)
    app = FastAPI(
        title=f"{loaded.info.get('model', 'model')} scoring service",
        lifespan=service.lifespan,
        docs_url="/docs" if settings["docs"] else None,
        redoc_url="/redoc" if settings["docs"] else None,
    )
    add_error_handlers(app)
    bounds = number_bounds(loaded.scorer, loaded.features, loaded.columns)
    models = request_models(loaded.features, loaded.columns, bounds, settings["max_batch_rows"])
    add_routes(app, service, *models)
    app.add_middleware(
        BodyLimits,
        max_bytes=settings["max_body_bytes"],
        timeout_seconds=settings["body_timeout_seconds"],
    )
    return app
