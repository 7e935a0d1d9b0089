"""``NDArray``: MXNet's mutable array, as a handle over an immutable ``jax.Array``.

MXNet arrays are mutable and shared: an initializer writes ``arr[:] = v`` and
every holder of ``arr`` sees it. JAX arrays are immutable, so an ``NDArray``
holds a reference that in-place operations rebind (``a[:] = b``, ``a += b``,
``a[1:3] = 0``). As in MXNet, basic indexing along the first axis (``a[1]``,
``a[2:5]``) and ``reshape`` return *views*: reading one reads the parent,
writing one writes into the parent. Every other indexing form returns a copy.

MXNet 1.x has no 0-d arrays: ``a[1]`` of a 1-D array and ``a[1, 2]`` have shape
``(1,)``. Arithmetic broadcasts like MXNet's ``broadcast_*`` ops; a scalar is
first cast to the array's dtype (``int32 * 1.5`` multiplies by 1, as MXNet's
``_mul_scalar`` does); integer division truncates toward zero; comparisons
return 0/1 in the array's dtype. Operands of different dtypes are an
``MXNetError``, as in MXNet; ``type`` errors are ``TypeError``.

The hot paths (arithmetic, views, fills, copies) run small jitted kernels:
one cached XLA call each, no host round trips. Everything runs inside
``jax.enable_x64(True)`` so float64/int64 arrays keep their dtype
(see ``mxjax.base``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from ..base import MXNetError, dtype_np, numeric_types, with_x64
from ..context import Context, current_context

__all__ = [
    "host_array",
    "NDArray",
    "Lazy",
    "array",
    "empty",
    "zeros",
    "ones",
    "full",
    "arange",
    "zeros_like",
    "ones_like",
    "concat",
    "concatenate",
    "stack",
    "waitall",
    "from_jax",
    "moveaxis",
]


class Lazy:
    """A value computed on first use (outputs of a forward pass that backward may supply).

    ``host`` optionally holds the value as a numpy array already (a data batch
    gathered on the host): shape, dtype and ``asnumpy`` read it without a device
    copy, and compiled steps take it directly (``NDArray._jit_value``).
    """

    __slots__ = ("_thunk", "host")

    def __init__(self, thunk, host: np.ndarray | None = None):
        self._thunk = thunk
        self.host = host

    def resolve(self) -> jax.Array:
        return self._thunk()


def host_array(value: np.ndarray, ctx: Context) -> NDArray:
    """An NDArray over a host numpy array, copied to ``ctx``'s device on first use.

    Data iterators return their batches this way: a compiled Module step takes the
    host array directly and the device copy is never made unless user code reads it."""
    def materialise() -> jax.Array:
        with jax.enable_x64(True):
            return jax.device_put(value, ctx.jax_device)

    return NDArray(Lazy(materialise, host=value), ctx)


# ------------------------------------------------------------------ kernels
# Small jitted kernels: one cached XLA call each (jnp's generic indexing and
# creation paths cost several times more per call).
@functools.partial(jax.jit, static_argnums=2)
def _take_rows(x, start, size):
    return lax.dynamic_slice_in_dim(x, start, size, 0)


@jax.jit
def _take_row(x, i):
    return lax.dynamic_index_in_dim(x, i, 0, keepdims=False)


@jax.jit
def _put_rows(x, v, start):
    return lax.dynamic_update_slice_in_dim(x, v.astype(x.dtype), start, 0)


@functools.partial(jax.jit, static_argnums=1)
def _reshape(x, shape):
    return x.reshape(shape)


@jax.jit
def _copy(x):
    return jnp.array(x, copy=True)


@functools.partial(jax.jit, static_argnums=(1, 2))
def _assign(v, shape, dtype):
    """``v`` cast to ``dtype`` and broadcast to ``shape`` (the value of ``a[:] = v``)."""
    return jnp.broadcast_to(jnp.asarray(v).astype(dtype), shape)


@functools.partial(jax.jit, static_argnums=(1, 2))
def _fill(value, shape, dtype):
    return jnp.full(shape, value, dtype)


@functools.partial(jax.jit, static_argnums=1)
def _cast(x, dtype):
    from ..operator.tensor import mx_cast

    return mx_cast(x, dtype)


@jax.jit
def _transpose(x):
    return jnp.transpose(x)


@jax.jit
def _negative(x):
    return jnp.negative(x)


@jax.jit
def _absolute(x):
    return jnp.abs(x)


@functools.cache
def _binary_kernel(fn, reverse: bool, scalar: bool):
    """``fn(x, y)`` in x's dtype; a scalar ``y`` is cast to x's dtype first (MXNet's rule)."""

    def kernel(x, y):
        if scalar:
            y = jnp.asarray(y).astype(x.dtype)
        a, b = (y, x) if reverse else (x, y)
        return fn(a, b).astype(x.dtype)

    return jax.jit(kernel)


def _divide(x, y):
    from ..operator.tensor import _int_div

    return _int_div(x, y)


@functools.cache
def _single_device() -> bool:
    """Whether the process sees exactly one device (then every array is already on it)."""
    count = 0
    for platform in ("cpu", "gpu"):
        try:
            count += len(jax.devices(platform))
        except RuntimeError:
            pass
    return count == 1


def _on_device(value: jax.Array, ctx: Context) -> jax.Array:
    """``value`` on ``ctx``'s device (no transfer call on a one-device machine)."""
    dev = ctx.jax_device  # also raises the clear error for a GPU context without a GPU
    if _single_device():
        return value
    return jax.device_put(value, dev)


# ------------------------------------------------------------------- NDArray

def _mx_mod(a: jax.Array, b: Any) -> jax.Array:
    """``%`` as MXNet's mod operator computes it (``operator.tensor._fmod``)."""
    from ..operator.tensor import _fmod

    return _fmod(jnp.asarray(a), jnp.asarray(b, dtype=jnp.asarray(a).dtype))

class NDArray:
    """A mutable n-dimensional array on a device (``mx.nd.NDArray``).

    ``_data`` is the current ``jax.Array``; assigning it rebinds the handle
    (for a view: writes into the parent). Subclasses may override ``_data``
    to keep the value elsewhere; every method goes through it.
    """

    __slots__ = ("_value", "_ctx", "_base", "_index", "_vshape", "_cache", "_writable",
                 "__weakref__")
    __array_priority__ = 1000.0

    def __init__(self, data: Any, ctx: Context | None = None, _base: NDArray | None = None,
                 _index: Any = None, _vshape: tuple | None = None):
        self._ctx = ctx if ctx is not None else current_context()
        self._base = _base
        self._index = _index  # None (whole base), int (a row) or slice (rows start:stop)
        self._vshape = _vshape  # a reshape applied after indexing
        self._cache: tuple | None = None
        self._value = data if _base is None else None

    # ------------------------------------------------------------------ storage
    @property
    def _data(self) -> jax.Array:
        """The current jax array (for a view: the parent's part; lazy values resolved)."""
        base = self._base
        if base is None:
            v = self._value
            if type(v) is Lazy:
                v = self._value = v.resolve()
            return v
        b = base._data
        cache = self._cache
        if cache is not None and cache[0] is b:
            return cache[1]
        with jax.enable_x64(True):
            v = _view_read(b, self._index, self._vshape)
        self._cache = (b, v)
        return v

    @_data.setter
    def _data(self, value: jax.Array) -> None:
        base = self._base
        if base is None:
            self._value = value
            return
        b = base._data
        with jax.enable_x64(True):
            if value.dtype != b.dtype:
                value = _cast(value, np.dtype(b.dtype))
            raw = value
            if self._vshape is not None:
                raw = _reshape(value, _indexed_shape(b.shape, self._index))
            new = _view_write(b, self._index, raw)
        base._data = new
        # a read right after this write sees ``value`` again: remember it
        self._cache = (base._data, value)

    def _set(self, value: Any) -> None:
        """Overwrite the whole content, keeping shape and dtype (``self[:] = value``)."""
        cur = self._data
        with jax.enable_x64(True):
            new = _value_for(value, tuple(cur.shape), cur.dtype)
            self._data = _on_device(new, self._ctx)

    # --------------------------------------------------------------- properties
    @property
    def writable(self) -> bool:
        """MXNet's ``writable`` flag (True unless set False): item assignment and in-place
        arithmetic on a read-only array raise ``ValueError``."""
        try:
            return self._writable
        except AttributeError:
            return True

    @writable.setter
    def writable(self, value: bool) -> None:
        self._writable = bool(value)

    def _check_writable(self, what: str) -> None:
        if not self.writable:
            raise ValueError(f"Cannot {what} a readonly NDArray (writable is False)")

    @property
    def shape(self) -> tuple[int, ...]:
        host = self._host()
        return tuple((host if host is not None else self._data).shape)

    @property
    def dtype(self) -> type:
        """The numpy scalar type, as MXNet returns it (``numpy.float32``)."""
        host = self._host()
        return np.dtype((host if host is not None else self._data).dtype).type

    def _host(self) -> np.ndarray | None:
        """The host copy of a not yet materialised host-backed array, else None."""
        v = self._value
        if type(v) is Lazy and self._base is None:
            return v.host
        return None

    def _jit_value(self) -> Any:
        """What a compiled step should take for this array: the host copy of a host-backed
        batch as is (jit transfers it far more cheaply than a device_put), else the jax array."""
        host = self._host()
        return host if host is not None else self._data

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def context(self) -> Context:
        return self._ctx

    ctx = context

    @property
    def stype(self) -> str:
        return "default"

    @property
    def handle(self) -> NDArray:
        return self

    @property
    def T(self) -> NDArray:  # noqa: N802  (MXNet's name)
        """All axes reversed (``self`` when ndim < 2), like ``mx.nd.transpose(self)``."""
        if self.ndim < 2:
            return self
        with jax.enable_x64(True):
            return self._wrap(_transpose(self._data))

    @property
    def grad(self) -> None:
        """Always None: mxjax has no ``autograd``; gradients come from Executor/Module."""
        return None

    def attach_grad(self, grad_req: str = "write", stype: Any = None) -> None:
        raise MXNetError("mx.autograd is not supported by mxjax: compute gradients with "
                         "Executor.backward or Module.backward")

    def backward(self, out_grad: Any = None, retain_graph: bool = False,
                 train_mode: bool = True) -> None:
        raise MXNetError("mx.autograd is not supported by mxjax: compute gradients with "
                         "Executor.backward or Module.backward")

    def detach(self) -> NDArray:
        """A handle on the same data (mxjax records no autograd graph to detach from)."""
        return NDArray(None, self._ctx, _base=self)

    # ------------------------------------------------------------ conversions
    def asnumpy(self) -> np.ndarray:
        """A (writable) numpy copy of the content; blocks until it is computed."""
        host = self._host()
        if host is not None:
            return np.array(host)
        return np.array(self._data)

    def asscalar(self) -> Any:
        """The single element as a numpy scalar (``ValueError`` unless size is 1)."""
        if self.size != 1:
            raise ValueError("The current array is not a scalar")
        return self.asnumpy().reshape(-1)[0]

    def tolist(self) -> list:
        return self.asnumpy().tolist()

    def wait_to_read(self) -> None:
        """Block until the value is computed (JAX dispatches asynchronously, like MXNet)."""
        self._data.block_until_ready()

    def wait_to_write(self) -> None:
        self.wait_to_read()

    def __array__(self, dtype=None, copy=None):
        a = self.asnumpy()
        return a if dtype is None else a.astype(dtype)

    def __jax_array__(self) -> jax.Array:
        return self._data

    def tostype(self, stype: str) -> NDArray:
        if stype != "default":
            raise MXNetError(f"storage type {stype!r} is not supported by mxjax (dense only)")
        return self

    # ------------------------------------------------------------------ copies
    def _wrap(self, value: jax.Array, ctx: Context | None = None) -> NDArray:
        return NDArray(value, ctx or self._ctx)

    def copy(self) -> NDArray:
        """A new array with a copy of the data (its own buffer, on the same device)."""
        with jax.enable_x64(True):
            return self._wrap(_copy(self._data))

    def copyto(self, other: NDArray | Context) -> NDArray:
        """Copy into ``other`` (an NDArray of the same shape; dtype converted) or onto a Context."""
        if isinstance(other, Context):
            with jax.enable_x64(True):
                return NDArray(jax.device_put(_copy(self._data), other.jax_device), other)
        if not isinstance(other, NDArray):
            raise TypeError(f"copyto does not support type {type(other)}")
        if other is self:
            return other
        if other.shape != self.shape:
            raise MXNetError(f"copyto: shape mismatch, source {self.shape} vs destination "
                             f"{other.shape}")
        other._set(self)
        return other

    def as_in_context(self, context: Context) -> NDArray:
        """``self`` if already on ``context``, else a copy there."""
        if context == self._ctx:
            return self
        return self.copyto(context)

    as_in_ctx = as_in_context

    def astype(self, dtype: Any, copy: bool = True) -> NDArray:
        """A copy cast to ``dtype`` (``self`` if ``copy=False`` and the dtype matches).

        Float to integer conversion truncates and wraps around like MXNet's C++
        cast (``-1.0`` -> uint8 255), rather than saturating.
        """
        dt = dtype_np(dtype)
        cur = self._data
        if dt == cur.dtype:
            return self if not copy else self.copy()
        with jax.enable_x64(True):
            return self._wrap(_cast(cur, dt))

    def reshape(self, *shape: Any, **kwargs: Any) -> NDArray:
        """A view with a new shape; MXNet's special codes (0, -1, -2, -3, -4; ``reverse=``)."""
        from ..operator.tensor import infer_reshape

        if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
            shape = tuple(shape[0])
        if "shape" in kwargs:
            shape = tuple(kwargs.pop("shape"))
        reverse = bool(kwargs.pop("reverse", False))
        if kwargs:
            raise TypeError(f"reshape got unexpected arguments {sorted(kwargs)}")
        target = infer_reshape(self.shape, tuple(int(d) for d in shape), reverse)
        return NDArray(None, self._ctx, _base=self, _vshape=target)

    def flatten(self, inplace: bool = False) -> NDArray:
        """(N, ...) -> (N, prod(...)); a view when ``inplace``, else a copy (``mx.nd.flatten``)."""
        shape = self.shape
        target = (shape[0], int(np.prod(shape[1:], dtype=np.int64))) if shape else (1, 1)
        view = NDArray(None, self._ctx, _base=self, _vshape=target)
        return view if inplace else view.copy()

    def expand_dims(self, axis: int, inplace: bool = False) -> NDArray:
        """Insert an axis; a view when ``inplace``, else a copy."""
        shape = list(self.shape)
        if not -len(shape) - 1 <= axis <= len(shape):
            raise MXNetError(f"expand_dims: axis {axis} out of range for shape {tuple(shape)}")
        shape.insert(axis % (len(shape) + 1), 1)
        view = NDArray(None, self._ctx, _base=self, _vshape=tuple(shape))
        return view if inplace else view.copy()

    def squeeze(self, axis: Any = None, inplace: bool = False) -> NDArray:
        """Drop length-1 axes (all, or those in ``axis``); a view when ``inplace``."""
        shape = self.shape
        axes = range(len(shape)) if axis is None else (
            [axis] if isinstance(axis, (int, np.integer)) else list(axis))
        axes = {int(a) % len(shape) for a in axes} if shape else set()
        for a in axes:
            if shape[a] != 1 and axis is not None:
                raise MXNetError(f"squeeze: axis {a} of shape {shape} is not 1")
        target = tuple(d for i, d in enumerate(shape) if not (i in axes and d == 1)) or (1,)
        view = NDArray(None, self._ctx, _base=self, _vshape=target)
        return view if inplace else view.copy()

    def broadcast_to(self, shape: Any) -> NDArray:
        """Broadcast to ``shape`` (0 keeps a dimension), ``mx.nd.broadcast_to``."""
        from .register import invoke

        return invoke("broadcast_to", (self,), {"shape": shape})

    # -------------------------------------------------------------- indexing
    def _view_index(self, key: Any) -> Any:
        """The view index for MXNet's view indexing (an int or unit-step slice), else None."""
        if isinstance(key, bool) or not isinstance(key, (int, np.integer, slice)):
            return None
        shape = self.shape
        if not shape:
            return None
        n = shape[0]
        if isinstance(key, slice):
            if key.step not in (None, 1):
                return None
            start, stop, _ = key.indices(n)
            return slice(start, max(start, stop))
        k = int(key)
        if k < -n or k >= n:
            raise IndexError(f"index {k} is out of bounds for axis 0 with size {n}")
        k = k + n if k < 0 else k
        return slice(k, k + 1) if len(shape) == 1 else k  # legacy MXNet: no 0-d results

    def __getitem__(self, key: Any) -> NDArray:
        idx = self._view_index(key)
        if idx is not None:
            return NDArray(None, self._ctx, _base=self, _index=idx)
        key = _convert_index(key)
        with jax.enable_x64(True):
            out = self._data[key]
            if out.ndim == 0:  # MXNet 1.x returns shape (1,) where numpy returns a scalar
                out = out.reshape(1)
        return self._wrap(out)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._check_writable("assign to")
        idx = self._view_index(key)
        cur = self._data
        if idx is not None:
            with jax.enable_x64(True):
                val = _value_for(value, _indexed_shape(cur.shape, idx), cur.dtype)
                if idx == slice(0, cur.shape[0]):
                    self._data = _on_device(val, self._ctx)
                else:
                    self._data = _view_write(cur, idx, val)
            return
        key = _convert_index(key)
        with jax.enable_x64(True):
            val = value._data if isinstance(value, NDArray) else value
            val = jnp.asarray(val).astype(cur.dtype)
            try:
                self._data = cur.at[key].set(val)
            except (TypeError, ValueError) as err:
                raise ValueError(f"cannot assign a value of shape {tuple(val.shape)} to index "
                                 f"{key!r} of an array of shape {cur.shape}: {err}") from err

    def __len__(self) -> int:
        shape = self.shape
        if not shape:
            raise TypeError("len() of a 0-d array")
        return shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        size = self.size
        if size == 0:
            return False
        if size == 1:
            return bool(self.asnumpy().reshape(-1)[0])
        raise ValueError("The truth value of an NDArray with multiple elements is ambiguous.")

    __nonzero__ = __bool__

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        shape = "x".join(str(s) for s in self.shape)
        return f"\n{self.asnumpy()}\n<NDArray {shape} @{self._ctx}>"

    def __str__(self) -> str:
        return self.__repr__()

    def __getstate__(self):
        return {"data": self.asnumpy(), "ctx": (self._ctx.device_type, self._ctx.device_id)}

    def __setstate__(self, state):
        self._ctx = Context(*state["ctx"])
        self._base = None
        self._index = None
        self._vshape = None
        self._cache = None
        with jax.enable_x64(True):
            self._value = jax.device_put(state["data"], self._ctx.jax_device)

    # ------------------------------------------------------------ arithmetic
    def _binary(self, other: Any, fn, reverse: bool = False) -> NDArray:
        a = self._data
        if isinstance(other, NDArray):
            b = other._data
            if b.dtype != a.dtype:
                raise MXNetError(
                    f"Incompatible operand dtypes: expected {np.dtype(a.dtype).name}, got "
                    f"{np.dtype(b.dtype).name}; cast one with astype() first"
                )
            scalar = False
        elif isinstance(other, numeric_types):
            b = int(other) if isinstance(other, (bool, np.bool_)) else other
            scalar = True
        elif isinstance(other, (np.ndarray, jax.Array)):
            b = other.astype(a.dtype) if other.dtype != a.dtype else other
            scalar = False
        else:
            raise TypeError(f"type {type(other)} not supported")
        with jax.enable_x64(True):
            try:
                out = _binary_kernel(fn, reverse, scalar)(a, b)
            except (TypeError, ValueError) as err:
                raise MXNetError(f"operands could not be broadcast together with shapes "
                                 f"{tuple(a.shape)} {tuple(np.shape(b))}") from err
        return self._wrap(out)

    def _inplace(self, other: Any, fn) -> NDArray:
        self._check_writable("modify")
        res = self._binary(other, fn)
        shape = self.shape
        if res.shape != shape:
            raise MXNetError(f"Shape inconsistent: in-place operation would change shape "
                             f"{shape} to {res.shape}")
        self._data = res._data
        return self

    def __add__(self, o):
        return self._binary(o, jnp.add)

    def __radd__(self, o):
        return self._binary(o, jnp.add, reverse=True)

    def __iadd__(self, o):
        return self._inplace(o, jnp.add)

    def __sub__(self, o):
        return self._binary(o, jnp.subtract)

    def __rsub__(self, o):
        return self._binary(o, jnp.subtract, reverse=True)

    def __isub__(self, o):
        return self._inplace(o, jnp.subtract)

    def __mul__(self, o):
        return self._binary(o, jnp.multiply)

    def __rmul__(self, o):
        return self._binary(o, jnp.multiply, reverse=True)

    def __imul__(self, o):
        return self._inplace(o, jnp.multiply)

    def __truediv__(self, o):
        return self._binary(o, _divide)

    def __rtruediv__(self, o):
        return self._binary(o, _divide, reverse=True)

    def __itruediv__(self, o):
        return self._inplace(o, _divide)

    __div__ = __truediv__
    __rdiv__ = __rtruediv__
    __idiv__ = __itruediv__

    def __mod__(self, o):
        return self._binary(o, _mx_mod)

    def __rmod__(self, o):
        return self._binary(o, _mx_mod, reverse=True)

    def __imod__(self, o):
        return self._inplace(o, _mx_mod)

    def __pow__(self, o):
        return self._binary(o, jnp.power)

    def __rpow__(self, o):
        return self._binary(o, jnp.power, reverse=True)

    def __ipow__(self, o):
        return self._inplace(o, jnp.power)

    def __neg__(self):
        with jax.enable_x64(True):
            return self._wrap(_negative(self._data))

    def __pos__(self):
        return self

    def __abs__(self):
        with jax.enable_x64(True):
            return self._wrap(_absolute(self._data))

    def __eq__(self, o):  # type: ignore[override]
        return self._binary(o, jnp.equal)

    def __ne__(self, o):  # type: ignore[override]
        return self._binary(o, jnp.not_equal)

    def __gt__(self, o):
        return self._binary(o, jnp.greater)

    def __ge__(self, o):
        return self._binary(o, jnp.greater_equal)

    def __lt__(self, o):
        return self._binary(o, jnp.less)

    def __le__(self, o):
        return self._binary(o, jnp.less_equal)


# ------------------------------------------------------------ view helpers
def _indexed_shape(shape: tuple, index: Any) -> tuple:
    if index is None:
        return tuple(shape)
    if isinstance(index, slice):
        return (index.stop - index.start, *shape[1:])
    return tuple(shape[1:])


def _view_read(b: jax.Array, index: Any, vshape: tuple | None) -> jax.Array:
    if index is None:
        v = b
    elif isinstance(index, slice):
        v = _take_rows(b, index.start, index.stop - index.start)
    else:
        v = _take_row(b, index)
    if vshape is not None and tuple(v.shape) != vshape:
        v = _reshape(v, vshape)
    return v


def _view_write(b: jax.Array, index: Any, value: jax.Array) -> jax.Array:
    if index is None:
        return value.astype(b.dtype)
    if isinstance(index, slice):
        return _put_rows(b, value, index.start)
    return _put_rows(b, value.reshape((1, *b.shape[1:])), index)


def _value_for(value: Any, shape: tuple, dtype: Any) -> jax.Array:
    """``value`` (NDArray, jax/numpy array, list, scalar) as a jax array of shape and dtype.

    Broadcasting is allowed (``a[:] = 0``, a row into every row); a value that
    does not broadcast to ``shape`` is a ``ValueError``, as in MXNet.
    """
    if isinstance(value, NDArray):
        value = value._data
    if isinstance(value, jax.Array):
        if value.shape == shape and value.dtype == dtype:
            return value
    elif isinstance(value, (bool, np.bool_)):
        return _assign(int(value), shape, np.dtype(dtype))
    elif isinstance(value, (int, float)):
        return _assign(value, shape, np.dtype(dtype))
    elif not isinstance(value, numeric_types):
        value = np.asarray(value)
        if value.dtype == object:
            raise TypeError(f"cannot assign a value of type {type(value)} to an NDArray")
    vshape = tuple(np.shape(value))
    if vshape != shape:
        try:
            ok = np.broadcast_shapes(vshape, shape) == shape
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"cannot broadcast a value of shape {vshape} to the array's "
                             f"shape {shape}")
    return _assign(value, shape, np.dtype(dtype))


