"""pull: `dvc pull` for CI, with one clear outcome.

Without credentials (a pull request from a fork), a project on the bundled data goes on and
says so; a project on its own DVC-tracked data stops and names the secret to set. Either way,
the sentence for the report goes to reports/data_note.md.
"""

import configparser
import subprocess
from pathlib import Path

from .config import param, path
from .errors import PipelineError
from .files import write_text

SECRETS = {
    "gs": "GCP_SA_KEY, or the variables GCP_WORKLOAD_IDENTITY_PROVIDER and GCP_SERVICE_ACCOUNT",
    "s3": "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
    "azure": "AZURE_STORAGE_CONNECTION_STRING",
}


def default_remote(config: Path = Path(".dvc/config")) -> tuple[str, str] | None:
    """The default remote's name and URL, as `dvc remote add -d` wrote them."""
    parser = configparser.ConfigParser()
    parser.read(config)
    name = parser.get("core", "remote", fallback=None)
    section = f"'remote \"{name}\"'"
    return (name, parser.get(section, "url")) if name and parser.has_section(section) else None


def pull(run_cache: bool, timeout: float) -> subprocess.CompletedProcess:
    command = ["dvc", "pull", "--allow-missing", *(["--run-cache"] if run_cache else [])]
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(command, 1, "", f"no answer in {timeout:.0f} s")


def main(params: dict, run_cache: bool = False) -> None:
    remote = default_remote()
    bundled = param(params, "ingest.source") == "bundled"
    if remote is None:
        note = "No DVC remote is configured: the pipeline ran on the data at this commit."
    elif (result := pull(run_cache, param(params, "ci.pull_timeout"))).returncode == 0:
        note = f"Data and outputs were pulled from the DVC remote `{remote[0]}` ({remote[1]})."
    else:
        reason = (result.stderr.strip().splitlines() or ["no reason given"])[-1]
        secret = SECRETS.get(remote[1].split("://")[0], "the remote's credentials")
        if not bundled:
            raise PipelineError(
                f"dvc pull from {remote[1]} failed ({reason}); set the secret {secret}"
            )
        note = (
            f"The DVC remote could not be read ({reason}), as on a pull request from a fork: "
            "the pipeline ran on the bundled data."
        )
        print(f"warning: {note}")
    write_text(note + "\n", path(params, "data_note"))
    print(f"pull: {note}")
