"""``NDArray``: MXNet's mutable array, as a handle over an immutable ``jax.Array``.

MXNet arrays are mutable and shared: an initializer writes ``arr[:] = v`` and
every holder of ``arr`` sees it. JAX arrays are immutable, so an ``NDArray``
holds a reference that in-place operations rebind (``a[:] = b``, ``a += b``,
``a[1:3] = 0``). Basic indexing along the first axis (``a[1]``, ``a[2:5]``)
returns a *view* like MXNet's: reading it reads the parent, writing it writes
into the parent. Every other indexing form returns a copy, as in MXNet.

Arithmetic broadcasts like MXNet's ``broadcast_*`` ops; scalars are cast to
the array's dtype (``_plus_scalar`` semantics); comparisons return 0/1 in the
array's dtype. Operands of different dtypes are an error, as in MXNet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..base import MXNetError, dtype_np, numeric_types, with_x64
from ..context import Context, current_context

__all__ = [
    "NDArray",
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
    """A value computed on first use (outputs of a forward pass that backward may supply)."""

    __slots__ = ("_thunk",)

    def __init__(self, thunk):
        self._thunk = thunk

    def resolve(self) -> jax.Array:
        return self._thunk()


def _place(value: Any, ctx: Context, dtype: np.dtype | None = None) -> jax.Array:
    """Put ``value`` on ``ctx``'s device as a jax array (inside the 64-bit scope)."""
    if isinstance(value, jax.Array):
        arr = value if dtype is None or value.dtype == dtype else value.astype(dtype)
    else:
        arr = np.asarray(value, dtype=dtype)
    return jax.device_put(arr, ctx.jax_device)


