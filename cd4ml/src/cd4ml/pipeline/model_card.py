"""The model card of the run report: what the model does, on what data, how well, and for what.

Intended use and limitations are the team's words, kept in README.md under "## Model card"
(### Intended use, ### Limitations), so they are reviewed like any other change.
"""

import re
from pathlib import Path

from ..config import param, path
from ..files import read_json
from ..provenance import data_tags
from ..quality.contract_file import parse

README = Path("README.md")
PROSE = ("Intended use", "Limitations")


def prose(readme: str) -> dict[str, str]:
    """The text under ### Intended use and ### Limitations in the README's ## Model card."""
    card = re.search(r"^## Model card\n(.*?)(?=^## |\Z)", readme, flags=re.M | re.S)
    found = {}
    for title in PROSE:
        match = card and re.search(
            rf"^### {title}\n(.*?)(?=^#|\Z)", card.group(1), flags=re.M | re.S
        )
        found[title] = " ".join(match.group(1).split()).strip("_*") if match else ""
    return found


def columns_by_role(contract: dict, target: str) -> dict[str, list[str]]:
    """Columns grouped by their role in contract.yaml, or by type when no column has a role."""
    columns = contract.get("columns", {})
    by_role = any("role" in rules for rules in columns.values())
    groups: dict[str, list[str]] = {}
    for name, rules in columns.items():
        if name == target:
            group = "target"
        elif by_role:
            group = rules.get("role", "feature")
        else:
            group = f"{rules.get('type', 'unknown')} features"
        groups.setdefault(group, []).append(name)
    return groups


def dataset_rows(file: Path) -> int | None:
    """The row count from the parquet footer, without reading the data."""
    if not file.exists():
        return None
    if file.is_dir():  # a folder of partitions (compute.engine: dask)
        import pyarrow.dataset

        return pyarrow.dataset.dataset(file, format="parquet").count_rows()
    import pyarrow.parquet

    return pyarrow.parquet.ParquetFile(file).metadata.num_rows


def metric_rows(evaluation: dict | None) -> list[tuple]:
    """(metric, model, baseline) for each metric of the last evaluation."""
    if not evaluation or "metrics" not in evaluation:
        return []
    baseline = evaluation.get("baseline") or {}
    return [(name, value, baseline.get(name, "")) for name, value in evaluation["metrics"].items()]


def card(params: dict) -> dict:
    """The card's content as plain values; the report renders it."""
    target = param(params, "ingest.target")
    contract_file = path(params, "contract")
    contract = parse(contract_file.read_text()) if contract_file.exists() else {}
    evaluation = read_json(path(params, "evaluation").with_suffix(".json"))
    return {
        "facts": [
            ("task", param(params, "train.task")),
            ("model", param(params, "train.model")),
            ("target", target),
            ("rows", dataset_rows(path(params, "dataset")) or "not ingested yet"),
            ("data set md5", data_tags(params)["data_md5"]),
        ],
        "columns": columns_by_role(contract or {}, target),
        "metrics": metric_rows(evaluation),
        "prose": prose(README.read_text() if README.exists() else ""),
    }
