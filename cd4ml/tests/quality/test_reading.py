import re
import tracemalloc

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cd4ml import errors
from cd4ml.quality import reading


def test_a_spreadsheet_export_is_read_with_its_separator_decimal_comma_and_bom(tmp_path):
    file = tmp_path / "export.csv"
    file.write_bytes("\ufeffspecies;mass;note\nAdelie;3750,5;a\nGentoo;5000,25;b\n".encode())
    dialect = reading.detect_dialect(file)
    assert dialect == {"separator": ";", "decimal": ",", "encoding": "utf-8-sig"}
    frame = reading.read_table(file, dialect)
    assert list(frame.columns) == ["species", "mass", "note"]
    assert frame["mass"].tolist() == [3750.5, 5000.25]


def test_a_latin_1_file_is_detected(tmp_path):
    file = tmp_path / "old.csv"
    file.write_bytes("city,size\nZürich,1\nGenève,2\n".encode("latin-1"))
    assert reading.detect_dialect(file)["encoding"] == "latin-1"
    assert reading.read_table(file)["city"].tolist() == ["Zürich", "Genève"]


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ([1, "x"], r"mixes value types \(int, str\)"),
        ([1, 2**70], "is beyond the 64-bit integer range"),
        ([[1, 2], [3]], "holds nested values"),
    ],
    ids=["mixed", "huge-integer", "list"],
)
def test_a_column_that_cannot_be_one_type_is_named(column, message):
    assert re.search(message, reading.column_problem(pd.Series(column, dtype=object)))


def test_a_nested_parquet_column_is_one_line_naming_file_and_column(tmp_path):
    file = tmp_path / "bad.parquet"
    pd.DataFrame({"good": [1.0, 2.0], "tags": [{"a": 1}, {"a": 2}]}).to_parquet(file)
    with pytest.raises(errors.PipelineError, match=r"bad\.parquet: column 'tags': holds nested"):
        reading.read_table(file)


def test_numbers_with_stray_text_in_a_large_csv_are_named(tmp_path):
    file = tmp_path / "big.csv"
    values = np.arange(30_000).astype(str)
    values[-1] = "n/a!"
    pd.DataFrame({"amount": values, "label": 1}).to_csv(file, index=False)
    with pytest.raises(errors.PipelineError, match=r"'amount': mixes numbers and text: 1 of"):
        reading.read_table(file)


def test_a_huge_integer_in_a_csv_is_one_short_line(tmp_path):
    file = tmp_path / "ids.csv"
    file.write_text("account,label\n1,a\n" + "9" * 309 + ",b\n")
    with pytest.raises(errors.PipelineError) as error:
        reading.read_table(file)
    assert "beyond the 64-bit integer range" in str(error.value)
    assert len(str(error.value)) < 300


def test_booleans_with_gaps_are_read_as_nullable_booleans(tmp_path):
    file = tmp_path / "flags.csv"
    file.write_text("member,size\nTrue,1\n,2\nFalse,3\n")
    frame = reading.read_table(file)
    assert str(frame["member"].dtype) == "boolean"
    assert frame["member"].isna().tolist() == [False, True, False]


def generated_columns(seed: int, count: int = 40) -> list[str]:
    """Column names as people write them: words, underscores, spaces and capitals."""
    generator = np.random.default_rng(seed)
    words = ["churn", "age", "income", "region", "plan", "tenure", "score", "label", "total"]
    words += ["".join(generator.choice(list("abcdefghijklmnopqrstuvwxyz"), 7)) for _ in range(9)]
    names = {
        generator.choice(["_", " ", ""]).join(generator.choice(words, generator.integers(1, 4)))
        for _ in range(count)
    }
    return sorted(str(name) for name in names)


def suggested(message: str) -> str:
    """The 'did you mean ...?' part of a missing-target message."""
    assert "did you mean " in message, message
    return message.split("did you mean ", 1)[1].split("?", 1)[0]


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize(
    "misspell",
    [
        str.upper,
        lambda name: f"{name.title()} ",
        lambda name: f"  {name.swapcase()}",
        lambda name: name[:-1] if len(name) > 4 else f"{name}s",
    ],
)
def test_a_misspelt_target_suggests_the_column_meant(seed, misspell):
    columns = generated_columns(seed)
    meant = columns[seed % len(columns)]
    with pytest.raises(errors.PipelineError) as missing:
        reading.check_target(columns, misspell(meant), "data/raw/file.csv")
    message = str(missing.value)
    assert message.startswith("data/raw/file.csv: the target column ")
    assert repr(meant) in suggested(message) and f"{len(columns)} columns" in message


