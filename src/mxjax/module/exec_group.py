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

Several devices (``context=[gpu(0), gpu(1)]``, or several CPU devices) are one
``jax.sharding.Mesh`` with the axis ``'dev'``, and every computation is one
``jax.shard_map`` whose body is exactly the one-device program run on the
device's slice — MXNet's per-device semantics (SPEC §2.3):

* the batch is split along each input's batch axis with MXNet's rule
  (``round(w·B/Σw)`` per ``work_load_list`` entry); mxjax needs the slices to
  be equal (batch divisible by the number of devices, equal workloads) and
  says so otherwise;
* parameters and optimizer states are replicated; each device's gradient is
  its slice's gradient (``grad_arrays`` shows them per device, as MXNet's), and
  ``update`` sums them (inside the compiled call: an XLA all-reduce);
* auxiliary states (BatchNorm's moving statistics) are kept per device, with
  a leading device axis: each device updates its own copy from its slice's
  batch statistics, and ``get_params`` returns their mean, as MXNet does;
* outputs and input gradients are concatenated along their batch axis
  (``get_outputs()`` looks as with one device, ``merge_multi_context=False``
  gives per-device arrays); metrics are updated once per device slice.

With a ``dist_sync`` kvstore (``enable_dist``) the gradient sums run over a
global mesh of every worker's devices (``jax.distributed``); everything else
(forward, score, predict) stays on this worker's own devices, so a worker may
predict alone. The state is always held as this worker's arrays; a collective
step wraps them into global arrays without copying.

For code that reaches into MXNet's internals, ``execs[i].arg_dict``,
``execs[i].grad_dict``, ``execs[i].aux_dict``, ``param_arrays``,
``grad_arrays`` and ``param_names`` are NDArray views that read and write the
live state of device ``i``. Parameters are kept identical on all devices (as
MXNet keeps them after every update): writing one device's parameter view
writes every device's copy.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from ..base import MXNetError
from ..base import as_list as _as_list
from ..context import Context
from ..executor import HEAD_GRAD_REQUIRED, GraphProgram
from ..ndarray.ndarray import Lazy, NDArray
from .devices import (
    AXIS,
    REP,
    STACK,
    DistMesh,
    batch_axis_of,
    batch_spec,
    dist_mesh,
    shape_of,
    split_batch,
)
from .views import BoundArray, DeviceArray, ExecView

__all__ = ["ExecGroup", "BoundArray", "split_batch", "AXIS", "REP", "STACK"]

class ExecGroup:
    """Parameters, gradients and compiled computation of a bound Module."""

    def __init__(self, symbol: Any, contexts: Sequence[Context], data_shapes: Sequence,
                 label_shapes: Sequence | None, param_names: Sequence[str], for_training: bool,
                 inputs_need_grad: bool, grad_req: Any, fixed_param_names: Sequence[str],
                 state_names: Sequence[str], data_types: dict[str, Any],
                 work_load_list: Sequence[float] | None = None):
        self.symbol = symbol
        self.contexts = list(contexts)
        if not self.contexts:
            raise MXNetError("a Module needs at least one context")
        self.ctx = self.contexts[0]
        self.devices = [c.jax_device for c in self.contexts]
        if len(set(self.devices)) != len(self.devices):
            raise MXNetError(
                f"contexts {self.contexts} map to the JAX devices {self.devices}, some of them "
                "the same device; mxjax runs one program per device and needs distinct devices "
                f"(this process has {len(jax.local_devices())}; for several CPU devices start "
                "Python with XLA_FLAGS=--xla_force_host_platform_device_count=N)")
        self.device = self.devices[0]
        self.ndev = len(self.devices)
        self.work_load_list = list(work_load_list) if work_load_list is not None \
            else [1] * self.ndev
        if len(self.work_load_list) != self.ndev:
            raise MXNetError(f"work_load_list {self.work_load_list} must have one entry per "
                             f"context ({self.ndev})")
        #: whether computations run as one shard_map over a Mesh (several devices, or dist)
        self.spmd = self.ndev > 1
        self.mesh: Mesh | None = Mesh(np.array(self.devices), (AXIS,)) if self.spmd else None
        #: the global mesh of a dist_sync job (see ``enable_dist``)
        self.dist: DistMesh | None = None
        self.program = GraphProgram(symbol)
        self.param_names = list(param_names)
        self.aux_names = list(self.program.aux_names)
        self.output_names = list(self.program.output_names)
        self.data_names = [shape_of(d)[0] for d in data_shapes]
        self.label_names = [shape_of(d)[0] for d in (label_shapes or [])]
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
        self.in_spec: dict[str, P] = {}
        self.out_spec: list[P] = []
        self._bind_shapes(data_shapes, label_shapes)
        self.execs = [ExecView(self, k) for k in range(self.ndev)]
        #: the Module's TrainEngine when one exists (it may hold a deferred optimizer step)
        self.engine: Any = None
        self._outputs: list[NDArray] | None = None
        self._out_get: Callable[[int], jax.Array] | None = None
        self._pending: dict | None = None
        #: executor monitor callbacks by device (``ExecView.set_monitor_callback``), and mode
        self.monitor_callbacks: dict[int, Callable[[str, NDArray], None]] = {}
        self.monitor_all = False

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
        known = dict(shape_of(d) for d in data_shapes)
        for d in label_shapes or []:
            n, s = shape_of(d)
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
        arg_types, _, aux_types = self.symbol.infer_type_partial(**types)
        # what stays unknown is float32, MXNet's default
        arg_types = [np.float32 if t is None else t for t in arg_types]
        aux_types = [np.float32 if t is None else t for t in aux_types]
        self.arg_shapes = dict(zip(self.program.arg_names, arg_shapes, strict=True))
        self.arg_types = {n: np.dtype(t) for n, t in zip(self.program.arg_names, arg_types,
                                                          strict=True)}
        self.aux_shapes = dict(zip(self.aux_names, aux_shapes, strict=True))
        self.aux_types = {n: np.dtype(t) for n, t in zip(self.aux_names, aux_types, strict=True)}
        self.output_shapes = list(zip(self.output_names, out_shapes, strict=True))
        self.batch_size = self._decide_batch_size(data_shapes)
        old_specs = (dict(self.in_spec), list(self.out_spec))
        if self.spmd:
            self._device_shapes(data_shapes, label_shapes)
        else:
            self.dev_arg_shapes = dict(self.arg_shapes)
            self.dev_output_shapes = [tuple(s) for _, s in self.output_shapes]
            self.in_spec = dict.fromkeys(self.input_names, REP)
            self.out_spec = [REP] * len(self.output_names)
        #: changes when the per-device layout of inputs/outputs changed (compiled steps differ)
        self.layout_changed = old_specs != (self.in_spec, self.out_spec)
        with jax.enable_x64(True):
            for n in self.param_names:
                if n not in self.params or self.params[n].shape != self.arg_shapes[n]:
                    self.params[n] = self._zeros(self.arg_shapes[n], self.arg_types[n], REP)
            for n in self.aux_names:
                if n not in self.aux or self._unstacked_shape(self.aux[n]) != self.aux_shapes[n]:
                    self.aux[n] = self._stacked_zeros(self.aux_shapes[n], self.aux_types[n])
            for n in self.diff_params:
                if n not in self.grads or \
                        self._unstacked_shape(self.grads[n]) != self.arg_shapes[n]:
                    self.grads[n] = self._stacked_zeros(self.arg_shapes[n], self.arg_types[n])
            for n in self.input_names:
                self.inputs[n] = self._zeros(self.arg_shapes[n], self.arg_types[n],
                                             self.in_spec[n])
            for n in self.diff_inputs:
                self.input_grads[n] = self._zeros(self.arg_shapes[n], self.arg_types[n],
                                                  self.in_spec[n])

    def _decide_batch_size(self, data_shapes: Sequence) -> int:
        """MXNet's ``decide_slices``: the batch size along each data input's batch axis."""
        batch_size = None
        for d in data_shapes:
            axis = batch_axis_of(d)
            if axis == -1:
                continue
            name, shape = shape_of(d)
            if axis >= len(shape):
                raise MXNetError(f"data {name!r} of shape {shape} has no batch axis {axis} "
                                 f"(layout {getattr(d, 'layout', None)!r})")
            if batch_size is None:
                batch_size = shape[axis]
            elif shape[axis] != batch_size:
                raise MXNetError(f"all data must have the same batch size: batch_size = "
                                 f"{batch_size}, but {name} has shape {shape}")
        if batch_size is None:
            batch_size = shape_of(data_shapes[0])[1][0] if data_shapes else 0
        return batch_size

    def _device_shapes(self, data_shapes: Sequence, label_shapes: Sequence | None) -> None:
        """Per-device shapes and how each input/output is laid out over the devices."""
        slices = split_batch(self.batch_size, self.work_load_list)
        sizes = [s.stop - s.start for s in slices]
        if len(set(sizes)) != 1:
            raise MXNetError(
                f"batch size {self.batch_size} is split over {self.ndev} devices as {sizes} "
                f"(work_load_list {self.work_load_list}); mxjax runs one program on every "
                "device and needs equal slices: use a batch size divisible by the number of "
                "devices and equal workloads")
        per = sizes[0]
        self.slices = slices
        dev_known: dict[str, tuple] = {}
        self.in_spec = {}
        for d in list(data_shapes) + list(label_shapes or []):
            name, shape = shape_of(d)
            axis = batch_axis_of(d)
            if axis >= 0:
                shape = shape[:axis] + (per,) + shape[axis + 1:]
                self.in_spec[name] = batch_spec(axis)
            else:
                self.in_spec[name] = REP
            dev_known[name] = shape
        arg_shapes, out_shapes, aux_shapes = self.symbol.infer_shape(**dev_known)
        if arg_shapes is None:
            raise MXNetError(f"cannot infer the per-device shapes from {dev_known}")
        self.dev_arg_shapes = dict(zip(self.program.arg_names, arg_shapes, strict=True))
        for n in self.param_names:
            if tuple(self.dev_arg_shapes[n]) != tuple(self.arg_shapes[n]):
                raise MXNetError(
                    f"parameter {n!r} has shape {self.arg_shapes[n]} for the whole batch but "
                    f"{self.dev_arg_shapes[n]} for a device's slice; a parameter whose shape "
                    "depends on the batch size cannot be split over devices")
        for n, full, dev in zip(self.aux_names, self.aux_shapes.values(), aux_shapes,
                                strict=True):
            if tuple(full) != tuple(dev):
                raise MXNetError(f"auxiliary state {n!r} has shape {full} for the whole batch "
                                 f"but {dev} for a device's slice")
        for n in self.input_names:
            if n in self.in_spec:
                continue
            full, dev = tuple(self.arg_shapes[n]), tuple(self.dev_arg_shapes[n])
            diff = [i for i, (a, b) in enumerate(zip(full, dev, strict=True)) if a != b]
            if not diff:
                self.in_spec[n] = REP
            elif len(diff) == 1 and full[diff[0]] == dev[diff[0]] * self.ndev:
                self.in_spec[n] = batch_spec(diff[0])
            else:
                raise MXNetError(f"input {n!r} has shape {full} for the whole batch and {dev} "
                                 "for a device's slice; it cannot be split over devices")
        self.dev_output_shapes = [tuple(s) for s in out_shapes]
        self.out_spec = self._output_specs(self.dev_output_shapes)

    def _output_specs(self, shapes: Sequence[tuple]) -> list[P]:
        """MXNet merges output i along the 'N' of its ``__layout__`` attribute (axis 0
        without one); an output whose layout has no 'N' is the first device's copy."""
        specs = []
        for i, shape in enumerate(shapes):
            layout = self.symbol[i].attr("__layout__")
            axis = 0 if layout is None else layout.find("N")
            if axis >= len(shape):
                raise MXNetError(f"output {self.output_names[i]!r} of per-device shape {shape} "
                                 f"has no batch axis {axis} (__layout__ {layout!r})")
            specs.append(batch_spec(axis) if axis >= 0 else REP)
        return specs

    # ------------------------------------------------------------- placement
    def sharding(self, spec: P) -> Any:
        """Where an array with ``spec`` lives (the device itself with one device)."""
        if not self.spmd:
            return self.device
        return NamedSharding(self.mesh, spec)

    def place(self, value: Any, spec: P = REP) -> Any:
        """``value`` (a host or device pytree) laid out with ``spec`` (a real copy)."""
        return jax.device_put(value, self.sharding(spec))

    def _zeros(self, shape: tuple, dtype: np.dtype, spec: P) -> jax.Array:
        # from host memory: an eager jnp.zeros would compile a kernel per shape
        return jax.device_put(np.zeros(shape, dtype), self.sharding(spec))

    def _stacked_zeros(self, shape: tuple, dtype: np.dtype) -> jax.Array:
        if not self.spmd:
            return self._zeros(shape, dtype, REP)
        return self._zeros((self.ndev,) + tuple(shape), dtype, STACK)

    def _unstacked_shape(self, arr: jax.Array) -> tuple:
        return tuple(arr.shape[1:]) if self.spmd else tuple(arr.shape)

    def stacked_from_host(self, value: np.ndarray) -> jax.Array:
        """One copy of ``value`` per device (aux states after set_params)."""
        if not self.spmd:
            return jax.device_put(value, self.device, may_alias=False)
        value = np.asarray(value)
        return jax.device_put(np.broadcast_to(value, (self.ndev,) + value.shape),
                              NamedSharding(self.mesh, STACK))

    # --------------------------------------------- per-device computation
    def unstack(self, tree: Any) -> Any:
        """Inside a per-device body: this device's entry of stacked arrays."""
        if not self.spmd:
            return tree
        return jax.tree_util.tree_map(lambda a: a[0], tree)

    def stack(self, tree: Any) -> Any:
        """Inside a per-device body: a value to return stacked (one entry per device)."""
        if not self.spmd:
            return tree
        return jax.tree_util.tree_map(lambda a: a[None], tree)

    def psum(self, tree: Any) -> Any:
        """Inside a per-device body: the sum over all devices (identity with one device)."""
        if not self.spmd:
            return tree
        return jax.lax.psum(tree, AXIS)

    def device_key(self, key: Any) -> Any:
        """Inside a per-device body: this device's random key (MXNet seeds devices apart)."""
        if not self.spmd or key is None:
            return key
        return jax.random.fold_in(key, jax.lax.axis_index(AXIS))

    def inputs_spec(self, inputs: dict) -> dict:
        return {n: self.in_spec.get(n, REP) for n in inputs}

    def per_device_jit(self, body: Callable, in_specs: Any, out_specs: Any,
                       donate_argnums: tuple = (), collective: bool = False) -> Callable:
        """``jax.jit`` of ``body`` run once per device on its blocks (``jax.shard_map``).

        ``in_specs`` is a tuple of spec trees or a function of the arguments giving
        one (dicts whose keys vary); with one device this is ``jax.jit(body)``.
        A ``collective`` function (gradient sums) of a dist_sync job runs over the
        global mesh of all workers; it takes and returns this worker's arrays.
        """
        if not self.spmd:
            return jax.jit(body, donate_argnums=donate_argnums)
        dist = self.dist if collective else None
        mesh = dist.mesh if dist is not None else self.mesh

        def specs_of(args: tuple) -> Any:
            return in_specs(*args) if callable(in_specs) else in_specs

        def run(*args):
            fn = jax.shard_map(body, mesh=mesh, in_specs=specs_of(args), out_specs=out_specs,
                               check_vma=False)
            return fn(*args)

        if dist is None:
            return jax.jit(run, donate_argnums=donate_argnums)
        fn = jax.jit(run)  # no donation: the global arrays share this worker's buffers

        def call(*args):
            out = fn(*dist.to_global(args, specs_of(args)))
            return dist.to_local(out, out_specs)

        return call

    def enable_dist(self) -> None:
        """Join the gradient sums of a dist_sync job (all workers call this together)."""
        if self.dist is not None:
            return
        self.sync()
        if not self.spmd:
            self.spmd = True
            self.mesh = Mesh(np.array(self.devices), (AXIS,))
            self.in_spec = dict.fromkeys(self.input_names, REP)
            for d in list(self.data_shapes) + list(self.label_shapes or []):
                axis = batch_axis_of(d)
                self.in_spec[shape_of(d)[0]] = batch_spec(axis) if axis >= 0 else REP
            self.out_spec = self._output_specs(self.dev_output_shapes)
            self.slices = [slice(0, self.batch_size)]
            with jax.enable_x64(True):
                self.params.update({n: self.place(v, REP) for n, v in self.params.items()})
                self.aux.update({n: self.place(v[None], STACK) for n, v in self.aux.items()})
                self.grads.update({n: self.place(v[None], STACK) for n, v in self.grads.items()})
                for store in (self.inputs, self.input_grads):
                    store.update({n: self.place(v, self.in_spec[n]) for n, v in store.items()})
            self._outputs = None
            self._pending = None
            for name in ("_jit_fwd_bwd",):
                self.__dict__.pop(name, None)
            self._jit_forwards.clear()
        self.dist = dist_mesh(self.devices, self.mesh)

    def reshape(self, data_shapes: Sequence, label_shapes: Sequence | None) -> None:
        """Rebind for new input shapes keeping parameters (MXNet's ``Module.reshape``)."""
        self.sync()
        self._bind_shapes(data_shapes, label_shapes)
        if self.layout_changed:
            self.__dict__.pop("_jit_fwd_bwd", None)
            self._jit_forwards.clear()
        self._outputs = None
        self._pending = None

    # ------------------------------------------------------------- parameters
    def sync(self) -> None:
        """Apply a deferred optimizer step (see ``TrainEngine.update``) before params are used."""
        if self.engine is not None and self.engine.deferred:
            self.engine.flush()

    def set_params(self, arg_params: dict, aux_params: dict | None,
                   allow_extra: bool = False) -> None:
        """Copy given arrays onto the devices (a copy: device buffers may be donated)."""
        self.sync()
        with jax.enable_x64(True):
            for n, v in (arg_params or {}).items():
                if n in self.params:
                    self.params[n] = self._to_device(v, self.params[n], n, stacked=False)
            for n, v in (aux_params or {}).items():
                if n in self.aux:
                    self.aux[n] = self._to_device(v, self.aux[n], n, stacked=True)

    def _to_device(self, value: Any, like: jax.Array, name: str, stacked: bool) -> jax.Array:
        src = value._data if isinstance(value, NDArray) else np.asarray(value)
        want = self._unstacked_shape(like) if stacked else tuple(like.shape)
        if tuple(src.shape) != want:
            raise MXNetError(
                f"parameter {name!r} has shape {tuple(src.shape)} but the module is bound with "
                f"{want}"
            )
        if src.dtype != like.dtype:
            src = np.asarray(src).astype(like.dtype)
        if stacked:
            return self.stacked_from_host(np.asarray(src) if self.spmd else src)
        # a real copy (device buffers may be donated later), without compiling a copy kernel
        return jax.device_put(src, self.sharding(REP), may_alias=False)

    def get_params(self, arg_params: dict, aux_params: dict) -> None:
        """Refresh the given dicts of NDArrays in place from the device state (aux states:
        the mean of the devices' copies, as MXNet's ``get_params``)."""
        self.sync()
        with jax.enable_x64(True):
            for n, arr in arg_params.items():
                if n in self.params:
                    arr._data = _copy_to(self.params[n], arr)
            for n, arr in aux_params.items():
                if n in self.aux:
                    if self.spmd:
                        arr._data = _mean_to(self.aux[n], arr)
                    else:
                        arr._data = _copy_to(self.aux[n], arr)

    # ------------------------------------------------------ per-device views
    def _shard(self, arr: jax.Array, k: int) -> jax.Array:
        dev = self.devices[k]
        for s in arr.addressable_shards:
            if s.device == dev:
                return s.data
        return jax.device_put(arr, dev)

    def _kind_spec(self, kind: str, key: str) -> P | None:
        """How a state entry is laid out: REP, a batch split, or None for stacked."""
        if kind == "params":
            return REP
        if kind in ("aux", "grads"):
            return None
        return self.in_spec.get(key, REP)

    def device_value(self, kind: str, key: str, k: int) -> jax.Array:
        """Device ``k``'s array of a state entry (``kind``: params/aux/grads/inputs/...)."""
        if kind == "params":
            self.sync()
        return self._part(kind, key, getattr(self, kind)[key], k)

    def _part(self, kind: str, key: str, arr: jax.Array, k: int) -> jax.Array:
        """Device ``k``'s part of ``arr``, a value of state entry ``key`` of ``kind``."""
        if not self.spmd:
            return arr
        shard = self._shard(arr, k)
        if self._kind_spec(kind, key) is None:
            with jax.enable_x64(True):
                return shard.reshape(shard.shape[1:])
        return shard

    def set_device_value(self, kind: str, key: str, k: int, value: jax.Array) -> None:
        """Write device ``k``'s array of a state entry (parameters: every device's copy)."""
        store = getattr(self, kind)
        if not self.spmd:
            store[key] = value
            return
        if kind == "params":
            self.sync()
        spec = self._kind_spec(kind, key)
        cur = store[key]
        with jax.enable_x64(True):
            if spec == REP and kind == "params":
                store[key] = jax.device_put(value.astype(cur.dtype), self.sharding(REP))
                return
            block = value.astype(cur.dtype)
            if spec is None:
                block = block[None]
            want = tuple(self._shard(cur, k).shape)
            if tuple(block.shape) != want:
                raise MXNetError(f"cannot write an array of shape {tuple(value.shape)} into "
                                 f"device {k}'s {key!r} of shape "
                                 f"{want[1:] if spec is None else want}")
            shards = [jax.device_put(block, d) if i == k else self._shard(cur, i)
                      for i, d in enumerate(self.devices)]
            store[key] = jax.make_array_from_single_device_arrays(
                cur.shape, cur.sharding, shards)

    def _device_lists(self, kind: str, names: Sequence[str]) -> list[list[NDArray]]:
        if not self.spmd:
            store = getattr(self, kind)
            return [[BoundArray(store, n, self.ctx, self.sync if kind == "params" else None)]
                    for n in names]
        return [[DeviceArray(self, kind, n, k) for k in range(self.ndev)] for n in names]

    # compat lists (one entry per parameter, each a list over devices, as MXNet's)
    @property
    def param_arrays(self) -> list[list[NDArray]]:
        return self._device_lists("params", self.param_names)

    @property
    def grad_arrays(self) -> list[list[NDArray] | None]:
        lists = self._device_lists("grads", [n for n in self.param_names if n in self.grads])
        it = iter(lists)
        return [next(it) if n in self.grads else None for n in self.param_names]

    @property
    def aux_arrays(self) -> list[list[NDArray]]:
        return self._device_lists("aux", self.aux_names)

    def states(self, names: Sequence[str], merge: bool) -> list:
        """State inputs (``get_states``): merged along the batch axis, or per device."""
        if not self.spmd:
            arrs = [BoundArray(self.inputs, n, self.ctx) for n in names]
            return arrs if merge else [[a] for a in arrs]
        if merge:
            return [NDArray(self._merged(self.inputs[n], self.in_spec[n]), self.ctx)
                    for n in names]
        return [[DeviceArray(self, "inputs", n, k) for k in range(self.ndev)] for n in names]

    def set_state(self, name: str, value: Any) -> None:
        """Set a state input: one array for all devices, or a list with one per device."""
        if isinstance(value, (list, tuple)):
            if not self.spmd:
                value = value[0]
            else:
                for k, v in enumerate(value):
                    self.set_device_value("inputs", name, k,
                                          v._data if isinstance(v, NDArray) else jnp.asarray(v))
                return
        v = value._data if isinstance(value, NDArray) else jnp.asarray(value)
        with jax.enable_x64(True):
            self.inputs[name] = jax.device_put(v.astype(self.inputs[name].dtype),
                                               self.sharding(self.in_spec[name]))

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

    def _input_value(self, name: str, arr: Any) -> Any:
        # a host-backed batch goes into the compiled call as a numpy array: jit's transfer is
        # several times cheaper than an explicit device_put
        v = arr._jit_value() if isinstance(arr, NDArray) else np.asarray(arr)
        want = self.inputs.get(name)
        if want is not None and v.dtype != want.dtype:
            v = v.astype(want.dtype)
        if self.spmd and tuple(v.shape) == tuple(self.arg_shapes.get(name, ())):
            # MXNet copies each device's slice to it; a differently shaped batch is
            # placed after the implicit reshape (see Module.forward)
            v = jax.device_put(v, self.sharding(self.in_spec.get(name, REP)))
        elif not self.spmd and isinstance(v, jax.Array) and v.devices() != {self.device}:
            v = jax.device_put(v, self.device)  # an array made on another context
        return v

    def batch_shapes_match(self, feed: dict[str, jax.Array]) -> bool:
        return all(tuple(v.shape) == self.arg_shapes.get(n, tuple(v.shape))
                   for n, v in feed.items())

    def place_feed(self, feed: dict[str, jax.Array]) -> dict[str, jax.Array]:
        """Lay a batch out over the devices (after a reshape changed the bound shapes)."""
        if not self.spmd:
            return feed
        return {n: jax.device_put(v, self.sharding(self.in_spec.get(n, REP)))
                for n, v in feed.items()}

    @functools.cached_property
    def _jit_forwards(self) -> dict:
        return {}

    def _jit_forward(self, is_train: bool):
        fn = self._jit_forwards.get(is_train)
        if fn is not None:
            return fn
        prog = self.program

        def fwd(params, aux, inputs, key):
            outs, new_aux = prog.run({**inputs, **params}, self.unstack(aux), is_train,
                                     self.device_key(key))
            return outs, self.stack(new_aux)

        fn = self.per_device_jit(
            fwd, lambda p, a, i, k: (REP, STACK, self.inputs_spec(i), REP),
            (list(self.out_spec), STACK))
        self._jit_forwards[is_train] = fn
        return fn

    @functools.cached_property
    def _jit_fwd_bwd(self):
        prog = self.program
        diff_p, diff_i = self.diff_params, self.diff_inputs

        def fwd_bwd(params, aux, inputs, key, head_grads):
            dp = {n: params[n] for n in diff_p}
            di = {n: inputs[n] for n in diff_i}
            rest = {**{n: v for n, v in inputs.items() if n not in di},
                    **{n: v for n, v in params.items() if n not in dp}}
            outs, new_aux, grads = prog.forward_backward({**dp, **di}, rest,
                                                         self.unstack(aux),
                                                         self.device_key(key), head_grads)
            return (outs, self.stack(new_aux), self.stack({n: grads[n] for n in diff_p}),
                    {n: grads[n] for n in diff_i})

        return self.per_device_jit(
            fwd_bwd, lambda p, a, i, k, h: (REP, STACK, self.inputs_spec(i), REP,
                                            list(self.out_spec)),
            (list(self.out_spec), STACK, STACK, {n: self.in_spec[n] for n in diff_i}))

    def forward(self, data_batch: Any, is_train: bool, key: jax.Array | None,
                feed: dict | None = None) -> None:
        """Record a forward pass; outputs are computed on first use (or by backward).
        ``feed``: the batch as ``load_batch`` gave it, when the caller already loaded it."""
        if feed is None:
            feed = self.load_batch(data_batch, with_label=True)
        inputs = dict(self.inputs)
        inputs.update(feed)
        self.inputs.update(feed)
        n_out = len(self.output_names)
        speculate = is_train and all(self.program.head_is_loss)
        if self.monitoring:
            self.sync()  # the monitor reports this batch with the updated parameters
        if speculate and self.engine is not None and self.engine.deferred:
            # the deferred optimizer step, forward and backward in one compiled call
            state = {"aux": dict(self.aux), "inputs": inputs, "key": key, "is_train": True,
                     "label_ids": tuple(id(x) for x in _as_list(getattr(data_batch, "label",
                                                                          None)))}
            self.engine.update_then_fwd_bwd(state)
        else:
            self.sync()
            state = {"params": dict(self.params), "aux": dict(self.aux), "inputs": inputs,
                     "key": key, "is_train": bool(is_train)}
            if speculate:
                # every head ignores its head gradient: run forward+backward now, one call
                self._run_fwd_bwd(state, [None] * n_out)
        self._pending = state
        self._set_output_source(functools.partial(self._pending_output, state))
        if self.monitoring:
            self._report(state, None)

    def _set_output_source(self, get: Callable[[int], jax.Array]) -> None:
        """Outputs come from ``get(i)`` (all devices' output i); merged lazily on use."""
        self._out_get = get
        merge = self._merged_output if self.spmd else None
        self._outputs = [NDArray(Lazy(functools.partial(merge, get, i) if merge
                                      else functools.partial(get, i)), self.ctx)
                         for i in range(len(self.output_names))]

    def _merged_output(self, get: Callable[[int], jax.Array], i: int) -> jax.Array:
        return self._merged(get(i), self.out_spec[i])

    def _merged(self, arr: jax.Array, spec: P) -> jax.Array:
        """MXNet's merge: concatenated along the batch axis on the first device (a value
        with no batch axis: the first device's copy)."""
        if spec == REP:
            return self._shard(arr, 0)
        return jax.device_put(arr, self.device)

    def _pending_output(self, state: dict, i: int) -> jax.Array:
        if "outs" not in state:
            with jax.enable_x64(True):
                outs, new_aux = self._jit_forward(state["is_train"])(
                    state["params"], state["aux"], state["inputs"], state["key"])
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
            heads.append(None if g is None or is_loss else self._head_grad(g, i))
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
        if self.monitoring:
            self._report(state, heads)

    def _head_grad(self, g: Any, i: int) -> jax.Array:
        """A head gradient, sliced over the devices along the output's batch axis."""
        v = g._data if isinstance(g, NDArray) else jnp.asarray(g)
        if not self.spmd:
            return v
        return jax.device_put(v, self.sharding(self.out_spec[i]))

    def resolve_pending(self) -> None:
        """Compute a pending lazy forward now (before its input buffers may be donated)."""
        st = self._pending
        if st is not None and "outs" not in st and self.output_names:
            self._pending_output(st, 0)

    def set_outputs(self, outs: Sequence[jax.Array]) -> None:
        """Outputs computed elsewhere (the fused training step)."""
        if self.spmd:
            outs = list(outs)
            self._set_output_source(outs.__getitem__)
        else:
            self._out_get = list(outs).__getitem__
            self._outputs = [NDArray(o, self.ctx) for o in outs]
        self._pending = None

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        if self._outputs is None:
            raise MXNetError("no outputs: call forward() first")
        if merge_multi_context:
            return list(self._outputs)
        if not self.spmd:
            return [[o] for o in self._outputs]
        get = self._out_get
        return [[NDArray(self._shard(get(i), k), self.contexts[k]) for k in range(self.ndev)]
                for i in range(len(self.output_names))]

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        names = [n for n in self.data_names if n in self.input_grads]
        if not self.spmd:
            grads = [NDArray(self.input_grads[n], self.ctx) for n in names]
            return grads if merge_multi_context else [[g] for g in grads]
        if merge_multi_context:
            return [NDArray(self._merged(self.input_grads[n], self.in_spec[n]), self.ctx)
                    for n in names]
        return [[NDArray(self._shard(self.input_grads[n], k), self.contexts[k])
                 for k in range(self.ndev)] for n in names]

    def update_metric(self, eval_metric: Any, labels: Any, pre_sliced: bool = False) -> None:
        """``eval_metric.update_dict`` once per device slice (MXNet's order: device 0 first)."""
        labels = _as_list(labels)
        if not self.spmd:
            if pre_sliced:
                labels = labels[0] if labels else []
            if self.engine is not None and self.engine.metric_from_step(eval_metric, labels,
                                                                         self._pending):
                return  # the statistics came with the batch's compiled step
            label_dict = OrderedDict(zip(self.label_names, labels, strict=False))
            out_dict = OrderedDict(zip(self.output_names, self.get_outputs(), strict=True))
            eval_metric.update_dict(label_dict, out_dict)
            return
        outs = self.get_outputs(merge_multi_context=False)
        for k, islice in enumerate(self.slices):
            if pre_sliced:
                labels_k = _as_list(labels[k]) if k < len(labels) else []
            else:
                labels_k = [_slice_label(lab, self._label_axis(j), islice)
                            for j, lab in enumerate(labels)]
            label_dict = OrderedDict(zip(self.label_names, labels_k, strict=False))
            out_dict = OrderedDict(zip(self.output_names, [o[k] for o in outs], strict=True))
            eval_metric.update_dict(label_dict, out_dict)

    def _label_axis(self, j: int) -> int:
        if self.label_shapes is None or j >= len(self.label_shapes):
            return 0
        return batch_axis_of(self.label_shapes[j])

    @property
    def monitoring(self) -> bool:
        """Whether a monitor callback is installed (monitored batches run un-fused)."""
        return bool(self.monitor_callbacks)

    def _report(self, state: dict, heads: list | None) -> None:
        """Hand each device's monitor callback its forward's operator outputs, or (``heads``
        given) its backward's per-operator input gradients (``GraphProgram.report``), device
        after device as MXNet's executors report."""
        prog = self.program
        diff = frozenset([*self.grads, *self.input_grads])
        for k in range(self.ndev):
            callback = self.monitor_callbacks.get(k)
            if callback is None:
                continue
            args = {**{n: self._part("params", n, v, k) for n, v in state["params"].items()},
                    **{n: self._part("inputs", n, v, k) for n, v in state["inputs"].items()}}
            aux = {n: self._part("aux", n, v, k) for n, v in state["aux"].items()}
            key = state["key"]
            if key is not None and self.spmd:
                key = jax.random.fold_in(key, k)  # what device_key gives device k
            dev_heads = None if heads is None else [
                None if h is None else (self._shard(h, k) if self.spmd else h) for h in heads]
            with jax.enable_x64(True):
                fwd, bwd = prog.jit_report(args, aux, state["is_train"], key, dev_heads,
                                           diff_names=diff, with_variables=self.monitor_all)
            if heads is None:
                names, values = prog.forward_report_names(self.monitor_all), fwd
            else:
                names, values = prog.backward_report_names(diff), bwd
            for name, value in zip(names, values, strict=True):
                callback(name, NDArray(value, self.contexts[k]))


def _slice_label(label: Any, axis: int, islice: slice) -> Any:
    """Device slice of a label (MXNet: ``label[islice]`` on axis 0, ``slice_axis`` else)."""
    if axis < 0:
        return label
    if axis == 0:
        return label[islice]
    if isinstance(label, NDArray):
        with jax.enable_x64(True):
            return NDArray(jax.lax.slice_in_dim(label._data, islice.start, islice.stop,
                                                axis=axis), label.context)
    return np.take(np.asarray(label), np.arange(islice.start, islice.stop), axis=axis)


def _copy_to(value: jax.Array, like: NDArray) -> jax.Array:
    """A copy of ``value`` on ``like``'s device with ``like``'s dtype (no compiled kernel)."""
    dev = like.context.jax_device
    if value.dtype != like._data.dtype:
        return jax.device_put(np.asarray(value).astype(like._data.dtype), dev)
    return jax.device_put(value, dev, may_alias=False)


def _mean_to(stacked: jax.Array, like: NDArray) -> jax.Array:
    """MXNet's ``sum(device copies) / ndev`` (on the host, in the array's dtype)."""
    host = np.asarray(stacked)
    total = host[0].copy()
    for k in range(1, host.shape[0]):
        total = total + host[k]
    mean = (total / host.shape[0]).astype(host.dtype)
    return jax.device_put(mean.astype(like._data.dtype), like.context.jax_device)
