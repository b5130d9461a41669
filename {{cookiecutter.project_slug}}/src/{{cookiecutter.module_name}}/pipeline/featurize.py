"""featurize: data/interim/dataset.parquet -> data/processed/train.parquet and test.parquet."""

import pandas as pd
from sklearn.model_selection import train_test_split

from ..config import param, path
from ..errors import PipelineError
from ..files import read_parquet, write_parquet


def featurize(
    frame: pd.DataFrame,
    target: str,
    test_size: float,
    drop_columns: list[str],
    seed: int,
    task: str = "classification",
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
    stratify = None
    if task == "classification":
        counts = labelled[target].value_counts()
        if len(counts) < 2:
            raise PipelineError(
                f"column {target!r}: needs at least two classes, found {counts.to_dict()}"
            )
        stratify = labelled[target] if counts.min() >= 2 else None
    elif labelled[target].nunique() < 2:
        raise PipelineError(f"column {target!r}: a regression target needs at least two values")
    train, test = train_test_split(
        labelled, test_size=test_size, random_state=seed, stratify=stratify
    )
    return train.reset_index(drop=True), test.reset_index(drop=True)


def main(params: dict) -> None:
    train, test = featurize(
        read_parquet(path(params, "dataset")),
        target=param(params, "ingest.target"),
        test_size=param(params, "featurize.test_size"),
        drop_columns=param(params, "featurize.drop_columns"),
        seed=param(params, "seed"),
        task=param(params, "train.task"),
    )
    write_parquet(train, path(params, "train"))
    write_parquet(test, path(params, "test"))
    print(f"featurize: {len(train)} train rows, {len(test)} test rows")
