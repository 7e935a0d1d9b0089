"""Indexing, slicing, sorting, broadcasting and shape ops of MXNet's ``src/operator/tensor``
that the classic networks and sequence models use: ``Pad``, ``slice``, ``slice_axis``,
``slice_like``, ``take``, ``pick``, ``batch_take``, ``gather_nd``, ``scatter_nd``,
``topk``, ``sort``, ``argsort``, ``tile``, ``repeat``, ``squeeze``, ``broadcast_to``,
``broadcast_like``, ``broadcast_axis``, ``reshape_like``, ``reverse``, ``depth_to_space``,
``space_to_depth``, ``diag``, ``shape_array``, ``size_array``, and the math ops
``smooth_l1``, ``hard_sigmoid``, ``moments``, ``softmax_cross_entropy``.

Index inputs are float arrays holding integers (MXNet's convention); they are
cast to int and get no gradient.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from ..base import MXNetError, dtype_np
from .registry import Op, Param, register

_INDEX_DTYPES = ("float16", "float32", "float64", "int32", "int64", "uint8")


@dataclass(frozen=True)
class IndexTuple(Param):
    """A tuple of ints where entries may be ``None`` (``slice``'s begin/end/step)."""

    kind: str = "any"

    def parse(self, value: Any, op: str, key: str) -> Any:
        if value is None:
            if self.default is None or self.optional:
                return None
            raise MXNetError(f"{op}: attribute {key!r} cannot be None")
        v = value
        if isinstance(v, str):
            try:
                v = ast.literal_eval(v.strip()) if v.strip() else ()
            except (ValueError, SyntaxError) as err:
                raise MXNetError(f"{op}: invalid value {value!r} for attribute {key!r} "
                                 "(expected a tuple of ints or None)") from err
        if v is None or isinstance(v, (int, np.integer)):
            v = (v,)
        try:
            return tuple(None if x is None else int(x) for x in v)
        except (TypeError, ValueError) as err:
            raise MXNetError(f"{op}: invalid value {value!r} for attribute {key!r} "
                             "(expected a tuple of ints or None)") from err


def _axis(axis: int, ndim: int, op: str, what: str = "axis") -> int:
    if not -ndim <= axis < max(ndim, 1):
        raise MXNetError(f"{op}: {what} {axis} is out of range for data with {ndim} dims")
    return axis % max(ndim, 1)


def _nograd_int(x: jax.Array) -> jax.Array:
    return lax.stop_gradient(x).astype(jnp.int32)


# ---------------------------------------------------------------------- Pad
@register
class Pad(Op):
    """Pad a 4-D or 5-D array on its spatial axes: ``constant`` (``constant_value``),
    ``edge`` (repeat the border) or ``reflect`` (mirror without the border);
    ``pad_width`` = (before_1, after_1, ..., before_N, after_N), zero on N and C."""

    name = "Pad"
    aliases = ("pad",)
    params = {
        "mode": Param("str", choices=("constant", "edge", "reflect")),
        "pad_width": Param("shape"),
        "constant_value": Param("float", 0.0),
    }

    def forward(self, a, ctx, data):
        pw = tuple(a.pad_width)
        if data.ndim not in (4, 5):
            raise MXNetError(f"Pad: data must be 4-D or 5-D, got shape {data.shape}")
        if len(pw) != 2 * data.ndim:
            raise MXNetError(f"Pad: pad_width {pw} must have 2*ndim = {2 * data.ndim} entries")
        if any(pw[:4]):
            raise MXNetError(f"Pad: pad_width {pw} must be 0 on the batch and channel axes")
        pairs = [(pw[2 * i], pw[2 * i + 1]) for i in range(data.ndim)]
        if a.mode == "reflect":
            for (lo, hi), d in zip(pairs, data.shape, strict=True):
                if lo >= d or hi >= d:
                    raise MXNetError(f"Pad: reflect padding {pw} must be smaller than the data "
                                     f"shape {data.shape}")
        if a.mode == "constant":
            return jnp.pad(data, pairs, constant_values=jnp.asarray(a.constant_value, data.dtype))
        return jnp.pad(data, pairs, mode=a.mode)


# ------------------------------------------------------------------ slicing
@register
class Slice(Op):
    """``data[b0:e0:s0, b1:e1:s1, ...]`` for the leading axes (``crop``); None entries are
    open ends, negative entries count from the end, as in Python."""

    name = "slice"
    aliases = ("crop",)
    params = {
        "begin": IndexTuple(),
        "end": IndexTuple(),
        "step": IndexTuple(default=()),
    }

    def forward(self, a, ctx, data):
        begin, end, step = a.begin, a.end, a.step or ()
        if len(begin) != len(end) or len(begin) > data.ndim or (step and len(step) != len(begin)):
            raise MXNetError(f"slice: begin {begin}, end {end} and step {step} must have the same "
                             f"length, at most the data's {data.ndim} dims")
        idx = []
        for i, (b, e) in enumerate(zip(begin, end, strict=True)):
            s = step[i] if step else None
            if s == 0:
                raise MXNetError("slice: step cannot be 0")
            idx.append(slice(b, e, s))
        out = data[tuple(idx)]
        if any(d == 0 for d in out.shape):
            raise MXNetError(f"slice: begin {begin}, end {end}, step {step} select nothing from "
                             f"data of shape {data.shape}")
        return out


@register
class SliceAxis(Op):
    """``data[..., begin:end, ...]`` along ``axis`` (end None: to the end)."""

    name = "slice_axis"
    params = {"axis": Param("int"), "begin": Param("int"), "end": Param("int", optional=True)}

    def forward(self, a, ctx, data):
        ax = _axis(a.axis, data.ndim, self.name)
        n = data.shape[ax]
        b = a.begin + n if a.begin < 0 else a.begin
        e = n if a.end is None else (a.end + n if a.end < 0 else a.end)
        if not 0 <= b < e <= n:
            raise MXNetError(f"slice_axis: [{a.begin}, {a.end}) is empty or out of range for "
                             f"axis {a.axis} of length {n}")
        return lax.slice_in_dim(data, b, e, axis=ax)


@register
class SliceLike(Op):
    """``data`` cut to ``shape_like``'s size on ``axes`` (all axes if empty), from the start."""

    name = "slice_like"
    params = {"axes": Param("shape", ())}

    def inputs(self, a):
        return ["data", "shape_like"]

    def forward(self, a, ctx, data, shape_like):
        if a.axes:
            axes = [_axis(x, data.ndim, self.name) for x in a.axes]
        else:
            if shape_like.ndim != data.ndim:
                raise MXNetError(f"slice_like: data {data.shape} and shape_like "
                                 f"{shape_like.shape} must have the same rank")
            axes = list(range(data.ndim))
        out = data
        for ax in axes:
            if ax >= shape_like.ndim or shape_like.shape[ax] > data.shape[ax]:
                raise MXNetError(f"slice_like: cannot cut axis {ax} of {data.shape} to "
                                 f"shape_like {shape_like.shape}")
            out = lax.slice_in_dim(out, 0, shape_like.shape[ax], axis=ax)
        return out


# ------------------------------------------------------------------ gather
def _bound(idx: jax.Array, n: int, mode: str) -> jax.Array:
    return jnp.mod(idx, n) if mode == "wrap" else jnp.clip(idx, 0, n - 1)


@register
class Take(Op):
    """``a`` indexed along ``axis`` by ``indices``: ``a.shape[:axis] + indices.shape +
    a.shape[axis+1:]``; out-of-range indices are clipped (``clip``) or wrapped (``wrap``)."""

    name = "take"
    params = {"axis": Param("int", 0), "mode": Param("str", "clip",
                                                      choices=("clip", "raise", "wrap"))}

    def inputs(self, a):
        return ["a", "indices"]

    def infer_type(self, a, in_types):
        return [in_types[0] or in_types[1], in_types[1] or np.dtype(np.float32)]

    def output_types(self, a, in_types):
        return [in_types[0]]

    def forward(self, a, ctx, x, indices):
        if a.mode == "raise":
            raise MXNetError("take: mode='raise' is not supported by mxjax (index checks cannot "
                             "run inside compiled code); use 'clip' or 'wrap'")
        ax = _axis(a.axis, x.ndim, self.name)
        idx = _bound(_nograd_int(indices), x.shape[ax], a.mode)
        return jnp.take(x, idx, axis=ax)


@register
class Pick(Op):
    """``data`` picked along ``axis`` at ``index`` (one element per position of the other
    axes); ``axis=None`` picks from the flattened data."""

    name = "pick"
    params = {
        "axis": Param("int", -1, optional=True),
        "keepdims": Param("bool", False),
        "mode": Param("str", "clip", choices=("clip", "wrap")),
    }

    def inputs(self, a):
        return ["data", "index"]

    def forward(self, a, ctx, data, index):
        if a.axis is None:
            flat = data.reshape(-1)
            idx = _bound(_nograd_int(index), flat.shape[0], a.mode)
            out = flat[idx]
            return out.reshape((1,) * data.ndim) if a.keepdims else out
        ax = _axis(a.axis, data.ndim, self.name)
        want = data.shape[:ax] + data.shape[ax + 1:]
        if index.size != math.prod(want):
            raise MXNetError(f"pick: index of shape {index.shape} does not match data "
                             f"{data.shape} without axis {a.axis}")
        idx = _bound(_nograd_int(index).reshape(want), data.shape[ax], a.mode)
        out = jnp.take_along_axis(data, jnp.expand_dims(idx, ax), axis=ax)
        return out if a.keepdims else jnp.squeeze(out, ax)


@register
class BatchTake(Op):
    """``out[i] = a[i, indices[i]]`` for a 2-D ``a`` (indices clipped)."""

    name = "batch_take"

    def inputs(self, a):
        return ["a", "indices"]

    def infer_type(self, a, in_types):
        return [in_types[0] or np.dtype(np.float32), in_types[1] or np.dtype(np.int32)]

    def output_types(self, a, in_types):
        return [in_types[0]]

    def forward(self, a, ctx, x, indices):
        if x.ndim != 2 or indices.shape != (x.shape[0],):
            raise MXNetError(f"batch_take: a must be 2-D and indices 1-D of its batch size, got "
                             f"{x.shape} and {indices.shape}")
        idx = jnp.clip(_nograd_int(indices), 0, x.shape[1] - 1)
        return jnp.take_along_axis(x, idx[:, None], axis=1)[:, 0]


@register
class GatherND(Op):
    """``out[y...] = data[indices[0, y...], ..., indices[M-1, y...], ...]``."""

    name = "gather_nd"

    def inputs(self, a):
        return ["data", "indices"]

    def forward(self, a, ctx, data, indices):
        m = indices.shape[0]
        if m > data.ndim:
            raise MXNetError(f"gather_nd: indices {indices.shape} index {m} axes of data "
                             f"{data.shape}")
        idx = _nograd_int(indices)
        return data[tuple(idx[i] for i in range(m))]


@register
class ScatterND(Op):
    """The inverse of gather_nd: zeros of ``shape`` with ``data`` written at ``indices``."""

    name = "scatter_nd"
    params = {"shape": Param("shape")}

    def inputs(self, a):
        return ["data", "indices"]

    def forward(self, a, ctx, data, indices):
        m = indices.shape[0]
        idx = _nograd_int(indices)
        out = jnp.zeros(tuple(a.shape), data.dtype)
        return out.at[tuple(idx[i] for i in range(m))].set(data)


# ------------------------------------------------------------------ sorting
def _sort_axis(a, data, op: str):
    if a.axis is None:
        return data.reshape(-1), 0
    return data, _axis(a.axis, data.ndim, op)


def _order(x: jax.Array, axis: int, ascend: bool) -> jax.Array:
    """Stable sort order along ``axis`` (ties keep their original order)."""
    key = lax.stop_gradient(x)
    return jnp.argsort(key if ascend else -key, axis=axis, stable=True)


@register
class TopK(Op):
    """The ``k`` largest (or smallest, ``is_ascend``) elements along ``axis`` (flattened if
    None; all of them if k < 1): their indices (default), values (``value``), both, or a
    0/1 mask of them. Indices are returned as ``dtype`` (float32 by default)."""

    name = "topk"
    params = {
        "axis": Param("int", -1, optional=True),
        "k": Param("int", 1),
        "ret_typ": Param("str", "indices", choices=("both", "indices", "mask", "value")),
        "is_ascend": Param("bool", False),
        "dtype": Param("dtype", "float32", choices=_INDEX_DTYPES),
    }

    def outputs(self, a):
        return ["output0", "output1"] if a.ret_typ in ("value", "both") else ["output"]

    def num_visible(self, a):
        return 2 if a.ret_typ == "both" else 1

    def output_types(self, a, in_types):
        dt = in_types[0]
        if a.ret_typ == "indices":
            return [dtype_np(a.dtype)]
        if a.ret_typ == "both":
            return [dt, dtype_np(a.dtype)]
        return [dt]

    def forward(self, a, ctx, data):
        x, ax = _sort_axis(a, data, self.name)
        n = x.shape[ax]
        k = n if a.k < 1 else a.k
        if k > n:
            raise MXNetError(f"topk: k={a.k} is larger than the {n} elements along the axis")
        idx = lax.slice_in_dim(_order(x, ax, a.is_ascend), 0, k, axis=ax)
        if a.ret_typ == "mask":
            hit = jnp.zeros(x.shape, jnp.bool_)
            ones = jnp.ones(idx.shape, jnp.bool_)
            hit = jnp.put_along_axis(hit, idx, ones, axis=ax, inplace=False)
            return lax.stop_gradient(hit.astype(data.dtype)).reshape(data.shape)
        ind = lax.stop_gradient(idx.astype(dtype_np(a.dtype)))
        if a.ret_typ == "indices":
            return ind
        vals = jnp.take_along_axis(x, idx, axis=ax)
        return (vals, ind) if a.ret_typ == "both" else vals


@register
class Sort(Op):
    """Values sorted along ``axis`` (flattened if None), ascending by default."""

    name = "sort"
    params = {"axis": Param("int", -1, optional=True), "is_ascend": Param("bool", True)}

    def outputs(self, a):
        return ["output0", "output1"]

    def num_visible(self, a):
        return 1

    def forward(self, a, ctx, data):
        x, ax = _sort_axis(a, data, self.name)
        return jnp.take_along_axis(x, _order(x, ax, a.is_ascend), axis=ax)


@register
class ArgSort(Op):
    """Indices that sort ``data`` along ``axis`` (flattened if None), as ``dtype``."""

    name = "argsort"
    params = {
        "axis": Param("int", -1, optional=True),
        "is_ascend": Param("bool", True),
        "dtype": Param("dtype", "float32", choices=_INDEX_DTYPES),
    }

    def output_types(self, a, in_types):
        return [dtype_np(a.dtype)]

    def forward(self, a, ctx, data):
        x, ax = _sort_axis(a, data, self.name)
        return lax.stop_gradient(_order(x, ax, a.is_ascend).astype(dtype_np(a.dtype)))


# ---------------------------------------------------------------- shapes
@register
class Tile(Op):
    """NumPy ``tile``: repeat the whole array ``reps`` times per axis."""

    name = "tile"
    params = {"reps": Param("shape")}

    def forward(self, a, ctx, data):
        if any(r < 1 for r in a.reps):
            raise MXNetError(f"tile: reps {tuple(a.reps)} must be positive")
        return jnp.tile(data, tuple(a.reps))


@register
class Repeat(Op):
    """Repeat each element ``repeats`` times along ``axis`` (flattened if None)."""

    name = "repeat"
    params = {"repeats": Param("int"), "axis": Param("int", None, optional=True)}

    def forward(self, a, ctx, data):
        if a.repeats < 1:
            raise MXNetError(f"repeat: repeats must be positive, got {a.repeats}")
        if a.axis is None:
            return jnp.repeat(data.reshape(-1), a.repeats)
        return jnp.repeat(data, a.repeats, axis=_axis(a.axis, data.ndim, self.name))


@register
class Squeeze(Op):
    """Drop length-1 axes (all of them, or those in ``axis``); never returns a 0-d array."""

    name = "squeeze"
    params = {"axis": Param("shape", None, optional=True)}

    def forward(self, a, ctx, data):
        if a.axis is None:
            axes = tuple(i for i, d in enumerate(data.shape) if d == 1)
        else:
            axes = tuple(_axis(x, data.ndim, self.name) for x in a.axis)
            for ax in axes:
                if data.shape[ax] != 1:
                    raise MXNetError(f"squeeze: axis {ax} of shape {data.shape} is not 1")
        out = jnp.squeeze(data, axes)
        return out.reshape(1) if out.ndim == 0 else out


def _broadcast(op: str, data: jax.Array, shape: tuple[int, ...]) -> jax.Array:
    if len(shape) != data.ndim or any(d not in (1, s) for d, s in zip(data.shape, shape,
                                                                      strict=True)):
        raise MXNetError(f"{op}: cannot broadcast shape {data.shape} to {shape}")
    return jnp.broadcast_to(data, shape)


@register
class BroadcastTo(Op):
    """Broadcast to ``shape``; a 0 keeps the input's dim."""

    name = "broadcast_to"
    params = {"shape": Param("shape", ())}

    def forward(self, a, ctx, data):
        shape = tuple(d if s == 0 else s for s, d in zip(a.shape, data.shape, strict=False))
        return _broadcast(self.name, data, shape)


@register
class BroadcastLike(Op):
    """Broadcast ``lhs`` to ``rhs``'s shape, or only ``lhs_axes`` to ``rhs_axes``' sizes."""

    name = "broadcast_like"
    params = {"lhs_axes": Param("shape", None, optional=True),
              "rhs_axes": Param("shape", None, optional=True)}

    def inputs(self, a):
        return ["lhs", "rhs"]

    def forward(self, a, ctx, lhs, rhs):
        if a.lhs_axes is None and a.rhs_axes is None:
            return _broadcast(self.name, lhs, rhs.shape)
        la, ra = tuple(a.lhs_axes or ()), tuple(a.rhs_axes or ())
        if len(la) != len(ra):
            raise MXNetError(f"broadcast_like: lhs_axes {la} and rhs_axes {ra} differ in length")
        shape = list(lhs.shape)
        for i, j in zip(la, ra, strict=True):
            shape[_axis(i, lhs.ndim, self.name)] = rhs.shape[_axis(j, rhs.ndim, self.name)]
        return _broadcast(self.name, lhs, tuple(shape))


@register
class BroadcastAxis(Op):
    """Broadcast the length-1 axes ``axis`` to ``size`` (``broadcast_axes``)."""

    name = "broadcast_axis"
    aliases = ("broadcast_axes",)
    params = {"axis": Param("shape", ()), "size": Param("shape", ())}

    def forward(self, a, ctx, data):
        if len(a.axis) != len(a.size):
            raise MXNetError(f"broadcast_axis: axis {tuple(a.axis)} and size {tuple(a.size)} "
                             "differ in length")
        shape = list(data.shape)
        for ax, s in zip(a.axis, a.size, strict=True):
            shape[_axis(ax, data.ndim, self.name)] = s
        return _broadcast(self.name, data, tuple(shape))


@register
class ReshapeLike(Op):
    """Reshape ``lhs[lhs_begin:lhs_end]``'s dims to ``rhs[rhs_begin:rhs_end]``'s."""

    name = "reshape_like"
    params = {k: Param("int", None, optional=True)
              for k in ("lhs_begin", "lhs_end", "rhs_begin", "rhs_end")}

    def inputs(self, a):
        return ["lhs", "rhs"]

    @staticmethod
    def _range(b, e, n):
        b = 0 if b is None else (b + n if b < 0 else b)
        e = n if e is None else (e + n if e < 0 else e)
        return b, e

    def forward(self, a, ctx, lhs, rhs):
        lb, le = self._range(a.lhs_begin, a.lhs_end, lhs.ndim)
        rb, re_ = self._range(a.rhs_begin, a.rhs_end, rhs.ndim)
        shape = lhs.shape[:lb] + rhs.shape[rb:re_] + lhs.shape[le:]
        if math.prod(shape) != lhs.size:
            raise MXNetError(f"reshape_like: cannot reshape {lhs.shape} to {shape} (from rhs "
                             f"{rhs.shape})")
        return lhs.reshape(shape)


@register
class Reverse(Op):
    """Reverse the order of elements along ``axis`` (``flip``)."""

    name = "reverse"
    aliases = ("flip",)
    params = {"axis": Param("shape")}

    def forward(self, a, ctx, data):
        return jnp.flip(data, axis=tuple(_axis(x, data.ndim, self.name) for x in a.axis))


@register
class DepthToSpace(Op):
    """(N, C, H, W) -> (N, C/b², H·b, W·b), channel blocks moved into space (DCR order)."""

    name = "depth_to_space"
    params = {"block_size": Param("int")}

    def forward(self, a, ctx, data):
        b = a.block_size
        if data.ndim != 4 or b < 1 or data.shape[1] % (b * b):
            raise MXNetError(f"depth_to_space: data {data.shape} must be 4-D with channels "
                             f"divisible by block_size²={b * b}")
        n, c, h, w = data.shape
        x = data.reshape(n, b, b, c // (b * b), h, w)
        return jnp.transpose(x, (0, 3, 4, 1, 5, 2)).reshape(n, c // (b * b), h * b, w * b)


@register
class SpaceToDepth(Op):
    """(N, C, H, W) -> (N, C·b², H/b, W/b), the inverse of depth_to_space."""

    name = "space_to_depth"
    params = {"block_size": Param("int")}

    def forward(self, a, ctx, data):
        b = a.block_size
        if data.ndim != 4 or b < 1 or data.shape[2] % b or data.shape[3] % b:
            raise MXNetError(f"space_to_depth: data {data.shape} must be 4-D with height and "
                             f"width divisible by block_size={b}")
        n, c, h, w = data.shape
        x = data.reshape(n, c, h // b, b, w // b, b)
        return jnp.transpose(x, (0, 3, 5, 1, 2, 4)).reshape(n, c * b * b, h // b, w // b)


@register
class Diag(Op):
    """1-D input: a matrix with it on diagonal ``k``; otherwise diagonal ``k`` of the
    (axis1, axis2) planes, appended as the last axis (NumPy's diag / diagonal)."""

    name = "diag"
    params = {"k": Param("int", 0), "axis1": Param("int", 0), "axis2": Param("int", 1)}

    def forward(self, a, ctx, data):
        if data.ndim == 1:
            return jnp.diag(data, a.k)
        a1 = _axis(a.axis1, data.ndim, self.name, "axis1")
        a2 = _axis(a.axis2, data.ndim, self.name, "axis2")
        if a1 == a2:
            raise MXNetError("diag: axis1 and axis2 cannot be the same axis")
        return jnp.diagonal(data, offset=a.k, axis1=a1, axis2=a2)


class _ShapeInfo(Op):
    def infer_type(self, a, in_types):
        return [in_types[0] or np.dtype(np.float32)]

    def output_types(self, a, in_types):
        return [np.dtype(np.int64)]


@register
class ShapeArray(_ShapeInfo):
    """The input's shape as a 1-D int64 array."""

    name = "shape_array"

    def forward(self, a, ctx, data):
        return jnp.asarray(data.shape, jnp.int64)


@register
class SizeArray(_ShapeInfo):
    """The input's number of elements as a (1,) int64 array."""

    name = "size_array"

    def forward(self, a, ctx, data):
        return jnp.asarray([data.size], jnp.int64)


# --------------------------------------------------------------------- math
@register
class SmoothL1(Op):
    """``0.5 (σx)²`` if ``|x| < 1/σ²`` else ``|x| - 0.5/σ²``, with σ = ``scalar``."""

    name = "smooth_l1"
    params = {"scalar": Param("float", 1.0), "is_int": Param("bool", True)}

    def forward(self, a, ctx, data):
        s2 = jnp.asarray(a.scalar * a.scalar, data.dtype)
        ax = jnp.abs(data)
        return jnp.where(ax < 1 / s2, 0.5 * s2 * jnp.square(data), ax - 0.5 / s2)


@register
class HardSigmoid(Op):
    """``clip(alpha·x + beta, 0, 1)``."""

    name = "hard_sigmoid"
    params = {"alpha": Param("float", 0.2), "beta": Param("float", 0.5)}

    def forward(self, a, ctx, data):
        y = jnp.asarray(a.alpha, data.dtype) * data + jnp.asarray(a.beta, data.dtype)
        return jnp.clip(y, 0, 1)


@register
class Moments(Op):
    """Mean and (biased) variance over ``axes`` (all axes if None)."""

    name = "moments"
    params = {"axes": Param("shape", None, optional=True), "keepdims": Param("bool", False)}

    def outputs(self, a):
        return ["output0", "output1"]

    def forward(self, a, ctx, data):
        axes = (tuple(range(data.ndim)) if a.axes is None
                else tuple(_axis(x, data.ndim, self.name) for x in a.axes))
        mean = jnp.mean(data, axis=axes, keepdims=True, dtype=data.dtype)
        var = jnp.mean(jnp.square(data - mean), axis=axes, keepdims=True, dtype=data.dtype)
        if not a.keepdims:
            mean, var = jnp.squeeze(mean, axes), jnp.squeeze(var, axes)
            if mean.ndim == 0:
                mean, var = mean.reshape(1), var.reshape(1)
        return mean, var


@register
class SoftmaxCrossEntropy(Op):
    """``Σ_n -log softmax(data)[n, label[n]]`` as a (1,) array."""

    name = "softmax_cross_entropy"

    def inputs(self, a):
        return ["data", "label"]

    def forward(self, a, ctx, data, label):
        if data.ndim != 2 or label.shape != (data.shape[0],):
            raise MXNetError(f"softmax_cross_entropy: data must be (N, K) and label (N,), got "
                             f"{data.shape} and {label.shape}")
        logp = jax.nn.log_softmax(data, axis=-1)
        idx = jnp.clip(_nograd_int(label), 0, data.shape[1] - 1)
        picked = jnp.take_along_axis(logp, idx[:, None], axis=1)
        return -jnp.sum(picked, dtype=data.dtype).reshape(1)
