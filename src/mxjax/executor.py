"""Bound graphs: a symbol turned into pure jitted functions, and MXNet's ``Executor``.

``GraphProgram`` interprets the graph once per trace: ``run(args, aux,
is_train, key) -> (outputs, new_aux)`` over name -> array dicts. Random ops get
``fold_in(key, node_index)``; auxiliary-state ops (BatchNorm) return their new
states in training. ``forward_backward`` is one ``jax.vjp`` with MXNet's head
gradient rules: loss heads ignore theirs, other outputs need one.

``Executor`` is MXNet's executor object (``arg_dict``, ``grad_dict``,
``aux_dict``, ``outputs``, ``forward``, ``backward``, ``reshape``,
``copy_params_from``): outputs of a training forward are computed lazily, so a
following ``backward`` runs forward and backward as one compiled call.
Compiled functions are cached per shape set.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .base import MXNetError
from .base import as_list as _as_list
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
        #: variables feeding a BatchNorm's gamma with fix_gamma=True: MXNet's forward writes 1
        #: into them, so an optimizer step updates them starting from 1 (see fix_params)
        self.fixed_gamma: tuple[str, ...] = tuple(dict.fromkeys(
            src.name for n in order if n.op is not None and n.parsed().get("fix_gamma") is True
            and "gamma" in n.input_names()
            for src, _ in [n.inputs[n.input_names().index("gamma")]] if src.op is None))
        #: constant nodes whose shape attribute has unknown (0) dims, resolved per input shapes
        self._partial = [i for i, n in enumerate(order) if n.op is not None and not n.inputs
                         and (0 in (shp := tuple(n.parsed().get("shape", ()) or ()))
                              or (not shp and getattr(n.op, "infer_empty_shape", False)))]

    def fix_params(self, params: Mapping[str, jax.Array]) -> dict[str, jax.Array]:
        """``params`` with every ``fixed_gamma`` entry set to ones, as MXNet's BatchNorm
        forward leaves them (``fix_gamma=True`` writes 1 into gamma)."""
        out = dict(params)
        for n in self.fixed_gamma:
            if n in out:
                out[n] = jnp.ones_like(out[n])
        return out

    def _resolve_partial(self, args: Mapping[str, Any]) -> dict[int, tuple]:
        """Inferred output shapes of constants like ``zeros((0, H))`` for these input shapes."""
        if not self._partial:
            return {}
        from .symbol.infer import infer_shapes

        known = {n: tuple(v.shape) for n, v in args.items()}
        shapes = infer_shapes(self.symbol._heads, known)
        return {i: shapes.get((id(self._order[i]), 0)) for i in self._partial}

    def _walk(self, args: Mapping[str, jax.Array], aux: Mapping[str, jax.Array],
              is_train: bool, key: jax.Array | None):
        """Evaluate node by node, yielding ``(index, node, inputs, op context, outputs,
        aux updates)`` (inputs and context None for variables; updates None unless the
        op has auxiliary states and returned new ones)."""
        values: list[tuple] = []
        resolved = self._resolve_partial(args)
        for i, node, ins, aux_names in self._steps:
            if node.op is None:
                if node.name in args:
                    values.append((args[node.name],))
                elif node.name in aux:
                    values.append((aux[node.name],))
                else:
                    raise MXNetError(f"no value bound for variable {node.name!r}")
                yield i, node, None, None, values[-1], None
                continue
            xs = [values[j][k] for j, k in ins]
            ctx = OpContext(is_train=is_train,
                            key=None if key is None or not node.op.needs_rng
                            else jax.random.fold_in(key, i),
                            out_shape=resolved.get(i))
            res = node.op.forward(node.parsed(), ctx, *xs)
            updates = None
            if aux_names:
                res, updates = res
            values.append(tuple(res) if isinstance(res, (tuple, list)) else (res,))
            yield i, node, xs, ctx, values[-1], updates

    def run(self, args: Mapping[str, jax.Array], aux: Mapping[str, jax.Array], is_train: bool,
            key: jax.Array | None) -> tuple[list[jax.Array], dict[str, jax.Array]]:
        """Evaluate the graph; returns (outputs in list_outputs order, updated aux states)."""
        values: list[tuple] = []
        new_aux: dict[str, jax.Array] = {}
        for _, node, _, _, res, updates in self._walk(args, aux, is_train, key):
            if updates is not None:
                aux_names = [node.inputs[p][0].name for p in node.aux_positions()]
                for nm, val in zip(aux_names, updates, strict=True):
                    if val is not None:
                        new_aux[nm] = val
            values.append(res)
        outs = [values[j][k] for j, k in self._heads]
        return outs, new_aux

    def forward_backward(self, diff: Mapping[str, jax.Array], rest: Mapping[str, jax.Array],
                         aux: Mapping[str, jax.Array], key: jax.Array | None,
                         head_grads: Sequence[jax.Array | None], is_train: bool = True):
        """One forward and the VJP w.r.t. ``diff``; returns (outs, new_aux, grads).

        A head gradient of None means "ones" (what MXNet's loss heads and
        BlockGrad make of it; the caller checks that other heads have one).
        ``is_train=False`` differentiates the inference graph, as MXNet does for
        ``backward`` after ``forward(is_train=False)``.
        """

        def f(d):
            outs, new_aux = self.run({**rest, **d}, aux, is_train, key)
            return outs, new_aux

        outs, vjp, new_aux = jax.vjp(f, dict(diff), has_aux=True)
        cot = [jnp.ones_like(o) if g is None else g.astype(o.dtype) for o, g in
               zip(outs, head_grads, strict=True)]
        (grads,) = vjp(cot)
        return outs, new_aux, grads

    # ----------------------------------------------------------------- monitor
    def forward_report_names(self, with_variables: bool = False) -> list[str]:
        """Names a monitor sees in a forward: every operator output (MXNet's
        ``<node>_<output>``), in execution order; with ``with_variables`` also the
        variables, where they come in the graph order."""
        names = []
        for _, node, _, _ in self._steps:
            if node.op is not None or with_variables:
                names.extend(node.output_names())
        return names

    def _backward_nodes(self, diff_names: frozenset) -> list[int]:
        """Operator nodes that MXNet's gradient pass gives a backward node, in the order
        the backward runs: those with a non-auxiliary input that depends on an argument
        with a gradient."""
        needs = [False] * len(self._order)
        for i, node, ins, _ in self._steps:
            if node.op is None:
                needs[i] = node.name in diff_names
            else:
                aux_pos = set(node.aux_positions())
                needs[i] = any(needs[j] for p, (j, _) in enumerate(ins) if p not in aux_pos)
        return [i for i in reversed(range(len(self._order)))
                if self._order[i].op is not None and needs[i]]

    def backward_report_names(self, diff_names: frozenset) -> list[str]:
        """Names a monitor sees in a backward: ``<node>_backward_output`` (one input) or
        ``<node>_backward_output<i>`` per non-auxiliary input, backward node by node."""
        names = []
        for i in self._backward_nodes(diff_names):
            node = self._order[i]
            n = len(node.inputs) - len(node.aux_positions())
            base = f"{node.name}_backward_output"
            names.extend([base] if n == 1 else [f"{base}{j}" for j in range(n)])
        return names

    def report(self, args: Mapping[str, jax.Array], aux: Mapping[str, jax.Array],
               is_train: bool, key: jax.Array | None, head_grads: Sequence | None,
               diff_names: frozenset, with_variables: bool = False
               ) -> tuple[list[jax.Array], list[jax.Array]]:
        """The values behind ``forward_report_names`` and, given ``head_grads`` (None = no
        backward), ``backward_report_names``: MXNet's executor monitor callbacks.

        The backward runs node by node (one VJP per operator, the same op context as the
        forward), so every operator's input gradients exist as MXNet reports them, label
        inputs included (zeros here; MXNet leaves them unwritten)."""
        values: list[tuple] = []
        calls: dict[int, tuple] = {}
        forward_out: list[jax.Array] = []
        for i, node, xs, ctx, res, _ in self._walk(args, aux, is_train, key):
            values.append(res)
            if node.op is not None:
                calls[i] = (xs, ctx)
            if node.op is not None or with_variables:
                forward_out.extend(res)
        if head_grads is None:
            return forward_out, []
        cot: dict[tuple[int, int], jax.Array] = {}
        for (j, k), g in zip(self._heads, head_grads, strict=True):
            out = values[j][k]
            g = jnp.ones_like(out) if g is None else g.astype(out.dtype)
            cot[(j, k)] = cot[(j, k)] + g if (j, k) in cot else g
        backward_out: list[jax.Array] = []
        for i in self._backward_nodes(diff_names):
            node = self._order[i]
            xs, ctx = calls[i]
            aux_pos = set(node.aux_positions())
            free = [p for p in range(len(xs)) if p not in aux_pos]

            def f(*vs, node=node, xs=xs, ctx=ctx, free=free, has_aux=bool(aux_pos)):
                full = list(xs)
                for p, v in zip(free, vs, strict=True):
                    full[p] = v
                res = node.op.forward(node.parsed(), ctx, *full)
                res = res[0] if has_aux else res
                return tuple(res) if isinstance(res, (tuple, list)) else (res,)

            outs, vjp = jax.vjp(f, *[xs[p] for p in free])
            cts = tuple(cot.get((i, k), jnp.zeros_like(o))
                        if jnp.issubdtype(o.dtype, jnp.inexact)
                        else np.zeros(o.shape, jax.dtypes.float0) for k, o in enumerate(outs))
            for p, g in zip(free, vjp(cts), strict=True):
                x = xs[p]
                if g.dtype == jax.dtypes.float0:
                    g = jnp.zeros(x.shape, x.dtype)
                backward_out.append(g)
                if jnp.issubdtype(x.dtype, jnp.inexact):
                    src = self._steps[i][2][p]
                    cot[src] = cot[src] + g if src in cot else g
        return forward_out, backward_out

    @functools.cached_property
    def jit_forward(self):
        return jax.jit(self.run, static_argnums=(2,))

    @functools.cached_property
    def jit_report(self):
        return jax.jit(self.report, static_argnames=("is_train", "diff_names", "with_variables"))

    @functools.cached_property
    def jit_forward_backward(self):
        return jax.jit(self.forward_backward, static_argnames=("is_train",))




class Executor:
    """MXNet's ``Executor``: arrays bound to a graph, with forward and backward.

    Reproduces ``python/mxnet/executor.py``: ``arg_arrays``/``grad_arrays``/
    ``aux_arrays`` are the bound NDArrays (shared with the caller), the dicts
    map names to them (``grad_dict`` has None for arguments without a
    gradient), ``outputs`` are the same NDArray handles across calls (a new
    forward updates arrays obtained earlier; before any forward they are
    zeros), and ``grad_req`` 'write'/'add'/'null' decides what ``backward``
    does to each gradient array. Auxiliary states (BatchNorm's moving stats)
    move in ``backward``, as in MXNet's CPU build.
    """

    def __init__(self, symbol: Any, ctx: Context | None, args: Any, args_grad: Any = None,
                 grad_req: Any = "write", aux_states: Any = None):
        self._symbol = symbol
        self._ctx = ctx or current_context()
        self._program = GraphProgram(symbol)
        p = self._program
        self.arg_arrays: list[NDArray] = self._bind_list(args, p.arg_names, "args")
        self.aux_arrays: list[NDArray] = self._bind_list(aux_states or [], p.aux_names,
                                                         "aux_states")
        reqs = self._grad_reqs(grad_req, p.arg_names)
        if args_grad is None:
            self.grad_arrays: list[NDArray | None] = [None] * len(p.arg_names)
        else:
            self.grad_arrays = self._bind_list(args_grad, p.arg_names, "args_grad",
                                               allow_missing=True)
        self._grad_req = [r if g is not None else "null"
                          for r, g in zip(reqs, self.grad_arrays, strict=True)]
        self._outputs: list[NDArray] | None = None
        self._pending: dict | None = None
        self._monitor: Any = None
        self._monitor_all = False

    # ----------------------------------------------------------------- binding
    @staticmethod
    def _bind_list(given: Any, names: list[str], what: str,
                   allow_missing: bool = False) -> list:
        """MXNet's ``_get_ndarray_inputs``: a list in argument order or a dict by name."""
        if isinstance(given, Mapping):
            out = []
            for n in names:
                if n in given:
                    out.append(_check_nd(given[n]))
                elif allow_missing:
                    out.append(None)
                else:
                    raise ValueError(f"key `{n}` is missing in `{what}`")
            return out
        if not isinstance(given, (list, tuple)):
            raise TypeError("Only accept list of NDArrays or dict of str to NDArray")
        if len(given) != len(names):
            raise ValueError(f"Length of {what} does not match the number of arguments "
                             f"({len(given)} given, {len(names)} needed: {names})")
        return [None if a is None and allow_missing else _check_nd(a) for a in given]

    @staticmethod
    def _grad_reqs(grad_req: Any, names: list[str]) -> list[str]:
        if isinstance(grad_req, str):
            reqs = [grad_req] * len(names)
        elif isinstance(grad_req, Mapping):
            reqs = [grad_req.get(n, "null") for n in names]
        else:
            reqs = list(grad_req)
            if len(reqs) != len(names):
                raise ValueError(f"grad_req list has {len(reqs)} entries for {len(names)} "
                                 f"arguments {names}")
        for r in reqs:
            if r not in _GRAD_REQ:
                raise ValueError("grad_req must be in {'null': 0, 'write': 1, 'add': 3}, "
                                 f"got {r!r}")
        return ["write" if r == "inplace" else r for r in reqs]

    @classmethod
    def simple_bind(cls, symbol: Any, ctx: Context | None, grad_req: Any = "write",
                    type_dict: dict | None = None, **shapes: Any) -> Executor:
        """Infer shapes and dtypes (float32 where unknown), allocate zeros, and bind."""
        from .ndarray import ndarray as nd

        ctx = ctx or current_context()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            arg_shapes, _, aux_shapes = symbol.infer_shape(**shapes)
        if arg_shapes is None:
            partial, _, _ = symbol.infer_shape_partial(**shapes)
            unknown = [f"{n}: {s}" for n, s in zip(symbol.list_arguments(), partial,
                                                    strict=True) if not s or 0 in s]
            raise MXNetError("simple_bind error: cannot infer the shapes of "
                             f"{', '.join(unknown)} from the given shapes {shapes}; pass them "
                             "as keyword arguments")
        arg_t, _, aux_t = symbol.infer_type_partial(**(type_dict or {}))
        arg_t = [t or np.float32 for t in arg_t]
        aux_t = [t or np.float32 for t in aux_t]
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
    def grad_dict(self) -> dict[str, NDArray | None]:
        """Gradient array per argument; None where no gradient is computed."""
        return dict(zip(self._program.arg_names, self.grad_arrays, strict=True))

    @property
    def aux_dict(self) -> dict[str, NDArray]:
        return dict(zip(self._program.aux_names, self.aux_arrays, strict=True))

    @property
    def output_dict(self) -> dict[str, NDArray]:
        return dict(zip(self._program.output_names, self.outputs, strict=True))

    @property
    def outputs(self) -> list[NDArray]:
        """The output arrays (zeros until the first forward, as freshly bound arrays)."""
        if self._outputs is None:
            from .ndarray import ndarray as nd

            args, aux = self._values()
            prog = self._program
            with jax.enable_x64(True):
                avals, _ = jax.eval_shape(lambda a, x: prog.run(a, x, False, None), args, aux)
            self._outputs = [nd.zeros(a.shape, self._ctx, a.dtype) for a in avals]
        return self._outputs

    # ------------------------------------------------------------- computation
    def _values(self):
        args = {n: a._data for n, a in zip(self._program.arg_names, self.arg_arrays,
                                           strict=True)}
        aux = {n: a._data for n, a in zip(self._program.aux_names, self.aux_arrays,
                                          strict=True)}
        return args, aux

    def forward(self, is_train: bool = False, **kwargs: Any) -> list[NDArray]:
        """Run the graph; ``kwargs`` are copied into ``arg_dict`` first. Returns ``outputs``."""
        from .random import next_key

        ad = self.arg_dict
        for k, v in kwargs.items():
            if k not in ad:
                raise TypeError(f"Unknown argument {k}")
            dst = ad[k]
            src = v if isinstance(v, NDArray) else np.asarray(v)
            if tuple(src.shape) != dst.shape:
                raise ValueError(f"Shape not match! Argument {k}, need: {dst.shape}, received: "
                                 f"{tuple(src.shape)}")
            dst[:] = src
        ad = self.arg_dict
        for n in self._program.fixed_gamma:  # MXNet's BatchNorm(fix_gamma=True) writes 1
            with jax.enable_x64(True):
                ad[n]._data = jnp.ones_like(ad[n]._data)
        outputs = self.outputs
        args, aux = self._values()
        prog = self._program
        key = next_key() if prog.needs_rng else None
        state = {"args": args, "aux": aux, "key": key, "is_train": bool(is_train)}
        self._pending = state

        def compute():
            if "outs" not in state:
                with jax.enable_x64(True):
                    outs, new_aux = prog.jit_forward(args, aux, bool(is_train), key)
                state["outs"] = outs
            return state["outs"]

        for i, out in enumerate(outputs):
            out._data = Lazy(functools.partial(lambda i: compute()[i], i))
        if not is_train:
            compute()
        if self._monitor is not None:
            self._run_monitor(args, aux, bool(is_train), key)
        return outputs

    def backward(self, out_grads: Any = None, is_train: bool = True) -> None:
        """Gradients of the last forward into ``grad_arrays`` (per grad_req).

        Loss heads (SoftmaxOutput, MakeLoss, ...) and BlockGrad ignore their
        head gradient; any other output needs one (MXNet's error otherwise).
        """
        state = self._pending
        if state is None:
            raise MXNetError("backward() needs a forward() first")
        prog = self._program
        og = _as_list(out_grads)
        if len(og) > len(prog.output_names):
            raise MXNetError(f"backward: {len(og)} out_grads for {len(prog.output_names)} "
                             f"outputs {prog.output_names}")
        heads: list = []
        for i, is_loss in enumerate(prog.head_is_loss):
            g = og[i] if i < len(og) else None
            if g is None and not is_loss:
                raise MXNetError(HEAD_GRAD_REQUIRED)
            heads.append(None if g is None else (g._data if isinstance(g, NDArray)
                                                 else jnp.asarray(np.asarray(g))))
        names = prog.arg_names
        diff = {n: state["args"][n] for n, r in zip(names, self._grad_req, strict=True)
                if r != "null"}
        rest = {n: v for n, v in state["args"].items() if n not in diff}
        with jax.enable_x64(True):
            outs, new_aux, grads = prog.jit_forward_backward(
                diff, rest, state["aux"], state["key"], heads, is_train=state["is_train"])
            if "outs" not in state:
                state["outs"] = outs
            for n, g_arr, req in zip(names, self.grad_arrays, self._grad_req, strict=True):
                if req == "null" or g_arr is None:
                    continue
                g = grads[n]
                if g.dtype != g_arr._data.dtype:
                    g = g.astype(g_arr._data.dtype)
                g_arr._data = g_arr._data + g if req == "add" else g
            for n, arr in zip(prog.aux_names, self.aux_arrays, strict=True):
                if n in new_aux:
                    arr._data = new_aux[n].astype(arr._data.dtype)
        if self._monitor is not None:
            self._run_monitor(state["args"], state["aux"], state["is_train"], state["key"],
                              heads, frozenset(diff))

    # ------------------------------------------------------------------ misc
    def copy_params_from(self, arg_params: Mapping[str, Any],
                         aux_params: Mapping[str, Any] | None = None,
                         allow_extra_params: bool = False) -> None:
        """Copy (casting) given arrays into the bound ones; unknown names are a ValueError."""
        ad, xd = self.arg_dict, self.aux_dict
        for name, arr in arg_params.items():
            if name in ad:
                ad[name][:] = arr
            elif not allow_extra_params:
                raise ValueError(f'Find name "{name}" that is not in the arguments')
        for name, arr in (aux_params or {}).items():
            if name in xd:
                xd[name][:] = arr
            elif not allow_extra_params:
                raise ValueError(f"Find name {name} that is not in the auxiliary states")

    def reshape(self, partial_shaping: bool = False, allow_up_sizing: bool = False,
                **kwargs: Any) -> Executor:
        """A new executor for new input shapes (MXNet's ``Executor.reshape``).

        Arrays whose shape is unchanged are shared. A changed array must be
        named in ``kwargs`` (or ``partial_shaping=True``); if it is not larger
        it is a view on the start of the old array's memory, as in MXNet; a
        larger one needs ``allow_up_sizing=True`` and is newly allocated.
        """
        arg_shapes, _, aux_shapes = self._symbol.infer_shape(**kwargs)
        if arg_shapes is None:
            raise MXNetError(f"reshape: cannot infer shapes from {kwargs}")

        def remap(name: str, arr: NDArray | None, shape: tuple, kind: str):
            if arr is None:
                return None
            shape = tuple(shape)
            if arr.shape == shape:
                return arr
            if not (partial_shaping or name in kwargs):
                raise MXNetError(
                    f"Shape of unspecified array {kind}: {name} changed. This can cause the new "
                    "executor to not share parameters with the old one. Please check for error "
                    "in network. If this is intended, set partial_shaping=True to suppress this "
                    "warning.")
            size = int(np.prod(shape, dtype=np.int64))
            if size > arr.size:
                if not allow_up_sizing:
                    raise MXNetError(
                        f"New shape of {kind}: {name} is larger than original. First making a "
                        "big executor and then down sizing it is more efficient than the "
                        "reverse. If you really want to up size, set allow_up_sizing=True to "
                        "enable allocation of new arrays.")
                return nd_zeros_like_ctx(shape, arr)
            return arr.reshape((-1,))[0:size].reshape(shape)

        names = self._program.arg_names
        args = [remap(n, a, s, "arg") for n, a, s in zip(names, self.arg_arrays, arg_shapes,
                                                          strict=True)]
        grads = [remap(n, g, s, "arg") for n, g, s in zip(names, self.grad_arrays, arg_shapes,
                                                           strict=True)]
        aux = [remap(n, a, s, "aux") for n, a, s in zip(self._program.aux_names,
                                                         self.aux_arrays, aux_shapes,
                                                         strict=True)]
        return Executor(self._symbol, self._ctx, args, grads, self._grad_req, aux)

    def set_monitor_callback(self, callback: Any, monitor_all: bool = False) -> None:
        """Call ``callback(name, NDArray)`` for every operator output after each forward and
        for every operator's input gradients after each backward (``fc1_output``, ...,
        ``fc1_backward_output1``), as MXNet's executor does.

        With ``monitor_all`` the variables (inputs) are reported too. (MXNet passes C
        handles; mxjax passes NDArrays, which ``mx.mon.Monitor`` accepts as they are.)
        Hidden operator outputs (BatchNorm's saved mean and variance) are not computed by
        mxjax and so not reported.
        """
        self._monitor = callback
        self._monitor_all = bool(monitor_all)

    def _run_monitor(self, args: dict, aux: dict, is_train: bool, key: Any,
                     head_grads: list | None = None, diff: frozenset = frozenset()) -> None:
        """Report a forward's operator outputs, or (with ``head_grads``) a backward's
        per-operator input gradients, to the monitor callback (MXNet's order and names)."""
        prog = self._program
        with jax.enable_x64(True):
            fwd, bwd = prog.jit_report(args, aux, is_train, key, head_grads, diff_names=diff,
                                       with_variables=self._monitor_all)
        if head_grads is None:
            names, values = prog.forward_report_names(self._monitor_all), fwd
        else:
            names, values = prog.backward_report_names(diff), bwd
        for name, value in zip(names, values, strict=True):
            self._monitor(name, NDArray(value, self._ctx))

    def debug_str(self) -> str:
        """The symbol's graph listing (``Symbol.debug_str``)."""
        return self._symbol.debug_str()


_GRAD_REQ = {"null": 0, "write": 1, "add": 3, "inplace": 2}


def nd_zeros_like_ctx(shape: tuple, like: NDArray) -> NDArray:
    from .ndarray import ndarray as nd

    return nd.zeros(shape, like.context, like._data.dtype)




def _check_nd(a: Any) -> NDArray:
    if not isinstance(a, NDArray):
        raise TypeError("Only accept list of NDArrays or dict of str to NDArray")
    return a
