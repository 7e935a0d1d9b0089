"""``CSVIter``: batches from CSV files, reproducing MXNet 1.9.1's native ``CSVIter``.

MXNet behaviours reproduced (``src/io/iter_csv.cc`` + ``iter_batchloader.h``):

* Keyword arguments only. ``data_csv`` rows are reshaped to ``data_shape``
  (a row whose length is not ``prod(data_shape)`` is an error); without
  ``label_csv`` every label is 0. Blank lines are skipped. ``dtype`` is
  ``'float32'`` (default), ``'int32'`` or ``'int64'``; integer parsing keeps
  each field's leading integer (``8.5`` -> 8), as MXNet's parser does.
* Batch shapes: data ``(batch_size,) + data_shape``; label
  ``(batch_size,) + label_shape``, except that a ``label_shape`` starting with
  1 (the default ``(1,)``) gives labels of shape ``(batch_size,)``: MXNet then
  reads the first ``batch_size`` values of the batch's label buffer.
* ``round_batch=True`` (default): the last batch is completed with rows from
  the start of the file and ``pad`` counts them; after ``reset()`` the next
  epoch resumes *after* those rows. ``round_batch=False``: the last batch is
  short by ``pad = batch_size - rows`` and its remaining slots keep the
  previous batch's values (zeros for the first batch), as MXNet's reused
  buffer does. A file with fewer rows than needed to fill a round batch is an
  error (MXNet: "number of input must be bigger than batch size").
* ``DataBatch.index`` holds the row numbers (uint64); ``provide_data`` and
  ``provide_label`` are named ``data_name`` (``'data'``) and ``label_name``
  (``'softmax_label'``).

mxjax extension: ``num_parts``/``part_index`` give worker ``part_index`` the
rows ``[part_index*n//num_parts, (part_index+1)*n//num_parts)`` of both files
(MXNet 1.9.1 accepts and ignores these two arguments for CSVIter), so
distributed workers each read their own part.

Deterministic where MXNet is not: MXNet's background prefetcher may run ahead
of the batches handed out, so whether ``reset()`` rewinds depends on timing;
mxjax decides from the batches actually returned.
"""

from __future__ import annotations

import ast
import logging
import os
import re
from typing import Any

import numpy as np

from ..base import MXNetError
from ..ndarray.ndarray import array as nd_array
from .io import DataBatch, DataDesc, DataIter

__all__ = ["CSVIter"]

_DTYPES = {"float32": np.float32, "int32": np.int32, "int64": np.int64}
# Arguments MXNet's native iterators accept and that have no effect in mxjax.
_IGNORED = {"prefetch_buffer", "ctx", "preprocess_threads", "silent", "label_width",
            "input_shape", "test_skipread"}
_LEADING_INT = re.compile(r"\s*([+-]?\d+)")


def _shape_arg(value: Any, what: str) -> tuple[int, ...]:
    if isinstance(value, str):
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError) as err:
            raise MXNetError(f"CSVIter: cannot parse {what}={value!r} as a shape") from err
    if isinstance(value, (int, np.integer)):
        value = (value,)
    try:
        shape = tuple(int(v) for v in value)
    except TypeError as err:
        raise MXNetError(f"CSVIter: {what} must be a shape tuple, got {value!r}") from err
    if not shape or any(s <= 0 for s in shape):
        raise MXNetError(f"CSVIter: {what} must be a non-empty shape of positive sizes, "
                         f"got {shape}")
    return shape


def _read_csv(path: str, dtype: np.dtype, width: int, what: str) -> np.ndarray:
    """All rows of ``path`` as a (rows, width) array of ``dtype``."""
    if not os.path.isfile(path):
        raise MXNetError(f"CSVIter: file {path!r} does not exist")
    if not np.issubdtype(dtype, np.integer):
        try:  # fast path: numpy's C parser
            arr = np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=2, comments=None)
        except ValueError:
            pass  # let the line-by-line reader below name the offending line
        else:
            if arr.size == 0:
                return np.zeros((0, width), dtype)
            if arr.shape[1] == width:
                return arr.astype(dtype)
    rows: list[list[str]] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(line.rstrip(",").split(","))
    for i, fields in enumerate(rows):
        if len(fields) != width:
            raise MXNetError(
                f"CSVIter: {path} line {i + 1}: the data size in CSV does not match the size "
                f"of {what}: expected {width} values per row, the csv row-length={len(fields)}")
    if not rows:
        return np.zeros((0, width), dtype)
    try:
        if np.issubdtype(dtype, np.integer):
            return np.array([[_parse_int(v) for v in r] for r in rows], dtype=dtype)
        return np.array(rows, dtype=np.float64).astype(dtype)
    except ValueError as err:
        raise MXNetError(f"CSVIter: {path}: {err}") from err


def _parse_int(field: str) -> int:
    m = _LEADING_INT.match(field)
    if m is None:
        raise ValueError(f"cannot parse {field!r} as an integer")
    return int(m.group(1))


