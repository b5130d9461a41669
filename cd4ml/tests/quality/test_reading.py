import re

import numpy as np
import pandas as pd
import pytest

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
