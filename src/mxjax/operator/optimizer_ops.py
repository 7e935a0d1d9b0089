"""MXNet 1.9.1's optimizer update operators (``src/operator/optimizer_op-inl.h``).

``sgd_update``, ``sgd_mom_update``, ``mp_sgd_update``, ``mp_sgd_mom_update``,
``nag_mom_update``, ``mp_nag_mom_update``, ``adam_update``, ``rmsprop_update``,
``rmspropalex_update``, ``ftrl_update``, ``signsgd_update``, ``signum_update``,
``ftml_update``, ``lamb_update_phase1/2`` and ``mp_lamb_update_phase1/2``.

Each op's output is the new weight (LAMB phase 1: the update direction ``g``);
its state inputs (momentum, Adam moments, the float32 master weight of the
``mp_`` variants ...) are MXNet's *mutable inputs*: the forward returns their new
values as auxiliary updates, and ``mx.nd.<op>`` writes them back into the state
arrays in place (see ``ndarray/mutate.py``), as MXNet does. Hyper-parameters are
cast to the compute dtype first (MXNet's ``static_cast<DType>``), and every
formula is written with ``jnp.where`` instead of Python branches on the float
attributes, so ``mx.nd`` can pass lr/wd/... as traced values (no recompilation
when the learning rate changes). ``lazy_update`` only matters for row_sparse
arrays in MXNet; dense arrays (the only kind mxjax has) update every row.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from ..base import MXNetError
from .registry import Op, Param, register

__all__ = ["UpdateOp"]

_LR = Param("float")
_WD = Param("float", 0.0)
_RESCALE = Param("float", 1.0)
_CLIP = Param("float", -1.0)
_LAZY = Param("bool", True)


def _clip(x, c):
    """MXNet's ``clip_gradient``: clip to [-c, c] when c >= 0, else unchanged."""
    return jnp.where(c >= 0, jnp.clip(x, -jnp.abs(c), jnp.abs(c)), x)


class UpdateOp(Op):
    """An optimizer update: inputs ``weight, grad, *states``; states are mutated in place."""

    #: names of the mutable state inputs, in input order
    states: tuple[str, ...] = ()
    #: names of the read-only inputs after ``weight``
    reads: tuple[str, ...] = ("grad",)
    #: ``mx.nd`` writes the aux updates back into these inputs
    mutate_inputs = True

    def inputs(self, a):
        return ["weight", *self.reads, *self.states]

    def aux(self, a):
        return list(self.states)

    def infer_shape(self, a, in_shapes):
        w = next((s for s in in_shapes if s is not None), None)
        return [s if s is not None else w for s in in_shapes]

    def forward(self, a, ctx, weight, *rest):
        names = self.inputs(a)[1:]
        for n, x in zip(names, rest, strict=True):
            if x.shape != weight.shape:
                raise MXNetError(f"{self.name}: {n} has shape {x.shape} but weight has "
                                 f"{weight.shape}")
        new_w, new_states = self.update(a, weight, *rest)
        return (new_w, tuple(new_states)) if self.aux(a) else new_w

    def update(self, a, weight, *rest) -> tuple[Any, list]:
        raise NotImplementedError  # pragma: no cover


def _h(a, key, dt):
    return jnp.asarray(a[key], dt)


def _grad(a, g, w, dt, *, wd_in_grad: bool, clip_key: str = "clip_gradient"):
    """``clip(rescale * g [+ wd * w])`` in dtype ``dt``."""
    r = _h(a, "rescale_grad", dt) * g.astype(dt)
    if wd_in_grad:
        r = r + _h(a, "wd", dt) * w
    return _clip(r, _h(a, clip_key, dt))


def _sgd(a, w, g, dt):
    lr, wd = _h(a, "lr", dt), _h(a, "wd", dt)
    return (1 - lr * wd) * w - lr * _grad(a, g, w, dt, wd_in_grad=False)


def _sgd_mom(a, w, g, mom, dt):
    lr, wd, m = _h(a, "lr", dt), _h(a, "wd", dt), _h(a, "momentum", dt)
    mom = m * mom - lr * wd * w - lr * _grad(a, g, w, dt, wd_in_grad=False)
    return w + mom, mom


