"""``mx.random``: seeding, random keys, and the samplers of ``mx.nd.random``.

MXNet's random streams cannot be reproduced bit for bit; what mxjax keeps is
that ``mx.random.seed(s)`` makes a whole run (initializers, Dropout masks,
sampling ops) reproducible, and that every sampler has MXNet's parameters,
checks, shapes and dtypes.

Two kinds of draws share one seeded counter:

* draws with scalar parameters (``mx.random.uniform(-s, s, shape)`` as the
  initializers use them, ``mx.nd.random.*``) run on the host with NumPy's PCG64
  seeded from (seed, counter) and are copied to the array's device: no XLA
  compilation per shape, which would cost start-up time on every parameter shape;
* ``next_key()`` gives JAX keys for random ops inside compiled code (Dropout,
  ``_random_uniform``, ``_sample_normal`` ... in a bound graph or ``mx.nd.<op>``):
  a Threefry key built on the host from (seed, counter) by a SplitMix64 mix,
  again without any eager JAX call.

The public samplers (``uniform``, ``normal``, ``multinomial``, ``shuffle`` ...)
are those of ``mx.nd.random`` (MXNet's ``mx.random`` re-exports them too); they
are resolved lazily because ``mxjax.ndarray`` imports this module.
"""

from __future__ import annotations

import threading
from typing import Any

import jax
import numpy as np

from .base import MXNetError

# the samplers are resolved lazily by ``__getattr__`` below


class _NullType:
    """MXNet's ``_Null``: an argument that was not given."""

    def __repr__(self) -> str:
        return "_Null"


_Null: Any = _NullType()
_NUMERIC = (int, float, np.integer, np.floating)  # what counts as a number parameter

#: the ``*_like`` samplers and their one-line docs (nd.random and sym.random)
LIKE_DOCS = {
    "uniform": "Uniform samples (low=0, high=1) shaped and typed like data.",
    "normal": "Normal samples (loc=0, scale=1) shaped and typed like data.",
    "exponential": "Exponential samples of rate ``lam`` like data.",
    "gamma": "Gamma samples (alpha, beta) shaped and typed like data.",
    "poisson": "Poisson samples of rate ``lam`` like data.",
    "negative_binomial": "Negative binomial (k, p) like data.",
    "generalized_negative_binomial": "Generalized negative binomial (mu, alpha) like data.",
}

__all__ = ["seed", "next_key", "uniform", "normal", "randn", "randint", "poisson",  # noqa: F822
           "exponential", "gamma", "negative_binomial", "generalized_negative_binomial",
           "multinomial", "shuffle"]

_state = threading.local()
_MASK64 = (1 << 64) - 1

#: distribution -> its MXNet attribute names, in the order of the ``_random_<dist>`` op
DIST_PARAMS: dict[str, tuple[str, ...]] = {
    "uniform": ("low", "high"),
    "normal": ("loc", "scale"),
    "gamma": ("alpha", "beta"),
    "exponential": ("lam",),
    "poisson": ("lam",),
    "negative_binomial": ("k", "p"),
    "generalized_negative_binomial": ("mu", "alpha"),
    "randint": ("low", "high"),
}


def _next_counter() -> tuple[int, int]:
    base = getattr(_state, "seed", 0)
    n = getattr(_state, "counter", 0)
    _state.counter = n + 1
    return base, n


def seed(seed_state: int, ctx: Any = "all") -> None:
    """Seed mxjax's generator (``mx.random.seed``; ``ctx`` is accepted for MXNet
    compatibility: one stream serves every device)."""
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


