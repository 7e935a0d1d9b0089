"""``mx.AttrScope``: attributes attached to every symbol made inside a ``with`` block."""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["AttrScope"]


class AttrScope:
    """``with mx.AttrScope(ctx_group='dev1'):`` adds string attributes to new symbols.

    Nested scopes merge (inner wins); attributes passed explicitly win over the scope's.
    """

    _current = threading.local()

    def __init__(self, **kwargs: str) -> None:
        for value in kwargs.values():
            if not isinstance(value, str):
                raise ValueError("Attributes need to be string")
        self._attr = kwargs
        self._old_scope: AttrScope | None = None

    def get(self, attr: dict[str, str] | None) -> dict[str, str]:
        """The scope's attributes updated with ``attr``."""
        if self._attr:
            ret = dict(self._attr)
            if attr:
                ret.update(attr)
            return ret
        return dict(attr) if attr else {}

    def __enter__(self) -> AttrScope:
        self._old_scope = AttrScope.current()
        merged = dict(self._old_scope._attr)
        merged.update(self._attr)
        self._attr = merged
        AttrScope._current.value = self
        return self

    def __exit__(self, *exc: Any) -> None:
        AttrScope._current.value = self._old_scope

    @staticmethod
    def current() -> AttrScope:
        cur = getattr(AttrScope._current, "value", None)
        if cur is None:
            cur = AttrScope._current.value = AttrScope()
        return cur
