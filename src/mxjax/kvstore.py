"""``mx.kv``: MXNet's key-value store for dense arrays, in one process or across processes.

Reproduces MXNet 1.9.1's ``KVStore`` (``python/mxnet/kvstore/kvstore.py`` and
``src/kvstore/kvstore_local.h``):

* ``init(key, value)`` stores a copy; a key is initialised once
  (``duplicate init of key ...``), and must be before ``push``/``pull``
  (``key ... has not been inited``).
* ``push(key, value)``: the values given for a key (one per device, or a key
  repeated in a list) are summed; with an optimizer set the store runs
  ``updater(key, summed, stored)``, otherwise ``stored = summed``.
* ``pull(key, out)`` copies the stored value into every ``out`` array
  (casting to its dtype, onto its device). ``pushpull`` is push then pull
  (into ``value`` when ``out`` is None). ``broadcast`` is init then pull.
* keys are ``int`` or ``str``, single or in lists; one store never mixes the
  two (``Mixed key types are not allowed``).

Kinds (``create(name)``, matched on substrings as MXNet's ``KVStore::Create``
does): ``local``/``device``/``nccl`` (and anything else without ``dist``) keep
the store in this process. ``dist_sync``, ``dist_device_sync``,
``dist_sync_device`` join all worker processes with ``jax.distributed``
(:mod:`mxjax.distributed`): ``init`` takes rank 0's value everywhere, ``push``
sums over all workers with one XLA all-reduce per call, and every worker then
runs the same update on its own replica, so replicas stay identical without a
parameter server. ``rank``/``num_workers`` are ``jax.process_index()``/
``jax.process_count()``. ``dist_async``, horovod and byteps raise
:class:`MXNetError`.

Differences from MXNet, on purpose: a push whose shape differs from the
stored one is an error (MXNet silently replaces the stored array when no
optimizer is set); the stored value lives on the device of the ``init``
value; ``save_optimizer_states`` also works for dist stores (each worker
holds the optimizer state) and writes atomically in mxjax's pickle-free format.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import distributed
from ._fileio import write_atomic
from .base import MXNetError
from .ndarray.ndarray import NDArray

__all__ = ["KVStore", "KVStoreBase", "create"]

_log = logging.getLogger(__name__)

Key = int | str


class KVStoreBase:
    """Base of all key-value stores; ``KVStoreBase.register`` adds a kind to ``create``."""

    OPTIMIZER = "optimizer"
    kv_registry: dict[str, type] = {}

    @staticmethod
    def register(klass: type) -> type:
        """Register ``klass`` under its lower-cased class name (``create`` finds it first)."""
        if not isinstance(klass, type):
            raise TypeError(f"KVStoreBase.register needs a class, got {klass!r}")
        name = klass.__name__.lower()
        if name in KVStoreBase.kv_registry:
            old = KVStoreBase.kv_registry[name]
            warnings.warn(f"WARNING: New kvstore {klass.__module__}.{klass.__name__} is "
                          f"overriding existing kvstore {old.__module__}.{old.__name__}",
                          stacklevel=2)
        KVStoreBase.kv_registry[name] = klass
        return klass


# ------------------------------------------------------------ key/value lists
def _norm_key(key: Any) -> Key:
    if isinstance(key, str):
        return key
    if isinstance(key, (int, np.integer)):
        return int(key)
    raise AssertionError(f"unexpected type for keys: {type(key)} (keys are int or str)")


def _pairs(keys: Any, vals: Any, what: str) -> list[tuple[Key, list[NDArray]]]:
    """Flatten ``keys``/``vals`` as MXNet's ``_ctype_key_value``: [(key, [arrays])] in order."""
    if isinstance(keys, (list, tuple)):
        if not isinstance(vals, (list, tuple)) or len(keys) != len(vals):
            got = len(vals) if isinstance(vals, (list, tuple)) else "a single value"
            raise AssertionError(f"{what}: {len(keys)} keys but {got} for the values/outputs")
        out: list[tuple[Key, list[NDArray]]] = []
        for k, v in zip(keys, vals, strict=True):
            out.extend(_pairs(k, v, what))
        if len({type(k) for k, _ in out}) > 1:
            raise AssertionError("inconsistent types of keys detected.")
        return out
    key = _norm_key(keys)
    arrays = [vals] if isinstance(vals, NDArray) else vals
    if not isinstance(arrays, (list, tuple)) or not all(isinstance(a, NDArray) for a in arrays):
        raise TypeError(f"{what}: the value for key {key!r} must be an NDArray or a list of "
                        f"NDArrays, got {type(vals).__name__}")
    return [(key, list(arrays))]