def _convert_index(key: Any) -> Any:
    """NDArray / list pieces of an index as arrays (MXNet allows both as index arrays)."""
    if isinstance(key, NDArray):
        d = key._data
        return d.astype(jnp.int32) if jnp.issubdtype(d.dtype, jnp.floating) else d
    if isinstance(key, list):
        return np.asarray(key)
    if isinstance(key, tuple):
        return tuple(_convert_index(k) for k in key)
    return key


# ---------------------------------------------------------------- creation
def _ctx(ctx: Context | None) -> Context:
    return ctx if ctx is not None else current_context()


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


#: constants up to this many elements are filled on the host and copied: a jitted fill
#: compiles one kernel per shape (tens of ms each), a copy of a small buffer costs microseconds
_HOST_FILL_MAX = 1 << 22


def _filled(shape: Any, value: Any, ctx: Context | None, dtype: Any) -> NDArray:
    ctx = _ctx(ctx)
    dt = dtype_np(dtype)
    shape = _shape(shape)
    with jax.enable_x64(True):
        if math.prod(shape) <= _HOST_FILL_MAX:
            return NDArray(jax.device_put(np.full(shape, value, dt), ctx.jax_device), ctx)
        return NDArray(_on_device(_fill(value, shape, dt), ctx), ctx)


