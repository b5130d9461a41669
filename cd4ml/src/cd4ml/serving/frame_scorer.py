"""The scikit-learn model as the service scores with it, when no proven ONNX model answers: from the
model's columns of plain values, each built in the dtype its contract type declares (input_frame),
so that a row's answer does not depend on the rows that share its batch."""

from ..input_frame import frame_of


class FrameScorer:
    def __init__(self, model, dtypes: dict[str, str]) -> None:
        self.model, self.dtypes = model, dtypes
        self.feature_names_in_ = model.feature_names_in_

    def predict(self, columns: dict[str, list]):
        return self.model.predict(frame_of(columns, self.dtypes))

    def transformed(self, columns: dict[str, list]):
        """What the pipeline's last step takes, or None for a model with no steps before it."""
        steps = getattr(self.model, "steps", None)
        if not steps or len(steps) < 2:
            return None
        matrix = self.model[:-1].transform(frame_of(columns, self.dtypes))
        return matrix.toarray() if hasattr(matrix, "toarray") else matrix


class FrameClassifier(FrameScorer):
    def __init__(self, model, dtypes: dict[str, str]) -> None:
        super().__init__(model, dtypes)
        self.classes_ = model.classes_

    def predict_proba(self, columns: dict[str, list]):
        return self.model.predict_proba(frame_of(columns, self.dtypes))


def frame_scorer(model, dtypes: dict[str, str]) -> FrameScorer:
    kind = FrameClassifier if callable(getattr(model, "predict_proba", None)) else FrameScorer
    return kind(model, dtypes)
