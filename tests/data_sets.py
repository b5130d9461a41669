"""Hand-picked data files for tests that need one known file: iris, sixty small rows, diabetes.

Each function writes one file into a folder and returns its path. The many other shapes of data people
bring are drawn at random by generated_data.py.
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