def array(source_array: Any, ctx: Context | None = None, dtype: Any = None) -> NDArray:
    """``mx.nd.array``: float32 unless ``dtype`` is given or the source is an NDArray.

    As in MXNet, a numpy or list source of any dtype becomes float32 by default
    (integer labels become float32); the result never shares memory with the source.
    """
    ctx = _ctx(ctx)
    if isinstance(source_array, NDArray):
        dt = dtype_np(dtype, source_array._data.dtype)
        with jax.enable_x64(True):
            src = source_array._data
            val = _cast(src, dt) if src.dtype != dt else _copy(src)
            return NDArray(_on_device(val, ctx), ctx)
    dt = dtype_np(dtype)
    if isinstance(source_array, jax.Array):
        with jax.enable_x64(True):
            return NDArray(_on_device(_cast(source_array, dt), ctx), ctx)
    try:
        src = np.asarray(source_array)
        if src.dtype == object:
            raise TypeError
        src = src.astype(dt, copy=False)
    except (TypeError, ValueError) as err:
        raise TypeError(f"source_array must be array like object, got "
                        f"{type(source_array).__name__}") from err
    with jax.enable_x64(True):
        return NDArray(jax.device_put(src, ctx.jax_device), ctx)


def from_jax(value: jax.Array, ctx: Context | None = None) -> NDArray:
    """Wrap a jax array without copying."""
    return NDArray(value, _ctx(ctx))


