"""The Dask settings refused before a cluster starts."""

import pytest

from cd4ml.compute import check_memory
from cd4ml.errors import PipelineError


@pytest.mark.parametrize("limit", ["768MiB", "1GiB", "2 GB", "1.5GiB", "0", "auto"])
def test_a_memory_limit_a_worker_can_run_in_is_accepted(limit):
    check_memory(limit)


@pytest.mark.parametrize("limit", ["480MiB", "700MB", "512000000"])
def test_a_memory_limit_a_worker_would_sit_paused_in_is_one_line(limit):
    expected = f"compute.memory_limit is {limit};.* use 768MiB or more"
    with pytest.raises(PipelineError, match=expected):
        check_memory(limit)
