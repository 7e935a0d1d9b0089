"""Shared foundations: MXNet's error type, its dtype table, and the 64-bit scope.

MXNet keeps every dtype exactly (float64 stays float64, int64 stays int64);
JAX by default truncates them to 32 bits. mxjax runs its own computations
inside ``jax.enable_x64(True)``, a thread-local scope, so 64-bit arrays keep
their dtype while code outside mxjax keeps JAX's default behaviour. Every
mxjax computation names its dtypes explicitly (float32 unless told otherwise),
so the wider scope never widens a float32 computation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import jax
import numpy as np

__all__ = [
    "MXNetError",
    "classproperty",
    "ClassPropertyMeta",
    "x64",
    "with_x64",
    "DTYPE_TO_FLAG",
    "FLAG_TO_DTYPE",
    "dtype_np",
    "dtype_name",
    "numeric_types",
    "integer_types",
    "string_types",
]


class MXNetError(RuntimeError):
    """The error MXNet raises for bad input (``mxnet.base.MXNetError``, a ``RuntimeError``)."""


class classproperty:  # noqa: N801  (named like MXNet's)
    """A property on the class itself (MXNet's ``NameManager.current``, ``Context.default_ctx``).

    Assignment on the class works when the class uses ``ClassPropertyMeta``.
    """

    def __init__(self, fget: Callable[[Any], Any], fset: Callable[[Any, Any], None] | None = None):
        self.fget = fget
        self.fset = fset
        self.__doc__ = fget.__doc__

    def __get__(self, obj: Any, klass: type | None = None) -> Any:
        return self.fget(klass if klass is not None else type(obj))

    def __set__(self, obj: Any, value: Any) -> None:
        if self.fset is None:
            raise AttributeError("can't set attribute")
        self.fset(obj if isinstance(obj, type) else type(obj), value)

    def setter(self, fset: Callable[[Any, Any], None]) -> classproperty:
        self.fset = fset
        return self


class ClassPropertyMeta(type):
    """Routes ``Cls.name = value`` to a ``classproperty``'s setter."""

    def __setattr__(cls, key: str, value: Any) -> None:
        for klass in cls.__mro__:
            obj = klass.__dict__.get(key)
            if isinstance(obj, classproperty):
                obj.__set__(cls, value)
                return
        super().__setattr__(key, value)


numeric_types = (float, int, np.generic)
integer_types = (int, np.integer)
string_types = (str,)

_F = TypeVar("_F", bound=Callable[..., Any])


def x64():
    """The scope every mxjax computation runs in (see module docstring)."""
    return jax.enable_x64(True)


def with_x64(fn: _F) -> _F:
    """Decorator: run ``fn`` inside the 64-bit scope."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with jax.enable_x64(True):
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


# mshadow TypeFlag, as written in .params files and in ``__dtype__`` attributes.
_FLAGS: list[tuple[int, str]] = [
    (0, "float32"),
    (1, "float64"),
    (2, "float16"),
    (3, "uint8"),
    (4, "int32"),
    (5, "int8"),
    (6, "int64"),
    (7, "bool"),
    (8, "int16"),
    (9, "uint16"),
    (10, "uint32"),
    (11, "uint64"),
]
FLAG_TO_DTYPE: dict[int, np.dtype] = {f: np.dtype(n) for f, n in _FLAGS}
DTYPE_TO_FLAG: dict[np.dtype, int] = {np.dtype(n): f for f, n in _FLAGS}
try:  # bfloat16 comes with JAX's ml_dtypes
    import ml_dtypes

    FLAG_TO_DTYPE[12] = np.dtype(ml_dtypes.bfloat16)
    DTYPE_TO_FLAG[np.dtype(ml_dtypes.bfloat16)] = 12
except ImportError:  # pragma: no cover - ml_dtypes ships with jaxlib
    pass


def dtype_np(dtype: Any, default: Any = np.float32) -> np.dtype:
    """Normalise an MXNet dtype spec (None, str, numpy type, jax dtype) to ``np.dtype``."""
    if dtype is None:
        return np.dtype(default)
    if isinstance(dtype, str) and dtype.isdigit():
        return FLAG_TO_DTYPE[int(dtype)]
    try:
        return np.dtype(dtype)
    except TypeError as err:
        raise MXNetError(f"unknown dtype {dtype!r}") from err


def dtype_name(dtype: Any) -> str:
    """The dtype's name as MXNet writes it in op attributes (``'float32'``)."""
    return np.dtype(dtype).name


def as_list(x: Any) -> list:
    """None -> [], a list or tuple -> a list, anything else -> [x]."""
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]