def _nag(a, w, g, mom, dt, wd_on_new: bool):
    """MXNet's NAG kernel. The momentum's weight-decay term reads the weight buffer after
    the new weight was written: the *new* weight when the update runs in place
    (``out=weight``, as MXNet's optimizer calls it) and always for the ``mp_`` kernel."""
    lr, m, wd = _h(a, "lr", dt), _h(a, "momentum", dt), _h(a, "wd", dt)
    gr = _grad(a, g, w, dt, wd_in_grad=False)
    mom = m * mom
    new_w = w - mom + (m + 1) * (mom - lr * (gr + wd * w))
    return new_w, mom - lr * (gr + wd * (new_w if wd_on_new else w))


_SGD_PARAMS = {"lr": _LR, "wd": _WD, "rescale_grad": _RESCALE, "clip_gradient": _CLIP,
               "lazy_update": _LAZY}
_MOM_PARAMS = {"lr": _LR, "momentum": Param("float", 0.0), "wd": _WD, "rescale_grad": _RESCALE,
               "clip_gradient": _CLIP, "lazy_update": _LAZY}
_NAG_PARAMS = {"lr": _LR, "momentum": Param("float", 0.0), "wd": _WD, "rescale_grad": _RESCALE,
               "clip_gradient": _CLIP}


@register
class SGDUpdate(UpdateOp):
    """``sgd_update``: ``w = (1 - lr*wd)*w - lr*clip(rescale_grad*grad)``."""

    name = "sgd_update"
    params = _SGD_PARAMS

    def update(self, a, w, g):
        return _sgd(a, w, g, w.dtype), []


@register
class SGDMomUpdate(UpdateOp):
    """``sgd_mom_update``: ``mom = momentum*mom - lr*wd*w - lr*clip(rescale_grad*grad);
    w += mom``."""

    name = "sgd_mom_update"
    params = _MOM_PARAMS
    states = ("mom",)

    def update(self, a, w, g, mom):
        w, mom = _sgd_mom(a, w, g, mom, w.dtype)
        return w, [mom]


class _MultiPrecision(UpdateOp):
    """``mp_`` variants: the float32 master copy ``weight32`` is updated (in place) and the
    output weight is its cast to the weight's dtype."""

    def infer_type(self, a, in_types):
        return list(in_types)


@register
class MPSGDUpdate(_MultiPrecision):
    """``mp_sgd_update``: ``sgd_update`` on the float32 ``weight32``."""

    name = "mp_sgd_update"
    params = _SGD_PARAMS
    states = ("weight32",)

    def update(self, a, w, g, w32):
        new32 = _sgd(a, w32, g, w32.dtype)
        return new32.astype(w.dtype), [new32]


@register
class MPSGDMomUpdate(_MultiPrecision):
    """``mp_sgd_mom_update``: ``sgd_mom_update`` on the float32 ``weight32``."""

    name = "mp_sgd_mom_update"
    params = _MOM_PARAMS
    states = ("mom", "weight32")

    def update(self, a, w, g, mom, w32):
        new32, mom = _sgd_mom(a, w32, g, mom, w32.dtype)
        return new32.astype(w.dtype), [mom, new32]


@register
class NAGMomUpdate(UpdateOp):
    """``nag_mom_update``: ``G = clip(rescale_grad*grad); m = momentum*mom;
    w' = w - m + (momentum + 1)*(m - lr*(G + wd*w)); mom = m - lr*(G + wd*w')`` in place
    (``out=weight``), ``... + wd*w)`` otherwise, as MXNet's aliasing kernel gives."""

    name = "nag_mom_update"
    params = _NAG_PARAMS
    states = ("mom",)

    def update(self, a, w, g, mom):
        w, mom = _nag(a, w, g, mom, w.dtype, a.get("__inplace__", False))
        return w, [mom]


@register
class MPNAGMomUpdate(_MultiPrecision):
    """``mp_nag_mom_update``: ``nag_mom_update`` on the float32 ``weight32``."""

    name = "mp_nag_mom_update"
    params = _NAG_PARAMS
    states = ("mom", "weight32")

    def update(self, a, w, g, mom, w32):
        new32, mom = _nag(a, w32, g, mom, w32.dtype, True)
        return new32.astype(w.dtype), [mom, new32]


