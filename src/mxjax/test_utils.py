"""``mx.test_utils``: MXNet 1.9.1's ``download`` (with an offline cache) and test helpers.

``download(url, fname=None, dirname=None, overwrite=False, retries=5)`` keeps
MXNet's contract: the file name defaults to the last part of the URL (in the
current directory, or joined with ``dirname``, which is created); an existing
file is reused unless ``overwrite`` (logging ``%s exists, skipping
download``); the local path is returned.

mxjax adds a download cache, ``$MXJAX_HOME/downloads`` (``MXJAX_HOME``
defaults to ``~/.mxjax``), keyed by URL. It is consulted before the network
and seeded from the data shipped inside the package (``mxjax.datasets``: the
UCI letter-recognition file of MXNet's Module tutorial), so that tutorial runs
offline. A cached file is copied to the requested path. Downloads go to the
cache first and are written atomically. Without network and without a cached
copy, ``download`` raises ``DownloadError`` (an ``MXNetError`` and an
``OSError``) naming the URL.
"""

from __future__ import annotations

import gzip
import logging
import os
import shutil
import struct
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

from . import datasets
from .base import MXNetError
from .context import Context, current_context
from .io import DataIter
from .ndarray.ndarray import NDArray
from .ndarray.ndarray import array as nd_array

__all__ = [
    "DownloadError", "download", "get_cache_dir", "get_mnist", "default_context",
    "set_default_context", "default_dtype", "get_atol", "get_rtol", "same", "almost_equal",
    "assert_almost_equal", "assert_allclose", "assert_exception", "rand_shape_2d",
    "rand_shape_3d", "rand_shape_nd", "rand_ndarray", "random_arrays", "list_gpus", "DummyIter",
]


class DownloadError(MXNetError, OSError):
    """A URL could not be fetched and no cached copy exists."""


# ----------------------------------------------------------------------------- download
def get_cache_dir() -> Path:
    """The mxjax data directory: ``$MXJAX_HOME`` or ``~/.mxjax``."""
    return Path(os.environ.get("MXJAX_HOME") or "~/.mxjax").expanduser()


def _cache_path(url: str) -> Path | None:
    """Where the cache keeps ``url``; None for URLs that cannot be keyed safely."""
    try:
        key = datasets.url_key(url)
    except ValueError:
        return None
    parts = [p for p in key.split("/") if p]
    if not parts or any(p in (".", "..") for p in parts) or key.endswith("/"):
        return None
    return get_cache_dir().joinpath("downloads", *parts)


def _atomic_copy(src: Any, dest: Path) -> None:
    """Copy ``src`` (a path or an importlib resource) to ``dest`` via a temporary file."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, src.open("rb") as inp:
            shutil.copyfileobj(inp, out)
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _cached_copy(url: str) -> Path | None:
    """The cache's copy of ``url``, seeding it from the package's data when possible."""
    path = _cache_path(url)
    if path is None:
        return None
    if path.is_file():
        return path
    shipped = datasets.shipped_file(url)
    if shipped is None:
        return None
    try:
        _atomic_copy(shipped, path)
    except OSError as err:  # read-only home: serve the packaged file directly
        logging.debug("cannot seed the mxjax cache at %s: %s", path, err)
        return Path(str(shipped)) if Path(str(shipped)).is_file() else None
    return path


def _fetch(url: str, dest: Path, timeout: float = 60.0) -> None:
    """Download ``url`` to ``dest`` (atomically); raise unless the server answers 200."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        status = getattr(resp, "status", 200)
        if status != 200:
            raise OSError(f"failed to open {url} (HTTP status {status})")
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(resp, out, 1 << 16)
            os.replace(tmp, dest)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


def _fetch_with_retries(url: str, dest: Path, retries: int) -> None:
    """MXNet's retry loop: ``max(retries, 1)`` attempts, a message before each retry."""
    left = retries
    while True:
        try:
            _fetch(url, dest)
            return
        except Exception:
            left -= 1
            if left <= 0:
                raise
            print(f"download failed, retrying, {left} attempt{'s' if left > 1 else ''} left")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def download(url: str, fname: str | None = None, dirname: str | None = None,
             overwrite: bool = False, retries: int = 5) -> str:
    """Make ``url``'s content available at a local path and return that path.

    See the module docstring for the cache; MXNet's arguments and defaults
    are kept (``retries``: number of attempts, at least one).
    """
    if retries < 0:
        raise AssertionError("Number of retries should be at least 0")
    if fname is None:
        fname = url.split("/")[-1]
    if dirname is None:
        dirname = os.path.dirname(fname)
    else:
        fname = os.path.join(dirname, fname)
    if dirname != "" and not os.path.exists(dirname):
        logging.info("create directory %s", dirname)
        os.makedirs(dirname, exist_ok=True)
    if not fname or os.path.isdir(fname):
        raise MXNetError(f"download: cannot derive a file name from url {url!r}; pass fname")
    if not overwrite and os.path.exists(fname):
        logging.info("%s exists, skipping download", fname)
        return fname
    target = Path(fname)
    cached = _cached_copy(url)
    if cached is not None and not overwrite:
        if not _same_file(cached, target):
            _atomic_copy(cached, target)
        logging.info("%s: using the copy of %s in the mxjax cache (%s)", fname, url, cached)
        return fname
    cache_dest = _cache_path(url)
    dest = target if cache_dest is None else cache_dest
    try:
        _fetch_with_retries(url, dest, retries)
    except Exception as err:
        if cached is not None:
            logging.warning("could not download %s (%s); using the cached copy %s",
                            url, err, cached)
            if not _same_file(cached, target):
                _atomic_copy(cached, target)
            return fname
        raise DownloadError(
            f"cannot download {url} ({type(err).__name__}: {err}), and the mxjax cache "
            f"{get_cache_dir() / 'downloads'} has no copy of it. Connect to the network, or "
            f"put the file at {cache_dest or fname} (MXJAX_HOME sets the cache directory)"
        ) from err
    if dest != target and not _same_file(dest, target):
        _atomic_copy(dest, target)
    logging.info("downloaded %s into %s successfully", url, fname)
    return fname


