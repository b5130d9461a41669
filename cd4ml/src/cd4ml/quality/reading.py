"""Reading a user's data file the same way every time: its CSV dialect, and one line per bad column.

The dialect (separator, decimal mark, encoding) is detected once by `adopt`, stored under `ingest:`
in params.yaml with the file's missing-value markers (`na_values`, such as "?"), and used by every
reader from then on (ingest, predict), so a user can correct it there.
"""

import csv
import difflib
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import PipelineError, first_line
from ..errors import shorten as cut

SEPARATORS = ",;\t|"
SAMPLE_BYTES = 65536
DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")
INT64 = np.iinfo(np.int64)
TYPE_SAMPLE = 10_000  # values looked at before a whole column is parsed
LIMIT = 60  # characters of a value quoted in a message
MOSTLY = 0.8  # a text column with this share of numbers is a numeric column with stray text
SUGGESTIONS = 3  # column names offered for a missing target
# A parquet file whose values would take more than this machine's memory and over this many times
# its own size is refused: real data compresses a few times, a decompression bomb thousands.
BOMB_RATIO = 100
DIALECT = ("separator", "decimal", "encoding")


def shorten(value: object, limit: int = LIMIT) -> str:
    """A value for a message: never a 309-digit number or a 10,000-column list in full."""
    return cut(repr(value) if isinstance(value, str) else str(value), limit)


def detect_dialect(file: Path) -> dict:
    """Separator, decimal mark and encoding of a CSV file, from its first 64 KB."""
    with file.open("rb") as stream:  # a 200 MB file with no line break is not read whole
        head = stream.read(SAMPLE_BYTES)
    encoding = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        text = head.decode(encoding)
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not just a character cut at the sample's end
            encoding, text = "latin-1", head.decode("latin-1")
        else:
            text = head[: error.start].decode(encoding)
    lines = text.splitlines()[:50]
    try:
        separator = csv.Sniffer().sniff("\n".join(lines), delimiters=SEPARATORS).delimiter
    except csv.Error:
        separator = ","
    cells = [cell for line in lines[1:] for cell in next(csv.reader([line], delimiter=separator))]
    decimal = "," if separator != "," and any(DECIMAL_COMMA.match(cell) for cell in cells) else "."
    return {"separator": separator, "decimal": decimal, "encoding": encoding}


def csv_options(params: dict) -> dict | None:
    """How params.yaml says CSV files are read (`ingest:` separator, decimal, encoding and
    na_values), or None to detect each file's dialect."""
    section = params.get("ingest") or {}
    chosen = {key: section[key] for key in DIALECT if section.get(key)}
    markers = section.get("na_values") or []
    if not isinstance(markers, list) or not all(isinstance(item, str) for item in markers):
        raise PipelineError(
            f"params.yaml: ingest.na_values is {shorten(markers)}; use a list of the texts that "
            "mean a missing value, e.g. ['?', 'n/a']"
        )
    if markers:
        chosen["na_values"] = markers
    return chosen or None


def csv_arguments(file: Path, options: dict | None) -> dict:
    """pandas' read_csv arguments for file: the options given, the dialect detected where they
    name none. Dask's read_csv takes the same."""
    options = options or {}
    if not all(key in options for key in DIALECT):
        options = {**detect_dialect(file), **options}
    return {
        "sep": options.get("separator", ","),
        "decimal": options.get("decimal", "."),
        "encoding": options.get("encoding", "utf-8"),
        "na_values": options.get("na_values") or None,
    }


def read_table(file: Path, options: dict | None = None) -> pd.DataFrame:
    """A CSV (read with the options of csv_options, the dialect detected where they name none) or
    parquet file; each problem in one line."""
    try:
        if file.suffix.lower() == ".parquet":
            check_unpacked_size(file)
            frame = pd.read_parquet(file)
        else:
            frame = pd.read_csv(  # one type per column, not one per chunk
                file, **csv_arguments(file, options), low_memory=False
            )
    except PipelineError:
        raise
    except MemoryError:
        raise  # a file too large for this process, not a corrupt one: __main__ says so
    except Exception as error:  # pandas and pyarrow raise many types for a corrupt file
        reason = shorten(first_line(error), 200)
        raise PipelineError(f"{file}: cannot be read as {file.suffix[1:]}: {reason}") from None
    frame.columns = [str(name) for name in frame.columns]
    for name in frame.columns:
        problem = column_problem(frame[name])
        if problem:
            raise PipelineError(f"{file}: column {shorten(name)}: {problem}")
        if booleans_with_gaps(frame[name]):  # pandas' nullable booleans: the contract says bool
            frame[name] = frame[name].astype("boolean")
    return frame


