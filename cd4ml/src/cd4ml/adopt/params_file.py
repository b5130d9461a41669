"""Edits of params.yaml that keep its comments, order and layout (ruamel.yaml's round trip)."""

import io
from pathlib import Path

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from ..errors import PipelineError
from ..files import write_text

# Characters YAML reads as a line break: ruamel writes them raw in a plain or single-quoted scalar,
# where reading folds them into a space; in double quotes they are escaped and read back as written.
LINE_BREAKS = frozenset("\r\n\x85\u2028\u2029")
# ruamel writes by YAML 1.2, where `yes`, `Off` and `12:30` are text; the library and DVC's users
# read params.yaml with PyYAML, by YAML 1.1, where they are a boolean and a number.
_YAML_1_1 = yaml.resolver.Resolver()
STRING = "tag:yaml.org,2002:str"


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 100
    return yaml


def update(file: Path, changes: dict[str, object], comments: dict[str, str] | None = None) -> None:
    """Set each dotted name to its value; a missing key is added, with its comment if given."""
    document = _yaml().load(file.read_text())
    for name, value in changes.items():
        value = _exact(value)
        *sections, key = name.split(".")
        parent = document
        for section in sections:
            if not isinstance(parent.get(section), dict):
                raise PipelineError(f"{file}: {name} has no section {section!r} to live in")
            parent = parent[section]
        if isinstance(value, dict):
            replace_mapping(parent, key, value)
        elif key in parent:
            parent[key] = value
        else:
            parent.insert(0, key, value, comment=(comments or {}).get(name))
    text = io.StringIO()
    _yaml().dump(document, text)
    write_text(text.getvalue(), file)


def _exact(value):
    """The value with each text that would not read back as written double-quoted: one holding a
    line-break character, or one that YAML 1.1 reads as another type."""
    if isinstance(value, str) and (
        LINE_BREAKS & set(value)
        or _YAML_1_1.resolve(yaml.ScalarNode, value, (True, False)) != STRING
    ):
        return DoubleQuotedScalarString(value)
    if isinstance(value, list):
        return [_exact(item) for item in value]
    if isinstance(value, dict):
        return {_exact(key): _exact(item) for key, item in value.items()}
    return value


def replace_mapping(parent: CommentedMap, key: str, values: dict) -> None:
    """Replace a mapping's items in place; the comment after its last item stays in the file.

    ruamel keeps the comment lines that follow a mapping on its last item, so deleting that item
    would delete a comment that belongs to the next key.
    """
    mapping = parent.get(key)
    if not isinstance(mapping, CommentedMap):
        parent[key] = CommentedMap(values)
        return
    trailing = mapping.ca.items.get(list(mapping)[-1]) if mapping else None
    for old in list(mapping):
        del mapping[old]
    mapping.update(values)
    if not trailing:
        return
    if mapping:
        mapping.ca.items[list(mapping)[-1]] = trailing
        return
    following = list(parent)[list(parent).index(key) + 1 :]
    text = "".join(token.value for token in trailing if hasattr(token, "value"))
    lines = [line.strip().removeprefix("#").strip() for line in text.splitlines() if "#" in line]
    if following and lines:
        indent = len(text.splitlines()[-1]) - len(text.splitlines()[-1].lstrip()) if text else 0
        comment = "\n".join(lines)
        parent.yaml_set_comment_before_after_key(following[0], before=comment, indent=indent)
