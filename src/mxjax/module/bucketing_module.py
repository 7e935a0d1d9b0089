"""``BucketingModule``: MXNet 1.9.1's module over one symbol per bucket key.

``sym_gen(key) -> (symbol, data_names, label_names)`` is called inside a fresh
``mx.name.NameManager()`` (auto names restart for every bucket, so every bucket's
parameters carry the same names). ``bind`` builds the default bucket's Module; a
batch with a new ``bucket_key`` gets a Module bound with ``shared_module`` = the
default bucket's: the same parameter, gradient and auxiliary-state dicts, the same
Optimizer/Updater (MXNet's ``borrow_optimizer``). Everything else delegates to the
current bucket's Module, with MXNet's ``_params_dirty`` bookkeeping.

mxjax specifics: each bound Module has its own ``TrainEngine`` that keeps the fused
optimizer state on the device and defers ``update()`` into the next training
forward. On a bucket switch the outgoing engine hands its optimizer state and any
deferred step to the incoming one (``TrainEngine.hand_over``), so exactly one
engine holds live optimizer state at any time and results stay MXNet's. ``fit``
runs BaseModule's per-batch loop (no scanned epochs across buckets).

Files (``save_checkpoint``/``load``): ``prefix-%04d.params``,
``prefix-<key>-symbol.json`` per bucket and ``prefix.buckets`` (the keys as one
int32 NDArray written by ``nd.save``), byte-compatible with MXNet 1.9.1.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..base import MXNetError
from ..context import cpu
from .base_module import BaseModule
from .module import Module, _check_input_names, _names

__all__ = ["BucketingModule"]


class BucketingModule(BaseModule):
    """A module that switches between symbols by the batches' ``bucket_key``."""

    def __init__(self, sym_gen: Callable[[Any], tuple], default_bucket_key: Any = None,
                 logger: Any = logging, context: Any = None, work_load_list: Any = None,
                 fixed_param_names: Sequence[str] | None = None,
                 state_names: Sequence[str] | None = None, group2ctxs: Any = None,
                 compression_params: Any = None):
        super().__init__(logger=logger)
        assert default_bucket_key is not None, "BucketingModule needs a default_bucket_key"
        if not callable(sym_gen):
            raise TypeError(f"sym_gen must be callable (bucket_key -> (symbol, data_names, "
                            f"label_names)), got {type(sym_gen).__name__}")
        self._default_bucket_key = default_bucket_key
        self._sym_gen = sym_gen
        symbol, data_names, label_names = self._call_sym_gen(default_bucket_key)
        data_names, label_names = _names(data_names), _names(label_names)
        state_names, fixed_param_names = _names(state_names), _names(fixed_param_names)
        _check_input_names(symbol, data_names, "data", True)
        _check_input_names(symbol, label_names, "label", False)
        _check_input_names(symbol, state_names, "state", True)
        _check_input_names(symbol, fixed_param_names, "fixed_param", True)
        self._compression_params = compression_params
        self._fixed_param_names = fixed_param_names
        self._state_names = state_names
        self._context = cpu() if context is None else context
        self._work_load_list = work_load_list
        self._group2ctxs = group2ctxs
        self._buckets: dict[Any, Module] = {}
        self._curr_module: Module | None = None
        self._curr_bucket_key: Any = None
        self._params_dirty = False
        self._monitor: Any = None
        self._grad_req: Any = None

    def _call_sym_gen(self, bucket_key: Any) -> tuple:
        """``sym_gen(bucket_key)`` inside a fresh NameManager (MXNet's ``_call_sym_gen``)."""
        from ..name import NameManager

        with NameManager():
            got = self._sym_gen(bucket_key)
        if not (isinstance(got, (tuple, list)) and len(got) == 3):
            raise MXNetError(f"sym_gen({bucket_key!r}) must return (symbol, data_names, "
                             f"label_names), got {got!r}")
        return tuple(got)

    def _new_module(self, symbol: Any, data_names: Any, label_names: Any) -> Module:
        return Module(symbol, data_names, label_names, logger=self.logger,
                      context=self._context, work_load_list=self._work_load_list,
                      fixed_param_names=self._fixed_param_names,
                      state_names=self._state_names, group2ctxs=self._group2ctxs,
                      compression_params=self._compression_params)

    def _reset_bind(self) -> None:
        if self._curr_module is not None:
            self._curr_module._flush_engine()
        self.binded = False
        self._buckets = {}
        self._curr_module = None
        self._curr_bucket_key = None

    # ------------------------------------------------------------- properties
    @property
    def data_names(self) -> list[str]:
        if self.binded:
            return self._curr_module.data_names
        return self._call_sym_gen(self._default_bucket_key)[1]

    @property
    def output_names(self) -> list[str]:
        if self.binded:
            return self._curr_module.output_names
        return self._call_sym_gen(self._default_bucket_key)[0].list_outputs()

    @property
    def data_shapes(self) -> list:
        assert self.binded
        return self._curr_module.data_shapes

    @property
    def label_shapes(self) -> list | None:
        assert self.binded
        return self._curr_module.label_shapes

    @property
    def output_shapes(self) -> list:
        assert self.binded
        return self._curr_module.output_shapes

    @property
    def symbol(self) -> Any:
        """The current bucket's symbol."""
        assert self.binded
        return self._curr_module.symbol

    # ------------------------------------------------------------- params
    def get_params(self) -> tuple[dict, dict]:
        """The current bucket's parameters; synced from the devices when an update ran
        since the last read (MXNet hands its own dirty flag to the current module)."""
        assert self.params_initialized
        mod = self._curr_module
        if not mod.binded:  # loaded, not yet bound: the loaded dicts
            return (mod._arg_params, mod._aux_params)
        if self._params_dirty:
            # MXNet's sync copies the current bucket's own parameters only: one this bucket
            # lacks (another bucket's extra bias, say) keeps its last synced value
            g = mod._exec_group
            own_arg, own_aux = set(g.param_names), set(g.aux_names)
            g.get_params({n: a for n, a in mod._arg_params.items() if n in own_arg},
                         {n: a for n, a in mod._aux_params.items() if n in own_aux})
        mod._params_dirty = False
        params = mod.get_params()
        self._params_dirty = False
        return params

    def set_params(self, arg_params: dict, aux_params: dict, allow_missing: bool = False,
                   force_init: bool = True, allow_extra: bool = False) -> None:
        """Assign parameters (all of them via init_params unless ``allow_missing``)."""
        if self._set_params_handled(arg_params, aux_params, allow_missing, force_init,
                                    allow_extra):
            return
        self._curr_module.set_params(arg_params, aux_params, allow_missing=allow_missing,
                                     force_init=force_init, allow_extra=allow_extra)
        self._params_dirty = True
        self.params_initialized = True

    def init_params(self, initializer: Any = "default", arg_params: dict | None = None,
                    aux_params: dict | None = None, allow_missing: bool = False,
                    force_init: bool = False, allow_extra: bool = False) -> None:
        """Initialise through the current bucket's Module (silently skipped when already
        initialised and not ``force_init``, as MXNet's BucketingModule does)."""
        if self.params_initialized and not force_init:
            return
        assert self.binded, "call bind before initializing the parameters"
        self._curr_module.init_params(initializer=initializer, arg_params=arg_params,
                                      aux_params=aux_params, allow_missing=allow_missing,
                                      force_init=force_init, allow_extra=allow_extra)
        self._params_dirty = False
        self.params_initialized = True

    def get_states(self, merge_multi_context: bool = True) -> list:
        assert self.binded and self.params_initialized
        return self._curr_module.get_states(merge_multi_context=merge_multi_context)

    def set_states(self, states: Any = None, value: Any = None) -> None:
        assert self.binded and self.params_initialized
        self._curr_module.set_states(states, value)

    # ------------------------------------------------------------------ bind
    def bind(self, data_shapes: Any, label_shapes: Any = None, for_training: bool = True,
             inputs_need_grad: bool = False, force_rebind: bool = False,
             shared_module: Any = None, grad_req: Any = "write") -> None:
        """Bind the default bucket's Module (other buckets bind on first use)."""
        if self.params_initialized:
            arg_params, aux_params = self.get_params()
        if force_rebind:
            self._reset_bind()
        if self.binded:
            self.logger.warning("Already bound, ignoring bind()")
            return
        assert shared_module is None, "shared_module for BucketingModule is not supported"
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self._grad_req = grad_req
        symbol, data_names, label_names = self._call_sym_gen(self._default_bucket_key)
        module = self._buckets.get(self._default_bucket_key)
        if module is None:
            module = self._new_module(symbol, data_names, label_names)
        module.bind(data_shapes, label_shapes, for_training, inputs_need_grad,
                    force_rebind=False, shared_module=None, grad_req=self._grad_req)
        self.binded = True
        self._curr_module = module
        self._curr_bucket_key = self._default_bucket_key
        self._buckets[self._default_bucket_key] = module
        if self.params_initialized:
            self.set_params(arg_params, aux_params)

    def _bucket_module(self, bucket_key: Any, data_shapes: Any, label_shapes: Any) -> Module:
        """The bucket's Module, created and bound (sharing the default bucket's) if needed."""
        assert self.binded, "call bind before switching bucket"
        module = self._buckets.get(bucket_key)
        if module is not None and module.binded:
            return module
        if data_shapes is None:
            raise MXNetError(f"bucket {bucket_key!r} is not bound yet: its data shapes are "
                             "needed (the batch's provide_data)")
        if module is None:
            symbol, data_names, label_names = self._call_sym_gen(bucket_key)
            module = self._new_module(symbol, data_names, label_names)
        curr = self._curr_module
        module.bind(data_shapes, label_shapes, curr.for_training, curr.inputs_need_grad,
                    force_rebind=False, shared_module=self._buckets[self._default_bucket_key],
                    grad_req=self._grad_req)
        if self._monitor is not None:
            module.install_monitor(self._monitor)
        self._buckets[bucket_key] = module
        return module

    def switch_bucket(self, bucket_key: Any, data_shapes: Any, label_shapes: Any = None) -> None:
        """Make ``bucket_key``'s Module current (created and bound on first use)."""
        module = self._bucket_module(bucket_key, data_shapes, label_shapes)
        self._activate(module)
        self._curr_bucket_key = bucket_key

    def _activate(self, module: Module) -> None:
        """Hand the engine state of the outgoing bucket to ``module`` and make it current."""
        old = self._curr_module
        if module is old:
            return
        if old is not None and old.binded:
            old._exec_group.resolve_pending()  # its lazy outputs, before buffers are donated
            src = old._engine
            if src is not None:
                if module.optimizer_initialized:
                    src.hand_over(module._get_engine())
                else:
                    src.sync_updater()
                    src.opt_state = None
        self._curr_module = module

    # ------------------------------------------------------------- optimizer
    def init_optimizer(self, kvstore: Any = "local", optimizer: Any = "sgd",
                       optimizer_params: Any = (("learning_rate", 0.01),),
                       force_init: bool = False) -> None:
        """Install the optimizer on the current bucket; every other bucket borrows it."""
        assert self.binded and self.params_initialized
        if self.optimizer_initialized and not force_init:
            self.logger.warning("optimizer already initialized, ignoring.")
            return
        if (isinstance(kvstore, str) and "dist" in kvstore) or \
                "dist" in str(getattr(kvstore, "type", "")):
            raise MXNetError("BucketingModule with a dist kvstore is not supported by mxjax; "
                             "use kvstore 'local' or 'device'")
        for mod in self._buckets.values():
            if mod is not self._curr_module:
                mod._flush_engine()
        self._curr_module.init_optimizer(kvstore, optimizer, optimizer_params,
                                         force_init=force_init)
        for mod in self._buckets.values():
            if mod is not self._curr_module:
                mod.borrow_optimizer(self._curr_module)
        self.optimizer_initialized = True

    # ---------------------------------------------------------- computation
    def prepare(self, data_batch: Any, sparse_row_id_fn: Any = None) -> None:
        """Bind the batch's bucket if new; the current bucket stays current (MXNet switches
        to it and back)."""
        assert self.binded and self.params_initialized
        module = self._bucket_module(data_batch.bucket_key, data_batch.provide_data,
                                     data_batch.provide_label)
        module.prepare(data_batch, sparse_row_id_fn=sparse_row_id_fn)

    def forward(self, data_batch: Any, is_train: bool | None = None) -> None:
        """Switch to the batch's bucket (its provide_data/provide_label), then forward."""
        assert self.binded and self.params_initialized
        self.switch_bucket(data_batch.bucket_key, data_batch.provide_data,
                           data_batch.provide_label)
        self._curr_module.forward(data_batch, is_train=is_train)

    def backward(self, out_grads: Any = None) -> None:
        assert self.binded and self.params_initialized
        self._curr_module.backward(out_grads=out_grads)

    def update(self) -> None:
        assert self.binded and self.params_initialized and self.optimizer_initialized
        self._params_dirty = True
        self._curr_module.update()

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        assert self.binded and self.params_initialized
        return self._curr_module.get_outputs(merge_multi_context=merge_multi_context)

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        assert self.binded and self.params_initialized and self.inputs_need_grad
        return self._curr_module.get_input_grads(merge_multi_context=merge_multi_context)

    def update_metric(self, eval_metric: Any, labels: Any, pre_sliced: bool = False) -> None:
        assert self.binded and self.params_initialized
        self._curr_module.update_metric(eval_metric, labels, pre_sliced)

    def install_monitor(self, mon: Any) -> None:
        """Install ``mon`` on every bucket's module, and on buckets bound later (MXNet)."""
        assert self.binded
        self._monitor = mon
        for module in self._buckets.values():
            module.install_monitor(mon)

    # ------------------------------------------------------------------ files
    def save_checkpoint(self, prefix: str, epoch: int, remove_amp_cast: bool = False) -> None:
        """Write ``prefix-%04d.params``, ``prefix-<key>-symbol.json`` for every bucket and
        ``prefix.buckets`` (the bucket keys as one int32 NDArray)."""
        from ..ndarray import ndarray as nd
        from ..ndarray.utils import save

        assert len(self._buckets) > 0, "Empty BucketingModule cannot be saved"
        keys = list(self._buckets)
        try:
            key_arr = np.asarray(keys)
            if key_arr.dtype.kind not in "biuf":
                raise TypeError
        except (TypeError, ValueError) as err:
            raise MXNetError(f"BucketingModule.save_checkpoint needs numeric bucket keys (MXNet "
                             f"stores them as int32 in '{prefix}.buckets'), got {keys!r}") \
                from err
        self.save_params(f"{prefix}-{epoch:04d}.params")
        for key in keys:
            symbol = self._call_sym_gen(key)[0]
            symbol.save(f"{prefix}-{key}-symbol.json", remove_amp_cast=remove_amp_cast)
        save(f"{prefix}.buckets", nd.array(key_arr.astype(np.int32), dtype=np.int32))

    @staticmethod
    def load(prefix: str, epoch: int, sym_gen: Callable | None = None,
             default_bucket_key: Any = None, **kwargs: Any) -> BucketingModule:
        """A BucketingModule from ``save_checkpoint``'s files (bind it before use); the keys
        come back as numpy int32, as MXNet's."""
        from .. import symbol as sym
        from ..model import load_params
        from ..ndarray.utils import load

        assert sym_gen is not None, "sym_gen is required for loading BucketingModule"
        assert default_bucket_key is not None, \
            "default_bucket_key is required for loading BucketingModule"
        fname = f"{prefix}.buckets"
        saved = load(fname)
        if isinstance(saved, dict) or len(saved) != 1:
            raise MXNetError(f"{fname!r} must hold one unnamed NDArray of bucket keys")
        buckets = list(saved[0].asnumpy().astype("int32").reshape(-1))
        bmod = BucketingModule(sym_gen, default_bucket_key, **kwargs)
        for key in buckets:
            _, data_names, label_names = sym_gen(key)
            symbol = sym.load(f"{prefix}-{key}-symbol.json")
            bmod._buckets[key] = Module(symbol, data_names, label_names, **kwargs)
            if key == default_bucket_key:
                bmod._curr_module = bmod._buckets[key]
        if bmod._curr_module is None:
            raise MXNetError(f"default_bucket_key {default_bucket_key!r} is not among the "
                             f"saved buckets {[int(k) for k in buckets]}")
        arg_params, aux_params = load_params(prefix, epoch)
        bmod._curr_module._arg_params = arg_params
        bmod._curr_module._aux_params = aux_params
        bmod._curr_module.params_initialized = True
        bmod.params_initialized = True
        return bmod

    @staticmethod
    def load_dict(sym_dict: dict | None = None, sym_gen: Callable | None = None,
                  default_bucket_key: Any = None, arg_params: dict | None = None,
                  aux_params: dict | None = None, **kwargs: Any) -> BucketingModule:
        """A BucketingModule from ``{bucket_key: symbol}`` and shared parameters (MXNet takes
        data/label names from ``sym_gen(default_bucket_key)`` for every bucket)."""
        assert sym_dict is not None, \
            "sym_dict needs to be provided for BucketingModule.load_dict"
        assert arg_params is not None, \
            "arg_params need to be provided for BucketingModule.load_dict"
        assert aux_params is not None, \
            "aux_params need to be provided for BucketingModule.load_dict"
        assert default_bucket_key is not None, \
            "default_bucket_key needs to be provided for BucketingModule.load_dict"
        bmod = BucketingModule(sym_gen, default_bucket_key, **kwargs)
        for key, loaded_sym in sym_dict.items():
            _, data_names, label_names = sym_gen(default_bucket_key)
            bmod._buckets[key] = Module(loaded_sym, data_names, label_names, **kwargs)
            if key == default_bucket_key:
                bmod._curr_module = bmod._buckets[key]
        if bmod._curr_module is None:
            raise MXNetError(f"default_bucket_key {default_bucket_key!r} is not a key of "
                             "sym_dict")
        bmod._curr_module._arg_params = arg_params
        bmod._curr_module._aux_params = aux_params
        bmod._curr_module.params_initialized = True
        bmod.params_initialized = True
        return bmod
