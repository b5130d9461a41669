"""How large a number each feature may be, so that the model can score it.

Tree models compute in float32, after the pipeline's own steps: a feature scaled by a small standard
deviation overflows float32 long before the value itself does. So the bound of each number feature
is found by passing powers of ten through the pipeline's transforming steps, all in one call, at
startup; the request schema then refuses larger values with a 422 instead of the model failing.
"""

import numpy as np

from ..input_schema import columns_of

FLOAT32_MAX = float(np.finfo(np.float32).max)
EXPONENTS = np.arange(0, 39)  # 1e0 ... 1e38, just under float32's largest number


def base_row(features: list[str], columns: dict) -> dict:
    """A row every rule of the contract accepts."""
    row = {}
    for name in features:
        rules = columns.get(name, {})
        kind = rules.get("type", "float")
        if rules.get("allowed"):
            row[name] = rules["allowed"][0]
        elif kind in ("float", "int"):
            row[name] = max(rules.get("min", 0), min(rules.get("max", 0), 0))
        else:
            row[name] = False if kind == "bool" else ""
    return row


def number_bounds(scorer, features: list[str], columns: dict) -> dict[str, float]:
    """The largest magnitude of each float feature whose transformed row stays within float32;
    scorer.transformed gives the matrix its estimator takes (None when there is none)."""
    numbers = [name for name in features if columns.get(name, {}).get("type", "float") == "float"]
    base = base_row(features, columns)
    rows = [
        {**base, name: sign * 10.0**exponent}
        for name in numbers
        for sign in (1, -1)
        for exponent in EXPONENTS
    ]
    try:
        transformed = scorer.transformed(columns_of(rows, features)) if numbers else None
        if transformed is None:
            return dict.fromkeys(numbers, FLOAT32_MAX)
        dense = np.asarray(transformed, dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            fits = np.isfinite(dense).all(axis=1) & (np.abs(dense) <= FLOAT32_MAX).all(axis=1)
    except Exception:  # a pipeline this probe does not understand: float32's own range
        return dict.fromkeys(numbers, FLOAT32_MAX)
    fits = fits.reshape(len(numbers), 2, len(EXPONENTS)).all(axis=1)
    bounds = {}
    for name, row in zip(numbers, fits, strict=True):
        # The largest power of ten below the first that does not fit (1e38 when all fit).
        largest = int(np.argmin(row)) - 1 if not row.all() else len(EXPONENTS) - 1
        bounds[name] = float(10.0 ** EXPONENTS[largest]) if largest >= 0 else 1.0
    return bounds
