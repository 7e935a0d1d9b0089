"""``mx.nd``: NDArray, creation functions, every operator, and MXNet's file format."""

from __future__ import annotations

import types as _types

from .. import operator as _operator  # noqa: F401  (registers the ops)
from ..operator.registry import all_ops as _all_ops
from . import (
    random,  # noqa: F401
    utils,  # noqa: F401
)
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
for _name in sorted(_all_ops()):
    _fn = make_function(_name, _name)
    setattr(op, _name, _fn)
    if _name.startswith("_"):
        setattr(_internal, _name, _fn)
    elif _name not in _HANDWRITTEN:
        globals()[_name] = _fn

# NDArray methods that are operators with the array as first input (MXNet's fluent API)
_FLUENT = [
    "sum", "mean", "max", "min", "prod", "nansum", "nanprod", "norm", "argmax", "argmin",
    "argmax_channel", "exp", "log", "log10", "log2", "log1p", "expm1", "sqrt", "rsqrt", "cbrt",
    "square", "abs", "sign", "round", "rint", "floor", "ceil", "trunc", "fix", "sin", "cos",
    "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh",
    "arctanh", "degrees", "radians", "reciprocal", "relu", "sigmoid", "softsign", "softmax",
    "log_softmax", "softmin", "transpose", "expand_dims", "clip", "one_hot", "split",
    "swapaxes", "tile", "repeat", "pad", "slice", "slice_axis", "slice_like", "take", "pick",
    "topk", "sort", "argsort", "squeeze", "broadcast_to", "broadcast_like", "broadcast_axes",
    "reshape_like", "flip", "diag", "erf", "erfinv", "gamma", "gammaln", "zeros_like",
    "ones_like", "shape_array", "size_array",
]
for _name in _FLUENT:
    if _name in _all_ops() and not hasattr(NDArray, _name):
        setattr(NDArray, _name, (lambda n: lambda self, *a, **k: invoke(n, (self, *a), k))(_name))


def _fluent_dot(self, other, **kwargs):
    return invoke("dot", (self, other), kwargs)


NDArray.dot = _fluent_dot

__all__ = [
    "NDArray", "array", "arange", "concat", "concatenate", "empty", "from_jax", "full",
    "moveaxis", "ones", "ones_like", "stack", "waitall", "zeros", "zeros_like", "invoke",
    "random", "op", "save", "load", "load_frombuffer", "save_tobuffer", "utils",
]
