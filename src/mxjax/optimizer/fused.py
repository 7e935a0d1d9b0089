"""The fused optimizer update: all parameters in one pure, jittable call.

    fused = opt.fused(names)          # index i <-> names[i] (the Module's idx2name)
    state = fused.init(weights)       # {name: jax.Array} -> pytree of jax arrays
    new_weights, new_state = fused.apply(weights, grads, state, fused.dynamic())
    fused.commit(n_steps)             # host bookkeeping after n_steps applied updates

``apply`` is pure: wrap it in ``jax.jit`` (and ``lax.scan`` for several steps).
Gradients are raw: rescale_grad, clip_gradient, wd, lr/wd multipliers and the lr
schedule are applied inside, exactly as MXNet's ``update``. ``dynamic()`` reads
the host-side values (lr, wd, rescale_grad, momentum, ... and the scheduler's
current state) as NumPy scalars, so changing an optimizer attribute changes a
traced value and never recompiles (switching an option between "off" (None)
and "on" changes the pytree's structure and does retrace).

The state pytree (no Python objects; None marks an absent state, as MXNet's)::

    {"count": int32[len(names)],   # per-parameter update counts (MXNet's _index_update_count)
     "num_update": int32,          # the optimizer's num_update
     "slots": {name: state},       # MXNet's create_state(_multi_precision) layout, as jax arrays
     "shared": pytree | None}      # optimizer-wide state (Nadam's m_schedule, SGLD's key, ...)

Inside ``apply`` every count is bumped, ``num_update = max(num_update, counts)``
and ``lr = scheduler.lr_at(num_update, state_at_dynamic())`` (or the fixed lr).
All parameters see that one ``num_update``: MXNet's sequential lookups give the
same value whenever the parameters share their update count, which is always
the case for a Module. Parameters are visited in the order MXNet's ``Updater``
visits them (grouped by dtype when the optimizer aggregates), which matters for
Nadam's shared schedule and LARS's momentum correction.

``commit(n)`` replays MXNet's host bookkeeping for n steps: update counts,
``num_update``, the stateful scheduler (so ``base_lr`` and its log lines are
MXNet's) and optimizer attributes such as Nadam's ``m_schedule``.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..base import MXNetError
from ..lr_scheduler import has_pure_schedule
from ..ndarray.ndarray import NDArray

__all__ = ["FusedOptimizer", "has_fused_rule"]

# methods whose override (below the class defining the pure rule) means the
# eager path no longer is the rule: the fused path would then compute something else
_EAGER_METHODS = (
    "update", "update_multi_precision", "create_state", "create_state_multi_precision",
    "_update_impl", "_apply_nd", "_get_lrs", "_get_lr", "_get_wds", "_get_wd",
    "_update_count", "_lr_mult_of", "_wd_mult_of",
)


def _owner(cls: type, attr: str) -> type:
    for klass in cls.__mro__:
        if attr in klass.__dict__:
            return klass
    return object


def has_fused_rule(opt: Any) -> bool:
    """True when ``opt``'s update is its pure rule (no eager-only override)."""
    from .rule import RuleOptimizer

    if not isinstance(opt, RuleOptimizer):
        return False
    cls = type(opt)
    rule_owner = _owner(cls, "_rule")
    if rule_owner is RuleOptimizer:
        return False
    # every eager method must come from the rule's class or above it
    return all(issubclass(rule_owner, _owner(cls, name)) for name in _EAGER_METHODS)
    return True


