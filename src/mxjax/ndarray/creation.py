"""``mx.nd.eye``, ``mx.nd.linspace``, ``mx.nd.onehot_encode`` and the NDArray methods
``slice_assign`` / ``slice_assign_scalar`` (MXNet 1.9.1's ``ndarray.py``)."""

from __future__ import annotations

from typing import Any

from ..base import MXNetError, dtype_np
from ..context import Context
from .ndarray import NDArray, array
from .register import invoke

__all__ = ["eye", "linspace", "onehot_encode", "slice_assign", "slice_assign_scalar"]


def _placed(res: NDArray, ctx: Context | None) -> NDArray:
    return res if ctx is None or ctx == res.context else array(res, ctx=ctx)


def eye(N: int, M: int = 0, k: int = 0, ctx: Context | None = None,  # noqa: N803
        dtype: Any = None, **kwargs: Any) -> NDArray:
    """``mx.nd.eye``: an N x M (M=0: N x N) array with ones on diagonal ``k`` (op ``_eye``)."""
    res = invoke("_eye", (), {"N": N, "M": M, "k": k, "dtype": dtype_np(dtype).name, **kwargs})
    return _placed(res, ctx)


def linspace(start: float, stop: float, num: int, endpoint: bool = True,
             ctx: Context | None = None, dtype: Any = None) -> NDArray:
    """``mx.nd.linspace``: ``num`` evenly spaced values from ``start`` to ``stop``
    (excluded when ``endpoint`` is False), float32 by default (op ``_linspace``)."""
    res = invoke("_linspace", (), {"start": start, "stop": stop, "num": num,
                                   "endpoint": endpoint, "dtype": dtype_np(dtype).name})
    return _placed(res, ctx)


def onehot_encode(indices: NDArray, out: NDArray) -> NDArray:
    """``mx.nd.onehot_encode`` (deprecated in MXNet): write the one-hot rows of ``indices``
    into ``out`` (shape (n, depth)) and return ``out``."""
    if not isinstance(indices, NDArray) or not isinstance(out, NDArray):
        raise MXNetError("onehot_encode: indices and out must be NDArrays")
    return invoke("_onehot_encode", (indices, out), {"out": out})


def slice_assign(self: NDArray, rhs: NDArray, begin: Any, end: Any, step: Any) -> NDArray:
    """``NDArray.slice_assign``: write ``rhs`` into ``self[begin:end:step]`` in place;
    returns ``self``."""
    if not isinstance(rhs, NDArray):
        raise MXNetError(f"slice_assign: rhs must be an NDArray, got {type(rhs).__name__}")
    return invoke("_slice_assign", (self, rhs), {"begin": begin, "end": end, "step": step,
                                                 "out": self})


def slice_assign_scalar(self: NDArray, value: float, begin: Any, end: Any,
                        step: Any) -> NDArray:
    """``NDArray.slice_assign_scalar``: set ``self[begin:end:step]`` to ``value`` (cast to
    self's dtype) in place; returns ``self``."""
    return invoke("_slice_assign_scalar", (self,), {"scalar": float(value), "begin": begin,
                                                    "end": end, "step": step, "out": self})
