from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cd4ml import errors
from cd4ml.quality import contract, contract_file


def failed(results) -> set[tuple[str | None, str]]:
    return {(result.column, result.check) for result in results if not result.passed}


@pytest.fixture
def shipped(params) -> dict:
    return contract_file.load_contract(Path(params["paths"]["contract"]))


@pytest.fixture(scope="module")
def drafted(dataset) -> dict:
    """A contract drafted from the bundled data: the rules are tested on it, not the project's."""
    return contract.draft(dataset, "target")


def test_the_shipped_contract_accepts_the_current_data(shipped, current, params):
    target = params["ingest"]["target"]
    results = contract.check_contract(current, shipped, target)
    assert failed(results) == set()
    expected = {"type", "missing values", target_rule(shipped, target), "row count"}
    assert {result.check for result in results} >= expected


def target_rule(contract: dict, target: str = "target") -> str:
    return "allowed values" if "allowed" in contract["columns"][target] else "range"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda frame, name: frame.drop(columns=name), "presence"),
        (lambda frame, name: frame.assign(**{name: frame[name].astype(str)}), "type"),
        (lambda frame, name: frame.assign(**{name: np.nan}), "missing values"),
        (lambda frame, name: frame.assign(**{name: frame[name] * -1 - 1}), "range"),
        (lambda frame, name: frame.assign(target=-7), "target"),
        (lambda frame, name: frame.head(20), "row count"),
        (lambda frame, name: frame.assign(patient_id=1), "columns outside the contract"),
        (lambda frame, name: frame.loc[frame.index.repeat(3)], "duplicate row share"),
        (
            lambda frame, name: frame.assign(**{name: frame[name].where(frame.index > 0, 1e39)}),
            "float32 range",
        ),
    ],
    ids=[
        "presence",
        "type",
        "missing",
        "range",
        "target",
        "rows",
        "extra",
        "duplicates",
        "float32",
    ],
)
def test_each_rule_catches_its_fault(drafted, dataset, feature, change, expected):
    """On a contract drafted from the bundled data: the rules, whatever data the project uses."""
    shipped = drafted
    column = {"target": "target", "row count": None}.get(expected, feature)
    if expected in ("columns outside the contract", "duplicate row share"):
        column = None
    check = target_rule(shipped) if expected == "target" else expected
    assert (column, check) in failed(
        contract.check_contract(change(dataset, feature), shipped, "target")
    )


def test_class_balance_is_a_rule_of_classification_contracts_only(drafted, dataset, task):
    shipped = drafted
    if task == "classification":
        rare = dataset["target"].value_counts().idxmin()
        unbalanced = dataset.drop(dataset[dataset["target"] == rare].index[5:])
        assert ("target", "smallest class share") in failed(
            contract.check_contract(unbalanced, shipped, "target")
        )
    else:
        checks = {result.check for result in contract.check_contract(dataset, shipped, "target")}
        assert "smallest class share" not in checks and "range" in checks


def test_a_draft_is_one_line_per_column_and_accepts_its_own_data(mixed_frame):
    drafted = contract.draft(mixed_frame, "label")
    text = contract.render(drafted)
    assert text.count("\n  ") >= len(mixed_frame.columns)
    assert "  region: {type: str, allowed: [east, north, south]}" in text
    assert "  label: {type: str, allowed: ['no', 'yes'], role: target}" in text
    assert "nullable: true" in next(line for line in text.splitlines() if "age:" in line)
    assert failed(contract.check_contract(mixed_frame, yaml.safe_load(text), "label")) == set()


def test_unknown_keys_and_types_are_named(tmp_path):
    file = tmp_path / "contract.yaml"
    file.write_text("columns:\n  age: {type: float, maximum: 3}\n")
    with pytest.raises(errors.PipelineError, match=r"column 'age' has unknown keys \['maximum'\]"):
        contract_file.load_contract(file)
    file.write_text("columns:\n  age: {type: decimal}\n")
    with pytest.raises(errors.PipelineError, match="column 'age' has type 'decimal'"):
        contract_file.load_contract(file)


@pytest.mark.parametrize("rules", ["", "null", "[]", "[min, 0]", "3", "float"])
def test_a_column_without_rules_is_one_line_asking_for_a_type(tmp_path, rules):
    file = tmp_path / "contract.yaml"
    file.write_text(f"columns:\n  income: {{type: float}}\n  age: {rules}\n")
    with pytest.raises(errors.PipelineError, match=r"column 'age' has no rules .*at least a type"):
        contract_file.load_contract(file)
    file.write_text(f"columns: {rules or 'null'}\n")
    with pytest.raises(errors.PipelineError, match="columns must map each column's name"):
        contract_file.load_contract(file)


