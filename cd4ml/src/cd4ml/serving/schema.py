"""The service's request and response models, which are also its OpenAPI document.

A request has one required field per feature the model was trained on, typed by contract.yaml:
strict types (`true` and `" 12 "` are not numbers), no unknown fields, no NaN or infinity,
numbers within what the model can take (bounds.py), and a category only among the contract's
`allowed` values.
"""

from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, create_model

from .bounds import FLOAT32_MAX

INT64_MIN, INT64_MAX = int(np.iinfo(np.int64).min), int(np.iinfo(np.int64).max)
TYPES = {
    "int": Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)],
    "str": str,
    "bool": bool,
}
STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


def feature_type(rules: dict, bound: float) -> object:
    """The annotation of one feature's field, from its contract rules and, for a float, the
    largest magnitude the model can take (bounds.py)."""
    kind = rules.get("type", "float")
    if rules.get("allowed") and kind in ("str", "int", "bool"):
        annotation = Literal[tuple(rules["allowed"])]  # an enum in the OpenAPI document
    elif kind == "float":
        annotation = Annotated[float, Field(ge=-bound, le=bound)]
    else:
        annotation = TYPES[kind]
    return annotation | None if rules.get("nullable") else annotation


def request_models(
    features: list[str], columns: dict, bounds: dict, max_rows: int
) -> tuple[type[BaseModel], type[BaseModel]]:
    """The body of /predict (one row) and of /predict/batch ({"instances": [rows]})."""
    fields = {
        f"feature_{position}": (
            feature_type(columns.get(name, {}), bounds.get(name, FLOAT32_MAX)),
            Field(alias=name),
        )
        for position, name in enumerate(features)
    }
    features_model = create_model("Features", __config__=STRICT, **fields)
    batch_model = create_model(
        "Batch",
        __config__=STRICT,
        instances=(list[features_model], Field(min_length=1, max_length=max_rows)),
    )
    return features_model, batch_model


class Prediction(BaseModel):
    prediction: StrictStr | StrictBool | StrictInt | float = Field(
        description="the predicted class, or the predicted number of a regression model"
    )
    probabilities: dict[str, float] | None = Field(
        None, description="each class's probability, for a classifier that gives them"
    )


class Predictions(BaseModel):
    predictions: list[Prediction]


class Problem(BaseModel):
    loc: list[str | int] = Field(description="where: e.g. body, then the field")
    msg: str
    type: str


class ErrorBody(BaseModel):
    """Every error answer of the service has this shape, whatever its status."""

    detail: list[Problem]


class Ready(BaseModel):
    ready: bool


class Version(BaseModel):
    model: str | None
    version: str | None
    git_commit: str | None
    data_md5: str | None
    model_md5: str | None
    project_version: str | None
    cd4ml_version: str | None = None
    implementation: str | None = None  # what answers: "onnx" (onnxruntime) or "sklearn"


ERRORS = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "the body cannot be decoded"),
        (408, "the body did not arrive within serve.body_timeout_seconds"),
        (411, "a POST without Content-Length or chunked framing"),
        (413, "the body is larger than serve.max_body_bytes"),
        (422, "a field is missing, unknown, of the wrong type or out of range"),
        (500, "the model failed on this request"),
        (503, "the service is stopping"),
    )
}


def problem(loc: list, msg: str, kind: str) -> dict:
    return {"detail": [{"loc": loc, "msg": msg, "type": kind}]}
