"""``mx.name``: automatic node names (``NameManager``) and name prefixes (``Prefix``).

MXNet names an unnamed op ``<hint><n>`` (``fullyconnected0``), with one counter
per hint that is process-global; ``with NameManager():`` starts fresh counters
for its block, and ``with Prefix('p_'):`` prepends ``p_`` to every op name
(explicit names included, variables excluded).
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["NameManager", "Prefix"]


class NameManager:
    """Hands out ``<hint><n>`` names; the innermost ``with`` block's manager is current."""

    _current = threading.local()

    def __init__(self) -> None:
        self._counter: dict[str, int] = {}
        self._old_manager: NameManager | None = None

    def get(self, name: str | None, hint: str) -> str:
        if name:
            return name
        n = self._counter.get(hint, 0)
        self._counter[hint] = n + 1
        return f"{hint}{n}"

    def __enter__(self) -> NameManager:
        self._old_manager = NameManager.current()
        NameManager._current.value = self
        return self

    def __exit__(self, *exc: Any) -> None:
        NameManager._current.value = self._old_manager

    @staticmethod
    def current() -> NameManager:
        cur = getattr(NameManager._current, "value", None)
        if cur is None:
            cur = NameManager._current.value = NameManager()
        return cur


class Prefix(NameManager):
    """Prepends ``prefix`` to every op name made in its block."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self._prefix = prefix

    def get(self, name: str | None, hint: str) -> str:
        return self._prefix + super().get(name, hint)
