"""The prediction log: one JSON line per request, which `monitor` reads.

Lines go to a file that rotates by size (serve.log_max_bytes, keeping serve.log_backups old files
named <file>.1, <file>.2, ...) or, with "-", to stdout for a log collector. The request handlers
only put the record on a queue; a thread serialises and writes it, so the event loop never waits
for the disk.
"""

import logging
import logging.handlers
import queue
import sys
from pathlib import Path

import orjson

from ..errors import PipelineError, first_line


class JsonLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return orjson.dumps(record.msg).decode()


class Enqueue(logging.handlers.QueueHandler):
    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record  # the writer thread serialises it, not the event loop


class PredictionLog:
    def __init__(self, destination: str, max_bytes: int, backups: int) -> None:
        if destination == "-":
            handler: logging.Handler = logging.StreamHandler(sys.stdout)
        else:
            try:
                Path(destination).parent.mkdir(parents=True, exist_ok=True)
                handler = logging.handlers.RotatingFileHandler(
                    destination, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
                )
            except OSError as error:
                raise PipelineError(
                    f"PREDICTION_LOG {destination}: cannot write: {first_line(error)}"
                ) from None
        handler.setFormatter(JsonLine())
        records: queue.SimpleQueue = queue.SimpleQueue()
        self.listener = logging.handlers.QueueListener(records, handler)
        self.logger = logging.Logger("predictions")  # not registered: no other handler sees it
        self.logger.addHandler(Enqueue(records))

    def start(self) -> None:
        self.listener.start()

    def stop(self) -> None:
        """Write what is queued, then stop the thread."""
        self.listener.stop()
        for handler in self.listener.handlers:
            handler.close()

    def write(self, record: dict) -> None:
        self.logger.info(record)
