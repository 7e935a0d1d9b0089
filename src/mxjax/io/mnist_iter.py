"""``MNISTIter``: batches from MNIST idx files, as MXNet 1.9.1's native ``MNISTIter``.

Reproduced: keyword arguments; ``image``/``label`` are idx files (``.gz``
also accepted); pixels are scaled by 1/256; data batches are
``(batch_size, 1, rows, cols)`` or ``(batch_size, rows*cols)`` with ``flat``;
labels ``(batch_size,)`` float32; only full batches are produced (the
remainder is dropped, ``pad`` is always 0); ``num_parts``/``part_index`` keep
the contiguous rows ``[n*part_index//num_parts, n*(part_index+1)//num_parts)``;
``shuffle`` permutes the examples once, when the files are loaded, so every
epoch has the same order.

Deviations: the shuffled order comes from ``numpy.random.RandomState(seed)``
(MXNet's C++ engine cannot be reproduced); ``DataBatch.index`` holds the
example numbers (MXNet returns zeros).
"""

from __future__ import annotations

import gzip
import struct
import sys
import time
from typing import Any

import numpy as np

from ..base import MXNetError
from ..ndarray.ndarray import array as nd_array
from .io import DataBatch, DataDesc, DataIter

__all__ = ["MNISTIter"]


def _report(message: str) -> None:
    """Write an ``[HH:MM:SS] message`` line to stderr, as MXNet's C++ ``LOG(INFO)`` does for
    ``MNISTIter(silent=False)``. Python's ``logging`` is deliberately not used: a module-level
    ``logging.info`` would install a WARNING-level root handler and silence a later
    ``logging.basicConfig(level=...)`` in the user's script."""
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {message}\n")


def _read_idx(path: str, magic: int, what: str) -> np.ndarray:
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as err:
        raise MXNetError(f"MNISTIter: cannot read {what} file {path!r}: {err}") from err
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    ndim = magic & 0xFF
    if len(raw) < 4 + 4 * ndim or struct.unpack(">I", raw[:4])[0] != magic:
        raise MXNetError(f"MNISTIter: {path!r} is not an MNIST {what} idx file "
                         f"(expected magic number {magic})")
    dims = struct.unpack(f">{ndim}I", raw[4:4 + 4 * ndim])
    body = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise MXNetError(f"MNISTIter: {path!r} is truncated: header says {dims}, "
                         f"found {body.size} bytes of data")
    return body.reshape(dims)


class MNISTIter(DataIter):
    """Iterate over MNIST images and labels in batches (``mx.io.MNISTIter``)."""

    def __init__(self, *, image: str = "./train-images-idx3-ubyte",
                 label: str = "./train-labels-idx1-ubyte", batch_size: int = 128,
                 shuffle: bool = True, flat: bool = False, seed: int = 0, silent: bool = False,
                 num_parts: int = 1, part_index: int = 0, data_name: str = "data",
                 label_name: str = "softmax_label", **kwargs: Any):
        super().__init__(int(batch_size))
        if self.batch_size <= 0:
            raise MXNetError(f"MNISTIter: batch_size must be positive, got {batch_size}")
        num_parts, part_index = int(num_parts), int(part_index)
        if num_parts < 1 or not 0 <= part_index < num_parts:
            raise MXNetError(f"MNISTIter: part_index={part_index} must be in [0, num_parts="
                             f"{num_parts})")
        images = _read_idx(image, 2051, "image")
        labels = _read_idx(label, 2049, "label")
        if labels.shape[0] != images.shape[0]:
            raise MXNetError(f"MNISTIter: {image!r} has {images.shape[0]} images but {label!r} "
                             f"has {labels.shape[0]} labels")
        n = images.shape[0]
        lo, hi = n * part_index // num_parts, n * (part_index + 1) // num_parts
        order = np.arange(lo, hi)
        if shuffle:
            order = order[np.random.RandomState(seed).permutation(hi - lo)]
        rows, cols = images.shape[1:]
        shape = (rows * cols,) if flat else (1, rows, cols)
        self._index = order.astype(np.uint64)
        self._images = images[order].reshape((hi - lo,) + shape).astype(np.float32) / 256
        self._labels = labels[order].astype(np.float32)
        self._cursor = -self.batch_size
        b = self.batch_size
        self.provide_data = [DataDesc(data_name, (b,) + shape, np.float32)]
        self.provide_label = [DataDesc(label_name, (b,), np.float32)]
        if not silent:
            _report(f"MNISTIter: load {hi - lo} images, shuffle={int(bool(shuffle))}, "
                    f"shape=({','.join(str(d) for d in (b,) + shape)})")

    def reset(self) -> None:
        self._cursor = -self.batch_size

    def iter_next(self) -> bool:
        self._cursor += self.batch_size
        return self._cursor + self.batch_size <= self._images.shape[0]

    def _slice(self) -> slice:
        if self._cursor < 0 or self._cursor + self.batch_size > self._images.shape[0]:
            raise MXNetError("MNISTIter: no current batch; call iter_next() or next() first")
        return slice(self._cursor, self._cursor + self.batch_size)

    def getdata(self):
        """The current batch's images (one NDArray, as MXNet's native iterators return)."""
        return nd_array(self._images[self._slice()])

    def getlabel(self):
        return nd_array(self._labels[self._slice()])

    def getindex(self) -> np.ndarray:
        return self._index[self._slice()].copy()

    def getpad(self) -> int:
        return 0

    def next(self) -> DataBatch:
        if not self.iter_next():
            raise StopIteration
        return DataBatch(data=[self.getdata()], label=[self.getlabel()], pad=0,
                         index=self.getindex())
