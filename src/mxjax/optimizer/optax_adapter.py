"""``mx.optimizer.Optax``: any optax optimizer as an MXNet optimizer (Module, Updater, fused).

Two ways to give the optax side::

    mx.optimizer.Optax(optax.adam, learning_rate=1e-3, b1=0.9)    # a factory + its kwargs
    mx.optimizer.Optax(optax.chain(optax.clip(1.0), optax.sgd(0.1)))  # a ready transformation

With a **factory** (any callable taking ``learning_rate=``, like ``optax.adam``,
``optax.sgd``, ``optax.adamw``), the transformation is built with
``optax.inject_hyperparams`` and MXNet drives its learning rate: each update
gives it MXNet's lr for that parameter — ``learning_rate`` or the
``lr_scheduler``'s value, times the parameter's ``lr_mult``. A **ready
transformation** owns its learning rate (optax schedules work as usual); then
``learning_rate`` and ``lr_scheduler`` must be left unset and each update is
scaled by the parameter's ``lr_mult`` only.

Before the transformation sees the gradient, mxjax applies MXNet's options:
``G = clip(rescale_grad * grad, ±clip_gradient) + wd * wd_mult * w`` — rescaling
(Module sets rescale_grad to 1/batch_size), elementwise clipping when
``clip_gradient`` is set (> 0), and *coupled* L2 weight decay with MXNet's wd_mult
rules (biases get none). For decoupled decay use e.g. ``optax.adamw`` and keep
``wd=0``. ``multi_precision=True`` keeps float32 master copies of float16 weights.

As MXNet's Updater does, the transformation runs **per parameter**: each weight has
its own optax state (held as the tuple of the state's leaves, so it saves and
loads like any MXNet optimizer state). Elementwise and per-tensor transformations
(adam, sgd, rmsprop, lamb, ...) behave exactly as in optax; transformations that
couple parameters, such as ``clip_by_global_norm``, see one parameter at a time.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from ..base import MXNetError
from .optimizer import register
from .rule import RuleOptimizer, clip, scalar

__all__ = ["Optax"]


def _optax():
    try:
        import optax
    except ImportError as err:  # pragma: no cover - optax is a test dependency
        raise MXNetError("mx.optimizer.Optax needs the optax package (pip install optax)") \
            from err
    return optax


@register
class Optax(RuleOptimizer):
    """An optax transformation (or factory) as an MXNet optimizer; see the module docstring.

    Parameters: ``transformation`` — an ``optax.GradientTransformation`` or a callable
    ``(learning_rate=..., **optax_kwargs) -> GradientTransformation``; ``optax_kwargs``
    — the factory's other arguments; the rest are :class:`Optimizer`'s.
    """

    def __init__(self, transformation: Any, learning_rate: float | None = None,
                 lr_scheduler: Any = None, optax_kwargs: dict | None = None, **kwargs: Any):
        optax = _optax()
        if isinstance(transformation, str):
            raise MXNetError("Optax needs an optax transformation or factory (e.g. optax.adam),"
                             f" not the string {transformation!r}")
        if isinstance(transformation, optax.GradientTransformation):
            if learning_rate is not None or lr_scheduler is not None:
                raise MXNetError(
                    "Optax: a ready optax transformation owns its learning rate; leave "
                    "learning_rate/lr_scheduler unset, or pass a factory such as optax.adam "
                    "so that MXNet's learning rate and schedule drive it")
            if optax_kwargs:
                raise MXNetError("Optax: optax_kwargs only apply to a factory")
            self.factory = None
            self.transformation = transformation
            super().__init__(learning_rate=1.0, **kwargs)
        elif callable(transformation):
            super().__init__(learning_rate=learning_rate, lr_scheduler=lr_scheduler, **kwargs)
            self.factory = transformation
            base = self.lr if self.lr is not None else self.lr_scheduler.base_lr
            try:
                self.transformation = optax.inject_hyperparams(transformation)(
                    learning_rate=base, **(optax_kwargs or {}))
            except TypeError as err:
                raise MXNetError(f"Optax: cannot build {transformation!r} with "
                                 f"learning_rate=... and {optax_kwargs or {}}: {err}") from err
        else:
            raise MXNetError("Optax needs an optax.GradientTransformation or a factory "
                             f"callable, got {type(transformation).__name__}")

    def _treedef(self, w: jax.Array) -> Any:
        shape = jax.ShapeDtypeStruct(w.shape, w.dtype)
        return jax.tree_util.tree_structure(jax.eval_shape(self.transformation.init, shape))

    def _init_slot(self, weight: jax.Array) -> Any:
        return tuple(jax.tree_util.tree_leaves(self.transformation.init(weight)))

    def _rule(self, h, w, g, s, lr, wd, t, aux):
        dt = w.dtype
        grad = g * scalar(h["rescale_grad"], dt)
        if h["clip_gradient"] is not None:
            grad = clip(grad, h["clip_gradient"])
        grad = grad + scalar(wd, dt) * w
        state = jax.tree_util.tree_unflatten(self._treedef(w), list(s))
        if self.factory is not None:
            hp = dict(state.hyperparams)
            hp["learning_rate"] = jnp.asarray(lr).astype(hp["learning_rate"].dtype)
            state = state._replace(hyperparams=hp)
            scale = None
        else:
            scale = lr  # lr_mult only (learning_rate is 1.0 for a ready transformation)
        updates, new_state = self.transformation.update(grad, state, w)
        if scale is not None:
            updates = updates * scalar(scale, updates.dtype)
        new_w = (w + updates.astype(dt)).astype(dt)
        return new_w, tuple(jax.tree_util.tree_leaves(new_state))