class NDArray:
    """A mutable n-dimensional array on a device (``mx.nd.NDArray``)."""

    __slots__ = ("_value", "_ctx", "_base", "_index", "__weakref__")
    __array_priority__ = 1000.0

    def __init__(self, data: Any, ctx: Context | None = None, _base=None, _index=None):
        self._ctx = ctx if ctx is not None else current_context()
        self._base: NDArray | None = _base
        self._index = _index
        self._value = data if _base is None else None

    # ------------------------------------------------------------------ storage
    @property
    def _data(self) -> jax.Array:
        """The current jax array (for a view: the parent's slice; lazy values resolved)."""
        if self._base is not None:
            return self._base._data[self._index]
        v = self._value
        if type(v) is Lazy:
            v = self._value = v.resolve()
        return v

    @_data.setter
    def _data(self, value: jax.Array) -> None:
        if self._base is not None:
            base = self._base._data
            with jax.enable_x64(True):
                self._base._data = base.at[self._index].set(value.astype(base.dtype))
        else:
            self._value = value

    def _set(self, value: Any) -> None:
        """Overwrite the whole content, keeping shape and dtype (``self[:] = value``)."""
        cur = self._data
        with jax.enable_x64(True):
            if isinstance(value, NDArray):
                value = value._data
            if isinstance(value, jax.Array):
                new = value.astype(cur.dtype)
                if new.shape != cur.shape:
                    new = jnp.broadcast_to(new, cur.shape)
                new = jax.device_put(new, self._ctx.jax_device)
            else:
                new = np.broadcast_to(np.asarray(value, dtype=cur.dtype), cur.shape)
                new = jax.device_put(np.ascontiguousarray(new), self._ctx.jax_device)
        self._data = new

    # --------------------------------------------------------------- properties
    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self._data.shape)

    @property
    def dtype(self) -> type:
        """The numpy scalar type, as MXNet returns it (``numpy.float32``)."""
        return np.dtype(self._data.dtype).type

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
    def T(self) -> NDArray:
        if self.ndim > 2:
            raise ValueError("Only 2D matrix is allowed to be transposed")
        return self._wrap(self._data.T)

    @property
    def grad(self) -> None:
        return None

    # ------------------------------------------------------------ conversions
    def asnumpy(self) -> np.ndarray:
        """A numpy copy of the content (blocks until computed)."""
        return np.array(self._data)

    def asscalar(self) -> Any:
        if self.shape != (1,) and self.size != 1:
            raise ValueError("The current array is not a scalar")
        return self.asnumpy().reshape(-1)[0]

    def wait_to_read(self) -> None:
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

    @with_x64
    def copy(self) -> NDArray:
        return self._wrap(jnp.array(self._data, copy=True))

    def copyto(self, other: NDArray | Context) -> NDArray:
        """Copy into ``other`` (an NDArray of the same shape, or a Context)."""
        if isinstance(other, Context):
            with jax.enable_x64(True):
                return NDArray(jax.device_put(self._data, other.jax_device), other)
        if not isinstance(other, NDArray):
            raise TypeError(f"copyto does not support type {type(other)}")
        if other is self:
            return other
        if other.shape != self.shape:
            raise MXNetError(
                f"copyto: shape mismatch, source {self.shape} vs destination {other.shape}"
            )
        other._set(self)
        return other

    def as_in_context(self, context: Context) -> NDArray:
        if context == self._ctx:
            return self
        return self.copyto(context)

    as_in_ctx = as_in_context

    @with_x64
    def astype(self, dtype: Any, copy: bool = True) -> NDArray:
        dt = dtype_np(dtype)
        if not copy and dt == self._data.dtype:
            return self
        return self._wrap(self._data.astype(dt))

    def reshape(self, *shape: Any, **kwargs: Any) -> NDArray:
        """Reshape with MXNet's special codes (0, -1, -2, -3, -4; ``reverse=``)."""
        from ..operator.tensor import infer_reshape

        if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
            shape = tuple(shape[0])
        if "shape" in kwargs:
            shape = tuple(kwargs.pop("shape"))
        reverse = bool(kwargs.pop("reverse", False))
        if kwargs:
            raise TypeError(f"reshape got unexpected arguments {sorted(kwargs)}")
        target = infer_reshape(self.shape, tuple(shape), reverse)
        with jax.enable_x64(True):
            return self._wrap(self._data.reshape(target))

    def flatten(self) -> NDArray:
        with jax.enable_x64(True):
            return self._wrap(self._data.reshape(self.shape[0], -1) if self.ndim else
                              self._data.reshape(1, 1))

    # -------------------------------------------------------------- indexing
    def _basic_view_index(self, key: Any):
        """The index if ``key`` is MXNet view indexing (int or unit-step slice), else None."""
        if self.ndim == 0:
            return None
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            k = int(key)
            n = self.shape[0]
            if k < -n or k >= n:
                raise IndexError(f"index {k} is out of bounds for axis 0 with size {n}")
            return k + n if k < 0 else k
        if isinstance(key, slice) and key.step in (None, 1):
            start, stop, _ = key.indices(self.shape[0])
            return slice(start, max(start, stop))
        return None

    def __getitem__(self, key: Any) -> NDArray:
        idx = self._basic_view_index(key)
        if idx is not None:
            return NDArray(None, self._ctx, _base=self, _index=idx)
        key = _convert_index(key)
        with jax.enable_x64(True):
            return self._wrap(self._data[key])

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(key, slice) and key == slice(None):
            self._set(value)
            return
        key = _convert_index(key)
        cur = self._data
        with jax.enable_x64(True):
            if isinstance(value, NDArray):
                value = value._data
            val = jnp.asarray(value, dtype=cur.dtype)
            self._data = cur.at[key].set(val)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d array")
        return self.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        if self.size == 1:
            return bool(self.asnumpy().reshape(-1)[0])
        if self.size == 0:
            return False
        raise ValueError(
            "The truth value of an NDArray with multiple elements is ambiguous."
        )

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
        with jax.enable_x64(True):
            self._value = _place(state["data"], self._ctx)

    # ------------------------------------------------------------ arithmetic
    def _binary(self, other: Any, fn, reverse: bool = False, cmp: bool = False) -> NDArray:
        a = self._data
        with jax.enable_x64(True):
            if isinstance(other, NDArray):
                b = other._data
                if b.dtype != a.dtype:
                    raise MXNetError(
                        f"operands have different dtypes: {np.dtype(a.dtype).name} and "
                        f"{np.dtype(b.dtype).name}; cast one with astype() first"
                    )
            elif isinstance(other, numeric_types):
                b = jnp.asarray(other, dtype=a.dtype) if not isinstance(other, bool) else \
                    jnp.asarray(int(other), dtype=a.dtype)
            elif isinstance(other, (np.ndarray, jax.Array)):
                b = jnp.asarray(other, dtype=a.dtype)
            else:
                return NotImplemented
            x, y = (b, a) if reverse else (a, b)
            out = fn(x, y)
            if cmp:
                out = out.astype(a.dtype)
            elif out.dtype != a.dtype:
                out = out.astype(a.dtype)
            return self._wrap(out)

    def _inplace(self, other: Any, fn) -> NDArray:
        res = self._binary(other, fn)
        if res is NotImplemented:
            return NotImplemented
        if res.shape != self.shape:
            raise MXNetError(
                f"in-place operation would change shape {self.shape} to {res.shape}"
            )
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

    def __mod__(self, o):
        return self._binary(o, _mod)

    def __rmod__(self, o):
        return self._binary(o, _mod, reverse=True)

    def __imod__(self, o):
        return self._inplace(o, _mod)

    def __pow__(self, o):
        return self._binary(o, jnp.power)

    def __rpow__(self, o):
        return self._binary(o, jnp.power, reverse=True)

    def __neg__(self):
        with jax.enable_x64(True):
            return self._wrap(-self._data)

    def __pos__(self):
        return self

    def __abs__(self):
        with jax.enable_x64(True):
            return self._wrap(jnp.abs(self._data))

    def __eq__(self, o):  # type: ignore[override]
        return self._binary(o, jnp.equal, cmp=True)

    def __ne__(self, o):  # type: ignore[override]
        return self._binary(o, jnp.not_equal, cmp=True)

    def __gt__(self, o):
        return self._binary(o, jnp.greater, cmp=True)

    def __ge__(self, o):
        return self._binary(o, jnp.greater_equal, cmp=True)

    def __lt__(self, o):
        return self._binary(o, jnp.less, cmp=True)

    def __le__(self, o):
        return self._binary(o, jnp.less_equal, cmp=True)


