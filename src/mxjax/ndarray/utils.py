"""``mx.nd.save`` / ``mx.nd.load``: MXNet 1.9.1's binary NDArray file format, byte for byte.

Layout (all little-endian, no padding; see docs/file-formats.md)::

    u64 0x112  u64 reserved(0)  u64 N  N x array  u64 K  K x (u64 len, UTF-8 bytes)

Writing reproduces what MXNet 1.9.1's ``NDArray::Save`` writes in its default
(legacy shape) mode: every array is a dense **V2** record
(``u32 0xF993FAC9, i32 stype=0, i32 ndim, i64 dims[ndim], i32 dev_type=1,
i32 dev_id=0, i32 type_flag, raw C-order data``). A file mxjax saves is
therefore identical to the one MXNet saves for the same values on ``cpu(0)``.
Two documented departures, both so MXNet can read every file mxjax writes:

* the context is always written as ``cpu(0)`` (``(1, 0)``), whatever device
  the array lives on (MXNet records the device; loading ignores it anyway);
* a 0-d array is stored with shape ``(1,)``: MXNet 1.9.1 writes a 0-d array as
  a V2 record its own loader cannot read back, and ``(1,)`` is how MXNet's
  legacy API represents a scalar.

Reading accepts everything MXNet 1.9.1 reads: V2 and V3 (numpy-shape) records,
the older V1 (``0xF993FAC8``) and pre-V1 (no magic: the first u32 is ``ndim``,
then u32 dims) records, any saved context (arrays are placed on the current
default context, as MXNet places GPU-saved arrays on the CPU when it has no
GPU), ``row_sparse`` and ``csr`` records (returned as dense NDArrays: mxjax
has dense storage only), a non-zero reserved word and trailing bytes after the
names. V3 records load whether or not np-shape mode is on (mxjax has no such
mode). Dtypes are kept exactly and values bit for bit (NaN payloads included).

Every malformed input raises :class:`MXNetError` naming the file and the
problem, and nothing is allocated before the bytes it needs are known to be in
the file: sizes are computed with Python integers and checked against what
remains, so a corrupt header can never cause a giant allocation, a crash or a
partial result. Sparse records, which become dense, are also capped at
:data:`MAX_DENSE_BYTES_FROM_SPARSE` bytes of dense data.
"""

from __future__ import annotations

import math
import os
import struct
import sys
from typing import Any

import jax
import numpy as np

from .._fileio import write_atomic
from ..base import DTYPE_TO_FLAG, FLAG_TO_DTYPE, MXNetError
from ..context import current_context
from .ndarray import NDArray

__all__ = [
    "save",
    "load",
    "load_frombuffer",
    "save_tobuffer",
    "to_bytes",
    "from_bytes",
    "MAX_DENSE_BYTES_FROM_SPARSE",
]

LIST_MAGIC = 0x112
V1_MAGIC = 0xF993FAC8
V2_MAGIC = 0xF993FAC9
V3_MAGIC = 0xF993FACA
_STYPE_NAMES = {0: "default", 1: "row_sparse", 2: "csr"}
_NUM_AUX = {0: 0, 1: 1, 2: 2}
#: More dimensions than numpy supports is certainly a corrupt header.
MAX_NDIM = 64
#: Largest dense size (bytes) a row_sparse/csr record may expand to on load.
MAX_DENSE_BYTES_FROM_SPARSE = 1 << 32

_LE_HOST = sys.byteorder == "little"


# ------------------------------------------------------------------ reading
class _Reader:
    """A bounds-checked cursor over the bytes of one file or buffer."""

    def __init__(self, buf: bytes, source: str):
        self.buf = buf
        self.view = memoryview(buf)
        self.pos = 0
        self.source = source

    def error(self, what: str) -> MXNetError:
        return MXNetError(f"Invalid NDArray file format in {self.source}: {what}")

    @property
    def remaining(self) -> int:
        return len(self.buf) - self.pos

    def take(self, n: int, what: str) -> memoryview:
        if n > self.remaining:
            raise self.error(
                f"truncated {what}: needs {n} bytes at offset {self.pos}, "
                f"but only {self.remaining} remain"
            )
        out = self.view[self.pos:self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str, what: str) -> tuple:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt), what))

    def u32(self, what: str) -> int:
        return self.unpack("<I", what)[0]

    def i32(self, what: str) -> int:
        return self.unpack("<i", what)[0]

    def u64(self, what: str) -> int:
        return self.unpack("<Q", what)[0]


