"""``Module``: MXNet's Module over a Symbol, with MXNet 1.9.1's exact semantics.

State flags, warnings, parameter initialisation order (sorted by name, then
aux states), ``rescale_grad = 1/batch_size``, lr/wd multiplier rules, the
stale-until-update ``get_params`` and checkpoint formats are MXNet's. The
computation behind it is an ``ExecGroup`` of jitted functions:

* intermediate API: ``forward(is_train=True)`` on a network whose heads are
  all losses runs forward+backward as one compiled call (backward then only
  commits its results) and ``update`` is one compiled call over all parameters;
* ``fit`` runs one compiled step per batch (forward, backward, update and
  metric statistics), or whole epochs inside ``lax.scan`` when the data is in
  memory and nothing needs to see each batch (see ``fast_path``).

Several contexts (``context=[mx.gpu(0), mx.gpu(1)]``) are data parallel with
MXNet's per-device semantics (see ``exec_group``); kvstore ``'local'`` and
``'device'`` both mean "sum the devices' gradients", which happens inside the
compiled step. With ``'dist_sync'``/``'dist_device_sync'`` (workers started by
``python -m mxjax.launch``), ``rescale_grad = 1/(batch_size * num_workers)``,
rank 0's initial parameters are broadcast to every worker (as MXNet's
``kvstore.init``), each worker feeds its own batch and the gradients are summed
over all workers' devices by XLA. Only rank 0 writes checkpoints
(``save_checkpoint`` is a no-op on other ranks).
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Sequence
from typing import Any

import jax
import numpy as np

from ..base import FLAG_TO_DTYPE, MXNetError
from ..context import Context, cpu
from ..ndarray import ndarray as nd
from .base_module import BaseModule
from .exec_group import ExecGroup

__all__ = ["Module"]


def _names(x: Any) -> list[str]:
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    return list(x)


def _check_input_names(symbol: Any, names: list[str], typename: str, throw: bool) -> None:
    """MXNet's check: names must be arguments of the symbol (ValueError or a warning)."""
    args = symbol.list_arguments()
    for name in names:
        if name in args:
            continue
        candidates = [arg for arg in args if not arg.endswith("_weight")
                      and not arg.endswith("_bias") and not arg.endswith("_gamma")
                      and not arg.endswith("_beta")]
        msg = (f"\033[91mYou created Module with Module(..., {typename}_names={names}) but "
               f"input with name '{name}' is not found in symbol.list_arguments(). "
               f"Did you mean one of:\n\t" + "\n\t".join(candidates) + "\033[0m")
        if throw:
            raise ValueError(msg)
        warnings.warn(msg, stacklevel=3)


