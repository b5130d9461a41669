"""export: the champion as a folder a container can serve: model.skops, model.json, contract.yaml.

The model file is the registered skops file, checked against its recorded SHA-256 before it is
written; model.json records that hash, which serving checks again when it loads the folder, and
the digest of the model's input schema. A champion whose columns contract.yaml no longer describes
(one of another data set) is refused before anything is written.
With --from-pipeline it is this checkout's pipeline model (paths.model), registered nowhere, as a
pull request's review app serves it.
Beside them: model.onnx when it answers as the model does (compiled.build), and
serving-overrides.txt, what the service's image can then leave out (image.py).
"""

import tempfile
from pathlib import Path

from .. import input_schema, models, tracking
from ..compiled import folder as compiled_folder
from ..compiled import rows as compiled_rows
from ..compiled.build import compile_into
from ..config import param, path
from ..files import copy_file, read_model, read_parquet, write_json, write_text
from ..project import library_version, project_version
from ..provenance import data_tags, file_md5, file_sha256, git_tags
from ..quality.contract_file import load_contract
from . import image


def arguments(parser) -> None:
    parser.add_argument("--to", default="build/model", help="the folder to write")
    parser.add_argument(
        "--from-pipeline",
        action="store_true",
        help="export paths.model (this checkout's model) instead of the registry's champion",
    )


def registered(params: dict, scratch: Path) -> tuple[Path, str, dict, str]:
    """The champion's skops file, its recorded SHA-256, its description, and what it is."""
    client = tracking.client(params)
    version = models.resolve(client, param(params, "mlflow.model_name"), models.CHAMPION)
    file, sha256 = models.registered_file(client, version, scratch)
    info = models.describe(version, client.get_run(version.run_id))
    return file, sha256, info, models.described(version)


def pipeline_model(params: dict, scratch: Path) -> tuple[Path, str, dict, str]:
    """paths.model saved as skops, its SHA-256, its lineage (no version), and what it is."""
    import skops.io

    source = path(params, "model")
    file = scratch / "model.skops"
    skops.io.dump(read_model(source), file)
    info = {
        "model": param(params, "mlflow.model_name"),
        "version": None,
        **git_tags(),
        **data_tags(params),
        tracking.MODEL_HASH_TAG: file_md5(source),
        "project_version": project_version(),
        "cd4ml_version": library_version(),
    }
    return file, file_sha256(file), info, f"{source} (not registered)"


def main(params: dict, to: str = "build/model", from_pipeline: bool = False) -> None:
    folder = Path(to)
    choose = pipeline_model if from_pipeline else registered
    contract = path(params, "contract")
    with tempfile.TemporaryDirectory() as scratch:
        file, sha256, info, what = choose(params, Path(scratch))
        model = models.load_verified(file, sha256, what)  # refuse before writing
        features = [str(name) for name in getattr(model, "feature_names_in_", [])]
        columns = load_contract(contract).get("columns") or {}
        input_schema.check(features, columns, info.get(input_schema.TAG), what, contract)
        if from_pipeline:  # this checkout's model: its schema is the contract's now
            info[input_schema.TAG] = input_schema.digest(features, columns)
        copy_file(file, folder / "model.skops")
        onnx = compile_checked(params, model, features, columns, folder)
    write_json(
        {**info, tracking.ARTIFACT_HASH_TAG: sha256, compiled_folder.KEY: onnx},
        folder / "model.json",
    )
    copy_file(contract, folder / "contract.yaml")
    write_text(image.overrides(bool(onnx.get("sha256"))), folder / image.FILE)
    print(f"export: {what} -> {folder}")


def compile_checked(params: dict, model, features: list[str], columns: dict, folder: Path) -> dict:
    """model.onnx beside model.skops when it answers as the model does on the whole test split
    (paths.test); model.json's "onnx" entry either way, and one line printed."""
    frame, why_not = compiled_rows.test_rows(read_parquet, path(params, "test"), features, columns)
    onnx = compile_into(model, frame, folder, why_not)
    if onnx.get("sha256"):
        result = onnx["parity"]
        print(
            f"export: model.onnx answers as scikit-learn on {result['rows']} test rows "
            f"(largest difference {result['largest_difference']:.2g})"
        )
    else:
        print(f"export: no model.onnx, scikit-learn answers: {onnx['reason']}")
    return onnx
