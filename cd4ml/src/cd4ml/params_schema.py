"""params.yaml against params.schema.json: every problem of the file, one line each.

The schema is the one description of params.yaml: its keys, their types and defaults, and the
combinations that cannot run (its `allOf` rules). Editors read it through the file's first line.
"""

import difflib
import functools
import json
import sys
from importlib import resources

from .errors import shorten

SCHEMA_FILE = "params.schema.json"
TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "null",
}
BOUNDS = {
    "minimum": "use {} or more",
    "maximum": "use {} or less",
    "exclusiveMinimum": "use a number above {}",
    "exclusiveMaximum": "use a number below {}",
}


@functools.cache
def schema() -> dict:
    return json.loads(resources.files(__package__).joinpath(SCHEMA_FILE).read_text("utf-8"))


@functools.cache
def validator():
    # jsonschema imports rfc3987_syntax, when installed (the lock has it, through jupyter-events),
    # to check the "iri" format, which this schema does not use; that import builds a grammar for
    # about 2 s, on every command (https://github.com/python-jsonschema/jsonschema/issues/1428).
    blocked = "rfc3987_syntax" not in sys.modules
    if blocked:
        sys.modules["rfc3987_syntax"] = None  # an import of it raises ImportError, which it skips
    try:
        import jsonschema
    finally:
        if blocked:
            del sys.modules["rfc3987_syntax"]
    return jsonschema.Draft202012Validator(schema())


def problems(params: dict, file: str = "params.yaml") -> list[str]:
    """One line per problem, in the order of the keys' dotted names; none for a valid file."""
    chosen = {}
    for error in validator().iter_errors(params):
        found = (dotted(error.path), subject(error))
        if found not in chosen or rank(error) < rank(chosen[found]):
            chosen[found] = error
    return [line for found in sorted(chosen) for line in describe(chosen[found], file)]


def subject(error) -> str:
    """What an error is about within its key: its unknown keys, one key's name, or its value."""
    if error.validator == "additionalProperties":
        return "keys"
    if "propertyNames" in error.relative_schema_path:
        return f"key {error.instance}"
    return ""


def rank(error) -> int:
    """A wrong type says most about a value; a combination rule, least (its key may be a typo)."""
    if error.validator == "type":
        return 0
    return 2 if error.schema_path[0] == "allOf" else 1


def dotted(path) -> str:
    return ".".join(str(key) for key in path)


def describe(error, file: str) -> list[str]:
    where = dotted(error.path)
    if error.validator == "additionalProperties":
        declared = set(error.schema.get("properties", {}))
        extras = [key for key in error.instance if key not in declared]
        return [unknown(file, where, key, declared) for key in extras]
    parent = subschema(list(error.path)[:-1]) or {}
    if "properties" in parent and error.path[-1] not in parent["properties"]:
        # A key that an open section takes in one form only (train's hyperparameter mappings), in
        # another form: most often a mistyped key.
        section, _, key = where.rpartition(".")
        other = f" (other keys of {parent['title'].lower()}: {extra(parent)})"
        return [unknown(file, section, key, set(parent["properties"])) + other]
    return [f"{file}: {where}{wrong(error)}{because(error)}"]


def wrong(error) -> str:
    """What is wrong with a key's value, after its name."""
    shown, rule, allowed = shorten(repr(error.instance), 80), error.validator, error.validator_value
    if "propertyNames" in error.relative_schema_path:
        return f" has the key {shown}; use one of {choices(allowed)}"
    if rule == "type":
        return f" is {shown}; expected {type_names(allowed)}"
    if rule == "enum":
        return f" is {shown}; use one of {choices(allowed)}"
    if rule in BOUNDS:
        return f" is {shown}; {BOUNDS[rule].format(allowed)}"
    if rule == "minLength":
        return " is empty; give a value"
    if rule == "not":
        return f" is {shown}"
    return f": {error.message}"


def unknown(file: str, where: str, key, declared: set[str]) -> str:
    name = f"{where}.{key}" if where else str(key)
    return f"{file}: {name} is not a known key{suggestion(where, str(key), declared)}"


def suggestion(where: str, key: str, declared: set[str]) -> str:
    """The same key in another section (a key put in the wrong place), or a close declared one."""
    elsewhere = [name for name in declared_names() if name.rpartition(".")[2] == key]
    if elsewhere:
        return f"; did you mean {elsewhere[0]}?"
    close = difflib.get_close_matches(key, sorted(declared), n=1)
    return f"; did you mean {where + '.' if where else ''}{close[0]}?" if close else ""


@functools.cache
def declared_names() -> list[str]:
    """Every key's dotted name in the schema, sections first."""
    names, pending = [], [("", schema())]
    while pending:
        prefix, node = pending.pop(0)
        for key, child in node.get("properties", {}).items():
            names.append(f"{prefix}{key}")
            pending.append((f"{prefix}{key}.", child))
    return names


def subschema(path: list) -> dict | None:
    node = schema()
    for key in path:
        node = node.get("properties", {}).get(key)
        if node is None:
            return None
    return node


def extra(section: dict) -> str:
    other = section.get("additionalProperties")
    if not isinstance(other, dict):
        return ""
    return f"{other.get('description', '')}, {type_names(other['type'])}"


def type_names(expected: str | list[str]) -> str:
    names = [expected] if isinstance(expected, str) else expected
    return " or ".join(TYPE_NAMES[name] for name in names)


def choices(values: list) -> str:
    return ", ".join(str(value) for value in values)


def because(error) -> str:
    """The rule a combination broke, from the description of its `allOf` entry."""
    path = list(error.schema_path)
    if path[:1] != ["allOf"]:
        return ""
    return f" ({schema()['allOf'][path[1]]['description']})"
