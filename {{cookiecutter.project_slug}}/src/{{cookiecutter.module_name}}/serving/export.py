"""export: the champion as a folder a container can serve: model.pkl, model.json, contract.yaml."""

from pathlib import Path

from .. import lineage, registry, tracking
from ..config import param, path
from ..files import copy_file, write_json, write_model


def main(params: dict, to: str = "build/model") -> None:
    import mlflow

    client = tracking.client(params)
    name = param(params, "mlflow.model_name")
    version = registry.resolve(client, name, registry.CHAMPION)
    model = mlflow.sklearn.load_model(f"models:/{name}/{version.version}")
    folder = Path(to)
    write_model(model, folder / "model.pkl")
    write_json(lineage.describe(version, client.get_run(version.run_id)), folder / "model.json")
    copy_file(path(params, "contract"), folder / "contract.yaml")
    print(f"export: {name} version {version.version} -> {folder}")