def _read_tshape(r: _Reader, what: str, v3: bool) -> tuple[int, ...] | None:
    """``Tuple::Load``: i32 ndim, then ndim i64 dims. ``None`` = unknown shape (V3 only)."""
    ndim = r.i32(f"{what} ndim")
    if v3 and ndim == -1:
        return None
    if ndim < 0:
        raise r.error(f"{what} has negative ndim {ndim}")
    if ndim > MAX_NDIM:
        raise r.error(f"{what} has ndim {ndim}, more than the {MAX_NDIM} any array can have")
    dims = r.unpack(f"<{ndim}q", f"{what} dims")
    if v3 and -1 in dims:
        return None
    for d in dims:
        if d < 0:
            raise r.error(f"{what} {dims} has a negative dimension")
    return tuple(dims)


def _dtype_of(r: _Reader, flag: int, what: str) -> np.dtype:
    dtype = FLAG_TO_DTYPE.get(flag)
    if dtype is None:
        raise r.error(f"{what} has unknown dtype flag {flag} (known: {sorted(FLAG_TO_DTYPE)})")
    return dtype


def _read_data(r: _Reader, shape: tuple[int, ...], dtype: np.dtype, what: str) -> np.ndarray:
    """Read ``prod(shape)`` little-endian elements; size checked before anything is made."""
    count = math.prod(shape)
    raw = r.take(count * dtype.itemsize, f"{what} data ({count} x {dtype.name})")
    size = dtype.itemsize
    try:
        if dtype == np.bool_:
            arr = np.frombuffer(raw, dtype=np.uint8, count=count) != 0
        elif size == 1:
            arr = np.frombuffer(raw, dtype=dtype, count=count)
        else:
            # via unsigned ints, so the byte order fix never touches float bit patterns
            arr = np.frombuffer(raw, dtype=f"<u{size}", count=count)
            if not _LE_HOST:  # pragma: no cover - big-endian hosts
                arr = arr.astype(f"=u{size}")
            arr = arr.view(dtype)
        return arr.reshape(shape)
    except (ValueError, OverflowError, MemoryError) as err:
        raise r.error(f"{what} with shape {shape} cannot be represented: {err}") from err


def _check_dense_limit(r: _Reader, shape: tuple[int, ...], dtype: np.dtype, what: str) -> None:
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > MAX_DENSE_BYTES_FROM_SPARSE:
        raise r.error(
            f"{what} would take {nbytes} bytes as a dense array; mxjax loads sparse arrays as "
            f"dense and refuses more than MAX_DENSE_BYTES_FROM_SPARSE="
            f"{MAX_DENSE_BYTES_FROM_SPARSE} (raise mxjax.ndarray.utils."
            "MAX_DENSE_BYTES_FROM_SPARSE to allow it)"
        )


def _integer_dtype(r: _Reader, flag: int, what: str) -> np.dtype:
    dtype = _dtype_of(r, flag, what)
    if dtype.kind not in "iu":
        raise r.error(f"{what} must have an integer dtype, got {dtype.name}")
    return dtype


def _densify_row_sparse(r, what, shape, sshape, dtype, values, aux):
    (indices,) = aux
    if len(sshape) != len(shape) or tuple(sshape[1:]) != tuple(shape[1:]):
        raise r.error(f"{what}: row_sparse storage shape {sshape} does not fit shape {shape}")
    if indices.shape != (sshape[0],):
        raise r.error(f"{what}: row_sparse has {indices.shape} indices for {sshape[0]} rows")
    idx = indices.astype(np.int64)
    if idx.size and (idx.min() < 0 or idx.max() >= shape[0]):
        raise r.error(f"{what}: row_sparse row index out of range [0, {shape[0]})")
    dense = np.zeros(shape, dtype=dtype)
    dense[idx] = values
    return dense


