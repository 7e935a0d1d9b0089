"""``mx.random``: seeding and random arrays.

MXNet's random streams cannot be reproduced bit for bit; what mxjax keeps is
that ``mx.random.seed(s)`` makes a whole run (initializers, Dropout masks,
sampling) reproducible.

Two kinds of draws share one seeded counter:

* ``uniform``/``normal``/``randint``/``shuffle`` (initializers, ``mx.nd.random``)
  draw on the host with NumPy's PCG64 seeded from (seed, counter) and copy the
  result to the array's device: no XLA compilation per shape, which would cost
  start-up time on every new parameter shape;
* ``next_key()`` gives JAX keys for random ops inside compiled steps (Dropout):
  a Threefry key built on the host from (seed, counter) by a SplitMix64 mix,
  again without any eager JAX call.
"""

from __future__ import annotations

import threading
from typing import Any

import jax
import numpy as np

from .base import dtype_np
from .context import Context, current_context

__all__ = ["seed", "next_key", "uniform", "normal", "randint", "shuffle"]

_state = threading.local()
_MASK64 = (1 << 64) - 1


def _next_counter() -> tuple[int, int]:
    base = getattr(_state, "seed", 0)
    n = getattr(_state, "counter", 0)
    _state.counter = n + 1
    return base, n


def seed(seed_state: int, ctx: Any = "all") -> None:
    """Seed mxjax's generator (``ctx`` is accepted for MXNet compatibility)."""
    if not isinstance(seed_state, (int, np.integer)):
        raise ValueError("seed_state must be int")
    _state.seed = int(seed_state)
    _state.counter = 0


def _splitmix64(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def next_key() -> jax.Array:
    """A fresh JAX PRNG key (distinct for every call; reproducible after ``seed``)."""
    base, n = _next_counter()
    mixed = _splitmix64(_splitmix64(base & _MASK64) ^ n)
    data = np.array([mixed >> 32, mixed & 0xFFFFFFFF], dtype=np.uint32)
    return jax.random.wrap_key_data(data, impl="threefry2x32")


def _generator() -> np.random.Generator:
    base, n = _next_counter()
    return np.random.Generator(np.random.PCG64([base & _MASK64, n]))


def _out(value: np.ndarray, ctx: Context | None, out: Any):
    from .ndarray.ndarray import NDArray

    if out is not None:
        out[:] = value
        return out
    ctx = ctx or current_context()
    with jax.enable_x64(True):
        return NDArray(jax.device_put(value, ctx.jax_device), ctx)


def _target(shape: Any, dtype: Any, out: Any) -> tuple[tuple[int, ...], np.dtype]:
    if out is not None:
        return tuple(out.shape), np.dtype(out.dtype)
    return _shape(shape), dtype_np(dtype)


def uniform(low: float = 0.0, high: float = 1.0, shape: Any = (), dtype: Any = None,
            ctx: Context | None = None, out: Any = None, **kwargs: Any):
    """Samples from U[low, high) (``mx.nd.random.uniform``)."""
    shape, dt = _target(shape, dtype, out)
    v = _generator().uniform(low, high, size=shape).astype(dt)
    return _out(v, ctx, out)


def normal(loc: float = 0.0, scale: float = 1.0, shape: Any = (), dtype: Any = None,
           ctx: Context | None = None, out: Any = None, **kwargs: Any):
    """Samples from N(loc, scale²) (``mx.nd.random.normal``)."""
    shape, dt = _target(shape, dtype, out)
    v = _generator().normal(loc, scale, size=shape).astype(dt)
    return _out(v, ctx, out)


def randint(low: int, high: int, shape: Any = (), dtype: Any = "int32",
            ctx: Context | None = None, out: Any = None, **kwargs: Any):
    """Integers uniformly from [low, high) (``mx.nd.random.randint``)."""
    shape, dt = _target(shape, dtype, out)
    v = _generator().integers(low, high, size=shape).astype(dt)
    return _out(v, ctx, out)


def shuffle(data: Any, **kwargs: Any):
    """A copy of ``data`` with its first axis permuted (``mx.nd.random.shuffle``)."""
    perm = _generator().permutation(data.shape[0]) if data.shape else np.zeros(0, int)
    return _out(data.asnumpy()[perm], data.context, None)


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)
