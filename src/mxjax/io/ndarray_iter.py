"""``NDArrayIter``: batches from in-memory arrays, with MXNet 1.9.1's exact batch sequence.

MXNet behaviours reproduced (``mxnet.io.NDArrayIter``):

* Inputs: one array or a 1-element list -> ``{data_name: a}``; a k-element
  list -> names ``_0_<data_name>``, ``_1_<data_name>``, ...; a dict as given.
  Sources are **sorted by name**. Arrays that are not NDArrays are converted
  to float32 (as ``mx.nd.array`` does: integer labels become float32);
  NDArrays keep their dtype. ``num_data`` is the first source's length.
* ``shuffle`` draws ``np.random.shuffle`` at construction and at every
  ``reset``/``hard_reset``, permuting the cumulative ``idx`` array exactly as
  MXNet does, so a given ``np.random.seed`` gives MXNet's batches.
* ``last_batch_handle``:
  ``'pad'`` fills the last batch by wrapping around to the start of the
  (current) data, tiled when the batch is larger than the data, with
  ``pad = cursor + batch_size - num_data``;
  ``'discard'`` drops the incomplete last batch;
  ``'roll_over'`` keeps the incomplete last batch and makes it the head of
  the first batch of the next epoch (after re-shuffling), that batch reports
  ``pad = number of carried examples`` and the epoch continues at offset
  ``batch_size - carried``; ``hard_reset()`` forgets the carried examples.
* An incomplete batch is never returned by ``next()``: it is cached (for
  roll-over) and ``StopIteration`` is raised.
* ``provide_data``/``provide_label`` report the batch axis as ``batch_size``,
  the array dtype and the iterator's layout; batches carry ``index=None``.

mxjax keeps the arrays on the host as numpy arrays and an integer row order;
each batch gathers its rows and becomes NDArrays on the source's context.
The same row arithmetic also describes a whole epoch at once
(``_fused_epoch_plan``) so ``Module.fit`` can run an epoch in one compiled call
and still see exactly the batches iteration would give.

Deviation: MXNet reads ``num_data`` from axis 0 while slicing along the
layout's ``N`` axis (and shuffles along axis 0); mxjax uses the ``N`` axis for
all three, which only differs for layouts where MXNet's mix would break.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..base import MXNetError
from ..context import Context, current_context
from ..ndarray.ndarray import NDArray, host_array
from ..ndarray.ndarray import array as nd_array
from .io import DataBatch, DataDesc, DataIter

__all__ = ["NDArrayIter", "FusedEpochPlan"]

_HANDLES = ("pad", "discard", "roll_over")


@dataclass
class _Source:
    """One named input held on the host: its array, and the context/dtype batches get."""

    name: str
    array: np.ndarray
    ctx: Context


def _to_source(name: str, value: Any, batch_axis: int) -> _Source:
    if isinstance(value, NDArray):
        arr, ctx = value.asnumpy(), value.context
    else:
        try:
            arr = np.asarray(value)
            if arr.dtype == object or arr.dtype.kind not in "biuf":
                raise TypeError
            arr = arr.astype(np.float32, copy=False)
        except (TypeError, ValueError) as err:
            raise TypeError(
                f"Invalid type '{type(value)}' for {name}, should be NDArray, numpy.ndarray "
                "or h5py.Dataset") from err
        ctx = current_context()
    if arr.ndim <= batch_axis:
        raise MXNetError(
            f"NDArrayIter: input '{name}' has shape {arr.shape}, which has no batch axis "
            f"{batch_axis}")
    return _Source(name, arr, ctx)


def _init_sources(data: Any, allow_empty: bool, default_name: str,
                  batch_axis: int) -> list[_Source]:
    """MXNet's ``_init_data``: canonical, name-sorted list of sources."""
    if data is None:
        if not allow_empty:
            raise AssertionError("NDArrayIter: data must not be None")
        data = []
    if isinstance(data, (np.ndarray, NDArray)) or hasattr(data, "__jax_array__") \
            or type(data).__module__.startswith("jax"):
        data = [data]
    if isinstance(data, list):
        if not allow_empty and len(data) == 0:
            raise AssertionError("NDArrayIter: data must not be an empty list")
        if len(data) == 1:
            data = {default_name: data[0]}
        else:
            data = {f"_{i}_{default_name}": d for i, d in enumerate(data)}
    if not isinstance(data, Mapping):
        raise TypeError("Input must be NDArray, numpy.ndarray, h5py.Dataset "
                        "a list of them or dict with them as values")
    return [_to_source(str(k), v, batch_axis) for k, v in sorted(data.items())]


