"""Random tabular data sets of the kinds people bring to `adopt`, each reproducible from one seed.

`data_set(seed, index)` draws a set: its size, columns, types, gaps, names, labels, file format,
CSV dialect and encoding. `index` cycles the choices that matter most (task, label type, size, file
dialect) so that any run of a dozen sets or more covers each of them; the seed varies the rest.
The target follows from a few features, so a model has something to learn; everything else is noise
of the shapes real files have: integers with gaps, long decimals with heavy ties, booleans with
gaps, categories with rare levels, free text, IDs, dates and date-times, all-missing rows and
columns, and names that YAML, shells, Markdown or a slugifier read as something else.
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

LABELS = {  # label type -> the values a classification target takes
    "text": ["yes", "no", "maybe"],
    "text with spaces": ["high risk", " low risk", "medium risk "],
    "integers": [0, 1, 2],
    "booleans": [True, False],
}
TARGETS = ["label", "Outcome", "y", "class (final)", "2019", "résultat"]
# Names each read as something else by YAML, a shell, Markdown or a slugifier.
HOSTILE_NAMES = [
    "Unnamed: 0", "2019", "yes", "null", "on", "Off", "#id", "&x", "*x", "!x", "% change", "- x", "[x]",
    "? q", "@x", "'q", "a b", "a_b", "A-B", "$x$", "x|y", "<b>bold</b>", "`code`", "$(touch pwned)",
    "naïve", "温度", "🚀 launches", " padded ", "1e5", "~", "true", "NaN",
]  # fmt: skip
PLAIN_NAMES = ["age", "income", "score", "visits", "height", "weight", "rate", "count", "level"]
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
SIZES = [(40, 120), (120, 1_000), (1_000, 5_000), (40, 400), (5_000, 50_000), (200, 2_000)]
FILES = [  # format, separator, decimal mark, encoding
    ("csv", ",", ".", "utf-8"),
    ("csv", ";", ",", "utf-8-sig"),
    ("csv", "\t", ".", "utf-8"),
    ("parquet", "", "", ""),
    ("csv", "|", ".", "latin-1"),
    ("csv", ";", ".", "utf-8"),
    ("csv", ",", ".", "utf-8-sig"),
]
TASKS = [("classification", kind) for kind in LABELS] + [("regression", "numbers")]


@dataclass
class DataSet:
    seed: int
    index: int
    frame: pd.DataFrame
    target: str
    task: str
    label_kind: str
    file_format: str
    separator: str = ","
    decimal: str = "."
    encoding: str = "utf-8"
    kinds: dict[str, str] = field(default_factory=dict)  # column -> the kind it was drawn as
    row_numbers: bool = False  # written with pandas' index, as `to_csv()` and R's `write.csv` do

    @property
    def duplicate_share(self) -> float:
        """Of the rows as written: row numbers make every row distinct."""
        return 0.0 if self.row_numbers else float(self.frame.duplicated().mean())

    @property
    def trainable(self) -> bool:
        """Enough labelled rows for adopt's smallest test set (20 rows, at most half)."""
        return int(self.frame[self.target].notna().sum()) >= 40

    def describe(self) -> str:
        rows, columns = self.frame.shape
        dialect = self.file_format if self.file_format == "parquet" else (
            f"csv sep={self.separator!r} decimal={self.decimal!r} {self.encoding}"
        )  # fmt: skip
        return f"seed {self.seed}: {rows} rows, {columns} columns, {self.task} ({self.label_kind}), {dialect}"

    def write(self, folder: Path) -> Path:
        file = folder / f"generated_{self.seed}.{self.file_format}"
        if self.file_format == "parquet":
            self.frame.to_parquet(file, index=False)
        else:
            self.frame.to_csv(
                file, index=self.row_numbers, sep=self.separator, decimal=self.decimal, encoding=self.encoding
            )
        return file


def data_set(seed: int, index: int) -> DataSet:
    generator = np.random.default_rng(seed)
    task, label_kind = TASKS[index % len(TASKS)]
    low, high = SIZES[index % len(SIZES)]
    rows = int(np.exp(generator.uniform(np.log(low), np.log(high))))
    if index % 17 == 16:
        rows = int(generator.integers(20, 40))  # too few for a test set: adopt must refuse
    file_format, separator, decimal, encoding = FILES[index % len(FILES)]
    columns, kinds = {}, {}
    names = column_names(generator, int(generator.integers(2, 9)), latin1=encoding == "latin-1")
    signal = generator.normal(size=rows)
    for number, name in enumerate(names):
        kind = generator.choice(SIGNAL_KINDS if number == 0 else KINDS)  # something to learn from
        columns[name], kinds[name] = pd.Series(kind(generator, rows, signal)), kind.__name__.strip("_")
    frame = pd.DataFrame(columns)
    target = str(generator.choice([name for name in TARGETS if name not in frame.columns]))
    frame[target] = target_values(generator, signal, task, label_kind)
    frame = with_missing_rows(generator, frame, target)
    if generator.random() < 0.3:  # exported twice, merged from overlapping extracts
        frame = pd.concat([frame, frame.sample(frac=generator.uniform(0.05, 0.25), random_state=seed)])
    frame = frame.sample(frac=1, random_state=seed).reset_index(drop=True)
    order = list(generator.permutation(frame.columns))
    row_numbers = file_format == "csv" and index % 4 == 1  # read back as a column named "Unnamed: 0"
    return DataSet(
        seed, index, frame[order], target, task, label_kind, file_format, separator, decimal, encoding, kinds,
        row_numbers,
    )  # fmt: skip


