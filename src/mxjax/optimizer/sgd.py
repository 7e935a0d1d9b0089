"""SGD and its relatives: SGD (``sgd``, ``ccsgd``), NAG, Signum, LARS (MXNet 1.9.1 kernels)."""

from __future__ import annotations

import os
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..base import MXNetError
from .optimizer import Optimizer, register
from .rule import MP_STATE_FIRST, RuleOptimizer, _host_float_dtype, clip, scalar

__all__ = ["SGD", "ccSGD", "NAG", "Signum", "LARS", "LBSGD"]


def _clipped_rescaled(h: dict, g: jax.Array) -> jax.Array:
    """``C(rescale_grad * g)`` — the gradient term of the SGD-family kernels."""
    r = scalar(h["rescale_grad"], g.dtype) * g
    return r if h["clip_gradient"] is None else clip(r, h["clip_gradient"])


def _momentum_zeros(opt: Any, weight: jax.Array) -> jax.Array | None:
    return jnp.zeros(weight.shape, weight.dtype) if opt.momentum != 0.0 else None


def sgd_rule(h: dict, w: jax.Array, g: jax.Array, mom: jax.Array | None, lr: Any,
             wd: Any) -> tuple[jax.Array, jax.Array | None]:
    """``multi_sgd(_mom)_update``: ``m = mu*m - lr*wd*w - lr*C(rescale*g); w += m``.

    Without a momentum state, ``m`` starts at 0 and is not kept. The state is
    MXNet's *negative* velocity.
    """
    dt = w.dtype
    lr_, wd_ = scalar(lr, dt), scalar(wd, dt)
    step = -lr_ * wd_ * w - lr_ * _clipped_rescaled(h, g)
    if mom is None:
        return w + step, None
    new_mom = scalar(h["momentum"], dt) * mom + step
    return w + new_mom, new_mom


