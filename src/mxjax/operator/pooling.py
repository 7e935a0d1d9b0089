"""``Pooling``: MXNet's max / avg / sum / Lp pooling (``src/operator/nn/pooling``), 1-D to 3-D.

Output size per spatial dim: ``valid`` ``1 + floor((x + 2p - k) / s)``, ``full``
``1 + ceil((x + 2p - k) / s)``, ``same`` (1-D only, no pad) ``ceil(x / s)``;
``global_pool`` reduces all spatial dims to 1 and ignores kernel, stride and pad.

* max ignores padding; its gradient goes to the *first* maximum of each window
  in scan order (MXNet's kernels keep that index), not split between ties;
* avg divides by the window clipped to ``[-p, x + p)`` when ``count_include_pad``
  (the default), else by the number of real elements in it;
* lp is ``(Σ x^p)^(1/p)`` for ``p_value`` 1, 2 or 3 (no absolute value, as MXNet).

Windows are strided slices of the padded input, reduced one spatial dim at a time,
and a max over non-overlapping windows is a reshape: plain XLA ops that stay fast
inside ``lax.scan`` on CPU. MXNet's oneDNN CPU build gives max pooling in
NCW/NCHW/NCDHW layout a hidden workspace output; ``node_row_ptr`` in the JSON
counts it, so mxjax declares it too.
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
from jax import lax

from ..base import MXNetError
from .registry import Attrs, Op, Param, register

__all__ = ["pool_out_size"]

_NC_LAYOUTS = {3: "NCW", 4: "NCHW", 5: "NCDHW"}
_LAST_LAYOUTS = {3: "NWC", 4: "NHWC", 5: "NDHWC"}


def pool_out_size(x: int, k: int, s: int, p: int, convention: str) -> int:
    """Output length of one spatial dim under MXNet's pooling conventions."""
    if convention == "valid":
        return 1 + (x + 2 * p - k) // s
    if convention == "full":
        return 1 + math.ceil((x + 2 * p - k) / s)
    return math.ceil((x + 2 * p) / s)


def _layout(a: Attrs, ndim: int) -> str:
    if a.layout is None:
        return _NC_LAYOUTS[ndim]
    if a.layout not in (_NC_LAYOUTS[ndim], _LAST_LAYOUTS[ndim]):
        raise MXNetError(f"Pooling: attribute 'layout'={a.layout!r} does not fit {ndim}-D data; "
                         f"use {_NC_LAYOUTS[ndim]} or {_LAST_LAYOUTS[ndim]}")
    return a.layout


def _geometry(a: Attrs, spatial: tuple[int, ...]):
    """(kernel, stride, pad, out) for the spatial dims, checked as MXNet checks them."""
    nd = len(spatial)
    if a.global_pool:
        return spatial, (1,) * nd, (0,) * nd, (1,) * nd
    if len(a.kernel) != nd:
        raise MXNetError(f"Pooling: kernel {tuple(a.kernel)} does not fit data with {nd} "
                         f"spatial dims")
    stride = tuple(a.stride) if a.stride else (1,) * nd
    pad = tuple(a.pad) if a.pad else (0,) * nd
    if len(stride) != nd or len(pad) != nd:
        raise MXNetError(f"Pooling: stride {stride} and pad {pad} must have {nd} entries like "
                         f"the kernel {tuple(a.kernel)}")
    if any(s < 1 for s in stride):
        raise MXNetError(f"Pooling: attribute 'stride'={stride} must be positive")
    if a.pooling_convention == "same":
        if nd != 1:
            raise MXNetError("Pooling: pooling_convention='same' supports 1-D pooling only "
                             "(data of shape (batch, channel, x)), as in MXNet")
        if any(pad):
            raise MXNetError("Pooling: pooling_convention='same' disables the 'pad' attribute")
    for k, x, p in zip(a.kernel, spatial, pad, strict=True):
        if k > x + 2 * p:
            raise MXNetError(f"Pooling: kernel size ({k}) exceeds input ({x} padded to "
                             f"{x + 2 * p})")
    out = tuple(pool_out_size(x, k, s, p, a.pooling_convention)
                for x, k, s, p in zip(spatial, a.kernel, stride, pad, strict=True))
    return tuple(a.kernel), stride, pad, out


def _divisor(spatial, kernel, stride, pad, out, include_pad: bool) -> np.ndarray:
    """Per-output window sizes for avg pooling (outer product over the spatial dims)."""
    div = np.ones((), np.float64)
    for x, k, s, p, o in zip(spatial, kernel, stride, pad, out, strict=True):
        start = np.arange(o) * s - p
        if include_pad:
            cnt = np.minimum(start + k, x + p) - start
        else:
            cnt = np.minimum(start + k, x) - np.maximum(start, 0)
        div = np.multiply.outer(div, np.maximum(cnt, 1))
    return div


def _first_max(stacked, axis: int):
    """Max along ``axis`` whose gradient goes to the first maximal element only.

    A one-hot select of the argmax: elementwise in both directions (a gather would
    turn into a scatter-add in the backward pass, slow on CPU)."""
    idx = jnp.expand_dims(jnp.argmax(stacked, axis=axis), axis)
    pos = lax.broadcasted_iota(idx.dtype, stacked.shape, axis % stacked.ndim)
    hit = lax.stop_gradient(pos == idx)
    return jnp.sum(jnp.where(hit, stacked, jnp.zeros((), stacked.dtype)), axis=axis)