def _grouped(pairs: list[tuple[Key, list[NDArray]]]) -> list[tuple[Key, list[NDArray]]]:
    """Merge repeated keys, sorted by key (MXNet's GroupKVPairs): the same order everywhere."""
    groups: dict[Key, list[NDArray]] = {}
    for k, arrs in pairs:
        groups.setdefault(k, []).extend(arrs)
    return sorted(groups.items(), key=lambda kv: kv[0])


class KVStore(KVStoreBase):
    """A key-value store for data-parallel training (``mx.kv.KVStore``); see module docstring."""

    def __init__(self, name: str = "local", *, dist: bool = False):
        self._type = name
        self._dist = dist
        self._store: dict[Key, NDArray] = {}
        self._key_type: type | None = None
        self._updater: Callable[..., Any] | None = None

    # ------------------------------------------------------------ properties
    @property
    def type(self) -> str:
        """The kind, as given to ``create`` (lower-cased)."""
        return self._type

    @property
    def rank(self) -> int:
        """This worker's rank in ``[0, num_workers)``."""
        return distributed.rank() if self._dist else 0

    @property
    def num_workers(self) -> int:
        """Number of workers (processes) sharing this store."""
        return distributed.num_workers() if self._dist else 1

    def is_capable(self, capability: str) -> bool:
        """``'optimizer'``: the store can run an optimizer (always True here)."""
        if capability.lower() == KVStoreBase.OPTIMIZER:
            return True
        raise ValueError(f"Unknown capability: {capability}")

    # --------------------------------------------------------------- helpers
    def _check_key_type(self, pairs: list[tuple[Key, list[NDArray]]]) -> None:
        if not pairs:
            return
        kt = type(pairs[0][0])
        if self._key_type is None:
            self._key_type = kt
        elif self._key_type is not kt:
            raise MXNetError("Mixed key types are not allowed: this kvstore uses "
                             f"{self._key_type.__name__} keys, got {pairs[0][0]!r}")

    def _stored(self, key: Key) -> NDArray:
        try:
            return self._store[key]
        except KeyError:
            raise MXNetError(f"key {key} has not been inited") from None

    # ------------------------------------------------------------------- API
    def init(self, key: Any, value: Any) -> None:
        """Initialise keys with values (in a dist store, rank 0's values win)."""
        pairs = _pairs(key, value, "init")
        self._check_key_type(pairs)
        seen: set[Key] = set()
        for k, arrs in pairs:
            if k in self._store or k in seen or len(arrs) != 1:
                raise MXNetError(f"duplicate init of key {k}. Please double check if you called "
                                 "kv.init or kv.broadcast with this key multiple times")
            seen.add(k)
        with jax.enable_x64(True):
            datas = [jnp.array(arrs[0]._data, copy=True) for _, arrs in pairs]
            if self._dist and distributed.num_workers() > 1:
                desc = repr([(k, tuple(d.shape), str(d.dtype)) for (k, _), d in
                             zip(pairs, datas, strict=True)])
                distributed.check_same(desc, "kvstore init")
                datas = distributed.broadcast_from_root(datas)
        for (k, arrs), d in zip(pairs, datas, strict=True):
            self._store[k] = NDArray(d, arrs[0].context)

    def push(self, key: Any, value: Any, priority: int = 0) -> None:
        """Push values; each key's values are summed (over devices, and workers if dist)."""
        del priority  # XLA orders the work
        groups = _grouped(_pairs(key, value, "push"))
        self._check_key_type(groups)
        merged = []
        with jax.enable_x64(True):
            for k, arrs in groups:
                stored = self._stored(k)
                for a in arrs:
                    if a.shape != stored.shape:
                        raise MXNetError(f"push: operands shape mismatch for key {k!r}: pushed "
                                         f"{a.shape}, stored {stored.shape}")
                dev = next(iter(stored._data.devices()))
                total = jax.device_put(arrs[0]._data, dev)
                for a in arrs[1:]:
                    total = total + jax.device_put(a._data, dev)
                merged.append(total.astype(stored._data.dtype))
            if self._dist:
                merged = distributed.allreduce_sum(merged)
        for (k, _), m in zip(groups, merged, strict=True):
            stored = self._store[k]
            if self._updater is not None:
                self._updater(k, NDArray(m, stored.context), stored)
            else:
                stored._data = m

    def pull(self, key: Any, out: Any = None, priority: int = 0,
             ignore_sparse: bool = True) -> None:
        """Copy each key's stored value into every array of ``out``."""
        del priority, ignore_sparse  # dense arrays only
        if out is None:
            raise AssertionError("pull: out is required (the arrays to copy the values into)")
        pairs = _pairs(key, out, "pull")
        self._check_key_type(pairs)
        for k, outs in pairs:
            stored = self._stored(k)
            for o in outs:
                if o.shape != stored.shape:
                    raise MXNetError(f"pull: operands shape mismatch for key {k!r}: stored "
                                     f"{stored.shape}, out {o.shape}")
                o._set(stored._data)

    def pushpull(self, key: Any, value: Any, out: Any = None, priority: int = 0) -> None:
        """Push ``value`` then pull into ``out`` (into ``value`` itself when out is None)."""
        if out is not None:
            _pairs(key, out, "pushpull")  # bad outputs fail before the push
        self.push(key, value, priority)
        self.pull(key, value if out is None else out, priority)

    def broadcast(self, key: Any, value: Any, out: Any, priority: int = 0) -> None:
        """Store rank 0's ``value`` under ``key`` and copy it into ``out`` (init + pull)."""
        self.init(key, value)
        self.pull(key, out, priority)

    def row_sparse_pull(self, key: Any, out: Any = None, priority: int = 0,
                        row_ids: Any = None) -> None:
        """Not supported: mxjax arrays are dense."""
        raise MXNetError("row_sparse_pull is not supported by mxjax (dense arrays only); "
                         "use pull")

    def set_gradient_compression(self, compression_params: dict) -> None:
        """Not supported: mxjax sums full-precision gradients."""
        raise MXNetError("gradient compression is not supported by mxjax's kvstore "
                         f"(got {compression_params!r})")

    # ------------------------------------------------------------- optimizer
    def set_optimizer(self, optimizer: Any) -> None:
        """Run ``optimizer`` on every push (``mx.optimizer.get_updater(optimizer)``).

        In a dist store every worker runs the same update on its own replica of
        the summed gradient, which is what MXNet's servers compute.
        """
        from . import optimizer as opt

        self._set_updater(opt.get_updater(optimizer))

    def _set_updater(self, updater: Callable[..., Any]) -> None:
        """Use ``updater(key, summed_value, stored_ndarray)`` on push (updates in place)."""
        if not callable(updater):
            raise TypeError(f"updater must be callable, got {type(updater).__name__}")
        self._updater = updater

    def _updater_with_states(self, what: str) -> Any:
        if self._updater is None:
            raise AssertionError(f"Cannot {what} optimizer states: this kvstore has no "
                                 "optimizer (call set_optimizer first)")
        if not hasattr(self._updater, "get_states"):
            raise MXNetError(f"Cannot {what} optimizer states: the updater set with "
                             "_set_updater has no get_states/set_states")
        return self._updater

    def save_optimizer_states(self, fname: str, dump_optimizer: bool = False) -> None:
        """Write the updater's states to ``fname`` (atomically; with the optimizer if asked)."""
        updater = self._updater_with_states("save")
        write_atomic(fname, updater.get_states(dump_optimizer))

    def load_optimizer_states(self, fname: str) -> None:
        """Restore the updater's states from a file written by ``save_optimizer_states``."""
        updater = self._updater_with_states("load")
        with open(os.fspath(fname), "rb") as f:
            updater.set_states(f.read())

    def _barrier(self) -> None:
        """Wait until every worker reaches this call (no-op with one worker)."""
        if self._dist:
            distributed.barrier("mxjax_kvstore_barrier")

    def __repr__(self) -> str:
        return (f"<KVStore {self._type} rank {self.rank} of {self.num_workers}, "
                f"{len(self._store)} keys>")


