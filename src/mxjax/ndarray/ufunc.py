"""``mx.nd.maximum`` / ``add`` / ``greater`` ...: MXNet 1.9.1's module-level binary functions.

Each reproduces MXNet's ``_ufunc_helper`` dispatch:

* NDArray and NDArray -> the broadcasting op (``broadcast_maximum``);
* NDArray and number -> the scalar op with ``float(number)`` (``_maximum_scalar``);
* number and NDArray -> the reversed scalar op where the operation is not
  symmetric (``_rminus_scalar``, ``_rdiv_scalar``, ``_rmod_scalar``,
  ``_rpower_scalar``; ``greater(3, x)`` is ``_lesser_scalar(x, 3)``), else the
  scalar op with the operands swapped;
* number and number -> the plain Python result (comparisons give 1 or 0).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from .ndarray import NDArray
from .register import invoke

__all__ = [
    "add", "subtract", "multiply", "divide", "true_divide", "modulo", "power", "maximum",
    "minimum", "equal", "not_equal", "greater", "greater_equal", "lesser", "lesser_equal",
    "logical_and", "logical_or", "logical_xor",
]

_NUMERIC = (int, float, np.generic)


def _is_number(x: Any) -> bool:
    return isinstance(x, _NUMERIC) and not isinstance(x, np.ndarray)


def _ufunc(lhs: Any, rhs: Any, array_op: str, fn_scalar: Callable[[Any, Any], Any],
           scalar_op: str, rscalar_op: str | None) -> Any:
    if _is_number(lhs):
        if _is_number(rhs):
            return fn_scalar(lhs, rhs)
        if not isinstance(rhs, NDArray):
            raise TypeError(f"type {type(rhs)} not supported")
        return invoke(rscalar_op or scalar_op, (rhs,), {"scalar": float(lhs)})
    if not isinstance(lhs, NDArray):
        raise TypeError(f"type {type(lhs)} not supported")
    if _is_number(rhs):
        return invoke(scalar_op, (lhs,), {"scalar": float(rhs)})
    if isinstance(rhs, NDArray):
        return invoke(array_op, (lhs, rhs), {})
    raise TypeError(f"type {type(rhs)} not supported")


def _flag(test: Callable[[Any, Any], Any]) -> Callable[[Any, Any], int]:
    return lambda x, y: 1 if test(x, y) else 0


def _make(name: str, array_op: str, fn_scalar: Callable[[Any, Any], Any], scalar_op: str,
          rscalar_op: str | None = None) -> Callable[[Any, Any], Any]:
    def fn(lhs: Any, rhs: Any) -> Any:
        return _ufunc(lhs, rhs, array_op, fn_scalar, scalar_op, rscalar_op)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"``mx.nd.{name}(lhs, rhs)``: ``{array_op}`` for two NDArrays (with "
                  f"broadcasting), ``{scalar_op}`` with a number, as MXNet's ``_ufunc_helper``.")
    return fn


add = _make("add", "broadcast_add", operator.add, "_plus_scalar")
subtract = _make("subtract", "broadcast_sub", operator.sub, "_minus_scalar", "_rminus_scalar")
multiply = _make("multiply", "broadcast_mul", operator.mul, "_mul_scalar")
divide = _make("divide", "broadcast_div", operator.truediv, "_div_scalar", "_rdiv_scalar")
true_divide = _make("true_divide", "broadcast_div", operator.truediv, "_div_scalar",
                    "_rdiv_scalar")
modulo = _make("modulo", "broadcast_mod", operator.mod, "_mod_scalar", "_rmod_scalar")
power = _make("power", "broadcast_power", operator.pow, "_power_scalar", "_rpower_scalar")
maximum = _make("maximum", "broadcast_maximum", lambda x, y: x if x > y else y,
                "_maximum_scalar")
minimum = _make("minimum", "broadcast_minimum", lambda x, y: x if x < y else y,
                "_minimum_scalar")
equal = _make("equal", "broadcast_equal", _flag(operator.eq), "_equal_scalar")
not_equal = _make("not_equal", "broadcast_not_equal", _flag(operator.ne), "_not_equal_scalar")
greater = _make("greater", "broadcast_greater", _flag(operator.gt), "_greater_scalar",
                "_lesser_scalar")
greater_equal = _make("greater_equal", "broadcast_greater_equal", _flag(operator.ge),
                      "_greater_equal_scalar", "_lesser_equal_scalar")
lesser = _make("lesser", "broadcast_lesser", _flag(operator.lt), "_lesser_scalar",
               "_greater_scalar")
lesser_equal = _make("lesser_equal", "broadcast_lesser_equal", _flag(operator.le),
                     "_lesser_equal_scalar", "_greater_equal_scalar")
logical_and = _make("logical_and", "broadcast_logical_and", _flag(lambda x, y: x and y),
                    "_logical_and_scalar")
logical_or = _make("logical_or", "broadcast_logical_or", _flag(lambda x, y: x or y),
                   "_logical_or_scalar")
logical_xor = _make("logical_xor", "broadcast_logical_xor",
                    _flag(lambda x, y: bool(x) != bool(y)), "_logical_xor_scalar")
