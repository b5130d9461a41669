"""rollback: move the champion alias back to the previous champion, or to a named version."""

from .. import models, tracking
from ..config import param
from ..errors import PipelineError


def target(versions: list[str], current: str, to: str | None) -> tuple[str, list[str]]:
    """The version to go back to, and the champion history afterwards.

    Without `to`, the current champion leaves the history. With `to`, the history is cut after
    the last time `to` was champion, or `to` is added if it never was.
    """
    if to is not None and not to.isdigit():
        raise PipelineError(f"--to {to!r} is not a version number")
    if to is None:
        if len(versions) < 2:
            raise PipelineError(
                f"version {current} is the only champion there has been; name one with --to"
            )
        return versions[-2], versions[:-1]
    if to == current:
        raise PipelineError(f"version {to} is already the champion")
    if to in versions:
        last = len(versions) - 1 - versions[::-1].index(to)
        return to, versions[: last + 1]
    return to, [*versions, to]


def arguments(parser) -> None:
    parser.add_argument("--to", help="the version to make champion (default: the last champion)")
    parser.add_argument("--reason", default="", help="why, recorded on the version")


def main(params: dict, to: str | None = None, reason: str = "") -> None:
    client = tracking.client(params)
    name = param(params, "mlflow.model_name")
    current = models.resolve(client, name, models.CHAMPION)
    version, versions = target(models.history(client, name), str(current.version), to)
    models.resolve(client, name, version)  # a clear error for a version that does not exist
    models.set_champion(client, name, version, versions)
    for key, value in {
        "rolled_back_at": models.now(),
        "rolled_back_by": models.who(),
        "rollback_reason": reason or "not given",
        "rolled_back_from": current.version,
    }.items():
        client.set_model_version_tag(name, version, key, value)
    print(
        f"rollback: {name} champion {current.version} -> {version} ({reason or 'no reason given'})"
    )
