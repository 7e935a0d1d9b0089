"""Optimizers defined by one pure update rule, shared by the eager and fused paths.

A :class:`RuleOptimizer` subclass writes its math once::

    _init_slot(weight)                                   -> state pytree (MXNet's layout)
    _rule(h, w, g, s, lr, wd, t, aux)                    -> (new_w, new_s)

``h`` is :meth:`_hyper` (rescale_grad, clip_gradient — None when off — and the
optimizer's own hyper-parameters, as NumPy scalars so that changing them never
recompiles); ``lr``/``wd`` already include the multipliers; ``t`` is this
parameter's update count after the bump; ``aux`` is per-parameter data from the
optimizer's shared state (Nadam's momentum schedule, SGLD's random key, LARS's
layer flag), None for most. Scalars are cast to the weight's dtype where MXNet's
kernels cast their float parameters (``static_cast<DType>``).

The eager path (``create_state``/``update``, driven by :class:`Updater`) does
MXNet's bookkeeping on the host, runs the jitted rule and writes the results
back into the NDArrays in place. The fused path (:mod:`.fused`) runs the same
rule for every parameter inside one traced function.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..ndarray.ndarray import NDArray
from .optimizer import Optimizer

__all__ = ["RuleOptimizer", "clip", "scalar"]

MP_MASTER_FIRST = "master_first"  # (float32 master, state): the base class's layout
MP_STATE_FIRST = "state_first"  # (state, float32 master): SGD, NAG, LARS


def scalar(x: Any, dtype: Any) -> jax.Array:
    """A host/traced scalar as the kernels see it: cast to the weight dtype."""
    return jnp.asarray(x).astype(dtype)


def clip(x: jax.Array, bound: Any) -> jax.Array:
    """``mshadow_op::clip``: project onto [-bound, bound] (NaN passes through)."""
    b = scalar(bound, x.dtype)
    return jnp.where(x > b, b, jnp.where(x < -b, -b, x))


def _host_float_dtype() -> Any:
    """float64 for host-side scalars kept on device (Python floats in MXNet) when 64-bit
    mode is on, float32 otherwise (the fused ``apply`` keeps the dtype it is given)."""
    return jnp.float64 if jax.config.jax_enable_x64 else jnp.float32


def _tree_nd_to_jax(state: Any) -> Any:
    return jax.tree_util.tree_map(lambda a: a._data if isinstance(a, NDArray) else a, state)


def _write_back(nd_state: Any, new_state: Any) -> None:
    """Rebind every NDArray leaf of ``nd_state`` to the matching array of ``new_state``."""
    if nd_state is None:
        return
    if isinstance(nd_state, NDArray):
        nd_state._data = new_state.astype(nd_state._data.dtype)
        return
    if isinstance(nd_state, (tuple, list)):
        for a, b in zip(nd_state, new_state, strict=True):
            _write_back(a, b)
        return
    raise TypeError(f"unexpected optimizer state leaf {type(nd_state).__name__}")


class RuleOptimizer(Optimizer):
    """An optimizer whose update is the pure ``_rule``; see the module docstring."""

    #: MXNet's kernel optimizers clip only ``if clip_gradient`` (0 = off, and the kernel
    #: ignores negative bounds); the Python-level ones clip when it ``is not None``.
    kernel_clip = True
    #: None: the base class's multi-precision wrapper (``(master, state)``, via ``update``);
    #: otherwise the optimizer's own layout, handled by ``_update_impl``.
    _mp_layout: str | None = None
    #: SGD/LARS bump all counts of a list update before looking up the lrs.
    _counts_first = False

    # --------------------------------------------------------- to implement
    def _extra_hyper(self) -> dict[str, Any]:
        return {}

    def _init_slot(self, weight: jax.Array) -> Any:
        return None

    def _rule(self, h: dict, w: jax.Array, g: jax.Array, s: Any, lr: Any, wd: Any, t: Any,
              aux: Any) -> tuple[jax.Array, Any]:
        raise NotImplementedError

    # ------------------------------------------------------- shared state hooks
    def _shared_init(self, names: list[str], weights: dict) -> Any:
        """Fused-path state shared by all parameters (None for most optimizers)."""
        return None

    def _shared_param(self, shared: Any, h: dict, i: int, name: str, t: Any) -> tuple[Any, Any]:
        """Advance the shared state for parameter ``i`` (in update order); return aux."""
        return shared, None

    def _fused_hyper(self, h: dict, shared: Any, ctx: dict, pos: int) -> tuple[dict, Any]:
        """The hyper-parameters of the ``pos``-th parameter in update order (fused path);
        ``ctx`` holds ``order``, ``chunk_starts`` (positions that begin one of MXNet's
        aggregated ``update`` calls), ``names`` and the step's ``base_lr``."""
        return h, shared

    def _eager_aux(self, index: Any, t: int) -> Any:
        """The eager path's aux for ``index`` (may advance host state, as MXNet does)."""
        return None

    def _commit_step(self, chunks: list[list]) -> None:
        """Host bookkeeping of one fused step: MXNet's ``update`` calls, one per chunk of
        indices (see FusedOptimizer.commit)."""
        self._update_count([i for c in chunks for i in c])
        if self.lr_scheduler is not None:
            self.lr_scheduler(self.num_update)

    # ------------------------------------------------------------ hyper-params
    def _clip_value(self) -> np.float64 | None:
        c = self.clip_gradient
        if self.kernel_clip:
            if not c or not c >= 0:
                return None
        elif c is None:
            return None
        return np.float64(c)

    def _hyper(self) -> dict[str, Any]:
        h = {"rescale_grad": np.float64(self.rescale_grad), "clip_gradient": self._clip_value()}
        for k, v in self._extra_hyper().items():
            h[k] = None if v is None else np.float64(v)
        return h

    # ------------------------------------------------------------- precision
    def _use_mp(self, dtype: Any) -> bool:
        return bool(self.multi_precision) and np.dtype(dtype) == np.float16

    def _fused_init_slot(self, weight: jax.Array) -> Any:
        """The state of one weight in the fused path (MXNet's multi-precision layout)."""
        if not self._use_mp(weight.dtype):
            return self._init_slot(weight)
        master = weight.astype(jnp.float32)
        inner = self._init_slot(master)
        return (inner, master) if self._mp_layout == MP_STATE_FIRST else (master, inner)

    def _param_update(self, h: dict, w: jax.Array, g: jax.Array, s: Any, lr: Any, wd: Any,
                      t: Any, aux: Any) -> tuple[jax.Array, Any]:
        """One parameter's update, multi-precision aware (pure; used by the fused path)."""
        if not self._use_mp(w.dtype):
            return self._rule(h, w, g, s, lr, wd, t, aux)
        if self._mp_layout == MP_STATE_FIRST:
            inner, master = s
        else:
            master, inner = s
        new_master, new_inner = self._rule(h, master, g.astype(jnp.float32), inner, lr, wd, t,
                                           aux)
        new_s = (new_inner, new_master) if self._mp_layout == MP_STATE_FIRST \
            else (new_master, new_inner)
        return new_master.astype(w.dtype), new_s

    # ------------------------------------------------------------- eager path
    def create_state(self, index: Any, weight: NDArray) -> Any:
        with jax.enable_x64(True):
            slot = self._init_slot(weight._data)
        return jax.tree_util.tree_map(lambda a: NDArray(a, weight.context), slot)

    def create_state_multi_precision(self, index: Any, weight: NDArray) -> Any:
        if self._mp_layout == MP_STATE_FIRST and self._use_mp(weight.dtype):
            master = weight.astype(np.float32)
            return (self.create_state(index, master), master)
        return super().create_state_multi_precision(index, weight)

    def update(self, index: Any, weight: Any, grad: Any, state: Any) -> None:
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index: Any, weight: Any, grad: Any, state: Any) -> None:
        if self._mp_layout is None:
            if isinstance(index, (list, tuple)):
                for i, w, g, s in zip(index, weight, grad, state, strict=True):
                    super().update_multi_precision(i, w, g, s)
                return
            super().update_multi_precision(index, weight, grad, state)
            return
        w0 = weight[0] if isinstance(index, (list, tuple)) else weight
        use_mp = self._use_mp(w0.dtype) and (
            isinstance(state[0] if isinstance(index, (list, tuple)) else state, (tuple, list)))
        self._update_impl(index, weight, grad, state, multi_precision=use_mp)

    def _update_impl(self, index: Any, weight: Any, grad: Any, state: Any,
                     multi_precision: bool) -> None:
        """MXNet's bookkeeping for one index or a list, then the rule per parameter."""
        if isinstance(index, (list, tuple)):
            indices, weights, grads, states = list(index), list(weight), list(grad), list(state)
        else:
            indices, weights, grads, states = [index], [weight], [grad], [state]
        for w, g in zip(weights, grads, strict=True):
            _check_nd(w, "weight")
            _check_nd(g, "grad")
        if self._counts_first:
            self._update_count(indices)
            lrs = self._get_lrs(indices)
            wds = self._get_wds(indices)
        else:
            lrs, wds = [], []
            for i in indices:
                self._update_count(i)
                lrs.append(self._get_lr(i))
                wds.append(self._get_wd(i))
        h = self._hyper()
        for i, w, g, s, lr, wd in zip(indices, weights, grads, states, lrs, wds, strict=True):
            t = self._index_update_count[i]
            self._apply_nd(h, i, w, g, s, lr, wd, t, multi_precision)

    def _apply_nd(self, h: dict, index: Any, weight: NDArray, grad: NDArray, state: Any,
                  lr: float, wd: float, t: int, multi_precision: bool) -> None:
        aux = self._eager_aux(index, t)
        with jax.enable_x64(True):
            if multi_precision:
                if self._mp_layout == MP_STATE_FIRST:
                    inner, master = state
                else:
                    master, inner = state
                w_in, g_in = master._data, grad._data.astype(jnp.float32)
            else:
                inner = state
                w_in, g_in = weight._data, grad._data
            new_w, new_s = self._jitted_rule()(h, w_in, g_in, _tree_nd_to_jax(inner),
                                               np.float64(lr), np.float64(wd), np.int64(t), aux)
            if multi_precision:
                master._data = new_w
                weight._data = new_w.astype(weight._data.dtype)
            else:
                weight._data = new_w.astype(weight._data.dtype)
            _write_back(inner, new_s)

    def _jitted_rule(self):
        """The jitted rule. Rules of mxjax's own classes read nothing from ``self`` at trace
        time, so one compiled rule serves every instance of the class; a user's ``_rule``
        gets one per instance."""
        fn = self.__dict__.get("_jit_rule")
        if fn is None:
            owner = next(k for k in type(self).__mro__ if "_rule" in k.__dict__)
            if owner.__dict__.get("_static_rule", False):
                fn = _SHARED_RULES.get(owner)
                if fn is None:  # a bare instance: the rule must not read instance attributes
                    proto = owner.__new__(owner)
                    fn = _SHARED_RULES[owner] = jax.jit(functools.partial(_call_rule, proto))
            else:
                fn = jax.jit(functools.partial(_call_rule, self))
            self.__dict__["_jit_rule"] = fn
        return fn


_SHARED_RULES: dict[type, Any] = {}


def _call_rule(opt: RuleOptimizer, h, w, g, s, lr, wd, t, aux):
    with jax.enable_x64(True):
        return opt._rule(h, w, g, s, lr, wd, t, aux)


def _check_nd(x: Any, what: str) -> None:
    if not isinstance(x, NDArray):
        raise TypeError(f"optimizer update: {what} must be an NDArray, got {type(x).__name__}")
