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
``OSError``) naming the URL. ``get_mnist_ubyte``/``get_cifar10``/``get_mnist_iterator``
fetch through ``download`` too (mxjax ships neither MNIST nor CIFAR-10).

The rest reproduces MXNet 1.9.1's test helpers: tolerances and
``assert_almost_equal`` (same message format), random data, and the
symbolic checks ``check_numeric_gradient`` (finite differences),
``check_symbolic_forward``/``check_symbolic_backward`` and
``check_consistency``. Sparse storage types do not exist in mxjax: asking
for one is an ``MXNetError``.
"""

from __future__ import annotations

import bz2
import functools
import gzip
import logging
import numbers
import os
import shutil
import struct
import tempfile
import traceback
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.testing as npt

from . import datasets
from .base import MXNetError
from .context import Context, current_context
from .io import DataIter
from .ndarray.ndarray import NDArray
from .ndarray.ndarray import array as nd_array
from .ndarray.ndarray import zeros as nd_zeros

__all__ = [
    "DownloadError", "download", "get_cache_dir", "get_mnist", "get_mnist_ubyte", "get_cifar10",
    "get_mnist_iterator", "get_mnist_pkl", "get_zip_data", "get_bz2_data", "default_context",
    "set_default_context", "default_dtype",
    "default_rtols", "default_atols", "default_numeric_eps", "get_atol", "get_rtol", "get_etol",
    "get_tolerance", "get_tols", "same", "same_array", "almost_equal", "assert_almost_equal",
    "assert_allclose", "assert_almost_equal_ignore_nan", "assert_exception", "retry",
    "np_reduce", "rand_shape_2d", "rand_shape_3d", "rand_shape_nd", "rand_coord_2d",
    "rand_ndarray", "random_arrays", "random_uniform_arrays", "random_sample", "list_gpus",
    "simple_forward", "numeric_grad", "check_numeric_gradient", "check_symbolic_forward",
    "check_symbolic_backward", "check_consistency", "DummyIter",
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
_NUMERIC_EPS = {np.dtype(np.float16): 1.0 / 2 ** 6, np.dtype(np.float32): 1.0 / 2 ** 9,
                np.dtype(np.float64): 1.0 / 2 ** 14}
_INT_DTYPES = (np.bool_, np.int8, np.uint8, np.int32, np.uint32, np.int64, np.uint64)


def default_rtols() -> dict:
    """MXNet's default relative tolerance per dtype (integers and bool: 0)."""
    return {**_RTOLS, **{np.dtype(t): 0 for t in _INT_DTYPES}}


def default_atols() -> dict:
    """MXNet's default absolute tolerance per dtype (integers and bool: 0)."""
    return {**_ATOLS, **{np.dtype(t): 0 for t in _INT_DTYPES}}


def default_numeric_eps() -> dict:
    """MXNet's finite-difference step per dtype (powers of two: 2^-6, 2^-9, 2^-14)."""
    return dict(_NUMERIC_EPS)


def get_atol(atol: float | None = None, dtype: Any = np.float64) -> float:
    """``atol`` or MXNet's default absolute tolerance for ``dtype`` (0 for integers)."""
    return _ATOLS.get(np.dtype(dtype), 0) if atol is None else atol


def get_rtol(rtol: float | None = None, dtype: Any = np.float64) -> float:
    """``rtol`` or MXNet's default relative tolerance for ``dtype`` (0 for integers)."""
    return _RTOLS.get(np.dtype(dtype), 0) if rtol is None else rtol


def get_etol(etol: float | None = None) -> float:
    """``etol`` or 0 (MXNet's default error-rate tolerance)."""
    return 0 if etol is None else etol


def _numpy(x: Any) -> Any:
    if isinstance(x, NDArray):
        return x.asnumpy()
    return x


def get_tolerance(dat: Any, tol: Any, default_tol: dict) -> float:
    """MXNet's ``get_tolerance``: a number is used as is; else ``tol`` (a dtype -> float dict,
    or None) or ``default_tol`` looked up by ``dat``'s dtype (mxjax has no TF32 GPUs, so the
    effective dtype is the dtype)."""
    if isinstance(tol, numbers.Number):
        return tol
    dt = getattr(dat, "dtype", None)
    dt = np.dtype(np.asarray(dat).dtype if dt is None else dt)
    tol = {} if tol is None else tol
    return tol.get(dt, default_tol.get(dt, 0))


def get_tols(x: Any, y: Any, rtol: Any, atol: Any) -> tuple[float, float]:
    """MXNet's ``get_tols``: the looser of the two arrays' tolerances (rtol, atol)."""
    x = np.array(x) if isinstance(x, numbers.Number) else x
    y = np.array(y) if isinstance(y, numbers.Number) else y
    rtols, atols = default_rtols(), default_atols()
    return (max(get_tolerance(x, rtol, rtols), get_tolerance(y, rtol, rtols)),
            max(get_tolerance(x, atol, atols), get_tolerance(y, atol, atols)))


def same(a: Any, b: Any) -> bool:
    """Whether two arrays are exactly equal (shape and values)."""
    return np.array_equal(_numpy(a), _numpy(b))


def _shape_error(a: Any, b: Any, names: tuple[str, str] = ("a", "b")) -> AssertionError:
    msg = f"{names[0]}.shape = {np.shape(a)} and {names[1]}.shape = {np.shape(b)} are not equal"
    return AssertionError(npt.build_err_msg([a, b], err_msg=msg))


