"""Bound graphs: a symbol turned into pure jitted functions, and MXNet's ``Executor``.

``GraphProgram`` interprets the graph once per trace: ``run(args, aux,
is_train, key) -> (outputs, new_aux)`` over name -> array dicts. Random ops get
``fold_in(key, node_index)``; auxiliary-state ops (BatchNorm) return their new
states in training. ``forward_backward`` is one ``jax.vjp`` with MXNet's head
gradient rules: loss heads ignore theirs, other outputs need one.

``Executor`` is MXNet's executor object (``arg_dict``, ``grad_dict``,
``aux_dict``, ``outputs``, ``forward``, ``backward``): outputs of a training
forward are computed lazily, so a following ``backward`` runs forward and
backward as one compiled call. Compiled functions are cached per shape set.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .base import MXNetError
from .context import Context, current_context
from .ndarray.ndarray import Lazy, NDArray
from .operator.registry import OpContext
from .symbol.graph import aux_nodes, topo_order

__all__ = ["GraphProgram", "Executor", "HEAD_GRAD_REQUIRED"]

HEAD_GRAD_REQUIRED = (
    "Because the last operator is not Loss function, head_gradient is required when calling "
    "backward. If you are attempting to minimize the output as an objective, please modify your "
    "network and pass it through the make_loss symbol."
)


class GraphProgram:
    """A symbol as a pure function of (args, aux, is_train, key)."""

    def __init__(self, symbol: Any):
        self.symbol = symbol
        heads = symbol._heads
        order = topo_order(heads)
        self._order = order
        aux = aux_nodes(order)
        self.arg_names: list[str] = [n.name for n in order if n.op is None and id(n) not in aux]
        self.aux_names: list[str] = [n.name for n in order if n.op is None and id(n) in aux]
        self.output_names: list[str] = symbol.list_outputs()
        index = {id(n): i for i, n in enumerate(order)}
        steps = []
        for i, node in enumerate(order):
            ins = [(index[id(src)], idx) for src, idx in node.inputs]
            for src, idx in node.inputs:
                if idx >= src.num_visible():
                    raise MXNetError(
                        f"operator {node.name} reads hidden output {idx} of {src.name}, which "
                        "mxjax does not compute"
                    )
            aux_pos = node.aux_positions()
            steps.append((i, node, ins, [node.inputs[p][0].name for p in aux_pos]))
        self._steps = steps
        self._heads = [(index[id(n)], i) for n, i in heads]
        for n, i in heads:
            if i >= n.num_visible():
                raise MXNetError(f"output {i} of {n.name} is hidden and cannot be a head")
        #: whether each output ignores its head gradient (loss heads, BlockGrad)
        self.head_is_loss: list[bool] = [
            bool(n.op is not None and n.op.is_loss) for n, _ in heads
        ]
        self.needs_rng = any(n.op is not None and n.op.needs_rng for n in order)
        #: constant nodes whose shape attribute has unknown (0) dims, resolved per input shapes
        self._partial = [i for i, n in enumerate(order) if n.op is not None and not n.inputs
                         and 0 in tuple(n.parsed().get("shape", ()) or ())]

    def _resolve_partial(self, args: Mapping[str, Any]) -> dict[int, tuple]:
        """Inferred output shapes of constants like ``zeros((0, H))`` for these input shapes."""
        if not self._partial:
            return {}
        from .symbol.infer import infer_shapes

        known = {n: tuple(v.shape) for n, v in args.items()}
        shapes = infer_shapes(self.symbol._heads, known)
        return {i: shapes.get((id(self._order[i]), 0)) for i in self._partial}

    def run(self, args: Mapping[str, jax.Array], aux: Mapping[str, jax.Array], is_train: bool,
            key: jax.Array | None) -> tuple[list[jax.Array], dict[str, jax.Array]]:
        """Evaluate the graph; returns (outputs in list_outputs order, updated aux states)."""
        values: list[tuple] = []
        new_aux: dict[str, jax.Array] = {}
        resolved = self._resolve_partial(args)
        for i, node, ins, aux_names in self._steps:
            if node.op is None:
                if node.name in args:
                    values.append((args[node.name],))
                elif node.name in aux:
                    values.append((aux[node.name],))
                else:
                    raise MXNetError(f"no value bound for variable {node.name!r}")
                continue
            xs = [values[j][k] for j, k in ins]
            ctx = OpContext(is_train=is_train,
                            key=None if key is None or not node.op.needs_rng
                            else jax.random.fold_in(key, i),
                            out_shape=resolved.get(i))
            res = node.op.forward(node.parsed(), ctx, *xs)
            if aux_names:
                res, updates = res
                if updates is not None:
                    for nm, val in zip(aux_names, updates, strict=True):
                        if val is not None:
                            new_aux[nm] = val
            values.append(tuple(res) if isinstance(res, (tuple, list)) else (res,))
        outs = [values[j][k] for j, k in self._heads]
        return outs, new_aux

    def forward_backward(self, diff: Mapping[str, jax.Array], rest: Mapping[str, jax.Array],
                         aux: Mapping[str, jax.Array], key: jax.Array | None,
                         head_grads: Sequence[jax.Array | None]):
        """One training forward and the VJP w.r.t. ``diff``; returns (outs, new_aux, grads)."""

        def f(d):
            outs, new_aux = self.run({**rest, **d}, aux, True, key)
            return outs, new_aux

        outs, vjp, new_aux = jax.vjp(f, dict(diff), has_aux=True)
        cot = [jnp.ones_like(o) if g is None else g.astype(o.dtype) for o, g in
               zip(outs, head_grads, strict=True)]
        (grads,) = vjp(cot)
        return outs, new_aux, grads

    @functools.cached_property
    def jit_forward(self):
        return jax.jit(self.run, static_argnums=(2,))

    @functools.cached_property
    def jit_forward_backward(self):
        return jax.jit(self.forward_backward)


def _as_list(x: Any) -> list:
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


class Executor:
    """MXNet's ``Executor``: arrays bound to a graph, with forward and backward."""

    def __init__(self, symbol: Any, ctx: Context | None, args: Any, args_grad: Any = None,
                 grad_req: Any = "write", aux_states: Any = None):
        self._symbol = symbol
        self._ctx = ctx or current_context()
        self._program = GraphProgram(symbol)
        p = self._program
        self.arg_arrays: list[NDArray] = self._bind_list(args, p.arg_names, "args")
        self.aux_arrays: list[NDArray] = self._bind_list(
            aux_states or [], p.aux_names, "aux_states", allow_missing=not p.aux_names)
        reqs = self._grad_reqs(grad_req, p.arg_names)
        if args_grad is None:
            self.grad_arrays: list[NDArray | None] = [None] * len(p.arg_names)
            self._grad_req = ["null"] * len(p.arg_names)
        else:
            grads = self._bind_list(args_grad, p.arg_names, "args_grad", allow_missing=True)
            self.grad_arrays = list(grads)
            self._grad_req = [r if g is not None else "null" for r, g in zip(reqs, grads,
                                                                              strict=True)]
        self._outputs: list[NDArray] | None = None
        self._pending: dict | None = None
        self._monitor = None

    # ----------------------------------------------------------------- binding
    def _bind_list(self, given: Any, names: list[str], what: str,
                   allow_missing: bool = False) -> list:
        if isinstance(given, Mapping):
            out = []
            for n in names:
                if n in given:
                    out.append(_check_nd(given[n], f"{what}[{n!r}]"))
                elif allow_missing:
                    out.append(None)
                else:
                    raise MXNetError(f"bind: {what} is missing an array for {n!r}; "
                                     f"Must specify all the arguments in {what}: {names}")
            return out
        lst = _as_list(given)
        if len(lst) != len(names):
            if allow_missing and not lst:
                return [None] * len(names)
            raise MXNetError(f"bind: {what} has {len(lst)} arrays but the symbol needs "
                             f"{len(names)}: {names}")
        return [None if a is None else _check_nd(a, f"{what}[{n!r}]")
                for a, n in zip(lst, names, strict=True)]

    @staticmethod
    def _grad_reqs(grad_req: Any, names: list[str]) -> list[str]:
        if isinstance(grad_req, str):
            reqs = [grad_req] * len(names)
        elif isinstance(grad_req, Mapping):
            reqs = [grad_req.get(n, "null") for n in names]
        else:
            reqs = list(grad_req)
            if len(reqs) != len(names):
                raise MXNetError(f"grad_req list has {len(reqs)} entries for {len(names)} args")
        for r in reqs:
            if r not in ("write", "add", "null", "inplace"):
                raise MXNetError(f"grad_req must be 'write', 'add' or 'null', got {r!r}")
        return ["write" if r == "inplace" else r for r in reqs]

    @classmethod
    def simple_bind(cls, symbol: Any, ctx: Context | None, grad_req: Any = "write",
                    type_dict: dict | None = None, **shapes: Any) -> Executor:
        """Infer shapes and dtypes, allocate zero arrays (and gradients), and bind."""
        from .ndarray import ndarray as nd

        ctx = ctx or current_context()
        arg_shapes, _, aux_shapes = symbol.infer_shape(**shapes)
        if arg_shapes is None:
            raise MXNetError(
                f"simple_bind: cannot infer all shapes from {shapes}; provide the shapes of "
                f"the inputs among {symbol.list_arguments()}"
            )
        types = dict(type_dict or {})
        arg_t, _, aux_t = symbol.infer_type(**types)
        if arg_t is None:
            arg_t = [np.float32] * len(arg_shapes)
            aux_t = [np.float32] * len(aux_shapes)
        names = symbol.list_arguments()
        args = [nd.zeros(s, ctx, t) for s, t in zip(arg_shapes, arg_t, strict=True)]
        aux = [nd.zeros(s, ctx, t) for s, t in zip(aux_shapes, aux_t, strict=True)]
        reqs = cls._grad_reqs(grad_req, names)
        grads = [None if r == "null" else nd.zeros(s, ctx, t)
                 for r, s, t in zip(reqs, arg_shapes, arg_t, strict=True)]
        return cls(symbol, ctx, args, grads, reqs, aux)

    # -------------------------------------------------------------- dictionaries
    @property
    def arg_dict(self) -> dict[str, NDArray]:
        return dict(zip(self._program.arg_names, self.arg_arrays, strict=True))

    @property
    def grad_dict(self) -> dict[str, NDArray]:
        return {n: g for n, g in zip(self._program.arg_names, self.grad_arrays, strict=True)
                if g is not None}

    @property
    def aux_dict(self) -> dict[str, NDArray]:
        return dict(zip(self._program.aux_names, self.aux_arrays, strict=True))

    @property
    def output_dict(self) -> dict[str, NDArray]:
        return dict(zip(self._program.output_names, self.outputs, strict=True))

    @property
    def outputs(self) -> list[NDArray]:
        if self._outputs is None:
            raise MXNetError("outputs are not available before forward()")
        return self._outputs

    # ------------------------------------------------------------- computation
    def _values(self):
        args = {n: a._data for n, a in zip(self._program.arg_names, self.arg_arrays,
                                           strict=True)}
        aux = {n: a._data for n, a in zip(self._program.aux_names, self.aux_arrays,
                                          strict=True)}
        return args, aux

    def forward(self, is_train: bool = False, **kwargs: Any) -> list[NDArray]:
        """Run the graph; ``kwargs`` are copied into ``arg_dict`` first."""
        from .random import next_key

        ad = self.arg_dict
        for k, v in kwargs.items():
            if k not in ad:
                raise MXNetError(f"forward: unknown argument {k!r}; arguments: {list(ad)}")
            dst = ad[k]
            src = v if isinstance(v, NDArray) else np.asarray(v)
            if tuple(src.shape) != dst.shape:
                raise MXNetError(f"forward: shape of {k!r} is {tuple(src.shape)} but the "
                                 f"executor is bound with {dst.shape}")
            dst[:] = src
        args, aux = self._values()
        key = next_key() if self._program.needs_rng else None
        prog = self._program
        state = {"args": args, "aux": aux, "key": key, "is_train": bool(is_train)}
        self._pending = state

        def compute():
            if "outs" not in state:
                with jax.enable_x64(True):
                    outs, new_aux = prog.jit_forward(args, aux, bool(is_train), key)
                state["outs"] = outs
                state["new_aux"] = new_aux
            return state["outs"]

        outputs = [NDArray(Lazy(functools.partial(lambda i: compute()[i], i)), self._ctx)
                   for i in range(len(prog.output_names))]
        self._outputs = outputs
        if not is_train:
            compute()
        return outputs

    def backward(self, out_grads: Any = None, is_train: bool = True) -> None:
        """Gradients of the last training forward into ``grad_arrays`` (per grad_req)."""
        state = self._pending
        if state is None or not state["is_train"]:
            raise MXNetError("backward() needs a forward(is_train=True) first")
        prog = self._program
        og = _as_list(out_grads)
        if og and len(og) != len(prog.output_names):
            raise MXNetError(f"backward: {len(og)} out_grads for {len(prog.output_names)} outputs")
        heads: list = []
        for i, is_loss in enumerate(prog.head_is_loss):
            g = og[i] if og else None
            if g is None and not is_loss:
                raise MXNetError(HEAD_GRAD_REQUIRED)
            heads.append(None if g is None else (g._data if isinstance(g, NDArray)
                                                 else jnp.asarray(g)))
        names = prog.arg_names
        diff = {n: state["args"][n] for n, r in zip(names, self._grad_req, strict=True)
                if r != "null"}
        rest = {n: v for n, v in state["args"].items() if n not in diff}
        with jax.enable_x64(True):
            outs, new_aux, grads = prog.jit_forward_backward(diff, rest, state["aux"],
                                                             state["key"], heads)
        if "outs" not in state:
            state["outs"] = outs
        for n, g_arr, req in zip(names, self.grad_arrays, self._grad_req, strict=True):
            if req == "null" or g_arr is None:
                continue
            if req == "add":
                g_arr._data = g_arr._data + grads[n].astype(g_arr._data.dtype)
            else:
                g_arr._data = grads[n].astype(g_arr._data.dtype)
        for n, arr in zip(prog.aux_names, self.aux_arrays, strict=True):
            if n in new_aux:
                arr._data = new_aux[n].astype(arr._data.dtype)

    # ------------------------------------------------------------------ misc
    def copy_params_from(self, arg_params: Mapping[str, NDArray],
                         aux_params: Mapping[str, NDArray] | None = None,
                         allow_extra_params: bool = False) -> None:
        ad, xd = self.arg_dict, self.aux_dict
        for name, arr in arg_params.items():
            if name in ad:
                ad[name][:] = arr
            elif not allow_extra_params:
                raise ValueError(f"Find name {name} that is not in the arguments")
        for name, arr in (aux_params or {}).items():
            if name in xd:
                xd[name][:] = arr
            elif not allow_extra_params:
                raise ValueError(f"Find name {name} that is not in the auxiliary states")

    def reshape(self, partial_shaping: bool = False, allow_up_sizing: bool = False,
                **kwargs: Any) -> Executor:
        """A new executor for new input shapes, sharing arrays whose shapes are unchanged."""
        from .ndarray import ndarray as nd

        arg_shapes, _, aux_shapes = self._symbol.infer_shape(**kwargs)
        if arg_shapes is None:
            raise MXNetError(f"reshape: cannot infer shapes from {kwargs}")
        args, grads = [], []
        for n, a, g, s in zip(self._program.arg_names, self.arg_arrays, self.grad_arrays,
                              arg_shapes, strict=True):
            if a.shape == tuple(s):
                args.append(a)
                grads.append(g)
            else:
                if n not in kwargs and not partial_shaping:
                    raise MXNetError(f"reshape: shape of {n!r} changes from {a.shape} to {s}; "
                                     "pass partial_shaping=True to allow it")
                args.append(nd.zeros(s, a.context, a._data.dtype))
                grads.append(None if g is None else nd.zeros(s, g.context, g._data.dtype))
        aux = [a if a.shape == tuple(s) else nd.zeros(s, a.context, a._data.dtype)
               for a, s in zip(self.aux_arrays, aux_shapes, strict=True)]
        return Executor(self._symbol, self._ctx, args, grads, self._grad_req, aux)

    def set_monitor_callback(self, callback: Any, monitor_all: bool = False) -> None:
        self._monitor = callback

    def debug_str(self) -> str:
        lines = [f"Symbol outputs: {self._program.output_names}"]
        for node in topo_order(self._symbol._heads):
            kind = "Variable" if node.op is None else f"Op:{node.op.name}"
            lines.append(f"{kind}, Name={node.name}")
        return "\n".join(lines)


def _check_nd(a: Any, what: str) -> NDArray:
    if not isinstance(a, NDArray):
        raise TypeError(f"{what} must be an NDArray, got {type(a).__name__}")
    return a