@register
class AdamUpdate(UpdateOp):
    """``adam_update``: ``G = clip(rescale_grad*grad + wd*w); mean = b1*mean + (1-b1)*G;
    var = b2*var + (1-b2)*G^2; w -= lr*mean/(sqrt(var) + epsilon)`` (no bias correction:
    MXNet's Adam folds it into lr)."""

    name = "adam_update"
    params = {"lr": _LR, "beta1": Param("float", 0.9), "beta2": Param("float", 0.999),
              "epsilon": Param("float", 1e-8), "wd": _WD, "rescale_grad": _RESCALE,
              "clip_gradient": _CLIP, "lazy_update": _LAZY}
    states = ("mean", "var")

    def update(self, a, w, g, mean, var):
        dt = w.dtype
        b1, b2 = _h(a, "beta1", dt), _h(a, "beta2", dt)
        gr = _grad(a, g, w, dt, wd_in_grad=True)
        mean = b1 * mean + (1 - b1) * gr
        var = b2 * var + (1 - b2) * jnp.square(gr)
        w = w - _h(a, "lr", dt) * mean / (jnp.sqrt(var) + _h(a, "epsilon", dt))
        return w, [mean, var]


def _clip_weights(a, w, dt):
    return _clip(w, _h(a, "clip_weights", dt))


@register
class RMSPropUpdate(UpdateOp):
    """``rmsprop_update``: ``G = clip(rescale_grad*grad + wd*w); n = (1-gamma1)*G^2 +
    gamma1*n; w -= lr*G/sqrt(n + epsilon)``, then ``clip_weights``."""

    name = "rmsprop_update"
    params = {"lr": _LR, "gamma1": Param("float", 0.95), "epsilon": Param("float", 1e-8),
              "wd": _WD, "rescale_grad": _RESCALE, "clip_gradient": _CLIP,
              "clip_weights": Param("float", -1.0)}
    states = ("n",)

    def update(self, a, w, g, n):
        dt = w.dtype
        g1 = _h(a, "gamma1", dt)
        gr = _grad(a, g, w, dt, wd_in_grad=True)
        n = (1 - g1) * jnp.square(gr) + g1 * n
        w = w - _h(a, "lr", dt) * gr / jnp.sqrt(n + _h(a, "epsilon", dt))
        return _clip_weights(a, w, dt), [n]


@register
class RMSPropAlexUpdate(UpdateOp):
    """``rmspropalex_update`` (centered RMSProp): ``n = (1-gamma1)*G^2 + gamma1*n;
    g = (1-gamma1)*G + gamma1*g; delta = gamma2*delta - lr*G/sqrt(n - g^2 + epsilon);
    w += delta``, then ``clip_weights``."""

    name = "rmspropalex_update"
    params = {"lr": _LR, "gamma1": Param("float", 0.95), "gamma2": Param("float", 0.9),
              "epsilon": Param("float", 1e-8), "wd": _WD, "rescale_grad": _RESCALE,
              "clip_gradient": _CLIP, "clip_weights": Param("float", -1.0)}
    states = ("n", "g", "delta")

    def update(self, a, w, grad, n, g, delta):
        dt = w.dtype
        g1, g2 = _h(a, "gamma1", dt), _h(a, "gamma2", dt)
        gr = _grad(a, grad, w, dt, wd_in_grad=True)
        n = (1 - g1) * jnp.square(gr) + g1 * n
        g = (1 - g1) * gr + g1 * g
        delta = g2 * delta - _h(a, "lr", dt) * gr / jnp.sqrt(n - jnp.square(g)
                                                             + _h(a, "epsilon", dt))
        return _clip_weights(a, w + delta, dt), [n, g, delta]


@register
class FtrlUpdate(UpdateOp):
    """``ftrl_update``: ``G = clip(rescale_grad*grad); z += G - (sqrt(n + G^2) - sqrt(n))*w/lr;
    n += G^2; w = (sign(z)*lamda1 - z) / ((beta + sqrt(n))/lr + wd)`` where ``|z| > lamda1``,
    else 0."""

    name = "ftrl_update"
    params = {"lr": _LR, "lamda1": Param("float", 0.01), "beta": Param("float", 1.0),
              "wd": _WD, "rescale_grad": _RESCALE, "clip_gradient": _CLIP}
    states = ("z", "n")

    def update(self, a, w, g, z, n):
        dt = w.dtype
        lr, l1 = _h(a, "lr", dt), _h(a, "lamda1", dt)
        gr = _grad(a, g, w, dt, wd_in_grad=False)
        z = z + gr - (jnp.sqrt(n + jnp.square(gr)) - jnp.sqrt(n)) * w / lr
        n = n + jnp.square(gr)
        w = ((jnp.sign(z) * l1 - z) / ((_h(a, "beta", dt) + jnp.sqrt(n)) / lr
                                       + _h(a, "wd", dt)) * (jnp.abs(z) > l1).astype(dt))
        return w, [z, n]