def _lp(total, p: int):
    if p == 1:
        return total
    if p == 2:
        return jnp.sqrt(total)
    return jnp.cbrt(total)


def _global(x, a: Attrs):
    nd = x.ndim - 2
    axes = tuple(range(2, x.ndim))
    keep = x.shape[:2] + (1,) * nd
    if a.pool_type == "max":
        return _first_max(x.reshape(x.shape[:2] + (-1,)), 2).reshape(keep)
    if a.pool_type == "avg":
        return jnp.mean(x, axis=axes, keepdims=True, dtype=x.dtype)
    if a.pool_type == "sum":
        return jnp.sum(x, axis=axes, keepdims=True, dtype=x.dtype)
    return _lp(jnp.sum(x ** a.p_value, axis=axes, keepdims=True, dtype=x.dtype), a.p_value)


def _fill(dtype):
    if jnp.issubdtype(dtype, jnp.floating):
        return jnp.finfo(dtype).min
    return jnp.iinfo(dtype).min


def _reduce_dim(x, axis: int, k: int, s: int, o: int, is_max: bool):
    """Max (first maximum) or sum over ``o`` windows of size ``k``, stride ``s``, on ``axis``."""
    views = [lax.slice_in_dim(x, i, i + (o - 1) * s + 1, s, axis=axis) for i in range(k)]
    if is_max:
        return _first_max(jnp.stack(views), 0)
    total = views[0]
    for v in views[1:]:
        total = total + v
    return total


def _windowed(x, a: Attrs):
    spatial = x.shape[2:]
    kernel, stride, pad, out = _geometry(a, spatial)
    n, c = x.shape[:2]
    if a.pool_type == "max" and kernel == stride and not any(pad) and all(
            o * k == s for o, k, s in zip(out, kernel, spatial, strict=True)):
        # non-overlapping windows tiling the input: a reshape, no padding or slicing
        shape = (n, c) + tuple(d for o, k in zip(out, kernel, strict=True) for d in (o, k))
        y = x.reshape(shape)
        nd = len(out)
        perm = (0, 1) + tuple(2 + 2 * i for i in range(nd)) + tuple(3 + 2 * i for i in range(nd))
        y = jnp.transpose(y, perm).reshape((n, c) + out + (-1,))
        return _first_max(y, y.ndim - 1)
    hi = tuple(max((o - 1) * s + k - xx - p, 0)
               for o, s, k, xx, p in zip(out, stride, kernel, spatial, pad, strict=True))
    fill = _fill(x.dtype) if a.pool_type == "max" else jnp.zeros((), x.dtype)
    if any(pad) or any(hi):
        x = lax.pad(x, jnp.asarray(fill, x.dtype), [(0, 0, 0), (0, 0, 0)] +
                    [(p, h, 0) for p, h in zip(pad, hi, strict=True)])
    if a.pool_type == "lp":
        x = x ** a.p_value
    # windows are separable: reduce one spatial dim at a time, innermost first, so that a
    # max's first maximum is the first in row-major window order (MXNet's scan order)
    total = x
    for d in reversed(range(len(kernel))):
        total = _reduce_dim(total, 2 + d, kernel[d], stride[d], out[d], a.pool_type == "max")
    if a.pool_type in ("max", "sum"):
        return total
    if a.pool_type == "lp":
        return _lp(total, a.p_value)
    include = True if a.count_include_pad is None else a.count_include_pad
    div = _divisor(spatial, kernel, stride, pad, out, include)
    return total * jnp.asarray(1.0 / div, x.dtype)


@register
class Pooling(Op):
    """Max / avg / sum / Lp pooling over 1-3 spatial dims (see the module docstring)."""

    name = "Pooling"
    params = {
        "kernel": Param("shape", ()),
        "pool_type": Param("str", "max", choices=("max", "avg", "sum", "lp")),
        "global_pool": Param("bool", False),
        "cudnn_off": Param("bool", False),
        "pooling_convention": Param("str", "valid", choices=("full", "same", "valid")),
        "stride": Param("shape", ()),
        "pad": Param("shape", ()),
        "p_value": Param("int", None, optional=True),
        "count_include_pad": Param("bool", None, optional=True),
        "layout": Param("str", None, optional=True,
                        choices=("NCW", "NCHW", "NCDHW", "NWC", "NHWC", "NDHWC")),
    }

    def outputs(self, a):
        # oneDNN builds keep a workspace for max pooling in channel-first layouts
        workspace = (1 <= len(a.kernel) <= 3 and a.pool_type == "max"
                     and a.layout in (None, "NCW", "NCHW", "NCDHW"))
        return ["output", "workspace"] if workspace else ["output"]

    def num_visible(self, a):
        return 1

    def forward(self, a, ctx, data):
        if not 3 <= data.ndim <= 5:
            raise MXNetError(f"Pooling: data must be 3-D (N, C, x), 4-D or 5-D, got shape "
                             f"{data.shape}")
        if a.pool_type == "lp" and a.p_value not in (1, 2, 3):
            raise MXNetError(f"Pooling: pool_type='lp' needs attribute 'p_value' 1, 2 or 3, got "
                             f"{a.p_value}")
        if not a.global_pool and not a.kernel:
            raise MXNetError("Pooling: attribute 'kernel' is required unless global_pool=True")
        last = _layout(a, data.ndim) == _LAST_LAYOUTS[data.ndim]
        x = jnp.moveaxis(data, -1, 1) if last else data
        y = _global(x, a) if a.global_pool else _windowed(x, a)
        return jnp.moveaxis(y, 1, -1) if last else y
