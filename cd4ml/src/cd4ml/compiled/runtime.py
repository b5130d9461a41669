"""An ONNX model run by onnxruntime, answering like the scikit-learn model it was compiled from.

It has the scikit-learn model's predict (and predict_proba), classes_ and feature_names_in_, so
the service and predict score with it unchanged: labels come from classes_, in the user's types.
It takes columns by name (a pandas frame, or plain lists in which None is a gap) and needs neither
pandas nor scikit-learn: what it needs to know of the model is its description (convert.describe),
which model.json keeps. One thread per session: a row's answer is then the same alone and in any
batch.
"""

import numpy as np

FLOAT32_MAX = float(np.finfo(np.float32).max)


def session(data: bytes):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])


def fed(values, text: bool) -> np.ndarray:
    """One input column: strings with "" for a gap, or doubles (booleans as 0 and 1) with NaN."""
    if hasattr(values, "to_numpy"):  # a pandas column
        if text:
            values = values.astype(object).where(values.notna(), "").astype(str)
            return values.to_numpy(object).reshape(-1, 1)
        return values.to_numpy(dtype=np.float64, na_value=np.nan).reshape(-1, 1)
    if text:
        return np.array(["" if value is None else value for value in values], object).reshape(-1, 1)
    return np.array([np.nan if value is None else value for value in values], np.float64).reshape(
        -1, 1
    )


class Compiled:
    """The regression answers (predict) of an ONNX model."""

    def __init__(self, data: bytes, description: dict) -> None:
        self.session = session(data)
        self.inputs = [
            (item.name, item.type == "tensor(string)") for item in self.session.get_inputs()
        ]
        self.feature_names_in_ = np.asarray(description["features"], dtype=object)
        if len(self.inputs) != len(self.feature_names_in_):
            raise ValueError(
                f"it takes {len(self.inputs)} columns, its description names "
                f"{len(self.feature_names_in_)}"
            )
        self.trees = bool(description.get("trees"))
        self.finite = bool(description.get("finite", True))  # absent from earlier exports

    def run(self, columns) -> list[np.ndarray]:
        """The graph's outputs: the transformed features, then the estimator's. An infinite
        number is refused, as scikit-learn's imputers refuse it (a gap, NaN, is not)."""
        feeds = {
            name: fed(columns[feature], text)
            for (name, text), feature in zip(self.inputs, self.feature_names_in_, strict=True)
        }
        if any(np.isinf(feeds[name]).any() for name, text in self.inputs if not text):
            raise ValueError("Input X contains infinity or a value too large for dtype('float64')")
        return self.session.run(None, feeds)

    def transformed(self, columns) -> np.ndarray:
        """The matrix the estimator takes (before a tree ensemble's rounding to float32)."""
        return self.run(columns)[0]

    def answer(self, columns) -> np.ndarray:
        """The estimator's output, after checking its input as the estimator does: scikit-learn's
        refuse infinities, and its trees values beyond float32; LightGBM takes any double."""
        features, *_, answer = self.run(columns)
        with np.errstate(invalid="ignore"):
            infinite = self.finite and not np.isfinite(features).all()
            if infinite or (self.trees and (np.abs(features) > FLOAT32_MAX).any()):
                raise ValueError("Input X contains infinity or a value too large for the model")
        return np.asarray(answer, dtype=np.float64)

    def predict(self, columns) -> np.ndarray:
        return self.answer(columns).ravel()


class CompiledClassifier(Compiled):
    """A classifier's answers: probabilities, and the class of the largest (the first on a tie)."""

    def __init__(self, data: bytes, description: dict) -> None:
        super().__init__(data, description)
        classes = np.asarray(description["classes"])
        self.classes_ = classes.astype(object) if classes.dtype.kind == "U" else classes

    def predict_proba(self, columns) -> np.ndarray:
        return self.answer(columns)

    def predict(self, columns) -> np.ndarray:
        return self.classes_[self.predict_proba(columns).argmax(axis=1)]


def compiled(data: bytes, description: dict) -> Compiled:
    """The ONNX model as a scorer, from its description (convert.describe)."""
    kind = CompiledClassifier if description.get("classes") is not None else Compiled
    return kind(data, description)
