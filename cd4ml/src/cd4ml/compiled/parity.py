"""Whether the ONNX model answers as the scikit-learn model does, row by row on the test split.

Probabilities must agree within TOLERANCE (absolute); regression values within TOLERANCE,
relative to the value when it is larger than 1. Labels must be equal, except on a row where
scikit-learn's two most probable classes are within TOLERANCE of each other: a float32 forest may
break such a tie the other way, and these rows are counted (`ties`), not failed.
"""

import numpy as np
import pandas as pd

TOLERANCE = 1e-5


def compare(reference, compiled, frame: pd.DataFrame) -> dict:
    """{"holds", "rows", "compared", "largest_difference", "tolerance", "ties", "reason"} for the
    two models on frame's rows; compared is "probabilities" or "values" (regression), reason one
    line when parity does not hold."""
    compared = "probabilities" if hasattr(reference, "predict_proba") else "values"
    result = {"rows": len(frame), "compared": compared, "tolerance": TOLERANCE, "ties": 0}
    if not len(frame):
        return {**result, "holds": False, "largest_difference": None, "reason": "no test rows"}
    if compared == "probabilities":
        expected, found = reference.predict_proba(frame), compiled.predict_proba(frame)
        largest = float(np.abs(found - expected).max())
        differ = expected.argmax(axis=1) != found.argmax(axis=1)
        top = np.sort(expected, axis=1)[:, -2:] if expected.shape[1] > 1 else expected
        tied = differ & (np.abs(top[:, -1] - top[:, 0]) <= TOLERANCE)
        result.update(largest_difference=largest, ties=int(tied.sum()))
        mislabelled = int((differ & ~tied).sum())
        reason = (
            f"{mislabelled} of {len(frame)} test rows get another class" if mislabelled else None
        )
    else:
        expected = np.asarray(reference.predict(frame), dtype=np.float64)
        found = compiled.predict(frame)
        largest = float((np.abs(found - expected) / np.maximum(1.0, np.abs(expected))).max())
        result["largest_difference"] = largest
        reason = None
    if reason is None and not largest <= TOLERANCE:
        reason = f"answers differ by up to {largest:.3g} on the test split (tolerance {TOLERANCE})"
    return {**result, "holds": reason is None, "reason": reason}
