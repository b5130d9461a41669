"""lineage: where a registered version came from: commit, data, params, metrics, promotions."""

import json

from .. import models, tracking
from ..config import param


def render(lineage: dict) -> str:
    lines = [f"{lineage['model']} version {lineage['version']} {lineage['aliases'] or ''}".rstrip()]
    for key in (
        "run_id",
        "git_commit",
        "git_dirty",
        "data_raw_md5",
        "data_md5",
        "model_md5",
        "project_version",
        "cd4ml_version",
    ):
        lines.append(f"  {key}: {lineage[key]}")
    for group in ("events", "metrics", "params"):
        lines.append(f"  {group}:")
        lines += [f"    {key}: {value}" for key, value in sorted(lineage[group].items())]
    return "\n".join(lines)


def arguments(parser) -> None:
    parser.add_argument(
        "version", nargs="?", default=models.CHAMPION, help="a version number, or champion"
    )
    parser.add_argument("--json", dest="as_json", action="store_true", help="print JSON")


def main(params: dict, version: str = models.CHAMPION, as_json: bool = False) -> None:
    client = tracking.client(params)
    found = models.resolve(client, param(params, "mlflow.model_name"), version)
    lineage = models.describe(found, client.get_run(found.run_id))
    print(json.dumps(lineage, indent=2) if as_json else render(lineage))
