import pytest

from cd4ml import errors
from cd4ml.registry import rollback


def test_rollback_walks_back_through_the_history_in_order():
    assert rollback.target(["1", "2", "3"], "3", None) == ("2", ["1", "2"])
    assert rollback.target(["1", "2"], "2", None) == ("1", ["1"])


def test_rollback_to_a_named_version_cuts_or_extends_the_history():
    assert rollback.target(["1", "2", "3"], "3", "1") == ("1", ["1"])
    assert rollback.target(["1", "3"], "3", "2") == ("2", ["1", "3", "2"])


def test_rollback_refuses_what_cannot_be_done():
    with pytest.raises(errors.PipelineError, match="the only champion there has been"):
        rollback.target(["1"], "1", None)
    with pytest.raises(errors.PipelineError, match="version 1 is already the champion"):
        rollback.target(["1"], "1", "1")
