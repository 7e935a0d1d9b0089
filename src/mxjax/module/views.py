"""NDArray views of a bound Module's live state (what ``_exec_group.execs[i]`` offers MXNet
code): reads and writes go straight to the ExecGroup's device arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jax
import numpy as np

from ..context import Context
from ..ndarray.ndarray import NDArray

if TYPE_CHECKING:
    from .exec_group import ExecGroup

__all__ = ["BoundArray", "DeviceArray", "ExecView"]


class BoundArray(NDArray):
    """An NDArray whose value lives in an ``ExecGroup`` state dict (reads/writes go there)."""

    __slots__ = ("_store", "_key", "_sync")

    def __init__(self, store: dict, key: str, ctx: Context, sync: Any = None):
        super().__init__(None, ctx)
        self._store = store
        self._key = key
        self._sync = sync  # brings the store up to date first (a deferred optimizer step)

    @property
    def _data(self) -> jax.Array:
        if self._sync is not None:
            self._sync()
        v = self._store[self._key]
        if isinstance(v, np.ndarray):  # a host-backed batch fed to the last step
            v = self._store[self._key] = jax.device_put(v, self._ctx.jax_device)
        return v

    @_data.setter
    def _data(self, value: jax.Array) -> None:
        if self._sync is not None:
            self._sync()
        self._store[self._key] = value


class DeviceArray(NDArray):
    """Device ``k``'s part of an ``ExecGroup`` state entry (MXNet's per-executor array)."""

    __slots__ = ("_group", "_kind", "_key", "_k")

    def __init__(self, group: ExecGroup, kind: str, key: str, k: int):
        super().__init__(None, group.contexts[k])
        self._group = group
        self._kind = kind
        self._key = key
        self._k = k

    @property
    def _data(self) -> jax.Array:
        return self._group.device_value(self._kind, self._key, self._k)

    @_data.setter
    def _data(self, value: jax.Array) -> None:
        self._group.set_device_value(self._kind, self._key, self._k, value)


class ExecView:
    """What ``_exec_group.execs[i]`` offers MXNet code: dicts of live NDArray views."""

    def __init__(self, group: ExecGroup, k: int = 0):
        self._g = group
        self._k = k

    def _view(self, kind: str, name: str) -> NDArray:
        g = self._g
        if not g.spmd:
            store = getattr(g, kind)
            return BoundArray(store, name, g.ctx, g.sync if kind == "params" else None)
        return DeviceArray(g, kind, name, self._k)

    @property
    def _symbol(self) -> Any:
        """The bound symbol (what ``mx.mon.Monitor.toc`` lists arguments from)."""
        return self._g.symbol

    def set_monitor_callback(self, callback: Any, monitor_all: bool = False) -> None:
        """MXNet's ``Executor.set_monitor_callback`` for this Module's executor: every
        operator output of a forward and every operator's input gradients of a backward go
        to ``callback(name, NDArray)``."""
        self._g.monitor_callbacks[self._k] = callback
        self._g.monitor_all = bool(monitor_all)

    @property
    def arg_dict(self) -> dict[str, NDArray]:
        g = self._g
        d: dict[str, NDArray] = {n: self._view("params", n) for n in g.param_names}
        for n in g.input_names:
            if n in g.inputs:
                d[n] = self._view("inputs", n)
        return d

    @property
    def grad_dict(self) -> dict[str, NDArray]:
        g = self._g
        # (g.grads may be shared with other bucket modules: list this module's own)
        d: dict[str, NDArray] = {n: self._view("grads", n) for n in g.param_names
                                 if n in g.grads}
        for n in g.input_grads:
            d[n] = self._view("input_grads", n)
        return d

    @property
    def aux_dict(self) -> dict[str, NDArray]:
        return {n: self._view("aux", n) for n in self._g.aux_names}

    @property
    def arg_arrays(self) -> list[NDArray]:
        ad = self.arg_dict
        return [ad[n] for n in self._g.program.arg_names if n in ad]

    @property
    def grad_arrays(self) -> list[NDArray | None]:
        gd = self.grad_dict
        return [gd.get(n) for n in self._g.program.arg_names]

    @property
    def aux_arrays(self) -> list[NDArray]:
        return list(self.aux_dict.values())

    @property
    def outputs(self) -> list[NDArray]:
        if not self._g.spmd:
            return self._g.get_outputs()
        return [per_dev[self._k] for per_dev in self._g.get_outputs(merge_multi_context=False)]

    @property
    def output_dict(self) -> dict[str, NDArray]:
        return dict(zip(self._g.output_names, self.outputs, strict=True))
