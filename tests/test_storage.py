"""DVC remotes for real: GCS, S3 and Azure Blob servers on 127.0.0.1, and a local folder.

gcp-storage-emulator speaks GCS, moto's server S3 and azurite (npm) Azure Blob. For each, data
and run cache are pushed, the cache is wiped, and everything comes back byte for byte; then a fresh
clone pulls and runs no stage; an unreachable store is one line in seconds.
"""

import datetime
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import (
    CLI,
    TEMPLATE,
    VENV_BIN,
    background_server,
    digest,
    free_port,
    ran_stages,
    run,
    set_params,
    untracked,
)

pytestmark = pytest.mark.slow  # a full pipeline run or more; `make test-fast` leaves it out

OUTPUTS = ["data/interim/dataset.parquet", "data/processed/train.parquet", "models/candidate.pkl", "models/model.pkl"]
BUCKET = "team-data"
# Azurite's well-known development account (documented by Microsoft, not a secret).
AZURE_ACCOUNT = "devstoreaccount1"
AZURE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def azure_connection_string(endpoint: str) -> str:
    return (f"DefaultEndpointsProtocol=http;AccountName={AZURE_ACCOUNT};AccountKey={AZURE_KEY};"
            f"BlobEndpoint={endpoint}/{AZURE_ACCOUNT};")  # fmt: skip


@dataclass
class Store:
    """One kind of DVC remote: its answer, its URL, and how a checkout is pointed at the server."""

    remote: str
    url: str
    secret: str
    settings: dict[str, str] = field(default_factory=dict)

    def use(self, project: Path) -> None:
        """Settings that are per machine go to .dvc/config.local, so a clone needs them again."""
        for key, value in self.settings.items():
            run(project, "dvc", "remote", "modify", "--local", "storage", key, value)


@contextmanager
def gcs_server(monkeypatch, port: int) -> Iterator[Store]:
    command = [str(VENV_BIN / "gcp-storage-emulator"), "start", "--host", "127.0.0.1", "--port", str(port),
               "--in-memory", "--default-bucket", BUCKET]  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}"
    with background_server(command, f"{endpoint}/storage/v1/b"):
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", endpoint)
        monkeypatch.setenv("GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT", "false")  # else a gRPC probe hangs 60 s
        yield gcs_store(endpoint)


def gcs_store(endpoint: str) -> Store:
    return Store("gcs", f"gs://{BUCKET}/churn", "GCP_SA_KEY, or GCP_WORKLOAD_IDENTITY_PROVIDER and GCP_SERVICE_ACCOUNT",
                 {"endpointurl": endpoint, "allow_anonymous_login": "true"})  # fmt: skip


@contextmanager
def s3_server(monkeypatch, port: int) -> Iterator[Store]:
    import boto3

    endpoint = f"http://127.0.0.1:{port}"
    with background_server([str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], endpoint):
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
        yield s3_store(endpoint)


def s3_store(endpoint: str) -> Store:
    return Store("s3", f"s3://{BUCKET}/churn", "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", {"endpointurl": endpoint})


@contextmanager
def azure_server(monkeypatch, port: int, tmp_path: Path) -> Iterator[Store]:
    from azure.storage.blob import AccountSasPermissions, BlobServiceClient, ResourceTypes, generate_account_sas

    command = [str(TEMPLATE / "node_modules/.bin/azurite-blob"), "--blobHost", "127.0.0.1", "--blobPort", str(port),
               "--location", str(tmp_path / "azurite"), "--skipApiVersionCheck", "--loose",
               "--disableTelemetry"]  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}"
    # Azurite answers 403 to anonymous requests; a signed listing answers 200 once it is up.
    expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    signature = generate_account_sas(AZURE_ACCOUNT, AZURE_KEY, ResourceTypes(service=True),
                                     AccountSasPermissions(list=True), expiry=expiry)  # fmt: skip
    with background_server(command, f"{endpoint}/{AZURE_ACCOUNT}?comp=list&{signature}"):
        monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", azure_connection_string(endpoint))
        BlobServiceClient.from_connection_string(azure_connection_string(endpoint)).create_container(BUCKET)
        yield azure_store()


