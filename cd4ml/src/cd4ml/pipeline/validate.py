"""validate: the data set, contract.yaml and the reference profile -> the data-quality report.

Bad data stops the pipeline here, before featurize; the report lists every check, passed or not.
"""

import pandas as pd

from ..checks import Result, raise_on_failure, write_report
from ..compute import cluster, uses_dask
from ..config import param, path
from ..files import read_parquet
from ..quality.contract import check_contract
from ..quality.contract_file import load_contract
from ..quality.profile import compare, read_profile


def validate(
    frame: pd.DataFrame, contract: dict, profile: dict, limits: dict, target: str
) -> list[Result]:
    """Contract checks first, then statistics against the reference profile."""
    return check_contract(frame, contract, target) + compare(profile, frame, limits)


def inputs(params: dict) -> tuple[dict, dict, dict]:
    """The contract, the reference profile and the limits data is checked against."""
    contract = load_contract(path(params, "contract"))
    return contract, read_profile(path(params, "profile")), param(params, "validate")


def main(params: dict) -> None:
    target = param(params, "ingest.target")
    if uses_dask(params):
        from ..dask_engine.validate import validate as on_dask

        dataset = path(params, "dataset")
        results = on_dask(cluster(params), dataset, *inputs(params), target)
    else:
        frame = read_parquet(path(params, "dataset"))
        results = validate(frame, *inputs(params), target)
    report = path(params, "data_quality")
    write_report(results, report, "Data quality")
    raise_on_failure(results, report.with_suffix(".md"), "the pipeline stops before featurize")
    print(f"validate: all {len(results)} data checks passed -> {report.with_suffix('.md')}")