def create(name: str = "local") -> KVStoreBase:
    """Create a kvstore (``mx.kv.create``).

    ``local``, ``device``, ``nccl``: this process. ``dist_sync``,
    ``dist_device_sync``, ``dist_sync_device``: all workers of the job,
    joined with ``jax.distributed`` from the launcher's environment (a single
    worker when there is none). ``dist_async``, ``horovod``, ``byteps``: not
    supported (:class:`MXNetError`). A non-string name is a ``TypeError``.
    """
    if not isinstance(name, str):
        raise TypeError("name must be a string")
    name = name.lower()
    if name in KVStoreBase.kv_registry:
        return KVStoreBase.kv_registry[name]()
    for other in ("horovod", "byteps"):
        if other in name:
            raise MXNetError(f"kvstore {name!r} is not supported by mxjax; use 'dist_sync' "
                             "with python -m mxjax.launch for multi-process training")
    if "dist" not in name:
        return KVStore(name)
    if "_async" in name:
        raise MXNetError(f"kvstore {name!r}: asynchronous training is not supported by mxjax; "
                         "use 'dist_sync' (every step sums all workers' gradients)")
    joined = distributed.initialize()
    if not joined and distributed.read_env() is None:
        _log.warning("kvstore %r: no distributed launch environment (MXJAX_NUM_WORKERS / "
                     "DMLC_NUM_WORKER) found, running as a single worker; start several "
                     "workers with python -m mxjax.launch -n N", name)
    return KVStore(name, dist=True)
