"""``mx.random``: seeding and random arrays.

MXNet's random streams cannot be reproduced bit for bit; what mxjax keeps is
that ``mx.random.seed(s)`` makes a whole run (initializers, Dropout masks,
sampling) reproducible. One global JAX key is split for every draw.
"""

from __future__ import annotations

import threading
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .base import dtype_np
from .context import Context, current_context

__all__ = ["seed", "next_key", "uniform", "normal", "randint", "shuffle"]

_state = threading.local()


def _key() -> jax.Array:
    k = getattr(_state, "key", None)
    if k is None:
        k = _state.key = np.asarray(jax.random.key_data(jax.random.PRNGKey(0)))
    return k


def seed(seed_state: int, ctx: Any = "all") -> None:
    """Seed mxjax's generator (``ctx`` is accepted for MXNet compatibility)."""
    if not isinstance(seed_state, (int, np.integer)):
        raise ValueError("seed_state must be int")
    _state.key = np.asarray(jax.random.key_data(jax.random.PRNGKey(int(seed_state))))
    _state.counter = 0


def next_key() -> jax.Array:
    """A fresh key (the global key folded with a running counter; no device round trip)."""
    n = getattr(_state, "counter", 0)
    _state.counter = n + 1
    with jax.enable_x64(True):
        return jax.random.fold_in(jax.random.wrap_key_data(jnp.asarray(_key())), n)


def _out(value: jax.Array, ctx: Context | None, out: Any):
    from .ndarray.ndarray import NDArray

    if out is not None:
        out._set(value)
        return out
    ctx = ctx or current_context()
    return NDArray(jax.device_put(value, ctx.jax_device), ctx)


def uniform(low: float = 0.0, high: float = 1.0, shape: Any = (), dtype: Any = None,
            ctx: Context | None = None, out: Any = None, **kwargs: Any):
    """Samples from U[low, high)."""
    shape = tuple(out.shape) if out is not None else _shape(shape)
    dt = dtype_np(dtype if out is None else out._data.dtype)
    with jax.enable_x64(True):
        v = jax.random.uniform(next_key(), shape, jnp.float32, low, high).astype(dt)
    return _out(v, ctx, out)


def normal(loc: float = 0.0, scale: float = 1.0, shape: Any = (), dtype: Any = None,
           ctx: Context | None = None, out: Any = None, **kwargs: Any):
    """Samples from N(loc, scale²)."""
    shape = tuple(out.shape) if out is not None else _shape(shape)
    dt = dtype_np(dtype if out is None else out._data.dtype)
    with jax.enable_x64(True):
        v = (loc + scale * jax.random.normal(next_key(), shape, jnp.float32)).astype(dt)
    return _out(v, ctx, out)


def randint(low: int, high: int, shape: Any = (), dtype: Any = "int32",
            ctx: Context | None = None, out: Any = None, **kwargs: Any):
    """Integers uniformly from [low, high)."""
    shape = tuple(out.shape) if out is not None else _shape(shape)
    with jax.enable_x64(True):
        v = jax.random.randint(next_key(), shape, low, high, dtype=dtype_np(dtype))
    return _out(v, ctx, out)


def shuffle(data: Any, **kwargs: Any):
    """A copy of ``data`` with its first axis permuted."""
    from .ndarray.ndarray import NDArray

    with jax.enable_x64(True):
        v = jax.random.permutation(next_key(), data._data, axis=0)
    return NDArray(v, data.context)


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)