def _densify_csr(r, what, shape, sshape, dtype, values, aux):
    indptr, indices = aux
    if len(shape) != 2 or len(sshape) != 1:
        raise r.error(f"{what}: csr needs a 2-D shape and 1-D storage, got {shape}, {sshape}")
    rows, cols = shape
    nnz = sshape[0]
    if indptr.shape != (rows + 1,) or indices.shape != (nnz,):
        raise r.error(f"{what}: csr indptr {indptr.shape} / indices {indices.shape} do not "
                      f"fit shape {shape} with {nnz} stored values")
    ptr = indptr.astype(np.int64)
    col = indices.astype(np.int64)
    if ptr[0] != 0 or ptr[-1] != nnz or np.any(np.diff(ptr) < 0):
        raise r.error(f"{what}: csr indptr is not a non-decreasing 0..{nnz} sequence")
    if col.size and (col.min() < 0 or col.max() >= cols):
        raise r.error(f"{what}: csr column index out of range [0, {cols})")
    dense = np.zeros(shape, dtype=dtype)
    dense[np.repeat(np.arange(rows), np.diff(ptr)), col] = values
    return dense


def _read_modern(r: _Reader, what: str, v3: bool) -> np.ndarray:
    """A V2 (legacy shape) or V3 (numpy shape) record."""
    stype = r.i32(f"{what} storage type")
    if stype not in _STYPE_NAMES:
        raise r.error(f"{what} has unknown storage type {stype} (0 dense, 1 row_sparse, 2 csr)")
    if v3 and stype != 0:
        raise r.error(f"{what} is a V3 (numpy-shape) record with sparse storage, which MXNet "
                      "never writes")
    nad = _NUM_AUX[stype]
    sshape = _read_tshape(r, f"{what} storage shape", v3) if nad else None
    shape = _read_tshape(r, f"{what} shape", v3)
    if shape is None or (not v3 and len(shape) == 0):
        raise r.error(f"{what} is an empty 'none' NDArray (no shape); MXNet's Python API "
                      "cannot load it either")
    r.unpack("<ii", f"{what} context")  # dev_type, dev_id: arrays go to the current context
    dtype = _dtype_of(r, r.i32(f"{what} dtype flag"), what)
    if not nad:
        return _read_data(r, shape, dtype, what)
    kind = _STYPE_NAMES[stype]
    aux_meta = []
    for i in range(nad):
        aux_dtype = _integer_dtype(r, r.i32(f"{what} aux {i} dtype flag"), f"{what} aux {i}")
        aux_meta.append((aux_dtype, _read_tshape(r, f"{what} aux {i} shape", False)))
    _check_dense_limit(r, shape, dtype, f"{what} ({kind})")
    values = _read_data(r, sshape, dtype, f"{what} {kind} values")
    aux = [_read_data(r, s, d, f"{what} aux {i}") for i, (d, s) in enumerate(aux_meta)]
    densify = _densify_row_sparse if stype == 1 else _densify_csr
    return densify(r, what, shape, sshape, dtype, values, aux)


def _read_legacy(r: _Reader, what: str, magic: int) -> np.ndarray:
    """A V1 record (i64 dims) or a pre-V1 one (``magic`` is ndim, u32 dims), as 1.9.1 reads them.

    MXNet 1.9.1 treats ndim 0 here as a scalar: context, dtype and one element follow.
    """
    if magic == V1_MAGIC:
        shape = _read_tshape(r, f"{what} shape", False)
    else:
        if magic > MAX_NDIM:
            raise r.error(f"{what} starts with 0x{magic:08x}, which is neither an NDArray "
                          "magic (V1 0xf993fac8, V2 0xf993fac9, V3 0xf993faca) nor a plausible "
                          "pre-V1 ndim")
        shape = r.unpack(f"<{magic}I", f"{what} shape")
    r.unpack("<ii", f"{what} context")
    dtype = _dtype_of(r, r.i32(f"{what} dtype flag"), what)
    return _read_data(r, tuple(shape), dtype, what)


def _read_array(r: _Reader, index: int) -> np.ndarray:
    what = f"array #{index} (offset {r.pos})"
    magic = r.u32(f"{what} magic")
    if magic in (V2_MAGIC, V3_MAGIC):
        return _read_modern(r, what, magic == V3_MAGIC)
    return _read_legacy(r, what, magic)


