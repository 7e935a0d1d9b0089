"""``mx.optimizer.Updater`` / ``get_updater``: MXNet's eager, per-parameter driver.

``updater(index, grad, weight)`` (an index or a list of them) creates each
index's state on first sight with ``create_state_multi_precision`` and calls
``update_multi_precision``. When the optimizer aggregates (``aggregate_num > 0``:
SGD and LARS 4, LAMB 45), parameters are grouped by dtype and passed in
chunks of ``aggregate_num``, as MXNet does. Weights and states are NDArrays
updated in place. ``get_states``/``set_states`` use mxjax's pickle-free format
(:mod:`.states`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ndarray.ndarray import NDArray
from .optimizer import Optimizer
from .states import dumps_states, loads_states

__all__ = ["Updater", "get_updater"]


class Updater:
    """Updater for kvstore / Module (``mx.optimizer.Updater``)."""

    def __init__(self, optimizer: Optimizer):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"Updater needs an mx.optimizer.Optimizer, got "
                            f"{type(optimizer).__name__}")
        self.optimizer = optimizer
        self.states: dict = {}
        self.states_synced: dict = {}
        self.aggregate_updates = optimizer.aggregate_num > 0

    def __call__(self, index: Any, grad: Any, weight: Any) -> None:
        """Update ``weight`` (in place) from ``grad``; lists update several at once."""
        if not isinstance(index, (list, tuple)):
            indices, grads, weights = [index], [grad], [weight]
        else:
            indices, grads, weights = list(index), list(grad), list(weight)
        if not (len(indices) == len(grads) == len(weights)):
            raise ValueError(f"Updater: {len(indices)} indices, {len(grads)} grads and "
                             f"{len(weights)} weights")
        for what, arrs in (("grad", grads), ("weight", weights)):
            for a in arrs:
                if not isinstance(a, NDArray):
                    raise TypeError(f"Updater: {what} must be an NDArray, got "
                                    f"{type(a).__name__}")
        if weights:
            self.optimizer._set_current_context(weights[0].context.device_id)
        for i, idx in enumerate(indices):
            if isinstance(idx, bytes):
                idx = indices[i] = idx.decode("utf-8")
            if idx not in self.states:
                self.states[idx] = self.optimizer.create_state_multi_precision(idx, weights[i])
                self.states_synced[idx] = True
            elif not self.states_synced[idx]:
                self.states[idx] = self.sync_state_context(self.states[idx], weights[i].context)
                self.states_synced[idx] = True
        if self.aggregate_updates:
            groups: dict[Any, list] = {}
            for i, w, g in zip(indices, weights, grads, strict=True):
                groups.setdefault(np.dtype(w.dtype), []).append((i, w, g))
            n = self.optimizer.aggregate_num
            for items in groups.values():
                for start in range(0, len(items), n):
                    chunk = items[start:start + n]
                    self.optimizer.update_multi_precision(
                        [c[0] for c in chunk], [c[1] for c in chunk], [c[2] for c in chunk],
                        [self.states[c[0]] for c in chunk])
        else:
            for i, w, g in zip(indices, weights, grads, strict=True):
                self.optimizer.update_multi_precision(i, w, g, self.states[i])

    def sync_state_context(self, state: Any, context: Any) -> Any:
        """Move a state (NDArray, or tuple/list of them) to ``context``."""
        if isinstance(state, NDArray):
            return state.as_in_context(context)
        if isinstance(state, (tuple, list)):
            synced = [self.sync_state_context(s, context) for s in state]
            return tuple(synced) if isinstance(state, tuple) else synced
        return state

    def set_states(self, states: bytes) -> None:
        """Restore states (and the optimizer, if it was dumped) from ``get_states`` bytes.

        MXNet's own pickled ``.states`` bytes are read by a restricted unpickler (see
        ``optimizer.states``): the per-parameter states, no optimizer."""
        loaded, opt = loads_states(states)
        self.states = loaded
        if opt is not None:
            self.optimizer = opt
            # (MXNet keeps the old flag here and loops forever when it no longer fits)
            self.aggregate_updates = opt.aggregate_num > 0
        self.states_synced = dict.fromkeys(self.states.keys(), False)

    def get_states(self, dump_optimizer: bool = False) -> bytes:
        """The states as bytes (mxjax's format; with the optimizer if ``dump_optimizer``)."""
        return dumps_states(self.states, self.optimizer if dump_optimizer else None)


def get_updater(optimizer: Optimizer) -> Updater:
    """The updater closure for kvstore/Module (``mx.optimizer.get_updater``)."""
    return Updater(optimizer)
