"""Write the import names a baked module must not take into hooks/pre_gen_project.py.

The pre-generation hook runs in whatever environment cookiecutter was installed in, usually
one without the project's dependencies, so it cannot ask what is importable: it checks a list
that ships with it. The list is the top-level import names of every package pinned in the
baked project's requirements.lock (read from the installed distributions; a package that is not
installed here, such as a Windows-only one, counts by its normalised name) and the standard
library's modules. Run it after `make lock` (the Makefile does); `--check` exits 1 when the
hook's list is out of date.
"""

import importlib.metadata
import re
import sys
import textwrap
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[2]
LOCK = TEMPLATE / "{{cookiecutter.project_slug}}/requirements.lock"
HOOK = TEMPLATE / "hooks/pre_gen_project.py"
BLOCK = re.compile(r"(# BEGIN module names\n).*?(# END module names\n)", re.DOTALL)
NAME = re.compile(r"[a-z][a-z0-9_]*")


def locked_distributions(lock: str) -> list[str]:
    return sorted({match.group(1) for match in re.finditer(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", lock, re.M)})


def import_names(distribution: str) -> set[str]:
    """Top-level modules and packages a distribution installs."""
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return {re.sub(r"[-.]", "_", distribution).lower()}
    top_level = dist.read_text("top_level.txt")
    if top_level:
        return set(top_level.split())
    names = set()
    for file in dist.files or []:
        first = file.parts[0]
        if first.endswith((".dist-info", ".data")) or first in ("..", "__pycache__"):
            continue
        if len(file.parts) > 1 or first.endswith(".py"):
            names.add(first.removesuffix(".py"))
        elif first.endswith((".so", ".pyd")):
            names.add(first.split(".")[0])
    return names


def words(names: set[str]) -> str:
    """The names, sorted, as the lines of a triple-quoted string in the hook."""
    return textwrap.fill(" ".join(sorted(name for name in names if NAME.fullmatch(name))), 118)


def block(lock: str) -> str:
    dependencies = set().union(*(import_names(name) for name in locked_distributions(lock)))
    dependencies.add("cd4ml")  # the library itself, which the lock leaves out (it comes from the template)
    return (
        f'DEPENDENCIES = """\n{words(dependencies)}\n"""\n'
        f'STDLIB = """\n{words(set(sys.stdlib_module_names))}\n"""\n'
        "DEPENDENCY_MODULES = frozenset(DEPENDENCIES.split())\n"
        "STDLIB_MODULES = frozenset(STDLIB.split())\n"
    )


def main(check: bool) -> int:
    hook = HOOK.read_text()
    updated = BLOCK.sub(lambda match: match.group(1) + block(LOCK.read_text()) + match.group(2), hook)
    if check:
        if updated != hook:
            print(
                f"error: {HOOK.name}: the module-name list is out of date; run {Path(__file__).name}", file=sys.stderr
            )
        return int(updated != hook)
    HOOK.write_text(updated)
    return 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