def almost_equal(a: Any, b: Any, rtol: float | None = None, atol: float | None = None,
                 equal_nan: bool = False, use_broadcast: bool = True) -> bool:
    """``np.allclose`` with MXNet's float64 default tolerances (rtol 1e-5, atol 1e-20)."""
    a, b = _numpy(a), _numpy(b)
    if not use_broadcast and np.shape(a) != np.shape(b):
        raise _shape_error(a, b)
    return bool(np.allclose(a, b, rtol=get_rtol(rtol), atol=get_atol(atol),
                            equal_nan=equal_nan))


def _violations(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """``|a-b| / (atol + rtol*|b|)`` (infinities that are equal count as no error)."""
    with np.errstate(invalid="ignore", over="ignore"):
        absdiff = np.where(np.equal(a, b), 0, np.abs(a - b))
        return absdiff / (atol + rtol * np.abs(b) + 1e-20)


def _location(a: np.ndarray, b: np.ndarray, idx: tuple, names: tuple[str, str],
              maximum: bool = False) -> str:
    return (f"Location of {'maximum ' if maximum else ''}error: {idx}, "
            f"{names[0]}={float(a[idx]):.8f}, {names[1]}={float(b[idx]):.8f}")


def assert_almost_equal(a: Any, b: Any, rtol: Any = None, atol: Any = None,
                        names: tuple[str, str] = ("a", "b"), equal_nan: bool = False,
                        use_broadcast: bool = True, mismatches: tuple[int, int] = (10, 10)) -> None:
    """MXNet's ``assert_almost_equal``: AssertionError unless ``|a-b| <= atol + rtol*|b|``.

    Default tolerances depend on the dtypes (the looser of the two): float16
    1e-2/1e-1, float32 1e-4/1e-3, float64 1e-5/1e-20, integers exact; a dict
    maps dtypes to tolerances. On failure, as MXNet, the largest violations
    are printed to stdout (``mismatches[0]`` of them; ``mismatches[1]`` caps the
    count) and the message is numpy's ``build_err_msg`` around ``Error %f
    exceeds tolerance rtol=%e, atol=%e (mismatch %f%%).`` and ``Location of
    maximum error: (i, j), a=%.8f, b=%.8f``.
    """
    a, b = _numpy(a), _numpy(b)
    if not use_broadcast and np.shape(a) != np.shape(b):
        raise _shape_error(a, b)
    rtol, atol = get_tols(a, b, rtol, atol)
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype == np.bool_ and b.dtype == np.bool_:
        np.testing.assert_equal(a, b)
        return
    if almost_equal(a, b, rtol, atol, equal_nan=equal_nan):
        return
    if a.ndim == 0 and b.ndim == 0:  # numpy 1.x (MXNet's) computes scalars in float64
        a, b = a.astype(np.float64), b.astype(np.float64)
    af, bf = np.broadcast_arrays(a, b)
    viol = _violations(af, bf, rtol, atol)
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(viol)), viol.shape))
    err = float(np.max(viol))
    if idx != ():
        bad = ~np.isclose(af, bf, rtol=rtol, atol=atol, equal_nan=equal_nan)
        flat = viol.ravel()
        order = [i for i in np.argsort(-np.nan_to_num(flat, nan=np.inf), kind="stable")
                 if bad.ravel()[i]]
        limit = mismatches[1]
        count = min(len(order), limit + 1) if limit > 0 else len(order)
        shown = min(count, limit) if limit > 0 else count
        print(f"\n*** Maximum errors for vector of size {a.size}:  rtol={rtol}, atol={atol}\n")
        for k, pos in enumerate(order[:min(shown, mismatches[0])]):
            loc = tuple(int(i) for i in np.unravel_index(int(pos), viol.shape))
            print(f"{k + 1:3d}: Error {flat[pos]:f}  {_location(af, bf, loc, names)}")
        degree = "at least " if limit > 0 and count > limit else ""
        msg = (f"Error {err:f} exceeds tolerance rtol={rtol:e}, atol={atol:e} "
               f"(mismatch {degree}{100 * count / a.size:f}%).\n"
               f"{_location(af, bf, idx, names, maximum=True)}")
    else:
        msg = f"Error {err:f} exceeds tolerance rtol={rtol:e}, atol={atol:e}.\n"
    shown = [x.item() if x.ndim == 0 else x for x in (a, b)]  # scalars print as 1.0
    with np.printoptions(threshold=4, suppress=True):
        raise AssertionError(npt.build_err_msg(shown, err_msg=msg))


