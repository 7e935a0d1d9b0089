"""``PythonModule`` / ``PythonLossModule``: MXNet 1.9.1's modules computed in plain Python.

Reproduces ``python/mxnet/module/python_module.py``:

* ``PythonModule(data_names, label_names, output_names)`` has no parameters
  (``get_params() == ({}, {})``); ``init_params``, ``init_optimizer`` and ``update`` do
  nothing; ``bind`` checks the names of the given shapes against ``data_names`` /
  ``label_names`` (AssertionError) and asks the subclass's ``_compute_output_shapes``;
  ``update_metric`` calls ``eval_metric.update(labels, outputs)`` when bound with labels.
  As in MXNet, ``bind`` does not set the ``binded`` flag (nor ``params_initialized``).
* ``PythonLossModule(name='pyloss', ...)``: one output ``name + '_output'``, equal to the
  input scores; ``backward`` stores ``grad_func(scores, labels)`` (a numpy result becomes an
  NDArray) as the input gradient. Without ``grad_func`` backward raises
  ``NotImplementedError`` (MXNet: a subclass overrides ``_backward_impl``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from ..base import MXNetError
from ..ndarray import ndarray as nd
from .base_module import BaseModule

__all__ = ["PythonModule", "PythonLossModule"]


def _desc_name(desc: Any) -> str:
    name = getattr(desc, "name", None)
    return desc[0] if name is None else name


def _desc_shape(desc: Any) -> tuple:
    shape = getattr(desc, "shape", None)
    return tuple(desc[1] if shape is None else shape)


class PythonModule(BaseModule):
    """A parameter-free module whose computation a subclass writes in Python
    (``mx.mod.PythonModule``)."""

    def __init__(self, data_names: Sequence[str], label_names: Sequence[str] | None,
                 output_names: Sequence[str], logger: Any = logging):
        super().__init__(logger=logger)
        if isinstance(data_names, tuple):
            data_names = list(data_names)
        if isinstance(label_names, tuple):
            label_names = list(label_names)
        self._data_names = data_names
        self._label_names = label_names
        self._output_names = output_names
        self._data_shapes: list | None = None
        self._label_shapes: list | None = None
        self._output_shapes: list | None = None

    # ----------------------------------------------------------- properties
    @property
    def data_names(self) -> list[str]:
        return self._data_names

    @property
    def output_names(self) -> list[str]:
        return self._output_names

    @property
    def data_shapes(self) -> list | None:
        return self._data_shapes

    @property
    def label_shapes(self) -> list | None:
        return self._label_shapes

    @property
    def output_shapes(self) -> list | None:
        return self._output_shapes

    # --------------------------------------------------------------- params
    def get_params(self) -> tuple[dict, dict]:
        """No parameters: ``({}, {})`` (a subclass with parameters overrides this)."""
        return ({}, {})

    def init_params(self, initializer: Any = None, arg_params: dict | None = None,
                    aux_params: dict | None = None, allow_missing: bool = False,
                    force_init: bool = False, allow_extra: bool = False) -> None:
        """Nothing to initialise (MXNet's PythonModule does nothing here)."""

    def update(self) -> None:
        """No parameters, so nothing to update."""

    def init_optimizer(self, kvstore: Any = "local", optimizer: Any = "sgd",
                       optimizer_params: Any = (("learning_rate", 0.01),),
                       force_init: bool = False) -> None:
        """No parameters, so no optimizer."""

    def update_metric(self, eval_metric: Any, labels: Any, pre_sliced: bool = False) -> None:
        """``eval_metric.update(labels, outputs)``; ignored when bound without labels."""
        if self._label_shapes is None:
            return
        if pre_sliced:
            raise RuntimeError("PythonModule does not support presliced labels")
        eval_metric.update(labels, self.get_outputs())

    # ----------------------------------------------------------------- bind
    def bind(self, data_shapes: Any, label_shapes: Any = None, for_training: bool = True,
             inputs_need_grad: bool = False, force_rebind: bool = False,
             shared_module: Any = None, grad_req: Any = "write") -> None:
        """Record the shapes (names must match ``data_names``/``label_names`` in order) and
        compute the output shapes."""
        if self.binded and not force_rebind:
            self.logger.warning("Already bound, ignoring bind()")
            return
        if grad_req != "write":
            raise AssertionError("Python module only support write gradient")
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        given = [_desc_name(d) for d in data_shapes]
        if given != list(self._data_names):
            raise AssertionError(f"{type(self).__name__}.bind: data_shapes names {given} "
                                 f"must equal data_names {list(self._data_names)}")
        self._data_shapes = data_shapes
        self._label_shapes = label_shapes
        if label_shapes is not None:
            if self._label_names is None:
                raise AssertionError(f"{type(self).__name__}.bind: label_shapes given but "
                                     "the module has no label_names")
            given = [_desc_name(d) for d in label_shapes]
            if given != list(self._label_names):
                raise AssertionError(f"{type(self).__name__}.bind: label_shapes names {given} "
                                     f"must equal label_names {list(self._label_names)}")
        self._output_shapes = self._compute_output_shapes()

    def _compute_output_shapes(self) -> list:
        """A subclass returns ``[(output_name, shape), ...]`` from the bound shapes."""
        raise NotImplementedError(f"{type(self).__name__} must implement "
                                  "_compute_output_shapes()")


class PythonLossModule(PythonModule):
    """A loss written in Python (``mx.mod.PythonLossModule``): outputs the scores it gets and
    back-propagates ``grad_func(scores, labels)``."""

    def __init__(self, name: str = "pyloss", data_names: Sequence[str] = ("data",),
                 label_names: Sequence[str] = ("softmax_label",), logger: Any = logging,
                 grad_func: Callable[[Any, Any], Any] | None = None):
        super().__init__(data_names, label_names, [name + "_output"], logger=logger)
        self._name = name
        if len(data_names) != 1:
            raise AssertionError(f"PythonLossModule takes one data name, got {data_names}")
        if len(label_names) != 1:
            raise AssertionError(f"PythonLossModule takes one label name, got {label_names}")
        if grad_func is not None and not callable(grad_func):
            raise AssertionError(f"grad_func must be callable, got {grad_func!r}")
        self._grad_func = grad_func
        self._scores: Any = None
        self._labels: Any = None
        self._scores_grad: Any = None

    def _compute_output_shapes(self) -> list:
        """One output, shaped like the scores."""
        return [(self._name + "_output", _desc_shape(self._data_shapes[0]))]

    def forward(self, data_batch: Any, is_train: bool | None = None) -> None:
        """Keep the scores (and, when training, the labels) for backward."""
        self._scores = data_batch.data[0]
        if is_train is None:
            is_train = self.for_training
        if is_train:
            labels = getattr(data_batch, "label", None)
            if not labels:
                raise MXNetError(f"PythonLossModule {self._name!r}: a training forward needs "
                                 "the batch's labels (add it with take_labels=True)")
            self._labels = labels[0]

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        """``[scores]``: the loss module outputs its input."""
        if merge_multi_context is not True:
            raise AssertionError("PythonLossModule only supports merge_multi_context=True")
        return [self._scores]

    def backward(self, out_grads: Any = None) -> None:
        """Compute the scores' gradient (``out_grads`` must be None: this is a loss)."""
        if out_grads is not None:
            raise AssertionError("For a loss module, out_grads should be None")
        if not self.for_training:
            raise AssertionError("PythonLossModule.backward() needs bind(for_training=True)")
        self._backward_impl()

    def _backward_impl(self) -> None:
        """``grad_func(scores, labels)`` as an NDArray; a subclass may override this."""
        if self._grad_func is None:
            raise NotImplementedError("PythonLossModule without grad_func: pass "
                                      "grad_func(scores, labels) or override _backward_impl()")
        grad = self._grad_func(self._scores, self._labels)
        if not isinstance(grad, nd.NDArray):
            grad = nd.array(grad)
        self._scores_grad = grad

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        """``[d loss / d scores]`` from the last backward."""
        if merge_multi_context is not True:
            raise AssertionError("PythonLossModule only supports merge_multi_context=True")
        return [self._scores_grad]

    def install_monitor(self, mon: Any) -> None:
        """MXNet's PythonLossModule supports no monitor (NotImplementedError)."""
        raise NotImplementedError("PythonLossModule does not support install_monitor")
