"""contract.yaml as text: written by the YAML library, read with every column name a string.

A column name is data, so YAML must quote it when plain text would mean something else:
`Unnamed: 0` (pandas' and R's index column) breaks the file, `2019`, `yes` and `null` become a
number, a boolean and null, `#note` a comment. Reading takes a key as the text written, so a
hand-written `2019:` is the column "2019", not the number.
"""

from pathlib import Path

import yaml

from ..errors import PipelineError
from ..project import command

HEADER = """\
# The data contract: what every data set must meet before a model is trained on it.
# One line per column; adding a column to the data means adding one line here.
#   type: float, int, str or bool     min, max: allowed range     allowed: the only values
#   nullable: missing values allowed (default false)     unique: no repeated values (default false)
#   role: feature (default), target, id, date or ignore; only features reach the model
# Columns not listed here are refused. Draft one for new data with `python -m <package> contract`.
"""
MERGE = "tag:yaml.org,2002:merge"
STRING = "tag:yaml.org,2002:str"
LINE_BREAKS = "\n\r\x85\u2028\u2029"
# The vocabulary of a column's rules.
COLUMN_KEYS = {"type", "min", "max", "allowed", "nullable", "unique", "role"}
TYPES = ("float", "int", "str", "bool")
ROLES = ("feature", "target", "id", "date", "ignore")


class _Rules(dict):
    """One column's rules, written on one line."""


class _Writer(yaml.SafeDumper):
    pass


def _text(writer: _Writer, text: str) -> yaml.ScalarNode:
    """Text with a line break in double quotes, escaped on one line: PyYAML would write it in
    single quotes over several lines, and folds a NEL (\\x85) there into a space when reading it
    back (https://github.com/omry/omegaconf/issues/829)."""
    style = '"' if any(mark in text for mark in LINE_BREAKS) else None
    return writer.represent_scalar(STRING, text, style)


_Writer.add_representer(str, _text)
_Writer.add_representer(
    _Rules, lambda writer, rules: writer.represent_mapping("tag:yaml.org,2002:map", rules, True)
)


class _Reader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        node.value = [(_as_written(key), value) for key, value in node.value]
        return super().construct_mapping(node, deep)


def _as_written(key: yaml.Node) -> yaml.Node:
    """A scalar key as the string it was written as; a list or mapping is no column name."""
    if isinstance(key, yaml.ScalarNode):
        if key.tag in (MERGE, STRING):
            return key
        return yaml.ScalarNode(STRING, key.value, key.start_mark, key.end_mark)
    kind = "list" if isinstance(key, yaml.SequenceNode) else "mapping"
    raise yaml.constructor.ConstructorError(
        None, None, f"a key is a {kind}, where a name was expected", key.start_mark
    )


def parse(text: str) -> dict:
    """The contract in text; raises yaml.YAMLError for text that is not YAML."""
    return yaml.load(text, Loader=_Reader) or {}


def render(contract: dict) -> str:
    """contract.yaml text: the header, then one line per column, every name quoted as YAML needs."""
    document = {
        "columns": {name: _Rules(rules) for name, rules in contract["columns"].items()},
        "dataset": contract["dataset"],
    }
    body = yaml.dump(
        document, Dumper=_Writer, sort_keys=False, allow_unicode=True, width=float("inf")
    )
    return HEADER.replace("`python -m <package> contract`", command("contract")) + body


def load_contract(file: Path) -> dict:
    try:
        contract = parse(file.read_text())
    except FileNotFoundError:
        raise PipelineError(f"{file}: not found; draft one with {command('contract')}") from None
    except yaml.YAMLError as error:
        raise PipelineError(f"{file}: not valid YAML: {error}".replace("\n", " ")) from None
    columns = contract.get("columns", {})
    if not isinstance(columns, dict):
        raise PipelineError(f"{file}: columns must map each column's name to its rules")
    for name, rules in columns.items():
        if not isinstance(rules, dict):
            raise PipelineError(
                f"{file}: column {name!r} has no rules ({rules!r}); give it at least a type, "
                f"e.g. `{name}: {{type: float}}`, or delete its line to refuse the column"
            )
        unknown = set(rules) - COLUMN_KEYS
        if unknown or rules.get("type") not in TYPES:
            problem = (
                f"unknown keys {sorted(unknown)}" if unknown else f"type {rules.get('type')!r}"
            )
            raise PipelineError(
                f"{file}: column {name!r} has {problem}; use {', '.join(TYPES)} types and keys "
                f"{', '.join(sorted(COLUMN_KEYS))}"
            )
        if rules.get("role", "feature") not in ROLES:
            raise PipelineError(
                f"{file}: column {name!r} has role {rules['role']!r}; use one of {', '.join(ROLES)}"
            )
    return contract