def zeros(shape: Any, ctx: Context | None = None, dtype: Any = None, **kwargs: Any) -> NDArray:
    """``mx.nd.zeros`` (float32 unless ``dtype``)."""
    return _filled(shape, 0, ctx, dtype)


def ones(shape: Any, ctx: Context | None = None, dtype: Any = None, **kwargs: Any) -> NDArray:
    """``mx.nd.ones`` (float32 unless ``dtype``)."""
    return _filled(shape, 1, ctx, dtype)


def full(shape: Any, val: Any, ctx: Context | None = None, dtype: Any = None,
         out: NDArray | None = None) -> NDArray:
    """``mx.nd.full``: ``val`` (cast to the dtype) everywhere; writes into ``out`` if given."""
    dt = dtype_np(dtype)
    v = float(val) if dt.kind == "f" else val
    res = _filled(shape, v, ctx, dt)
    if out is not None:
        out._set(res)
        return out
    return res


def empty(shape: Any, ctx: Context | None = None, dtype: Any = None) -> NDArray:
    """Uninitialised in MXNet; zero-filled here."""
    return zeros(shape, ctx, dtype)


def arange(start: float, stop: float | None = None, step: float = 1.0, repeat: int = 1,
           infer_range: bool = False, ctx: Context | None = None, dtype: Any = None) -> NDArray:
    """``mx.nd.arange`` (float32 by default; ``repeat`` repeats each value)."""
    ctx = _ctx(ctx)
    dt = dtype_np(dtype)
    if stop is None:
        start, stop = 0, start
    n = int(np.ceil((stop - start) / step))
    vals = start + step * np.arange(max(n, 0), dtype=np.float64)
    if repeat > 1:
        vals = np.repeat(vals, repeat)
    with jax.enable_x64(True):
        return NDArray(jax.device_put(vals.astype(dt), ctx.jax_device), ctx)


