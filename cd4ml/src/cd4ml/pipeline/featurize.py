"""featurize: data/interim/dataset.parquet -> data/processed/train.parquet and test.parquet.

Columns whose role in contract.yaml is not `feature` (identifiers, dates, ignored columns) and
those in featurize.drop_columns are dropped; the target stays.
"""

import math

import pandas as pd
from sklearn.model_selection import train_test_split

from ..compute import cluster, uses_dask
from ..config import param, path
from ..errors import PipelineError
from ..files import read_parquet, write_parquet
from ..labels import plain_labels
from ..quality.roles import continuous_target_problem, feature_roles, not_features


def featurize(
    frame: pd.DataFrame,
    target: str,
    test_size: float,
    drop_columns: list[str],
    seed: int,
    task: str = "classification",
    min_test_rows: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop unwanted columns and unlabelled rows, then split into train and test sets
    (stratified by class for classification)."""
    unknown = sorted(set(drop_columns) - set(frame.columns))
    if unknown:
        raise PipelineError(f"params.yaml: featurize.drop_columns names unknown columns {unknown}")
    if not 0 < test_size < 1:
        raise PipelineError(
            f"params.yaml: featurize.test_size is {test_size}; use a fraction between 0 and 1"
        )
    labelled = frame.drop(columns=drop_columns).dropna(subset=[target])
    test_rows = math.ceil(len(labelled) * test_size)  # as train_test_split counts them
    if test_rows < min_test_rows:
        raise PipelineError(
            f"{len(labelled)} labelled rows give {test_rows} test rows at featurize.test_size "
            f"{test_size}, fewer than featurize.min_test_rows {min_test_rows}; add rows, or raise "
            "test_size, or lower min_test_rows knowing the metrics will be noisy"
        )
    stratify = None
    if task == "classification":
        labelled[target] = plain_labels(labelled[target])
        stratify = classes_to_stratify(labelled[target])
    elif labelled[target].nunique() < 2:
        raise PipelineError(f"column {target!r}: a regression target needs at least two values")
    train, test = train_test_split(
        labelled, test_size=test_size, random_state=seed, stratify=stratify
    )
    return train.reset_index(drop=True), test.reset_index(drop=True)


def classes_to_stratify(labels: pd.Series) -> pd.Series | None:
    problem = continuous_target_problem(labels, "classification")
    if problem:
        raise PipelineError(problem)
    counts = labels.value_counts()
    if len(counts) < 2:
        found = {str(key)[:40]: int(count) for key, count in counts.items()}
        raise PipelineError(
            f"column {labels.name!r}: needs at least two classes, found {found}; "
            "a model cannot learn from one"
        )
    return labels if counts.min() >= 2 else None


def columns_to_drop(params: dict, columns) -> list[str]:
    """featurize.drop_columns and the columns whose role in contract.yaml is not feature."""
    roles = feature_roles(path(params, "contract"))
    by_role = [
        name for name in not_features(roles, param(params, "ingest.target")) if name in columns
    ]
    return list(dict.fromkeys([*param(params, "featurize.drop_columns"), *by_role]))


def main(params: dict) -> None:
    if uses_dask(params):
        on_dask(params)
        return
    frame = read_parquet(path(params, "dataset"))
    train, test = featurize(
        frame,
        target=param(params, "ingest.target"),
        test_size=param(params, "featurize.test_size"),
        drop_columns=columns_to_drop(params, frame.columns),
        seed=param(params, "seed"),
        task=param(params, "train.task"),
        min_test_rows=param(params, "featurize.min_test_rows"),
    )
    write_parquet(train, path(params, "train"))
    write_parquet(test, path(params, "test"))
    print(f"featurize: {len(train)} train rows, {len(test)} test rows")


def on_dask(params: dict) -> None:
    """The split by a hash of each row's key (its `id` columns), the same on any cluster."""
    from ..dask_engine.featurize import featurize as distributed

    names = ("dataset", "train", "test")
    keys = [name for name, role in feature_roles(path(params, "contract")).items() if role == "id"]
    split = {name: param(params, f"featurize.{name}") for name in ("test_size", "min_test_rows")}
    train, test = distributed(
        cluster(params),
        {name: path(params, name) for name in names},
        param(params, "ingest.target"),
        {**split, "seed": param(params, "seed")},
        lambda columns: columns_to_drop(params, columns),
        keys,
        param(params, "train.task"),
    )
    print(f"featurize: {train} train rows, {test} test rows (partitions)")
