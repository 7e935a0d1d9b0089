"""``SequentialModule``: MXNet 1.9.1's container that chains modules one after another.

Module ``i`` is bound on the output shapes of module ``i - 1``, its forward input is the
previous module's outputs and its output gradients are the next module's input gradients.
Behaviour reproduced from MXNet (``python/mxnet/module/sequential_module.py``):

* ``add(module, **meta)`` accepts only the meta keys ``take_labels`` and ``auto_wiring``
  (anything else: ``AssertionError('Unknown meta "<key>", a typo?')``) and resets the
  bound / initialised / optimizer flags;
* ``bind``: labels only go to ``take_labels`` modules (the container's ``label_shapes`` is
  None when no module takes them); ``auto_wiring`` renames the incoming shapes to the
  module's ``data_names``; every module after the first is bound with
  ``inputs_need_grad=True`` when training;
* ``init_params`` initialises every module with the same dicts, then asserts that no
  parameter or auxiliary-state name appears in two modules (MXNet's message);
* ``forward`` feeds a shallow copy of the batch (pad, index, bucket_key and labels kept)
  whose ``data`` / ``provide_data`` are replaced by each module's outputs (mxjax names
  them after the next module's ``data_names`` under ``auto_wiring``, so that a batch of
  another size reshapes every module; MXNet fails on such a batch);
* ``update_metric`` only asks ``take_labels`` modules.

One deliberate difference: MXNet's ``bind`` never records ``for_training`` /
``inputs_need_grad`` on the container itself, so its ``get_input_grads`` always fails an
assertion; mxjax records both flags, so ``get_input_grads`` returns module 0's input
gradients when the chain was bound with ``inputs_need_grad=True``.

The container has no fused fast paths: ``fit``/``score``/``predict`` run BaseModule's
per-batch loops (each contained Module still runs its own compiled steps).
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from .base_module import BaseModule

__all__ = ["SequentialModule"]


def _require(cond: bool, message: str) -> None:
    """MXNet guards these calls with ``assert``: raise the same AssertionError, with a message."""
    if not cond:
        raise AssertionError(message)


def _shape_of(desc: Any) -> tuple:
    """The shape of a DataDesc or a ``(name, shape)`` pair."""
    shape = getattr(desc, "shape", None)
    if shape is None:
        shape = desc[1]
    return tuple(shape)


def _name_of(desc: Any) -> str:
    name = getattr(desc, "name", None)
    return desc[0] if name is None else name


class SequentialModule(BaseModule):
    """A chain of modules, each one's outputs the next one's data (``mx.mod.SequentialModule``)."""

    META_TAKE_LABELS = "take_labels"
    META_AUTO_WIRING = "auto_wiring"

    def __init__(self, logger: Any = logging):
        super().__init__(logger=logger)
        self._modules: list[BaseModule] = []
        self._metas: list[dict] = []
        self._label_shapes: list | None = None
        self._data_shapes: list | None = None
        self._meta_keys = {self.META_TAKE_LABELS, self.META_AUTO_WIRING}

    # ------------------------------------------------------------- building
    def add(self, module: BaseModule, **kwargs: Any) -> SequentialModule:
        """Append ``module``; ``kwargs`` are its meta flags (``take_labels``, ``auto_wiring``).

        Returns ``self`` so that calls chain. The container must be bound and initialised
        again afterwards."""
        for key in kwargs:
            _require(key in self._meta_keys,
                     f'Unknown meta "{key}", a typo? (known: {sorted(self._meta_keys)})')
        self._modules.append(module)
        self._metas.append(dict(kwargs))
        self.binded = False
        self.params_initialized = False
        self.optimizer_initialized = False
        return self

    def _takes_labels(self, i: int) -> bool:
        return bool(self._metas[i].get(self.META_TAKE_LABELS, False))

    def _check_ready(self, what: str, optimizer: bool = False) -> None:
        _require(self.binded and self.params_initialized,
                 f"SequentialModule.{what}() needs bind() and init_params() first")
        if optimizer:
            _require(self.optimizer_initialized,
                     f"SequentialModule.{what}() needs init_optimizer() first")

    # ----------------------------------------------------------- properties
    @property
    def data_names(self) -> list[str]:
        """The first module's data names (``[]`` when empty)."""
        return self._modules[0].data_names if self._modules else []

    @property
    def output_names(self) -> list[str]:
        """The last module's output names (``[]`` when empty)."""
        return self._modules[-1].output_names if self._modules else []

    @property
    def data_shapes(self) -> list:
        _require(self.binded, "SequentialModule.data_shapes needs bind() first")
        return self._modules[0].data_shapes

    @property
    def label_shapes(self) -> list | None:
        """The label shapes given to bind, or None when no module takes labels."""
        _require(self.binded, "SequentialModule.label_shapes needs bind() first")
        return self._label_shapes

    @property
    def output_shapes(self) -> list:
        _require(self.binded, "SequentialModule.output_shapes needs bind() first")
        return self._modules[-1].output_shapes

    # --------------------------------------------------------------- params
    def get_params(self) -> tuple[dict, dict]:
        """All modules' ``(arg_params, aux_params)`` merged into two new dicts."""
        self._check_ready("get_params")
        arg_params: dict = {}
        aux_params: dict = {}
        for module in self._modules:
            arg, aux = module.get_params()
            arg_params.update(arg)
            aux_params.update(aux)
        return arg_params, aux_params

    def init_params(self, initializer: Any = "default", arg_params: dict | None = None,
                    aux_params: dict | None = None, allow_missing: bool = False,
                    force_init: bool = False, allow_extra: bool = False) -> None:
        """Initialise every module with the same arguments, then check that parameter names
        are unique across modules (MXNet's "Duplicated parameter names" assertion).

        ``initializer='default'`` means MXNet's default ``Uniform(0.01)``."""
        if self.params_initialized and not force_init:
            return
        _require(self.binded, "call bind before initializing the parameters")
        if isinstance(initializer, str) and initializer == "default":
            from ..initializer import Uniform

            initializer = Uniform(0.01)
        for module in self._modules:
            module.init_params(initializer=initializer, arg_params=arg_params,
                               aux_params=aux_params, allow_missing=allow_missing,
                               force_init=force_init, allow_extra=allow_extra)
        arg_owner: dict[str, int] = {}
        aux_owner: dict[str, int] = {}
        for i, module in enumerate(self._modules):
            arg, aux = module.get_params()
            self._check_names(arg_owner, arg, i)
            self._check_names(aux_owner, aux, i)
        self.params_initialized = True

    def _check_names(self, owner: dict[str, int], names: Any, i: int) -> None:
        for name in names:
            if name in owner:
                j = owner[name]
                raise AssertionError(
                    f'Duplicated parameter names: name "{name}" in layer {i} '
                    f"({type(self._modules[i])}) is already used in layer {j} "
                    f"({type(self._modules[j])}).")
            owner[name] = i

    # ----------------------------------------------------------------- bind
    def bind(self, data_shapes: Any, label_shapes: Any = None, for_training: bool = True,
             inputs_need_grad: bool = False, force_rebind: bool = False,
             shared_module: Any = None, grad_req: Any = "write") -> None:
        """Bind module 0 on ``data_shapes`` and each next module on its predecessor's
        ``output_shapes`` (renamed to its ``data_names`` with ``auto_wiring``)."""
        if self.binded and not force_rebind:
            self.logger.warning("Already bound, ignoring bind()")
            return
        if inputs_need_grad:
            _require(for_training is True, "inputs_need_grad=True needs for_training=True")
        _require(shared_module is None,
                 "Shared module is not supported (SequentialModule.bind shared_module)")
        _require(len(self._modules) > 0, "Attempting to bind an empty SequentialModule")
        self.binded = True
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self._label_shapes = label_shapes
        try:
            anybody_needs_labels = self._bind_modules(data_shapes, label_shapes, for_training,
                                                      inputs_need_grad, force_rebind, grad_req)
        except BaseException:
            self.binded = False
            raise
        if not anybody_needs_labels:
            self._label_shapes = None

    def _bind_modules(self, data_shapes: Any, label_shapes: Any, for_training: bool,
                      inputs_need_grad: bool, force_rebind: bool, grad_req: Any) -> bool:
        """Bind each module on its predecessor's output shapes; True if any takes labels."""
        my_data_shapes = data_shapes
        anybody_needs_labels = False
        for i, module in enumerate(self._modules):
            if self._takes_labels(i):
                my_label_shapes = label_shapes
                anybody_needs_labels = True
            else:
                my_label_shapes = None
            my_inputs_need_grad = bool(inputs_need_grad or (for_training and i > 0))
            if self._metas[i].get(self.META_AUTO_WIRING, False):
                names = list(module.data_names)
                _require(len(names) == len(my_data_shapes),
                         f"auto_wiring: module {i} has data_names {names} but receives "
                         f"{len(my_data_shapes)} inputs "
                         f"{[_name_of(d) for d in my_data_shapes]}")
                my_data_shapes = [(name, _shape_of(d))
                                  for name, d in zip(names, my_data_shapes, strict=True)]
            module.bind(data_shapes=my_data_shapes, label_shapes=my_label_shapes,
                        for_training=for_training, inputs_need_grad=my_inputs_need_grad,
                        force_rebind=force_rebind, shared_module=None, grad_req=grad_req)
            my_data_shapes = module.output_shapes
        return anybody_needs_labels

    # ------------------------------------------------------------ optimizer
    def init_optimizer(self, kvstore: Any = "local", optimizer: Any = "sgd",
                       optimizer_params: Any = (("learning_rate", 0.01),),
                       force_init: bool = False) -> None:
        """Install the optimizer on every module (each gets the same arguments)."""
        self._check_ready("init_optimizer")
        if self.optimizer_initialized and not force_init:
            self.logger.warning("optimizer already initialized, ignoring.")
            return
        for module in self._modules:
            module.init_optimizer(kvstore=kvstore, optimizer=optimizer,
                                  optimizer_params=optimizer_params, force_init=force_init)
        self.optimizer_initialized = True

    # ---------------------------------------------------------- computation
    def forward(self, data_batch: Any, is_train: bool | None = None) -> None:
        """Run the modules in order; each one's outputs become the next one's ``data``."""
        self._check_ready("forward")
        data_batch = copy.copy(data_batch)
        last = len(self._modules) - 1
        for i, module in enumerate(self._modules):
            module.forward(data_batch, is_train=is_train)
            if i == last:
                break
            data_batch.data = module.get_outputs()
            if hasattr(data_batch, "provide_data"):
                names = [_name_of(d) for d in module.output_shapes]
                if self._metas[i + 1].get(self.META_AUTO_WIRING, False):
                    # MXNet keeps the output names here, so a batch of another size (which
                    # makes the next module reshape from provide_data) fails there
                    names = list(self._modules[i + 1].data_names)
                _require(len(names) == len(data_batch.data),
                         f"module {i} gave {len(data_batch.data)} outputs for output_shapes "
                         f"{names}")
                data_batch.provide_data = [(name, tuple(x.shape))
                                           for name, x in zip(names, data_batch.data,
                                                              strict=True)]

    def backward(self, out_grads: Any = None) -> None:
        """Backward from the last module to the first; each module's input gradients are
        its predecessor's output gradients."""
        self._check_ready("backward")
        for i in range(len(self._modules) - 1, -1, -1):
            module = self._modules[i]
            module.backward(out_grads=out_grads)
            if i == 0:
                break
            out_grads = module.get_input_grads()

    def update(self) -> None:
        """``update()`` on every module."""
        self._check_ready("update", optimizer=True)
        for module in self._modules:
            module.update()

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        """The last module's outputs."""
        self._check_ready("get_outputs")
        return self._modules[-1].get_outputs(merge_multi_context=merge_multi_context)

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        """The first module's input gradients (bind with ``inputs_need_grad=True``)."""
        self._check_ready("get_input_grads")
        _require(self.inputs_need_grad,
                 "SequentialModule.get_input_grads() needs bind(..., inputs_need_grad=True)")
        return self._modules[0].get_input_grads(merge_multi_context=merge_multi_context)

    def update_metric(self, eval_metric: Any, labels: Any, pre_sliced: bool = False) -> None:
        """Update ``eval_metric`` from every ``take_labels`` module, in chain order."""
        self._check_ready("update_metric")
        for i, module in enumerate(self._modules):
            if self._takes_labels(i):
                module.update_metric(eval_metric, labels, pre_sliced)

    def install_monitor(self, mon: Any) -> None:
        """Install ``mon`` on every module of the chain (MXNet's order)."""
        _require(self.binded, "SequentialModule.install_monitor() needs bind() first")
        for module in self._modules:
            module.install_monitor(mon)