@dataclass(frozen=True)
class FusedEpochPlan:
    """The rest of an ``NDArrayIter`` epoch, described by row indices.

    Batch ``i`` of the epoch is, for every source ``arr`` in ``data`` (then
    ``label``), ``np.take(arr, indices[i], axis=batch_axis)``, and its
    ``DataBatch.pad`` is ``pad[i]``. This covers every last-batch rule:
    ``'pad'`` rows wrap to the start of the epoch's order, a ``'roll_over'``
    first batch starts with the rows carried from the previous epoch, and
    ``'discard'``/``'roll_over'`` tails are simply absent. ``batch(i)`` builds
    the very ``DataBatch`` that ``next()`` would have returned.

    ``data``/``label`` are the iterator's full host arrays; they are the same
    objects for the iterator's whole life (shuffling only changes
    ``indices``), so a caller may keep device copies keyed by ``id``.
    """

    data_names: tuple[str, ...]
    data: tuple[np.ndarray, ...]
    label_names: tuple[str, ...]
    label: tuple[np.ndarray, ...]
    contexts: tuple[Context, ...]  # per source, data first then label
    batch_size: int
    batch_axis: int
    indices: np.ndarray  # (num_batches, batch_size) int64 row numbers
    pad: np.ndarray  # (num_batches,) int64
    last_batch_handle: str

    @property
    def num_batches(self) -> int:
        return int(self.indices.shape[0])

    def __len__(self) -> int:
        return self.num_batches

    def arrays(self) -> dict[str, np.ndarray]:
        """All sources by name (data then label)."""
        return dict(zip(self.data_names + self.label_names, self.data + self.label,
                        strict=True))

    def batch(self, i: int) -> DataBatch:
        """Batch ``i`` as the ``DataBatch`` that iterating would have produced."""
        rows = self.indices[i]
        arrays = [_gather(a, rows, self.batch_axis, c)
                  for a, c in zip(self.data + self.label, self.contexts, strict=True)]
        nd = len(self.data)
        return DataBatch(data=arrays[:nd], label=arrays[nd:], pad=int(self.pad[i]), index=None)


def _gather(arr: np.ndarray, rows: np.ndarray, axis: int, ctx: Context) -> NDArray:
    # host-backed: a Module step takes the rows as they are; the device copy is made only
    # if user code reads the batch
    return host_array(np.take(arr, rows, axis=axis), ctx)


