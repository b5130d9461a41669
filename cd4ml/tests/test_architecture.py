"""The layout stays the architecture: read from the source, so it holds as the code grows.

Command folders (pipeline, registry, ci, serving, adopt, batch, maintenance) hold the commands;
a module there imports the shared modules at the root, the libraries in quality/ (the data gate;
its modules also offer a command each, for drafting the contract and refreshing the profile),
hosting/ (the CI providers' APIs), dask_engine/ (the stages on a Dask cluster) and compiled/ (the
model as ONNX), and non-command modules of its own folder, never another command. Every stage of a
project's dvc.yaml depends on the library's version.
"""

import ast
from pathlib import Path

import yaml

PACKAGE = Path(__file__).parents[1] / "src" / "cd4ml"
COMMAND_FOLDERS = {"pipeline", "registry", "ci", "serving", "adopt", "batch", "maintenance"}
LIBRARY_FOLDERS = {"quality", "hosting", "dask_engine", "compiled"}


def module_name(file: Path) -> str:
    parts = file.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(file): file for file in PACKAGE.rglob("*.py")}


def imports(module: str) -> set[str]:
    """The package's own modules that a module imports, relative imports resolved."""
    file = MODULES[module]
    package = module.split(".") if file.name == "__init__.py" else module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(file.read_text())):
        if not isinstance(node, ast.ImportFrom) or not node.level:
            continue
        base = package[: len(package) - node.level + 1]
        target = ".".join([*base, *([node.module] if node.module else [])])
        names = [f"{target}.{alias.name}".strip(".") for alias in node.names]
        found |= {name for name in [target, *names] if name in MODULES and name}
    return found


def commands() -> set[str]:
    source = MODULES["__main__"].read_text()
    listed = ast.literal_eval(source.split("COMMANDS = ", 1)[1].split("\n]\n", 1)[0] + "\n]")
    return {module for module in listed if module in MODULES and folder(module) in COMMAND_FOLDERS}


def folder(module: str) -> str:
    return module.split(".")[0] if "." in module else ""


def test_no_command_imports_another_command():
    for module in commands():
        borrowed = imports(module) & commands()
        assert not borrowed, f"{module} imports the command(s) {sorted(borrowed)}"


def test_command_folders_import_only_shared_modules_and_their_own_folder():
    for module in MODULES:
        home = folder(module)
        if home not in COMMAND_FOLDERS:
            continue
        for imported in imports(module):
            assert folder(imported) in {"", *LIBRARY_FOLDERS, home}, f"{module} imports {imported}"


def test_there_is_no_import_cycle():
    def visit(module: str, path: list[str]) -> None:
        for imported in imports(module):
            assert imported not in path, f"import cycle: {' -> '.join([*path, imported])}"
            visit(imported, [*path, imported])

    for module in MODULES:
        visit(module, [module])


def test_each_stage_reruns_when_the_library_or_a_locked_package_changes():
    stages = yaml.safe_load(Path("dvc.yaml").read_text())["stages"]  # the project's (conftest)
    for stage, definition in stages.items():
        assert "requirements.lock" in definition["deps"], stage
        assert {"pyproject.toml": ["project.dependencies"]} in definition["params"], stage
