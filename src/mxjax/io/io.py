"""MXNet's data-iterator protocol: ``DataDesc``, ``DataBatch`` and ``DataIter``.

These reproduce ``mxnet.io`` of MXNet 1.9.1:

* ``DataDesc`` is a namedtuple ``(name, shape)`` that also carries ``dtype``
  (default float32) and ``layout`` (default ``'NCHW'``); it compares equal to
  the plain ``(name, shape)`` tuple, which is how Module code uses it.
* ``DataBatch`` holds *lists* of arrays (``data``, ``label``), the number of
  padded examples at the end (``pad``), optional example ``index``, an
  optional ``bucket_key`` and optional ``provide_data``/``provide_label``.
* ``DataIter`` is the base protocol: ``__iter__`` returns the iterator itself,
  ``next()`` builds a ``DataBatch`` from ``getdata/getlabel/getpad/getindex``
  when ``iter_next()`` succeeds and raises ``StopIteration`` otherwise.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

__all__ = ["DataDesc", "DataBatch", "DataIter"]


class DataDesc(namedtuple("DataDesc", ["name", "shape"])):
    """Name, shape, dtype and layout of one input (``mx.io.DataDesc``).

    ``layout`` says how the axes of ``shape`` are read; ``'N'`` marks the batch
    axis (``'NCHW'`` for images, ``'NTC'`` for sequences).
    """

    def __new__(cls, name: str, shape: Any, dtype: Any = np.float32,
                layout: str | None = "NCHW") -> DataDesc:
        ret = super().__new__(cls, name, shape)
        ret.dtype = dtype
        ret.layout = layout
        return ret

    def __repr__(self) -> str:
        return f"DataDesc[{self.name},{self.shape},{self.dtype},{self.layout}]"

    def __getnewargs__(self):
        return (self.name, self.shape, self.dtype, self.layout)

    @staticmethod
    def get_batch_axis(layout: str | None) -> int:
        """The batch axis of ``layout``: 0 when ``layout`` is None, else the index of ``'N'``
        (-1 when there is none, meaning "copy the whole array to every device")."""
        if layout is None:
            return 0
        return layout.find("N")

    @staticmethod
    def get_list(shapes: Any, types: Any) -> list[DataDesc]:
        """``DataDesc`` list from ``[(name, shape), ...]`` and optional ``[(name, dtype), ...]``."""
        if types is not None:
            type_dict = dict(types)
            return [DataDesc(x[0], x[1], type_dict[x[0]]) for x in shapes]
        return [DataDesc(x[0], x[1]) for x in shapes]


class DataBatch:
    """One batch: lists of data and label arrays plus padding information (``mx.io.DataBatch``).

    ``pad`` counts the examples at the end of the batch that only fill it up
    (prediction drops them); ``index`` are the example indices when the
    iterator knows them.
    """

    def __init__(self, data: list | tuple | None, label: list | tuple | None = None,
                 pad: int | None = None, index: Any = None, bucket_key: Any = None,
                 provide_data: list | None = None, provide_label: list | None = None):
        if data is not None and not isinstance(data, (list, tuple)):
            raise AssertionError("Data must be list of NDArrays")
        if label is not None and not isinstance(label, (list, tuple)):
            raise AssertionError("Label must be list of NDArrays")
        self.data = data
        self.label = label
        self.pad = pad
        self.index = index
        self.bucket_key = bucket_key
        self.provide_data = provide_data
        self.provide_label = provide_label

    def __str__(self) -> str:
        data_shapes = [d.shape for d in self.data]
        label_shapes = [lab.shape for lab in self.label] if self.label else None
        return (f"{self.__class__.__name__}: data shapes: {data_shapes} "
                f"label shapes: {label_shapes}")


class DataIter:
    """Base class of every data iterator (``mx.io.DataIter``).

    A subclass implements ``iter_next`` (advance; False at the end),
    ``getdata``/``getlabel`` (lists of arrays of the current batch),
    ``getpad`` and optionally ``getindex``, plus ``reset`` and the
    ``provide_data``/``provide_label`` descriptions.
    """

    def __init__(self, batch_size: int = 0):
        self.batch_size = batch_size

    def __iter__(self) -> DataIter:
        return self

    def reset(self) -> None:
        """Go back to the beginning of the data."""

    def next(self) -> DataBatch:
        """The next batch; ``StopIteration`` at the end of the data."""
        if self.iter_next():
            return DataBatch(data=self.getdata(), label=self.getlabel(),
                             pad=self.getpad(), index=self.getindex())
        raise StopIteration

    def __next__(self) -> DataBatch:
        return self.next()

    def iter_next(self) -> bool:
        """Move to the next batch; whether there is one."""
        return False

    def getdata(self) -> list | None:
        """Data arrays of the current batch."""
        return None

    def getlabel(self) -> list | None:
        """Label arrays of the current batch."""
        return None

    def getindex(self) -> Any:
        """Example indices of the current batch (None when unknown)."""
        return None

    def getpad(self) -> int | None:
        """Number of padding examples at the end of the current batch."""
        return None

    def _fused_epoch_plan(self, consume: bool = True):
        """mxjax extension: the rest of this epoch as index arrays, or None.

        Only iterators whose data sits in memory (``NDArrayIter``) can describe
        an epoch without producing it batch by batch; every other iterator
        returns None, and ``Module.fit`` then iterates normally. See
        ``mxjax.io.ndarray_iter.FusedEpochPlan``.
        """
        return None


class BatchWrapperIter(DataIter):
    """A DataIter whose ``iter_next`` sets ``current_batch`` (ResizeIter, PrefetchingIter):
    the ``get*`` accessors read that batch, as MXNet's wrappers do."""

    current_batch: DataBatch | None = None

    def getdata(self) -> Any:
        return self.current_batch.data

    def getlabel(self) -> Any:
        return self.current_batch.label

    def getindex(self) -> Any:
        return self.current_batch.index

    def getpad(self) -> Any:
        return self.current_batch.pad
