"""``mx.nd.random`` (and ``mx.random``): MXNet 1.9.1's sampling functions on NDArrays.

As in MXNet's ``ndarray/random.py``, each sampler dispatches on its parameters:

* numbers -> the ``_random_<dist>`` op: ``shape`` defaults to ``(1,)`` (or to
  ``out``'s shape), placed on ``ctx`` (default: the current context); these draws
  run on the host from mxjax's seeded stream (see ``mxjax.random``);
* NDArrays (all of them) -> the ``_sample_<dist>`` op: output
  ``param.shape + shape``, one block of samples per parameter element;
* a mix -> ``AssertionError``; anything else -> ``ValueError`` (MXNet's messages).

``dtype`` follows MXNet: float32 by default (int32 for ``randint``; ``out``'s dtype
when ``out`` is given); an explicit ``dtype=None`` means float64, as MXNet's
generated functions turn ``None`` into ``np.dtype(None)``.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from ..base import MXNetError, dtype_np
from ..context import Context, current_context
from ..operator import random_ops as _random_ops  # noqa: F401  (registers the sampling ops)
from ..operator.registry import get_op
from ..random import _NUMERIC, DIST_PARAMS, LIKE_DOCS, _Null, check_params, host_sample
from .ndarray import NDArray
from .register import invoke

__all__ = ["uniform", "normal", "randn", "poisson", "exponential", "gamma",
           "negative_binomial", "generalized_negative_binomial", "randint", "multinomial",
           "shuffle", "uniform_like", "normal_like", "exponential_like", "gamma_like",
           "poisson_like", "negative_binomial_like", "generalized_negative_binomial_like"]


def _dtype_arg(dtype: Any) -> Any:
    if dtype is _Null:
        return _Null
    if dtype is None:
        return "float64"  # MXNet: np.dtype(None).name
    return dtype


def _random_helper(dist: str, params: list, shape: Any, dtype: Any, ctx: Context | None,
                   out: NDArray | None, kwargs: dict[str, Any]) -> NDArray:
    """MXNet's ``_random_helper``: NDArray parameters -> ``_sample_<dist>``; numbers ->
    ``_random_<dist>`` with ``shape`` defaulting to 1."""
    kwargs = dict(kwargs)
    kwargs.pop("name", None)
    dtype = _dtype_arg(dtype)
    if isinstance(params[0], NDArray):
        for p in params[1:]:
            if not isinstance(p, NDArray):
                raise AssertionError("Distribution parameters must all have the same type, but "
                                     f"got both {type(params[0])} and {type(p)}.")
        if shape is not _Null:
            kwargs["shape"] = shape
        if dtype is not _Null:
            kwargs["dtype"] = dtype
        return invoke(f"_sample_{dist}", tuple(params), {**kwargs, "out": out})
    if isinstance(params[0], _NUMERIC):
        for p in params[1:]:
            if not isinstance(p, _NUMERIC):
                raise AssertionError("Distribution parameters must all have the same type, but "
                                     f"got both {type(params[0])} and {type(p)}.")
        return _scalar_draw(dist, params, shape, dtype, ctx, out, kwargs)
    raise ValueError("Distribution parameters must be either NDArray or numbers, but got "
                     f"{type(params[0])}.")


def _scalar_draw(dist: str, params: list, shape: Any, dtype: Any, ctx: Context | None,
                 out: NDArray | None, kwargs: dict[str, Any]) -> NDArray:
    op = get_op(f"_random_{dist}")
    if shape is _Null:
        shape = tuple(out.shape) if out is not None else 1
    if dtype is _Null and out is not None:
        dtype = np.dtype(out.dtype).name
    raw: dict[str, Any] = dict(zip(DIST_PARAMS[dist], params, strict=True))
    if dist == "randint":
        for n, v in raw.items():
            if not isinstance(v, (int, np.integer)):
                raise MXNetError(f"Invalid Parameter format for {n} expect long but "
                                 f"value='{v}', in operator _random_randint")
    raw.update(kwargs)
    raw["shape"] = shape
    if dtype is not _Null:
        raw["dtype"] = dtype
    a = op.parse_attrs(raw, op.name)
    shp = tuple(a.shape)
    if not shp or any(d < 0 for d in shp):
        raise MXNetError(f"Operator {op.name} inferring shapes failed: shape={shp} (pass a "
                         "non-empty shape or out=)")
    values = {n: a[n] for n in DIST_PARAMS[dist]}
    check_params(dist, values, op.name)
    dt = dtype_np(a.dtype or ("int32" if dist == "randint" else "float32"))
    if out is not None and (tuple(out.shape) != shp or np.dtype(out.dtype) != dt):
        raise MXNetError(f"{op.name}: out= is {tuple(out.shape)} {np.dtype(out.dtype).name} "
                         f"but the result is {shp} {dt.name}")
    value = host_sample(dist, values, shp, dt)
    if out is not None:
        out[:] = value
        return out
    ctx = ctx or current_context()
    with jax.enable_x64(True):
        return NDArray(jax.device_put(value, ctx.jax_device), ctx)


def uniform(low: Any = 0, high: Any = 1, shape: Any = _Null, dtype: Any = _Null,
            ctx: Context | None = None, out: NDArray | None = None, **kwargs: Any) -> NDArray:
    """Uniform samples on [low, high) (``mx.nd.random.uniform``)."""
    return _random_helper("uniform", [low, high], shape, dtype, ctx, out, kwargs)


def normal(loc: Any = 0, scale: Any = 1, shape: Any = _Null, dtype: Any = _Null,
           ctx: Context | None = None, out: NDArray | None = None, **kwargs: Any) -> NDArray:
    """Normal samples N(loc, scale²) (``mx.nd.random.normal``)."""
    return _random_helper("normal", [loc, scale], shape, dtype, ctx, out, kwargs)


def randn(*shape: int, **kwargs: Any) -> NDArray:
    """Normal samples of shape ``shape`` (``mx.nd.random.randn(2, 3, loc=0, scale=1)``)."""
    loc = kwargs.pop("loc", 0)
    scale = kwargs.pop("scale", 1)
    dtype = kwargs.pop("dtype", _Null)
    ctx = kwargs.pop("ctx", None)
    out = kwargs.pop("out", None)
    return _random_helper("normal", [loc, scale], tuple(shape), dtype, ctx, out, kwargs)


def poisson(lam: Any = 1, shape: Any = _Null, dtype: Any = _Null, ctx: Context | None = None,
            out: NDArray | None = None, **kwargs: Any) -> NDArray:
    """Poisson samples of rate ``lam`` (float dtype, as MXNet)."""
    return _random_helper("poisson", [lam], shape, dtype, ctx, out, kwargs)


def exponential(scale: Any = 1, shape: Any = _Null, dtype: Any = _Null,
                ctx: Context | None = None, out: NDArray | None = None,
                **kwargs: Any) -> NDArray:
    """Exponential samples of mean ``scale`` (the op's rate ``lam`` is ``1.0/scale``)."""
    return _random_helper("exponential", [1.0 / scale], shape, dtype, ctx, out, kwargs)


def gamma(alpha: Any = 1, beta: Any = 1, shape: Any = _Null, dtype: Any = _Null,
          ctx: Context | None = None, out: NDArray | None = None, **kwargs: Any) -> NDArray:
    """Gamma samples with shape ``alpha`` and scale ``beta`` (mean alpha·beta)."""
    return _random_helper("gamma", [alpha, beta], shape, dtype, ctx, out, kwargs)


def negative_binomial(k: Any = 1, p: Any = 1, shape: Any = _Null, dtype: Any = _Null,
                      ctx: Context | None = None, out: NDArray | None = None,
                      **kwargs: Any) -> NDArray:
    """Failures before the ``k``-th success of probability ``p`` (``k`` an int attribute)."""
    return _random_helper("negative_binomial", [k, p], shape, dtype, ctx, out, kwargs)


def generalized_negative_binomial(mu: Any = 1, alpha: Any = 1, shape: Any = _Null,
                                  dtype: Any = _Null, ctx: Context | None = None,
                                  out: NDArray | None = None, **kwargs: Any) -> NDArray:
    """Samples with mean ``mu`` and variance ``mu + alpha·mu²`` (Poisson for alpha=0)."""
    return _random_helper("generalized_negative_binomial", [mu, alpha], shape, dtype, ctx, out,
                          kwargs)


def randint(low: Any, high: Any, shape: Any = _Null, dtype: Any = _Null,
            ctx: Context | None = None, out: NDArray | None = None, **kwargs: Any) -> NDArray:
    """Integers uniformly from [low, high) (int32 default; ``low``/``high`` must be ints)."""
    if isinstance(low, NDArray) or isinstance(high, NDArray):
        raise MXNetError("mx.nd.random.randint: low and high must be integers (MXNet has no "
                         "_sample_randint)")
    return _random_helper("randint", [low, high], shape, dtype, ctx, out, kwargs)


def multinomial(data: NDArray, shape: Any = _Null, get_prob: bool = False,
                out: NDArray | None = None, dtype: Any = "int32", **kwargs: Any) -> Any:
    """Class indices drawn from the probabilities on ``data``'s last axis.

    Output shape ``data.shape[:-1] + shape`` (``(1,)`` for 1-D data and no shape);
    with ``get_prob=True`` a list ``[samples, log_prob]`` (log_prob in data's dtype).
    """
    kwargs.pop("name", None)
    if shape is not _Null:
        kwargs["shape"] = shape
    return invoke("_sample_multinomial", (data,),
                  {**kwargs, "get_prob": get_prob, "dtype": _dtype_arg(dtype), "out": out})


def shuffle(data: NDArray, **kwargs: Any) -> NDArray:
    """A copy of ``data`` with its first axis randomly permuted (``_shuffle``)."""
    return invoke("_shuffle", (data,), kwargs)


def _like(dist: str):
    op_name = f"_random_{dist}_like"

    def fn(data: NDArray | None = None, *args: Any, **kwargs: Any) -> NDArray:
        if data is None:
            raise MXNetError(f"{dist}_like: data (the array to take shape and dtype from) "
                             "is required")
        return invoke(op_name, (data, *args), kwargs)

    fn.__name__ = fn.__qualname__ = f"{dist}_like"
    fn.__doc__ = LIKE_DOCS[dist]
    return fn


uniform_like = _like("uniform")
normal_like = _like("normal")
exponential_like = _like("exponential")
gamma_like = _like("gamma")
poisson_like = _like("poisson")
negative_binomial_like = _like("negative_binomial")
generalized_negative_binomial_like = _like("generalized_negative_binomial")
