"""DVC remotes for real: a GCS-protocol server on 127.0.0.1 (gcp-storage-emulator) and a local folder.

Data and run cache are pushed, the cache is wiped, and everything comes back byte for byte.
"""

import shutil
import time
from pathlib import Path

import pytest
from conftest import VENV_BIN, background_server, digest, free_port, ran_stages, run, set_params

OUTPUTS = ["data/interim/dataset.parquet", "data/processed/train.parquet", "models/candidate.pkl", "models/model.pkl"]
BUCKET = "team-data"


@pytest.fixture
def gcs(monkeypatch):
    """gcp-storage-emulator on a free port, with the settings gcsfs needs to talk to it."""
    port = free_port()
    command = [str(VENV_BIN / "gcp-storage-emulator"), "start", "--host", "127.0.0.1", "--port", str(port),
               "--in-memory", "--default-bucket", BUCKET]  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}"
    with background_server(command, f"{endpoint}/storage/v1/b"):
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", endpoint)
        monkeypatch.setenv("GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT", "false")  # else a gRPC probe hangs 60 s
        yield endpoint


def use_emulator(project: Path, endpoint: str) -> None:
    run(project, "dvc", "remote", "modify", "--local", "storage", "endpointurl", endpoint)
    run(project, "dvc", "remote", "modify", "--local", "storage", "allow_anonymous_login", "true")


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


def test_gcs_remote_push_wipe_and_pull_data_and_run_cache(bake, gcs):
    project = bake(dvc_remote="gcs", dvc_remote_url=f"gs://{BUCKET}/churn")
    use_emulator(project, gcs)
    push_wipe_pull(project)


def test_a_fresh_clone_restores_from_the_gcs_run_cache(bake, gcs, tmp_path):
    project = bake(dvc_remote="gcs", dvc_remote_url=f"gs://{BUCKET}/churn")
    use_emulator(project, gcs)
    run(project, "dvc", "repro")
    run(project, "dvc", "push", "--run-cache")
    run(project, "git", "add", "-A")
    run(project, "git", "commit", "-qm", "Reproduce")
    clone = tmp_path / "clone"
    run(tmp_path, "git", "clone", "-q", str(project), str(clone))
    use_emulator(clone, gcs)
    assert "pulled from the DVC remote storage" in run(clone, "python", "-m", "breast_cancer_classifier", "pull",
                                                       "--run-cache").stdout  # fmt: skip
    assert digest(clone / "models/model.pkl") == digest(project / "models/model.pkl")
    assert ran_stages(run(clone, "dvc", "repro").stdout) == []


def test_local_remote_push_wipe_and_pull(bake, tmp_path):
    project = bake(dvc_remote="local", dvc_remote_url=str(tmp_path / "store"))
    push_wipe_pull(project)


def test_an_unreachable_remote_is_one_line_in_seconds(bake):
    project = bake(dvc_remote="gcs", dvc_remote_url=f"gs://{BUCKET}/churn")
    use_emulator(project, f"http://127.0.0.1:{free_port()}")
    started = time.monotonic()
    bundled = run(project, "python", "-m", "breast_cancer_classifier", "pull")
    assert "warning: The DVC remote could not be read (cannot connect to 127.0.0.1:" in bundled.stdout
    (project / "data/raw/customers.csv").write_text("age,churned\n30,0\n")
    set_params(project, ingest={"source": "raw", "target": "churned"})
    own_data = run(project, "python", "-m", "breast_cancer_classifier", "pull", check=False)
    assert own_data.returncode == 2
    assert own_data.stderr.startswith(f"error: dvc pull from gs://{BUCKET}/churn failed (cannot connect to")
    assert own_data.stderr.rstrip().endswith("set the secret GCP_SA_KEY, or GCP_WORKLOAD_IDENTITY_PROVIDER and "
                                             "GCP_SERVICE_ACCOUNT")  # fmt: skip
    assert time.monotonic() - started < 30
