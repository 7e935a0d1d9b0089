"""More MXNet 1.9.1 tensor ops: ``_eye``, ``_linspace``, ``cumsum`` (``_np_cumsum``),
``_onehot_encode``, ``_slice_assign`` and ``_slice_assign_scalar``.

Names, attributes and defaults are MXNet's (``src/operator/tensor/init_op.h``,
``matrix_op.cc``, ``numpy/np_cumsum.cc``).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax import lax

from ..base import MXNetError, dtype_np
from .indexing import IndexTuple
from .registry import Op, Param, register
from .tensor import NoInputOp

__all__: list[str] = []


@register
class Eye(NoInputOp):
    """``_eye(N, M=0, k=0)``: an N x M (M=0: N x N) array with ones on diagonal ``k``."""

    name = "_eye"
    params = {
        "N": Param("int"),
        "M": Param("int", 0),
        "k": Param("int", 0),
        "ctx": Param("str", ""),
        "dtype": Param("dtype", "float32"),
    }

    def forward(self, a, ctx):
        if a.N < 0 or a.M < 0:
            raise MXNetError(f"_eye: N ({a.N}) and M ({a.M}) must be non-negative")
        return jnp.eye(a.N, a.M or a.N, k=a.k, dtype=dtype_np(a.dtype))


@register
class Linspace(NoInputOp):
    """``_linspace(start, stop, num, endpoint=True)``: ``num`` evenly spaced values
    (``stop`` excluded when ``endpoint`` is False)."""

    name = "_linspace"
    params = {
        "start": Param("float"),
        "stop": Param("float"),
        "num": Param("int"),
        "endpoint": Param("bool", True),
        "ctx": Param("str", ""),
        "dtype": Param("dtype", "float32"),
    }

    def forward(self, a, ctx):
        if a.num < 0:
            raise MXNetError(f"_linspace: num ({a.num}) must be non-negative")
        vals = np.linspace(a.start, a.stop, a.num, endpoint=a.endpoint, dtype=np.float64)
        return jnp.asarray(vals.astype(dtype_np(a.dtype)))


@register
class CumSum(Op):
    """``cumsum(a, axis=None, dtype=None)`` (op ``_np_cumsum``): running sums along ``axis``
    (of the flattened array when None); the result keeps ``a``'s dtype unless ``dtype``."""

    name = "_np_cumsum"
    aliases = ("cumsum",)
    params = {
        "axis": Param("int", None, optional=True),
        "dtype": Param("dtype", None, optional=True),
    }

    def inputs(self, a):
        return ["a"]

    def infer_type(self, a, in_types):
        return in_types

    def forward(self, a, ctx, x):
        dt = dtype_np(a.dtype) if a.dtype is not None else x.dtype
        if a.axis is None:
            return jnp.cumsum(x.reshape(-1), dtype=dt)
        if not -x.ndim <= a.axis < x.ndim:
            raise MXNetError(f"cumsum: axis {a.axis} is out of range for shape {x.shape}")
        return jnp.cumsum(x, axis=a.axis, dtype=dt)


@register
class OnehotEncode(Op):
    """``_onehot_encode(lhs=indices, rhs=out)``: rows of ``out``'s shape, 1 at the index
    (MXNet's deprecated ``onehot_encode``)."""

    name = "_onehot_encode"

    def inputs(self, a):
        return ["lhs", "rhs"]

    def forward(self, a, ctx, lhs, rhs):
        if rhs.ndim != 2 or lhs.ndim != 1 or lhs.shape[0] != rhs.shape[0]:
            raise MXNetError(f"onehot_encode: indices must be 1-D (n,) and out 2-D (n, depth), "
                             f"got {lhs.shape} and {rhs.shape}")
        idx = lhs.astype(jnp.int32)
        hit = idx[:, None] == jnp.arange(rhs.shape[1], dtype=jnp.int32)
        return lax.stop_gradient(hit.astype(rhs.dtype))


def _region(op: str, shape: tuple, begin: tuple, end: tuple, step: tuple) -> tuple:
    if len(begin) != len(end) or len(begin) > len(shape) or (step and len(step) != len(begin)):
        raise MXNetError(f"{op}: begin {begin}, end {end} and step {step} must have the same "
                         f"length, at most the data's {len(shape)} dims")
    idx = []
    for i, (b, e) in enumerate(zip(begin, end, strict=True)):
        s = step[i] if step else None
        if s == 0:
            raise MXNetError(f"{op}: step cannot be 0")
        idx.append(slice(b, e, s))
    return tuple(idx)


@register
class SliceAssign(Op):
    """``_slice_assign(lhs, rhs, begin, end, step)``: ``lhs`` with the region
    ``lhs[begin:end:step]`` replaced by ``rhs`` (``_crop_assign``)."""

    name = "_slice_assign"
    aliases = ("_crop_assign",)
    params = {"begin": IndexTuple(), "end": IndexTuple(), "step": IndexTuple(default=())}

    def inputs(self, a):
        return ["lhs", "rhs"]

    def forward(self, a, ctx, lhs, rhs):
        idx = _region(self.name, lhs.shape, a.begin, a.end, a.step)
        want = lhs[idx].shape
        if tuple(rhs.shape) != tuple(want):
            raise MXNetError(f"_slice_assign: rhs has shape {rhs.shape} but the region "
                             f"begin={a.begin} end={a.end} step={a.step} of {lhs.shape} is "
                             f"{want}")
        return lhs.at[idx].set(rhs.astype(lhs.dtype))


@register
class SliceAssignScalar(Op):
    """``_slice_assign_scalar(data, scalar, begin, end, step)``: ``data`` with the region
    set to ``scalar`` cast to its dtype (``_crop_assign_scalar``)."""

    name = "_slice_assign_scalar"
    aliases = ("_crop_assign_scalar",)
    params = {"scalar": Param("float", 0.0), "begin": IndexTuple(), "end": IndexTuple(),
              "step": IndexTuple(default=())}

    def forward(self, a, ctx, data):
        idx = _region(self.name, data.shape, a.begin, a.end, a.step)
        return data.at[idx].set(jnp.asarray(a.scalar).astype(data.dtype))
