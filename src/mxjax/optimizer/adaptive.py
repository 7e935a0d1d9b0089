"""Per-coordinate adaptive optimizers: AdaGrad, RMSProp, AdaDelta, Ftrl (MXNet 1.9.1).

Their states are float32 whatever the weight dtype (MXNet creates them with
``zeros(shape, ctx)``), except for float64 weights, whose states are float64
(MXNet's kernels reject that dtype mix); the arithmetic runs in the wider of
the two dtypes.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from .optimizer import register
from .rule import RuleOptimizer, clip, scalar

__all__ = ["AdaGrad", "RMSProp", "AdaDelta", "Ftrl"]


def _zeros32(weight: jax.Array) -> jax.Array:
    return jnp.zeros(weight.shape, jnp.promote_types(weight.dtype, jnp.float32))


def _compute_dtype(w: jax.Array, s: jax.Array) -> Any:
    return jnp.promote_types(w.dtype, s.dtype)


@register
class AdaGrad(RuleOptimizer):
    """AdaGrad: ``G = C(rescale*g); h += G^2; w += (G/sqrt(h + eps) + w*wd) * -lr``
    (clips whenever clip_gradient is not None, so 0 zeroes the gradient)."""

    kernel_clip = False

    def __init__(self, eps: float = 1e-7, **kwargs: Any):
        super().__init__(**kwargs)
        self.float_stable_eps = eps

    def _extra_hyper(self) -> dict[str, Any]:
        return {"eps": self.float_stable_eps}

    def _init_slot(self, weight: jax.Array) -> Any:
        return _zeros32(weight)

    _static_rule = True

    def _rule(self, h, w, g, s, lr, wd, t, aux):
        dt = _compute_dtype(w, s)
        w_, g_ = w.astype(dt), g.astype(dt)
        grad = g_ * scalar(h["rescale_grad"], dt)
        if h["clip_gradient"] is not None:
            grad = clip(grad, h["clip_gradient"])
        hist = s.astype(dt) + jnp.square(grad)
        div = grad / jnp.sqrt(hist + scalar(h["eps"], dt))
        new_w = w_ + (div + w_ * scalar(wd, dt)) * scalar(-jnp.asarray(lr), dt)
        return new_w, hist


@register
class RMSProp(RuleOptimizer):
    """RMSProp (``rmsprop_update`` / ``rmspropalex_update`` when centered).

    ``G = C(rescale*g + wd*w); n = (1-g1)*G^2 + g1*n``; plain: ``w -= lr*G/sqrt(n + eps)``;
    centered: ``gm = (1-g1)*G + g1*gm; delta = g2*delta - lr*G/sqrt(n - gm^2 + eps);
    w += delta``; then ``w`` clipped to ±clip_weights when it is given (> 0).
    States ``(n,)`` or ``(n, gm, delta)``.
    """

    def __init__(self, learning_rate: float = 0.001, gamma1: float = 0.9, gamma2: float = 0.9,
                 epsilon: float = 1e-8, centered: bool = False, clip_weights: float | None = None,
                 **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.gamma1 = gamma1
        self.gamma2 = gamma2
        self.centered = centered
        self.epsilon = epsilon
        self.clip_weights = clip_weights

    def _extra_hyper(self) -> dict[str, Any]:
        cw = self.clip_weights if self.clip_weights and self.clip_weights >= 0 else None
        return {"gamma1": self.gamma1, "gamma2": self.gamma2, "epsilon": self.epsilon,
                "clip_weights": cw}

    def _init_slot(self, weight: jax.Array) -> Any:
        if self.centered:
            return (_zeros32(weight), _zeros32(weight), _zeros32(weight))
        return (_zeros32(weight),)

    _static_rule = True

    def _rule(self, h, w, g, s, lr, wd, t, aux):
        dt = _compute_dtype(w, s[0])
        w_, g_ = w.astype(dt), g.astype(dt)
        g1 = scalar(h["gamma1"], dt)
        grad = g_ * scalar(h["rescale_grad"], dt) + scalar(wd, dt) * w_
        if h["clip_gradient"] is not None:
            grad = clip(grad, h["clip_gradient"])
        lr_, eps = scalar(lr, dt), scalar(h["epsilon"], dt)
        n = (1 - g1) * grad * grad + g1 * s[0].astype(dt)
        if len(s) == 1:
            new_w = w_ - lr_ * (grad / jnp.sqrt(n + eps))
            new_s: tuple = (n,)
        else:
            gm = (1 - g1) * grad + g1 * s[1].astype(dt)
            delta = scalar(h["gamma2"], dt) * s[2].astype(dt) \
                - lr_ * (grad / jnp.sqrt(n - gm * gm + eps))
            new_w = w_ + delta
            new_s = (n, gm, delta)
        if h["clip_weights"] is not None:
            new_w = clip(new_w, h["clip_weights"])
        return new_w, new_s


@register
class AdaDelta(RuleOptimizer):
    """AdaDelta — **no learning rate**: ``G = C(rescale*g); a = rho*a + (1-rho)*G^2;
    delta = sqrt(d + eps)/sqrt(a + eps)*G; d = rho*d + (1-rho)*delta^2; w -= delta + wd*w``.
    State ``(a, d)``. (MXNet also scales the caller's gradient array in place by
    rescale_grad; the eager path here does the same.)"""

    kernel_clip = False

    def __init__(self, rho: float = 0.90, epsilon: float = 1e-5, **kwargs: Any):
        super().__init__(**kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def _extra_hyper(self) -> dict[str, Any]:
        return {"rho": self.rho, "epsilon": self.epsilon}

    def _init_slot(self, weight: jax.Array) -> Any:
        return (_zeros32(weight), _zeros32(weight))

    def _apply_nd(self, h, index, weight, grad, state, lr, wd, t, multi_precision):
        super()._apply_nd(h, index, weight, grad, state, lr, wd, t, multi_precision)
        with jax.enable_x64(True):  # MXNet: ``grad *= self.rescale_grad`` (in place)
            grad._data = grad._data * scalar(h["rescale_grad"], grad._data.dtype)

    _static_rule = True

    def _rule(self, h, w, g, s, lr, wd, t, aux):
        dt = _compute_dtype(w, s[0])
        w_, g_ = w.astype(dt), g.astype(dt)
        rho, eps = scalar(h["rho"], dt), scalar(h["epsilon"], dt)
        grad = g_ * scalar(h["rescale_grad"], dt)
        if h["clip_gradient"] is not None:
            grad = clip(grad, h["clip_gradient"])
        acc_g, acc_delta = s[0].astype(dt), s[1].astype(dt)
        acc_g = acc_g * rho + (1 - rho) * grad * grad
        delta = jnp.sqrt(acc_delta + eps) / jnp.sqrt(acc_g + eps) * grad
        acc_delta = acc_delta * rho + (1 - rho) * delta * delta
        return w_ - (delta + scalar(wd, dt) * w_), (acc_g, acc_delta)


@register
class Ftrl(RuleOptimizer):
    """FTRL-proximal (``ftrl_update``): ``G = C(rescale*g);
    z += G - (sqrt(n + G^2) - sqrt(n)) * w / lr; n += G^2;
    w = (sign(z)*lamda1 - z) / ((beta + sqrt(n))/lr + wd) if |z| > lamda1 else 0``.
    State ``(z, n)``. Its default learning_rate is 0.1."""

    def __init__(self, lamda1: float = 0.01, learning_rate: float = 0.1, beta: float = 1,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.lamda1 = lamda1
        self.beta = beta
        self.lr = learning_rate

    def _extra_hyper(self) -> dict[str, Any]:
        return {"lamda1": self.lamda1, "beta": self.beta}

    def _init_slot(self, weight: jax.Array) -> Any:
        return (_zeros32(weight), _zeros32(weight))

    _static_rule = True

    def _rule(self, h, w, g, s, lr, wd, t, aux):
        dt = _compute_dtype(w, s[0])
        w_, g_ = w.astype(dt), g.astype(dt)
        lr_, l1 = scalar(lr, dt), scalar(h["lamda1"], dt)
        grad = scalar(h["rescale_grad"], dt) * g_
        if h["clip_gradient"] is not None:
            grad = clip(grad, h["clip_gradient"])
        z, n = s[0].astype(dt), s[1].astype(dt)
        z = z + grad - (jnp.sqrt(n + grad * grad) - jnp.sqrt(n)) * w_ / lr_
        n = n + grad * grad
        new_w = (jnp.sign(z) * l1 - z) / ((scalar(h["beta"], dt) + jnp.sqrt(n)) / lr_
                                           + scalar(wd, dt)) * (jnp.abs(z) > l1).astype(dt)
        return new_w, (z, n)
