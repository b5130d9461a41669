"""export: the champion as a folder a container can serve: model.skops, model.json, contract.yaml.

The model file is the registered skops file, checked against its recorded SHA-256 before it is
written; model.json records that hash, which serving checks again when it loads the folder.
"""

import tempfile
from pathlib import Path

from .. import models, tracking
from ..config import param, path
from ..files import copy_file, write_json


def arguments(parser) -> None:
    parser.add_argument("--to", default="build/model", help="the folder to write")


def main(params: dict, to: str = "build/model") -> None:
    client = tracking.client(params)
    name = param(params, "mlflow.model_name")
    version = models.resolve(client, name, models.CHAMPION)
    folder = Path(to)
    with tempfile.TemporaryDirectory() as scratch:
        file, sha256 = models.registered_file(client, version, Path(scratch))
        models.load_verified(file, sha256, models.described(version))  # refuse before writing
        copy_file(file, folder / "model.skops")
    info = models.describe(version, client.get_run(version.run_id))
    write_json({**info, tracking.ARTIFACT_HASH_TAG: sha256}, folder / "model.json")
    copy_file(path(params, "contract"), folder / "contract.yaml")
    print(f"export: {name} version {version.version} -> {folder}")