def test_a_column_differing_only_in_case_and_spaces_is_the_one_suggestion():
    with pytest.raises(errors.PipelineError) as missing:
        reading.check_target(["age", "churned", "churn_date", "income"], "Churned ", "data.csv")
    assert suggested(str(missing.value)) == "'churned'"


def test_ten_thousand_long_column_names_give_one_line_within_the_cli_limit():
    columns = [f"measurement_{n:05d}_{'x' * 90}" for n in range(10_000)]
    columns[9_000] = "Label"
    with pytest.raises(errors.PipelineError) as missing:
        reading.check_target(columns, "label ", "data/raw/wide.csv")
    message = str(missing.value)
    assert len(message) <= 600 and "\n" not in message
    assert suggested(message) == "'Label'" and "10,000 columns" in message


def test_without_a_close_column_the_message_lists_the_columns():
    with pytest.raises(errors.PipelineError) as missing:
        reading.check_target(["age", "income"], "churned", "customers.csv")
    assert str(missing.value) == (
        "customers.csv: the target column 'churned' is missing (2 columns: age, income)"
    )


def test_a_present_target_passes():
    reading.check_target(["age", "churned"], "churned", "customers.csv")


def test_the_dialect_is_detected_from_a_bounded_prefix_of_a_file_without_line_breaks(tmp_path):
    """A 20 MB file of one line: the sample is 64 KB, so is the memory it takes."""
    file = tmp_path / "one-line.csv"
    file.write_bytes(b"a;" * 10_000_000)
    tracemalloc.start()
    try:
        dialect = reading.detect_dialect(file)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert dialect["separator"] == ";"
    assert peak < 20 * reading.SAMPLE_BYTES


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    markers=st.lists(st.sampled_from(["?", "-", "n.a.", "missing", "—"]), min_size=1, max_size=3),
    separator=st.sampled_from([",", ";", "\t"]),
)
def test_the_missing_value_markers_of_params_are_gaps_in_any_dialect(
    tmp_path_factory, seed, markers, separator
):
    """ingest.na_values alone: the markers are gaps, the dialect is still detected."""
    generator = np.random.default_rng(seed)
    rows = 40
    numbers = generator.normal(0, 100, rows)
    marked = generator.random(rows) < 0.3
    cells = [
        generator.choice(markers) if gap else repr(float(value))
        for gap, value in zip(marked, numbers, strict=True)
    ]
    frame = pd.DataFrame({"reading": cells, "label": generator.choice(["a", "b"], rows)})
    file = tmp_path_factory.mktemp("markers") / "data.csv"
    frame.to_csv(file, sep=separator, index=False)
    options = reading.csv_options({"ingest": {"na_values": markers}})
    read = reading.read_table(file, options)
    assert list(read.columns) == ["reading", "label"]
    assert read["reading"].isna().tolist() == marked.tolist()
    assert read["reading"].dropna().tolist() == numbers[~marked].tolist()


@pytest.mark.parametrize("markers", ["?", [1], {"?": 1}])
def test_na_values_that_are_not_a_list_of_texts_are_one_line(markers):
    with pytest.raises(errors.PipelineError, match=r"ingest\.na_values is .* a list of the texts"):
        reading.csv_options({"ingest": {"na_values": markers}})


@pytest.mark.parametrize("rows", [200_000, 1_000_000])
def test_a_parquet_decompression_bomb_is_refused_in_one_line_before_reading(
    tmp_path, monkeypatch, rows
):
    """Millions of equal values pack into a few KB; the memory here is made 1 MB to stand in for
    a machine that such a file would fill."""
    file = tmp_path / "bomb.parquet"
    pd.DataFrame({"zero": np.zeros(rows), "label": np.zeros(rows, dtype=int)}).to_parquet(file)
    monkeypatch.setattr(reading, "memory_bytes", lambda: 2**20)
    monkeypatch.setattr(pd, "read_parquet", lambda *args, **kwargs: pytest.fail("read it"))
    with pytest.raises(errors.PipelineError) as refused:
        reading.read_table(file)
    message = str(refused.value)
    assert message.startswith(f"{file}: {rows:,} rows of 2 columns unpack to at least ")
    assert "refusing a decompression bomb" in message and "\n" not in message


def test_a_parquet_file_that_packs_little_is_read_whatever_its_size(tmp_path, monkeypatch):
    generator = np.random.default_rng(0)
    file = tmp_path / "data.parquet"
    frame = pd.DataFrame({"reading": generator.normal(size=20_000)})
    frame.to_parquet(file)
    monkeypatch.setattr(reading, "memory_bytes", lambda: 2**10)
    pd.testing.assert_frame_equal(reading.read_table(file), frame)
