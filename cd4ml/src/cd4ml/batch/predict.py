"""predict: score a CSV or parquet file, or a folder of them, with the champion -> CSV or parquet.

CSV files are read as ingest reads them (params.yaml's `ingest:` dialect and na_values). Each
output row is an input row with `prediction`, and for a classifier `probability_<class>`
per class. On compute.engine pandas the output is one file, CSV or parquet by its suffix, scored
CHUNK_ROWS rows at a time with a line of progress each; on dask it is a folder of parquet
partitions, scored on the cluster.
"""

from pathlib import Path

import pandas as pd

from .. import input_schema, models, tracking
from ..compiled import folder as compiled_folder
from ..compute import cluster, uses_dask
from ..config import param, path
from ..errors import PipelineError
from ..exported import read_info
from ..files import write_csv, write_parquet
from ..quality.contract_file import load_contract
from ..quality.reading import csv_options, read_table

CHUNK_ROWS = 100_000
READERS = (".csv", ".parquet")
WRITERS = {".csv": write_csv, ".parquet": write_parquet}
FOLDER_SUFFIXES = ("", ".parquet")  # on Dask: a folder of parquet partitions


def arguments(parser) -> None:
    parser.add_argument(
        "source", metavar="INPUT", help="a CSV or parquet file, or a folder of them"
    )
    parser.add_argument(
        "--output",
        required=True,
        help="a .csv or .parquet file; on Dask a folder of parquet partitions (or a .parquet path)",
    )
    parser.add_argument(
        "--model",
        default=None,
        help="a folder written by `export`; default: the registered champion (mlflow.model_name)",
    )


def check_output(target: Path, on_dask: bool) -> None:
    """Refuse an output predict cannot write, before a model is loaded or a row scored."""
    suffix = target.suffix.lower()
    if on_dask and suffix not in FOLDER_SUFFIXES:
        raise PipelineError(
            f"{target}: on compute.engine dask predict writes a folder of parquet partitions; "
            "name a folder, without a suffix or ending in .parquet"
        )
    if not on_dask and suffix not in WRITERS:
        raise PipelineError(
            f"{target}: predict writes {' or '.join(WRITERS)} files; end the output's name in one"
        )


def input_files(source: Path) -> list[Path]:
    """The file itself, or the data files in the folder in name order (hidden ones skipped)."""
    if source.is_file():
        return [source]
    if not source.is_dir():
        raise PipelineError(f"{source}: no such file or folder")
    found = sorted(
        file
        for file in source.rglob("*")
        if file.suffix.lower() in READERS
        and not any(part.startswith(".") for part in file.relative_to(source).parts)
    )
    if not found:
        raise PipelineError(f"{source}: no CSV or parquet files found")
    return found


def champion(params: dict, folder: str | None) -> tuple[object, dict[str, str]]:
    """The model to score with (an exported folder, or the champion from the registry; its ONNX
    form when the folder holds a proven one, see compiled.folder) and the dtypes of its columns;
    refused when its contract (the folder's, or the project's) no longer describes its columns."""
    # an onnxruntime session does not travel to the workers
    on_dask = "compute.engine is dask; ONNX runs in one process" if uses_dask(params) else None
    if folder:
        info = read_info(Path(folder))
        reason = on_dask or compiled_folder.why_not(info)
        if reason is None:
            model = compiled_folder.load(Path(folder), info)
        else:
            model, info = models.load_exported(Path(folder))
        what, contract = folder, Path(folder) / "contract.yaml"
    else:
        registry = "scoring the registry's champion; ONNX runs only from an exported folder"
        reason = on_dask or registry
        client = tracking.client(params)
        version = models.resolve(client, param(params, "mlflow.model_name"), models.CHAMPION)
        print(f"predict: {models.described(version)}")
        model = models.load_registered(client, version)
        info = client.get_run(version.run_id).data.tags
        what, contract = models.described(version), path(params, "contract")
    features = [str(name) for name in getattr(model, "feature_names_in_", [])]
    columns = load_contract(contract).get("columns") or {}
    input_schema.check(features, columns, info.get(input_schema.TAG), what, contract)
    print(f"predict: scikit-learn answers: {reason}" if reason else "predict: ONNX answers")
    return model, input_schema.dtypes(features, columns)


def check_columns(columns, model, source: Path) -> None:
    missing = [name for name in model.feature_names_in_ if name not in set(columns)]
    if missing:
        raise PipelineError(f"{source}: the model's feature columns {missing[:10]} are missing")


def in_chunks(task: str, model, dtypes: dict, frame: pd.DataFrame, where: Path) -> pd.DataFrame:
    """scored_rows over CHUNK_ROWS rows at a time, printing how far it got."""
    from ..scoring import scored_rows

    parts = []
    for start in range(0, len(frame), CHUNK_ROWS):
        chunk = frame.iloc[start : start + CHUNK_ROWS]
        parts.append(scored_rows(task, model, chunk, dtypes, where))
        done = min(start + CHUNK_ROWS, len(frame))
        print(f"predict: {done} of {len(frame)} rows ({100 * done // len(frame)}%)", flush=True)
    return pd.concat(parts) if parts else scored_rows(task, model, frame, dtypes, where)


def main(params: dict, source: str, output: str, model: str | None = None) -> None:
    source, target, task = Path(source), Path(output), param(params, "train.task")
    check_output(target, uses_dask(params))
    files = input_files(source)
    loaded, dtypes = champion(params, model)
    options = csv_options(params)
    if uses_dask(params):
        from ..dask_engine.predict import predict as distributed

        rows = distributed(
            cluster(params), files, (loaded, dtypes), task, target, check_columns, options
        )
    else:
        frame = pd.concat([read_table(file, options) for file in files], ignore_index=True)
        check_columns(frame.columns, loaded, source)
        WRITERS[target.suffix.lower()](in_chunks(task, loaded, dtypes, frame, source), target)
        rows = len(frame)
    print(f"predict: {rows} rows scored -> {target}")
