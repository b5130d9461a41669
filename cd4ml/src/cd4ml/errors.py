"""The errors users see: one line each, never a traceback."""

import re

# The password of a URL such as https://user:password@host/ (MLFLOW_TRACKING_URI may carry one).
PASSWORD = re.compile(r"(?<=://)([^/@\s:]*):[^/@\s]*@")


def redact(text: str) -> str:
    """text with the password of every URL in it replaced by ***, for messages, tags and files."""
    return PASSWORD.sub(r"\1:***@", text)


def first_line(error: Exception) -> str:
    """The first line of an error's message, or its type when it has none."""
    text = redact(str(error)).strip()
    return text.splitlines()[0] if text else type(error).__name__


def shorten(text: str, limit: int) -> str:
    """At most limit characters: no error line may run to thousands (a 10,000-column file)."""
    return text if len(text) <= limit else f"{text[: limit - 24]}... ({len(text)} chars in all)"


class PipelineError(Exception):
    """A problem with the user's data, parameters or files, not a bug in the code."""

    exit_status = 2


class Problems(PipelineError):
    """Several problems found at once (every one of params.yaml's): one line each."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


class Rejected(PipelineError):
    """A gate said no: the input was fine, the model was not good enough."""

    exit_status = 1