def assert_allclose(a: Any, b: Any, rtol: float = 1e-07, atol: float = 0,
                    equal_nan: bool = True) -> None:
    """``assert_almost_equal`` with numpy's ``assert_allclose`` defaults."""
    assert_almost_equal(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


def assert_almost_equal_ignore_nan(a: Any, b: Any, rtol: Any = None, atol: Any = None,
                                   names: tuple[str, str] = ("a", "b")) -> None:
    """``assert_almost_equal`` after zeroing every position where either array is NaN."""
    a, b = np.copy(_numpy(a)), np.copy(_numpy(b))
    nan_mask = np.logical_or(np.isnan(a), np.isnan(b))
    a[nan_mask] = 0
    b[nan_mask] = 0
    assert_almost_equal(a, b, rtol, atol, names)


def assert_exception(f: Any, exception_type: type, *args: Any, **kwargs: Any) -> None:
    """Assert that ``f(*args, **kwargs)`` raises ``exception_type``."""
    try:
        f(*args, **kwargs)
    except exception_type:
        return
    raise AssertionError(f"{getattr(f, '__name__', f)} did not raise {exception_type.__name__}")


def same_array(array1: NDArray, array2: NDArray) -> bool:
    """Whether two NDArrays share memory (MXNet's probe: add 1 to the first, look at the
    second, subtract 1 again)."""
    array1[:] += 1
    if not same(array1.asnumpy(), array2.asnumpy()):
        array1[:] -= 1
        return False
    array1[:] -= 1
    return same(array1.asnumpy(), array2.asnumpy())


def retry(n: int) -> Any:
    """Decorator: rerun a stochastic test up to ``n`` times while it raises AssertionError."""
    assert n > 0

    def decorate(f: Any) -> Any:
        @functools.wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> None:
            for i in range(n):
                try:
                    f(*args, **kwargs)
                    return
                except AssertionError:
                    if i == n - 1:
                        raise
        return wrapper
    return decorate


def np_reduce(dat: np.ndarray, axis: Any, keepdims: bool, numpy_reduce_func: Any) -> np.ndarray:
    """Reduce ``dat`` over ``axis`` (None, an int or a list) one axis at a time, highest
    first, with ``numpy_reduce_func`` (``np.sum``...); ``keepdims`` keeps them as size 1."""
    if isinstance(axis, int):
        axis = [axis]
    else:
        axis = list(axis) if axis is not None else list(range(len(dat.shape)))
    ret = dat
    for i in sorted(axis, reverse=True):
        ret = numpy_reduce_func(ret, axis=i)
    if keepdims:
        shape = list(dat.shape)
        for i in axis:
            shape[i] = 1
        ret = ret.reshape(tuple(shape))
    return ret


# ----------------------------------------------------------------------------- random data
def rand_shape_2d(dim0: int = 10, dim1: int = 10, allow_zero_size: bool = False) -> tuple:
    """A random 2-d shape with dims in [1, dim] (or [0, dim] when ``allow_zero_size``)."""
    low = 0 if allow_zero_size else 1
    return np.random.randint(low, dim0 + 1), np.random.randint(low, dim1 + 1)


def rand_shape_3d(dim0: int = 10, dim1: int = 10, dim2: int = 10,
                  allow_zero_size: bool = False) -> tuple:
    """A random 3-d shape with dims in [1, dim] (or [0, dim] when ``allow_zero_size``)."""
    low = 0 if allow_zero_size else 1
    return (np.random.randint(low, dim0 + 1), np.random.randint(low, dim1 + 1),
            np.random.randint(low, dim2 + 1))


def rand_shape_nd(num_dim: int, dim: int = 10, allow_zero_size: bool = False) -> tuple:
    """A random ``num_dim``-d shape with dims in [1, dim] (or [0, dim])."""
    low = 0 if allow_zero_size else 1
    return tuple(np.random.randint(low, dim + 1, size=num_dim))


def rand_coord_2d(x_low: int, x_high: int, y_low: int, y_high: int) -> tuple:
    """A random int64 point in [x_low, x_high) x [y_low, y_high)."""
    return (np.random.randint(x_low, x_high, dtype=np.int64),
            np.random.randint(y_low, y_high, dtype=np.int64))


def random_arrays(*shapes: Any) -> Any:
    """Standard-normal float32 numpy arrays (one array, not a list, for one shape)."""
    arrays = [np.array(np.random.randn(), dtype=np.float32) if len(s) == 0
              else np.random.randn(*s).astype(np.float32) for s in shapes]
    return arrays[0] if len(arrays) == 1 else arrays


def random_uniform_arrays(*shapes: Any, low: float = 0.0, high: float = 1.0,
                          dtype: Any = np.float32) -> list:
    """Uniform [low, high) numpy arrays of ``dtype``, one per shape (always a list)."""
    return [np.random.uniform(low, high, size=s).astype(dtype) for s in shapes]


def random_sample(population: list, k: int) -> list:
    """``k`` elements of ``population`` in random order, without repetition."""
    assert 0 <= k <= len(population)
    pop = population[:]
    np.random.shuffle(pop)
    return pop[0:k]


def rand_ndarray(shape: Any, stype: str = "default", density: Any = None, dtype: Any = None,
                 modifier_func: Any = None, shuffle_csr_indices: bool = False,
                 distribution: Any = None, ctx: Context | None = None) -> NDArray:
    """MXNet's ``rand_ndarray`` for dense storage: ``random_arrays(shape)`` (standard normal)
    as an NDArray of ``dtype`` (float32) on ``ctx``. Sparse storage types are not supported
    by mxjax (MXNetError)."""
    if stype != "default":
        raise MXNetError(f"rand_ndarray: storage type {stype!r} is not supported by mxjax "
                         "(only 'default' dense arrays exist)")
    return nd_array(random_arrays(tuple(shape) if not np.isscalar(shape) else (shape,)),
                    ctx=ctx or default_context(), dtype=dtype)


# ----------------------------------------------------------------------------- symbolic checks
_FLOATS = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


def _check_dtype(dtype: Any, where: str, allow_asnumpy: bool = True) -> None:
    if allow_asnumpy and isinstance(dtype, str) and dtype == "asnumpy":
        return
    try:
        ok = np.dtype(dtype) in _FLOATS
    except TypeError:
        ok = False
    if not ok:
        extra = "'asnumpy', " if allow_asnumpy else ""
        raise AssertionError(f"{where}: dtype must be {extra}float16, float32 or float64, "
                             f"got {dtype!r}")


def _to_nd(v: Any, ctx: Context, dtype: Any) -> Any:
    """A numpy value as an NDArray of ``dtype`` (its own dtype for 'asnumpy'); others as is."""
    if isinstance(v, np.ndarray):
        return nd_array(v, ctx=ctx, dtype=v.dtype if _is_asnumpy(dtype) else dtype)
    return v


def _is_asnumpy(dtype: Any) -> bool:
    return isinstance(dtype, str) and dtype == "asnumpy"


def _by_name(values: Any, names: list[str], what: str, keys_error: str) -> dict:
    """A list (in ``names`` order) or a dict keyed by exactly ``names``, as a dict;
    ``keys_error`` is MXNet's message for other keys (``%s``: the two key sets)."""
    if isinstance(values, dict):
        if set(values) != set(names):
            raise ValueError(keys_error % (set(names), set(values)))
        return dict(values)
    if not isinstance(values, (list, tuple)):
        raise AssertionError(f"{what} must be a list, tuple or dict, got "
                             f"{type(values).__name__}")
    if len(values) != len(names):
        raise ValueError(f"{len(values)} values given for the {len(names)} symbol {what} "
                         f"{names}")
    return dict(zip(names, values, strict=True))


def _parse_location(sym: Any, location: Any, ctx: Context, dtype: Any = np.float32) -> dict:
    """MXNet's ``_parse_location``: argument name -> NDArray, sorted by name."""
    loc = _by_name(location, sym.list_arguments(), "arguments",
                   "Symbol arguments and keys of the given location do not match."
                   "symbol args:%s, location.keys():%s")
    return {k: _to_nd(loc[k], ctx, dtype) for k in sorted(loc)}


def _parse_aux_states(sym: Any, aux_states: Any, ctx: Context,
                      dtype: Any = np.float32) -> dict | None:
    """MXNet's ``_parse_aux_states``: aux name -> NDArray, or None."""
    if aux_states is None:
        return None
    aux = _by_name(aux_states, sym.list_auxiliary_states(), "aux_states",
                   "Symbol aux_states names and given aux_states do not match."
                   "symbol aux_names:%s, aux_states.keys:%s")
    return {k: nd_array(_numpy(v), ctx=ctx, dtype=np.asarray(_numpy(v)).dtype
                        if _is_asnumpy(dtype) else dtype) for k, v in aux.items()}


def _check_dense_stypes(stypes: Any, what: str) -> None:
    if stypes is None:
        return
    if not isinstance(stypes, dict):
        raise AssertionError(f"{what} must be a dict")
    sparse = {k: v for k, v in stypes.items() if v not in (None, "default")}
    if sparse:
        raise MXNetError(f"{what}: sparse gradient storage {sparse} is not supported by mxjax "
                         "(only 'default' dense arrays exist)")


def simple_forward(sym: Any, ctx: Context | None = None, is_train: bool = False,
                   **inputs: Any) -> Any:
    """Bind ``inputs`` (numpy arrays, as float32 NDArrays) to ``sym``, run forward and return
    the output as numpy (a list of them for several outputs), as MXNet's ``simple_forward``."""
    ctx = ctx or default_context()
    args = {k: nd_array(v, ctx=ctx) for k, v in inputs.items()}
    exe = sym.bind(ctx, args=args)
    exe.forward(is_train=is_train)
    outputs = [x.asnumpy() for x in exe.outputs]
    return outputs[0] if len(outputs) == 1 else outputs


def numeric_grad(executor: Any, location: dict, aux_states: dict | None = None,
                 eps: float = 1e-4, use_forward_train: bool = True,
                 dtype: Any = np.float32) -> dict[str, np.ndarray]:
    """Central finite differences of ``sum(outputs[0])`` for every float argument in
    ``location`` (name -> numpy array, perturbed in place and restored), as MXNet's
    ``numeric_grad``: each element moves by +-eps/2, aux states are reset before each
    forward."""
    _check_dtype(dtype, "numeric_grad", allow_asnumpy=False)
    dtype = np.dtype(dtype)
    arg_dict = executor.arg_dict
    grads = {k: np.zeros(np.shape(v), dtype=dtype) for k, v in location.items()}
    for k, v in location.items():
        arg_dict[k][:] = nd_array(v, dtype=dtype)
    for k in location:
        location[k] = np.asarray(location[k], order="C")

    def run() -> np.ndarray:
        if aux_states is not None:
            aux_dict = executor.aux_dict
            for key, val in aux_states.items():
                aux_dict[key][:] = nd_array(val, dtype=dtype)
        executor.forward(is_train=use_forward_train)
        return executor.outputs[0].asnumpy()

    for k, v in location.items():
        if v.dtype.kind != "f":
            continue
        old = v.copy()
        flat = v.reshape(-1)
        for i in range(v.size):
            flat[i] += eps / 2.0
            arg_dict[k][:] = nd_array(v, dtype=dtype)
            f_plus = run()
            flat[i] -= eps
            arg_dict[k][:] = nd_array(v, dtype=dtype)
            f_minus = run()
            grads[k].reshape(-1)[i] = (f_plus - f_minus).sum() / eps
            flat[i] = old.reshape(-1)[i]
        arg_dict[k][:] = nd_array(old, dtype=dtype)
    return grads


def _grad_reqs_for(grad_nodes: Any, arg_names: list[str]) -> tuple[list[str], dict[str, str]]:
    if grad_nodes is None:
        return list(arg_names), {k: "write" for k in arg_names}
    if isinstance(grad_nodes, (list, tuple)):
        return list(grad_nodes), {k: "write" for k in grad_nodes}
    if isinstance(grad_nodes, dict):
        return list(grad_nodes), dict(grad_nodes)
    raise ValueError(f"grad_nodes must be None, a list/tuple of names or a dict of name -> "
                     f"grad_req, got {type(grad_nodes).__name__}")


def _compare_grad(req: str, name: str, reference: np.ndarray, got: Any, before: np.ndarray,
                  rtol: Any, atol: Any, names: tuple[str, str], equal_nan: bool = False) -> None:
    """MXNet's per-``grad_req`` gradient check: 'write' compares the gradient, 'add' the
    gradient minus the buffer's earlier content, 'null' that the buffer is untouched."""
    if req == "write":
        assert_almost_equal(reference, got, rtol, atol, names, equal_nan=equal_nan)
    elif req == "add":
        assert_almost_equal(reference, _numpy(got) - before, rtol, atol, names,
                            equal_nan=equal_nan)
    elif req == "null":
        assert_almost_equal(before, got, rtol, atol, names, equal_nan=equal_nan)
    else:
        raise ValueError(f"Invalid grad_req {req} for argument {name}")


def check_numeric_gradient(sym: Any, location: Any, aux_states: Any = None,
                           numeric_eps: Any = None, rtol: Any = None, atol: Any = None,
                           grad_nodes: Any = None, use_forward_train: bool = True,
                           ctx: Context | None = None, grad_stype_dict: dict | None = None,
                           dtype: Any = np.float32) -> None:
    """Compare ``sym``'s backward pass with finite differences (MXNet 1.9.1's
    ``check_numeric_gradient``).

    As MXNet: the (single) output is multiplied by a fixed random projection
    (uniform in [0.1, 1.1)) and wrapped in ``make_loss``; gradient buffers
    start with N(0, 0.01) noise; ``grad_nodes`` (a list, or a dict of
    name -> 'write'/'add'/'null') picks the checked arguments; ``numeric_eps``
    defaults by dtype (float32: 2^-9) and must be >= 1e-5 below float64;
    mismatches raise AssertionError with names ``NUMERICAL_x``/``BACKWARD_x``.
    ``rtol``/``atol`` None use ``assert_almost_equal``'s dtype defaults.
    Only dense gradients exist in mxjax (``grad_stype_dict`` must name 'default').
    """
    from .symbol import Variable, make_loss

    _check_dtype(dtype, "check_numeric_gradient", allow_asnumpy=False)
    dtype = np.dtype(dtype).type
    _check_dense_stypes(grad_stype_dict, "grad_stype_dict")
    ctx = ctx or default_context()
    location = _parse_location(sym, location, ctx, dtype)
    location_npy = {k: _numpy(v) for k, v in location.items()}
    aux = _parse_aux_states(sym, aux_states, ctx, dtype)
    aux_npy = None if aux is None else {k: v.asnumpy() for k, v in aux.items()}
    grad_nodes, grad_req = _grad_reqs_for(grad_nodes, sym.list_arguments())
    unknown = [n for n in grad_nodes if n not in location]
    if unknown:
        raise ValueError(f"grad_nodes {unknown} are not arguments of the symbol "
                         f"{sym.list_arguments()}")

    _, out_shapes, _ = sym.infer_shape(**{k: v.shape for k, v in location.items()})
    if out_shapes is None or len(out_shapes) != 1:
        raise AssertionError("check_numeric_gradient needs a symbol with exactly one output, "
                             f"got outputs {sym.list_outputs()}")
    out = make_loss(sym * Variable("__random_proj"))
    proj = np.random.rand(*out_shapes[0]) + 0.1
    location = {**location, "__random_proj": nd_array(proj, ctx=ctx, dtype=dtype)}
    grads_npy = {k: np.random.normal(0, 0.01, size=location[k].shape) for k in grad_nodes}
    grads_npy["__random_proj"] = np.random.normal(0, 0.01, size=out_shapes[0])
    args_grad = {k: nd_array(v, ctx=ctx, dtype=dtype) for k, v in grads_npy.items()}
    executor = out.bind(ctx, grad_req=grad_req, args=location, args_grad=args_grad,
                        aux_states=aux)
    if len(executor.arg_arrays) != len(location):
        raise ValueError("Executor arg_arrays and and location len do not match."
                         f"Got {len(executor.arg_arrays)} inputs and {len(location)} locations")
    executor.forward(is_train=True)
    eps = get_tolerance(executor.outputs[0], numeric_eps, default_numeric_eps())
    if dtype in (np.float32, np.float16) and not eps >= 1e-5:
        raise AssertionError(f"numeric_eps={eps} is too small for {np.dtype(dtype).name} "
                             "finite differences (needs >= 1e-5)")
    executor.backward()
    sym_grads = executor.grad_dict
    fd_grads = numeric_grad(executor, location_npy, aux_npy, eps=eps,
                            use_forward_train=use_forward_train, dtype=dtype)
    for name in grad_nodes:
        _compare_grad(grad_req[name], name, fd_grads[name], sym_grads[name], grads_npy[name],
                      rtol, atol, (f"NUMERICAL_{name}", f"BACKWARD_{name}"))


def check_symbolic_forward(sym: Any, location: Any, expected: Any, rtol: Any = None,
                           atol: Any = None, aux_states: Any = None,
                           ctx: Context | None = None, equal_nan: bool = False,
                           dtype: Any = np.float32) -> list[NDArray]:
    """Run ``sym`` forward (``is_train=False``) at ``location`` and compare every output
    with ``expected`` (a list in output order or a dict by output name), as MXNet's
    ``check_symbolic_forward``; names ``EXPECTED_<out>``/``FORWARD_<out>``. Returns the
    executor's outputs. ``dtype='asnumpy'`` keeps each numpy input's dtype."""
    _check_dtype(dtype, "check_symbolic_forward")
    ctx = ctx or default_context()
    location = _parse_location(sym, location, ctx, dtype)
    aux = _parse_aux_states(sym, aux_states, ctx, dtype)
    outputs_names = sym.list_outputs()
    if isinstance(expected, dict):
        expected = [expected[k] for k in outputs_names]
    args_grad = {k: nd_zeros(v.shape, ctx=ctx, dtype=v.dtype if _is_asnumpy(dtype) else dtype)
                 for k, v in location.items()}
    executor = sym.bind(ctx=ctx, args=location, args_grad=args_grad, aux_states=aux)
    executor.forward(is_train=False)
    outputs = executor.outputs
    for name, expect, output in zip(outputs_names, expected, outputs, strict=False):
        assert_almost_equal(expect, output, rtol, atol, (f"EXPECTED_{name}", f"FORWARD_{name}"),
                            equal_nan=equal_nan)
    return executor.outputs


def check_symbolic_backward(sym: Any, location: Any, out_grads: Any, expected: Any,
                            rtol: Any = None, atol: Any = None, aux_states: Any = None,
                            grad_req: Any = "write", ctx: Context | None = None,
                            grad_stypes: dict | None = None, equal_nan: bool = False,
                            dtype: Any = np.float32) -> dict[str, NDArray]:
    """Run forward (training) and backward with head gradients ``out_grads`` (list, dict or
    None for loss heads) and compare the argument gradients with ``expected`` (a list in
    argument order or a dict by name; only these get gradient buffers), as MXNet's
    ``check_symbolic_backward``. Buffers start with N(0, 1) noise so that ``grad_req``
    'add' compares the gradient minus that noise and 'null' the untouched noise; names
    ``EXPECTED_x``/``BACKWARD_x``. Returns the gradient buffers by name."""
    _check_dtype(dtype, "check_symbolic_backward")
    _check_dense_stypes(grad_stypes, "grad_stypes")
    ctx = ctx or default_context()
    arg_names = sym.list_arguments()
    location = _parse_location(sym, location, ctx, dtype)
    aux = _parse_aux_states(sym, aux_states, ctx, dtype)
    if isinstance(expected, (list, tuple)):
        expected = dict(zip(arg_names, expected, strict=False))
    unknown = sorted(k for k in expected if k not in arg_names)
    if unknown:
        raise ValueError(f"expected gradients for {unknown}, which are not arguments of the "
                         f"symbol {arg_names}")
    grads_npy = {k: np.random.normal(size=np.shape(expected[k])) for k in sorted(expected)}
    args_grad = {k: nd_array(v, ctx=ctx, dtype=np.asarray(_numpy(expected[k])).dtype
                             if _is_asnumpy(dtype) else dtype) for k, v in grads_npy.items()}
    if isinstance(grad_req, str):
        grad_req = {k: grad_req for k in arg_names}
    elif isinstance(grad_req, (list, tuple)):
        grad_req = dict(zip(arg_names, grad_req, strict=False))
    executor = sym.bind(ctx=ctx, args=location, args_grad=args_grad, aux_states=aux,
                        grad_req=grad_req)
    executor.forward(is_train=True)
    if isinstance(out_grads, (list, tuple)):
        out_grads = [_to_nd(g, ctx, dtype) for g in out_grads]
    elif isinstance(out_grads, dict):
        out_grads = [_to_nd(out_grads[k], ctx, dtype) if k in out_grads else None
                     for k in sym.list_outputs()]
    elif out_grads is not None:
        raise AssertionError("out_grads must be None, a list or a dict of arrays")
    executor.backward(out_grads)
    for name in expected:
        _compare_grad(grad_req.get(name, "null"), name, expected[name], args_grad[name],
                      grads_npy[name], rtol, atol, (f"EXPECTED_{name}", f"BACKWARD_{name}"),
                      equal_nan=equal_nan)
    return args_grad


def _smaller_dtype(dt1: Any, dt2: Any) -> Any:
    """The less precise of two dtypes (``dt1`` when ``dt2`` is None)."""
    return dt1 if dt2 is None or np.dtype(dt1).itemsize < np.dtype(dt2).itemsize else dt2


def check_consistency(sym: Any, ctx_list: list[dict], scale: float = 1.0,
                      grad_req: Any = "write", arg_params: dict | None = None,
                      aux_params: dict | None = None, rtol: Any = None, atol: Any = None,
                      raise_on_err: bool = True, ground_truth: dict | None = None,
                      equal_nan: bool = False, use_uniform: bool = False,
                      rand_type: Any = np.float64) -> dict:
    """Run one symbol (or one per entry) under several ``simple_bind`` settings and compare
    outputs and gradients, as MXNet's ``check_consistency``.

    Each ``ctx_list`` entry is ``simple_bind``'s keywords: ``ctx``, input shapes,
    ``type_dict``. The most precise output dtype is the ground truth; inputs are
    N(0, scale) (or uniform +-0.92*scale) in ``rand_type``, aux states 0; the
    backward uses the first executor's outputs, cast to the least precise dtype,
    as head gradients. In mxjax every context is a CPU (or JAX-visible GPU)
    device and the same XLA code runs everywhere, so what this meaningfully
    checks is agreement across dtypes (float64 / float32 / float16) and across
    device ids. Returns the ground-truth dict (outputs and gradients by name).
    """
    assert len(ctx_list) > 1, "check_consistency needs at least two entries in ctx_list"
    from .symbol import Symbol

    syms = [sym] * len(ctx_list) if isinstance(sym, Symbol) else list(sym)
    assert len(syms) == len(ctx_list), "one symbol per ctx_list entry"
    output_names = syms[0].list_outputs()
    arg_names = syms[0].list_arguments()
    exes = []
    for s, kwargs in zip(syms, ctx_list, strict=True):
        assert s.list_arguments() == arg_names, "the symbols' arguments differ"
        assert s.list_outputs() == output_names, "the symbols' outputs differ"
        exes.append(s.simple_bind(grad_req=grad_req, **kwargs))
    arg_params = {} if arg_params is None else arg_params
    aux_params = {} if aux_params is None else aux_params
    for n in sorted(exes[0].arg_dict):
        if n not in arg_params:
            shape = exes[0].arg_dict[n].shape
            if use_uniform:
                val = np.random.uniform(low=-0.92 * scale, high=0.92 * scale, size=shape)
            else:
                val = np.random.normal(size=shape, scale=scale)
            arg_params[n] = val.astype(rand_type)
    for n in exes[0].aux_dict:
        aux_params.setdefault(n, 0)
    for exe in exes:
        for name, arr in exe.arg_dict.items():
            arr[:] = arg_params[name]
        for name, arr in exe.aux_dict.items():
            arr[:] = aux_params[name]
        if grad_req == "add":
            for arr in exe.grad_arrays:
                if arr is not None:
                    arr[:] = 0
    dtypes = [np.dtype(exe.outputs[0].dtype) for exe in exes]
    gt_idx = int(np.argmax([d.itemsize for d in dtypes]))
    gt = ground_truth
    if gt is None:
        gt = dict(exes[gt_idx].output_dict)
        if grad_req != "null":
            gt.update(exes[gt_idx].grad_dict)

    def compare(arr: Any, gtarr: Any, rt: Any, at: Any, label: str) -> None:
        try:
            assert_almost_equal(arr, gtarr, rtol=rt, atol=at, equal_nan=equal_nan)
        except AssertionError as err:
            print(label)
            traceback.print_exc()
            if raise_on_err:
                raise
            print(str(err))

    for exe in exes:
        exe.forward(is_train=False)
    for i, exe in enumerate(exes):
        if i != gt_idx:
            for name, arr in zip(output_names, exe.outputs, strict=True):
                compare(arr, gt[name], rtol, atol,
                        f"Predict Err: ctx {i} vs ctx {gt_idx} at {name}")
    if grad_req == "null":
        return gt
    for exe in exes:
        exe.forward(is_train=True)
    least = [out.dtype for out in exes[0].outputs]
    for exe in exes:
        least = [_smaller_dtype(out.dtype, dt) for out, dt in zip(exe.outputs, least,
                                                                   strict=True)]
    golden = [out.astype(dt).asnumpy() for out, dt in zip(exes[0].outputs, least, strict=True)]
    for exe in exes:
        exe.backward([nd_array(g, ctx=exe._ctx, dtype=out.dtype)
                      for g, out in zip(golden, exe.outputs, strict=True)])
    for i, exe in enumerate(exes):
        if i == gt_idx:
            continue
        pairs = zip(output_names + arg_names, exe.outputs + exe.grad_arrays, strict=True)
        for name, arr in pairs:
            if gt[name] is None:
                assert arr is None, f"{name}: ground truth has no gradient but ctx {i} has one"
                continue
            gtarr = gt[name]
            rt, at = rtol, atol
            small_arr = _smaller_dtype(arr.dtype, dtypes[i])
            small_gt = _smaller_dtype(gtarr.dtype, dtypes[gt_idx])
            if small_arr != arr.dtype or small_gt != gtarr.dtype:
                rt, at = get_tols(arr.astype(small_arr), gtarr.astype(small_gt), rtol, atol)
            compare(arr, gtarr, rt, at,
                    f"Train Err: {np.dtype(arr.dtype).name} {arr.context} ctx {i} vs "
                    f"{np.dtype(gtarr.dtype).name} {getattr(gtarr, 'context', 'numpy')} "
                    f"ctx {gt_idx} at {name}")
    return gt


# ----------------------------------------------------------------------------- data
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


_MNIST_ZIP = "http://data.mxnet.io/mxnet/data/mnist.zip"
_CIFAR_ZIP = "http://data.mxnet.io/mxnet/data/cifar10.zip"
_MNIST_GZ = "http://data.mxnet.io/data/mnist/"
_MNIST_UBYTE = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def _fetch_zip_into_data(url: str) -> None:
    """MXNet's pattern: ``download(url, dirname='data')`` and extract it into ``data``."""
    os.makedirs("data", exist_ok=True)
    path = download(url, dirname="data")
    try:
        with zipfile.ZipFile(path) as zf:
            zf.extractall("data")
    except zipfile.BadZipFile as err:
        raise MXNetError(f"{path} (from {url}) is not a valid zip archive: {err}") from err


def get_mnist_ubyte() -> None:
    """MXNet's ``get_mnist_ubyte``: make ``data/{train,t10k}-{images-idx3,labels-idx1}-ubyte``
    exist, from ``mnist.zip`` via ``download`` (so from the mxjax cache offline).

    mxjax extension: when the cache has no ``mnist.zip`` but has the four ``.gz`` files
    that ``get_mnist`` downloads, those are decompressed into ``data/`` without using the
    network; with neither, the zip is downloaded (``DownloadError`` offline).
    """
    os.makedirs("data", exist_ok=True)
    if all(os.path.exists(os.path.join("data", f)) for f in _MNIST_UBYTE):
        return
    cached_gz = [_cached_copy(_MNIST_GZ + f + ".gz") for f in _MNIST_UBYTE]
    if _cached_copy(_MNIST_ZIP) is not None or any(c is None for c in cached_gz):
        _fetch_zip_into_data(_MNIST_ZIP)
        return
    for name, src in zip(_MNIST_UBYTE, cached_gz, strict=True):
        with gzip.open(src, "rb") as inp, open(os.path.join("data", name), "wb") as out:
            shutil.copyfileobj(inp, out)
    logging.info("get_mnist_ubyte: extracted the cached MNIST .gz files into data/")


def get_cifar10() -> None:
    """MXNet's ``get_cifar10``: make ``data/cifar/{train,test}.{rec,lst}`` exist, from
    ``cifar10.zip`` via ``download`` (mxjax does not ship CIFAR-10: offline without a cached
    copy this raises ``DownloadError`` naming the URL)."""
    os.makedirs("data", exist_ok=True)
    names = ("train.rec", "test.rec", "train.lst", "test.lst")
    if all(os.path.exists(os.path.join("data", "cifar", f)) for f in names):
        return
    _fetch_zip_into_data(_CIFAR_ZIP)


def get_mnist_iterator(batch_size: int, input_shape: tuple, num_parts: int = 1,
                       part_index: int = 0) -> tuple[DataIter, DataIter]:
    """MXNet's ``get_mnist_iterator``: ``get_mnist_ubyte()`` then two ``MNISTIter``s over
    ``data/`` (both shuffled: only the training one passes ``shuffle=True`` but that is
    ``MNISTIter``'s default), flat unless ``input_shape`` is 3-d."""
    from .io import MNISTIter

    get_mnist_ubyte()
    flat = len(input_shape) != 3
    common = {"input_shape": input_shape, "batch_size": batch_size, "flat": flat,
              "num_parts": num_parts, "part_index": part_index}
    train = MNISTIter(image="data/train-images-idx3-ubyte",
                      label="data/train-labels-idx1-ubyte", shuffle=True, **common)
    val = MNISTIter(image="data/t10k-images-idx3-ubyte", label="data/t10k-labels-idx1-ubyte",
                    **common)
    return train, val


def get_mnist_pkl() -> None:
    """MXNet's ``get_mnist_pkl``: ``data/mnist.pkl.gz`` via ``download`` unless it exists."""
    os.makedirs("data", exist_ok=True)
    if not os.path.exists(os.path.join("data", "mnist.pkl.gz")):
        download("http://deeplearning.net/data/mnist/mnist.pkl.gz", dirname="data")


def get_zip_data(data_dir: str, url: str, data_origin_name: str) -> None:
    """MXNet's ``get_zip_data``: unless ``data_dir/data_origin_name`` exists, download
    ``url`` into ``data_dir`` and extract the archive there."""
    path = os.path.join(data_dir, data_origin_name)
    if not os.path.exists(path):
        download(url, dirname=data_dir, overwrite=False)
        try:
            with zipfile.ZipFile(path) as zf:
                zf.extractall(path=data_dir)
        except (zipfile.BadZipFile, FileNotFoundError) as err:
            raise MXNetError(f"get_zip_data: cannot extract {path} (from {url}): {err}") from err


def get_bz2_data(data_dir: str, data_name: str, url: str, data_origin_name: str) -> None:
    """MXNet's ``get_bz2_data``: unless ``data_dir/data_name`` exists, download ``url`` as
    ``data_dir/data_origin_name``, decompress it to ``data_dir/data_name`` and delete the
    ``.bz2``. (MXNet joins ``data_dir`` twice into the download name, which breaks relative
    directories; mxjax downloads to ``data_dir/data_origin_name``.)"""
    target = os.path.join(data_dir, data_name)
    origin = os.path.join(data_dir, data_origin_name)
    if os.path.exists(target):
        return
    download(url, fname=data_origin_name, dirname=data_dir, overwrite=False)
    with bz2.BZ2File(origin, "rb") as inp, open(target, "wb") as out:
        shutil.copyfileobj(inp, out)
    os.remove(origin)