def get_mnist() -> dict[str, np.ndarray]:
    """MNIST as MXNet's ``get_mnist``: ``train_data``/``test_data`` (N, 1, 28, 28) float32 in
    [0, 1] and ``train_label``/``test_label`` int8, via ``download`` (so the files may come
    from the mxjax cache; mxjax does not ship MNIST)."""

    def read_data(label_url: str, image_url: str) -> tuple[np.ndarray, np.ndarray]:
        with gzip.open(download(label_url)) as flbl:
            struct.unpack(">II", flbl.read(8))
            label = np.frombuffer(flbl.read(), dtype=np.int8)
        with gzip.open(download(image_url), "rb") as fimg:
            _, _, rows, cols = struct.unpack(">IIII", fimg.read(16))
            image = np.frombuffer(fimg.read(), dtype=np.uint8).reshape(len(label), rows, cols)
            image = image.reshape(image.shape[0], 1, 28, 28).astype(np.float32) / 255
        return label, image

    path = "http://data.mxnet.io/data/mnist/"
    train_lbl, train_img = read_data(path + "train-labels-idx1-ubyte.gz",
                                     path + "train-images-idx3-ubyte.gz")
    test_lbl, test_img = read_data(path + "t10k-labels-idx1-ubyte.gz",
                                   path + "t10k-images-idx3-ubyte.gz")
    return {"train_data": train_img, "train_label": train_lbl,
            "test_data": test_img, "test_label": test_lbl}


# ----------------------------------------------------------------------------- contexts
def default_context() -> Context:
    """The context tests run on (the current default context)."""
    return current_context()


def set_default_context(ctx: Context) -> None:
    """Make ``ctx`` the default context of this thread."""
    Context._default.value = ctx


def default_dtype() -> type:
    return np.float32


def list_gpus() -> range:
    """``range(number of GPUs JAX sees)``."""
    from .context import num_gpus

    return range(num_gpus())


# ----------------------------------------------------------------------------- comparisons
_RTOLS = {np.dtype(np.float16): 1e-2, np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-5}
_ATOLS = {np.dtype(np.float16): 1e-1, np.dtype(np.float32): 1e-3, np.dtype(np.float64): 1e-20}


def get_atol(atol: float | None = None, dtype: Any = np.float64) -> float:
    """``atol`` or MXNet's default absolute tolerance for ``dtype`` (0 for integers)."""
    return _ATOLS.get(np.dtype(dtype), 0) if atol is None else atol


def get_rtol(rtol: float | None = None, dtype: Any = np.float64) -> float:
    """``rtol`` or MXNet's default relative tolerance for ``dtype`` (0 for integers)."""
    return _RTOLS.get(np.dtype(dtype), 0) if rtol is None else rtol


def _numpy(x: Any) -> Any:
    if isinstance(x, NDArray):
        return x.asnumpy()
    return x


def _tol(x: Any, tol: Any, table: dict) -> float:
    if isinstance(tol, (int, float)):
        return tol
    dt = np.asarray(x).dtype
    tol = {} if tol is None else tol
    return tol.get(dt, table.get(dt, 0))


def same(a: Any, b: Any) -> bool:
    """Whether two arrays are exactly equal (shape and values)."""
    return np.array_equal(_numpy(a), _numpy(b))


def almost_equal(a: Any, b: Any, rtol: float | None = None, atol: float | None = None,
                 equal_nan: bool = False, use_broadcast: bool = True) -> bool:
    """``np.allclose`` with MXNet's float64 default tolerances (rtol 1e-5, atol 1e-20)."""
    a, b = _numpy(a), _numpy(b)
    if not use_broadcast and np.shape(a) != np.shape(b):
        raise AssertionError(f"a.shape = {np.shape(a)} and b.shape = {np.shape(b)} are not equal")
    return bool(np.allclose(a, b, rtol=get_rtol(rtol), atol=get_atol(atol),
                            equal_nan=equal_nan))


