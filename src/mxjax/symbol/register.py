"""``mx.sym.<Op>``: every registered operator as a symbol-building function."""

from __future__ import annotations

from typing import Any

from ..operator.registry import get_op
from .symbol import Symbol, create_op_symbol

__all__ = ["make_function"]


def make_function(func_name: str, op_name: str):
    """The ``mx.sym.<func_name>`` function; its lowercased name is the auto-name hint."""
    hint = func_name.lower()

    def fn(*args: Any, name: str | None = None, attr: dict | None = None,
           **kwargs: Any) -> Symbol:
        return create_op_symbol(op_name, args, kwargs, name=name, attr=attr, hint=hint)

    fn.__name__ = func_name
    fn.__qualname__ = func_name
    fn.__doc__ = get_op(op_name).__doc__
    return fn
