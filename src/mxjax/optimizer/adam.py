"""Adam and its relatives: Adam, Adamax, Nadam, FTML, LAMB (MXNet 1.9.1 update rules)."""

from __future__ import annotations

import os
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .optimizer import register
from .rule import MP_MASTER_FIRST, RuleOptimizer, _host_float_dtype, clip, scalar

__all__ = ["Adam", "Adamax", "Nadam", "FTML", "LAMB"]


def _f64(x: Any) -> jax.Array:
    return jnp.asarray(x).astype(jnp.float64)


def _two_zeros(weight: jax.Array) -> tuple[jax.Array, jax.Array]:
    return (jnp.zeros(weight.shape, weight.dtype), jnp.zeros(weight.shape, weight.dtype))


def _grad_plus_wd(h: dict, w: jax.Array, g: jax.Array, wd: Any) -> jax.Array:
    """``C(rescale*g + wd*w)``: the gradient of Adam/RMSProp/FTML/Adamax/Nadam."""
    dt = w.dtype
    r = g * scalar(h["rescale_grad"], dt) + scalar(wd, dt) * w
    return r if h["clip_gradient"] is None else clip(r, h["clip_gradient"])


@register
class Adam(RuleOptimizer):
    """Adam (``adam_update``).

    ``G = C(rescale*g + wd*w); m = b1*m + (1-b1)*G; v = b2*v + (1-b2)*G^2;
    w -= lr*sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + epsilon)`` — epsilon outside the
    bias correction, the correction folded into lr on the host as MXNet does.
    """

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8, lazy_update: bool = True, **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lazy_update = lazy_update

    def _extra_hyper(self) -> dict[str, Any]:
        return {"beta1": self.beta1, "beta2": self.beta2, "epsilon": self.epsilon}

    def _init_slot(self, weight: jax.Array) -> Any:
        return _two_zeros(weight)

    _static_rule = True

    def _rule(self, h, w, g, s, lr, wd, t, aux):
        dt = w.dtype
        t64 = _f64(t)
        coef1 = 1.0 - _f64(h["beta1"]) ** t64
        coef2 = 1.0 - _f64(h["beta2"]) ** t64
        lr_t = _f64(lr) * jnp.sqrt(coef2) / coef1
        b1, b2 = scalar(h["beta1"], dt), scalar(h["beta2"], dt)
        mean, var = s
        grad = _grad_plus_wd(h, w, g, wd)
        mean = b1 * mean + (1 - b1) * grad
        var = b2 * var + (1 - b2) * jnp.square(grad)
        new_w = w - scalar(lr_t, dt) * mean / (jnp.sqrt(var) + scalar(h["epsilon"], dt))
        return new_w, (mean, var)