def column_names(generator, count: int, latin1: bool) -> list[str]:
    pool = [name for name in HOSTILE_NAMES if not latin1 or name.isascii() or name == "naïve"]
    hostile = list(generator.choice(pool, size=min(count, len(pool)), replace=False))
    plain = list(generator.choice(PLAIN_NAMES, size=count, replace=False))
    return [hostile[n] if generator.random() < 0.6 else plain[n] for n in range(count)]


def _integers_with_gaps(generator, rows, signal):
    start = int(generator.integers(-50, 2_000))  # negative values and years alike
    values = pd.array(start + np.round(signal * 10 + generator.normal(0, 2, rows)).astype(int), dtype="Int64")
    values[generator.random(rows) < generator.uniform(0, 0.3)] = pd.NA
    return values


def _long_decimals_with_ties(generator, rows, signal):
    values = signal * generator.uniform(0.1, 100) + generator.normal(0, 0.1, rows)
    tied = generator.random(rows) < generator.uniform(0.1, 0.4)
    values[tied] = generator.choice([1 / 3, float(np.float32(0.8)), -40.0, 2 / 7])
    values[generator.random(rows) < 0.05] = np.nan
    return values


def _booleans_with_gaps(generator, rows, signal):
    values = pd.array(signal + generator.normal(0, 0.5, rows) > 0, dtype="boolean")
    values[generator.random(rows) < 0.15] = pd.NA
    return values


def _categories_with_rare_levels(generator, rows, signal):
    levels = np.array(["north", "south", "east", "west side", "rare level"])
    index = np.clip(np.digitize(signal, [-0.7, 0, 0.7]), 0, 3)
    values = levels[index].astype(object)
    values[generator.random(rows) < 0.015] = "rare level"
    values[generator.random(rows) < 0.1] = None
    return values


def _free_text(generator, rows, signal):
    """Notes typed by people: separators, quotes and now and then a line break inside a value."""
    marks = [",", ";", "|", "\t", '"', "'", "\n", "", "", ""]
    return [
        " ".join(generator.choice(WORDS, size=int(generator.integers(2, 6)))) + f"{generator.choice(marks)} #{n}"
        for n in range(rows)
    ]


def _identifiers(generator, rows, signal):
    return [f"ID-{number:07d}" for number in generator.permutation(rows * 3)[:rows]]


def _dates(generator, rows, signal):
    days = pd.to_datetime("2015-01-01") + pd.to_timedelta(generator.integers(0, 3_000, rows), unit="D")
    return days.strftime("%Y-%m-%d")


def _date_times(generator, rows, signal):
    seconds = pd.to_datetime("2020-01-01") + pd.to_timedelta(generator.integers(0, 10**8, rows), unit="s")
    return seconds.strftime("%Y-%m-%d %H:%M:%S")


def _all_missing(generator, rows, signal):
    return np.full(rows, np.nan)


def _noise(generator, rows, signal):
    return np.round(generator.normal(generator.uniform(-1e3, 1e3), generator.uniform(0.01, 100), rows), 3)


KINDS = [
    _integers_with_gaps, _long_decimals_with_ties, _booleans_with_gaps, _categories_with_rare_levels,
    _free_text, _identifiers, _dates, _date_times, _all_missing, _noise, _long_decimals_with_ties,
]  # fmt: skip
SIGNAL_KINDS = [_integers_with_gaps, _long_decimals_with_ties, _booleans_with_gaps, _categories_with_rare_levels]


def target_values(generator, signal: np.ndarray, task: str, label_kind: str):
    rows = len(signal)
    if task == "regression":
        return np.round(signal * generator.uniform(1, 500) + generator.normal(0, 0.2, rows), 4)
    labels = LABELS[label_kind]
    classes = len(labels) if generator.random() < 0.5 else 2
    cuts = np.quantile(signal, np.linspace(0, 1, classes + 1)[1:-1])
    values = np.array(labels[:classes], dtype=object)[np.digitize(signal, cuts)]
    return values if label_kind != "integers" else values.astype(int)


def with_missing_rows(generator, frame: pd.DataFrame, target: str) -> pd.DataFrame:
    """Some rows missing every feature; a few missing the target."""
    features = [name for name in frame.columns if name != target]
    empty = generator.random(len(frame)) < 0.02
    frame = frame.astype({name: object for name in features if frame[name].dtype == bool})
    frame.loc[empty, features] = None
    if frame[target].dtype != object and generator.random() < 0.3:
        return frame
    frame.loc[generator.random(len(frame)) < 0.01, target] = None
    return frame
