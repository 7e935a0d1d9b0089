"""``mx.sym``: Symbol, variables, groups, JSON loading, and every operator."""

from __future__ import annotations

import types as _types
from typing import Any as _Any

from .. import operator as _operator  # noqa: F401  (registers the ops)
from ..operator.registry import all_ops as _all_ops
from . import random  # noqa: F401  (mx.sym.random)
from .register import make_function
from .symbol import (
    Group,
    Symbol,
    Variable,
    create_op_symbol,
    install_fluent_methods,
    load,
    load_json,
    var,
)

_internal = _types.ModuleType("mxjax.symbol._internal", "Operators whose names start with _")
op = _types.ModuleType("mxjax.symbol.op", "All operators")

for _name in sorted(_all_ops()):
    _fn = make_function(_name, _name)
    setattr(op, _name, _fn)
    if _name.startswith("_"):
        setattr(_internal, _name, _fn)
    else:
        globals()[_name] = _fn
install_fluent_methods(set(_all_ops()))

from .._unsupported import unsupported_function as _unsupported_function  # noqa: E402
from .ufunc import eye, hypot, linspace, maximum, minimum, pow, power  # noqa: E402

#: MXNet's ``Custom`` op runs Python CustomOp code: not supported (raises MXNetError)
Custom = _unsupported_function(
    "Custom", "sym", "Python custom operators (op_type='Custom') are not supported",
    "build the computation from mx.sym operators")


def zeros(shape: _Any, dtype: _Any = None, name: str | None = None, **kwargs: _Any) -> Symbol:
    """A constant zero symbol (op ``_zeros``; 0 dims are inferred)."""
    return create_op_symbol("_zeros", [], {"shape": shape, "dtype": dtype or "float32",
                                           **kwargs}, name=name, hint="_zeros")


def ones(shape: _Any, dtype: _Any = None, name: str | None = None, **kwargs: _Any) -> Symbol:
    """A constant one symbol (op ``_ones``)."""
    return create_op_symbol("_ones", [], {"shape": shape, "dtype": dtype or "float32",
                                          **kwargs}, name=name, hint="_ones")


def full(shape: _Any, val: float, dtype: _Any = None, name: str | None = None,
         **kwargs: _Any) -> Symbol:
    """A constant symbol filled with ``val`` (op ``_full``; MXNet stores ``float(val)``)."""
    return create_op_symbol("_full", [], {"shape": shape, "value": float(val),
                                          "dtype": dtype or "float32", **kwargs},
                            name=name, hint="_full")


def arange(start: float, stop: float | None = None, step: float = 1.0, repeat: int = 1,
           infer_range: bool = False, name: str | None = None, dtype: _Any = None) -> Symbol:
    """Evenly spaced values (op ``_arange``, every attribute written as MXNet does)."""
    return create_op_symbol("_arange", [], {"start": start, "stop": stop, "step": step,
                                            "repeat": repeat, "infer_range": infer_range,
                                            "dtype": dtype or "float32"},
                            name=name, hint="_arange")


__all__ = ["Group", "Symbol", "Variable", "load", "load_json", "var", "zeros", "ones", "full",
           "arange", "op", "eye", "hypot", "linspace", "maximum", "minimum", "pow", "power",
           "Custom", "random"]