def assert_almost_equal(a: Any, b: Any, rtol: Any = None, atol: Any = None,
                        names: tuple[str, str] = ("a", "b"), equal_nan: bool = False,
                        use_broadcast: bool = True, mismatches: tuple[int, int] = (10, 10)) -> None:
    """Raise AssertionError unless ``|a-b| <= atol + rtol*|b|`` elementwise.

    Default tolerances depend on the dtypes, as in MXNet (the looser of the
    two): float16 1e-2/1e-1, float32 1e-4/1e-3, float64 1e-5/1e-20, integers exact.
    """
    a, b = np.asarray(_numpy(a)), np.asarray(_numpy(b))
    if not use_broadcast and a.shape != b.shape:
        raise AssertionError(f"{names[0]}.shape = {a.shape} and {names[1]}.shape = {b.shape} "
                             "are not equal")
    rtol = max(_tol(a, rtol, _RTOLS), _tol(b, rtol, _RTOLS))
    atol = max(_tol(a, atol, _ATOLS), _tol(b, atol, _ATOLS))
    if a.dtype == np.bool_ and b.dtype == np.bool_:
        np.testing.assert_equal(a, b)
        return
    if np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan):
        return
    a64, b64 = np.broadcast_arrays(a.astype(np.float64), b.astype(np.float64))
    diff = np.where(np.equal(a64, b64), 0, np.abs(a64 - b64))
    bad = ~np.isclose(a64, b64, rtol=rtol, atol=atol, equal_nan=equal_nan)
    violation = diff / (atol + rtol * np.abs(b64) + 1e-20)
    violation = np.where(np.isnan(violation), np.inf, violation)
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(violation)), violation.shape)) \
        if violation.ndim else ()
    raise AssertionError(
        f"Error {float(violation[idx]):f} exceeds tolerance rtol={rtol:e}, atol={atol:e} "
        f"(mismatch {100.0 * bad.sum() / max(bad.size, 1):f}%). Location of maximum error: "
        f"{idx}, {names[0]}={float(a64[idx]):.8f}, {names[1]}={float(b64[idx]):.8f}")


def assert_allclose(a: Any, b: Any, rtol: float = 1e-07, atol: float = 0,
                    equal_nan: bool = True) -> None:
    """``assert_almost_equal`` with numpy's ``assert_allclose`` defaults."""
    assert_almost_equal(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


def assert_exception(f: Any, exception_type: type, *args: Any, **kwargs: Any) -> None:
    """Assert that ``f(*args, **kwargs)`` raises ``exception_type``."""
    try:
        f(*args, **kwargs)
    except exception_type:
        return
    raise AssertionError(f"{getattr(f, '__name__', f)} did not raise {exception_type.__name__}")


# ----------------------------------------------------------------------------- random data
def rand_shape_2d(dim0: int = 10, dim1: int = 10, allow_zero_size: bool = False) -> tuple:
    low = 0 if allow_zero_size else 1
    return np.random.randint(low, dim0 + 1), np.random.randint(low, dim1 + 1)


def rand_shape_3d(dim0: int = 10, dim1: int = 10, dim2: int = 10,
                  allow_zero_size: bool = False) -> tuple:
    low = 0 if allow_zero_size else 1
    return (np.random.randint(low, dim0 + 1), np.random.randint(low, dim1 + 1),
            np.random.randint(low, dim2 + 1))


def rand_shape_nd(num_dim: int, dim: int = 10, allow_zero_size: bool = False) -> tuple:
    low = 0 if allow_zero_size else 1
    return tuple(np.random.randint(low, dim + 1, size=num_dim))


def random_arrays(*shapes: Any) -> Any:
    """Standard-normal float32 numpy arrays (one array, not a list, for one shape)."""
    arrays = [np.array(np.random.randn(), dtype=np.float32) if len(s) == 0
              else np.random.randn(*s).astype(np.float32) for s in shapes]
    return arrays[0] if len(arrays) == 1 else arrays


def rand_ndarray(shape: Any, stype: str = "default", density: Any = None, dtype: Any = None,
                 **kwargs: Any) -> NDArray:
    """A dense NDArray of uniform [0, 1) values (sparse storage is not supported by mxjax)."""
    if stype != "default":
        raise MXNetError(f"rand_ndarray: storage type {stype!r} is not supported by mxjax")
    return nd_array(np.random.uniform(0, 1, size=shape), dtype=dtype or default_dtype())


class DummyIter(DataIter):
    """Returns the first batch of ``real_iter`` forever (MXNet's benchmarking iterator)."""

    def __init__(self, real_iter: DataIter):
        super().__init__()
        self.real_iter = real_iter
        self.provide_data = real_iter.provide_data
        self.provide_label = real_iter.provide_label
        self.batch_size = real_iter.batch_size
        self.the_batch = next(iter(real_iter))

    def __iter__(self) -> DummyIter:
        return self

    def next(self) -> Any:
        return self.the_batch
