"""``mx.sym.random``: MXNet 1.9.1's sampling functions building Symbols.

As in MXNet's ``symbol/random.py``: numbers -> a ``_random_<dist>`` node whose
attributes are the parameters as given (``low='0'``, ``high='1'``) plus
``shape``/``dtype`` only when passed (there is no default shape: it must be
given, or the op fails at bind time); Symbols (all of them) -> a
``_sample_<dist>`` node taking them as inputs. Node names use the op name as
hint (``_random_uniform0``, ``_sample_normal0``), ``uniform_like0`` for the
``*_like`` ops; the JSON is MXNet's byte for byte.
"""

from __future__ import annotations

from typing import Any

from ..base import MXNetError
from ..operator import random_ops as _random_ops  # noqa: F401  (registers the sampling ops)
from ..random import _NUMERIC, DIST_PARAMS, LIKE_DOCS, _Null
from .op_call import create_op_symbol
from .symbol import Symbol

__all__ = ["uniform", "normal", "randn", "poisson", "exponential", "gamma",
           "negative_binomial", "generalized_negative_binomial", "randint", "multinomial",
           "shuffle", "uniform_like", "normal_like", "exponential_like", "gamma_like",
           "poisson_like", "negative_binomial_like", "generalized_negative_binomial_like"]


def _split_name(kwargs: dict[str, Any]) -> tuple[str | None, dict | None]:
    return kwargs.pop("name", None), kwargs.pop("attr", None)


def _random_helper(dist: str, params: list, shape: Any, dtype: Any,
                   kwargs: dict[str, Any]) -> Symbol:
    """Symbols -> ``_sample_<dist>(*params)``; numbers -> ``_random_<dist>`` attributes."""
    kwargs = dict(kwargs)
    name, attr = _split_name(kwargs)
    if shape is not _Null:
        kwargs["shape"] = shape
    if dtype is not _Null:
        kwargs["dtype"] = "float64" if dtype is None else dtype
    if isinstance(params[0], Symbol):
        for p in params[1:]:
            if not isinstance(p, Symbol):
                raise AssertionError("Distribution parameters must all have the same type, but "
                                     f"got both {type(params[0])} and {type(p)}.")
        op = f"_sample_{dist}"
        return create_op_symbol(op, list(params), kwargs, name=name, attr=attr, hint=op)
    if isinstance(params[0], _NUMERIC):
        for p in params[1:]:
            if not isinstance(p, _NUMERIC):
                raise AssertionError("Distribution parameters must all have the same type, but "
                                     f"got both {type(params[0])} and {type(p)}.")
        op = f"_random_{dist}"
        values = dict(zip(DIST_PARAMS[dist], params, strict=True))
        return create_op_symbol(op, [], {**values, **kwargs}, name=name, attr=attr, hint=op)
    raise ValueError("Distribution parameters must be either Symbol or numbers, but got "
                     f"{type(params[0])}.")


def uniform(low: Any = 0, high: Any = 1, shape: Any = _Null, dtype: Any = _Null,
            **kwargs: Any) -> Symbol:
    """Uniform samples on [low, high) (``_random_uniform`` / ``_sample_uniform``)."""
    return _random_helper("uniform", [low, high], shape, dtype, kwargs)


def normal(loc: Any = 0, scale: Any = 1, shape: Any = _Null, dtype: Any = _Null,
           **kwargs: Any) -> Symbol:
    """Normal samples (``_random_normal`` / ``_sample_normal``)."""
    return _random_helper("normal", [loc, scale], shape, dtype, kwargs)


def randn(*shape: int, **kwargs: Any) -> Symbol:
    """Normal samples of shape ``shape`` (``loc``/``scale`` keywords, default 0 and 1)."""
    loc = kwargs.pop("loc", 0)
    scale = kwargs.pop("scale", 1)
    dtype = kwargs.pop("dtype", _Null)
    return _random_helper("normal", [loc, scale], tuple(shape), dtype, kwargs)


def poisson(lam: Any = 1, shape: Any = _Null, dtype: Any = _Null, **kwargs: Any) -> Symbol:
    """Poisson samples of rate ``lam``."""
    return _random_helper("poisson", [lam], shape, dtype, kwargs)


def exponential(scale: Any = 1, shape: Any = _Null, dtype: Any = _Null,
                **kwargs: Any) -> Symbol:
    """Exponential samples of mean ``scale`` (op attribute/input ``lam = 1.0/scale``)."""
    return _random_helper("exponential", [1.0 / scale], shape, dtype, kwargs)


def gamma(alpha: Any = 1, beta: Any = 1, shape: Any = _Null, dtype: Any = _Null,
          **kwargs: Any) -> Symbol:
    """Gamma samples with shape ``alpha`` and scale ``beta``."""
    return _random_helper("gamma", [alpha, beta], shape, dtype, kwargs)


def negative_binomial(k: Any = 1, p: Any = 1, shape: Any = _Null, dtype: Any = _Null,
                      **kwargs: Any) -> Symbol:
    """Failures before the ``k``-th success of probability ``p``."""
    return _random_helper("negative_binomial", [k, p], shape, dtype, kwargs)


def generalized_negative_binomial(mu: Any = 1, alpha: Any = 1, shape: Any = _Null,
                                  dtype: Any = _Null, **kwargs: Any) -> Symbol:
    """Samples with mean ``mu`` and variance ``mu + alpha·mu²``."""
    return _random_helper("generalized_negative_binomial", [mu, alpha], shape, dtype, kwargs)


def randint(low: Any, high: Any, shape: Any = _Null, dtype: Any = _Null,
            **kwargs: Any) -> Symbol:
    """Integers uniformly from [low, high) (``_random_randint``; int32 default)."""
    if isinstance(low, Symbol) or isinstance(high, Symbol):
        raise MXNetError("mx.sym.random.randint: low and high must be integers (MXNet has no "
                         "_sample_randint)")
    return _random_helper("randint", [low, high], shape, dtype, kwargs)


def multinomial(data: Symbol, shape: Any = _Null, get_prob: bool = True, dtype: Any = "int32",
                **kwargs: Any) -> Symbol:
    """``_sample_multinomial`` (MXNet's symbol default is ``get_prob=True``: two outputs)."""
    name, attr = _split_name(kwargs)
    if shape is not _Null:
        kwargs["shape"] = shape
    kwargs["get_prob"] = get_prob
    kwargs["dtype"] = dtype
    return create_op_symbol("_sample_multinomial", [data], kwargs, name=name, attr=attr,
                            hint="_sample_multinomial")


def shuffle(data: Symbol, **kwargs: Any) -> Symbol:
    """``_shuffle``: permutes the first axis of ``data``."""
    name, attr = _split_name(kwargs)
    return create_op_symbol("_shuffle", [data], kwargs, name=name, attr=attr, hint="_shuffle")


def _like(dist: str):
    op_name = f"_random_{dist}_like"

    def fn(data: Symbol | None = None, *args: Any, **kwargs: Any) -> Symbol:
        name, attr = _split_name(kwargs)
        inputs = [] if data is None else [data]
        return create_op_symbol(op_name, [*inputs, *args], kwargs, name=name, attr=attr,
                                hint=f"{dist}_like")

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
