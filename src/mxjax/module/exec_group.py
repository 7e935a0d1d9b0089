"""The bound state of a Module: parameters, gradients and compiled steps on its devices.

MXNet's ``DataParallelExecutorGroup`` slices batches over executors and copies
parameters around. Here the state is a set of pytrees (params, aux states,
gradients) placed on the Module's devices, and the computation is a handful of
jitted pure functions built from the symbol's ``GraphProgram``:

* ``forward``      — outputs (and new aux states) of one batch;
* ``fwd_bwd``      — one fused forward + backward (``jax.vjp``);
* ``update``       — the optimizer over the whole parameter pytree;
* ``train_step``   — forward, backward, update and metric statistics at once.

Compiled functions are cached by JAX per shape signature, so a different batch
shape (the last batch, ``reshape``) is one more cache entry, not a rebind.

For code that reaches into MXNet's internals, ``execs[0].arg_dict``,
``execs[0].grad_dict``, ``execs[0].aux_dict``, ``param_arrays``,
``grad_arrays`` and ``param_names`` are NDArray views that read and write the
live state.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..base import MXNetError
from ..context import Context
from ..executor import HEAD_GRAD_REQUIRED, GraphProgram
from ..ndarray.ndarray import Lazy, NDArray

__all__ = ["ExecGroup", "BoundArray"]


class BoundArray(NDArray):
    """An NDArray whose value lives in an ``ExecGroup`` state dict (reads/writes go there)."""

    __slots__ = ("_store", "_key", "_sync")

    def __init__(self, store: dict, key: str, ctx: Context, sync: Any = None):
        super().__init__(None, ctx)
        self._store = store
        self._key = key
        self._sync = sync  # brings the store up to date first (a deferred optimizer step)

    @property
    def _data(self) -> jax.Array:
        if self._sync is not None:
            self._sync()
        return self._store[self._key]

    @_data.setter
    def _data(self, value: jax.Array) -> None:
        if self._sync is not None:
            self._sync()
        self._store[self._key] = value


class _ExecView:
    """What ``_exec_group.execs[i]`` offers MXNet code: dicts of live NDArray views."""

    def __init__(self, group: ExecGroup):
        self._g = group

    @property
    def arg_dict(self) -> dict[str, NDArray]:
        g = self._g
        d: dict[str, NDArray] = {n: BoundArray(g.params, n, g.ctx, g.sync)
                                 for n in g.param_names}
        for n in g.input_names:
            if n in g.inputs:
                d[n] = BoundArray(g.inputs, n, g.ctx)
        return d

    @property
    def grad_dict(self) -> dict[str, NDArray]:
        g = self._g
        d: dict[str, NDArray] = {n: BoundArray(g.grads, n, g.ctx) for n in g.grads}
        for n in g.input_grads:
            d[n] = BoundArray(g.input_grads, n, g.ctx)
        return d

    @property
    def aux_dict(self) -> dict[str, NDArray]:
        g = self._g
        return {n: BoundArray(g.aux, n, g.ctx) for n in g.aux_names}

    @property
    def arg_arrays(self) -> list[NDArray]:
        ad = self.arg_dict
        return [ad[n] for n in self._g.program.arg_names if n in ad]

    @property
    def grad_arrays(self) -> list[NDArray | None]:
        gd = self.grad_dict
        return [gd.get(n) for n in self._g.program.arg_names]

    @property
    def aux_arrays(self) -> list[NDArray]:
        return list(self.aux_dict.values())

    @property
    def outputs(self) -> list[NDArray]:
        return self._g.get_outputs()

    @property
    def output_dict(self) -> dict[str, NDArray]:
        return dict(zip(self._g.output_names, self._g.get_outputs(), strict=True))


def _shape_of(desc: Any) -> tuple[str, tuple[int, ...]]:
    name, shape = desc[0], desc[1]
    return str(name), tuple(int(d) for d in shape)


class ExecGroup:
    """Parameters, gradients and compiled computation of a bound Module."""

    def __init__(self, symbol: Any, contexts: Sequence[Context], data_shapes: Sequence,
                 label_shapes: Sequence | None, param_names: Sequence[str], for_training: bool,
                 inputs_need_grad: bool, grad_req: Any, fixed_param_names: Sequence[str],
                 state_names: Sequence[str], data_types: dict[str, Any]):
        self.symbol = symbol
        self.contexts = list(contexts)
        if len(self.contexts) != 1:
            raise MXNetError(
                "a Module over several contexts is not supported yet by this build of mxjax; "
                "use one context"
            )
        self.ctx = self.contexts[0]
        self.device = self.ctx.jax_device
        self.program = GraphProgram(symbol)
        self.param_names = list(param_names)
        self.aux_names = list(self.program.aux_names)
        self.output_names = list(self.program.output_names)
        self.data_names = [_shape_of(d)[0] for d in data_shapes]
        self.label_names = [_shape_of(d)[0] for d in (label_shapes or [])]
        self.state_names = list(state_names)
        self.input_names = [n for n in self.program.arg_names if n not in set(self.param_names)]
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self.fixed_param_names = set(fixed_param_names or [])
        self._data_types = dict(data_types)
        self._resolve_grad_req(grad_req)
        self.params: dict[str, jax.Array] = {}
        self.aux: dict[str, jax.Array] = {}
        self.grads: dict[str, jax.Array] = {}
        self.input_grads: dict[str, jax.Array] = {}
        self.inputs: dict[str, jax.Array] = {}
        self._bind_shapes(data_shapes, label_shapes)
        self.execs = [_ExecView(self)]
        #: the Module's TrainEngine when one exists (it may hold a deferred optimizer step)
        self.engine: Any = None
        self._outputs: list[NDArray] | None = None
        self._pending: dict | None = None
        self._monitor = None

    # ---------------------------------------------------------------- binding
    def _resolve_grad_req(self, grad_req: Any) -> None:
        names = self.program.arg_names
        if not self.for_training:
            reqs = dict.fromkeys(names, "null")
        elif isinstance(grad_req, str):
            reqs = {}
            for n in names:
                if n in self.param_names:
                    reqs[n] = "null" if n in self.fixed_param_names else grad_req
                elif n in self.data_names:
                    reqs[n] = grad_req if self.inputs_need_grad else "null"
                else:
                    reqs[n] = "null"
        elif isinstance(grad_req, (list, tuple)):
            if len(grad_req) != len(names):
                raise MXNetError(f"grad_req list has {len(grad_req)} entries for {len(names)} "
                                 f"arguments {names}")
            reqs = dict(zip(names, grad_req, strict=True))
        elif isinstance(grad_req, dict):
            reqs = {}
            for n in names:
                if n in self.param_names:
                    reqs[n] = "null" if n in self.fixed_param_names else "write"
                elif n in self.data_names:
                    reqs[n] = "write" if self.inputs_need_grad else "null"
                else:
                    reqs[n] = "null"
            reqs.update(grad_req)
        else:
            raise MXNetError(f"grad_req must be a str, list or dict, got {type(grad_req)}")
        for n, r in reqs.items():
            if r not in ("write", "add", "null", "inplace"):
                raise MXNetError(f"grad_req for {n!r} must be 'write', 'add' or 'null', got {r!r}")
            if r == "inplace":
                reqs[n] = "write"
        self.grad_req = reqs
        self.diff_params = tuple(n for n in self.param_names if reqs.get(n, "null") != "null")
        self.diff_inputs = tuple(n for n in self.input_names if reqs.get(n, "null") != "null")

    def _bind_shapes(self, data_shapes: Sequence, label_shapes: Sequence | None) -> None:
        known = dict(_shape_of(d) for d in data_shapes)
        for d in label_shapes or []:
            n, s = _shape_of(d)
            known[n] = s
        self.data_shapes = list(data_shapes)
        self.label_shapes = list(label_shapes) if label_shapes is not None else None
        arg_shapes, out_shapes, aux_shapes = self.symbol.infer_shape(**known)
        if arg_shapes is None:
            raise MXNetError(
                f"cannot infer the shapes of all arguments from data/label shapes {known}; "
                f"arguments: {self.symbol.list_arguments()}"
            )
        types = {n: t for n, t in self._data_types.items() if n in self.program.arg_names}
        arg_types, _, aux_types = self.symbol.infer_type(**types)
        if arg_types is None:
            arg_types = [np.float32] * len(arg_shapes)
            aux_types = [np.float32] * len(aux_shapes)
        self.arg_shapes = dict(zip(self.program.arg_names, arg_shapes, strict=True))
        self.arg_types = {n: np.dtype(t) for n, t in zip(self.program.arg_names, arg_types,
                                                          strict=True)}
        self.aux_shapes = dict(zip(self.aux_names, aux_shapes, strict=True))
        self.aux_types = {n: np.dtype(t) for n, t in zip(self.aux_names, aux_types, strict=True)}
        self.output_shapes = list(zip(self.output_names, out_shapes, strict=True))
        self.batch_size = known[self.data_names[0]][0] if self.data_names else 0
        with jax.enable_x64(True):
            for n in self.param_names:
                if n not in self.params or self.params[n].shape != self.arg_shapes[n]:
                    self.params[n] = self._zeros(self.arg_shapes[n], self.arg_types[n])
            for n in self.aux_names:
                if n not in self.aux or self.aux[n].shape != self.aux_shapes[n]:
                    self.aux[n] = self._zeros(self.aux_shapes[n], self.aux_types[n])
            for n in self.diff_params:
                if n not in self.grads or self.grads[n].shape != self.arg_shapes[n]:
                    self.grads[n] = self._zeros(self.arg_shapes[n], self.arg_types[n])
            for n in self.input_names:
                self.inputs[n] = self._zeros(self.arg_shapes[n], self.arg_types[n])
            for n in self.diff_inputs:
                self.input_grads[n] = self._zeros(self.arg_shapes[n], self.arg_types[n])

    def _zeros(self, shape: tuple, dtype: np.dtype) -> jax.Array:
        # from host memory: an eager jnp.zeros would compile a kernel per shape
        return jax.device_put(np.zeros(shape, dtype), self.device)

    def reshape(self, data_shapes: Sequence, label_shapes: Sequence | None) -> None:
        """Rebind for new input shapes keeping parameters (MXNet's ``Module.reshape``)."""
        self.sync()
        self._bind_shapes(data_shapes, label_shapes)
        self._outputs = None
        self._pending = None

    # ------------------------------------------------------------- parameters
    def sync(self) -> None:
        """Apply a deferred optimizer step (see ``TrainEngine.update``) before params are used."""
        if self.engine is not None and self.engine.deferred:
            self.engine.flush()

    def set_params(self, arg_params: dict, aux_params: dict | None,
                   allow_extra: bool = False) -> None:
        """Copy given arrays onto the device (a copy: device buffers may be donated)."""
        self.sync()
        with jax.enable_x64(True):
            for n, v in (arg_params or {}).items():
                if n in self.params:
                    self.params[n] = self._to_device(v, self.params[n], n)
            for n, v in (aux_params or {}).items():
                if n in self.aux:
                    self.aux[n] = self._to_device(v, self.aux[n], n)

    def _to_device(self, value: Any, like: jax.Array, name: str) -> jax.Array:
        src = value._data if isinstance(value, NDArray) else np.asarray(value)
        if tuple(src.shape) != tuple(like.shape):
            raise MXNetError(
                f"parameter {name!r} has shape {tuple(src.shape)} but the module is bound with "
                f"{tuple(like.shape)}"
            )
        if src.dtype != like.dtype:
            src = np.asarray(src).astype(like.dtype)
        # a real copy (device buffers may be donated later), without compiling a copy kernel
        return jax.device_put(src, self.device, may_alias=False)

    def get_params(self, arg_params: dict, aux_params: dict) -> None:
        """Refresh the given dicts of NDArrays in place from the device state."""
        self.sync()
        with jax.enable_x64(True):
            for src, dst in ((self.params, arg_params), (self.aux, aux_params)):
                for n, arr in dst.items():
                    if n in src:
                        arr._data = _copy_to(src[n], arr)

    # compat lists (one entry per param; MXNet has one list per device)
    @property
    def param_arrays(self) -> list[list[NDArray]]:
        return [[BoundArray(self.params, n, self.ctx, self.sync)] for n in self.param_names]

    @property
    def grad_arrays(self) -> list[list[NDArray] | None]:
        return [[BoundArray(self.grads, n, self.ctx)] if n in self.grads else None
                for n in self.param_names]

    @property
    def aux_arrays(self) -> list[list[NDArray]]:
        return [[BoundArray(self.aux, n, self.ctx)] for n in self.aux_names]

    # ---------------------------------------------------------- computation
    def load_batch(self, data_batch: Any, with_label: bool) -> dict[str, jax.Array]:
        """The batch's data (and labels) as a name -> device array dict, shapes checked."""
        data = _as_list(getattr(data_batch, "data", None))
        if len(data) != len(self.data_names):
            raise MXNetError(f"the batch has {len(data)} data arrays but the module expects "
                             f"{len(self.data_names)}: {self.data_names}")
        feed: dict[str, jax.Array] = {}
        for n, arr in zip(self.data_names, data, strict=True):
            feed[n] = self._input_value(n, arr)
        label = _as_list(getattr(data_batch, "label", None))
        if with_label and self.label_names and label:
            if len(label) != len(self.label_names):
                raise MXNetError(f"the batch has {len(label)} label arrays but the module "
                                 f"expects {len(self.label_names)}: {self.label_names}")
            for n, arr in zip(self.label_names, label, strict=True):
                if n in self.inputs:
                    feed[n] = self._input_value(n, arr)
        return feed

    def _input_value(self, name: str, arr: Any) -> jax.Array:
        v = arr._data if isinstance(arr, NDArray) else jnp.asarray(np.asarray(arr))
        want = self.inputs.get(name)
        if want is not None and v.dtype != want.dtype:
            v = v.astype(want.dtype)
        return v

    def batch_shapes_match(self, feed: dict[str, jax.Array]) -> bool:
        return all(tuple(v.shape) == self.arg_shapes.get(n, tuple(v.shape))
                   for n, v in feed.items())

    @functools.cached_property
    def _jit_forward(self):
        prog = self.program

        def fwd(params, aux, inputs, key, is_train):
            outs, new_aux = prog.run({**inputs, **params}, aux, is_train, key)
            return outs, new_aux

        return jax.jit(fwd, static_argnums=(4,))

    @functools.cached_property
    def _jit_fwd_bwd(self):
        prog = self.program
        diff_p, diff_i = self.diff_params, self.diff_inputs

        def fwd_bwd(params, aux, inputs, key, head_grads):
            dp = {n: params[n] for n in diff_p}
            di = {n: inputs[n] for n in diff_i}
            rest = {**{n: v for n, v in inputs.items() if n not in di},
                    **{n: v for n, v in params.items() if n not in dp}}
            outs, new_aux, grads = prog.forward_backward({**dp, **di}, rest, aux, key,
                                                         head_grads)
            return outs, new_aux, {n: grads[n] for n in diff_p}, {n: grads[n] for n in diff_i}

        return jax.jit(fwd_bwd)

    def forward(self, data_batch: Any, is_train: bool, key: jax.Array | None) -> None:
        """Record a forward pass; outputs are computed on first use (or by backward)."""
        feed = self.load_batch(data_batch, with_label=True)
        inputs = dict(self.inputs)
        inputs.update(feed)
        self.inputs.update(feed)
        n_out = len(self.output_names)
        speculate = is_train and all(self.program.head_is_loss)
        if speculate and self.engine is not None and self.engine.deferred:
            # the deferred optimizer step, forward and backward in one compiled call
            state = {"aux": dict(self.aux), "inputs": inputs, "key": key, "is_train": True}
            self.engine.update_then_fwd_bwd(state)
        else:
            self.sync()
            state = {"params": dict(self.params), "aux": dict(self.aux), "inputs": inputs,
                     "key": key, "is_train": bool(is_train)}
            if speculate:
                # every head ignores its head gradient: run forward+backward now, one call
                self._run_fwd_bwd(state, [None] * n_out)
        self._pending = state
        self._outputs = [NDArray(Lazy(functools.partial(self._pending_output, state, i)),
                                 self.ctx) for i in range(n_out)]

    def _pending_output(self, state: dict, i: int) -> jax.Array:
        if "outs" not in state:
            with jax.enable_x64(True):
                outs, new_aux = self._jit_forward(state["params"], state["aux"],
                                                  state["inputs"], state["key"],
                                                  state["is_train"])
            state["outs"], state["new_aux"] = outs, new_aux
        return state["outs"][i]

    def _run_fwd_bwd(self, state: dict, heads: list) -> None:
        with jax.enable_x64(True):
            outs, new_aux, grads, igrads = self._jit_fwd_bwd(
                state["params"], state["aux"], state["inputs"], state["key"], heads)
        state["outs"], state["bwd"] = outs, (new_aux, grads, igrads)

    def backward(self, out_grads: Any = None) -> None:
        """Gradients of the last training forward (loss heads ignore head gradients)."""
        state = self._pending
        if state is None:
            raise MXNetError("backward() needs a forward() first")
        if not state["is_train"]:
            raise MXNetError("backward() needs forward(is_train=True); the last forward was "
                             "in inference mode")
        og = _as_list(out_grads)
        if og and len(og) != len(self.output_names):
            raise MXNetError(f"backward: {len(og)} out_grads given for "
                             f"{len(self.output_names)} outputs {self.output_names}")
        heads: list = []
        for i, is_loss in enumerate(self.program.head_is_loss):
            g = og[i] if og else None
            if g is None and not is_loss:
                raise MXNetError(HEAD_GRAD_REQUIRED)
            heads.append(None if g is None or is_loss else
                         (g._data if isinstance(g, NDArray) else jnp.asarray(g)))
        if "bwd" not in state or any(h is not None for h in heads):
            self._run_fwd_bwd(state, heads)
        new_aux, grads, igrads = state["bwd"]
        with jax.enable_x64(True):
            for n, g in grads.items():
                if self.grad_req[n] == "add":
                    self.grads[n] = self.grads[n] + g
                else:
                    self.grads[n] = g
            for n, g in igrads.items():
                if self.grad_req[n] == "add":
                    self.input_grads[n] = self.input_grads[n] + g
                else:
                    self.input_grads[n] = g
        self.aux.update(new_aux)

    def resolve_pending(self) -> None:
        """Compute a pending lazy forward now (before its input buffers may be donated)."""
        st = self._pending
        if st is not None and "outs" not in st and self.output_names:
            self._pending_output(st, 0)

    def set_outputs(self, outs: Sequence[jax.Array]) -> None:
        """Outputs computed elsewhere (the fused training step)."""
        self._outputs = [NDArray(o, self.ctx) for o in outs]
        self._pending = None

    def mark_trained(self) -> None:
        """A scanned epoch ran: there is no last forward to show."""
        self._outputs = None
        self._pending = None

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        if self._outputs is None:
            raise MXNetError("no outputs: call forward() first")
        if merge_multi_context:
            return list(self._outputs)
        return [[o] for o in self._outputs]

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        grads = [NDArray(self.input_grads[n], self.ctx) for n in self.data_names
                 if n in self.input_grads]
        if merge_multi_context:
            return grads
        return [[g] for g in grads]

    def update_metric(self, eval_metric: Any, labels: Any, pre_sliced: bool = False) -> None:
        """``eval_metric.update_dict`` once per device slice (one device here)."""
        from collections import OrderedDict

        labels = _as_list(labels)
        if pre_sliced:
            labels = labels[0] if labels else []
        label_dict = OrderedDict(zip(self.label_names, labels, strict=False))
        out_dict = OrderedDict(zip(self.output_names, self.get_outputs(), strict=True))
        eval_metric.update_dict(label_dict, out_dict)

    def install_monitor(self, mon: Any) -> None:
        self._monitor = mon


def _copy_to(value: jax.Array, like: NDArray) -> jax.Array:
    """A copy of ``value`` on ``like``'s device with ``like``'s dtype (no compiled kernel)."""
    dev = like.context.jax_device
    if value.dtype != like._data.dtype:
        return jax.device_put(np.asarray(value).astype(like._data.dtype), dev)
    return jax.device_put(value, dev, may_alias=False)


def _as_list(x: Any) -> list:
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]
