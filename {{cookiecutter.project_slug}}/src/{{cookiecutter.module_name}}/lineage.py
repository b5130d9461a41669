"""lineage: where a registered version came from: commit, data, params, metrics, promotions."""

import json

from . import registry, tracking
from .config import param


def describe(version, run) -> dict:
    tags = run.data.tags
    return {
        "model": version.name,
        "version": str(version.version),
        "aliases": list(version.aliases),
        "run_id": run.info.run_id,
        "git_commit": tags.get("git_commit"),
        "git_dirty": tags.get("git_dirty"),
        "data_raw_md5": tags.get("data_raw_md5"),
        "data_md5": tags.get("data_md5"),
        "model_md5": tags.get(tracking.MODEL_HASH_TAG),
        "project_version": tags.get("project_version"),
        "metrics": run.data.metrics,
        "params": run.data.params,
        "events": {
            key: value
            for key, value in version.tags.items()
            if key.startswith(("promoted", "roll"))
        },
    }


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
    ):
        lines.append(f"  {key}: {lineage[key]}")
    for group in ("events", "metrics", "params"):
        lines.append(f"  {group}:")
        lines += [f"    {key}: {value}" for key, value in sorted(lineage[group].items())]
    return "\n".join(lines)


def main(params: dict, version: str = registry.CHAMPION, as_json: bool = False) -> None:
    client = tracking.client(params)
    found = registry.resolve(client, param(params, "mlflow.model_name"), version)
    lineage = describe(found, client.get_run(found.run_id))
    print(json.dumps(lineage, indent=2) if as_json else render(lineage))
