"""``mx.nd.<Op>``: every registered operator as an imperative function on NDArrays.

Each call parses the attributes like the symbolic API does, then runs the
op's forward (inference mode, as MXNet does outside ``autograd.record``)
through a jitted function cached per (op, attributes).
"""

from __future__ import annotations

import functools
from typing import Any

import jax

from ..base import MXNetError
from ..context import current_context
from ..operator.registry import Attrs, Op, OpContext, get_op
from .ndarray import NDArray

__all__ = ["invoke", "make_function"]


@functools.lru_cache(maxsize=2048)
def _compiled(op: Op, a: Attrs):
    def run(key, *xs):
        return op.forward(a, OpContext(is_train=False, key=key), *xs)

    return jax.jit(run)


def invoke(op_name: str, args: tuple, kwargs: dict[str, Any]) -> Any:
    """Run ``op_name`` on NDArray inputs; returns an NDArray or a list of them."""
    from ..random import next_key

    op = get_op(op_name)
    out = kwargs.pop("out", None)
    kwargs.pop("name", None)
    kwargs.pop("attr", None)
    nd_kwargs = {k: v for k, v in kwargs.items() if isinstance(v, NDArray)}
    params = {k: v for k, v in kwargs.items() if not isinstance(v, NDArray) and
              not (v is None and k not in op.params)}
    pos = [a for a in args if a is not None]
    if op.variadic:
        params.setdefault(op.variadic, len(pos) + len(nd_kwargs))
    a = op.parse_attrs({k: op.attr_string(k, v) if not isinstance(v, str) else v
                        for k, v in params.items()}, op.name)
    names = op.inputs(a)
    if len(pos) > len(names):
        raise MXNetError(f"{op.name} takes {len(names)} inputs {names}, got {len(pos)}")
    inputs = dict(zip(names, pos, strict=False))
    if op.variadic:
        for n, v in zip(names[len(pos):], nd_kwargs.values(), strict=False):
            inputs[n] = v
    else:
        for k, v in nd_kwargs.items():
            if k not in names:
                raise MXNetError(f"{op.name}: unknown input {k!r}; inputs are {names}")
            inputs[k] = v
    missing = [n for n in names if n not in inputs]
    if missing:
        raise MXNetError(f"{op.name}: missing input(s) {missing}")
    xs = []
    for n in names:
        v = inputs[n]
        if not isinstance(v, NDArray):
            raise TypeError(f"{op.name}: input {n!r} must be an NDArray, got {type(v).__name__}")
        xs.append(v._data)
    ctx = inputs[names[0]].context if names else current_context()
    key = next_key() if op.needs_rng else None
    with jax.enable_x64(True):
        res = _compiled(op, a)(key, *xs)
    if op.aux(a):
        res = res[0]
    res_list = list(res) if isinstance(res, (tuple, list)) else [res]
    outs = [NDArray(r, ctx) for r in res_list]
    if out is not None:
        targets = out if isinstance(out, (list, tuple)) else [out]
        for t, r in zip(targets, outs, strict=False):
            t._set(r)
        return out
    return outs[0] if len(outs) == 1 else outs


def make_function(func_name: str, op_name: str):
    """The ``mx.nd.<func_name>`` function for an op."""

    def fn(*args: Any, **kwargs: Any) -> Any:
        return invoke(op_name, args, kwargs)

    fn.__name__ = func_name
    fn.__qualname__ = func_name
    fn.__doc__ = get_op(op_name).__doc__
    return fn
