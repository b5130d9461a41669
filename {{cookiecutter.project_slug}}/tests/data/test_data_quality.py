"""The data suite: the current data set against contract.yaml and the reference profile.

The same checks run as the validate stage of `dvc repro`; run these alone with `pytest tests/data`.
"""

from cd4ml.config import param, path
from cd4ml.pipeline import validate
from cd4ml.quality import contract, profile


def describe(results) -> str:
    return "\n".join(result.line() for result in results if not result.passed)


def test_the_data_meets_the_contract(params, current):
    results = contract.check_contract(
        current, contract.load_contract(path(params, "contract")), param(params, "ingest.target")
    )
    assert all(result.passed for result in results), describe(results)


def test_the_data_has_not_drifted_from_the_reference(params, current):
    reference = validate.read_profile(path(params, "profile"))
    results = profile.compare(reference, current, param(params, "validate"))
    assert all(result.passed for result in results), describe(results)