@register
class SignSGDUpdate(UpdateOp):
    """``signsgd_update``: ``w = (1 - lr*wd)*w - lr*sign(clip(rescale_grad*grad))``."""

    name = "signsgd_update"
    params = {"lr": _LR, "wd": _WD, "rescale_grad": _RESCALE, "clip_gradient": _CLIP}

    def update(self, a, w, g):
        dt = w.dtype
        lr, wd = _h(a, "lr", dt), _h(a, "wd", dt)
        return (1 - lr * wd) * w - lr * jnp.sign(_grad(a, g, w, dt, wd_in_grad=False)), []


@register
class SignumUpdate(UpdateOp):
    """``signum_update``: ``mom = momentum*mom - (1-momentum)*(wd*w + clip(rescale_grad*grad));
    w = (1 - lr*wd_lh)*w + lr*sign(mom)``."""

    name = "signum_update"
    params = {"lr": _LR, "momentum": Param("float", 0.0), "wd": _WD, "rescale_grad": _RESCALE,
              "clip_gradient": _CLIP, "wd_lh": Param("float", 0.0)}
    states = ("mom",)

    def update(self, a, w, g, mom):
        dt = w.dtype
        m = _h(a, "momentum", dt)
        gr = _grad(a, g, w, dt, wd_in_grad=False)
        mom = m * mom - (1 - m) * _h(a, "wd", dt) * w - (1 - m) * gr
        lr = _h(a, "lr", dt)
        return (1 - lr * _h(a, "wd_lh", dt)) * w + lr * jnp.sign(mom), [mom]


@register
class FTMLUpdate(UpdateOp):
    """``ftml_update``: ``G = clip(rescale_grad*grad + wd*w, clip_grad);
    v = b2*v + (1-b2)*G^2; d_t = (1 - b1^t)/lr * (sqrt(v/(1 - b2^t)) + epsilon);
    z = b1*z + (1-b1)*G - (d_t - b1*d)*w; d = d_t; w = -z/d_t``."""

    name = "ftml_update"
    params = {"lr": _LR, "beta1": Param("float", 0.6), "beta2": Param("float", 0.999),
              "epsilon": Param("float", 1e-8), "t": Param("int"), "wd": _WD,
              "rescale_grad": _RESCALE, "clip_grad": _CLIP}
    states = ("d", "v", "z")

    def update(self, a, w, g, d, v, z):
        dt = w.dtype
        b1, b2, t = _h(a, "beta1", dt), _h(a, "beta2", dt), _h(a, "t", dt)
        gr = _grad(a, g, w, dt, wd_in_grad=True, clip_key="clip_grad")
        v = b2 * v + (1 - b2) * jnp.square(gr)
        d_t = (1 - b1 ** t) / _h(a, "lr", dt) * (jnp.sqrt(v / (1 - b2 ** t))
                                                 + _h(a, "epsilon", dt))
        z = b1 * z + (1 - b1) * gr - (d_t - b1 * d) * w
        return -z / d_t, [d_t, v, z]


_LAMB1_PARAMS = {"beta1": Param("float", 0.9), "beta2": Param("float", 0.999),
                 "epsilon": Param("float", 1e-6), "t": Param("int"),
                 "bias_correction": Param("bool", True), "wd": Param("float"),
                 "rescale_grad": _RESCALE, "clip_gradient": _CLIP}
_LAMB2_PARAMS = {"lr": _LR, "lower_bound": Param("float", -1.0),
                 "upper_bound": Param("float", -1.0)}


def _lamb1(a, w, g, mean, var, dt):
    b1, b2, t = _h(a, "beta1", dt), _h(a, "beta2", dt), _h(a, "t", dt)
    gr = _grad(a, g, w, dt, wd_in_grad=False)
    mean = b1 * mean + (1 - b1) * gr
    var = b2 * var + (1 - b2) * jnp.square(gr)
    if a.bias_correction:
        m_hat, v_hat = mean / (1 - b1 ** t), var / (1 - b2 ** t)
    else:
        m_hat, v_hat = mean, var
    out = m_hat / (jnp.sqrt(v_hat) + _h(a, "epsilon", dt)) + _h(a, "wd", dt) * w
    return out, mean, var


