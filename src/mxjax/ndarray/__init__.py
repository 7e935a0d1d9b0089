"""``mx.nd``: NDArray, creation functions, every operator, and MXNet's file format."""

from __future__ import annotations

import types as _types

from .. import operator as _operator  # noqa: F401  (registers the ops)
from ..operator.registry import all_ops as _all_ops
from . import (
    random,  # noqa: F401
    utils,  # noqa: F401
)
from .mutate import make_mutating_function
from .ndarray import (
    NDArray,
    arange,
    array,
    concat,
    concatenate,
    empty,
    from_jax,
    full,
    moveaxis,
    ones,
    ones_like,
    stack,
    waitall,
    zeros,
    zeros_like,
)
from .register import invoke, make_function
from .utils import load, load_frombuffer, save, save_tobuffer

_internal = _types.ModuleType("mxjax.ndarray._internal", "Operators whose names start with _")
op = _types.ModuleType("mxjax.ndarray.op", "All operators")

_HANDWRITTEN = {"zeros", "ones", "full", "arange", "concat", "stack", "zeros_like", "ones_like"}
for _name, _op in sorted(_all_ops().items()):
    # MXNet's optimizer ops write their state inputs in place
    _make = make_mutating_function if getattr(_op, "mutate_inputs", False) else make_function
    _fn = _make(_name) if _make is make_mutating_function else _make(_name, _name)
    setattr(op, _name, _fn)
    if _name.startswith("_"):
        setattr(_internal, _name, _fn)
    elif _name not in _HANDWRITTEN:
        globals()[_name] = _fn

# NDArray methods that call the operator of the same name on self (MXNet's fluent API)
_FLUENT = [
    "reshape_like", "zeros_like", "ones_like", "broadcast_axes", "repeat", "pad", "swapaxes",
    "split", "slice", "slice_axis", "slice_like", "take", "one_hot", "pick", "sort", "topk",
    "argsort",
    "argmax", "argmax_channel", "argmin", "clip", "abs", "sign", "shape_array", "size_array",
    "tile", "transpose", "flip", "depth_to_space", "space_to_depth", "sum", "nansum", "prod",
    "nanprod", "mean", "max", "min", "norm", "round", "rint", "fix", "floor", "ceil", "trunc",
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "degrees", "radians", "sinh", "cosh",
    "tanh", "arcsinh", "arccosh", "arctanh", "exp", "expm1", "log", "log10", "log2", "log1p",
    "sqrt", "rsqrt", "cbrt", "rcbrt", "square", "reciprocal", "relu", "sigmoid", "softmax",
    "log_softmax", "softmin", "broadcast_like", "diag",
]


def _fluent(name: str):
    def method(self, *args, **kwargs):
        return invoke(name, (self, *args), kwargs)

    method.__name__ = name
    method.__doc__ = f"``mx.nd.{name}(self, ...)``."
    return method


for _name in _FLUENT:
    if _name in _all_ops() and not hasattr(NDArray, _name):
        setattr(NDArray, _name, _fluent(_name))


def _fluent_dot(self, other, **kwargs):
    return invoke("dot", (self, other), kwargs)


NDArray.dot = _fluent_dot

# MXNet's module-level binary functions, legacy creation functions and slice assignment
from .._unsupported import unsupported_function as _unsupported_function  # noqa: E402
from .creation import eye, linspace, onehot_encode  # noqa: E402
from .creation import slice_assign as _slice_assign  # noqa: E402
from .creation import slice_assign_scalar as _slice_assign_scalar  # noqa: E402
from .ufunc import (  # noqa: E402
    add,
    divide,
    equal,
    greater,
    greater_equal,
    lesser,
    lesser_equal,
    logical_and,
    logical_or,
    logical_xor,
    maximum,
    minimum,
    modulo,
    multiply,
    not_equal,
    power,
    subtract,
    true_divide,
)

NDArray.slice_assign = _slice_assign
NDArray.slice_assign_scalar = _slice_assign_scalar

#: MXNet's ``Custom`` op runs Python CustomOp code: not supported (raises MXNetError)
Custom = _unsupported_function(
    "Custom", "nd", "Python custom operators (op_type='Custom') are not supported",
    "build the computation from mx.nd operators")

__all__ = [
    "NDArray", "array", "arange", "concat", "concatenate", "empty", "from_jax", "full",
    "moveaxis", "ones", "ones_like", "stack", "waitall", "zeros", "zeros_like", "invoke",
    "random", "op", "save", "load", "load_frombuffer", "save_tobuffer", "utils",
    "eye", "linspace", "onehot_encode", "add", "subtract", "multiply", "divide", "true_divide",
    "modulo", "power", "maximum", "minimum", "equal", "not_equal", "greater", "greater_equal",
    "lesser", "lesser_equal", "logical_and", "logical_or", "logical_xor", "Custom",
]
