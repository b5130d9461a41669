"""An ONNX model run by onnxruntime, answering like the scikit-learn model it was compiled from.

It has the scikit-learn model's predict (and predict_proba), classes_ and feature_names_in_, so
the service and predict score with it unchanged: labels come from classes_, in the user's types.
One thread per session: a row's answer is then the same alone and in any batch.
"""

import numpy as np
import pandas as pd

from .convert import is_number, is_tree_ensemble

FLOAT32_MAX = float(np.finfo(np.float32).max)


def session(data: bytes):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])


def feeds(frame: pd.DataFrame, names: list[str]) -> dict[str, np.ndarray]:
    """One column per input, in order: numbers and booleans as doubles (a gap is NaN), text as
    strings."""
    fed = {}
    for name, (_, column) in zip(names, frame.items(), strict=True):
        if is_number(column.dtype):
            values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            values = column.astype(object).where(column.notna(), "").astype(str).to_numpy(object)
        fed[name] = values.reshape(-1, 1)
    return fed


class Compiled:
    """The regression answers (predict) of an ONNX model."""

    def __init__(self, data: bytes, model) -> None:
        self.session = session(data)
        self.inputs = [item.name for item in self.session.get_inputs()]
        self.feature_names_in_ = model.feature_names_in_
        self.trees = is_tree_ensemble(model.steps[-1][1])

    def answer(self, frame: pd.DataFrame) -> np.ndarray:
        """The estimator's output, after checking its input as scikit-learn's estimators do."""
        features, *_, answer = self.session.run(None, feeds(frame, self.inputs))
        with np.errstate(invalid="ignore"):
            finite = np.isfinite(features).all()
            if not finite or (self.trees and (np.abs(features) > FLOAT32_MAX).any()):
                raise ValueError("Input X contains infinity or a value too large for the model")
        return np.asarray(answer, dtype=np.float64)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        return self.answer(frame).ravel()


class CompiledClassifier(Compiled):
    """A classifier's answers: probabilities, and the class of the largest (the first on a tie)."""

    def __init__(self, data: bytes, model) -> None:
        super().__init__(data, model)
        self.classes_ = model.classes_

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        return self.answer(frame)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        return self.classes_[self.predict_proba(frame).argmax(axis=1)]


def compiled(data: bytes, model) -> Compiled:
    """The ONNX model as a scorer for the scikit-learn model it was compiled from."""
    kind = CompiledClassifier if hasattr(model, "predict_proba") else Compiled
    return kind(data, model)
