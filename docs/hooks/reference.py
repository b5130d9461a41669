"""The reference pages, written at build time from their single sources.

A page whose Markdown is exactly a marker line, such as `<!-- reference: commands -->`, gets the
generated text in its place: the library's command-line parsers, the params.yaml schema and the
template's cookiecutter.json. Every value from those sources goes through cd4ml.markup.escaped.
"""

import argparse
import importlib
import json
import re
from pathlib import Path

from cd4ml.markup import escaped

from cd4ml import __main__ as cli

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "cd4ml/src/cd4ml/params.schema.json"
OPTIONS = ROOT / "cookiecutter.json"
MARKER = re.compile(r"<!-- reference: (\w+) -->")


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table; cells are already escaped or code spans."""
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def code(value: object) -> str:
    """A value as code, escaped: `escaped` turns backticks into references, so use <code>."""
    return f"<code>{escaped(value)}</code>"


def command_options(module_path: str) -> list[argparse.Action]:
    """The options a command adds to the command line's parser, as `cd4ml <command>` builds it."""
    parser = argparse.ArgumentParser(add_help=False)
    module = importlib.import_module(f"cd4ml.{module_path}")
    if hasattr(module, "arguments"):
        module.arguments(parser)
    return parser._actions


def option_cells(action: argparse.Action) -> list[str]:
    names = ", ".join(action.option_strings) or action.dest
    if action.choices:
        names += " {" + ",".join(str(choice) for choice in action.choices) + "}"
    shown = action.default not in (None, False, argparse.SUPPRESS)
    return [
        code(names),
        "yes" if action.required else "",
        code(action.default) if shown else "",
        escaped(action.help or ""),
    ]


def commands() -> str:
    available = cli.available()
    overview = [[code(name), escaped(cli.summary(spec))] for name, (_, spec) in available.items()]
    parts = [
        "Each command runs as `python -m <module> <command>` in a project, or `cd4ml <command>`. "
        "Every command also takes `--debug`, which shows the full traceback of an error.",
        table(["command", "what it does"], overview),
    ]
    for name, (module_path, _) in available.items():
        actions = command_options(module_path)
        if actions:
            rows = [option_cells(action) for action in actions]
            parts += [f"## {escaped(name)}", table(["option", "required", "default", "what it does"], rows)]
    return "\n\n".join(parts)


def schema_rows(node: dict, prefix: str = "") -> list[list[str]]:
    rows = []
    for key, value in node.get("properties", {}).items():
        name = f"{prefix}{key}"
        kind = value.get("type", "")
        kind = " or ".join(kind) if isinstance(kind, list) else kind
        if "enum" in value:
            kind += ": " + ", ".join(str(choice) for choice in value["enum"])
        default = code(json.dumps(value["default"])) if "default" in value else ""
        rows.append([code(name), escaped(kind), default, escaped(value.get("description", ""))])
        rows += schema_rows(value, f"{name}.")
    return rows


def params() -> str:
    """One section per top-level key, with a table of the keys under it."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    header = ["key", "type", "default", "meaning"]
    top = schema_rows({"properties": {key: {**value, "properties": {}} for key, value in schema["properties"].items()}})
    parts = [escaped(schema.get("description", "")), table(header, top)]
    for key, value in schema["properties"].items():
        rows = schema_rows(value, f"{key}.")
        if rows:
            parts += [f"## {escaped(key)}", escaped(value.get("description", "")), table(header, rows)]
    return "\n\n".join(parts)


def options() -> str:
    answers = json.loads(OPTIONS.read_text(encoding="utf-8"))
    prompts = answers.get("__prompts__", {})
    rows = []
    for name, default in answers.items():
        if name.startswith("_"):
            continue
        prompt = prompts.get(name, "")
        if isinstance(default, list):
            labels = prompt if isinstance(prompt, dict) else {}
            shown = "<br>".join(code(value) + " " + escaped(labels.get(value, "")) for value in default)
            prompt = labels.get("__prompt__", "")
        else:
            shown = code(default)
        rows.append([code(name), shown, escaped(prompt)])
    note = "Choices list their default first. A default in `{{ }}` is derived from the answers before it."
    return note + "\n\n" + table(["option", "default or choices", "question"], rows)


GENERATORS = {"commands": commands, "params": params, "options": options}


def on_page_markdown(markdown: str, page, config, files) -> str:
    return MARKER.sub(lambda match: GENERATORS[match[1]](), markdown)
