"""provider: which CI runs this job, and the one interface its API module offers.

The provider is read at run time from the variables each CI sets (GITLAB_CI, TF_BUILD,
GITHUB_ACTIONS), so one package serves every provider. A provider module offers:

    upsert_comment(body, marker, environ) -> str   # the pull request's one comment
    upsert_issue(title, body, label, environ) -> str  # the one open drift issue

and returns what it did, in a few words ("updated note 7 on merge request !5").
"""

import importlib
from collections.abc import Mapping
from types import ModuleType

from ..rest import Forbidden


def detect(environ: Mapping[str, str]) -> str:
    if environ.get("GITLAB_CI") == "true":
        return "gitlab"
    if environ.get("TF_BUILD", "").lower() == "true":
        return "azure"
    return "github"


def module(name: str) -> ModuleType:
    return importlib.import_module(f"{__package__}.{name}")


def post_comment(body: str, marker: str, environ: Mapping[str, str]) -> str:
    """Post or update the one report comment; a token that may not write is a warning, as on
    a pipeline for a fork, because the report is in the job's artifacts anyway."""
    try:
        return f"comment: {module(detect(environ)).upsert_comment(body, marker, environ)}"
    except Forbidden as error:
        return f"warning: cannot comment ({error}); the report is in the job's artifacts"


def required(environ: Mapping[str, str], *names: str) -> list[str]:
    """The values of variables the provider sets, or one error naming those that are missing."""
    missing = [name for name in names if not environ.get(name)]
    if missing:
        raise Forbidden(f"{', '.join(missing)} not set (as in a pipeline for a fork)")
    return [environ[name] for name in names]
