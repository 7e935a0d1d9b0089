"""``mx.nd.<Op>``: every registered operator as an imperative function on NDArrays.

Reproduces MXNet's generated ``mx.nd`` functions: inputs first (positionally
or by name), then the op's attributes by keyword or positionally in MXNet's
declaration order (``mx.nd.clip(x, 0, 1)``), ``out=`` to write into existing
arrays, and a list result for multi-output ops (``split``). Each call runs the
op's forward in inference mode (as MXNet does outside ``autograd.record``)
through a jitted function cached per (op, attributes); parsed attributes are
cached too, so a repeated call costs one dictionary lookup and one XLA call.
"""

from __future__ import annotations

import functools
from typing import Any

import jax

from ..base import MXNetError
from ..context import current_context
from ..operator.registry import Attrs, Op, OpContext, get_op, split_positional
from .ndarray import NDArray

__all__ = ["invoke", "make_function"]


@functools.lru_cache(maxsize=2048)
def _compiled(op: Op, a: Attrs):
    def run(key, *xs):
        return op.forward(a, OpContext(is_train=False, key=key), *xs)

    return jax.jit(run)


@functools.lru_cache(maxsize=4096)
def _parse(op: Op, items: tuple) -> Attrs:
    return op.parse_attrs(dict(items), op.name)


def bind_inputs(op: Any, op_name: str, a: Any, pos: list, nd_kwargs: dict[str, NDArray]
                ) -> tuple[list[str], dict[str, NDArray]]:
    """The op's input names and the NDArrays given for them, positionally then by name;
    too many, unknown, repeated or missing inputs are clear errors."""
    names = op.inputs(a)
    if len(pos) > len(names):
        raise MXNetError(f"Operator {op.name} expects {len(names)} inputs {names}, but got "
                         f"{len(pos)} instead")
    inputs = dict(zip(names, pos, strict=False))
    if op.variadic:
        for n, v in zip(names[len(pos):], nd_kwargs.values(), strict=False):
            inputs[n] = v
    else:
        for k, v in nd_kwargs.items():
            if k not in names:
                raise MXNetError(f"{op.name}: unknown input {k!r}; inputs are {names}")
            if k in inputs:
                raise TypeError(f"{op_name}() got multiple values for argument '{k}'")
            inputs[k] = v
    missing = [n for n in names if n not in inputs]
    if missing:
        raise MXNetError(f"Operator {op.name} expects {len(names)} inputs {names}, but got "
                         f"{len(names) - len(missing)} instead (missing {missing})")
    return names, inputs


def invoke(op_name: str, args: tuple, kwargs: dict[str, Any]) -> Any:
    """Run ``op_name`` on NDArray inputs; returns an NDArray or a list of them."""
    from ..random import next_key

    op = get_op(op_name)
    out = kwargs.pop("out", None)
    kwargs.pop("name", None)
    kwargs.pop("attr", None)
    pos, pos_params = split_positional(op, args, lambda v: isinstance(v, NDArray), "NDArray")
    nd_kwargs: dict[str, NDArray] = {}
    params: dict[str, Any] = {}
    for k, v in kwargs.items():
        if isinstance(v, NDArray):
            nd_kwargs[k] = v
        elif not (v is None and k not in op.params):
            params[k] = v
    for k, v in pos_params.items():
        if k in params:
            raise TypeError(f"{op_name}() got multiple values for argument '{k}'")
        params[k] = v
    if op.variadic:
        params.setdefault(op.variadic, len(pos) + len(nd_kwargs))
    items = tuple(sorted((k, v if isinstance(v, str) else op.attr_string(k, v))
                         for k, v in params.items()))
    a = _parse(op, items)
    names, inputs = bind_inputs(op, op_name, a, pos, nd_kwargs)
    xs = [inputs[n]._data for n in names]
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
        if len(targets) != len(outs):
            raise MXNetError(f"{op.name}: {len(outs)} outputs but {len(targets)} out= arrays")
        for t, r in zip(targets, outs, strict=True):
            if t.shape != r.shape or t.dtype != r.dtype:
                raise MXNetError(f"{op.name}: out= is {t.shape} {t.dtype.__name__} but the "
                                 f"result is {r.shape} {r.dtype.__name__}")
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
