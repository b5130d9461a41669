"""Your derived features (src/{{ cookiecutter.module_name }}/features.py): every row keeps its raw
columns, and a row's features depend on that row alone, as the service's batches need. They run
on the data set params.yaml points at: the demo's, or your own once adopted."""

import pandas as pd

from {{ cookiecutter.module_name }}.features import add_features


def test_every_row_and_raw_column_is_kept(current, params):
    raw = current.drop(columns=params["ingest"]["target"])
    derived = add_features(raw.copy())
    assert len(derived) == len(raw)
    assert set(raw.columns) <= set(derived.columns)


def test_a_rows_features_do_not_depend_on_the_other_rows(current, params):
    raw = current.drop(columns=params["ingest"]["target"]).head(20)
    alone = pd.concat([add_features(raw.iloc[[row]].copy()) for row in range(len(raw))])
    pd.testing.assert_frame_equal(alone, add_features(raw.copy()))
