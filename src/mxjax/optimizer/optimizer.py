"""``mx.optimizer.Optimizer``: MXNet 1.9.1's optimizer base class and registry.

This module is the bookkeeping every MXNet optimizer shares, kept exactly:

* ``learning_rate=None`` and no scheduler -> 0.01; a scheduler whose ``base_lr``
  differs from an explicit ``learning_rate`` is overwritten (MXNet prints the
  UserWarning); ``set_learning_rate`` raises UserWarning when a scheduler exists.
* multipliers: ``__lr_mult__``/``__wd_mult__`` attributes of the symbol's
  arguments (only when ``sym`` is given), then ``set_lr_mult``/``set_wd_mult``;
  with ``param_idx2name``, every name not ending in ``_weight``/``_gamma`` gets
  ``wd_mult = 0``. Lookup order: ``param_dict[index]``, ``mult[index]``,
  ``mult[idx2name[index]]``, 1.
* per-index update counts start at ``begin_num_update`` and are bumped *before*
  the lr lookup (the first update sees count 1); ``num_update`` is their max.
* ``create_state_multi_precision``/``update_multi_precision``: a float16 weight
  with ``multi_precision=True`` keeps a float32 master copy ``(master, state)``.

Optimizers with a pure update rule (all of MXNet's, see :mod:`.rule`) also give
``fused(names)``, one jittable update of a whole parameter pytree.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..base import MXNetError

__all__ = ["Optimizer", "register", "create"]


class Optimizer:
    """The base class of all optimizers (``mx.optimizer.Optimizer``).

    A user subclass overrides ``create_state(index, weight)`` and
    ``update(index, weight, grad, state)``, writing the new weight (and state)
    into the NDArrays in place, exactly as with MXNet; ``Updater`` drives it.
    """

    opt_registry: dict[str, type] = {}

    #: attributes that the update bookkeeping itself changes every step
    _BOOKKEEPING = frozenset({"num_update", "_index_update_count", "_all_index_update_counts",
                              "_attr_version"})

    def __setattr__(self, name: str, value: Any) -> None:
        # every other assignment bumps a version, so compiled callers can re-read the
        # hyper-parameters only when something changed (``opt.lr = 0.05`` takes effect at once)
        if name not in self._BOOKKEEPING:
            object.__setattr__(self, "_attr_version", getattr(self, "_attr_version", 0) + 1)
        object.__setattr__(self, name, value)

    @property
    def attr_version(self) -> int:
        """Bumped by every attribute assignment except the per-step bookkeeping."""
        return getattr(self, "_attr_version", 0)

    def __init__(self, rescale_grad: float = 1.0, param_idx2name: dict | None = None,
                 wd: float = 0.0, clip_gradient: float | None = None,
                 learning_rate: float | None = None, lr_scheduler: Any = None,
                 sym: Any = None, begin_num_update: int = 0, multi_precision: bool = False,
                 param_dict: dict | None = None):
        self.rescale_grad = rescale_grad
        self.lr_scheduler = lr_scheduler
        if self.lr_scheduler is None and learning_rate is None:
            learning_rate = 0.01
        self.lr = learning_rate
        if self.lr_scheduler is not None and learning_rate is not None:
            if self.lr_scheduler.base_lr != learning_rate:
                print(UserWarning("learning rate from ``lr_scheduler`` has been "
                                  "overwritten by ``learning_rate`` in optimizer."))
                self.lr_scheduler.base_lr = learning_rate
        self.wd = wd
        self.lr_mult: dict = {}
        self.wd_mult: dict = {}
        self.begin_num_update = begin_num_update
        self.num_update = begin_num_update
        self._all_index_update_counts: dict = {0: {}}
        self._index_update_count: dict = self._all_index_update_counts[0]
        self.clip_gradient = clip_gradient
        self.multi_precision = multi_precision
        self.aggregate_num = 0
        if param_idx2name is None:
            param_idx2name = {}
        if not isinstance(param_idx2name, dict):
            raise MXNetError("param_idx2name should be a dict of param indexes to names, got "
                             f"{type(param_idx2name).__name__}")
        self.idx2name = param_idx2name.copy()
        self.sym_info = (sym.attr_dict(), sym.list_arguments()) if sym is not None else ()
        self.param_dict = param_dict if param_dict else {}
        self.allow_np_array = False
        self.set_lr_mult({})
        self.set_wd_mult({})

    # ---------------------------------------------------------------- registry
    @staticmethod
    def register(klass: type) -> type:
        """Register ``klass`` under its lowercased class name (``mx.optimizer.register``)."""
        if not isinstance(klass, type):
            raise MXNetError(f"register expects a class, got {klass!r}")
        name = klass.__name__.lower()
        if name in Optimizer.opt_registry:
            old = Optimizer.opt_registry[name]
            warnings.warn(f"WARNING: New optimizer {klass.__module__}.{klass.__name__} is "
                          f"overriding existing optimizer {old.__module__}.{old.__name__}")
        Optimizer.opt_registry[name] = klass
        return klass

    @staticmethod
    def create_optimizer(name: str, **kwargs: Any) -> Optimizer:
        """Instantiate the optimizer registered as ``name`` (case-insensitive)."""
        if not isinstance(name, str):
            raise MXNetError(f"optimizer name must be a string, got {type(name).__name__}")
        if name.lower() in Optimizer.opt_registry:
            return Optimizer.opt_registry[name.lower()](**kwargs)
        raise ValueError(f"Cannot find optimizer {name}")

    # ------------------------------------------------------------ learning rate
    @property
    def learning_rate(self) -> float:
        if self.lr_scheduler is not None:
            return self.lr_scheduler(self.num_update)
        return self.lr

    def set_learning_rate(self, lr: float) -> None:
        """Set the lr; refused (UserWarning raised, as MXNet) when a scheduler exists."""
        if self.lr_scheduler is not None:
            raise UserWarning("LRScheduler of the optimizer has already been defined. Note that "
                              "set_learning_rate can mutate the value of the learning rate of "
                              "the optimizer only when the LRScheduler of the optimizer is "
                              "undefined.")
        self.lr = lr

    def set_lr_scale(self, args_lrscale: Any) -> None:
        """[DEPRECATED in MXNet] raises DeprecationWarning; use set_lr_mult."""
        raise DeprecationWarning

    # -------------------------------------------------------------- multipliers
    def set_lr_mult(self, args_lr_mult: dict) -> None:
        """lr multipliers: the symbol's ``__lr_mult__`` attributes, then ``args_lr_mult``."""
        self.lr_mult = {}
        if self.sym_info:
            attr, arg_names = self.sym_info
            for name in arg_names:
                if name in attr and "__lr_mult__" in attr[name]:
                    self.lr_mult[name] = float(attr[name]["__lr_mult__"])
        self.lr_mult.update(args_lr_mult)

    def set_wd_mult(self, args_wd_mult: dict) -> None:
        """wd multipliers: 0 for idx2name names not ending ``_weight``/``_gamma``, then the
        symbol's ``__wd_mult__`` attributes, then ``args_wd_mult``."""
        self.wd_mult = {}
        for n in self.idx2name.values():
            if not (n.endswith("_weight") or n.endswith("_gamma")):
                self.wd_mult[n] = 0.0
        if self.sym_info:
            attr, arg_names = self.sym_info
            for name in arg_names:
                if name in attr and "__wd_mult__" in attr[name]:
                    self.wd_mult[name] = float(attr[name]["__wd_mult__"])
        self.wd_mult.update(args_wd_mult)

    # ----------------------------------------------------------- update counts
    def _set_current_context(self, device_id: int) -> None:
        """Switch to the update counts of device ``device_id`` (MXNet keeps one dict each)."""
        if device_id not in self._all_index_update_counts:
            self._all_index_update_counts[device_id] = {}
        self._index_update_count = self._all_index_update_counts[device_id]

    def _update_count(self, index: Any) -> None:
        """Bump the count of ``index`` (or of each index in a list); update num_update."""
        if not isinstance(index, (list, tuple)):
            index = [index]
        for idx in index:
            if idx not in self._index_update_count:
                self._index_update_count[idx] = self.begin_num_update
            self._index_update_count[idx] += 1
            self.num_update = max(self._index_update_count[idx], self.num_update)

    def _lr_mult_of(self, index: Any) -> float:
        if index in self.param_dict:
            return self.param_dict[index].lr_mult
        if index in self.lr_mult:
            return self.lr_mult[index]
        if index in self.idx2name:
            return self.lr_mult.get(self.idx2name[index], 1.0)
        return 1.0

    def _wd_mult_of(self, index: Any) -> float:
        if index in self.param_dict:
            return self.param_dict[index].wd_mult
        if index in self.wd_mult:
            return self.wd_mult[index]
        if index in self.idx2name:
            return self.wd_mult.get(self.idx2name[index], 1.0)
        return 1.0

    def _get_lrs(self, indices: list) -> list[float]:
        """Learning rates of ``indices``: scheduler(num_update) or lr, times lr_mult."""
        lr = self.lr_scheduler(self.num_update) if self.lr_scheduler is not None else self.lr
        return [lr * self._lr_mult_of(i) for i in indices]

    def _get_lr(self, index: Any) -> float:
        return self._get_lrs([index])[0]

    def _get_wds(self, indices: list) -> list[float]:
        """Weight decays of ``indices``: wd times wd_mult."""
        return [self.wd * self._wd_mult_of(i) for i in indices]

    def _get_wd(self, index: Any) -> float:
        return self._get_wds([index])[0]

    # ------------------------------------------------------------------ states
    def create_state(self, index: Any, weight: Any) -> Any:
        """The auxiliary state of one weight (None for the base class)."""
        return None

    def create_state_multi_precision(self, index: Any, weight: Any) -> Any:
        """``(float32 master copy, create_state(master))`` for float16 weights with
        multi_precision; otherwise ``create_state(index, weight)``."""
        if self.multi_precision and weight.dtype == np.float16:
            master = weight.astype(np.float32)
            return (master,) + (self.create_state(index, master),)
        if weight.dtype == np.float16 and not self.multi_precision:
            warnings.warn("Accumulating with float16 in optimizer can lead to poor accuracy or "
                          "slow convergence. Consider using multi_precision=True option of the "
                          "optimizer")
        return self.create_state(index, weight)

    def update(self, index: Any, weight: Any, grad: Any, state: Any) -> None:
        """Update ``weight`` in place from ``grad`` and ``state``."""
        raise NotImplementedError()

    def update_multi_precision(self, index: Any, weight: Any, grad: Any, state: Any) -> None:
        """``update`` on the float32 master copy, then cast it into the float16 weight."""
        if self.multi_precision and weight.dtype == np.float16:
            master, inner = state[0], state[1]
            grad32 = grad.astype(np.float32)
            self.update(index, master, grad32, inner)
            weight[:] = master.astype(weight.dtype)
        else:
            self.update(index, weight, grad, state)

    # ------------------------------------------------------------ fused update
    def fused(self, names: list[str]) -> Any:
        """The whole-pytree update of parameters ``names`` (index i is ``names[i]``).

        See :class:`mxjax.optimizer.fused.FusedOptimizer`; ``.supported`` is False
        for optimizers without a pure rule (user subclasses overriding ``update``).
        """
        from .fused import FusedOptimizer

        return FusedOptimizer(self, names)

    def __getstate__(self) -> dict:
        ret = {k: v for k, v in self.__dict__.items() if not k.startswith("_jit")}
        ret.pop("param_dict", None)
        return ret

    def __setstate__(self, state: dict) -> None:
        self.__dict__ = dict(state)
        self.param_dict = {}


register = Optimizer.register
create = Optimizer.create_optimizer
