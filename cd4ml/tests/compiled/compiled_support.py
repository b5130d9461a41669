"""Rows of every contract type with gaps, and targets of each kind: the compiled model's tests'."""

import numpy as np
import pandas as pd

from cd4ml import input_frame, input_schema

COLUMNS = {
    "reading": {"type": "float", "nullable": True},
    "small": {"type": "float"},
    "visits": {"type": "int", "nullable": True},
    "member": {"type": "bool", "nullable": True},
    "plan": {"type": "str", "nullable": True, "allowed": ["basic", "plus", "pro"]},
}
FEATURES = list(COLUMNS)


def generated(rows: int, seed: int) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """Rows of every contract type with gaps, and a target of each kind."""
    generator = np.random.default_rng(seed)
    raw = pd.DataFrame(
        {
            "reading": generator.normal(50, 20, rows),
            "small": generator.normal(0, 0.001, rows),
            "visits": generator.integers(0, 30, rows).astype(object),
            "member": generator.random(rows) < 0.4,
            "plan": generator.choice(["basic", "plus", "pro"], rows).astype(object),
        }
    )
    for name in ("reading", "visits", "member", "plan"):
        raw[name] = raw[name].astype(object).mask(generator.random(rows) < 0.15)
    frame = input_frame.as_declared(raw, input_schema.dtypes(FEATURES, COLUMNS), "generated")
    signal = raw["reading"].astype(float).fillna(50) / 20 + 800 * raw["small"]
    signal += (raw["plan"] == "pro") * 1.5 + generator.normal(0, 0.5, rows)
    targets = {
        "text": pd.Series(np.select([signal < 2, signal < 3], ["low", "mid"], "high")),
        "bool": signal > 2.5,
        "int": pd.Series(np.digitize(signal, [2, 3]), dtype="int64"),
        "number": signal * 40 + 7,
    }
    return frame, targets
