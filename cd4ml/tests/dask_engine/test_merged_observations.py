"""The contract's observations of a data set's parts merge into the verdicts of the whole."""

from cd4ml.quality import verdicts
from cd4ml.quality.contract import check_contract, draft, failures


def test_merged_parts_give_the_whole_frames_contract_results(mixed_frame):
    frame = mixed_frame.assign(income=mixed_frame["income"].where(mixed_frame.index != 7, -5.0))
    contract = draft(mixed_frame.iloc[:60], "label")
    contract["columns"]["region"]["allowed"] = ["north", "south"]  # "east" breaks it
    expected = check_contract(frame, contract, "label")  # columns' results, then the data set's
    parts = [frame.iloc[start : start + 40] for start in range(0, len(frame), 40)]
    found = []
    for name, rules in contract["columns"].items():
        observed, failed = None, set()
        for part in parts:
            seen = verdicts.column_observations(part[name], rules)
            observed = seen if observed is None else verdicts.merge_observations(observed, seen)
            cases = failures(part, contract)
            failed |= set(cases.loc[cases["column"] == name, "check"].astype(str))
        found += verdicts.column_verdicts(name, rules, observed, sorted(failed))
    assert found == expected[: len(found)]
    assert not all(result.passed for result in found)


def test_the_data_set_verdicts_count_classes_over_the_whole():
    contract = {"columns": {"y": {"type": "str"}}, "dataset": {"min_class_share": 0.2}}
    observed = {"rows": 10, "columns": ["y"], "target": "y", "classes": {"a": 9, "b": 1}}
    [_, _, share] = verdicts.dataset_verdicts(contract, observed)
    assert share.observed == "0.1 (class 'b')" and not share.passed


def test_a_class_the_contract_allows_and_no_part_holds_has_a_share_of_zero():
    rules = {"type": "str", "allowed": ["a", "b", "c"]}
    contract = {"columns": {"y": rules}, "dataset": {"min_class_share": 0.001}}
    observed = {"rows": 10, "columns": ["y"], "target": "y", "classes": {"a": 9, "b": 1}}
    [_, _, share] = verdicts.dataset_verdicts(contract, observed)
    assert share.observed == "0.0 (class 'c')" and not share.passed
