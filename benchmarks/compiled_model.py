"""scikit-learn against onnxruntime on the bake's default models: batch and single-row scoring.

(Not named onnx.py: a script's folder comes first on sys.path, and it would hide the onnx package.)

Fits each default model of the bake (random forest of 200 trees, depth 8; logistic regression;
ridge) inside cd4ml's pipeline on the task's bundled data set, compiles it with cd4ml.compiled, and
times predict on --rows rows (the data set's rows repeated with noise, scored CHUNK_ROWS at a time,
as `predict` does), then one row at a time (median of --repeats calls). Both run on one thread, as
the service does; ratios > 1 mean ONNX is faster. Checks parity on the rows before timing.
"""

import argparse
import statistics
import time

import numpy as np
import pandas as pd
from cd4ml.batch.predict import CHUNK_ROWS
from cd4ml.compiled import parity
from cd4ml.compiled.convert import convert, describe
from cd4ml.compiled.runtime import compiled
from cd4ml.pipeline import train
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from threadpoolctl import threadpool_limits

MODELS = {
    "random forest (classification)": (load_breast_cancer, RandomForestClassifier, True),
    "logistic regression": (load_breast_cancer, LogisticRegression, False),
    "random forest (regression)": (load_diabetes, RandomForestRegressor, True),
    "ridge": (load_diabetes, Ridge, False),
}


def scorer(model):
    return model.predict_proba if hasattr(model, "predict_proba") else model.predict


def batch_seconds(model, rows: pd.DataFrame) -> float:
    score = scorer(model)
    started = time.perf_counter()
    for start in range(0, len(rows), CHUNK_ROWS):
        score(rows.iloc[start : start + CHUNK_ROWS])
    return time.perf_counter() - started


def single_ms(model, rows: pd.DataFrame, repeats: int) -> float:
    score, times = scorer(model), []
    for index in range(repeats):
        row = rows.iloc[[index % len(rows)]]
        started = time.perf_counter()
        score(row)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def many(frame: pd.DataFrame, count: int, seed: int = 0) -> pd.DataFrame:
    generator = np.random.default_rng(seed)
    picked = frame.iloc[generator.integers(0, len(frame), count)].reset_index(drop=True)
    return picked * (1 + generator.normal(0, 0.01, picked.shape))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=300)
    arguments = parser.parse_args()
    print(f"{'model':32} {'sklearn s':>10} {'onnx s':>8} {'ratio':>6}   "
          f"{'sklearn ms/row':>14} {'onnx ms/row':>11} {'ratio':>6}")  # fmt: skip
    for name, (load, estimator, forest) in MODELS.items():
        data = load(as_frame=True)
        settings = {"n_estimators": 200, "max_depth": 8, "random_state": 0} if forest else {}
        model = train.make_model(estimator(**settings)).fit(data.data, data.target)
        onnx = compiled(convert(model, data.data).SerializeToString(), describe(model))
        rows = many(data.data, arguments.rows)
        result = parity.compare(model, onnx, rows.head(10_000))
        assert result["holds"], result
        with threadpool_limits(1):
            batch = [batch_seconds(model, rows), batch_seconds(onnx, rows)]
            single = [single_ms(model, rows, arguments.repeats),
                      single_ms(onnx, rows, arguments.repeats)]  # fmt: skip
        print(f"{name:32} {batch[0]:10.2f} {batch[1]:8.2f} {batch[0] / batch[1]:6.1f}   "
              f"{single[0]:14.3f} {single[1]:11.3f} {single[0] / single[1]:6.1f}")  # fmt: skip
    print(f"rows: {arguments.rows:,}; single-row latency: median of {arguments.repeats} calls")


if __name__ == "__main__":
    main()