def memory_bytes() -> float:
    """This machine's physical memory; unknown (infinite) where the system does not say."""
    try:
        return float(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):
        return float("inf")


def check_unpacked_size(file: Path) -> None:
    """Refuse in one line a parquet file that would unpack to more than memory and BOMB_RATIO
    times its size, from its metadata (8 bytes per value at least), before reading a value."""
    import pyarrow.parquet

    metadata = pyarrow.parquet.read_metadata(file)
    unpacked, packed = metadata.num_rows * metadata.num_columns * 8, file.stat().st_size
    if unpacked > memory_bytes() and unpacked > BOMB_RATIO * packed:
        raise PipelineError(
            f"{file}: {metadata.num_rows:,} rows of {metadata.num_columns} columns unpack to at "
            f"least {unpacked / 2**30:.1f} GB from {packed:,} bytes, more than this machine's "
            f"memory and over {BOMB_RATIO} times the file's size; refusing a decompression bomb"
        )


def booleans_with_gaps(values: pd.Series) -> bool:
    """True and false with missing values, which pandas reads as a column of objects."""
    return values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) == "boolean"


def column_problem(values: pd.Series) -> str | None:
    """Why a column cannot be stored and modelled as one type, or None when it can."""
    if values.dtype == object:
        kinds = values.dropna().map(type).value_counts()
        present = {kind.__name__ for kind in kinds.index}
        if present & {"list", "dict", "tuple", "ndarray"}:
            return (
                f"holds nested values ({', '.join(sorted(present))}); "
                "flatten it into plain columns or drop it"
            )
        if present <= {"int", "bool"} and present:
            return huge_integer(values)
        if len(present) > 1:
            return f"mixes value types ({', '.join(sorted(present))}); make them all one type"
    if pd.api.types.is_string_dtype(values):
        return numbers_among_text(values)
    return None


def huge_integer(values: pd.Series) -> str | None:
    numbers = values.dropna()
    outside = numbers[(numbers > INT64.max) | (numbers < INT64.min)]
    if outside.empty:
        return None
    return (
        f"{shorten(outside.iloc[0], 30)} is beyond the 64-bit integer range "
        f"({len(outside)} such values); store it as text (an identifier) or as a float"
    )


def numbers_among_text(values: pd.Series) -> str | None:
    """A text column whose values are mostly numbers is a numeric column with stray text."""
    present = values.dropna()
    sample = present.iloc[:TYPE_SAMPLE]
    if sample.empty or pd.to_numeric(sample, errors="coerce").notna().mean() < MOSTLY:
        return None
    numeric = pd.to_numeric(present, errors="coerce").notna()
    if numeric.all() or numeric.mean() < MOSTLY:
        return None
    stray = present[~numeric]
    return (
        f"mixes numbers and text: {len(stray)} of {len(present)} values are not numbers "
        f"(e.g. {shorten(stray.iloc[0], 30)}); fix them, or make the column all text"
    )


def check_target(columns, target: str, where: object) -> None:
    """Refuse data without its target column in one line: the closest names, and how many there
    are, short enough for the CLI's 600 characters with 10,000 long column names."""
    names = [str(name) for name in columns]
    if str(target) in names:
        return
    listed = cut(", ".join(names[:10]) + (", ..." if len(names) > 10 else ""), 150)
    counted = f"{len(names):,} columns: {listed}" if names else "the data has no columns"
    close = " or ".join(shorten(name) for name in closest(str(target), names))
    guess = f"; did you mean {close}?" if close else ""
    raise PipelineError(
        f"{where}: the target column {shorten(str(target))} is missing{guess} ({counted})"
    )


def closest(target: str, names: list[str]) -> list[str]:
    """The names equal to target case and spacing aside (`Churned ` for `churned`), else the
    nearest ones."""
    by_key = {}
    for name in names:
        by_key.setdefault(loose(name), []).append(name)
    key = loose(target)
    keys = [key] if key in by_key else difflib.get_close_matches(key, by_key, n=SUGGESTIONS)
    return [name for key in keys for name in by_key[key]][:SUGGESTIONS]


def loose(name: str) -> str:
    return " ".join(name.split()).casefold()
