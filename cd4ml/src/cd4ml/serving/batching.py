"""Score the rows of concurrent requests in one call to the model, without letting one request
fail another.

A model call costs about the same for 1 row as for 16, so the requests that arrived while the model
was busy are scored together, in one call off the event loop; serve.batch_window_ms > 0 makes the
first waiting request wait that long for others to join. When that call fails, it scores each
request on its own and fails only the requests that fail alone; the batching task never dies.
"""

import asyncio
import logging

import numpy as np

from ..input_schema import columns_of

log = logging.getLogger(__name__)


class ScoringError(Exception):
    """The model failed on one request's rows; status is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def plain(value: object) -> object:
    """A label or number as JSON has it: numpy's scalars become Python's str, bool, int or float."""
    return value.item() if isinstance(value, np.generic) else value


def predict(model, features: list[str], rows: list[dict]) -> list[dict]:
    """The model's answer per row: the class and class probabilities, or the predicted number.
    model is the ONNX model or a frame_scorer, which answer a row the same alone and in any batch;
    features are its columns."""
    columns = columns_of(rows, features)
    if not callable(getattr(model, "predict_proba", None)):
        return [{"prediction": plain(value)} for value in model.predict(columns)]
    probabilities = np.asarray(model.predict_proba(columns))
    labels = [plain(label) for label in model.classes_]
    names = [str(label) for label in labels]
    return [
        {
            "prediction": labels[int(row.argmax())],
            "probabilities": dict(zip(names, np.round(row, 6).tolist(), strict=True)),
        }
        for row in probabilities
    ]


def score_alone(model, features: list[str], rows: list[dict]) -> list[dict] | ScoringError:
    """One request's answers, or the error to answer it with."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # the model's input check reports it
            return predict(model, features, rows)
    except ValueError:  # sklearn's answer to values it cannot take, e.g. infinite once scaled
        return ScoringError(422, "the model cannot score these values")
    except Exception:
        log.exception("the model failed on one request")
        return ScoringError(500, "the model failed on this request")


def score_waiting(model, features: list[str], requests: list[list[dict]]) -> list:
    """The answers of each waiting request: all in one call, or each alone when that fails."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            scored = predict(model, features, [row for rows in requests for row in rows])
    except Exception:
        return [score_alone(model, features, rows) for rows in requests]
    answers, start = [], 0
    for rows in requests:
        answers.append(scored[start : start + len(rows)])
        start += len(rows)
    return answers


class Batcher:
    def __init__(self, model, features: list[str], max_rows: int, window_ms: float) -> None:
        self.model, self.features = model, features
        self.max_rows, self.window = max_rows, window_ms / 1000
        self.queue: asyncio.Queue = asyncio.Queue()

    async def score(self, rows: list[dict]) -> list[dict]:
        """The answers for one request's rows; raises ScoringError when the model fails on them."""
        done = asyncio.get_running_loop().create_future()
        self.queue.put_nowait((rows, done))
        return await done

    async def run(self) -> None:
        waiting: list = []
        try:
            while True:
                waiting = await self.gather()
                answers = await asyncio.to_thread(
                    score_waiting, self.model, self.features, [rows for rows, _ in waiting]
                )
                for (_, done), answer in zip(waiting, answers, strict=True):
                    if done.done():  # the client went away
                        continue
                    if isinstance(answer, ScoringError):
                        done.set_exception(answer)
                    else:
                        done.set_result(answer)
                waiting = []
        finally:  # stopped: no request may wait for an answer that will not come
            for _, done in waiting + self.drain():
                if not done.done():
                    done.set_exception(ScoringError(503, "the service is stopping"))

    async def gather(self) -> list:
        """The next requests to score together: the first waiting one, and those that join it
        within the window, up to max_rows rows."""
        waiting = [await self.queue.get()]
        rows = len(waiting[0][0])
        deadline = asyncio.get_running_loop().time() + self.window
        while rows < self.max_rows:
            if self.queue.empty():
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    break
                try:
                    waiting.append(await asyncio.wait_for(self.queue.get(), remaining))
                except TimeoutError:
                    break
            else:
                waiting.append(self.queue.get_nowait())
            rows += len(waiting[-1][0])
        return waiting

    def drain(self) -> list:
        drained = []
        while not self.queue.empty():
            drained.append(self.queue.get_nowait())
        return drained
