"""``mx.name``: automatic node names (``NameManager``) and name prefixes (``Prefix``).

Reproduces MXNet 1.9.1's ``python/mxnet/name.py``: an unnamed op is named
``<hint><n>`` (``fullyconnected0``) with one counter per hint. The counters
belong to the current manager, which is process-global (per thread) until a
``with NameManager():`` block installs a fresh one for its body.
``with Prefix('p_'):`` is such a manager that also prepends ``p_`` to every op
name, explicit names included (variables are never renamed). Nested blocks
restore the outer manager, counters included, on exit.
"""

from __future__ import annotations

import threading
import warnings
from typing import Any

from .base import ClassPropertyMeta, classproperty

__all__ = ["NameManager", "Prefix", "current"]


class NameManager(metaclass=ClassPropertyMeta):
    """Hands out ``<hint><n>`` names; the innermost ``with`` block's manager is current."""

    _current = threading.local()

    def __init__(self) -> None:
        self._counter: dict[str, int] = {}
        self._old_manager: NameManager | None = None

    def get(self, name: str | None, hint: str) -> str:
        """``name`` if given, else ``hint`` followed by this manager's counter for ``hint``."""
        if name:
            return name
        n = self._counter.get(hint, 0)
        self._counter[hint] = n + 1
        return f"{hint}{n}"

    def __enter__(self) -> NameManager:
        self._old_manager = current()
        NameManager._current.value = self
        return self

    def __exit__(self, *exc: Any) -> None:
        assert self._old_manager is not None
        NameManager._current.value = self._old_manager

    @classproperty
    def current(cls) -> NameManager:  # noqa: N805
        """The current manager (deprecated in MXNet in favour of ``with``; warns like MXNet)."""
        warnings.warn("NameManager.current has been deprecated. It is advised to use the "
                      "`with` statement with NameManager.", DeprecationWarning, stacklevel=2)
        return current()

    @current.setter
    def current(cls, value: NameManager) -> None:  # noqa: N805
        NameManager._current.value = value


class Prefix(NameManager):
    """A manager that prepends ``prefix`` to every op name made in its block."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self._prefix = prefix

    def get(self, name: str | None, hint: str) -> str:
        return self._prefix + super().get(name, hint)


def current() -> NameManager:
    """The name manager now in effect (this thread's process-wide one outside ``with``)."""
    cur = getattr(NameManager._current, "value", None)
    if cur is None:
        cur = NameManager._current.value = NameManager()
    return cur
