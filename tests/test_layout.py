"""The baked code stays small enough to read: short files and short functions, in every option."""

import ast

import pytest

MAX_FILE_LINES = 300
MAX_FUNCTION_LINES = 40


@pytest.mark.parametrize("serving", ["yes", "no"])
def test_files_and_functions_stay_short(bake, serving):
    project = bake(serving=serving)
    too_long = []
    for file in sorted((project / "src").rglob("*.py")):
        source = file.read_text()
        if len(source.splitlines()) > MAX_FILE_LINES:
            too_long.append(f"{file.relative_to(project)}: {len(source.splitlines())} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{file.relative_to(project)}: {node.name}() {length} lines")
    assert not too_long, "\n".join(too_long)
