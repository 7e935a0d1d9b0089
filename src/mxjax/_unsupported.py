"""Names MXNet 1.9.1 has but mxjax does not support: each raises a clear ``MXNetError``.

A user touching ``mx.model.FeedForward``, ``mx.io.ImageRecordIter``,
``mx.sym.Custom`` or ``mx.operator.CustomOp`` gets an error that says what is
unsupported and what to use instead, rather than an ``AttributeError``.
Classes may be subclassed (so a module defining a custom op still imports) but
not instantiated; functions raise when called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from .base import MXNetError

__all__ = ["unsupported_class", "unsupported_function", "unsupported_message"]


def unsupported_message(qualname: str, reason: str, instead: str = "") -> str:
    """The error text: ``<qualname> is not supported by mxjax (<reason>)[; <instead>]``."""
    msg = f"{qualname} is not supported by mxjax ({reason})"
    return f"{msg}; {instead}" if instead else msg


def unsupported_class(name: str, module: str, reason: str, instead: str = "",
                      methods: tuple[str, ...] = ()) -> type:
    """A class whose construction (and listed class-level ``methods``) raise ``MXNetError``."""
    msg = unsupported_message(f"mx.{module}.{name}", reason, instead)

    def _raise(*args: Any, **kwargs: Any) -> NoReturn:
        raise MXNetError(msg)

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: N807
        raise MXNetError(msg)

    ns: dict[str, Any] = {"__init__": __init__, "__doc__": msg,
                          "__module__": f"mxjax.{module}"}
    for m in methods:
        ns[m] = staticmethod(_raise)
    return type(name, (), ns)


def unsupported_function(name: str, module: str, reason: str,
                         instead: str = "") -> Callable[..., NoReturn]:
    """A function that raises ``MXNetError`` when called."""
    msg = unsupported_message(f"mx.{module}.{name}", reason, instead)

    def fn(*args: Any, **kwargs: Any) -> NoReturn:
        raise MXNetError(msg)

    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = f"mxjax.{module}"
    fn.__doc__ = msg
    return fn
