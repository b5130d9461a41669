"""The errors users see: one line each, never a traceback."""


class PipelineError(Exception):
    """A problem with the user's data, parameters or files, not a bug in the code."""

    exit_status = 2


class Rejected(PipelineError):
    """A gate said no: the input was fine, the model was not good enough."""

    exit_status = 1
