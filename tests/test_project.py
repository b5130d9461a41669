"""The baked project's own test suite passes, in the default bake and in a renamed one."""

import pytest
from conftest import run

pytestmark = pytest.mark.slow  # a full pipeline run or more; `make test-fast` leaves it out


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"project_name": "Churn", "module_name": "churn_pipeline", "python_version": "3.13", "license": "Proprietary"},
    ],
    ids=["default", "renamed"],
)
def test_the_baked_tests_pass(bake, answers):
    project = bake(**answers)
    result = run(project, "pytest", "-q", "-p", "no:cacheprovider")
    assert " passed" in result.stdout
    assert "failed" not in result.stdout and "error" not in result.stdout.lower()