def zeros_like(other: NDArray, **kwargs: Any) -> NDArray:
    """Zeros with ``other``'s shape, dtype and context."""
    return zeros(other.shape, other.context, other._data.dtype)


def ones_like(other: NDArray, **kwargs: Any) -> NDArray:
    """Ones with ``other``'s shape, dtype and context."""
    return ones(other.shape, other.context, other._data.dtype)


@with_x64
def concat(*data: NDArray, dim: int = 1, **kwargs: Any) -> NDArray:
    """``mx.nd.concat(a, b, dim=1)``: join along ``dim``."""
    if len(data) == 1 and isinstance(data[0], (list, tuple)):
        data = tuple(data[0])
    dim = kwargs.pop("axis", dim)
    _check_same_dtype(data, "concat")
    try:
        return NDArray(jnp.concatenate([d._data for d in data], axis=dim), data[0].context)
    except (TypeError, ValueError) as err:
        raise MXNetError(f"concat: cannot join shapes {[d.shape for d in data]} along dim "
                         f"{dim}") from err


def concatenate(arrays: Sequence[NDArray], axis: int = 0, always_copy: bool = True) -> NDArray:
    """``mx.nd.concatenate``: join a list along ``axis`` (default 0)."""
    return concat(*arrays, dim=axis)


