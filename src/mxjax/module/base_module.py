"""``BaseModule``: MXNet's high-level loops (fit, score, predict, iter_predict).

The loops follow MXNet 1.9.1's order of operations exactly (SPEC §1): what is
logged, when callbacks run, which metric values they see, when iterators are
reset. A subclass may supply a faster engine for whole epochs
(``_fast_fit_epoch`` / ``_fast_score`` / ``_fast_predict``); it must leave
every observable result identical, and the generic per-batch loop below is
used whenever it declines.
"""

from __future__ import annotations

import logging
import time
import warnings
from typing import Any

import numpy as np

from ..base import MXNetError
from ..context import cpu
from ..ndarray import ndarray as nd

__all__ = ["BaseModule", "_as_list"]


def _as_list(obj: Any) -> list:
    """MXNet's helper: a list stays a list, anything else becomes ``[obj]``."""
    if isinstance(obj, list):
        return obj
    return [obj]


def _default_initializer():
    from ..initializer import Uniform

    return Uniform(0.01)


class BaseModule:
    """The module API: bind, init_params, init_optimizer, forward/backward/update, and loops."""

    def __init__(self, logger: Any = logging):
        self.logger = logger
        self.binded = False
        self.for_training = False
        self.inputs_need_grad = False
        self.params_initialized = False
        self.optimizer_initialized = False
        self._symbol = None
        self._total_exec_bytes = 0

    # ------------------------------------------------------------ high level
    def forward_backward(self, data_batch: Any) -> None:
        """``forward(is_train=True)`` then ``backward()``."""
        self.forward(data_batch, is_train=True)
        self.backward()

    def score(self, eval_data: Any, eval_metric: Any, num_batch: int | None = None,
              batch_end_callback: Any = None, score_end_callback: Any = None,
              reset: bool = True, epoch: int = 0, sparse_row_id_fn: Any = None) -> list:
        """Evaluate ``eval_metric`` over ``eval_data``; returns its local name/value pairs.

        Padded samples of the last batch are counted, as in MXNet."""
        from .. import metric
        from ..model import BatchEndParam

        assert self.binded and self.params_initialized
        if reset:
            eval_data.reset()
        if not isinstance(eval_metric, metric.EvalMetric):
            eval_metric = metric.create(eval_metric)
        eval_metric.reset()
        fast = None
        if batch_end_callback is None:
            fast = self._fast_score(eval_data, eval_metric, num_batch)
        if fast is not None:
            actual_num_batch = fast
        else:
            actual_num_batch = 0
            for nbatch, eval_batch in enumerate(eval_data):
                if num_batch is not None and nbatch == num_batch:
                    break
                self.prepare(eval_batch, sparse_row_id_fn=sparse_row_id_fn)
                self.forward(eval_batch, is_train=False)
                if isinstance(eval_batch, list):
                    self.update_metric(eval_metric, [eb.label for eb in eval_batch],
                                       pre_sliced=True)
                else:
                    self.update_metric(eval_metric, eval_batch.label)
                if batch_end_callback is not None:
                    params = BatchEndParam(epoch=epoch, nbatch=nbatch, eval_metric=eval_metric,
                                           locals=locals())
                    for callback in _as_list(batch_end_callback):
                        callback(params)
                actual_num_batch += 1
        if score_end_callback:
            params = BatchEndParam(epoch=epoch, nbatch=actual_num_batch,
                                   eval_metric=eval_metric, locals=locals())
            for callback in _as_list(score_end_callback):
                callback(params)
        return eval_metric.get_name_value()

    def iter_predict(self, eval_data: Any, num_batch: int | None = None, reset: bool = True,
                     sparse_row_id_fn: Any = None):
        """Yield ``(outputs without padding, nbatch, batch)`` for each batch."""
        assert self.binded and self.params_initialized
        if reset:
            eval_data.reset()
        for nbatch, eval_batch in enumerate(eval_data):
            if num_batch is not None and nbatch == num_batch:
                break
            self.prepare(eval_batch, sparse_row_id_fn=sparse_row_id_fn)
            self.forward(eval_batch, is_train=False)
            pad = eval_batch.pad or 0
            outputs = [out[0:out.shape[0] - pad] for out in self.get_outputs()]
            yield (outputs, nbatch, eval_batch)

    def predict(self, eval_data: Any, num_batch: int | None = None, merge_batches: bool = True,
                reset: bool = True, always_output_list: bool = False,
                sparse_row_id_fn: Any = None) -> Any:
        """Outputs over ``eval_data`` with the last batch's padding removed."""
        from ..io import DataBatch, DataIter

        assert self.binded and self.params_initialized
        if isinstance(eval_data, (nd.NDArray, np.ndarray)):
            if isinstance(eval_data, np.ndarray):
                eval_data = nd.array(eval_data)
            self.forward(DataBatch([eval_data]))
            return self.get_outputs()[0]
        if not isinstance(eval_data, DataIter):
            raise ValueError("eval_data must be of type NDArray or DataIter")
        if reset:
            eval_data.reset()
        output_list = self._fast_predict(eval_data, num_batch) if merge_batches else None
        if output_list is None:
            output_list = []
            for nbatch, eval_batch in enumerate(eval_data):
                if num_batch is not None and nbatch == num_batch:
                    break
                self.prepare(eval_batch, sparse_row_id_fn=sparse_row_id_fn)
                self.forward(eval_batch, is_train=False)
                pad = eval_batch.pad or 0
                outputs = [out[0:out.shape[0] - pad].copy() for out in self.get_outputs()]
                output_list.append(outputs)
        if len(output_list) == 0:
            return output_list
        if merge_batches:
            num_outputs = len(output_list[0])
            for out in output_list:
                if len(out) != num_outputs:
                    raise MXNetError("Cannot merge batches, as num of outputs is not the same "
                                     "in mini-batches. Maybe bucketing is used?")
            merged = [nd.concatenate([out[i] for out in output_list]) if len(output_list) > 1
                      else output_list[0][i] for i in range(num_outputs)]
            if num_outputs == 1 and not always_output_list:
                return merged[0]
            return merged
        return output_list

    def fit(self, train_data: Any, eval_data: Any = None, eval_metric: Any = "acc",
            epoch_end_callback: Any = None, batch_end_callback: Any = None,
            kvstore: Any = "local", optimizer: Any = "sgd",
            optimizer_params: Any = (("learning_rate", 0.01),),
            eval_end_callback: Any = None, eval_batch_end_callback: Any = None,
            initializer: Any = None, arg_params: dict | None = None,
            aux_params: dict | None = None, allow_missing: bool = False,
            force_rebind: bool = False, force_init: bool = False, begin_epoch: int = 0,
            num_epoch: int | None = None, validation_metric: Any = None, monitor: Any = None,
            sparse_row_id_fn: Any = None) -> None:
        """Train: bind, initialise, then per epoch train, log, checkpoint and validate."""
        from .. import metric
        from ..model import BatchEndParam

        assert num_epoch is not None, "please specify number of epochs"
        if initializer is None:
            initializer = _default_initializer()
        self.bind(data_shapes=train_data.provide_data, label_shapes=train_data.provide_label,
                  for_training=True, force_rebind=force_rebind)
        if monitor is not None:
            self.install_monitor(monitor)
        self.init_params(initializer=initializer, arg_params=arg_params, aux_params=aux_params,
                         allow_missing=allow_missing, force_init=force_init)
        self.init_optimizer(kvstore=kvstore, optimizer=optimizer,
                            optimizer_params=optimizer_params)
        if validation_metric is None:
            validation_metric = eval_metric
        if not isinstance(eval_metric, metric.EvalMetric):
            eval_metric = metric.create(eval_metric)

        for epoch in range(begin_epoch, num_epoch):
            tic = time.time()
            eval_metric.reset()
            eval_name_vals = None
            if monitor is None:
                eval_name_vals = self._fast_fit_epoch(train_data, eval_metric, epoch,
                                                      batch_end_callback)
            if eval_name_vals is None:
                nbatch = 0
                data_iter = iter(train_data)
                end_of_batch = False
                next_data_batch = next(data_iter)
                while not end_of_batch:
                    data_batch = next_data_batch
                    if monitor is not None:
                        monitor.tic()
                    self.forward_backward(data_batch)
                    self.update()
                    if isinstance(data_batch, list):
                        self.update_metric(eval_metric, [db.label for db in data_batch],
                                           pre_sliced=True)
                    else:
                        self.update_metric(eval_metric, data_batch.label)
                    try:
                        next_data_batch = next(data_iter)
                        self.prepare(next_data_batch, sparse_row_id_fn=sparse_row_id_fn)
                    except StopIteration:
                        end_of_batch = True
                    if monitor is not None:
                        monitor.toc_print()
                    if end_of_batch:
                        eval_name_vals = eval_metric.get_global_name_value()
                    if batch_end_callback is not None:
                        params = BatchEndParam(epoch=epoch, nbatch=nbatch,
                                               eval_metric=eval_metric, locals=locals())
                        for callback in _as_list(batch_end_callback):
                            callback(params)
                    nbatch += 1
            for name, val in eval_name_vals:
                self.logger.info("Epoch[%d] Train-%s=%f", epoch, name, val)
            toc = time.time()
            self.logger.info("Epoch[%d] Time cost=%.3f", epoch, (toc - tic))

            arg_params_, aux_params_ = self.get_params()
            self.set_params(arg_params_, aux_params_)
            if epoch_end_callback is not None:
                for callback in _as_list(epoch_end_callback):
                    callback(epoch, self.symbol, arg_params_, aux_params_)
            if eval_data:
                res = self.score(eval_data, validation_metric,
                                 score_end_callback=eval_end_callback,
                                 batch_end_callback=eval_batch_end_callback, epoch=epoch)
                for name, val in res:
                    self.logger.info("Epoch[%d] Validation-%s=%f", epoch, name, val)
            train_data.reset()

    # ------------------------------------------------- fast engines (optional)
    def _fast_fit_epoch(self, train_data: Any, eval_metric: Any, epoch: int,
                        batch_end_callback: Any) -> list | None:
        """Run one training epoch faster with identical results, or return None to decline."""
        return None

    def _fast_score(self, eval_data: Any, eval_metric: Any, num_batch: int | None) -> int | None:
        return None

    def _fast_predict(self, eval_data: Any, num_batch: int | None) -> list | None:
        return None

    # --------------------------------------------------------------- symbol
    @property
    def symbol(self) -> Any:
        return self._symbol

    # ------------------------------------------------------------- params
    def get_params(self) -> tuple[dict, dict]:
        raise MXNetError(f"{type(self).__name__} does not implement get_params")

    def init_params(self, initializer: Any = None, arg_params: dict | None = None,
                    aux_params: dict | None = None, allow_missing: bool = False,
                    force_init: bool = False, allow_extra: bool = False) -> None:
        raise MXNetError(f"{type(self).__name__} does not implement init_params")

    def set_params(self, arg_params: dict, aux_params: dict, allow_missing: bool = False,
                   force_init: bool = True, allow_extra: bool = False) -> None:
        """Assign parameters (``init_params(initializer=None, ...)`` as in MXNet)."""
        self.init_params(initializer=None, arg_params=arg_params, aux_params=aux_params,
                         allow_missing=allow_missing, force_init=force_init,
                         allow_extra=allow_extra)

    def _set_params_handled(self, arg_params: dict, aux_params: dict, allow_missing: bool,
                            force_init: bool, allow_extra: bool) -> bool:
        """The start MXNet's Module and BucketingModule ``set_params`` share: without
        ``allow_missing`` everything goes through ``init_params``; an initialised module
        without ``force_init`` warns and keeps its values. True when that settled it."""
        if not allow_missing:
            self.init_params(initializer=None, arg_params=arg_params, aux_params=aux_params,
                             allow_missing=allow_missing, force_init=force_init,
                             allow_extra=allow_extra)
            return True
        if self.params_initialized and not force_init:
            warnings.warn("Parameters already initialized and force_init=False. "
                          "set_params call ignored.", stacklevel=3)
            return True
        return False

    def save_params(self, fname: str) -> None:
        """Save ``arg:``/``aux:`` parameters to an MXNet ``.params`` file."""
        from ..ndarray.utils import save

        arg_params, aux_params = self.get_params()
        save_dict = {f"arg:{k}": v.as_in_context(cpu()) for k, v in arg_params.items()}
        save_dict.update({f"aux:{k}": v.as_in_context(cpu()) for k, v in aux_params.items()})
        save(fname, save_dict)

    def load_params(self, fname: str) -> None:
        """Load an MXNet ``.params`` file and ``set_params`` from it."""
        from ..ndarray.utils import load

        save_dict = load(fname)
        arg_params: dict = {}
        aux_params: dict = {}
        items = save_dict.items() if isinstance(save_dict, dict) else []
        for k, value in items:
            arg_type, _, name = k.partition(":")
            if arg_type == "arg":
                arg_params[name] = value
            elif arg_type == "aux":
                aux_params[name] = value
            else:
                raise ValueError("Invalid param file " + fname)
        self.set_params(arg_params, aux_params)

    def get_states(self, merge_multi_context: bool = True) -> list:
        assert self.binded and self.params_initialized
        assert not merge_multi_context
        return []

    def set_states(self, states: Any = None, value: Any = None) -> None:
        assert self.binded and self.params_initialized
        assert not states and not value

    def install_monitor(self, mon: Any) -> None:
        raise MXNetError(f"{type(self).__name__} does not support monitors")

    def prepare(self, data_batch: Any, sparse_row_id_fn: Any = None) -> None:
        """Prepare for a batch (a no-op for Module; BucketingModule switches buckets)."""
        if sparse_row_id_fn is not None:
            self.logger.warning("sparse_row_id_fn is ignored: mxjax stores arrays densely")

    # ---------------------------------------------------------- computation
    def forward(self, data_batch: Any, is_train: bool | None = None) -> None:
        raise MXNetError(f"{type(self).__name__} does not implement forward")

    def backward(self, out_grads: Any = None) -> None:
        raise MXNetError(f"{type(self).__name__} does not implement backward")

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        raise MXNetError(f"{type(self).__name__} does not implement get_outputs")

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        raise MXNetError(f"{type(self).__name__} does not implement get_input_grads")

    def update(self) -> None:
        raise MXNetError(f"{type(self).__name__} does not implement update")

    def update_metric(self, eval_metric: Any, labels: Any, pre_sliced: bool = False) -> None:
        raise MXNetError(f"{type(self).__name__} does not implement update_metric")
