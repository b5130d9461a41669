"""A fitted pipeline of train.make_model as an ONNX model, or ConversionError saying why not.

The ONNX model takes one input per model column, in feature_names_in_ order: numbers and booleans
as doubles (a gap is NaN), text as strings. It imputes and scales in double precision as
scikit-learn does; a tree ensemble then sees each value rounded to float32, again as scikit-learn's
trees do, with every threshold moved down to the largest float32 not above it (skl2onnx stores
thresholds as float32), so that `x <= t` picks the same branch for every float32 x; onnxruntime
sums its trees in double and answers float32 (a relative difference of about 6e-8). LightGBM's
estimators compare doubles and take the doubles as they are (lightgbm_trees.py). Its outputs:
the transformed features (`features`, which runtime checks as scikit-learn's estimators check
their input) and the estimator's answer.
"""

import copy

import numpy as np
import pandas as pd

from ..errors import first_line, shorten
from . import lightgbm_trees

OPSET = {"": 18, "ai.onnx.ml": 3}
FEATURES = "features"  # the graph output holding the preprocessed matrix


class ConversionError(Exception):
    """The model has no ONNX form that answers as it does; the message is the one-line reason."""


def is_tree_ensemble(estimator) -> bool:
    return hasattr(estimator, "estimators_") and hasattr(estimator.estimators_[0], "tree_")


def describe(model) -> dict:
    """What runtime needs to know of the model, kept in model.json: its columns in order, how the
    estimator checks the transformed features (scikit-learn's refuse infinities, "finite", and its
    tree ensembles values beyond float32, "trees"; LightGBM takes any double), and a classifier's
    classes as JSON has them."""
    estimator = model.steps[-1][1]
    description = {
        "features": [str(name) for name in model.feature_names_in_],
        "trees": is_tree_ensemble(estimator),
        "finite": not lightgbm_trees.is_lightgbm(estimator),
    }
    if hasattr(model, "predict_proba"):
        description["classes"] = [
            label.item() if isinstance(label, np.generic) else label for label in model.classes_
        ]
    return description


def is_number(dtype) -> bool:
    return pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype)


def convert(model, sample: pd.DataFrame):
    """The ONNX model of a fitted Pipeline([features?], preprocess, estimator); sample holds rows in
    the model's columns and declared dtypes (to type the inputs and to test the features step)."""
    steps = dict(getattr(model, "steps", []))
    if set(steps) - {"features"} != {"preprocess", "estimator"}:
        raise ConversionError("not a pipeline of features, preprocess and estimator steps")
    if "features" in steps:
        check_identity(steps["features"], sample)
    try:
        return _converted(steps["preprocess"], steps["estimator"], sample)
    except ConversionError:
        raise
    except Exception as error:  # skl2onnx raises almost any type, with messages of any length
        raise ConversionError(
            f"skl2onnx cannot convert {type(steps['estimator']).__name__}: "
            f"{shorten(first_line(error), 200)}"
        ) from None


def check_identity(step, sample: pd.DataFrame) -> None:
    """The team's features step has no ONNX form, being Python; it converts only when it returns
    its input unchanged (the default add_features), which the sample shows."""
    name = getattr(getattr(step, "func", None), "__name__", "features")
    try:
        derived = step.transform(sample)
    except Exception as error:
        raise ConversionError(f"{name} fails on the test rows: {first_line(error)}") from None
    if not (isinstance(derived, pd.DataFrame) and derived.equals(sample)):
        raise ConversionError(
            f"{name} derives columns in Python, which ONNX cannot express; scikit-learn answers"
        )


def _converted(preprocess, estimator, sample: pd.DataFrame):
    from onnx import TensorProto, compose
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import DoubleTensorType

    width = preprocess.transform(sample.head(1)).shape[1]
    trees, lightgbm = is_tree_ensemble(estimator), lightgbm_trees.is_lightgbm(estimator)
    if trees:
        estimator = float32_thresholds(estimator)
    if lightgbm:
        try:
            lightgbm_trees.register(estimator)
        except ImportError as error:
            raise ConversionError(str(error)) from None
    back = convert_sklearn(
        estimator,
        initial_types=[("transformed", DoubleTensorType([None, width]))],
        options={id(estimator): {"zipmap": False}} if hasattr(estimator, "predict_proba") else None,
        target_opset=OPSET,
    )
    for output in back.graph.output if trees or lightgbm else []:
        # onnxruntime's tree ensembles sum in double but answer float32, whatever skl2onnx declares
        if output.type.tensor_type.elem_type == TensorProto.DOUBLE:
            output.type.tensor_type.elem_type = TensorProto.FLOAT
    front = with_outputs(_preprocessing(preprocess, sample), width, trees)
    front, back = same_opsets(front), compose.add_prefix(same_opsets(back), "estimator_")
    return compose.merge_models(front, back, io_map=[("fed", "estimator_transformed")])


