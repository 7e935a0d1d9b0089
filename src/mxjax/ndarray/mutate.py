"""``mx.nd.<op>`` for MXNet's input-mutating ops (``sgd_mom_update``, ``adam_update`` ...).

MXNet's optimizer ops declare their state inputs mutable: a call writes the new
momentum / moments / float32 master weight into those arrays in place, whatever
``out=`` says, and returns (or writes into ``out``) the new weight. This module
reproduces that: the op's forward returns its auxiliary updates and they are
assigned back to the state NDArrays. Float attributes (lr, wd, rescale_grad ...,
and the step ``t``) are passed to the compiled function as traced values, so a
learning rate that changes every step does not recompile.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import numpy as np

from ..base import MXNetError
from ..operator.registry import Attrs, Op, OpContext, get_op, split_positional
from .ndarray import NDArray
from .register import bind_inputs

__all__ = ["invoke_mutating", "make_mutating_function"]


def _dynamic_keys(op: Op) -> tuple[str, ...]:
    return tuple(k for k, p in op.params.items() if p.kind == "float" or k == "t")


@functools.lru_cache(maxsize=512)
def _compiled(op: Op, static: Attrs, dyn_keys: tuple[str, ...]):
    def run(dyn, *xs):
        a = Attrs({**static._d, **dict(zip(dyn_keys, dyn, strict=True))})
        return op.forward(a, OpContext(is_train=False), *xs)

    return jax.jit(run)


def invoke_mutating(op_name: str, args: tuple, kwargs: dict[str, Any]) -> Any:
    """Run ``op_name``; write its state updates into the state NDArrays; return the output."""
    op = get_op(op_name)
    out = kwargs.pop("out", None)
    kwargs.pop("name", None)
    pos, params = split_positional(op, args, lambda v: isinstance(v, NDArray), "NDArray")
    nd_kwargs: dict[str, NDArray] = {}
    for k, v in kwargs.items():
        if isinstance(v, NDArray):
            nd_kwargs[k] = v
        elif k in params:
            raise TypeError(f"{op_name}() got multiple values for argument '{k}'")
        else:
            params[k] = v
    a = op.parse_attrs(params, op.name)
    names, inputs = bind_inputs(op, op_name, a, pos, nd_kwargs)
    dyn_keys = _dynamic_keys(op)
    static = {k: v for k, v in a.items() if k not in dyn_keys}
    # MXNet's kernels read inputs after writing the output: some ops (nag_mom_update)
    # give different numbers when the output is the weight itself
    static["__inplace__"] = out is not None and out is inputs[names[0]]
    static = Attrs(static)
    dyn = tuple(np.float64(a[k]) for k in dyn_keys)
    with jax.enable_x64(True):
        res = _compiled(op, static, dyn_keys)(dyn, *[inputs[n]._data for n in names])
    aux = op.aux(a)
    if aux:
        res, updates = res
        for n, v in zip(aux, updates, strict=True):
            inputs[n]._data = v
    ctx = inputs[names[0]].context
    if out is not None:
        target = out[0] if isinstance(out, (list, tuple)) else out
        if target.shape != tuple(res.shape):
            raise MXNetError(f"{op.name}: out= has shape {target.shape} but the result is "
                             f"{tuple(res.shape)}")
        target._set(res)
        return out
    return NDArray(res, ctx)


def make_mutating_function(op_name: str):
    """The ``mx.nd.<op_name>`` function of an input-mutating op."""

    def fn(*args: Any, **kwargs: Any) -> Any:
        return invoke_mutating(op_name, args, kwargs)

    fn.__name__ = fn.__qualname__ = op_name
    fn.__doc__ = get_op(op_name).__doc__
    return fn