class FusedOptimizer:
    """One jittable update of the parameters ``names`` with ``opt`` (see module doc)."""

    def __init__(self, opt: Any, names: list[str]):
        names = list(names)
        if len(set(names)) != len(names):
            raise MXNetError(f"fused optimizer: duplicate parameter names in {names}")
        self.opt = opt
        self.names = names
        self._chunks: list[list[int]] | None = None

    # ------------------------------------------------------------------ info
    @property
    def supported(self) -> bool:
        """False when the optimizer (or its lr_scheduler) has no pure rule; use Updater."""
        return has_fused_rule(self.opt) and has_pure_schedule(self.opt.lr_scheduler)

    def _check_supported(self) -> None:
        if not has_fused_rule(self.opt):
            raise MXNetError(
                f"optimizer {type(self.opt).__name__} overrides update()/create_state() without "
                "a pure rule (_rule); it cannot run fused — drive it with mx.optimizer.Updater")
        if not has_pure_schedule(self.opt.lr_scheduler):
            raise MXNetError(
                f"lr_scheduler {type(self.opt.lr_scheduler).__name__} has no pure schedule "
                "(lr_at); it cannot run fused — drive the optimizer with mx.optimizer.Updater")

    def _update_chunks(self, weights: dict) -> list[list[int]]:
        """The index lists of MXNet's ``update`` calls when its Updater gets all indices:
        dtype groups (first seen first) cut in chunks of ``aggregate_num`` when the
        optimizer aggregates, otherwise one index per call."""
        n_agg = self.opt.aggregate_num
        if n_agg <= 0:
            return [[i] for i in range(len(self.names))]
        groups: dict[Any, list[int]] = {}
        for i, n in enumerate(self.names):
            groups.setdefault(np.dtype(weights[n].dtype), []).append(i)
        return [g[k:k + n_agg] for g in groups.values() for k in range(0, len(g), n_agg)]

    def _check_keys(self, what: str, tree: dict) -> None:
        if not isinstance(tree, dict):
            raise MXNetError(f"fused optimizer: {what} must be a dict name -> array, got "
                             f"{type(tree).__name__}")
        missing = [n for n in self.names if n not in tree]
        if missing:
            raise MXNetError(f"fused optimizer: {what} lacks parameters {missing}")

    # ------------------------------------------------------------------ state
    def init(self, weights: dict[str, jax.Array]) -> dict:
        """Fresh optimizer state for ``weights`` (counts continue the host's counts)."""
        self._check_supported()
        self._check_keys("weights", weights)
        opt = self.opt
        self._chunks = self._update_chunks(weights)
        with jax.enable_x64(True):
            # one vector (not a scalar per parameter): a single kernel bumps them all
            counts = jnp.asarray(np.asarray(
                [opt._index_update_count.get(i, opt.begin_num_update)
                 for i in range(len(self.names))], dtype=np.int32))
            slots = {n: _place_like(opt._fused_init_slot(jnp.asarray(weights[n])), weights[n])
                     for n in self.names}
            shared = opt._shared_init(self.names, weights)
            return {"count": counts, "num_update": jnp.asarray(opt.num_update, jnp.int32),
                    "slots": slots, "shared": shared}

    def dynamic(self) -> dict:
        """Host values read now: lr or scheduler state, per-parameter lr_mult and wd, and
        the optimizer's hyper-parameters (NumPy scalars; a pytree for ``apply``)."""
        opt = self.opt
        idx = range(len(self.names))
        dyn = {"hyper": opt._hyper(),
               "lr_mult": np.asarray([opt._lr_mult_of(i) for i in idx], dtype=np.float64),
               "wd": np.asarray(opt._get_wds(list(idx)), dtype=np.float64)}
        if opt.lr_scheduler is not None:
            dyn["sched"] = opt.lr_scheduler.lr_state(opt.num_update)
        else:
            dyn["lr"] = np.float64(opt.lr)
        return dyn

    def apply(self, weights: dict, grads: dict, state: dict, dynamic: dict) -> tuple[dict, dict]:
        """One update of every parameter; pure (jit/scan it). Returns (weights, state)."""
        self._check_keys("weights", weights)
        self._check_keys("grads", grads)
        opt = self.opt
        chunks = self._chunks if self._chunks is not None else self._update_chunks(weights)
        order = [i for c in chunks for i in c]
        starts = {sum(len(c) for c in chunks[:k]) for k in range(len(chunks))}
        with jax.enable_x64(True):
            count_vec = state["count"] + 1
            nu = jnp.maximum(state["num_update"], jnp.max(count_vec)) if self.names else \
                state["num_update"]
            counts = {n: count_vec[i] for i, n in enumerate(self.names)}
            if "sched" in dynamic:
                base_lr = opt.lr_scheduler.lr_at(nu, dynamic["sched"])
            else:
                base_lr = jnp.asarray(dynamic["lr"]).astype(jnp.float64)
            h = dynamic["hyper"]
            shared = state["shared"]
            new_w: dict = {}
            new_s: dict = {}
            ctx = {"order": order, "chunk_starts": starts, "names": self.names,
                   "base_lr": base_lr}
            for pos, i in enumerate(order):
                n = self.names[i]
                _check_same_shape(n, weights[n], grads[n])
                lr = base_lr * dynamic["lr_mult"][i]
                wd = dynamic["wd"][i]
                h_i, shared = opt._fused_hyper(h, shared, ctx, pos)
                shared, aux = opt._shared_param(shared, h_i, i, n, counts[n])
                w_new, s_new = opt._param_update(h_i, weights[n], grads[n], state["slots"][n],
                                                 lr, wd, counts[n], aux)
                new_w[n] = w_new.astype(weights[n].dtype)
                new_s[n] = jax.tree_util.tree_map(lambda new, old: new.astype(old.dtype), s_new,
                                                  state["slots"][n])
            shared = jax.tree_util.tree_map(lambda new, old: jnp.asarray(new).astype(old.dtype),
                                            shared, state["shared"])
            new_state = {"count": count_vec, "num_update": nu.astype(jnp.int32), "slots": new_s,
                         "shared": shared}
            return new_w, new_state

    def commit(self, n_steps: int = 1) -> None:
        """Host bookkeeping after ``n_steps`` applied updates (counts, num_update, the
        stateful scheduler with its log lines, optimizer attributes)."""
        chunks = self._chunks if self._chunks is not None else \
            [[i] for i in range(len(self.names))]
        for _ in range(int(n_steps)):
            self.opt._commit_step([list(c) for c in chunks])

    # ------------------------------------------------------- Updater interop
    def to_updater_states(self, state: dict) -> dict:
        """``{index: NDArray | tuple | None}`` in MXNet's Updater layout."""
        def wrap(a):
            return NDArray(a)

        return {i: jax.tree_util.tree_map(wrap, state["slots"][n])
                for i, n in enumerate(self.names)}

    def from_updater_states(self, states: dict, weights: dict) -> dict:
        """The fused state from an Updater's ``states`` (missing indices start fresh)."""
        fresh = self.init(weights)
        slots = dict(fresh["slots"])
        for i, n in enumerate(self.names):
            if i not in states:
                continue
            ref = fresh["slots"][n]
            got = jax.tree_util.tree_map(lambda a: a._data if isinstance(a, NDArray) else a,
                                         states[i])
            try:
                slots[n] = jax.tree_util.tree_map(
                    lambda new, old: jnp.asarray(new).astype(old.dtype).reshape(old.shape),
                    got, ref)
            except (ValueError, TypeError) as err:
                raise MXNetError(f"optimizer state of parameter {n!r} (index {i}) does not "
                                 f"match {type(self.opt).__name__}'s state layout: {err}") \
                    from err
        fresh["slots"] = slots
        return fresh


def _place_like(slot: Any, weight: Any) -> Any:
    """Put the weight-shaped state arrays where the weight is (same sharding)."""
    sharding = getattr(weight, "sharding", None)
    if sharding is None or not getattr(weight, "committed", True):
        return slot
    return jax.tree_util.tree_map(
        lambda a: jax.device_put(a, sharding) if a.shape == weight.shape else a, slot)


def _check_same_shape(name: str, w: Any, g: Any) -> None:
    if tuple(w.shape) != tuple(g.shape):
        raise MXNetError(f"fused optimizer: gradient of {name!r} has shape {tuple(g.shape)}, "
                         f"weight has {tuple(w.shape)}")
