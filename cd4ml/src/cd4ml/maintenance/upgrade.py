"""upgrade: pyproject.toml's cd4ml pin (and its git source's commit) -> another library version.

`make upgrade VERSION=0.2.0` runs this, then `make setup`; `dvc repro` then reruns every stage,
since each depends on the pin. Only the pin and the source's `rev` change, comments and layout
stay (tomlkit's round trip); params.yaml's schema line moves to the new version's schema with them.
"""

import re
from pathlib import Path

import tomlkit

from ..config import PARAMS_FILE
from ..errors import PipelineError
from ..files import replace_together
from ..project import PYPROJECT

PIN = re.compile(r"^(cd4ml(?:\[[^\]]*\])?)\s*==\s*([^;\s]+)(.*)$")
SCHEMA_LINE = re.compile(r"^(# yaml-language-server: \$schema=\S*/cd4ml-v)([^/\s]+)/", re.MULTILINE)
VERSION = re.compile(r"^\d+(\.\d+)*([.-]?(a|b|rc|dev|post)\d*)*$")


def arguments(parser) -> None:
    parser.add_argument("--to", required=True, help="the cd4ml version to move to, e.g. 0.2.0")
    parser.add_argument(
        "--rev", help="with a git source: the template repository's commit of that version"
    )


def repinned(dependencies: list[str], version: str) -> tuple[list[str], str]:
    """The dependencies with cd4ml pinned to version, and the version it was pinned to."""
    found = [index for index, item in enumerate(dependencies) if PIN.match(item)]
    if len(found) != 1:
        raise PipelineError(
            f"{PYPROJECT}: project.dependencies must pin cd4ml once, as cd4ml==<version>"
        )
    name, old, rest = PIN.match(dependencies[found[0]]).groups()
    changed = list(dependencies)
    changed[found[0]] = f"{name}=={version}{rest}"
    return changed, old


def upgrade(text: str, version: str, rev: str | None) -> tuple[str, str]:
    """pyproject.toml's text with the new pin (and rev); also the old version."""
    if not VERSION.match(version):
        raise PipelineError(f"upgrade: --to {version!r} is not a version such as 0.2.0")
    document = tomlkit.parse(text)
    dependencies = document.get("project", {}).get("dependencies")
    if dependencies is None:
        raise PipelineError(f"{PYPROJECT}: no project.dependencies to pin cd4ml in")
    changed, old = repinned([str(item) for item in dependencies], version)
    for index, item in enumerate(changed):
        dependencies[index] = item
    source = document.get("tool", {}).get("uv", {}).get("sources", {}).get("cd4ml")
    if source is not None and "git" in source:
        if not rev:
            raise PipelineError(
                f"{PYPROJECT}: cd4ml comes from git ({source['git']}); give --rev, the commit "
                f"of version {version}"
            )
        source["rev"] = rev
    elif rev:
        raise PipelineError("upgrade: --rev is for a cd4ml git source; this project has none")
    return tomlkit.dumps(document), old


def schema_moved(text: str, version: str) -> str:
    """params.yaml's text with its schema URL at the version's tag; as it was without one."""
    return SCHEMA_LINE.sub(lambda found: f"{found[1]}{version}/", text, count=1)


def main(params: dict, to: str, rev: str | None = None) -> None:
    file = Path(PYPROJECT)
    text, old = upgrade(file.read_text(encoding="utf-8"), to, rev)
    writers = {file: lambda target: target.write_text(text, encoding="utf-8")}
    if PARAMS_FILE.exists():
        moved = schema_moved(PARAMS_FILE.read_text(encoding="utf-8"), to)
        writers[PARAMS_FILE] = lambda target: target.write_text(moved, encoding="utf-8")
    replace_together(writers)
    print(f"upgrade: cd4ml {old} -> {to} in {file}; now `make setup`, then `dvc repro`")