def _parse(buf: bytes, source: str) -> tuple[list[np.ndarray], list[str]]:
    r = _Reader(buf, source)
    magic = r.u64("file header")
    if magic != LIST_MAGIC:
        raise r.error(f"bad magic 0x{magic:x} (an MXNet NDArray file starts with 0x112); "
                      "is this an MXNet .params / nd.save file?")
    r.u64("reserved header word")  # written as 0, never checked by MXNet
    count = r.u64("array count")
    if count * 4 > r.remaining:
        raise r.error(f"header claims {count} arrays but only {r.remaining} bytes remain")
    arrays = [_read_array(r, i) for i in range(count)]
    n_names = r.u64("name count")
    if n_names not in (0, count):
        raise r.error(f"{n_names} names for {count} arrays (must be 0 or {count})")
    if n_names * 8 > r.remaining:
        raise r.error(f"{n_names} names claimed but only {r.remaining} bytes remain")
    names = []
    for i in range(n_names):
        length = r.u64(f"name #{i} length")
        raw = r.take(length, f"name #{i}")
        try:
            names.append(bytes(raw).decode("utf-8"))
        except UnicodeDecodeError as err:
            raise r.error(f"name #{i} {bytes(raw[:40])!r} is not valid UTF-8") from err
    return arrays, names  # trailing bytes are ignored, as MXNet does


def from_bytes(buf: bytes | bytearray | memoryview,
               source: str = "buffer") -> list[np.ndarray] | dict[str, np.ndarray]:
    """Parse MXNet NDArray-file bytes into numpy arrays (a dict when names are stored).

    ``source`` names the data in error messages. The arrays may be read-only
    views of ``buf``.
    """
    if not isinstance(buf, (bytes, bytearray, memoryview)):
        raise TypeError(f"buf must be bytes, got {type(buf).__name__}")
    arrays, names = _parse(bytes(buf), source)
    if names:
        return dict(zip(names, arrays, strict=True))
    return arrays


def from_raw_bytes(buf: bytes | bytearray | memoryview, source: str = "buffer") -> np.ndarray:
    """Parse one array as MXNet's ``MXNDArraySaveRawBytes`` writes it (what an MXNet
    NDArray pickles as its ``handle``): a single array record of the NDArray file."""
    if not isinstance(buf, (bytes, bytearray, memoryview)):
        raise TypeError(f"buf must be bytes, got {type(buf).__name__}")
    return _read_array(_Reader(bytes(buf), source), 0)


def _to_ndarrays(parsed: list[np.ndarray] | dict[str, np.ndarray], source: str):
    """Place every parsed array on the current context (all or nothing)."""
    ctx = current_context()
    device = ctx.jax_device

    def place(arr: np.ndarray) -> NDArray:
        try:
            return NDArray(jax.device_put(arr, device), ctx)
        except (RuntimeError, ValueError, TypeError, MemoryError) as err:
            raise MXNetError(f"cannot place an array of shape {arr.shape} and dtype "
                             f"{arr.dtype} from {source} on {ctx}: {err}") from err

    with jax.enable_x64(True):  # keeps float64/int64 arrays 64-bit
        if isinstance(parsed, dict):
            return {k: place(v) for k, v in parsed.items()}
        return [place(v) for v in parsed]


def _check_fname(fname: Any) -> str:
    if not isinstance(fname, (str, os.PathLike)):
        raise TypeError("fname required to be a string")
    fname = os.fsdecode(os.fspath(fname))
    if "://" in fname:
        raise MXNetError(f"{fname!r}: remote file systems (s3://, hdfs://, ...) are not "
                         "supported by mxjax; copy the file to a local path")
    return fname


def load(fname: str | os.PathLike) -> list[NDArray] | dict[str, NDArray]:
    """``mx.nd.load``: a list of NDArrays, or a dict when the file stores names.

    A saved ``{}`` loads as ``[]`` (as in MXNet). Arrays are placed on the
    current default context; sparse arrays come back dense.
    """
    fname = _check_fname(fname)
    try:
        with open(fname, "rb") as f:
            buf = f.read()
    except OSError as err:
        raise MXNetError(f"cannot read NDArray file {fname!r}: {err.strerror or err}") from err
    return _to_ndarrays(from_bytes(buf, repr(fname)), repr(fname))