def check_params(dist: str, values: dict[str, Any], where: str) -> None:
    """MXNet's checks on scalar distribution parameters (``sample_op.h``), as ``MXNetError``."""
    v = values
    bad = None
    if dist == "uniform" and not v["high"] >= v["low"]:
        bad = (f"Check failed: param.high >= param.low ({v['high']} vs. {v['low']}) : "
               "low must be less or equal to high in uniform distribution")
    elif dist == "normal" and not v["scale"] > 0:
        bad = (f"Check failed: param.scale > 0 ({v['scale']} vs. 0) : scale parameter in "
               "gaussian has to be positive")
    elif dist == "gamma" and not (v["alpha"] > 0 and v["beta"] > 0):
        which = "alpha" if not v["alpha"] > 0 else "beta"
        bad = (f"Check failed: param.{which} > 0 ({v[which]} vs. 0) : {which} parameter in "
               "gamma distribution has to be positive")
    elif dist == "exponential" and not v["lam"] > 0:
        bad = (f"Check failed: param.lam > 0 ({v['lam']} vs. 0) : lambda parameter in "
               "exponential distribution has to be positive")
    elif dist == "poisson" and not v["lam"] >= 0:
        bad = (f"Check failed: param.lam >= 0 ({v['lam']} vs. 0) : lambda parameter in poisson "
               "distribution has to be non-negative")
    elif dist == "negative_binomial" and not (v["k"] > 0 and v["p"] >= 0):
        bad = (f"Check failed: param.k > 0 and param.p >= 0 (k={v['k']}, p={v['p']}) : "
               "k must be positive and p non-negative in negative binomial distribution")
    elif dist == "generalized_negative_binomial" and not (v["mu"] >= 0 and v["alpha"] >= 0):
        bad = (f"Check failed: param.mu >= 0 and param.alpha >= 0 (mu={v['mu']}, "
               f"alpha={v['alpha']}) : parameters of generalized negative binomial "
               "distribution have to be non-negative")
    elif dist == "randint" and not v["high"] > v["low"]:
        bad = (f"Check failed: param.high > param.low ({v['high']} vs. {v['low']}) : "
               "randint needs low < high")
    if bad is not None:
        raise MXNetError(f"{where}: {bad}")


def host_sample(dist: str, values: dict[str, Any], shape: tuple[int, ...],
                dtype: np.dtype) -> np.ndarray:
    """Draw ``shape`` samples of ``dist`` with scalar parameters on the host (NumPy PCG64
    from the seeded counter); the distributions are MXNet's (``gamma``: shape alpha,
    scale beta; ``exponential``: rate lam; ``negative_binomial``: failures before the
    k-th success of probability p; ``generalized_negative_binomial``: mean mu,
    variance mu + alpha mu²)."""
    g = _generator()
    v = values
    if dist == "uniform":
        out = g.uniform(v["low"], v["high"], size=shape)
    elif dist == "normal":
        out = g.normal(v["loc"], v["scale"], size=shape)
    elif dist == "gamma":
        out = g.gamma(v["alpha"], v["beta"], size=shape)
    elif dist == "exponential":
        out = g.exponential(1.0 / v["lam"], size=shape)
    elif dist == "poisson":
        out = g.poisson(v["lam"], size=shape)
    elif dist == "negative_binomial":
        p = min(max(float(v["p"]), 1e-300), 1.0)
        out = g.poisson(g.gamma(v["k"], (1.0 - p) / p, size=shape))
    elif dist == "generalized_negative_binomial":
        if v["alpha"] == 0:
            out = g.poisson(v["mu"], size=shape)
        else:
            out = g.poisson(g.gamma(1.0 / v["alpha"], v["alpha"] * v["mu"], size=shape))
    elif dist == "randint":
        out = g.integers(v["low"], v["high"], size=shape)
    else:  # pragma: no cover - callers pass DIST_PARAMS keys
        raise MXNetError(f"unknown distribution {dist!r}")
    return np.asarray(out).astype(dtype)


_PUBLIC = set(__all__) - {"seed", "next_key"}


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        from .ndarray import random as _nd_random

        return getattr(_nd_random, name)
    raise AttributeError(f"module 'mxjax.random' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _PUBLIC)
