"""Shape and dtype inference over a symbol graph (MXNet's InferShape / InferType passes).

Shapes use MXNet's legacy convention: a 0 dimension is unknown. Each pass lets
every op fill its parameter shapes from its data shape, refine partially known
inputs from known outputs (so ``zeros((0, H))`` learns its batch size), and
compute its output shapes with ``jax.eval_shape`` of its forward once all
inputs are known. Passes repeat until nothing changes.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import numpy as np

from ..base import MXNetError, dtype_np
from ..operator.registry import Attrs, Op, OpContext
from ..operator.registry import _parse_shape as _parse_shape_attr
from ..operator.tensor import unify_shapes
from .graph import Entry, Node, topo_order

__all__ = ["infer_shapes", "infer_types", "op_output_avals"]


def _known(s: tuple | None) -> bool:
    return s is not None and all(d > 0 for d in s)


def _merge(old: tuple | None, new: tuple | None, what: str) -> tuple | None:
    """``unify_shapes`` (0 = unknown dim), raising MXNet's inconsistency error on conflict."""
    if new is None:
        return old
    merged = unify_shapes(old, tuple(new))
    if merged is None:
        raise MXNetError(f"Shape inconsistent for {what}: provided {old}, inferred {tuple(new)}")
    return merged


@functools.lru_cache(maxsize=4096)
def op_output_avals(op: Op, a: Attrs, in_shapes: tuple, in_dtypes: tuple) -> tuple:
    """Output (shape, dtype) pairs of ``op`` for the given inputs, via ``jax.eval_shape``."""
    specs = [jax.ShapeDtypeStruct(s, np.dtype(t)) for s, t in zip(in_shapes, in_dtypes,
                                                                   strict=True)]
    ctx = OpContext(is_train=False, key=jax.random.PRNGKey(0))

    def run(*xs):
        return op.forward(a, ctx, *xs)

    with jax.enable_x64(True):
        out = jax.eval_shape(run, *specs)
    if op.aux(a):  # ops with auxiliary states return (outputs, new states)
        out = out[0]
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return tuple((tuple(o.shape), np.dtype(o.dtype)) for o in outs)


def _node_error(node: Node, ins: list, err: Exception) -> MXNetError:
    names = node.input_names()
    shown = ", ".join(f"{n}={s}" for n, s in zip(names, ins, strict=False))
    return MXNetError(
        f"Error in operator {node.name} ({node.op.name}): {err} [input shapes: {shown}]"
    )


def infer_shapes(
    heads: list[Entry], known: dict[str, tuple], dtypes: dict[str, Any] | None = None
) -> dict[tuple[int, int], tuple | None]:
    """Shapes of every node output, keyed by ``(id(node), output_index)``.

    ``known`` maps variable names to (possibly partial) shapes. Inconsistent
    shapes raise ``MXNetError`` naming the operator and its input shapes.
    """
    order = topo_order(heads)
    shapes: dict[tuple[int, int], tuple | None] = {}
    for node in order:
        if node.op is None:
            s = known.get(node.name)
            if s is None and "__shape__" in node.attrs:
                s = _parse_shape_attr(node.attrs["__shape__"])
            shapes[(id(node), 0)] = tuple(s) if s is not None else None
    types = infer_types(heads, dtypes or {}, strict=False) if dtypes is not None else {}
    for _ in range(len(order) + 2):
        changed = False
        for node in order:
            if node.op is None:
                continue
            a = node.parsed()
            keys = [(id(src), idx) for src, idx in node.inputs]
            ins = [shapes.get(k) for k in keys]
            nvis = node.num_visible()
            outs = [shapes.get((id(node), i)) for i in range(nvis)]
            try:
                new_ins = node.op.infer_shape(a, list(ins))
                if any(o is not None for o in outs):
                    new_ins = node.op.backward_infer_shape(a, list(new_ins), outs)
                new_outs: list | None = None
                if not node.inputs and hasattr(node.op, "partial_output_shapes"):
                    new_outs = node.op.partial_output_shapes(a, new_ins)
                elif all(_known(s) for s in new_ins):
                    in_dt = tuple(types.get(k) or np.dtype(np.float32) for k in keys)
                    avals = op_output_avals(node.op, a, tuple(tuple(s) for s in new_ins), in_dt)
                    new_outs = [s for s, _ in avals[:nvis]]
                elif hasattr(node.op, "partial_output_shapes"):
                    new_outs = node.op.partial_output_shapes(a, new_ins)
            except MXNetError as err:
                raise _node_error(node, ins, err) from err
            except (TypeError, ValueError, IndexError, ZeroDivisionError) as err:
                raise _node_error(node, ins, err) from err
            names = node.input_names()
            for k, old, new, nm in zip(keys, ins, new_ins, names, strict=False):
                merged = _merge(old, new, f"input '{nm}' of operator {node.name}")
                if merged != old:
                    shapes[k] = merged
                    changed = True
            for i, new in enumerate(new_outs or []):
                key = (id(node), i)
                old = shapes.get(key)
                merged = _merge(old, new, f"output {i} of operator {node.name}")
                if merged != old:
                    shapes[key] = merged
                    changed = True
        if not changed:
            break
    return shapes


def infer_types(
    heads: list[Entry], known: dict[str, Any], strict: bool = True
) -> dict[tuple[int, int], np.dtype | None]:
    """Dtypes of every node output; variables from ``known`` or their ``__dtype__`` attr."""
    order = topo_order(heads)
    types: dict[tuple[int, int], np.dtype | None] = {}
    for node in order:
        if node.op is None:
            t = known.get(node.name)
            if t is None and "__dtype__" in node.attrs:
                t = dtype_np(node.attrs["__dtype__"])
            types[(id(node), 0)] = np.dtype(t) if t is not None else None
    for _ in range(len(order) + 2):
        changed = False
        for node in order:
            if node.op is None:
                continue
            a = node.parsed()
            keys = [(id(src), idx) for src, idx in node.inputs]
            ins = [types.get(k) for k in keys]
            new_ins = node.op.infer_type(a, list(ins))
            outs = _output_types(node, a, new_ins)
            names = node.input_names()
            for i, (k, old, new) in enumerate(zip(keys, ins, new_ins, strict=False)):
                if new is None:
                    continue
                if old is not None and np.dtype(old) != np.dtype(new):
                    if strict:
                        nm = names[i] if i < len(names) else str(i)
                        raise MXNetError(
                            f"Error in operator {node.name} ({node.op.name}): Incompatible "
                            f"type of input {i} ('{nm}'): expected {np.dtype(new).name}, got "
                            f"{np.dtype(old).name}"
                        )
                    continue
                if old is None:
                    types[k] = np.dtype(new)
                    changed = True
            for i, t in enumerate(outs):
                if t is not None and types.get((id(node), i)) is None:
                    types[(id(node), i)] = np.dtype(t)
                    changed = True
        if not changed:
            break
    return types


def _output_types(node: Node, a: Attrs, in_types: list) -> list:
    op = node.op
    nvis = node.num_visible()
    if hasattr(op, "output_types"):
        return op.output_types(a, in_types)
    dt = a["dtype"] if "dtype" in a else None
    if dt is not None:
        return [dtype_np(dt)] * nvis
    if not in_types:
        return [np.dtype(np.float32)] * nvis
    first = next((t for t in in_types if t is not None), None)
    return [first] * nvis
