"""``mx.AttrScope``: attributes attached to every symbol made inside a ``with`` block.

Reproduces MXNet 1.9.1's ``python/mxnet/attribute.py``. Values must be strings
(``ValueError`` otherwise). Nested scopes merge, the inner one winning;
attributes passed explicitly (``attr=``) win over the scope's. What a symbol
does with them is the symbol's business: a variable stores them; an operator
call treats them like keyword arguments, so ``ctx_group``/``lr_mult``/... become
hidden ``__x__`` keys and anything else must be an ``__x__`` key or an
attribute of the operator.
"""

from __future__ import annotations

import threading
import warnings
from typing import Any

from .base import ClassPropertyMeta, classproperty

__all__ = ["AttrScope", "current"]


class AttrScope(metaclass=ClassPropertyMeta):
    """``with mx.AttrScope(ctx_group='dev1'):`` adds string attributes to new symbols."""

    _current = threading.local()

    def __init__(self, **kwargs: str) -> None:
        for value in kwargs.values():
            if not isinstance(value, str):
                raise ValueError("Attributes need to be string")
        self._attr: dict[str, str] = kwargs
        self._old_scope: AttrScope | None = None

    def get(self, attr: dict[str, str] | None) -> dict[str, str]:
        """A new dict: the scope's attributes updated with ``attr``."""
        if self._attr:
            ret = dict(self._attr)
            if attr:
                ret.update(attr)
            return ret
        return dict(attr) if attr else {}

    def __enter__(self) -> AttrScope:
        self._old_scope = current()
        merged = dict(self._old_scope._attr)
        merged.update(self._attr)
        self._attr = merged
        AttrScope._current.value = self
        return self

    def __exit__(self, *exc: Any) -> None:
        assert self._old_scope is not None
        AttrScope._current.value = self._old_scope

    @classproperty
    def current(cls) -> AttrScope:  # noqa: N805
        """The scope in effect (deprecated in MXNet in favour of ``with``; warns like MXNet)."""
        warnings.warn("AttrScope.current has been deprecated. It is advised to use the "
                      "`with` statement with AttrScope.", DeprecationWarning, stacklevel=2)
        return current()

    @current.setter
    def current(cls, value: AttrScope) -> None:  # noqa: N805
        warnings.warn("AttrScope.current has been deprecated. It is advised to use the "
                      "`with` statement with AttrScope.", DeprecationWarning, stacklevel=2)
        AttrScope._current.value = value


def current() -> AttrScope:
    """The attribute scope now in effect (an empty one outside any ``with`` block)."""
    cur = getattr(AttrScope._current, "value", None)
    if cur is None:
        cur = AttrScope._current.value = AttrScope()
    return cur