@with_x64
def stack(*data: NDArray, axis: int = 0, **kwargs: Any) -> NDArray:
    """Stack same-shaped arrays along a new ``axis``."""
    if len(data) == 1 and isinstance(data[0], (list, tuple)):
        data = tuple(data[0])
    _check_same_dtype(data, "stack")
    try:
        return NDArray(jnp.stack([d._data for d in data], axis=axis), data[0].context)
    except (TypeError, ValueError) as err:
        raise MXNetError(f"stack: cannot stack shapes {[d.shape for d in data]}") from err


@with_x64
def moveaxis(tensor: NDArray, source: int, destination: int) -> NDArray:
    """Move axis ``source`` to ``destination``."""
    return NDArray(jnp.moveaxis(tensor._data, source, destination), tensor.context)


def _check_same_dtype(data: Sequence[NDArray], what: str) -> None:
    if not data:
        raise MXNetError(f"{what} needs at least one array")
    dts = {np.dtype(d._data.dtype) for d in data}
    if len(dts) > 1:
        raise MXNetError(f"{what}: arrays have different dtypes {sorted(d.name for d in dts)}")


def waitall() -> None:
    """Block until all pending computation is done (``mx.nd.waitall``)."""
    for arr in jax.live_arrays():
        try:
            arr.block_until_ready()
        except Exception:  # noqa: BLE001 - deleted/donated buffers have nothing to wait for
            pass