@register
class SGD(RuleOptimizer):
    """SGD with momentum and weight decay (``mx.optimizer.SGD``; ``sgd_mom_update``).

    ``state = momentum*state - lr*wd*w - lr*C(rescale_grad*grad); w += state``; with
    ``momentum=0`` there is no state and ``w -= lr*(wd*w + C(rescale_grad*grad))``.
    ``lazy_update`` is accepted (it only matters for row_sparse arrays, which mxjax
    does not have). Multi-precision state is ``(momentum, float32 master)``.
    """

    _mp_layout = MP_STATE_FIRST
    _counts_first = True

    def __init__(self, momentum: float = 0.0, lazy_update: bool = True, **kwargs: Any):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.lazy_update = lazy_update
        self.aggregate_num = int(os.getenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", "4"))

    def _extra_hyper(self) -> dict[str, Any]:
        return {"momentum": self.momentum}

    def _init_slot(self, weight: jax.Array) -> Any:
        return _momentum_zeros(self, weight)

    _static_rule = True

    def _rule(self, h, w, g, s, lr, wd, t, aux):
        return sgd_rule(h, w, g, s, lr, wd)


@register
class ccSGD(SGD):  # noqa: N801  (MXNet's name)
    """[DEPRECATED in MXNet] the same as SGD."""


@register
class NAG(RuleOptimizer):
    """Nesterov accelerated gradient (``nag_mom_update``).

    ``G = C(rescale*g) + wd*w; w += mu*(mu*m - lr*G) - lr*G;
    m = mu*m - lr*(C(rescale*g) + wd*w_new)`` — MXNet's kernel updates the weight in
    place first, so the momentum's decay term sees the new weight.
    Without momentum it is ``sgd_update``: ``w = (1-lr*wd)*w - lr*C(rescale*g)``.
    """

    _mp_layout = MP_STATE_FIRST

    def __init__(self, momentum: float = 0.0, **kwargs: Any):
        super().__init__(**kwargs)
        self.momentum = momentum

    def _extra_hyper(self) -> dict[str, Any]:
        return {"momentum": self.momentum}

    def _init_slot(self, weight: jax.Array) -> Any:
        return _momentum_zeros(self, weight)

    _static_rule = True

    def _rule(self, h, w, g, s, lr, wd, t, aux):
        dt = w.dtype
        lr_, wd_ = scalar(lr, dt), scalar(wd, dt)
        if s is None:
            if h["clip_gradient"] is None:
                gterm = (lr_ * scalar(h["rescale_grad"], dt)) * g
            else:
                gterm = lr_ * _clipped_rescaled(h, g)
            return (1 - lr_ * wd_) * w - gterm, None
        mu = scalar(h["momentum"], dt)
        cg = _clipped_rescaled(h, g)
        m1 = mu * s
        new_w = w - m1 + (mu + 1) * (m1 - lr_ * (cg + wd_ * w))
        # MXNet's kernel writes the weight in place before computing the new momentum,
        # so the momentum's weight-decay term reads the *updated* weight (kept)
        return new_w, m1 - lr_ * (cg + wd_ * new_w)


@register
class Signum(RuleOptimizer):
    """Signum / signSGD (``signum_update`` / ``signsgd_update``).

    momentum > 0: ``m = mu*m - (1-mu)*(wd*w + C(rescale*g)); w = (1-lr*wd_lh)*w + lr*sign(m)``;
    momentum 0: ``w = (1-lr*wd)*w - lr*sign(C(rescale*g))``.
    """

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.9, wd_lh: float = 0.0,
                 **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = momentum
        self.wd_lh = wd_lh

    def _extra_hyper(self) -> dict[str, Any]:
        return {"momentum": self.momentum, "wd_lh": self.wd_lh}

    def _init_slot(self, weight: jax.Array) -> Any:
        return _momentum_zeros(self, weight)

    _static_rule = True

    def _rule(self, h, w, g, s, lr, wd, t, aux):
        dt = w.dtype
        lr_, wd_ = scalar(lr, dt), scalar(wd, dt)
        if s is None:
            return (1 - lr_ * wd_) * w - lr_ * jnp.sign(_clipped_rescaled(h, g)), None
        mu = scalar(h["momentum"], dt)
        new_m = mu * s - (1 - mu) * wd_ * w - (1 - mu) * _clipped_rescaled(h, g)
        new_w = (1 - lr_ * scalar(h["wd_lh"], dt)) * w + lr_ * jnp.sign(new_m)
        return new_w, new_m


def _lars_exempt(name: str) -> bool:
    return name.endswith("gamma") or name.endswith("beta") or name.endswith("bias")


@register
class LARS(RuleOptimizer):
    """LARS (``multi_lars`` + ``preloaded_multi_sgd(_mom)_update``).

    Parameters whose name does not end in gamma/beta/bias get
    ``lr *= eta*|w| / (|rescale*g| + wd*|w| + eps)`` when both norms are > 0, then
    the SGD step. With ``momentum_correction`` the momentum of each update call is
    ``momentum * cur_lr / last_lr`` (the scheduler's lr now and at the previous
    call, MXNet's ``_get_lrs``). Only names ending ``_weight`` keep wd.
    """

    _mp_layout = MP_STATE_FIRST
    _counts_first = True

    def __init__(self, momentum: float = 0.0, lazy_update: bool = True, eta: float = 0.001,
                 eps: float = 0, momentum_correction: bool = True, **kwargs: Any):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.momentum_correction = momentum_correction
        self.lazy_update = lazy_update
        self.aggregate_num = int(os.getenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", "4"))
        self.eta = eta
        self.eps = eps
        self.skip = 0
        self.last_lr: float | None = None
        self.cur_lr: float | None = None

    def _get_lrs(self, indices: list) -> list[float]:
        if self.cur_lr is not None:
            self.last_lr = self.cur_lr
        lr = self.lr_scheduler(self.num_update) if self.lr_scheduler is not None else self.lr
        if self.cur_lr is None:
            self.last_lr = lr
        self.cur_lr = lr
        return [lr * self._lr_mult_of(i) for i in indices]

    def set_wd_mult(self, args_wd_mult: dict) -> None:
        self.wd_mult = {}
        for n in self.idx2name.values():
            if not n.endswith("_weight"):
                self.wd_mult[n] = 0.0
        if self.sym_info:
            attr, arg_names = self.sym_info
            for name in arg_names:
                if name in attr and "__wd_mult__" in attr[name]:
                    self.wd_mult[name] = float(attr[name]["__wd_mult__"])
        self.wd_mult.update(args_wd_mult)

    def _effective_momentum(self) -> float:
        if self.cur_lr is None or self.last_lr is None:
            return self.momentum
        if self.momentum_correction and self.last_lr != 0:
            return self.momentum * (self.cur_lr / self.last_lr)
        return self.momentum

    def _extra_hyper(self) -> dict[str, Any]:
        return {"momentum": self._effective_momentum() if self.momentum > 0 else self.momentum,
                "base_momentum": self.momentum,
                "momentum_correction": 1.0 if self.momentum_correction else 0.0,
                "eta": self.eta, "eps": self.eps}

    def _init_slot(self, weight: jax.Array) -> Any:
        return _momentum_zeros(self, weight)

    def _eager_aux(self, index: Any, t: int) -> Any:
        name = self.idx2name[index] if index in self.idx2name else str(index)
        return np.float64(0.0 if _lars_exempt(name) else 1.0)

    _static_rule = True

    def _rule(self, h, w, g, s, lr, wd, t, aux):
        # multi_lars works in float32 on float32 lrs/wds and sums of squares
        nd = jnp.float32 if w.dtype == jnp.float16 else w.dtype
        w_norm = jnp.sqrt(jnp.sum(jnp.square(w.astype(nd))))
        g_norm = jnp.sqrt(jnp.sum(jnp.square(g.astype(nd)))) * scalar(h["rescale_grad"], nd)
        lr_n, wd_n = scalar(lr, nd), scalar(wd, nd)
        lars = scalar(h["eta"], nd) * w_norm / (g_norm + wd_n * w_norm + scalar(h["eps"], nd))
        use = (jnp.asarray(aux) > 0) & (w_norm > 0) & (g_norm > 0)
        lr_eff = jnp.where(use, lr_n * lars, lr_n)
        return sgd_rule(h, w, g, s, lr_eff, wd)

    # fused path: the layer flag is per name; the momentum correction is per update
    # call chunk (MXNet's Updater calls update with aggregate_num parameters at a time)
    def _shared_init(self, names: list[str], weights: dict) -> Any:
        f = _host_float_dtype()
        return {"cur_lr": jnp.asarray(self.cur_lr if self.cur_lr is not None else 0.0, f),
                "last_lr": jnp.asarray(self.last_lr if self.last_lr is not None else 0.0, f),
                "started": jnp.asarray(self.cur_lr is not None)}

    def _shared_param(self, shared, h, i, name, t):
        return shared, jnp.asarray(0.0 if _lars_exempt(name) else 1.0, jnp.float32)

    def _fused_hyper(self, h, shared, ctx, pos):
        if pos in ctx["chunk_starts"]:
            # a new Updater call (chunk): MXNet's _get_lrs moves cur_lr to last_lr
            base = jnp.asarray(ctx["base_lr"]).astype(shared["cur_lr"].dtype)
            last = jnp.where(shared["started"], shared["cur_lr"], base)
            shared = {"cur_lr": base, "last_lr": last, "started": jnp.asarray(True)}
        cur, last = shared["cur_lr"], shared["last_lr"]
        mom = jnp.asarray(h["base_momentum"]).astype(jnp.float64)
        ratio = cur.astype(jnp.float64) / jnp.where(last != 0, last, 1).astype(jnp.float64)
        use = (h["momentum_correction"] > 0) & (last != 0)
        h = dict(h)
        h["momentum"] = jnp.where(use, mom * ratio, mom)
        return h, shared

    def _commit_step(self, chunks: list[list]) -> None:
        for chunk in chunks:
            self._update_count(chunk)
            self._get_lrs(chunk)


@register
class LBSGD(Optimizer):
    """MXNet's Large-Batch SGD: not supported by mxjax (use SGD or LARS)."""

    def __init__(self, *args: Any, **kwargs: Any):
        raise MXNetError("optimizer LBSGD (large-batch SGD with gradient accumulation) is not "
                         "supported by mxjax; use 'sgd' or 'lars'")
