"""Neural-network layers: FullyConnected, Dropout, softmax / log_softmax.

(Convolution, Pooling, BatchNorm and the other layers of MXNet's classic
image networks live in their own modules of this package.)
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from ..base import MXNetError, dtype_np
from .registry import Op, Param, register, uniform_types


@register
class FullyConnected(Op):
    """y = x·Wᵀ + b. MXNet flattens x to 2-D (N, prod(rest)) unless ``flatten=False``."""

    name = "FullyConnected"
    params = {
        "num_hidden": Param("int"),
        "no_bias": Param("bool", False),
        "flatten": Param("bool", True),
    }

    def inputs(self, a):
        return ["data", "weight"] if a.no_bias else ["data", "weight", "bias"]

    def infer_shape(self, a, in_shapes):
        """Weight (H, K) and bias (H,) once the data shape is known (as MXNet, not before)."""
        data = in_shapes[0]
        out = list(in_shapes)
        if data is None or len(data) == 0:
            return out
        rest = data[1:] if a.flatten else data[-1:]
        if all(d > 0 for d in rest):
            out[1] = (a.num_hidden, math.prod(rest) if rest else 1)
        if not a.no_bias:
            out[2] = (a.num_hidden,)
        return out

    def infer_type(self, a, in_types):
        return uniform_types(in_types)

    def partial_output_shapes(self, a, in_shapes):
        data = in_shapes[0]
        if data is None:
            return None
        if a.flatten:
            return [(data[0], a.num_hidden)]
        return [tuple(data[:-1]) + (a.num_hidden,)]

    def backward_infer_shape(self, a, in_shapes, out_shapes):
        data, out = in_shapes[0], out_shapes[0]
        if data is not None and out is not None and data and data[0] == 0 and out[0]:
            in_shapes = [(out[0], *data[1:]), *in_shapes[1:]]
        return in_shapes

    def forward(self, a, ctx, data, weight, bias=None):
        x = data.reshape(data.shape[0], -1) if a.flatten else data
        if x.shape[-1] != weight.shape[1]:
            raise MXNetError(
                f"FullyConnected: data has {x.shape[-1]} input features but weight has shape "
                f"{weight.shape}"
            )
        y = jnp.matmul(x, weight.T)
        return y if bias is None else y + bias


@register
class Dropout(Op):
    """Inverted dropout: in training (or mode='always') keep with prob 1-p, scale 1/(1-p)."""

    name = "Dropout"
    needs_rng = True
    params = {
        "p": Param("float", 0.5),
        "mode": Param("str", "training", choices=("training", "always")),
        "axes": Param("shape", ()),
        "cudnn_off": Param("bool", False, optional=True),
    }

    def outputs(self, a):
        return ["output", "mask"]

    def num_visible(self, a):
        return 1

    def backward_infer_shape(self, a, in_shapes, out_shapes):
        return [in_shapes[0] or out_shapes[0]]

    def forward(self, a, ctx, data):
        active = ctx.is_train or a.mode == "always"
        if not active or a.p <= 0:
            return data
        if a.p >= 1:
            return jnp.zeros_like(data)
        shape = list(data.shape)
        for ax in a.axes:
            shape[ax] = 1
        keep = jax.random.bernoulli(ctx.rng(), 1.0 - a.p, tuple(shape))
        scale = jnp.asarray(1.0 / (1.0 - a.p), data.dtype)
        return jnp.where(keep, data * scale, jnp.zeros((), data.dtype))


class _SoftmaxBase(Op):
    params = {
        "axis": Param("int", -1),
        "temperature": Param("float", None, optional=True),
        "dtype": Param("dtype", None, optional=True),
        "use_length": Param("bool", False, optional=True),
    }

    def inputs(self, a):
        return ["data", "length"] if a.use_length else ["data"]

    def infer_type(self, a, in_types):
        return in_types

    def forward(self, a, ctx, data, length=None):
        x = data if a.temperature is None else data / a.temperature
        if a.dtype is not None:
            x = x.astype(dtype_np(a.dtype))
        if length is not None:
            ax = a.axis % x.ndim
            pos = jax.lax.broadcasted_iota(jnp.int32, x.shape, ax)
            lshape = [1 if i == ax else s for i, s in enumerate(x.shape)]
            mask = pos < length.astype(jnp.int32).reshape(lshape)
            x = jnp.where(mask, x, -jnp.inf)
            out = self.fn(x, axis=ax)
            return jnp.where(mask, out, 0).astype(x.dtype)
        return self.fn(x, axis=a.axis).astype(x.dtype)


@register
class Softmax(_SoftmaxBase):
    """softmax along ``axis`` (with optional temperature); true gradient."""

    name = "softmax"
    fn = staticmethod(jax.nn.softmax)


@register
class LogSoftmax(_SoftmaxBase):
    """log_softmax along ``axis``."""

    name = "log_softmax"
    fn = staticmethod(jax.nn.log_softmax)


@register
class Softmin(_SoftmaxBase):
    """softmin along ``axis``: softmax of -x."""

    name = "softmin"
    fn = staticmethod(lambda x, axis: jax.nn.softmax(-x, axis=axis))