def test_a_draft_takes_duplicates_roles_and_a_regression_target_from_the_data(mixed_frame):
    repeated = pd.concat([mixed_frame, mixed_frame.head(30)], ignore_index=True)
    drafted = contract.draft(repeated, "income")
    assert drafted["dataset"]["max_duplicate_share"] >= 0.2  # 30 of 150 rows repeat
    assert "allowed" not in drafted["columns"]["income"]  # a quantity: a range, not 120 values
    assert drafted["columns"]["income"]["min"] <= repeated["income"].min()
    assert "min_class_share" not in drafted["dataset"]
    assert failed(contract.check_contract(repeated, drafted, "income")) == set()
    with_id = mixed_frame.assign(customer_id=[f"c{number}" for number in mixed_frame.index])
    rules = contract.draft(with_id, "label")["columns"]["customer_id"]
    assert rules == {"type": "str", "role": "id"}


def test_booleans_with_gaps_are_a_nullable_bool_column_with_or_without_gaps_later(mixed_frame):
    flags = pd.array([True, None, False] * 40, dtype="boolean")
    drafted = contract.draft(mixed_frame.assign(member=flags), "label")
    assert drafted["columns"]["member"] == {"type": "bool", "nullable": True}
    for later in (flags, flags.fillna(False), np.arange(120) % 2 == 0):
        results = contract.check_contract(mixed_frame.assign(member=later), drafted, "label")
        assert failed(results) == set()
    as_text = mixed_frame.assign(member=["yes"] * 120)
    assert ("member", "type") in failed(contract.check_contract(as_text, drafted, "label"))


def test_the_duplicate_share_counts_repeated_rows_of_every_type(mixed_frame):
    frame = pd.concat([mixed_frame, mixed_frame.head(30)]).set_axis(range(1000, 1150))
    assert contract.duplicate_share(frame) == pytest.approx(30 / 150)  # gaps repeat too
    frame.iloc[-1, frame.columns.get_loc("region")] = "west"
    assert contract.duplicate_share(frame) == pytest.approx(29 / 150)


@pytest.mark.parametrize(
    ("rows", "rare_rows", "rare"),
    [(5_000, 70, "fraud"), (5_000, 15, 7), (5_000, 1, True), (2_000, 28, "late")],
    ids=["1.4%", "0.3%", "1-in-5000", "1.4%-of-2000"],
)
def test_a_rare_class_keeps_a_positive_minimum_share(rows, rare_rows, rare, tmp_path):
    """A class the drafted data holds must stay: that data passes, without it fails, by name."""
    generator = np.random.default_rng(rare_rows)
    common = {str: ["ok", "ok", "slow"], int: [0, 0, 1], bool: [False]}[type(rare)]
    labels = [rare] * rare_rows + list(generator.choice(common, rows - rare_rows))
    frame = pd.DataFrame(
        {"amount": generator.normal(100, 20, rows), "label": generator.permutation(labels)}
    )
    file = tmp_path / "contract.yaml"
    file.write_text(contract.render(contract.draft(frame, "label", "classification")))
    drafted = contract_file.load_contract(file)
    assert 0 < drafted["dataset"]["min_class_share"] <= rare_rows / rows
    assert failed(contract.check_contract(frame, drafted, "label")) == set()
    without = frame[frame["label"] != rare]
    results = contract.check_contract(without, drafted, "label")
    broken = [result for result in results if not result.passed]
    assert [(result.column, result.check) for result in broken] == [
        ("label", "smallest class share")
    ]
    assert f"(class {rare!r})" in broken[0].line() and "\n" not in broken[0].line()


@settings(max_examples=50, deadline=None)
@given(
    low=st.floats(-1e6, 1e6, allow_nan=False),
    width=st.floats(1e-3, 1e4),
    seed=st.integers(0, 2**32 - 1),
)
def test_drafted_bounds_come_from_the_data_alone(low, width, seed):
    """A year (1950-2020) or a temperature in Fahrenheit kept a lower bound of 0."""
    values = pd.Series(low + width * np.random.default_rng(seed).random(50))
    bounds = contract.number_range(values)
    smallest, largest = values.min(), values.max()
    margin = (largest - smallest) * 0.5
    assert smallest - margin - abs(smallest - margin) * 1e-3 <= bounds["min"] <= smallest
    assert largest <= bounds["max"] <= largest + margin + abs(largest + margin) * 1e-3
