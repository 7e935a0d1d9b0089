"""``mx.sym.maximum`` / ``minimum`` / ``pow`` / ``power`` / ``hypot`` / ``eye`` / ``linspace``.

The binary functions dispatch as MXNet 1.9.1's ``symbol.py`` does (no broadcasting):
Symbol and Symbol -> the elementwise op through its legacy name (``_Maximum``,
``_Minimum``, ``_Power``, ``_Hypot``, so nodes are auto-named ``_maximum0``);
Symbol and number -> the scalar op (``_MaximumScalar`` ... with ``scalar`` as
given; a number base in ``pow`` uses ``_RPowerScalar``); two numbers -> the
Python result.
"""

from __future__ import annotations

from numbers import Number
from typing import Any

import numpy as np

from .register import make_function
from .symbol import Symbol

__all__ = ["maximum", "minimum", "pow", "power", "hypot", "eye", "linspace"]


def _dispatch(left: Any, right: Any, array_op: str, scalar_op: str, rscalar_op: str,
              both_numbers: Any) -> Any:
    if isinstance(left, Symbol) and isinstance(right, Symbol):
        return make_function(array_op, array_op)(left, right)
    if isinstance(left, Symbol) and isinstance(right, Number):
        return make_function(scalar_op, scalar_op)(left, scalar=right)
    if isinstance(left, Number) and isinstance(right, Symbol):
        return make_function(rscalar_op, rscalar_op)(right, scalar=left)
    if isinstance(left, Number) and isinstance(right, Number):
        return both_numbers(left, right)
    raise TypeError(f"types ({type(left)}, {type(right)}) not supported")


def maximum(left: Any, right: Any) -> Any:
    """Elementwise maximum of Symbols or numbers (``_Maximum`` / ``_MaximumScalar``)."""
    return _dispatch(left, right, "_Maximum", "_MaximumScalar", "_MaximumScalar",
                     lambda x, y: x if x > y else y)


def minimum(left: Any, right: Any) -> Any:
    """Elementwise minimum of Symbols or numbers (``_Minimum`` / ``_MinimumScalar``)."""
    return _dispatch(left, right, "_Minimum", "_MinimumScalar", "_MinimumScalar",
                     lambda x, y: x if x < y else y)


def pow(base: Any, exp: Any) -> Any:  # noqa: A001  (MXNet's name)
    """``base ** exp`` elementwise (``_Power`` / ``_PowerScalar`` / ``_RPowerScalar``)."""
    return _dispatch(base, exp, "_Power", "_PowerScalar", "_RPowerScalar",
                     lambda x, y: x ** y)


def power(base: Any, exp: Any) -> Any:
    """Same as ``pow`` (MXNet's ``sym.power``)."""
    return pow(base, exp)


def hypot(left: Any, right: Any) -> Any:
    """``sqrt(left**2 + right**2)`` elementwise (``_Hypot`` / ``_HypotScalar``)."""
    return _dispatch(left, right, "_Hypot", "_HypotScalar", "_HypotScalar", np.hypot)


def eye(N: int, M: int = 0, k: int = 0, dtype: Any = None, **kwargs: Any) -> Symbol:  # noqa: N803
    """A 2-D symbol with ones on diagonal ``k`` (op ``_eye``; attributes N, M, k, dtype)."""
    return make_function("_eye", "_eye")(N, M, k, dtype=dtype or np.float32, **kwargs)


def linspace(start: float, stop: float, num: int, endpoint: bool = True,
             name: str | None = None, dtype: Any = None) -> Symbol:
    """``num`` evenly spaced values (op ``_linspace``)."""
    return make_function("_linspace", "_linspace")(
        start=start, stop=stop, num=num, endpoint=endpoint, name=name,
        dtype=dtype or np.float32)
