"""Normalization layers: ``BatchNorm``, ``InstanceNorm``, ``LayerNorm``, ``GroupNorm``,
``L2Normalization`` and ``LRN`` (MXNet's ``src/operator/nn/batch_norm``, ``layer_norm``,
``group_norm``, ``instance_norm``, ``l2_normalization``, ``lrn``).

Every variance here is the biased (population) variance, as MXNet computes it.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from ..base import MXNetError
from .registry import Op, Param, register


def _axis(axis: int, ndim: int, op: str) -> int:
    if not -ndim <= axis < ndim:
        raise MXNetError(f"{op}: axis {axis} is out of range for data with {ndim} dims")
    return axis % ndim


def _bshape(ndim: int, axis: int, size: int) -> tuple[int, ...]:
    return tuple(size if i == axis else 1 for i in range(ndim))


def _moments(x, axes):
    mean = jnp.mean(x, axis=axes, keepdims=True, dtype=x.dtype)
    var = jnp.mean(jnp.square(x - mean), axis=axes, keepdims=True, dtype=x.dtype)
    return mean, var


def _same_shape_back(self, a, in_shapes, out_shapes):
    """Data shape refined from the (same-shaped) first output."""
    if in_shapes[0] is None and out_shapes and out_shapes[0] is not None:
        return [out_shapes[0], *in_shapes[1:]]
    return in_shapes


@register
class BatchNorm(Op):
    """``y = γ (x - μ) / sqrt(σ² + eps) + β`` per channel ``axis``.

    Training (unless ``use_global_stats``): μ, σ² are the batch mean and biased
    variance over every axis but ``axis``, and the moving statistics become
    ``m·momentum + batch·(1 - momentum)`` (returned as auxiliary updates; the
    executor commits them at backward, as MXNet's CPU kernels do). Otherwise
    the moving statistics normalize and nothing is updated. ``fix_gamma``: γ is
    taken as 1 and gets a zero gradient. ``output_mean_var`` adds the mean and
    the inverse std ``1/sqrt(σ² + eps)`` as outputs.
    """

    name = "BatchNorm"
    params = {
        "eps": Param("float", 1e-3),
        "momentum": Param("float", 0.9),
        "fix_gamma": Param("bool", True),
        "use_global_stats": Param("bool", False),
        "output_mean_var": Param("bool", False),
        "axis": Param("int", 1),
        "cudnn_off": Param("bool", False),
        "min_calib_range": Param("float", None, optional=True),
        "max_calib_range": Param("float", None, optional=True),
    }

    def inputs(self, a):
        return ["data", "gamma", "beta", "moving_mean", "moving_var"]

    def aux(self, a):
        return ["moving_mean", "moving_var"]

    def outputs(self, a):
        return ["output", "mean", "var"]

    def num_visible(self, a):
        return 3 if a.output_mean_var else 1

    def input_var_attrs(self, a, name):
        if name == "moving_mean":
            return {"__init__": '["zero", {}]'}
        if name == "moving_var":
            return {"__init__": '["one", {}]'}
        return {}

    def infer_shape(self, a, in_shapes):
        data = in_shapes[0]
        if data is None or not data:
            return in_shapes
        c = data[_axis(a.axis, len(data), self.name)]
        if c <= 0:
            return in_shapes
        return [data] + [(c,)] * 4

    backward_infer_shape = _same_shape_back

    def infer_type(self, a, in_types):
        """float16 data keeps float32 parameters and statistics, as in MXNet."""
        data = in_types[0]
        if data is None:
            return in_types
        param = np.dtype(np.float32) if np.dtype(data) == np.float16 else data
        return [data] + [t if t is not None else param for t in in_types[1:]]

    def forward(self, a, ctx, data, gamma, beta, moving_mean, moving_var):
        out_dtype = data.dtype
        if data.dtype in (jnp.float16, jnp.bfloat16):
            data = data.astype(jnp.float32)  # statistics accumulate in float32
        ax = _axis(a.axis, data.ndim, self.name)
        c = data.shape[ax]
        for nm, v in (("gamma", gamma), ("beta", beta), ("moving_mean", moving_mean),
                      ("moving_var", moving_var)):
            if v.shape != (c,):
                raise MXNetError(f"BatchNorm: {nm} has shape {v.shape}, expected ({c},) for data "
                                 f"{data.shape} with axis={a.axis}")
        red = tuple(i for i in range(data.ndim) if i != ax)
        bs = _bshape(data.ndim, ax, c)
        dt = data.dtype
        batch_stats = ctx.is_train and not a.use_global_stats
        if batch_stats:
            mean, var = _moments(data, red)
            mean, var = mean.reshape(c), var.reshape(c)
        else:
            mean, var = moving_mean.astype(dt), moving_var.astype(dt)
        g = jnp.ones_like(gamma) if a.fix_gamma else gamma
        inv = lax.rsqrt(var + jnp.asarray(a.eps, dt))
        scale = (g * inv).astype(dt).reshape(bs)
        y = ((data - mean.reshape(bs)) * scale + beta.astype(dt).reshape(bs)).astype(out_dtype)
        # MXNet's backward ignores head gradients of the mean / inverse-std outputs
        outs = (y, lax.stop_gradient(mean), lax.stop_gradient(inv)) if a.output_mean_var else y
        if not batch_stats:
            return outs, None
        m = jnp.asarray(a.momentum, moving_mean.dtype)
        new_mean = lax.stop_gradient(moving_mean * m + mean.astype(moving_mean.dtype) * (1 - m))
        new_var = lax.stop_gradient(moving_var * m + var.astype(moving_var.dtype) * (1 - m))
        return outs, (new_mean, new_var)


@register
class InstanceNorm(Op):
    """``y = γ_c (x - μ_nc) / sqrt(σ²_nc + eps) + β_c``, statistics over the spatial axes of
    each sample and channel; gamma/beta ``(C,)`` with C = data.shape[1]."""

    name = "InstanceNorm"
    params = {"eps": Param("float", 1e-3)}

    def inputs(self, a):
        return ["data", "gamma", "beta"]

    def outputs(self, a):
        return ["output", "mean", "var"]

    def num_visible(self, a):
        return 1

    def infer_shape(self, a, in_shapes):
        data = in_shapes[0]
        if data is None or len(data) < 3 or data[1] <= 0:
            return in_shapes
        return [data, (data[1],), (data[1],)]

    backward_infer_shape = _same_shape_back

    def forward(self, a, ctx, data, gamma, beta):
        if data.ndim < 3:
            raise MXNetError(f"InstanceNorm: data must have at least 3 dims (N, C, ...), got "
                             f"{data.shape}")
        mean, var = _moments(data, tuple(range(2, data.ndim)))
        bs = _bshape(data.ndim, 1, data.shape[1])
        xhat = (data - mean) * lax.rsqrt(var + jnp.asarray(a.eps, data.dtype))
        return xhat * gamma.reshape(bs) + beta.reshape(bs)


class _AffineNorm(Op):
    """Normalization with a learned scale and shift: inputs (data, gamma, beta); outputs the
    result and, with ``output_mean_var``, the mean and std (LayerNorm, GroupNorm)."""

    def inputs(self, a):
        return ["data", "gamma", "beta"]

    def outputs(self, a):
        return ["output", "mean", "std"]

    def num_visible(self, a):
        return 3 if a.output_mean_var else 1


@register
class LayerNorm(_AffineNorm):
    """``y = γ (x - μ) / sqrt(σ² + eps) + β`` with statistics along ``axis`` (default -1);
    ``output_mean_var`` adds the mean and std (``sqrt(σ² + eps)``), kept as size-1 axes."""

    name = "LayerNorm"
    params = {
        "axis": Param("int", -1),
        "eps": Param("float", 1e-5),
        "output_mean_var": Param("bool", False),
    }


    def infer_shape(self, a, in_shapes):
        data = in_shapes[0]
        if data is None or not data:
            return in_shapes
        c = data[_axis(a.axis, len(data), self.name)]
        return in_shapes if c <= 0 else [data, (c,), (c,)]

    backward_infer_shape = _same_shape_back

    def forward(self, a, ctx, data, gamma, beta):
        ax = _axis(a.axis, data.ndim, self.name)
        mean, var = _moments(data, (ax,))
        std = jnp.sqrt(var + jnp.asarray(a.eps, data.dtype))
        bs = _bshape(data.ndim, ax, data.shape[ax])
        y = (data - mean) / std * gamma.reshape(bs) + beta.reshape(bs)
        if a.output_mean_var:  # MXNet's backward ignores the mean / std head gradients
            return y, lax.stop_gradient(mean), lax.stop_gradient(std)
        return y


@register
class GroupNorm(_AffineNorm):
    """Channels split into ``num_groups`` groups; each (sample, group) normalized over its
    channels and spatial axes; gamma/beta have one entry per group (MXNet 1.9)."""

    name = "GroupNorm"
    params = {
        "num_groups": Param("int", 1),
        "eps": Param("float", 1e-5),
        "output_mean_var": Param("bool", False),
    }


    def infer_shape(self, a, in_shapes):
        data = in_shapes[0]
        if data is None or len(data) < 2 or data[1] <= 0:
            return in_shapes
        return [data, (a.num_groups,), (a.num_groups,)]

    backward_infer_shape = _same_shape_back

    def forward(self, a, ctx, data, gamma, beta):
        g = a.num_groups
        if data.ndim < 2 or g < 1 or data.shape[1] % g:
            raise MXNetError(f"GroupNorm: channels of data {data.shape} must divide by "
                             f"num_groups={g}")
        n = data.shape[0]
        x = data.reshape((n, g, -1))
        mean, var = _moments(x, (2,))
        std = jnp.sqrt(var + jnp.asarray(a.eps, data.dtype))
        y = (x - mean) / std * gamma.reshape(1, g, 1) + beta.reshape(1, g, 1)
        y = y.reshape(data.shape)
        if a.output_mean_var:  # MXNet's backward ignores the mean / std head gradients
            return y, lax.stop_gradient(mean.reshape(n, g)), lax.stop_gradient(std.reshape(n, g))
        return y


@register
class L2Normalization(Op):
    """``x / sqrt(Σ x² + eps)`` over all but axis 0 (``instance``), over axis 1
    (``channel``), or over the spatial axes of each channel (``spatial``)."""

    name = "L2Normalization"
    params = {
        "eps": Param("float", 1e-10),
        "mode": Param("str", "instance", choices=("channel", "instance", "spatial")),
    }

    def outputs(self, a):
        return ["output", "norm"]

    def num_visible(self, a):
        return 1

    backward_infer_shape = _same_shape_back

    def forward(self, a, ctx, data):
        if a.mode == "instance":
            axes = tuple(range(1, data.ndim))
        elif a.mode == "channel":
            axes = (1,)
        else:
            axes = tuple(range(2, data.ndim))
        if data.ndim < 2 or (a.mode == "spatial" and data.ndim < 3):
            raise MXNetError(f"L2Normalization: data of shape {data.shape} is too small for "
                             f"mode={a.mode!r}")
        ss = jnp.sum(jnp.square(data), axis=axes, keepdims=True, dtype=data.dtype)
        return data * lax.rsqrt(ss + jnp.asarray(a.eps, data.dtype))


@register
class LRN(Op):
    """Local response normalization across channels:
    ``y = x · (knorm + alpha/nsize · Σ_{|c'-c| <= nsize//2} x_{c'}²)^(-beta)``."""

    name = "LRN"
    params = {
        "alpha": Param("float", 1e-4),
        "beta": Param("float", 0.75),
        "knorm": Param("float", 2.0),
        "nsize": Param("int"),
    }

    def outputs(self, a):
        return ["output", "tmp_norm"]

    def num_visible(self, a):
        return 1

    backward_infer_shape = _same_shape_back

    def forward(self, a, ctx, data):
        if data.ndim < 2:
            raise MXNetError(f"LRN: data must have a channel axis, got shape {data.shape}")
        half = a.nsize // 2
        sq = jnp.square(data)
        c = data.shape[1]
        padded = jnp.pad(sq, [(0, 0), (half, half)] + [(0, 0)] * (data.ndim - 2))
        acc = jax.lax.slice_in_dim(padded, 0, c, axis=1)
        for i in range(1, 2 * half + 1):
            acc = acc + jax.lax.slice_in_dim(padded, i, i + c, axis=1)
        scale = jnp.asarray(a.knorm, data.dtype) + jnp.asarray(a.alpha / a.nsize, data.dtype) * acc
        return data * scale ** jnp.asarray(-a.beta, data.dtype)
