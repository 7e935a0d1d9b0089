"""``Activation``: MXNet's elementwise activations (``src/operator/nn/activation``)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .registry import Op, Param, register

_ACTS = {
    "relu": jax.nn.relu,
    "sigmoid": jax.nn.sigmoid,
    "tanh": jnp.tanh,
    "softrelu": jax.nn.softplus,  # log(1 + exp(x))
    "softsign": lambda x: x / (1 + jnp.abs(x)),
}


@register
class Activation(Op):
    """y = act(x): relu, sigmoid, tanh, softrelu (log(1+eˣ)) or softsign (x/(1+|x|))."""

    name = "Activation"
    params = {"act_type": Param("str", choices=tuple(_ACTS))}

    def backward_infer_shape(self, a, in_shapes, out_shapes):
        return [in_shapes[0] or out_shapes[0]]

    def forward(self, a, ctx, data):
        return _ACTS[a.act_type](data).astype(data.dtype)