class Module(BaseModule):
    """A Module wraps a Symbol bound to one or more contexts."""

    def __init__(self, symbol: Any, data_names: Sequence[str] | None = ("data",),
                 label_names: Sequence[str] | None = ("softmax_label",), logger: Any = logging,
                 context: Any = None, work_load_list: Any = None,
                 fixed_param_names: Sequence[str] | None = None,
                 state_names: Sequence[str] | None = None, group2ctxs: Any = None,
                 compression_params: Any = None):
        super().__init__(logger=logger)
        from ..symbol import Symbol

        if not isinstance(symbol, Symbol):
            raise TypeError(f"Module needs a Symbol, got {type(symbol).__name__}")
        if context is None:
            context = cpu()
        if isinstance(context, Context):
            context = [context]
        self._context = list(context)
        if work_load_list is None:
            work_load_list = [1] * len(self._context)
        if len(work_load_list) != len(self._context):
            raise MXNetError(f"work_load_list {list(work_load_list)} must have one entry per "
                             f"context ({len(self._context)} contexts)")
        self._work_load_list = list(work_load_list)
        self._group2ctxs = group2ctxs
        self._symbol = symbol
        data_names = _names(data_names)
        label_names = _names(label_names)
        state_names = _names(state_names)
        fixed_param_names = _names(fixed_param_names)
        _check_input_names(symbol, data_names, "data", True)
        _check_input_names(symbol, label_names, "label", False)
        _check_input_names(symbol, state_names, "state", True)
        _check_input_names(symbol, fixed_param_names, "fixed_param", True)
        arg_names = symbol.list_arguments()
        input_names = data_names + label_names + state_names
        self._param_names = [x for x in arg_names if x not in input_names]
        self._fixed_param_names = fixed_param_names
        self._aux_names = symbol.list_auxiliary_states()
        self._data_names = data_names
        self._label_names = label_names
        self._state_names = state_names
        self._output_names = symbol.list_outputs()
        self._arg_params: dict | None = None
        self._aux_params: dict | None = None
        self._params_dirty = False
        self._compression_params = compression_params
        self._optimizer: Any = None
        self._kvstore: Any = None
        self._update_on_kvstore: bool | None = None
        self._updater: Any = None
        self._preload_opt_states: str | None = None
        self._grad_req: Any = None
        self._exec_group: ExecGroup | None = None
        self._data_shapes: list | None = None
        self._label_shapes: list | None = None
        self._engine: Any = None

    @staticmethod
    def load(prefix: str, epoch: int, load_optimizer_states: bool = False,
             **kwargs: Any) -> Module:
        """A Module from ``prefix-symbol.json`` and ``prefix-%04d.params`` (+ ``.states``)."""
        from ..model import load_checkpoint

        sym, args, auxs = load_checkpoint(prefix, epoch)
        mod = Module(symbol=sym, **kwargs)
        mod._arg_params = args
        mod._aux_params = auxs
        mod.params_initialized = True
        if load_optimizer_states:
            mod._preload_opt_states = f"{prefix}-{epoch:04d}.states"
        return mod

    def save_checkpoint(self, prefix: str, epoch: int, save_optimizer_states: bool = False,
                        remove_amp_cast: bool = True) -> None:
        """Write ``prefix-symbol.json``, ``prefix-%04d.params`` and optionally ``.states``.

        With a dist kvstore only rank 0 writes (MXNet users guard this call with
        ``if kv.rank == 0``; mxjax does it for them): other ranks return at once.
        """
        if not self._writes_checkpoints():
            return
        self._symbol.save(f"{prefix}-symbol.json", remove_amp_cast=remove_amp_cast)
        param_name = f"{prefix}-{epoch:04d}.params"
        self.save_params(param_name)
        logging.info('Saved checkpoint to "%s"', param_name)
        if save_optimizer_states:
            state_name = f"{prefix}-{epoch:04d}.states"
            self.save_optimizer_states(state_name)
            logging.info('Saved optimizer state to "%s"', state_name)

    def _writes_checkpoints(self) -> bool:
        kv = self._kvstore
        return kv is None or "dist" not in kv.type or kv.rank == 0

    def save_params(self, fname: str) -> None:
        """``arg:`` params in param_names order, then ``aux:`` in list_auxiliary_states order."""
        from ..ndarray.utils import save

        arg_params, aux_params = self.get_params()
        save_dict = {f"arg:{k}": arg_params[k].as_in_context(cpu())
                     for k in self._param_names if k in arg_params}
        save_dict.update({f"aux:{k}": aux_params[k].as_in_context(cpu())
                          for k in self._aux_names if k in aux_params})
        save(fname, save_dict)

    def _flush_engine(self) -> None:
        """Run an optimizer step the engine deferred (before the engine is replaced)."""
        if self._engine is not None:
            self._engine.flush()

    def _reset_bind(self) -> None:
        self._flush_engine()
        self.binded = False
        self._exec_group = None
        self._data_shapes = None
        self._label_shapes = None
        self._engine = None

    # ------------------------------------------------------------- properties
    @property
    def data_names(self) -> list[str]:
        return self._data_names

    @property
    def label_names(self) -> list[str]:
        return self._label_names

    @property
    def output_names(self) -> list[str]:
        return self._output_names

    @property
    def data_shapes(self) -> list:
        assert self.binded
        return self._data_shapes

    @property
    def label_shapes(self) -> list | None:
        assert self.binded
        return self._label_shapes

    @property
    def output_shapes(self) -> list:
        assert self.binded
        return self._exec_group.output_shapes

    # ------------------------------------------------------------- params
    def get_params(self) -> tuple[dict, dict]:
        """The module's own CPU dicts (same objects each call), refreshed after ``update``."""
        assert self.binded and self.params_initialized
        if self._params_dirty:
            self._sync_params_from_devices()
        return (self._arg_params, self._aux_params)

    def init_params(self, initializer: Any = "default", arg_params: dict | None = None,
                    aux_params: dict | None = None, allow_missing: bool = False,
                    force_init: bool = False, allow_extra: bool = False) -> None:
        """Initialise parameters (sorted by name), then aux states; given arrays win."""
        from ..initializer import InitDesc, Uniform

        if initializer is not None and initializer == "default":
            initializer = Uniform(0.01)
        if self.params_initialized and not force_init:
            warnings.warn("Parameters already initialized and force_init=False. "
                          "init_params call ignored.", stacklevel=2)
            return
        assert self.binded, "call bind before initializing the parameters"
        g = self._exec_group

        def _impl(name: str, arr: nd.NDArray, cache: dict | None) -> None:
            if cache is not None:
                if name in cache:
                    cache_arr = cache[name]
                    if cache_arr is not arr:
                        src = cache_arr if isinstance(cache_arr, nd.NDArray) else \
                            nd.array(np.asarray(cache_arr))
                        if src.shape != arr.shape:
                            raise MXNetError(
                                f"parameter {name!r}: given shape {src.shape} does not match "
                                f"the bound shape {arr.shape}"
                            )
                        arr[:] = src.astype(arr.dtype) if src.dtype != arr.dtype else src
                else:
                    if not allow_missing:
                        raise RuntimeError(f"{name} is not presented")
                    if initializer is not None:
                        initializer(desc(name), arr)
            else:
                initializer(desc(name), arr)

        attrs = self._symbol.attr_dict()

        def desc(name: str):
            return InitDesc(name, attrs.get(name, None))

        if self._arg_params is None:
            self._arg_params = {n: nd.zeros(g.arg_shapes[n], cpu(), g.arg_types[n])
                                for n in self._param_names}
        if self._aux_params is None:
            self._aux_params = {n: nd.zeros(g.aux_shapes[n], cpu(), g.aux_types[n])
                                for n in self._aux_names}
        for name, arr in sorted(self._arg_params.items()):
            _impl(name, arr, arg_params)
        for name, arr in sorted(self._aux_params.items()):
            _impl(name, arr, aux_params)
        if not allow_extra:
            pass  # MXNet ignores extra names here (set_params checks them)
        self.params_initialized = True
        self._params_dirty = False
        g.set_params(self._arg_params, self._aux_params)

    def set_params(self, arg_params: dict, aux_params: dict, allow_missing: bool = False,
                   force_init: bool = True, allow_extra: bool = False) -> None:
        """Assign parameters; with ``allow_missing`` missing ones keep their values."""
        if self._set_params_handled(arg_params, aux_params, allow_missing, force_init,
                                    allow_extra):
            return
        g = self._exec_group
        if not allow_extra:
            for name in arg_params or {}:
                if name not in g.params:
                    raise ValueError(f'Find name "{name}" that is not in the arguments')
            for name in aux_params or {}:
                if name not in g.aux:
                    raise ValueError(f'Find name "{name}" that is not in the auxiliary states')
        g.set_params(arg_params, aux_params)
        self._params_dirty = True
        self.params_initialized = True

    def _sync_params_from_devices(self) -> None:
        self._exec_group.get_params(self._arg_params, self._aux_params)
        self._params_dirty = False

    # ------------------------------------------------------------------ bind
    def bind(self, data_shapes: Any, label_shapes: Any = None, for_training: bool = True,
             inputs_need_grad: bool = False, force_rebind: bool = False,
             shared_module: Module | None = None, grad_req: Any = "write") -> None:
        """Prepare the computation for these input shapes (DataDesc or (name, shape))."""
        from ..io import DataDesc

        if force_rebind:
            self._reset_bind()
        if self.binded:
            self.logger.warning("Already bound, ignoring bind()")
            return
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self._grad_req = grad_req
        if not for_training:
            assert not inputs_need_grad
        data_shapes = self._parse_descs(data_shapes, self._data_names, "data", DataDesc)
        if label_shapes is not None:
            label_shapes = self._parse_descs(label_shapes, self._label_names, "label", DataDesc)
            if not label_shapes:
                label_shapes = None
        else:
            self._parse_descs([], self._label_names, "label", DataDesc)
        self._data_shapes = data_shapes
        self._label_shapes = label_shapes
        types = {d.name: d.dtype for d in data_shapes + (label_shapes or [])}
        attrs = self._symbol.attr_dict()
        for name in types:  # MXNet's executor group: a variable's __dtype__ wins
            flag = attrs.get(name, {}).get("__dtype__")
            if flag is not None:
                types[name] = FLAG_TO_DTYPE[int(flag)]
        if shared_module is not None:
            assert isinstance(shared_module, Module) and shared_module.binded and \
                shared_module.params_initialized
        self._exec_group = ExecGroup(
            self._symbol, self._context, data_shapes, label_shapes, self._param_names,
            for_training, inputs_need_grad, grad_req, self._fixed_param_names,
            self._state_names, types, work_load_list=self._work_load_list)
        self.binded = True
        self._engine = None
        owner = shared_module if shared_module is not None else self
        if owner.optimizer_initialized and _is_dist(owner._kvstore):
            self._exec_group.enable_dist()  # rebound after init_optimizer(kvstore='dist_sync')
        if shared_module is not None:
            self._share_arrays(shared_module._exec_group)
            self.params_initialized = True
            self._arg_params = shared_module._arg_params
            self._aux_params = shared_module._aux_params
        elif self.params_initialized:
            self._exec_group.set_params(self._arg_params, self._aux_params)
        if shared_module is not None and shared_module.optimizer_initialized:
            self.borrow_optimizer(shared_module)

    def _share_arrays(self, shared: ExecGroup) -> None:
        """Use ``shared``'s parameter, gradient and aux-state dicts (MXNet's executors share
        these arrays by name: a bucket's gradients with grad_req='add' accumulate into the
        same arrays). Every parameter and aux state must exist there with the same shape."""
        g = self._exec_group
        for kind, mine, theirs in (("parameter", g.params, shared.params),
                                   ("auxiliary state", g.aux, shared.aux)):
            for n, v in mine.items():
                if n not in theirs or tuple(theirs[n].shape) != tuple(v.shape):
                    got = tuple(theirs[n].shape) if n in theirs else "missing"
                    raise MXNetError(f"shared_module: {kind} {n!r} of shape {tuple(v.shape)} "
                                     f"is {got} in the shared module (shared modules share "
                                     "arrays by name and shape)")
        for n, v in g.grads.items():
            shared.grads.setdefault(n, v)
        g.params, g.aux, g.grads = shared.params, shared.aux, shared.grads

    def _parse_descs(self, shapes: Any, names: list[str], kind: str, DataDesc: Any) -> list:
        descs = []
        for d in shapes or []:
            if isinstance(d, DataDesc):
                descs.append(d)
            elif isinstance(d, (tuple, list)) and len(d) == 2:
                descs.append(DataDesc(d[0], tuple(d[1])))
            else:
                raise ValueError(f"{kind}_shapes entries must be DataDesc or (name, shape), "
                                 f"got {d!r}")
        given = [d.name for d in descs]
        if kind == "data":
            if sorted(given) != sorted(names):
                raise ValueError(f"Data provided by data_shapes don't match names specified by "
                                 f"data_names ({given} vs. {names})")
        elif sorted(given) != sorted(names):
            # MXNet's _parse_data_desc: a UserWarning, also when no label_shapes are given
            warnings.warn(f"Data provided by label_shapes don't match names specified by "
                          f"label_names ({descs} vs. {names})")
        for d in descs:
            if d.name not in self._symbol.list_arguments():
                # MXNet fails here with a KeyError naming the input
                raise KeyError(f"{kind} name {d.name!r} is not an argument of the symbol; "
                               f"arguments: {self._symbol.list_arguments()}")
        order = {n: i for i, n in enumerate(names)}
        descs.sort(key=lambda d: order.get(d.name, len(order)))
        return descs

    def reshape(self, data_shapes: Any, label_shapes: Any = None) -> None:
        """Rebind for new shapes keeping parameters and optimizer."""
        from ..io import DataDesc

        assert self.binded
        data_shapes = self._parse_descs(data_shapes, self._data_names, "data", DataDesc)
        if label_shapes is not None:
            label_shapes = self._parse_descs(label_shapes, self._label_names, "label", DataDesc)
        else:  # still checked against label_names, as MXNet's _parse_data_desc does
            self._parse_descs([], self._label_names, "label", DataDesc)
        self._data_shapes, self._label_shapes = data_shapes, label_shapes
        self._exec_group.reshape(data_shapes, label_shapes)
        if self._exec_group.layout_changed and self._engine is not None:
            self._engine_sync_states()  # the compiled steps were built for the old layout
            self._engine = None

    # ------------------------------------------------------------- optimizer
    def init_optimizer(self, kvstore: Any = "local", optimizer: Any = "sgd",
                       optimizer_params: Any = (("learning_rate", 0.01),),
                       force_init: bool = False) -> None:
        """Install the optimizer: ``rescale_grad = 1/batch``, idx2name, MXNet's mult rules.

        ``kvstore`` follows MXNet's ``_create_kvstore``: None, a ``KVStore``, or a
        name; one device with a non-dist name means no kvstore. ``dist*_sync``
        stores scale ``rescale_grad`` by the number of workers, join the global
        gradient sum and start every worker from rank 0's parameters. mxjax runs
        each parameter's update once (on the gradient summed over devices and
        workers), so ``idx2name`` is ``{i: name}`` (MXNet's update_on_kvstore layout).
        """
        from .. import optimizer as opt

        assert self.binded and self.params_initialized
        if self.optimizer_initialized and not force_init:
            self.logger.warning("optimizer already initialized, ignoring...")
            return
        self._flush_engine()
        if self._params_dirty:
            self._sync_params_from_devices()
        kv, update_on_kvstore = self._create_kvstore(kvstore)
        batch_size = self._exec_group.batch_size
        if kv is not None and "dist" in kv.type and "_sync" in kv.type:
            batch_size *= kv.num_workers
        rescale_grad = 1.0 / batch_size
        idx2name: dict[int, str] = dict(enumerate(self._exec_group.param_names))
        if isinstance(optimizer, str):
            optimizer_params = dict(optimizer_params)
            if "rescale_grad" not in optimizer_params:
                optimizer_params["rescale_grad"] = rescale_grad
            optimizer = opt.create(optimizer, sym=self.symbol, param_idx2name=idx2name,
                                   **optimizer_params)
        else:
            if not isinstance(optimizer, opt.Optimizer):
                raise TypeError(f"optimizer must be a str or an Optimizer, got {optimizer!r}")
            if optimizer.rescale_grad != rescale_grad:
                warnings.warn(
                    "Optimizer created manually outside Module but rescale_grad is not "
                    f"normalized to 1.0/batch_size/num_workers ({optimizer.rescale_grad} vs. "
                    f"{rescale_grad}). Is this intended?", stacklevel=2)
            if not optimizer.idx2name:
                optimizer.idx2name = idx2name.copy()
        self._optimizer = optimizer
        self._kvstore = kv
        self._update_on_kvstore = update_on_kvstore
        self._updater = opt.get_updater(optimizer)
        self._engine = None
        if kv is not None and self._compression_params:
            kv.set_gradient_compression(self._compression_params)
        if _is_dist(kv):
            self._join_dist()
        self.optimizer_initialized = True
        if self._preload_opt_states is not None:
            self.load_optimizer_states(self._preload_opt_states)
            self._preload_opt_states = None

    def _create_kvstore(self, kvstore: Any) -> tuple[Any, bool]:
        """MXNet's ``_create_kvstore``: one device and a non-dist name means no kvstore;
        ``update_on_kvstore`` from ``MXNET_UPDATE_ON_KVSTORE`` (default 1), False for
        'local' with a parameter over 16M elements, False without a kvstore.

        The store is created for MXNet's API (``mod._kvstore.type``/``rank``/
        ``num_workers``); the gradient sums themselves run inside the compiled
        steps (XLA collectives), not through push/pull.
        """
        from .. import kvstore as kvs

        update_on_kvstore = bool(int(os.getenv("MXNET_UPDATE_ON_KVSTORE", "1")))
        if kvstore is None:
            kv = None
        elif isinstance(kvstore, kvs.KVStoreBase):
            kv = kvstore
        elif isinstance(kvstore, str):
            if len(self._context) == 1 and "dist" not in kvstore:
                kv = None
            else:
                kv = kvs.create(kvstore)
                if kvstore == "local":
                    g = self._exec_group
                    sizes = [int(np.prod(g.arg_shapes[n], dtype=np.int64))
                             for n in g.param_names]
                    if sizes and max(sizes) > 1024 * 1024 * 16:
                        update_on_kvstore = False
        else:
            raise TypeError("kvstore must be KVStore, str or None")
        if kv is None:
            update_on_kvstore = False
        elif hasattr(kv, "is_capable"):
            update_on_kvstore &= bool(kv.is_capable("optimizer"))
        return kv, update_on_kvstore

    def _join_dist(self) -> None:
        """Join a dist_sync job: the global gradient sum, and rank 0's parameters everywhere
        (MXNet's ``kvstore.init`` + ``pull``). Every worker calls this together."""
        from .. import distributed

        if distributed.num_workers() <= 1:
            return
        g = self._exec_group
        self._flush_engine()
        g.enable_dist()
        names = list(g.param_names)
        desc = repr([(n, tuple(g.params[n].shape), str(g.params[n].dtype)) for n in names])
        distributed.check_same(desc, "Module parameters (every worker must bind the same "
                                     "network with the same shapes)")
        with jax.enable_x64(True):
            values = distributed.broadcast_from_root([g.params[n] for n in names])
            for n, v in zip(names, values, strict=True):
                g.params[n] = g.place(v)
        self._params_dirty = True

    def borrow_optimizer(self, shared_module: Module) -> None:
        assert shared_module.optimizer_initialized
        self._optimizer = shared_module._optimizer
        self._kvstore = shared_module._kvstore
        self._update_on_kvstore = shared_module._update_on_kvstore
        self._updater = shared_module._updater
        self._flush_engine()
        self._engine = None  # a new optimizer: the engine's fused state belongs to the old one
        self.optimizer_initialized = True

    def save_optimizer_states(self, fname: str) -> None:
        """Write the optimizer states atomically, in mxjax's pickle-free format
        (``docs/optimizers.md``): the per-parameter states (momentum, ...) and the optimizer's
        attributes, so that the update counts and the lr schedule's position are saved too."""
        from .._fileio import write_atomic

        assert self.optimizer_initialized
        self._engine_sync_states()
        write_atomic(fname, self._updater.get_states(dump_optimizer=True))

    #: the optimizer attributes a resumed run continues from (the rest comes from the caller's
    #: init_optimizer: learning rate, momentum, wd ...)
    _RESUMED_ATTRS = ("num_update", "begin_num_update", "_index_update_count",
                      "_all_index_update_counts")

    def load_optimizer_states(self, fname: str) -> None:
        """Restore optimizer states saved by ``save_optimizer_states``: per-parameter states,
        update counts and the lr scheduler's position continue where they were saved."""
        assert self.optimizer_initialized
        self._flush_engine()
        try:
            with open(fname, "rb") as f:
                data = f.read()
        except FileNotFoundError as err:
            raise MXNetError(f"optimizer states file {fname!r} does not exist") from err
        self._updater.set_states(data)
        saved = self._updater.optimizer
        if saved is not self._optimizer:
            # keep the module's own optimizer (its hyper-parameters are the caller's) and carry
            # the saved bookkeeping over onto it
            for name in self._RESUMED_ATTRS:
                if name in saved.__dict__:
                    setattr(self._optimizer, name, saved.__dict__[name])
            mine, theirs = self._optimizer.lr_scheduler, getattr(saved, "lr_scheduler", None)
            if mine is not None and type(theirs) is type(mine):
                mine.__dict__.update(theirs.__dict__)
            self._updater.optimizer = self._optimizer
        self._engine = None

    def _engine_sync_states(self) -> None:
        if self._engine is not None:
            self._engine.sync_updater()

    # ---------------------------------------------------------- computation
    def _get_engine(self):
        from .engine import TrainEngine

        if self._engine is None:
            self._engine = TrainEngine(self)
        return self._engine

    def forward(self, data_batch: Any, is_train: bool | None = None) -> None:
        """Forward pass on a batch (anything with ``.data``; ``.label`` optional)."""
        from ..random import next_key

        assert self.binded and self.params_initialized
        if is_train is None:
            is_train = self.for_training
        g = self._exec_group
        feed = g.load_batch(data_batch, with_label=True)
        if not g.batch_shapes_match(feed):
            self._implicit_reshape(data_batch, feed)
            g = self._exec_group
            feed = None  # placed anew for the reshaped layout
        key = next_key() if g.program.needs_rng else None
        g.forward(data_batch, bool(is_train), key, feed)

    def _implicit_reshape(self, data_batch: Any, feed: dict) -> None:
        """MXNet re-binds when a batch's data shapes differ from the bound ones (its
        ``provide_data``/``provide_label`` if given, else the arrays' shapes)."""
        from ..io import DataDesc

        provide_data = getattr(data_batch, "provide_data", None)
        if provide_data:
            new_data = provide_data
        else:
            new_data = [DataDesc(d.name, tuple(feed[d.name].shape), d.dtype, d.layout)
                        for d in self._data_shapes]
        provide_label = getattr(data_batch, "provide_label", None)
        labels = getattr(data_batch, "label", None)
        if provide_label:
            new_label = provide_label
        elif labels and self._label_shapes:
            new_label = [DataDesc(d.name, tuple(lab.shape), d.dtype, d.layout)
                         for d, lab in zip(self._label_shapes, labels, strict=False)]
        else:
            new_label = None
        self.reshape(new_data, new_label)

    def backward(self, out_grads: Any = None) -> None:
        """Backward pass of the last training forward."""
        assert self.binded and self.params_initialized
        if not self.for_training:
            raise AssertionError("backward() needs a module bound with for_training=True "
                                 "(re-bind with for_training=True to run backward)")
        self._exec_group.backward(out_grads=out_grads)

    def update(self) -> None:
        """One optimizer step over all parameters with gradients (one compiled call)."""
        if not (self.binded and self.params_initialized and self.optimizer_initialized):
            raise AssertionError("update() needs bind(), init_params() and init_optimizer() "
                                 "first")
        self._params_dirty = True
        self._get_engine().update()

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        assert self.binded and self.params_initialized
        return self._exec_group.get_outputs(merge_multi_context=merge_multi_context)

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        assert self.binded and self.params_initialized and self.inputs_need_grad
        return self._exec_group.get_input_grads(merge_multi_context=merge_multi_context)

    def get_states(self, merge_multi_context: bool = True) -> list:
        """State inputs: merged along the batch axis, or ``[[dev0, dev1, ...], ...]``."""
        assert self.binded and self.params_initialized
        return self._exec_group.states(self._state_names, merge_multi_context)

    def set_states(self, states: Any = None, value: Any = None) -> None:
        """Set state inputs from ``states`` (per state: one array, or one per device) or
        fill them all with ``value``."""
        assert self.binded and self.params_initialized
        g = self._exec_group
        if states is not None:
            assert value is None, "Only one of states & value can be specified."
            for n, s in zip(self._state_names, states, strict=False):
                g.set_state(n, s)
        elif value is not None:
            for n in self._state_names:
                g.set_state(n, np.full(g.inputs[n].shape, value, g.inputs[n].dtype))

    def update_metric(self, eval_metric: Any, labels: Any, pre_sliced: bool = False) -> None:
        """Update ``eval_metric`` with the last outputs (once per device slice)."""
        self._exec_group.update_metric(eval_metric, labels, pre_sliced)

    def install_monitor(self, mon: Any) -> None:
        """Install ``mon`` (``mx.mon.Monitor``) on each device's executor, as MXNet does."""
        assert self.binded
        for ex in self._exec_group.execs:
            mon.install(ex)

    # ------------------------------------------------------ fast engines
    def _fast_fit_epoch(self, train_data: Any, eval_metric: Any, epoch: int,
                        batch_end_callback: Any) -> list | None:
        if not self.optimizer_initialized:
            return None
        return self._get_engine().fit_epoch(train_data, eval_metric, epoch, batch_end_callback)

    def _fast_score(self, eval_data: Any, eval_metric: Any, num_batch: int | None) -> int | None:
        return self._get_engine().score(eval_data, eval_metric, num_batch)

    def _fast_predict(self, eval_data: Any, num_batch: int | None) -> list | None:
        return self._get_engine().predict(eval_data, num_batch)


def _is_dist(kv: Any) -> bool:
    return kv is not None and "dist" in getattr(kv, "type", "")