class CSVIter(DataIter):
    """Iterate over a data CSV (and optional label CSV) in batches (``mx.io.CSVIter``)."""

    def __init__(self, *, data_csv: str | None = None, data_shape: Any = None,
                 label_csv: str = "NULL", label_shape: Any = (1,), batch_size: int | None = None,
                 round_batch: bool = True, dtype: str = "float32", data_name: str = "data",
                 label_name: str = "softmax_label", num_parts: int = 1, part_index: int = 0,
                 **kwargs: Any):
        for name, val in (("data_csv", data_csv), ("data_shape", data_shape),
                          ("batch_size", batch_size)):
            if val is None:
                raise MXNetError(f"CSVIter: required parameter {name} is not given")
        unknown = sorted(set(kwargs) - _IGNORED)
        if unknown:
            logging.warning("CSVIter: ignoring unknown arguments %s", unknown)
        batch_size = int(batch_size)
        if batch_size <= 0:
            raise MXNetError(f"CSVIter: batch_size must be positive, got {batch_size}")
        super().__init__(batch_size)
        dt = str(np.dtype(dtype)) if not isinstance(dtype, str) else dtype
        if dt not in _DTYPES:
            raise MXNetError(f"CSVIter: {dt} is not supported for CSVIter "
                             f"(use one of {sorted(_DTYPES)})")
        self.dtype = np.dtype(_DTYPES[dt])
        self.data_shape = _shape_arg(data_shape, "data_shape")
        self.label_shape = _shape_arg(label_shape, "label_shape")
        self.round_batch = bool(round_batch) if not isinstance(round_batch, str) \
            else round_batch.lower() in ("1", "true")
        num_parts, part_index = int(num_parts), int(part_index)
        if num_parts < 1 or not 0 <= part_index < num_parts:
            raise MXNetError(f"CSVIter: part_index={part_index} must be in [0, num_parts="
                             f"{num_parts})")
        data = _read_csv(data_csv, self.dtype, int(np.prod(self.data_shape)), "data_shape")
        n = data.shape[0]
        if label_csv != "NULL":
            label = _read_csv(label_csv, self.dtype, int(np.prod(self.label_shape)),
                              "label_shape")
            if label.shape[0] < n:
                raise MXNetError(f"CSVIter: label_csv {label_csv!r} has {label.shape[0]} rows, "
                                 f"fewer than the {n} rows of data_csv {data_csv!r}")
            label = label[:n]
            lshape = self.label_shape
        else:
            label = np.zeros((n, 1), self.dtype)
            lshape = (1,)
        lo, hi = part_index * n // num_parts, (part_index + 1) * n // num_parts
        self._data = data[lo:hi].reshape((hi - lo,) + self.data_shape)
        self._label = label[lo:hi].reshape((hi - lo,) + lshape)
        self._squeeze_label = label_csv == "NULL" or self.label_shape[0] == 1
        b = batch_size
        # the loader's reused buffers (MXNet's BatchLoader keeps stale rows in them)
        self._buf_data = np.zeros((b,) + self.data_shape, self.dtype)
        self._buf_label = np.zeros((b,) + lshape, self.dtype)
        self._buf_index = np.zeros((b,), np.uint64)
        self._pos = 0  # next row of the underlying row iterator
        self._overflow = 0  # rows taken from the start to complete a round batch
        self._pad = 0
        self._batch: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        label_batch = (b,) if self._squeeze_label else (b,) + self.label_shape
        self.provide_data = [DataDesc(data_name, (b,) + self.data_shape, self.dtype.type)]
        self.provide_label = [DataDesc(label_name, label_batch, self.dtype.type)]

    @property
    def num_data(self) -> int:
        """Rows of this part."""
        return int(self._data.shape[0])

    def reset(self) -> None:
        """Rewind, unless the last batch wrapped around (then resume after the wrapped rows)."""
        if not self.round_batch or self._overflow == 0:
            self._pos = 0
        else:
            self._overflow = 0
        self._batch = None

    def _put(self, slot: int, row: int) -> None:
        self._buf_data[slot] = self._data[row]
        self._buf_label[slot] = self._label[row]
        self._buf_index[slot] = row

    def iter_next(self) -> bool:
        self._pad = 0
        self._batch = None
        if self._overflow != 0:
            return False
        n, b, top = self.num_data, self.batch_size, 0
        while self._pos < n and top < b:
            self._put(top, self._pos)
            self._pos += 1
            top += 1
        if top == 0:
            return False
        if top < b:
            if self.round_batch:
                self._pos = 0
                while top < b:
                    if self._pos >= n:
                        raise MXNetError(
                            f"CSVIter: number of input must be bigger than batch size "
                            f"({n} rows, batch_size {b}); use round_batch=False")
                    self._put(top, self._pos)
                    self._pos += 1
                    top += 1
                    self._overflow += 1
                self._pad = self._overflow
            else:
                self._pad = b - top
        label = self._buf_label.reshape(-1)[:b] if self._squeeze_label else self._buf_label
        self._batch = (self._buf_data.copy(), label.copy(), self._buf_index.copy())
        return True

    def _current(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._batch is None:
            raise MXNetError("CSVIter: no current batch; call iter_next() or next() first")
        return self._batch

    def getdata(self):
        return nd_array(self._current()[0], dtype=self.dtype)

    def getlabel(self):
        return nd_array(self._current()[1], dtype=self.dtype)

    def getindex(self) -> np.ndarray:
        return self._current()[2].copy()

    def getpad(self) -> int:
        return self._pad

    def next(self) -> DataBatch:
        if not self.iter_next():
            raise StopIteration
        return DataBatch(data=[self.getdata()], label=[self.getlabel()], pad=self.getpad(),
                         index=self.getindex())