@register
class Adamax(RuleOptimizer):
    """AdaMax: ``G = C(rescale*g + wd*w); m = b1*m + (1-b1)*G; u = max(b2*u, |G|);
    w -= lr/(1-b1^t) * m/u`` (clips whenever clip_gradient is not None)."""

    kernel_clip = False

    def __init__(self, learning_rate: float = 0.002, beta1: float = 0.9, beta2: float = 0.999,
                 **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2

    def _extra_hyper(self) -> dict[str, Any]:
        return {"beta1": self.beta1, "beta2": self.beta2}

    def _init_slot(self, weight: jax.Array) -> Any:
        return _two_zeros(weight)

    _static_rule = True

    def _rule(self, h, w, g, s, lr, wd, t, aux):
        dt = w.dtype
        lr_t = _f64(lr) / (1.0 - _f64(h["beta1"]) ** _f64(t))
        b1, b2 = scalar(h["beta1"], dt), scalar(h["beta2"], dt)
        grad = _grad_plus_wd(h, w, g, wd)
        m, u = s
        m = m * b1 + (1.0 - b1) * grad
        u = jnp.maximum(b2 * u, jnp.abs(grad))
        return w - scalar(lr_t, dt) * m / u, (m, u)


@register
class Nadam(RuleOptimizer):
    """Nesterov Adam. ``mu_t = b1*(1 - 0.5*0.96^(t*schedule_decay))``; the momentum
    schedule ``m_schedule *= mu_t`` is **one scalar shared by all parameters** and
    advanced at every parameter's update (MXNet's behaviour, kept)::

        G = C(rescale*g + wd*w); m = b1*m + (1-b1)*G; v = b2*v + (1-b2)*G^2
        w -= lr * ((1-mu_t)*G/(1-m_schedule) + mu_{t+1}*m/(1-m_schedule*mu_{t+1}))
                / (sqrt(v/(1-b2^t)) + epsilon)
    """

    kernel_clip = False

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8, schedule_decay: float = 0.004, **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.schedule_decay = schedule_decay
        self.m_schedule = 1.0

    def _extra_hyper(self) -> dict[str, Any]:
        return {"beta1": self.beta1, "beta2": self.beta2, "epsilon": self.epsilon,
                "schedule_decay": self.schedule_decay}

    def _init_slot(self, weight: jax.Array) -> Any:
        return _two_zeros(weight)

    def _momenta(self, beta1: Any, decay: Any, t: Any, pw: Any) -> tuple[Any, Any]:
        mu_t = beta1 * (1.0 - 0.5 * pw(0.96, t * decay))
        mu_t1 = beta1 * (1.0 - 0.5 * pw(0.96, (t + 1) * decay))
        return mu_t, mu_t1

    def _eager_aux(self, index: Any, t: int) -> Any:
        mu_t, mu_t1 = self._momenta(self.beta1, self.schedule_decay, t, pow)
        self.m_schedule = self.m_schedule * mu_t
        return (np.float64(mu_t), np.float64(mu_t1), np.float64(self.m_schedule),
                np.float64(self.m_schedule * mu_t1))

    def _shared_init(self, names: list[str], weights: dict) -> Any:
        return {"m_schedule": jnp.asarray(self.m_schedule, _host_float_dtype())}

    def _shared_param(self, shared, h, i, name, t):
        t64 = _f64(t)
        mu_t, mu_t1 = self._momenta(_f64(h["beta1"]), _f64(h["schedule_decay"]), t64,
                                    jnp.power)
        m_sched = _f64(shared["m_schedule"]) * mu_t
        new_shared = {"m_schedule": m_sched.astype(shared["m_schedule"].dtype)}
        return new_shared, (mu_t, mu_t1, m_sched, m_sched * mu_t1)

    def _commit_step(self, chunks: list[list]) -> None:
        for i in (i for c in chunks for i in c):
            self._update_count(i)
            mu_t, _ = self._momenta(self.beta1, self.schedule_decay,
                                    self._index_update_count[i], pow)
            self.m_schedule = self.m_schedule * mu_t
        if self.lr_scheduler is not None:
            self.lr_scheduler(self.num_update)

    _static_rule = True

    def _rule(self, h, w, g, s, lr, wd, t, aux):
        dt = w.dtype
        mu_t, mu_t1, m_sched, m_sched_next = aux
        b1, b2 = scalar(h["beta1"], dt), scalar(h["beta2"], dt)
        grad = _grad_plus_wd(h, w, g, wd)
        m, v = s
        m = m * b1 + (1.0 - b1) * grad
        v = v * b2 + (1.0 - b2) * grad * grad
        grad_prime = grad / scalar(1.0 - _f64(m_sched), dt)
        m_prime = m / scalar(1.0 - _f64(m_sched_next), dt)
        v_prime = v / scalar(1.0 - _f64(h["beta2"]) ** _f64(t), dt)
        m_bar = scalar(1.0 - _f64(mu_t), dt) * grad_prime + scalar(mu_t1, dt) * m_prime
        new_w = w - scalar(lr, dt) * m_bar / (jnp.sqrt(v_prime) + scalar(h["epsilon"], dt))
        return new_w, (m, v)


@register
class FTML(RuleOptimizer):
    """FTML (``ftml_update``): ``G = C(rescale*g + wd*w); v = b2*v + (1-b2)*G^2;
    d_t = (1-b1^t)/lr * (sqrt(v/(1-b2^t)) + epsilon); z = b1*z + (1-b1)*G - (d_t - b1*d)*w;
    d = d_t; w = -z/d_t``. State ``(d, v, z)``."""

    def __init__(self, beta1: float = 0.6, beta2: float = 0.999, epsilon: float = 1e-8,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon

    def _extra_hyper(self) -> dict[str, Any]:
        return {"beta1": self.beta1, "beta2": self.beta2, "epsilon": self.epsilon}

    def _init_slot(self, weight: jax.Array) -> Any:
        z = jnp.zeros(weight.shape, weight.dtype)
        return (z, z, z)

    _static_rule = True

    def _rule(self, h, w, g, s, lr, wd, t, aux):
        dt = w.dtype
        t64 = _f64(t)
        b1, b2 = scalar(h["beta1"], dt), scalar(h["beta2"], dt)
        d, v, z = s
        grad = _grad_plus_wd(h, w, g, wd)
        v = b2 * v + (1 - b2) * jnp.square(grad)
        corr1 = scalar(1.0 - _f64(h["beta1"]) ** t64, dt)
        corr2 = scalar(1.0 - _f64(h["beta2"]) ** t64, dt)
        d_t = corr1 / scalar(lr, dt) * (jnp.sqrt(v / corr2) + scalar(h["epsilon"], dt))
        z = b1 * z + (1 - b1) * grad - (d_t - b1 * d) * w
        return -z / d_t, (d_t, v, z)


@register
class LAMB(RuleOptimizer):
    """LAMB (``multi_lamb_update``): Adam moments of ``G = C(rescale*g)``;
    ``u = m^/(sqrt(v^) + epsilon) + wd*w`` (hats = bias-corrected, only with
    bias_correction); ``r1 = |w|`` clamped to [lower_bound, upper_bound] when given,
    ``r2 = |u|``; ``w -= lr * (r1/r2 if r1 and r2 are non-zero else 1) * u``."""

    _mp_layout = MP_MASTER_FIRST

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-6, lower_bound: float | None = None,
                 upper_bound: float | None = None, bias_correction: bool = True, **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound
        self.bias_correction = bias_correction
        self.aggregate_num = max(1, min(45, int(os.getenv("MXNET_OPTIMIZER_AGGREGATION_SIZE",
                                                          "45"))))

    def _extra_hyper(self) -> dict[str, Any]:
        return {"beta1": self.beta1, "beta2": self.beta2, "epsilon": self.epsilon,
                "lower_bound": self.lower_bound or None, "upper_bound": self.upper_bound or None,
                "bias_correction": 1.0 if self.bias_correction else 0.0}

    def _init_slot(self, weight: jax.Array) -> Any:
        return _two_zeros(weight)

    _static_rule = True

    def _rule(self, h, w, g, s, lr, wd, t, aux):
        dt = w.dtype
        t64 = _f64(t)
        b1, b2 = scalar(h["beta1"], dt), scalar(h["beta2"], dt)
        grad = g * scalar(h["rescale_grad"], dt)
        if h["clip_gradient"] is not None:
            grad = clip(grad, h["clip_gradient"])
        mean, var = s
        mean = b1 * mean + (1 - b1) * grad
        var = b2 * var + (1 - b2) * jnp.square(grad)
        corr = h["bias_correction"] > 0
        c1 = jnp.where(corr, 1.0 - _f64(h["beta1"]) ** t64, 1.0)
        c2 = jnp.where(corr, 1.0 - _f64(h["beta2"]) ** t64, 1.0)
        m_hat = mean / scalar(c1, dt)
        v_hat = var / scalar(c2, dt)
        upd = m_hat / (jnp.sqrt(v_hat) + scalar(h["epsilon"], dt)) + scalar(wd, dt) * w
        r1 = jnp.sqrt(jnp.sum(jnp.square(w)))
        r2 = jnp.sqrt(jnp.sum(jnp.square(upd)))
        if h["lower_bound"] is not None:
            lb = scalar(h["lower_bound"], dt)
            r1 = jnp.where(lb >= 0, jnp.maximum(r1, lb), r1)
        if h["upper_bound"] is not None:
            ub = scalar(h["upper_bound"], dt)
            r1 = jnp.where(ub >= 0, jnp.minimum(r1, ub), r1)
        lr_ = scalar(lr, dt)
        lr_adj = jnp.where((r1 == 0) | (r2 == 0), lr_, lr_ * r1 / r2)
        return w - lr_adj * upd, (mean, var)