def _divide(x, y):
    if jnp.issubdtype(x.dtype, jnp.integer):
        return jnp.where(y == 0, 0, x // jnp.where(y == 0, 1, y))
    return x / y


def _mod(x, y):
    return jnp.mod(x, y)


def _convert_index(key: Any) -> Any:
    """Turn NDArray pieces of an index into jax arrays (MXNet allows NDArray indices)."""
    if isinstance(key, NDArray):
        return key._data.astype(jnp.int32) if jnp.issubdtype(key._data.dtype, jnp.floating) \
            else key._data
    if isinstance(key, tuple):
        return tuple(_convert_index(k) for k in key)
    return key


# ---------------------------------------------------------------- creation
def _ctx(ctx: Context | None) -> Context:
    return ctx if ctx is not None else current_context()


@with_x64
def array(source_array: Any, ctx: Context | None = None, dtype: Any = None) -> NDArray:
    """``mx.nd.array``: float32 unless ``dtype`` is given or the source is an NDArray."""
    ctx = _ctx(ctx)
    if isinstance(source_array, NDArray):
        dt = dtype_np(dtype, source_array._data.dtype)
        return NDArray(_place(source_array._data, ctx, dt), ctx)
    dt = dtype_np(dtype)
    try:
        src = np.asarray(source_array)
    except Exception as err:
        raise TypeError(f"source_array must be array like object, got {type(source_array)}") \
            from err
    if src.dtype == object:
        raise TypeError("source_array must be a numeric array-like object")
    return NDArray(_place(src.astype(dt, copy=False), ctx), ctx)


def from_jax(value: jax.Array, ctx: Context | None = None) -> NDArray:
    """Wrap a jax array without copying."""
    return NDArray(value, _ctx(ctx))


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


@with_x64
def zeros(shape: Any, ctx: Context | None = None, dtype: Any = None, **kwargs: Any) -> NDArray:
    ctx = _ctx(ctx)
    return NDArray(jax.device_put(jnp.zeros(_shape(shape), dtype_np(dtype)), ctx.jax_device), ctx)


@with_x64
def ones(shape: Any, ctx: Context | None = None, dtype: Any = None, **kwargs: Any) -> NDArray:
    ctx = _ctx(ctx)
    return NDArray(jax.device_put(jnp.ones(_shape(shape), dtype_np(dtype)), ctx.jax_device), ctx)


@with_x64
def full(shape: Any, val: Any, ctx: Context | None = None, dtype: Any = None,
         out: NDArray | None = None) -> NDArray:
    ctx = _ctx(ctx)
    res = NDArray(
        jax.device_put(jnp.full(_shape(shape), val, dtype_np(dtype)), ctx.jax_device), ctx
    )
    if out is not None:
        out._set(res)
        return out
    return res


def empty(shape: Any, ctx: Context | None = None, dtype: Any = None) -> NDArray:
    """Uninitialised in MXNet; zero-filled here."""
    return zeros(shape, ctx, dtype)


@with_x64
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
    return NDArray(jax.device_put(vals.astype(dt), ctx.jax_device), ctx)


def zeros_like(other: NDArray, **kwargs: Any) -> NDArray:
    return zeros(other.shape, other.context, other._data.dtype)


def ones_like(other: NDArray, **kwargs: Any) -> NDArray:
    return ones(other.shape, other.context, other._data.dtype)


@with_x64
def concat(*data: NDArray, dim: int = 1, **kwargs: Any) -> NDArray:
    """``mx.nd.concat(a, b, dim=1)``: join along ``dim``."""
    if len(data) == 1 and isinstance(data[0], (list, tuple)):
        data = tuple(data[0])
    dim = kwargs.pop("axis", dim)
    _check_same_dtype(data, "concat")
    return NDArray(jnp.concatenate([d._data for d in data], axis=dim), data[0].context)


def concatenate(arrays: Sequence[NDArray], axis: int = 0, always_copy: bool = True) -> NDArray:
    """``mx.nd.concatenate``: join a list along ``axis`` (default 0)."""
    return concat(*arrays, dim=axis)


@with_x64
def stack(*data: NDArray, axis: int = 0, **kwargs: Any) -> NDArray:
    if len(data) == 1 and isinstance(data[0], (list, tuple)):
        data = tuple(data[0])
    _check_same_dtype(data, "stack")
    return NDArray(jnp.stack([d._data for d in data], axis=axis), data[0].context)


@with_x64
def moveaxis(tensor: NDArray, source: int, destination: int) -> NDArray:
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
        except Exception:  # deleted/donated buffers
            pass