def _preprocessing(preprocess, sample: pd.DataFrame):
    """The ColumnTransformer in ONNX, one input per column, named input_<position> (skl2onnx
    matches a ColumnTransformer's columns to inputs by name, and a column's own name may be no
    valid one)."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import DoubleTensorType, StringTensorType
    from sklearn.impute import SimpleImputer

    names = {column: f"input_{index}" for index, column in enumerate(sample.columns)}
    renamed = copy.deepcopy(preprocess)
    renamed.transformers_ = [
        (label, part, [names[column] for column in _column_names(columns, sample)])
        for label, part, columns in renamed.transformers_
    ]
    renamed.feature_names_in_ = np.asarray(list(names.values()), dtype=object)
    inputs = [
        (names[column], (DoubleTensorType if is_number(dtype) else StringTensorType)([None, 1]))
        for column, dtype in sample.dtypes.items()
    ]
    return convert_sklearn(
        renamed,
        initial_types=inputs,
        custom_conversion_functions={SimpleImputer: _double_imputer},
        target_opset=OPSET,
    )


def with_outputs(front, width: int, trees: bool):
    """The preprocessing graph with its matrix as FEATURES, and as "fed", what the estimator
    takes: for scikit-learn's trees each value rounded to float32 (kept as a double, so that
    onnxruntime sums the trees in double), for its other estimators the doubles as they are."""
    from onnx import TensorProto, helper

    (matrix,) = [output.name for output in front.graph.output]
    rounded = [helper.make_node("Cast", [matrix], ["rounded"], to=TensorProto.FLOAT)]
    rounded.append(helper.make_node("Cast", ["rounded"], ["fed"], to=TensorProto.DOUBLE))
    front.graph.node.extend(
        [
            helper.make_node("Identity", [matrix], [FEATURES]),
            *(rounded if trees else [helper.make_node("Identity", [matrix], ["fed"])]),
        ]
    )
    del front.graph.output[0]
    front.graph.output.extend(
        [
            helper.make_tensor_value_info(FEATURES, TensorProto.DOUBLE, [None, width]),
            helper.make_tensor_value_info("fed", TensorProto.DOUBLE, [None, width]),
        ]
    )
    return front


def same_opsets(model):
    """model at OPSET's versions: skl2onnx gives each part the lowest that suffices, and only
    models of equal versions merge."""
    from onnx import version_converter

    versions = {entry.domain: entry.version for entry in model.opset_import}
    if versions.get("", OPSET[""]) != OPSET[""]:
        model = version_converter.convert_version(model, OPSET[""])
    for entry in model.opset_import:
        entry.version = OPSET.get(entry.domain, entry.version)
    return model


def _column_names(columns, sample: pd.DataFrame) -> list[str]:
    if isinstance(columns, str) and columns in ("drop", "passthrough"):
        return []
    index = pd.Index(sample.columns)
    return [
        str(index[column]) if isinstance(column, (int, np.integer)) else column
        for column in columns
    ]


def float32_thresholds(estimator):
    """A copy whose trees' thresholds are the largest float32 at or below each: ONNX compares in
    float32, and a float32 x is <= t exactly when it is <= that number."""
    moved = copy.deepcopy(estimator)
    for tree in moved.estimators_:
        thresholds = tree.tree_.threshold  # a view of the tree's nodes
        nearest = thresholds.astype(np.float32)
        above = nearest.astype(np.float64) > thresholds
        nearest[above] = np.nextafter(nearest[above], np.float32(-np.inf))
        thresholds[:] = nearest.astype(np.float64)
    return moved


def _double_imputer(scope, operator, container):
    """SimpleImputer over doubles with NaN gaps, in double precision (skl2onnx's Imputer node
    computes in float32); any other imputer goes to skl2onnx's own converter."""
    from onnx import TensorProto
    from skl2onnx.common.data_types import DoubleTensorType, StringTensorType
    from skl2onnx.operator_converters.common import concatenate_variables
    from skl2onnx.operator_converters.imputer_op import convert_sklearn_imputer

    imputer = operator.raw_operator
    gaps_are_nan = isinstance(imputer.missing_values, float) and np.isnan(imputer.missing_values)
    if isinstance(operator.inputs[0].type, StringTensorType) and gaps_are_nan:
        # runtime.feeds sends a text gap as "", which skl2onnx's string imputer then fills
        operator.raw_operator = copy.copy(imputer)
        operator.raw_operator.missing_values = ""
        return convert_sklearn_imputer(scope, operator, container)
    if not isinstance(operator.inputs[0].type, DoubleTensorType) or not gaps_are_nan:
        return convert_sklearn_imputer(scope, operator, container)
    matrix = concatenate_variables(scope, operator.inputs, container)
    fill, gap = scope.get_unique_variable_name("fill"), scope.get_unique_variable_name("gap")
    statistics = imputer.statistics_.astype(np.float64)
    container.add_initializer(fill, TensorProto.DOUBLE, [len(statistics)], statistics.tolist())
    container.add_node("IsNaN", [matrix], [gap])
    container.add_node("Where", [gap, fill, matrix], [operator.outputs[0].full_name])
