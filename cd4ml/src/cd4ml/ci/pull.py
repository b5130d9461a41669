"""pull: `dvc pull` for CI, with one clear outcome.

Without credentials (a pull request from a fork), a project on the bundled data goes on and
says so; a project on its own DVC-tracked data stops and names the secret to set. Either way,
the sentence for the report goes to reports/data_note.md.
"""

import configparser
import os
import socket
import subprocess
import urllib.parse
from pathlib import Path

from ..config import param, path
from ..errors import PipelineError
from ..files import write_text
from ..markup import escaped

ENDPOINTS = {"gs": "https://storage.googleapis.com", "s3": "https://s3.amazonaws.com"}
SECRETS = {
    "gs": "GCP_SA_KEY, or GCP_WORKLOAD_IDENTITY_PROVIDER and GCP_SERVICE_ACCOUNT",
    "s3": "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
    "azure": "AZURE_STORAGE_CONNECTION_STRING",
}


def default_remote(folder: Path = Path(".dvc")) -> dict | None:
    """The default remote's settings (name, url, endpointurl...): .dvc/config and config.local."""
    parser = configparser.ConfigParser()
    parser.read([folder / "config", folder / "config.local"])
    name = parser.get("core", "remote", fallback=None)
    section = f"'remote \"{name}\"'"
    return {"name": name, **parser[section]} if name and parser.has_section(section) else None


def azure_endpoint(remote: dict, environ: dict) -> str | None:
    """The Blob endpoint that dvc-azure will use: from the connection string, else the account."""
    connection = remote.get("connection_string") or environ.get("AZURE_STORAGE_CONNECTION_STRING")
    if connection:
        # Connection string keys are case-insensitive: "AccountName=a;BlobEndpoint=https://..."
        fields = {
            key.strip().lower(): value.strip()
            for key, _, value in (part.partition("=") for part in connection.split(";"))
        }
        if fields.get("usedevelopmentstorage", "").lower() == "true":
            return "http://127.0.0.1:10000"
        if fields.get("blobendpoint"):
            return fields["blobendpoint"]
        protocol = fields.get("defaultendpointsprotocol", "https")
        suffix = fields.get("endpointsuffix", "core.windows.net")
        account = fields.get("accountname")
        return f"{protocol}://{account}.blob.{suffix}" if account else None
    account = remote.get("account_name") or environ.get("AZURE_STORAGE_ACCOUNT")
    return f"https://{account}.blob.core.windows.net" if account else None


def endpoint_of(remote: dict, environ: dict) -> str | None:
    """The URL of the remote's server, or None for a local folder or an unknown store."""
    scheme = remote["url"].split("://")[0]
    if remote.get("endpointurl"):
        return remote["endpointurl"]
    return azure_endpoint(remote, environ) if scheme == "azure" else ENDPOINTS.get(scheme)


def unreachable(remote: dict, timeout: float = 5) -> str | None:
    """Why the remote's server cannot be reached, found in seconds, not after DVC's retries."""
    endpoint = endpoint_of(remote, os.environ)
    if not endpoint:
        return None  # a local folder, or an Azure store with no account given: DVC says why
    parts = urllib.parse.urlsplit(endpoint)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname, port), timeout=timeout).close()
    except OSError as error:
        return f"cannot connect to {parts.hostname}:{port}: {error.strerror or error}"
    return None


def pull(run_cache: bool, timeout: float) -> subprocess.CompletedProcess:
    command = ["dvc", "pull", "--allow-missing", *(["--run-cache"] if run_cache else [])]
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(command, 1, "", f"no answer in {timeout:.0f} s")


def failure(remote: dict, run_cache: bool, timeout: float) -> str | None:
    """Why the data could not be pulled, or None once it has been."""
    reason = unreachable(remote)
    if reason is None:
        result = pull(run_cache, timeout)
        if result.returncode == 0:
            return None
        reason = (result.stderr.strip().splitlines() or ["no reason given"])[-1]
    return reason


def arguments(parser) -> None:
    parser.add_argument("--run-cache", action="store_true", help="also pull DVC's run cache")


def main(params: dict, run_cache: bool = False) -> None:
    remote = default_remote()
    values = {}  # the note's parts that come from the project's settings or DVC's message
    if remote is None:
        note = "No DVC remote is configured: the pipeline ran on the data at this commit."
    elif (reason := failure(remote, run_cache, param(params, "ci.pull_timeout"))) is None:
        note = "Data and outputs were pulled from the DVC remote {name} ({url})."
        values = {"name": remote["name"], "url": remote["url"]}
    elif param(params, "ingest.source") == "bundled":
        note = (
            "The DVC remote could not be read ({reason}), as on a pull request from a fork: "
            "the pipeline ran on the bundled data."
        )
        values = {"reason": reason}
        print(f"warning: {note.format(**values)}")
    else:
        secret = SECRETS.get(remote["url"].split("://")[0], "the remote's credentials")
        raise PipelineError(
            f"dvc pull from {remote['url']} failed ({reason}); set the secret {secret}"
        )
    markdown = note.format(**{name: escaped(value) for name, value in values.items()})
    write_text(markdown + "\n", path(params, "data_note"))
    print(f"pull: {note.format(**values)}")
