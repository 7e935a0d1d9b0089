"""SGLD, DCASGD and MXNet's ``Test`` optimizer (Python-level rules in MXNet 1.9.1)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import random as _random
from .optimizer import register
from .rule import RuleOptimizer, clip, scalar

__all__ = ["SGLD", "DCASGD", "Test"]


def _rescaled_clipped(h: dict, g: jax.Array) -> jax.Array:
    grad = g * scalar(h["rescale_grad"], g.dtype)
    return grad if h["clip_gradient"] is None else clip(grad, h["clip_gradient"])


@register
class SGLD(RuleOptimizer):
    """Stochastic Gradient Langevin Dynamics:
    ``w += -lr/2 * (C(rescale*g) + wd*w) + N(0, sqrt(lr))``.

    The noise comes from mxjax's generator (``mx.random.seed`` makes it
    reproducible; MXNet's random stream itself cannot be reproduced). The fused
    path carries its own key in the optimizer state.
    """

    kernel_clip = False

    def _eager_aux(self, index: Any, t: int) -> Any:
        return jax.random.key_data(_random.next_key())

    def _shared_init(self, names: list[str], weights: dict) -> Any:
        return {"key": jax.random.key_data(_random.next_key())}

    def _shared_param(self, shared, h, i, name, t):
        key = jax.random.wrap_key_data(shared["key"])
        key, sub = jax.random.split(key)
        return {"key": jax.random.key_data(key)}, jax.random.key_data(sub)

    _static_rule = True

    def _rule(self, h, w, g, s, lr, wd, t, aux):
        dt = w.dtype
        grad = _rescaled_clipped(h, g)
        lr64 = jnp.asarray(lr).astype(jnp.float64)
        new_w = w + scalar(-lr64 / 2, dt) * (grad + scalar(wd, dt) * w)
        noise = jax.random.normal(jax.random.wrap_key_data(aux), w.shape, jnp.float32)
        return new_w + (noise * scalar(jnp.sqrt(lr64), jnp.float32)).astype(dt), None


@register
class DCASGD(RuleOptimizer):
    """Delay-compensated async SGD. ``G = C(rescale*g)``;
    ``step = -lr*(G + wd*w + lamda*G^2*(w - w_prev))``; with momentum
    ``m = momentum*m + step; w += m``, else ``w += step``; then ``w_prev`` = the old w.
    State ``(momentum or None, previous weight)``.

    Deviation: MXNet 1.9.1 tests ``if mom:`` on the momentum NDArray, which raises
    for arrays of more than one element (and skips momentum while a one-element
    state is 0); mxjax applies the momentum as the update rule above describes.
    """

    kernel_clip = False

    def __init__(self, momentum: float = 0.0, lamda: float = 0.04, **kwargs: Any):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.weight_previous: dict = {}
        self.lamda = lamda

    def _extra_hyper(self) -> dict[str, Any]:
        return {"momentum": self.momentum, "lamda": self.lamda}

    def _init_slot(self, weight: jax.Array) -> Any:
        prev = jnp.array(weight, copy=True)
        if self.momentum == 0.0:
            return (None, prev)
        return (jnp.zeros(weight.shape, weight.dtype), prev)

    _static_rule = True

    def _rule(self, h, w, g, s, lr, wd, t, aux):
        dt = w.dtype
        grad = _rescaled_clipped(h, g)
        mom, prev = s
        lr64 = jnp.asarray(lr).astype(jnp.float64)
        step = scalar(-lr64, dt) * (grad + scalar(wd, dt) * w
                                    + scalar(h["lamda"], dt) * grad * grad * (w - prev))
        if mom is None:
            return w + step, (None, w)
        mom = mom * scalar(h["momentum"], dt) + step
        return w + mom, (mom, w)


@register
class Test(RuleOptimizer):
    """MXNet's ``Test`` optimizer: ``w += rescale_grad * grad``; state = the new weight."""

    def _init_slot(self, weight: jax.Array) -> Any:
        return jnp.zeros(weight.shape, jnp.float32)

    def _hyper(self) -> dict[str, Any]:
        return {"rescale_grad": np.float64(self.rescale_grad), "clip_gradient": None}

    _static_rule = True

    def _rule(self, h, w, g, s, lr, wd, t, aux):
        new_w = w + g * scalar(h["rescale_grad"], g.dtype)
        return new_w, new_w.astype(s.dtype)