def azure_store() -> Store:
    return Store("azure", f"azure://{BUCKET}/churn", "AZURE_STORAGE_CONNECTION_STRING")


@pytest.fixture(params=["gcs", "s3", "azure"])
def store(request, monkeypatch, tmp_path) -> Iterator[Store]:
    """A real server for each cloud remote the `dvc_remote` answer offers, on a free port."""
    servers: dict[str, Callable] = {
        "gcs": lambda port: gcs_server(monkeypatch, port),
        "s3": lambda port: s3_server(monkeypatch, port),
        "azure": lambda port: azure_server(monkeypatch, port, tmp_path),
    }
    with servers[request.param](free_port()) as started:
        yield started


def wipe(project: Path) -> None:
    shutil.rmtree(project / ".dvc/cache")
    for name in OUTPUTS:
        (project / name).unlink()


def push_wipe_pull(project: Path) -> None:
    run(project, "dvc", "repro")
    before = {name: digest(project / name) for name in OUTPUTS}
    run(project, "dvc", "push", "--run-cache")
    wipe(project)
    run(project, "dvc", "pull", "--run-cache")
    assert {name: digest(project / name) for name in OUTPUTS} == before
    assert any((project / ".dvc/cache/runs").rglob("*")), "the run cache was not pulled"
    assert ran_stages(run(project, "dvc", "repro").stdout) == []


def test_a_cloud_remote_gives_data_and_run_cache_back_to_a_wiped_checkout_and_a_fresh_clone(bake, store, tmp_path):
    project = untracked(bake(dvc_remote=store.remote, dvc_remote_url=store.url))  # tracking is test_registry's
    store.use(project)
    push_wipe_pull(project)
    run(project, "git", "add", "-A")
    run(project, "git", "commit", "-qm", "Reproduce")
    clone = tmp_path / "clone"
    run(tmp_path, "git", "clone", "-q", str(project), str(clone))
    store.use(clone)
    assert "pulled from the DVC remote storage" in run(clone, *CLI, "pull", "--run-cache").stdout
    assert digest(clone / "models/model.pkl") == digest(project / "models/model.pkl")
    assert ran_stages(run(clone, "dvc", "repro").stdout) == []


def test_local_remote_push_wipe_and_pull(bake, tmp_path):
    project = untracked(bake(dvc_remote="local", dvc_remote_url=str(tmp_path / "store")))
    push_wipe_pull(project)


def closed(monkeypatch, remote: str) -> Store:
    """A store whose server is not there: the endpoint is a free port nobody listens on."""
    endpoint = f"http://127.0.0.1:{free_port()}"
    if remote == "azure":
        monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", azure_connection_string(endpoint))
        return azure_store()
    return {"gcs": gcs_store, "s3": s3_store}[remote](endpoint)


@pytest.mark.parametrize("remote", ["gcs", "s3", "azure"])
def test_an_unreachable_remote_is_one_line_in_seconds(bake, monkeypatch, remote):
    store = closed(monkeypatch, remote)
    project = bake(dvc_remote=store.remote, dvc_remote_url=store.url)
    store.use(project)
    started = time.monotonic()
    bundled = run(project, *CLI, "pull")
    assert "warning: The DVC remote could not be read (cannot connect to 127.0.0.1:" in bundled.stdout
    (project / "data/raw/customers.csv").write_text("age,churned\n30,0\n")
    set_params(project, ingest={"source": "raw", "target": "churned"})
    own_data = run(project, *CLI, "pull", check=False)
    assert own_data.returncode == 2
    assert own_data.stderr.startswith(f"error: dvc pull from {store.url} failed (cannot connect to 127.0.0.1:")
    assert own_data.stderr.rstrip().endswith(f"set the secret {store.secret}")
    assert len(own_data.stderr.splitlines()) == 1
    assert time.monotonic() - started < 30
