"""``mx.mon.Monitor``: MXNet 1.9.1's per-batch statistics of outputs, gradients and weights.

Reproduces ``python/mxnet/monitor.py``: ``install(exe)`` registers a callback on an
executor (a ``Module`` installs it on each of its executors); ``tic()`` before a batch
switches collection on every ``interval``-th call; while on, every operator output of a
forward (``fc1_output``) and every operator's input gradients of a backward
(``fc1_backward_output0..2``) whose name matches ``pattern`` is turned into
``stat_func(array)`` (default: ``norm(x) / sqrt(x.size)``); ``toc()`` adds the matching
arguments and auxiliary states of each executor as they are then (after the update, in
``fit``), returns ``(step, name, 'v1\\tv2\\t...')`` rows (sorted by name with ``sort``)
and switches collection off; ``toc_print()`` logs them as
``Batch: {step:7d} {name:30s} {values}``.

Differences: mxjax hands the callback NDArrays (MXNet hands C handles); BatchNorm's hidden
outputs (saved mean and inverse deviation) are not computed, so not reported; gradients
MXNet's backward does not write (a label's; a data input's whose grad_req is 'null') are
reported as zeros (labels) or as the computed gradient, where MXNet reports whatever its
buffer held.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from math import sqrt
from typing import Any

from .ndarray.ndarray import NDArray

__all__ = ["Monitor"]


def _mean_norm(x: NDArray) -> NDArray:
    """MXNet's default statistic: ``norm(x) / sqrt(x.size)``."""
    from . import ndarray

    return ndarray.norm(x) / sqrt(x.size)


class Monitor:
    """Collect ``stat_func`` of matching arrays every ``interval`` batches (see module doc)."""

    def __init__(self, interval: int, stat_func: Callable[[NDArray], Any] | None = None,
                 pattern: str = ".*", sort: bool = False, monitor_all: bool = False):
        if int(interval) < 1:
            raise ValueError(f"Monitor: interval must be a positive number of batches, got "
                             f"{interval!r}")
        self.stat_func = stat_func if stat_func is not None else _mean_norm
        self.interval = int(interval)
        self.activated = False
        self.queue: list[tuple[int, str, Any]] = []
        self.step = 0
        self.exes: list[Any] = []
        self.re_prog = re.compile(pattern)
        self.sort = sort
        self.monitor_all = monitor_all

    def stat_helper(self, name: str, array: NDArray) -> None:
        """The executor callback: queue the statistic of ``array`` while collecting."""
        if not self.activated or not self.re_prog.match(name):
            return
        self.queue.append((self.step, name, self.stat_func(array)))

    def install(self, exe: Any) -> None:
        """Register the callback on ``exe`` (an Executor, or a Module's executor view)."""
        exe.set_monitor_callback(self.stat_helper, self.monitor_all)
        self.exes.append(exe)

    def tic(self) -> None:
        """Start collecting for this batch when it is an ``interval``-th one (call before
        forward)."""
        if self.step % self.interval == 0:
            self.queue = []
            self.activated = True
        self.step += 1

    def toc(self) -> list[tuple[int, str, str]]:
        """Stop collecting; add the arguments and auxiliary states; return the rows."""
        if not self.activated:
            return []
        for exe in self.exes:
            symbol = exe._symbol
            for names, arrays in ((symbol.list_arguments(), exe.arg_dict),
                                  (symbol.list_auxiliary_states(), exe.aux_dict)):
                for name in names:
                    if name in arrays and self.re_prog.match(name):
                        self.queue.append((self.step, name, self.stat_func(arrays[name])))
        self.activated = False
        if self.sort:
            self.queue.sort(key=lambda row: row[1])
        rows = []
        for step, name, values in self.queue:
            if isinstance(values, NDArray):
                values = [values]
            if not isinstance(values, list):
                raise TypeError(f"Monitor: stat_func must return an NDArray or a list of "
                                f"NDArrays, got {type(values).__name__} for {name!r}")
            text = ""
            for v in values:
                if not isinstance(v, NDArray):
                    raise TypeError(f"Monitor: stat_func returned a {type(v).__name__} for "
                                    f"{name!r}, not an NDArray")
                text += (str(v.asscalar()) if v.shape == (1,) else str(v.asnumpy())) + "\t"
            rows.append((step, name, text))
        self.queue = []
        return rows

    def toc_print(self) -> None:
        """``toc()`` and log each row on the root logger as MXNet does."""
        for step, name, text in self.toc():
            logging.info("Batch: %7d %-30s %s", step, name, text)

