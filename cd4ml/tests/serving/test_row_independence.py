"""A row's answer depends on the row alone: not on the rows scored with it in a batch of the
service, a chunk of batch predict or a file, whatever their gaps."""

import tempfile
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression

from cd4ml import input_schema
from cd4ml.pipeline import train
from cd4ml.quality import contract, contract_file, reading
from cd4ml.scoring import scored_rows
from cd4ml.serving import batching
from cd4ml.serving.frame_scorer import frame_scorer

# One column of each contract type, every one with gaps.
COLUMNS = {
    "reading": {"type": "float", "nullable": True},
    "visits": {"type": "int", "nullable": True},
    "member": {"type": "bool", "nullable": True},
    "plan": {"type": "str", "nullable": True, "allowed": ["basic", "plus", "pro"]},
}
FEATURES = list(COLUMNS)
DTYPES = input_schema.dtypes(FEATURES, COLUMNS)


def gaps(values: np.ndarray, generator, dtype: str) -> pd.Series:
    return (
        pd.Series(values, dtype="object").mask(generator.random(len(values)) < 0.25).astype(dtype)
    )


@pytest.fixture(scope="module")
def model():
    """A linear model, which every input moves, trained on columns as ingest stores them."""
    generator = np.random.default_rng(3)
    size = 400
    frame = pd.DataFrame(
        {
            "reading": gaps(generator.normal(0, 5, size), generator, "float64"),
            "visits": gaps(generator.integers(0, 40, size), generator, "Int64"),
            "member": gaps(generator.random(size) < 0.4, generator, "boolean"),
            "plan": gaps(generator.choice(["basic", "plus", "pro"], size), generator, "str"),
        }
    )
    frame["churned"] = generator.random(size) < 0.3
    return train.train(frame, "churned", LogisticRegression(max_iter=500))


ROW = st.fixed_dictionaries(
    {
        "reading": st.none() | st.floats(-50, 50, allow_nan=False),
        "visits": st.none() | st.integers(-(2**62), 2**62),
        "member": st.none() | st.booleans(),
        "plan": st.none() | st.sampled_from(["basic", "plus", "pro"]),
    }
)
ROWS = st.lists(ROW, min_size=1, max_size=8)
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(rows=ROWS)
def test_the_service_answers_a_row_alike_alone_and_in_any_batch(model, rows):
    together = batching.predict(frame_scorer(model, DTYPES), list(DTYPES), rows)
    for row, answer in zip(rows, together, strict=True):
        assert orjson.dumps(
            batching.predict(frame_scorer(model, DTYPES), list(DTYPES), [row])[0]
        ) == orjson.dumps(answer)


@FAST
@given(rows=ROWS)
def test_batch_predict_scores_a_row_alike_alone_and_in_any_file(model, rows):
    """A file's dtypes are whatever its rows suggest: a column of gaps is read as floats."""

    def as_read(part: list[dict]) -> pd.DataFrame:
        return pd.DataFrame.from_records(part, columns=FEATURES)

    task = "classification"
    together = scored_rows(task, model, as_read(rows), DTYPES, "rows.csv")["probability_True"]
    alone = [
        scored_rows(task, model, as_read([row]), DTYPES, "row.csv")["probability_True"].item()
        for row in rows
    ]
    # Not to the bit: BLAS sums a lone row's products and a matrix's in different orders.
    np.testing.assert_allclose(alone, together.to_numpy(), rtol=1e-12, atol=0)


def test_a_gap_where_the_contract_allows_none_is_one_line_naming_the_column(model):
    strict = input_schema.dtypes(FEATURES, {**COLUMNS, "visits": {"type": "int"}})
    frame = pd.DataFrame.from_records([{"visits": None}, {"visits": 3}], columns=FEATURES)
    with pytest.raises(Exception, match=r"new\.csv: column 'visits' cannot be read as int64"):
        scored_rows("classification", model, frame, strict, "new.csv")


SPACED = st.text(alphabet=" ab\t", min_size=1, max_size=4).filter(lambda text: text.strip())


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(labels=st.lists(SPACED, min_size=2, max_size=3, unique=True))
def test_class_labels_with_spaces_come_back_exactly_from_contract_service_and_predict(labels):
    """' yes' and 'yes ' are the classes the user has: nothing strips or merges them."""
    generator = np.random.default_rng(0)
    frame = pd.DataFrame({"reading": generator.normal(size=60), "label": np.resize(labels, 60)})
    with tempfile.TemporaryDirectory() as folder:
        frame.to_csv(Path(folder) / "data.csv", index=False)
        assert (
            reading.read_table(Path(folder) / "data.csv")["label"].tolist()
            == frame["label"].tolist()
        )
    drafted = contract_file.parse(contract_file.render(contract.draft(frame, "label")))
    assert drafted["columns"]["label"]["allowed"] == sorted(labels)
    model = train.train(frame, "label", LogisticRegression())
    declared = input_schema.dtypes(["reading"], drafted["columns"])
    answers = batching.predict(
        frame_scorer(model, declared),
        list(declared),
        [{"reading": value} for value in frame["reading"]],
    )
    assert {answer["prediction"] for answer in answers} <= set(labels)
    assert all(set(answer["probabilities"]) == set(labels) for answer in answers)
    scored = scored_rows("classification", model, frame, declared, "new.csv")
    assert {f"probability_{label}" for label in labels} <= set(scored.columns)
    assert set(scored["prediction"]) <= set(labels)