class NDArrayIter(DataIter):
    """Iterate over in-memory arrays in batches (``mx.io.NDArrayIter``); see the module doc."""

    def __init__(self, data: Any, label: Any = None, batch_size: int = 1, shuffle: bool = False,
                 last_batch_handle: str = "pad", data_name: str = "data",
                 label_name: str = "softmax_label", layout: str = "NCHW"):
        super().__init__(batch_size)
        if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) \
                or batch_size <= 0:
            raise ValueError(f"NDArrayIter: batch_size must be a positive int, got {batch_size!r}")
        if last_batch_handle not in _HANDLES:
            raise ValueError(f"NDArrayIter: last_batch_handle must be one of {_HANDLES}, "
                             f"got {last_batch_handle!r}")
        if not isinstance(layout, str) or "N" not in layout:
            raise ValueError(f"NDArrayIter: layout {layout!r} has no batch axis 'N'")
        self.layout = layout
        self._axis = layout.find("N")
        self._data_src = _init_sources(data, False, data_name, self._axis)
        self._label_src = _init_sources(label, True, label_name, self._axis)
        self.batch_size = int(batch_size)
        self.num_data = int(self._data_src[0].array.shape[self._axis])
        for src in self._data_src + self._label_src:
            rows = src.array.shape[self._axis]
            if rows < self.num_data:
                raise MXNetError(
                    f"NDArrayIter: input '{src.name}' has {rows} examples along the batch axis "
                    f"but '{self._data_src[0].name}' has {self.num_data}")
        self.shuffle = bool(shuffle)
        self.last_batch_handle = last_batch_handle
        self.idx = np.arange(self.num_data)
        self._order = np.arange(self.num_data)
        self._order_version = 0
        self._views: tuple[int, list, list] | None = None
        self._tail: np.ndarray | None = None  # rows carried over by 'roll_over'
        self.cursor = -self.batch_size
        self.reset()

    # ------------------------------------------------------------ descriptions
    def _describe(self, sources: list[_Source]) -> list[DataDesc]:
        out = []
        for s in sources:
            shape = list(s.array.shape)
            shape[self._axis] = self.batch_size
            out.append(DataDesc(s.name, tuple(shape), s.array.dtype.type, layout=self.layout))
        return out

    @property
    def provide_data(self) -> list[DataDesc]:
        """Name, batch shape, dtype and layout of each data input (sorted by name)."""
        return self._describe(self._data_src)

    @property
    def provide_label(self) -> list[DataDesc]:
        """Name, batch shape, dtype and layout of each label input (sorted by name)."""
        return self._describe(self._label_src)

    def _current(self) -> tuple[list, list]:
        if self._views is None or self._views[0] != self._order_version:
            identity = self._order_version == 0

            def full(src: _Source) -> tuple[str, NDArray]:
                arr = src.array if identity else np.take(src.array, self._order, self._axis)
                return src.name, nd_array(arr, ctx=src.ctx, dtype=arr.dtype)

            self._views = (self._order_version, [full(s) for s in self._data_src],
                           [full(s) for s in self._label_src])
        return self._views[1], self._views[2]

    @property
    def data(self) -> list[tuple[str, NDArray]]:
        """``[(name, NDArray)]`` of the data in the current (shuffled) order, like MXNet's."""
        return self._current()[0]

    @property
    def label(self) -> list[tuple[str, NDArray]]:
        """``[(name, NDArray)]`` of the labels in the current (shuffled) order."""
        return self._current()[1]

    @property
    def data_list(self) -> list[NDArray]:
        data, label = self._current()
        return [x[1] for x in data] + [x[1] for x in label]

    @property
    def num_source(self) -> int:
        return len(self._data_src) + len(self._label_src)

    # ------------------------------------------------------------------ state
    def _shuffle_data(self) -> None:
        np.random.shuffle(self.idx)
        self._order = self._order[self.idx]
        self._order_version += 1

    def hard_reset(self) -> None:
        """Reset and forget examples carried over by ``'roll_over'``."""
        if self.shuffle:
            self._shuffle_data()
        self.cursor = -self.batch_size
        self._tail = None

    def reset(self) -> None:
        """Back to the start (re-shuffling); ``'roll_over'`` keeps the incomplete tail."""
        if self.shuffle:
            self._shuffle_data()
        if self.last_batch_handle == "roll_over" and \
                self.num_data - self.batch_size < self.cursor < self.num_data:
            self.cursor = self.cursor - self.num_data - self.batch_size
        else:
            self.cursor = -self.batch_size

    def _at_roll_over_head(self) -> bool:
        return self.last_batch_handle == "roll_over" and -self.batch_size < self.cursor < 0

    def iter_next(self) -> bool:
        """Advance the cursor by ``batch_size``; False once it passes the data."""
        if self._at_roll_over_head():
            self._tail = None  # the carried rows were used by the batch just left
        self.cursor += self.batch_size
        return self.cursor < self.num_data

    def _rows(self) -> np.ndarray:
        """Row numbers (into the original arrays) of the batch at the cursor."""
        c, b, n = self.cursor, self.batch_size, self.num_data
        if c >= n:
            raise AssertionError("DataIter needs reset.")
        if self._at_roll_over_head():
            if self._tail is None:
                raise AssertionError("next epoch should have cached data")
            end = c + b
            if end > n:
                raise MXNetError(
                    f"NDArrayIter: the roll_over batch needs {end} new examples but the data "
                    f"has only {n} (batch_size {b} is too large for roll_over)")
            return np.concatenate([self._tail, self._order[:end]])
        if c < 0:
            raise MXNetError("NDArrayIter: call iter_next() (or next()) before reading a batch")
        if self.last_batch_handle == "pad" and c + b > n:
            wrap = np.arange(c + b - n) % n
            return np.concatenate([self._order[c:], self._order[wrap]])
        return self._order[c:min(c + b, n)]

    def _advance(self) -> tuple[np.ndarray, int] | None:
        """One ``next()`` step on row numbers: (rows, pad), or None at the end of the epoch."""
        if not self.iter_next():
            return None
        rows = self._rows()
        if self._at_roll_over_head():
            self._tail = None  # consumed, as MXNet clears its cache when reading it
        if len(rows) != self.batch_size:
            if self.last_batch_handle == "roll_over":
                self._tail = rows
            return None
        return rows, self.getpad()

    # ----------------------------------------------------------------- batches
    def _make(self, sources: list[_Source], rows: np.ndarray) -> list[NDArray]:
        return [_gather(s.array, rows, self._axis, s.ctx) for s in sources]

    def next(self) -> DataBatch:
        step = self._advance()
        if step is None:
            raise StopIteration
        rows, pad = step
        return DataBatch(data=self._make(self._data_src, rows),
                         label=self._make(self._label_src, rows), pad=pad, index=None)

    def getdata(self) -> list[NDArray]:
        return self._make(self._data_src, self._rows())

    def getlabel(self) -> list[NDArray]:
        return self._make(self._label_src, self._rows())

    def getpad(self) -> int:
        """MXNet's rule: wrapped count for 'pad', carried count on a roll-over head, else 0."""
        if self.last_batch_handle == "pad" and self.cursor + self.batch_size > self.num_data:
            return self.cursor + self.batch_size - self.num_data
        if self._at_roll_over_head():
            return -self.cursor
        return 0

    # ------------------------------------------------------------ fused epoch
    def _fused_epoch_plan(self, consume: bool = True) -> FusedEpochPlan | None:
        """The rest of the current epoch as a :class:`FusedEpochPlan` (mxjax extension).

        With ``consume=True`` the iterator ends in exactly the state that
        calling ``next()`` until ``StopIteration`` leaves (including the rows
        that ``'roll_over'`` carries into the next epoch), so the caller
        continues with ``reset()`` as usual. With ``consume=False`` the state
        is left untouched. Returns None for subclasses that override how
        batches are produced, since a plan would bypass their code.
        """
        cls = type(self)
        for name in ("next", "iter_next", "getdata", "getlabel", "getpad", "reset", "_rows",
                     "_advance", "_make", "__next__"):
            if getattr(cls, name) is not getattr(NDArrayIter, name):
                return None
        saved = (self.cursor, self._tail)
        rows, pads = [], []
        while (step := self._advance()) is not None:
            rows.append(step[0])
            pads.append(step[1])
        if not consume:
            self.cursor, self._tail = saved
        b = self.batch_size
        indices = np.stack(rows).astype(np.int64) if rows else np.zeros((0, b), np.int64)
        return FusedEpochPlan(
            data_names=tuple(s.name for s in self._data_src),
            data=tuple(s.array for s in self._data_src),
            label_names=tuple(s.name for s in self._label_src),
            label=tuple(s.array for s in self._label_src),
            contexts=tuple(s.ctx for s in self._data_src + self._label_src),
            batch_size=b, batch_axis=self._axis, indices=indices,
            pad=np.asarray(pads, dtype=np.int64), last_batch_handle=self.last_batch_handle)
