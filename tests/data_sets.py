"""Data files a user might bring to `adopt`: public sets that ship inside scikit-learn, and generated ones.

Each function writes one file into a folder and returns its path. Together they cover string, boolean and
integer labels, three classes, a regression target, integer and categorical features with gaps, booleans with
gaps, an ID and a date column, a semicolon export with decimal commas, many duplicate rows and sixty rows.
"""

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn import datasets


def iris(folder: Path) -> Path:
    """String labels, three classes, a row-number ID column."""
    frame = datasets.load_iris(as_frame=True).frame
    frame["species"] = np.array(["setosa", "versicolor", "virginica"])[frame.pop("target")]
    frame.insert(0, "row_number", range(1, len(frame) + 1))
    frame.to_csv(folder / "iris.csv", index=False)
    return folder / "iris.csv"


def wine(folder: Path) -> Path:
    """Integer labels, a date column, a spreadsheet export: semicolons and decimal commas."""
    frame = datasets.load_wine(as_frame=True).frame
    frame.insert(0, "bottled", pd.date_range("2020-01-01", periods=len(frame), freq="D").astype(str))
    frame.to_csv(folder / "wine.csv", index=False, sep=";", decimal=",")
    return folder / "wine.csv"


def clinic(folder: Path) -> Path:
    """Boolean labels, integer and categorical features with gaps, many duplicate rows."""
    frame = datasets.load_breast_cancer(as_frame=True).frame.iloc[:, [0, 1, 2, 30]]
    frame.columns = ["radius", "texture", "perimeter", "target"]
    generator = np.random.default_rng(0)
    frame["malignant"] = frame.pop("target") == 0
    frame["visits"] = pd.array(generator.integers(0, 9, len(frame)), dtype="Int64")
    frame["clinic"] = generator.choice(["north", "south", "east"], len(frame))
    frame.loc[frame.index % 9 == 0, "visits"] = pd.NA
    frame.loc[frame.index % 11 == 0, "clinic"] = None
    frame = pd.concat([frame, frame.sample(150, random_state=0)], ignore_index=True)  # 21% repeats
    frame.to_csv(folder / "clinic.csv", index=False)
    return folder / "clinic.csv"


def small(folder: Path) -> Path:
    """Sixty rows of integer features (plain int64), a float and a category: a larger test share."""
    generator = np.random.default_rng(1)
    size = np.concatenate([generator.integers(1, 40, 30), generator.integers(30, 90, 30)])
    frame = pd.DataFrame({"size": size, "rooms": size // 10 + generator.integers(0, 2, 60)})
    frame["area"] = size * 1.5 + generator.normal(0, 5, 60).round(2)
    frame["kind"] = np.where(np.arange(60) % 3 == 0, "flat", "house")
    frame["big"] = np.where(np.arange(60) < 30, "no", "yes")
    frame.sample(frac=1, random_state=0).to_csv(folder / "small.csv", index=False)
    return folder / "small.csv"


def diabetes(folder: Path) -> Path:
    """A regression target: disease progression, 214 distinct whole numbers; unscaled features."""
    datasets.load_diabetes(as_frame=True, scaled=False).frame.to_csv(folder / "diabetes.csv", index=False)
    return folder / "diabetes.csv"


def rentals(folder: Path) -> Path:
    """A price to predict from areas, rooms, a district and a yes/no column with gaps; a text listing ID."""
    generator = np.random.default_rng(2)
    rows = 400
    frame = pd.DataFrame(
        {
            "listing": [f"L{number:05d}" for number in generator.permutation(rows)],
            "area": generator.uniform(20, 150, rows).round(1),
            "rooms": generator.integers(1, 6, rows),
            "district": generator.choice(["centre", "harbour", "hills"], rows),
            "furnished": generator.random(rows) < 0.4,
        }
    )
    extras = frame["furnished"] * 150 + (frame["district"] == "centre") * 300 + generator.normal(0, 60, rows)
    frame["rent"] = (frame["area"] * 12 + frame["rooms"] * 50 + extras).round(2)
    frame["furnished"] = frame["furnished"].astype(object).where(generator.random(rows) > 0.15)  # True, False or empty
    frame.to_csv(folder / "rentals.csv", index=False)
    return folder / "rentals.csv"