def _lamb2(a, w, g, r1, r2, dt):
    lo, hi = _h(a, "lower_bound", dt), _h(a, "upper_bound", dt)
    r1 = r1.astype(dt).reshape(())
    r2 = r2.astype(dt).reshape(())
    r1 = jnp.where(lo >= 0, jnp.maximum(r1, lo), r1)
    r1 = jnp.where(hi >= 0, jnp.minimum(r1, hi), r1)
    ratio = jnp.where((r1 == 0) | (r2 == 0), jnp.asarray(1, dt), r1 / r2)
    return w - _h(a, "lr", dt) * ratio * g.astype(dt)


@register
class LambUpdatePhase1(UpdateOp):
    """``lamb_update_phase1``: Adam moments of ``G = clip(rescale_grad*grad)`` (bias-corrected
    with step ``t`` if ``bias_correction``); output ``g = m/(sqrt(v) + epsilon) + wd*w``."""

    name = "lamb_update_phase1"
    params = _LAMB1_PARAMS
    states = ("mean", "var")

    def update(self, a, w, g, mean, var):
        out, mean, var = _lamb1(a, w, g, mean, var, w.dtype)
        return out, [mean, var]


@register
class MPLambUpdatePhase1(_MultiPrecision):
    """``mp_lamb_update_phase1``: ``lamb_update_phase1`` on the float32 ``weight32``
    (the output ``g`` is float32)."""

    name = "mp_lamb_update_phase1"
    params = _LAMB1_PARAMS
    reads = ("grad", "mean", "var", "weight32")
    states = ()

    def inputs(self, a):
        return ["weight", "grad", "mean", "var", "weight32"]

    def aux(self, a):
        return ["mean", "var"]

    def forward(self, a, ctx, w, g, mean, var, w32):
        out, mean, var = _lamb1(a, w32, g, mean, var, w32.dtype)
        return out, (mean, var)


class _LambPhase2(UpdateOp):
    """Shared shape rules of the phase-2 ops: ``r1``/``r2`` are the (1,)-shaped norms."""

    def infer_shape(self, a, in_shapes):
        w = in_shapes[0] or in_shapes[1]
        out = list(in_shapes)
        for i, n in enumerate(self.inputs(a)):
            if out[i] is None:
                out[i] = (1,) if n in ("r1", "r2") else w
        return out

    def _check(self, w, g, r1, r2):
        if g.shape != w.shape or r1.size != 1 or r2.size != 1:
            raise MXNetError(f"{self.name}: g must have weight's shape {w.shape} and r1, r2 one "
                             f"element, got {g.shape}, {r1.shape}, {r2.shape}")


@register
class LambUpdatePhase2(_LambPhase2):
    """``lamb_update_phase2``: ``r1 = clip of ||w|| to [lower_bound, upper_bound]`` (each
    bound only if >= 0); ``w -= lr * (r1/r2 if both non-zero else 1) * g``."""

    name = "lamb_update_phase2"
    params = _LAMB2_PARAMS
    mutate_inputs = False

    def inputs(self, a):
        return ["weight", "g", "r1", "r2"]

    def aux(self, a):
        return []

    def forward(self, a, ctx, w, g, r1, r2):
        self._check(w, g, r1, r2)
        return _lamb2(a, w, g, r1, r2, w.dtype)


@register
class MPLambUpdatePhase2(_LambPhase2):
    """``mp_lamb_update_phase2``: phase 2 computed from the float32 ``weight32``; the output
    is cast to the weight's dtype. As in MXNet 1.9.1, ``weight32`` is read only (the
    kernel does not write the master copy back)."""

    name = "mp_lamb_update_phase2"
    params = _LAMB2_PARAMS
    mutate_inputs = False

    def inputs(self, a):
        return ["weight", "g", "r1", "r2", "weight32"]

    def aux(self, a):
        return []

    def infer_type(self, a, in_types):
        return list(in_types)

    def forward(self, a, ctx, w, g, r1, r2, w32):
        self._check(w32, g, r1, r2)
        return _lamb2(a, w32, g, r1, r2, w32.dtype).astype(w.dtype)
