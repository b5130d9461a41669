"""A column name is a column name in contract.yaml, whatever YAML would make of it as plain text."""

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cd4ml import errors
from cd4ml.quality import contract, contract_file, roles

# Names that plain YAML reads as something else, or not at all: pandas' and R's index column,
# numbers, booleans and null, a comment, an anchor, an alias, a tag, a directive, a list item,
# a flow list, a complex key, reserved characters, a quote, whitespace at either end, line breaks
# (NEL, \x85, too) and text beyond ASCII.
HOSTILE = [
    "Unnamed: 0",
    "2019",
    "1.5",
    "0x1F",
    "1_000",
    "2019-01-01",
    "yes",
    "No",
    "null",
    "~",
    "on",
    "Off",
    "#note",
    "&x",
    "*x",
    "!x",
    "% change",
    "- x",
    "[x]",
    "{x}",
    "? q",
    "@x",
    "`x",
    "'q",
    '"q',
    "a: b",
    "a #b",
    " lead",
    "trail ",
    "",
    "<<",
    "---",
    "...",
    "=",
    "Sales\n(USD)",
    "a\x85b",
    "\tx",
    "naïve 😀",
    "dask",  # names of frame libraries, which pandera looks for as attributes
    "pyspark",
    "modin",
    "polars",
]
NAMES = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12))


def small_frame(names: list[str]) -> pd.DataFrame:
    """Six rows; the first name is a two-class target, the others cycle through the types."""
    columns = {names[0]: ["a", "b"] * 3}
    kinds = [
        [1.5, 2.0, None, 4.0, 5.5, 6.0],
        [3, 1, 4, 1, 5, 9],
        ["x", "y", "x", "z", "y", "x"],
        [True, False, True, True, False, True],
    ]
    for position, name in enumerate(names[1:]):
        columns[name] = kinds[position % len(kinds)]
    return pd.DataFrame(columns)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("names")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(NAMES, min_size=1, max_size=5, unique=True))
def test_any_column_name_round_trips_through_a_drafted_contract(names, folder):
    """Any name pandas can hold comes back from contract.yaml as written, and the contract
    accepts the frame it was drafted from.

    A line break in a name round-trips rather than being refused: spreadsheets export headers
    with line breaks and pandas reads them. Such a name is written double-quoted with the break
    escaped (`? "Sales\\n(USD)"`, YAML's long-key form, the rules on the next line).
    """
    frame = small_frame(names)
    file = folder / "contract.yaml"
    file.write_text(contract.render(contract.draft(frame, names[0])))
    loaded = contract_file.load_contract(file)
    assert list(loaded["columns"]) == names
    assert list(roles.feature_roles(file)) == names
    results = contract.check_contract(frame, loaded, names[0])
    assert [result.line() for result in results if not result.passed] == []


def test_a_drafted_contract_keeps_one_line_per_column(mixed_frame):
    frame = mixed_frame.rename(columns={"age": "Unnamed: 0", "region": "yes"})
    text = contract.render(contract.draft(frame, "label"))
    assert "  'Unnamed: 0': {type: float, min: " in text
    assert "  'yes': {type: str, allowed: [east, north, south]}" in text
    assert text.startswith("# The data contract") and "`python -m unit_tests contract`" in text


def test_keys_written_by_hand_are_the_text_written(tmp_path):
    file = tmp_path / "contract.yaml"
    written = ["2019", "yes", "null", "on", "Off", "~", "1.5", "0x1F", "2019-01-01", "1_000"]
    lines = [f"  {name}: {{type: int, role: id}}" for name in written]
    file.write_text("columns:\n" + "\n".join(lines) + "\n  label: {type: str, role: target}\n")
    assert list(contract_file.load_contract(file)["columns"]) == [*written, "label"]
    assert list(roles.feature_roles(file)) == [*written, "label"]


def test_a_key_that_is_not_a_name_is_one_line_naming_the_file(tmp_path):
    file = tmp_path / "contract.yaml"
    file.write_text("columns:\n  [a, b]: {type: int}\n")
    with pytest.raises(errors.PipelineError) as raised:
        contract_file.load_contract(file)
    message = str(raised.value)
    assert message.startswith(f"{file}: ") and "\n" not in message
    assert "a key is a list" in message and "line 2" in message and "[a, b]" in message
