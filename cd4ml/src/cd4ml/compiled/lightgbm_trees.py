"""LightGBM's estimators in skl2onnx, by onnxmltools' converter, with the model's own doubles.

LightGBM compares each feature, as a double, with thresholds that are doubles. onnxmltools writes
thresholds and leaf values as ONNX float attributes, which rounds them to float32: a value near a
threshold could then take the other branch. Its tree nodes here get them as double tensors
instead (the `*_as_tensor` attributes), which onnxruntime compares a double input with exactly, so
every row takes LightGBM's branches; it sums the leaves in double and answers float32.
onnxmltools is imported only when the model is LightGBM's: the dask extra installs both.
"""

import contextlib

from ..compute import EXTRA_HINT

# onnxmltools' float attributes of a tree ensemble node, and where the doubles go instead
AS_DOUBLES = {
    name: f"{name}_as_tensor"
    for name in ("nodes_values", "nodes_hitrates", "class_weights", "target_weights", "base_values")
}


def is_lightgbm(estimator) -> bool:
    """Whether LightGBM made the estimator, told without importing lightgbm."""
    return type(estimator).__module__.split(".")[0] == "lightgbm"


def register(estimator) -> None:
    """Teach skl2onnx the estimator's type; without onnxmltools, ImportError says what to do."""
    try:
        from onnxmltools.convert.lightgbm.operator_converters.LightGbm import convert_lightgbm
    except ImportError:
        raise ImportError(
            f"LightGBM models compile to ONNX with onnxmltools; {EXTRA_HINT}"
        ) from None
    from skl2onnx import update_registered_converter
    from skl2onnx.common.shape_calculator import (
        calculate_linear_classifier_output_shapes,
        calculate_linear_regressor_output_shapes,
    )

    def converter(scope, operator, container):
        with double_attributes(container):
            convert_lightgbm(scope, operator, container)

    classifier = hasattr(estimator, "predict_proba")
    update_registered_converter(
        type(estimator),
        f"Cd4mlLightGbm{type(estimator).__name__}",
        calculate_linear_classifier_output_shapes
        if classifier
        else calculate_linear_regressor_output_shapes,
        converter,
        options={"zipmap": [True, False, "columns"], "nocl": [True, False]} if classifier else None,
    )


@contextlib.contextmanager
def double_attributes(container):
    """Within it, the container's TreeEnsemble* nodes get their float attributes as doubles."""
    add_node = container.add_node

    def added(op_type, inputs, outputs, *arguments, **attributes):
        if op_type.startswith("TreeEnsemble"):
            attributes = as_doubles(attributes)
        return add_node(op_type, inputs, outputs, *arguments, **attributes)

    container.add_node = added  # shadows the method until the block ends
    try:
        yield
    finally:
        del container.add_node


def as_doubles(attributes: dict) -> dict:
    import numpy as np
    from onnx import numpy_helper

    moved = {}
    for name, values in attributes.items():
        if name in AS_DOUBLES:
            array = np.asarray(values, dtype=np.float64)
            moved[AS_DOUBLES[name]] = numpy_helper.from_array(array, AS_DOUBLES[name])
        else:
            moved[name] = values
    return moved
