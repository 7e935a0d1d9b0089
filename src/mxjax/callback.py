"""``mx.callback``: MXNet 1.9.1's training callbacks, with its exact log lines.

* Epoch-end callbacks are called as ``cb(epoch, symbol, arg_params, aux_params)``:
  ``do_checkpoint`` and ``module_checkpoint`` save after epochs where
  ``(epoch + 1) % period == 0``, numbering the files ``epoch + 1`` (epoch 0
  writes ``prefix-0001.params``); ``period`` below 1 counts as 1.
* Batch-end callbacks get a ``BatchEndParam`` (``mxjax.model.BatchEndParam``:
  ``epoch``, ``nbatch`` (0-based), ``eval_metric``, ``locals``); any object with
  those attributes works.
* Every message goes to the root logger (``logging.info``), as in MXNet:
  ``Speedometer`` logs ``Epoch[%d] Batch [%d-%d]\\tSpeed: %.2f samples/sec``
  followed by ``\\t%s=%f`` per metric (``Batch [0-%d]`` without auto_reset,
  ``Iter[%d] Batch [%d]\\tSpeed: ...`` without a metric).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

__all__ = ["module_checkpoint", "do_checkpoint", "log_train_metric", "Speedometer",
           "ProgressBar", "LogValidationMetricsCallback"]


def module_checkpoint(mod: Any, prefix: str, period: int = 1,
                      save_optimizer_states: bool = False) -> Callable[..., None]:
    """Epoch-end callback calling ``mod.save_checkpoint(prefix, epoch + 1, save_optimizer_states)``
    every ``period`` epochs."""
    period = int(max(1, period))

    def _callback(iter_no: int, sym: Any = None, arg: Any = None, aux: Any = None) -> None:
        if (iter_no + 1) % period == 0:
            mod.save_checkpoint(prefix, iter_no + 1, save_optimizer_states)

    return _callback


def do_checkpoint(prefix: str, period: int = 1) -> Callable[..., None]:
    """Epoch-end callback writing ``prefix-symbol.json`` and ``prefix-%04d.params``
    (epoch + 1) with ``mx.model.save_checkpoint`` every ``period`` epochs."""
    period = int(max(1, period))

    def _callback(iter_no: int, sym: Any, arg: dict, aux: dict) -> None:
        from . import distributed

        if distributed.rank() != 0:
            return  # in a dist_sync job only rank 0 writes checkpoints
        if (iter_no + 1) % period == 0:
            from .model import save_checkpoint

            save_checkpoint(prefix, iter_no + 1, sym, arg, aux)

    return _callback


def log_train_metric(period: int, auto_reset: bool = False) -> Callable[[Any], None]:
    """Batch-end callback logging ``Iter[%d] Batch[%d] Train-%s=%f`` every ``period`` batches
    (``reset_local()`` after logging when ``auto_reset``)."""

    def _callback(param: Any) -> None:
        if param.nbatch % period == 0 and param.eval_metric is not None:
            for name, value in param.eval_metric.get_name_value():
                logging.info("Iter[%d] Batch[%d] Train-%s=%f", param.epoch, param.nbatch,
                             name, value)
            if auto_reset:
                param.eval_metric.reset_local()

    return _callback


class Speedometer:
    """Log samples/sec and the metric every ``frequent`` batches (``mx.callback.Speedometer``).

    The first call of an epoch (detected by ``nbatch`` going down) only starts
    the timer; then at every ``nbatch % frequent == 0`` the speed is
    ``frequent * batch_size / elapsed``. With ``auto_reset`` the metric's local
    sums are reset after reading them, so each line covers the last
    ``frequent`` batches.
    """

    def __init__(self, batch_size: int, frequent: int = 50, auto_reset: bool = True):
        self.batch_size = batch_size
        self.frequent = frequent
        self.init = False
        self.tic = 0.0
        self.last_count = 0
        self.auto_reset = auto_reset

    def __call__(self, param: Any) -> None:
        count = param.nbatch
        if self.last_count > count:
            self.init = False
        self.last_count = count
        if not self.init:
            self.init = True
            self.tic = time.time()
            return
        if count % self.frequent != 0:
            return
        try:
            speed = self.frequent * self.batch_size / (time.time() - self.tic)
        except ZeroDivisionError:
            speed = float("inf")
        if param.eval_metric is not None:
            name_value = param.eval_metric.get_name_value()
            values = sum(name_value, ())
            if self.auto_reset:
                param.eval_metric.reset_local()
                msg = "Epoch[%d] Batch [%d-%d]\tSpeed: %.2f samples/sec" \
                    + "\t%s=%f" * len(name_value)
                logging.info(msg, param.epoch, count - self.frequent, count, speed, *values)
            else:
                msg = "Epoch[%d] Batch [0-%d]\tSpeed: %.2f samples/sec" \
                    + "\t%s=%f" * len(name_value)
                logging.info(msg, param.epoch, count, speed, *values)
        else:
            logging.info("Iter[%d] Batch [%d]\tSpeed: %.2f samples/sec", param.epoch, count,
                         speed)
        self.tic = time.time()


class ProgressBar:
    """Log ``[====----] 50%`` for the share of ``total`` batches done (MXNet's ProgressBar)."""

    def __init__(self, total: int, length: int = 80):
        self.bar_len = length
        self.total = total

    def __call__(self, param: Any) -> None:
        count = param.nbatch
        filled_len = int(round(self.bar_len * count / float(self.total)))
        percents = math.ceil(100.0 * count / float(self.total))
        prog_bar = "=" * filled_len + "-" * (self.bar_len - filled_len)
        logging.info("[%s] %s%s\r", prog_bar, percents, "%")


class LogValidationMetricsCallback:
    """Eval-end callback logging ``Epoch[%d] Validation-%s=%f`` per metric."""

    def __call__(self, param: Any) -> None:
        if not param.eval_metric:
            return
        for name, value in param.eval_metric.get_name_value():
            logging.info("Epoch[%d] Validation-%s=%f", param.epoch, name, value)
