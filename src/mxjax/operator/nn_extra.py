"""More layers of MXNet's classic networks: ``LeakyReLU`` (leaky, prelu, elu, selu, gelu,
rrelu), ``Embedding``, ``UpSampling`` and ``Crop`` (``src/operator/leaky_relu``,
``tensor/indexing_op``, ``nn/upsampling``, ``crop``).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from ..base import MXNetError, dtype_np
from .conv import deconv_nd
from .registry import Op, Param, register

_SELU_LAMBDA = 1.0507009873554805
_SELU_ALPHA = 1.6732632423543772


def _neg_expm1(x):
    """``exp(x) - 1`` on the negative part only (no overflow, no NaN gradient for large x)."""
    return jnp.expm1(jnp.minimum(x, 0))


@jax.custom_vjp
def _selu(x):
    return _SELU_LAMBDA * jnp.where(x > 0, x, _SELU_ALPHA * _neg_expm1(x)).astype(x.dtype)


def _selu_fwd(x):
    y = _selu(x)
    return y, (x, y)


def _selu_bwd(res, g):
    # MXNet 1.9.1's selu gradient: λ for x > 0, else λ·(y + α) with y the selu output (the
    # exact derivative would be y + λα); kept so training matches MXNet step for step
    x, y = res
    d = jnp.where(x > 0, _SELU_LAMBDA, _SELU_LAMBDA * (y + _SELU_ALPHA))
    return ((g * d).astype(x.dtype),)


_selu.defvjp(_selu_fwd, _selu_bwd)


@register
class LeakyReLU(Op):
    """``x > 0 ? x : f(x)`` with f by ``act_type``: leaky ``slope·x``; prelu ``γ·x`` (learned
    γ per channel of axis 1, initialised to 0.25); elu ``slope·(eˣ-1)``; selu
    ``λ·(x > 0 ? x : α(eˣ-1))`` (with MXNet's gradient ``λ(y + α)`` for x <= 0); gelu
    ``x·Φ(x)`` (erf form); rrelu ``r·x`` with r drawn from U(lower_bound, upper_bound) per
    element in training and ``(lower+upper)/2`` in inference (rrelu also outputs r as
    ``mask``; in inference MXNet leaves it uninitialised, mxjax returns zeros)."""

    name = "LeakyReLU"
    needs_rng = True
    params = {
        "act_type": Param("str", "leaky",
                          choices=("elu", "gelu", "leaky", "prelu", "rrelu", "selu")),
        "slope": Param("float", 0.25),
        "lower_bound": Param("float", 0.125),
        "upper_bound": Param("float", 0.334),
    }

    def inputs(self, a):
        return ["data", "gamma"] if a.act_type == "prelu" else ["data"]

    def outputs(self, a):
        return ["output", "mask"] if a.act_type == "rrelu" else ["output"]

    def input_var_attrs(self, a, name):
        if name == "gamma":
            return {"__init__": '["Constant", {"value": 0.25}]'}
        return {}

    def infer_shape(self, a, in_shapes):
        data = in_shapes[0]
        if a.act_type == "prelu" and data is not None and in_shapes[1] is None:
            c = data[1] if len(data) >= 2 else 1
            if c > 0:
                return [data, (c,)]
        return in_shapes

    def backward_infer_shape(self, a, in_shapes, out_shapes):
        if in_shapes[0] is None and out_shapes[0] is not None:
            return [out_shapes[0], *in_shapes[1:]]
        return in_shapes

    def forward(self, a, ctx, data, gamma=None):
        x = data
        dt = x.dtype
        t = a.act_type
        if t == "leaky":
            return jnp.where(x > 0, x, jnp.asarray(a.slope, dt) * x)
        if t == "prelu":
            if gamma.size == 1:
                g = gamma.reshape(())
            elif x.ndim >= 2 and gamma.shape == (x.shape[1],):
                g = gamma.reshape((1, -1) + (1,) * (x.ndim - 2))
            else:
                raise MXNetError(f"LeakyReLU: prelu gamma has shape {gamma.shape}, expected "
                                 f"({x.shape[1] if x.ndim >= 2 else 1},) for data {x.shape}")
            return jnp.where(x > 0, x, g.astype(dt) * x)
        if t == "elu":
            return jnp.where(x > 0, x, jnp.asarray(a.slope, dt) * _neg_expm1(x))
        if t == "selu":
            return _selu(x)
        if t == "gelu":
            return (0.5 * x * (1 + jax.scipy.special.erf(x / math.sqrt(2.0)))).astype(dt)
        # rrelu
        if ctx.is_train:
            r = jax.random.uniform(ctx.rng(), x.shape, dt, a.lower_bound, a.upper_bound)
            r = jax.lax.stop_gradient(r)
            return jnp.where(x > 0, x, r * x), r
        slope = jnp.asarray((a.lower_bound + a.upper_bound) / 2.0, dt)
        return jnp.where(x > 0, x, slope * x), jnp.zeros_like(x)


@register
class Embedding(Op):
    """``out = weight[clip(int(data), 0, input_dim - 1)]`` → ``data.shape + (output_dim,)``.

    Repeated ids accumulate their gradients into the weight rows. The ids get no
    gradient: mxjax returns zeros for them where MXNet refuses to compute one
    ("Embedding layer doesn't support calculate data gradient"). ``sparse_grad``
    is accepted; the gradient is dense."""

    name = "Embedding"
    params = {
        "input_dim": Param("int"),
        "output_dim": Param("int"),
        "dtype": Param("dtype", "float32"),
        "sparse_grad": Param("bool", False),
    }

    def inputs(self, a):
        return ["data", "weight"]

    def infer_shape(self, a, in_shapes):
        return [in_shapes[0], (a.input_dim, a.output_dim)]

    def infer_type(self, a, in_types):
        return [in_types[0] or np.dtype(np.float32), dtype_np(a.dtype)]

    def output_types(self, a, in_types):
        return [dtype_np(a.dtype)]

    def forward(self, a, ctx, data, weight):
        if weight.shape != (a.input_dim, a.output_dim):
            raise MXNetError(f"Embedding: weight has shape {weight.shape}, expected "
                             f"({a.input_dim}, {a.output_dim})")
        idx = jnp.clip(data.astype(jnp.int32), 0, a.input_dim - 1)
        return jnp.take(weight, idx, axis=0)


@register
class UpSampling(Op):
    """``nearest``: each input repeated to ``scale`` times the first input's height and
    width, then concatenated on channels (or summed, ``multi_input_mode='sum'``).
    ``bilinear``: a grouped Deconvolution with the learnable ``weight`` ``(C, 1, 2s-s%2,
    2s-s%2)`` (initialised by ``Bilinear``), stride s, pad ceil((s-1)/2)."""

    name = "UpSampling"
    variadic = "num_args"
    params = {
        "scale": Param("int"),
        "num_filter": Param("int", 0),
        "sample_type": Param("str", choices=("bilinear", "nearest")),
        "multi_input_mode": Param("str", "concat", choices=("concat", "sum")),
        "workspace": Param("int", 512),
    }

    def inputs(self, a):
        if a.sample_type == "bilinear":
            return ["data", "weight"]
        return [f"arg{i}" for i in range(a.num_args)]

    def input_var_attrs(self, a, name):
        # MXNet gives input 1 a Bilinear init hint whatever the sample type
        if name in ("weight", "arg1"):
            return {"__init__": '["bilinear", {}]'}
        return {}

    def _kernel(self, a):
        return 2 * a.scale - a.scale % 2

    def infer_shape(self, a, in_shapes):
        if a.sample_type == "bilinear" and in_shapes[0] is not None and len(in_shapes[0]) == 4:
            k = self._kernel(a)
            return [in_shapes[0], (in_shapes[0][1], 1, k, k)]
        return in_shapes

    def forward(self, a, ctx, *xs):
        if a.scale < 1:
            raise MXNetError(f"UpSampling: attribute 'scale' must be positive, got {a.scale}")
        for x in xs[:1] if a.sample_type == "bilinear" else xs:
            if x.ndim != 4:
                raise MXNetError(f"UpSampling: data must be 4-D (N, C, H, W), got {x.shape}")
        if a.sample_type == "bilinear":
            data, weight = xs
            s = a.scale
            pad = math.ceil((s - 1) / 2)
            c = data.shape[1]
            return deconv_nd(data, weight, (s, s), (1, 1), (pad, pad), (0, 0), c)
        h, w = xs[0].shape[2] * a.scale, xs[0].shape[3] * a.scale
        outs = []
        for i, x in enumerate(xs):
            if h % x.shape[2] or w % x.shape[3] or h // x.shape[2] != w // x.shape[3]:
                raise MXNetError(f"UpSampling: input {i} of shape {x.shape} cannot be scaled to "
                                 f"({h}, {w}) by an integer factor")
            f = h // x.shape[2]
            outs.append(jnp.repeat(jnp.repeat(x, f, axis=2), f, axis=3))
        if a.multi_input_mode == "sum":
            out = outs[0]
            for o in outs[1:]:
                out = out + o
            return out
        return jnp.concatenate(outs, axis=1)


@register
class Crop(Op):
    """Crop the last two axes of ``data`` to ``h_w`` (one input) or to the height and
    width of the second input, at ``offset`` (y, x) or centred (``center_crop``)."""

    name = "Crop"
    variadic = "num_args"
    params = {
        "offset": Param("shape", (0, 0)),
        "h_w": Param("shape", (0, 0)),
        "center_crop": Param("bool", False),
    }

    def inputs(self, a):
        if a.num_args not in (1, 2):
            raise MXNetError(f"Crop: attribute 'num_args' must be 1 or 2, got {a.num_args}")
        return ["data", "crop_like"] if a.num_args == 2 else ["data"]

    def forward(self, a, ctx, data, crop_like=None):
        if data.ndim != 4:
            raise MXNetError(f"Crop: data must be 4-D (N, C, H, W), got {data.shape}")
        if crop_like is not None:
            h, w = crop_like.shape[2], crop_like.shape[3]
        else:
            h, w = a.h_w
        big_h, big_w = data.shape[2], data.shape[3]
        if a.center_crop:
            y, x = (big_h - h) // 2, (big_w - w) // 2
        else:
            y, x = a.offset
        if h < 1 or w < 1 or y < 0 or x < 0 or y + h > big_h or x + w > big_w:
            raise MXNetError(f"Crop: a ({h}, {w}) crop at offset ({y}, {x}) does not fit data "
                             f"{data.shape}")
        return data[:, :, y:y + h, x:x + w]
