"""The one error type users see: a bad input, reported as a single line."""


class PipelineError(Exception):
    """A problem with the user's data, parameters or files, not a bug in the code."""