def load_frombuffer(buf: bytes | bytearray | memoryview) -> list[NDArray] | dict[str, NDArray]:
    """``mx.nd.load_frombuffer``: ``load`` from the bytes of a file."""
    if not isinstance(buf, (bytes, bytearray, memoryview)):
        raise TypeError("buf required to be bytes (the content of an NDArray file)")
    return _to_ndarrays(from_bytes(buf, "buffer"), "buffer")


# ------------------------------------------------------------------ writing
def _array_record(arr: np.ndarray, what: str) -> list[bytes]:
    arr = np.asarray(arr)
    if arr.dtype.byteorder == (">" if _LE_HOST else "<"):
        arr = arr.astype(arr.dtype.newbyteorder("="))
    flag = DTYPE_TO_FLAG.get(arr.dtype)
    if flag is None:
        raise MXNetError(f"{what}: dtype {arr.dtype} has no MXNet type flag (supported: "
                         f"{', '.join(sorted(str(d) for d in DTYPE_TO_FLAG))})")
    if arr.ndim == 0:
        arr = arr.reshape(1)  # MXNet 1.9.1 cannot read back the 0-d V2 record it writes
    arr = np.ascontiguousarray(arr)
    head = struct.pack(f"<Iii{arr.ndim}qiii", V2_MAGIC, 0, arr.ndim, *arr.shape, 1, 0, flag)
    size = arr.dtype.itemsize
    if size > 1 and not _LE_HOST:  # pragma: no cover - big-endian hosts
        arr = arr.view(f"=u{size}").astype(f"<u{size}")
    return [head, arr.tobytes()]


def _normalize(data: Any, check: type) -> tuple[list[Any], list[str]]:
    """MXNet's ``nd.save`` argument rules: an array, a list, or a dict of str -> array."""
    if isinstance(data, check):
        return [data], []
    if isinstance(data, dict):
        if any(not isinstance(k, str) for k in data) or \
                any(not isinstance(v, check) for v in data.values()):
            raise TypeError("save only accept dict str->NDArray or list of NDArray")
        return list(data.values()), list(data.keys())
    if isinstance(data, list):
        if any(not isinstance(v, check) for v in data):
            raise TypeError("save only accept dict str->NDArray or list of NDArray")
        return list(data), []
    raise ValueError("data needs to either be a NDArray, dict of str, NDArray pairs "
                     "or a list of NDarrays.")


def _file_bytes(arrays: list[np.ndarray], names: list[str]) -> bytes:
    chunks = [struct.pack("<QQQ", LIST_MAGIC, 0, len(arrays))]
    for i, arr in enumerate(arrays):
        what = f"array {names[i]!r}" if names else f"array #{i}"
        chunks.extend(_array_record(arr, what))
    chunks.append(struct.pack("<Q", len(names)))
    for name in names:
        raw = name.encode("utf-8")
        chunks.append(struct.pack("<Q", len(raw)))
        chunks.append(raw)
    return b"".join(chunks)


def to_bytes(data: np.ndarray | list[np.ndarray] | dict[str, np.ndarray]) -> bytes:
    """The bytes MXNet 1.9.1 writes for ``nd.save`` of these (numpy) arrays."""
    arrays, names = _normalize(data, np.ndarray)
    return _file_bytes(arrays, names)


def save_tobuffer(data: NDArray | list[NDArray] | dict[str, NDArray]) -> bytes:
    """The bytes ``mx.nd.save(fname, data)`` would write (for in-memory storage)."""
    arrays, names = _normalize(data, NDArray)
    return _file_bytes([a.asnumpy() for a in arrays], names)


def save(fname: str | os.PathLike, data: NDArray | list[NDArray] | dict[str, NDArray]) -> None:
    """``mx.nd.save``: write an NDArray, a list, or a dict of str -> NDArray.

    The file holds exactly MXNet 1.9.1's bytes (see the module docstring) and
    is written atomically: a failed save leaves any previous file intact.
    """
    fname = _check_fname(fname)
    write_atomic(fname, save_tobuffer(data))
