"""The Module's compiled training engine: fused updates, fused steps and scanned epochs.

Three levels, each producing exactly MXNet's results:

* ``update()`` — the optimizer over the whole parameter pytree in one jitted
  call (``FusedOptimizer.apply``), parameter and optimizer buffers donated.
  Optimizers without a pure rule (user subclasses overriding ``update``) run
  through MXNet's ``Updater`` instead.
* ``fit`` per batch — forward, backward, update and the built-in metric's
  sufficient statistics in one call per batch, used when a batch callback or a
  custom metric must see every batch. Callbacks then run after each batch with
  the metric, parameters and outputs as MXNet would show them.
* ``fit`` per epoch — when the data is an in-memory ``NDArrayIter`` (its
  ``_fused_epoch_plan``), nothing needs each batch and the metric has device
  statistics, the whole epoch runs inside one ``lax.scan``: the data lives on
  the device, the epoch's row order (MXNet's shuffle) is the scanned input.

``score`` and ``predict`` use the same scanned forward when they can.

On several devices every function runs once per device on its slice (see
``exec_group``): gradients are summed across devices inside the compiled call
(an XLA all-reduce), the optimizer update runs replicated, metric statistics
are kept per device (MXNet updates a metric once per device slice) and summed
on the host. A scanned epoch keeps the data on every device and gives each
device its columns of the epoch's row order. In a dist_sync job the gradient
sums span all workers; updates then run at once (never deferred), and epochs
run one compiled step per batch, each worker feeding its own batch.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import PartitionSpec as P

from ..ndarray.ndarray import NDArray
from .base_module import _as_list
from .exec_group import AXIS, REP, STACK, BoundArray, batch_spec

__all__ = ["TrainEngine"]

#: in-memory data larger than this is not copied to the device for scanned epochs
MAX_DEVICE_DATA_BYTES = 2 << 30


class _MetricStats:
    """A metric's device statistics, selected like ``EvalMetric.update_dict`` selects."""

    def __init__(self, metric: Any, label_names: list[str], output_names: list[str]):
        self.metric = metric
        self.label_names = label_names
        self.output_names = output_names
        # compiled steps are cached by this key: metrics of the same configuration (such as the
        # fresh 'acc' that every validation pass creates) share one compilation
        try:
            config = json.dumps(metric.get_config(), sort_keys=True, default=repr)
        except Exception:  # a metric without a usable config: key by identity
            config = str(id(metric))
        self._key = (type(metric), config, tuple(label_names), tuple(output_names))

    def __hash__(self) -> int:
        return hash(self._key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _MetricStats) and self._key == other._key

    @staticmethod
    def make(metric: Any, label_names: list[str], output_names: list[str]) -> _MetricStats | None:
        """Device statistics for ``metric``, or None when it must be updated on the host."""
        if not getattr(metric, "fused_supported", False):
            return None
        if not getattr(metric, "fused_summable", False):
            return None
        return _MetricStats(metric, label_names, output_names)

    def stats(self, labels: dict[str, jax.Array], outs: list[jax.Array]) -> Any:
        preds = dict(zip(self.output_names, outs, strict=True))
        return self.metric.fused_stats_dict(labels, preds)

    def zeros(self, labels: dict[str, jax.Array], outs: list[jax.Array], device: Any) -> Any:
        shapes = jax.eval_shape(self.stats, labels, outs)
        return jax.tree_util.tree_map(
            lambda s: jax.device_put(np.zeros(s.shape, s.dtype), device), shapes)

    def flush(self, acc: Any) -> None:
        host = jax.tree_util.tree_map(np.asarray, acc)
        self.metric.fused_accumulate(host)


class TrainEngine:
    """Compiled update/step/epoch functions for one bound, initialised Module."""

    def __init__(self, module: Any):
        self.mod = module
        g = module._exec_group
        self.g = g
        self.names = list(g.diff_params)
        self.fused = None
        opt = module._optimizer
        if opt is not None and self.names == [n for n in g.param_names if n in g.grads]:
            f = opt.fused(self.names)
            if f.supported and self._index_matches(opt):
                self.fused = f
        self.opt_state: Any = None
        self._device_data: dict[int, jax.Array] = {}
        #: an optimizer step requested by update() and not yet run (see update())
        self.deferred = False
        #: the metric the intermediate loop updates (its statistics ride on the compiled step)
        self._metric_hint: _MetricStats | None = None
        self._dyn_host: Any = None
        self._dyn_dev: Any = None
        self._dyn_version: Any = None
        self._metric_memo: tuple[Any, _MetricStats | None] = (None, None)
        #: whether fit's last epoch ran as one scanned call (else one step per batch)
        self.last_epoch_scanned = False
        g.engine = self

    def _index_matches(self, opt: Any) -> bool:
        """The fused index i must be the Updater index MXNet uses for names[i]."""
        return all(self.g.param_names[i] == n for i, n in enumerate(self.names))

    # ----------------------------------------------------------- optimizer state
    def _state(self) -> Any:
        if self.opt_state is None:
            weights = {n: self.g.params[n] for n in self.names}
            states = getattr(self.mod._updater, "states", None) or {}
            if states:
                state = self.fused.from_updater_states(states, weights)
            else:
                state = self.fused.init(weights)
            # committed to the module's device(s), as the compiled steps' outputs will be
            # (a change of committedness would recompile the step)
            self.opt_state = self.g.place(state, REP)
        return self.opt_state

    def sync_updater(self) -> None:
        """Make the Updater hold the current fused state (before saving or eager updates)."""
        self.flush()
        if self.fused is None or self.opt_state is None:
            return
        upd = self.mod._updater
        # merged into the Updater's states: indices this engine does not train (another
        # bucket's extra parameters, see hand_over) keep theirs
        states = dict(getattr(upd, "states", None) or {})
        states.update(self.fused.to_updater_states(self.opt_state))
        upd.states = states
        if hasattr(upd, "states_synced"):
            upd.states_synced = dict.fromkeys(upd.states, True)

    def hand_over(self, other: TrainEngine) -> None:
        """Pass the live optimizer state to ``other``, the engine of a module that shares this
        module's parameters and optimizer (BucketingModule's bucket switch).

        With the same fused parameters the device state and a deferred step move over as
        they are (the step then runs inside ``other``'s next training forward); otherwise the
        deferred step runs now and the state goes through the shared Updater, from which
        ``other`` reloads it. Either way this engine holds no state afterwards, so two
        engines never keep diverging copies."""
        if other is self:
            return
        if (other._metric_hint is None and self.g.label_names == other.g.label_names
                and self.g.output_names == other.g.output_names):
            # the loop's metric rides on the next bucket's steps from its first batch: one
            # compiled step per bucket instead of one without and one with the metric
            other._metric_hint = self._metric_hint
        same = (self.fused is not None and other.fused is not None
                and self.fused.opt is other.fused.opt and self.names == other.names
                and self.g.params is other.g.params and self.g.dist is None
                and other.g.dist is None and self.g.devices == other.g.devices)
        if not same:
            self.sync_updater()
            self.opt_state = None
            other.opt_state = None
            return
        other.opt_state, self.opt_state = self.opt_state, None
        other.deferred, self.deferred = self.deferred, False
        other._grads_for_step = getattr(self, "_grads_for_step", None)
        self._grads_for_step = None
        if other.fused._chunks is None:
            other.fused._chunks = self.fused._chunks

    # ------------------------------------------------------------------ update
    @functools.cached_property
    def _jit_update(self):
        fused = self.fused
        g = self.g

        def upd(params, grads, state, dyn):
            grads = g.psum(g.unstack(grads))  # MXNet sums the devices' gradients first
            return fused.apply(g.program.fix_params(params), grads, state, dyn)

        return g.per_device_jit(upd, (REP, STACK, REP, REP), (REP, REP), donate_argnums=(0, 2),
                                collective=True)

    def dynamic(self) -> Any:
        """The optimizer's host values, on the device; re-sent only when they change."""
        opt = self.fused.opt
        version = (opt.attr_version, id(opt.lr_mult), id(opt.wd_mult))
        if opt.lr_scheduler is None and version == self._dyn_version:
            return self._dyn_dev  # nothing was assigned since: the device copy is current
        host = self.fused.dynamic()
        key = _fingerprint(host)
        self._dyn_version = version
        if key == self._dyn_host:
            return self._dyn_dev
        self._dyn_host = key
        with jax.enable_x64(True):
            self._dyn_dev = self.g.place(host, REP)
        return self._dyn_dev

    def update(self) -> None:
        """One optimizer step. With a fused optimizer the step is deferred: it runs inside the
        next training forward (one compiled call per batch) or as soon as anything reads the
        parameters or the optimizer state (``flush``); results are MXNet's either way."""
        g = self.g
        g.resolve_pending()
        if self.fused is None:
            fixed = {n: g.params[n] for n in g.program.fixed_gamma if n in g.params}
            if fixed:  # the forward's write of 1 (BatchNorm fix_gamma), before the Updater
                with jax.enable_x64(True):
                    g.params.update(g.program.fix_params(fixed))
            if g.spmd:
                self._eager_update_devices()
                return
            upd = self.mod._updater
            for i, n in enumerate(g.param_names):
                if n in g.grads:
                    upd(i, BoundArray(g.grads, n, g.ctx), BoundArray(g.params, n, g.ctx))
            return
        if self.deferred:
            self.flush()
        self.deferred = True
        self._grads_for_step = {n: g.grads[n] for n in self.names}
        if g.dist is not None:
            # every worker must take part in the gradient sum: run it now, not at a later
            # read of the parameters that only some workers may make
            self.flush()

    def _eager_update_devices(self) -> None:
        """The Updater on the devices' summed gradients (one update, then replicated)."""
        from .. import distributed

        g = self.g
        upd = self.mod._updater
        names = [n for n in g.param_names if n in g.grads]
        with jax.enable_x64(True):
            summed = [jax.device_put(jnp.sum(g.grads[n], axis=0), g.device) for n in names]
            if g.dist is not None:
                summed = distributed.allreduce_sum(summed)
        grads = dict(zip(names, summed, strict=True))
        for i, n in enumerate(g.param_names):
            if n in grads:
                weight = NDArray(jax.device_put(g.params[n], g.device), g.ctx)
                upd(i, NDArray(grads[n], g.ctx), weight)
                with jax.enable_x64(True):
                    g.params[n] = g.place(weight._data, REP)

    def flush(self) -> None:
        """Run a deferred optimizer step now."""
        if not self.deferred:
            return
        self.deferred = False
        g = self.g
        state = self._state()
        params = {n: g.params[n] for n in self.names}
        grads = self._grads_for_step
        self._grads_for_step = None
        with jax.enable_x64(True):
            new_p, self.opt_state = self._jit_update(params, grads, state, self.dynamic())
        g.params.update(new_p)
        self.fused.commit(1)

    def _ufb_body(self, metric: _MetricStats | None):
        """The deferred step then forward+backward (one device's part); with ``metric``, also
        the batch's metric statistics."""
        fused = self.fused
        grp = self.g
        prog = grp.program
        names = self.names
        diff_i = grp.diff_inputs
        n_out = len(grp.output_names)
        label_names = list(grp.label_names)

        def run(params, grads, opt_state, dyn, aux, inputs, key):
            dp = prog.fix_params({n: params[n] for n in names})
            new_dp, new_opt = fused.apply(dp, grp.psum(grp.unstack(grads)), opt_state, dyn)
            params = {**params, **new_dp}
            di = {n: inputs[n] for n in diff_i}
            rest = {**{n: v for n, v in inputs.items() if n not in di},
                    **{n: v for n, v in params.items() if n not in new_dp}}
            outs, new_aux, g = prog.forward_backward({**new_dp, **di}, rest,
                                                     grp.unstack(aux), grp.device_key(key),
                                                     [None] * n_out)
            res = (params, new_opt, outs, grp.stack(new_aux),
                   grp.stack({n: g[n] for n in names}), {n: g[n] for n in di})
            if metric is None:
                return res
            labels = {n: inputs[n] for n in label_names if n in inputs}
            return (*res, metric.stats(labels, outs))

        return run

    @functools.cached_property
    def _jit_update_fwd_bwd(self):
        grp = self.g
        diff_i = grp.diff_inputs
        return grp.per_device_jit(
            self._ufb_body(None), lambda p, gr, o, d, a, i, k: (REP, STACK, REP, REP, STACK,
                                                                grp.inputs_spec(i), REP),
            (REP, REP, list(grp.out_spec), STACK, STACK, {n: grp.in_spec[n] for n in diff_i}),
            donate_argnums=(0, 2), collective=True)

    @functools.lru_cache(maxsize=8)  # noqa: B019 - one engine per bound module
    def _jit_update_fwd_bwd_metric(self, metric: _MetricStats):
        return jax.jit(self._ufb_body(metric), donate_argnums=(0, 2))

    def update_then_fwd_bwd(self, state: dict) -> None:
        """The deferred step, then forward+backward of the batch in ``state`` (one call).

        When the loop calls ``update_metric`` with a metric that has device statistics, later
        steps also compute them (``metric_from_step`` then uses them instead of copying the
        outputs to the host)."""
        g = self.g
        self.deferred = False
        opt_state = self._state()
        grads = self._grads_for_step
        self._grads_for_step = None
        hint = self._metric_hint if not g.spmd else None
        fn = self._jit_update_fwd_bwd if hint is None else self._jit_update_fwd_bwd_metric(hint)
        with jax.enable_x64(True):
            res = fn(dict(g.params), grads, opt_state, self.dynamic(), state["aux"],
                     state["inputs"], state["key"])
        params, self.opt_state, outs, new_aux, pgrads, igrads = res[:6]
        if hint is not None:
            state["mstats"] = (hint, res[6])
        g.params.update(params)
        self.fused.commit(1)
        state["params"] = dict(g.params)
        state["outs"] = outs
        state["bwd"] = (new_aux, pgrads, igrads)

    def metric_from_step(self, metric: Any, labels: list, state: dict | None) -> bool:
        """``update_metric`` from statistics the batch's step computed, if it did for this
        metric configuration and these very labels; else remember the metric for later steps
        and return False (the caller updates it on the host)."""
        g = self.g
        memo_metric, mine = self._metric_memo
        if memo_metric is not metric:
            mine = _MetricStats.make(metric, g.label_names, g.output_names)
            self._metric_memo = (metric, mine)
        got = state.get("mstats") if state is not None else None
        if got is not None and mine is not None and \
                state.get("label_ids") == tuple(id(x) for x in labels):
            hint, stats = got
            if hint == mine:
                metric.fused_accumulate(jax.tree_util.tree_map(np.asarray, stats))
                return True
        if self.fused is not None and not g.spmd:
            self._metric_hint = mine
        return False

    # -------------------------------------------------------------- train step
    def _step_body(self, metric: _MetricStats | None):
        prog = self.g.program
        fused = self.fused
        names = self.names
        n_out = len(self.g.output_names)
        label_names = list(self.g.label_names)
        g = self.g

        def step(params, aux, opt_state, inputs, key, dyn, macc):
            # one device's part (the whole step with one device): its slice's gradients,
            # summed over the devices, then the same update everywhere
            dp = prog.fix_params({n: params[n] for n in names})
            rest = {**inputs, **{n: v for n, v in params.items() if n not in dp}}
            outs, new_aux, grads = prog.forward_backward(dp, rest, aux, key, [None] * n_out)
            new_dp, new_opt = fused.apply(dp, g.psum(grads), opt_state, dyn)
            params = {**params, **new_dp}
            aux = {**aux, **new_aux}
            if metric is not None:
                labels = {n: inputs[n] for n in label_names if n in inputs}
                macc = jax.tree_util.tree_map(jnp.add, macc, metric.stats(labels, outs))
            return params, aux, new_opt, outs, macc

        return step

    @functools.lru_cache(maxsize=8)  # noqa: B019 - one engine per bound module
    def _jit_step(self, metric: _MetricStats | None):
        step = self._step_body(metric)
        g = self.g
        if not g.spmd:
            return jax.jit(step, donate_argnums=(0, 1, 2))

        def per_device(params, aux, opt_state, inputs, key, dyn, macc):
            params, aux, opt_state, outs, macc = step(
                params, g.unstack(aux), opt_state, inputs, g.device_key(key), dyn,
                g.unstack(macc))
            return params, g.stack(aux), opt_state, outs, g.stack(macc)

        return g.per_device_jit(
            per_device, lambda p, a, o, i, k, d, m: (REP, STACK, REP, g.inputs_spec(i), REP,
                                                     REP, STACK),
            (REP, STACK, REP, list(g.out_spec), STACK), donate_argnums=(0, 1, 2),
            collective=True)

    @functools.lru_cache(maxsize=8)  # noqa: B019
    def _jit_epoch(self, metric: _MetricStats, feed_names: tuple, batch_axis: int):
        step = self._step_body(metric)
        g = self.g
        needs_rng = g.program.needs_rng

        def epoch(params, aux, opt_state, const_inputs, data, idx, key, dyn, macc):
            # per device: the data is on every device, ``idx`` holds this device's columns
            aux, macc, key = g.unstack(aux), g.unstack(macc), g.device_key(key)

            def batch_inputs(rows):
                inputs = dict(const_inputs)
                for n in feed_names:
                    inputs[n] = jnp.take(data[n], rows, axis=batch_axis)
                return inputs

            def run(params, aux, opt_state, i, macc, rows):
                k = jax.random.fold_in(key, i) if needs_rng else None
                return step(params, aux, opt_state, batch_inputs(rows), k, dyn, macc)

            def body(carry, rows):
                params, aux, opt_state, i, macc, _ = carry
                params, aux, opt_state, outs, macc = run(params, aux, opt_state, i, macc, rows)
                return (params, aux, opt_state, i + 1, macc, outs), None

            i0 = jnp.asarray(0, jnp.int32)
            # the last batch's outputs come out of the epoch (what get_outputs shows after fit)
            shapes = jax.eval_shape(run, params, aux, opt_state, i0, macc, idx[0])[3]
            outs0 = [jnp.zeros(s.shape, s.dtype) for s in shapes]
            carry = (params, aux, opt_state, i0, macc, outs0)
            (params, aux, opt_state, _, macc, outs), _ = jax.lax.scan(body, carry, idx)
            return params, g.stack(aux), opt_state, g.stack(macc), outs

        return g.per_device_jit(
            epoch, lambda p, a, o, c, d, i, k, dy, m: (REP, STACK, REP, g.inputs_spec(c), REP,
                                                       P(None, AXIS), REP, REP, STACK),
            (REP, STACK, REP, STACK, list(g.out_spec)), donate_argnums=(0, 1, 2))

    def _can_fuse_training(self) -> bool:
        return self.fused is not None and all(self.g.program.head_is_loss) and \
            not self.g.monitoring

    def fit_epoch(self, train_data: Any, eval_metric: Any, epoch: int,
                  batch_end_callback: Any) -> list | None:
        """One training epoch (scanned or per batch); returns Train name/values, or None."""
        self.flush()
        if not self._can_fuse_training():
            return None
        g = self.g
        metric = _MetricStats.make(eval_metric, g.label_names, g.output_names)
        callbacks = _as_list(batch_end_callback) if batch_end_callback is not None else []
        if not callbacks and metric is not None:
            plan = self._plan(train_data, training=True)
            if plan is not None:
                self._run_epoch_scan(plan, metric)
                self.last_epoch_scanned = True
                return eval_metric.get_global_name_value()
        self.last_epoch_scanned = False
        return self._run_epoch_steps(train_data, eval_metric, metric, epoch, callbacks)

    def _plan(self, data_iter: Any, training: bool = False) -> Any:
        """The iterator's epoch plan if it can feed a scanned epoch of this module."""
        get = getattr(data_iter, "_fused_epoch_plan", None)
        if get is None:
            return None
        g = self.g
        if training and g.dist is not None:
            return None  # each worker has its own data: one compiled step per batch
        plan = get(consume=False)
        if plan is None or plan.num_batches == 0 or plan.batch_axis != 0:
            return None
        if list(plan.data_names) != g.data_names:
            return None
        if g.label_names and list(plan.label_names) != g.label_names:
            return None
        arrays = plan.arrays()
        if sum(a.nbytes for a in arrays.values()) > MAX_DEVICE_DATA_BYTES:
            return None
        for n, a in arrays.items():
            want = g.arg_shapes.get(n)
            if want is None or (plan.batch_size,) + tuple(a.shape[1:]) != tuple(want):
                return None
        return get(consume=True)

    def _device_array(self, arr: np.ndarray, dtype: np.dtype) -> jax.Array:
        key = id(arr)
        hit = self._device_data.get(key)
        if hit is None or hit[0] is not arr:
            with jax.enable_x64(True):
                dev = self.g.place(np.asarray(arr, dtype=dtype), REP)
            self._device_data[key] = (arr, dev)
            return dev
        return hit[1]

    def _stat_specs(self, names: Any) -> tuple[dict, list]:
        """Shapes of one device's batch labels and outputs (for the metric's zeros)."""
        g = self.g
        labels = {n: jax.ShapeDtypeStruct(tuple(g.dev_arg_shapes[n]), g.inputs[n].dtype)
                  for n in g.label_names if n in names}
        outs = [jax.ShapeDtypeStruct(s, np.float32) for s in g.dev_output_shapes]
        return labels, outs

    def _macc_zeros(self, metric: _MetricStats, names: Any) -> Any:
        """The metric accumulator: zeros (one set per device on several devices)."""
        g = self.g
        labels, outs = self._stat_specs(names)
        if not g.spmd:
            return metric.zeros(labels, outs, g.device)
        shapes = jax.eval_shape(metric.stats, labels, outs)
        return jax.tree_util.tree_map(
            lambda s: g.place(np.zeros((g.ndev,) + tuple(s.shape), s.dtype), STACK), shapes)

    def _flush_metric(self, metric: _MetricStats, macc: Any) -> None:
        if self.g.spmd:  # the devices' statistics, one update call each: summable
            macc = jax.tree_util.tree_map(lambda a: np.asarray(a).sum(axis=0), macc)
        metric.flush(macc)

    def _place_idx(self, indices: np.ndarray) -> jax.Array:
        """The epoch's row order; on several devices each device gets its batch columns."""
        g = self.g
        return g.place(indices.astype(np.int32), P(None, AXIS) if g.spmd else REP)

    def _run_epoch_scan(self, plan: Any, metric: _MetricStats) -> None:
        from ..random import next_key

        g = self.g
        feed = tuple(n for n in plan.arrays() if n in g.inputs)
        data = {n: self._device_array(a, g.inputs[n].dtype) for n, a in plan.arrays().items()
                if n in feed}
        const = {n: v for n, v in g.inputs.items() if n not in feed}
        state = self._state()
        key = next_key() if g.program.needs_rng else None
        with jax.enable_x64(True):
            idx = self._place_idx(plan.indices)
            macc = self._macc_zeros(metric, data)
            fn = self._jit_epoch(metric, feed, plan.batch_axis)
            params, aux, self.opt_state, macc, outs = fn(dict(g.params), dict(g.aux), state,
                                                        const, data, idx, key, self.dynamic(),
                                                        macc)
        g.params.update(params)
        g.aux.update(aux)
        g.set_outputs(outs)  # the last batch's, as MXNet's fit leaves them
        self.fused.commit(plan.num_batches)
        self.mod._params_dirty = True
        self._flush_metric(metric, macc)

    def _run_epoch_steps(self, train_data: Any, eval_metric: Any, metric: _MetricStats | None,
                         epoch: int, callbacks: list) -> list:
        """MXNet's fit batch loop with one compiled call per batch."""
        from ..model import BatchEndParam
        from ..random import next_key

        g = self.g
        mod = self.mod
        step = self._jit_step(metric)
        key = next_key() if g.program.needs_rng else None
        macc = None
        eval_name_vals: list = []
        nbatch = 0
        data_iter = iter(train_data)
        end_of_batch = False
        next_data_batch = next(data_iter)
        while not end_of_batch:
            data_batch = next_data_batch
            feed = g.load_batch(data_batch, with_label=True)
            if not g.batch_shapes_match(feed):
                mod._implicit_reshape(data_batch, feed)
                feed = g.place_feed(feed)
            inputs = dict(g.inputs)
            inputs.update(feed)
            state = self._state()
            with jax.enable_x64(True):
                k = jax.random.fold_in(key, nbatch) if key is not None else None
                if metric is not None and macc is None:
                    macc = self._macc_zeros(metric, inputs)
                params, aux, self.opt_state, outs, macc = step(
                    dict(g.params), dict(g.aux), state, inputs, k, self.dynamic(), macc)
            g.params.update(params)
            g.aux.update(aux)
            g.inputs.update(feed)
            g.set_outputs(outs)
            self.fused.commit(1)
            mod._params_dirty = True
            if metric is None:
                mod.update_metric(eval_metric, data_batch.label)
            try:
                next_data_batch = next(data_iter)
                mod.prepare(next_data_batch)
            except StopIteration:
                end_of_batch = True
            if metric is not None and (callbacks or end_of_batch):
                self._flush_metric(metric, macc)
                macc = None
            if end_of_batch:
                eval_name_vals = eval_metric.get_global_name_value()
            if callbacks:
                # MXNet passes fit's locals: 'self' is the Module there
                params_ = BatchEndParam(epoch=epoch, nbatch=nbatch, eval_metric=eval_metric,
                                        locals={**locals(), "self": mod})
                for callback in callbacks:
                    callback(params_)
            nbatch += 1
        return eval_name_vals

    # ---------------------------------------------------------- score / predict
    @functools.lru_cache(maxsize=8)  # noqa: B019
    def _jit_eval(self, metric: _MetricStats | None, feed_names: tuple, collect: bool):
        g = self.g
        prog = g.program
        label_names = list(g.label_names)

        def run(params, aux, const_inputs, data, idx, macc):
            aux, macc = g.unstack(aux), g.unstack(macc)

            def forward(rows):
                inputs = dict(const_inputs)
                for n in feed_names:
                    inputs[n] = jnp.take(data[n], rows, axis=0)
                return inputs, prog.run({**inputs, **params}, aux, False, None)[0]

            def body(carry, rows):
                macc, _ = carry
                inputs, outs = forward(rows)
                if metric is not None:
                    labels = {n: inputs[n] for n in label_names if n in inputs}
                    macc = jax.tree_util.tree_map(jnp.add, macc, metric.stats(labels, outs))
                # collect: every batch's outputs; else only the last batch's (get_outputs)
                return (macc, None if collect else outs), (outs if collect else None)

            last = None
            if not collect:
                last = [jnp.zeros(s.shape, s.dtype)
                        for s in jax.eval_shape(forward, idx[0])[1]]
            (macc, last), outs = jax.lax.scan(body, (macc, last), idx)
            return g.stack(macc), (outs if collect else last)

        # collected outputs are (batches, batch, ...): split along their batch axis + 1
        outs_spec = [REP if s == REP else P(None, *s) for s in g.out_spec]
        return g.per_device_jit(
            run, lambda p, a, c, d, i, m: (REP, STACK, g.inputs_spec(c), REP, P(None, AXIS),
                                           STACK),
            (STACK, outs_spec if collect else list(g.out_spec)))

    def _eval_inputs(self, plan: Any):
        g = self.g
        feed = tuple(n for n in plan.arrays() if n in g.inputs)
        data = {n: self._device_array(a, g.inputs[n].dtype) for n, a in plan.arrays().items()
                if n in feed}
        const = {n: v for n, v in g.inputs.items() if n not in feed}
        return feed, data, const

    def score(self, eval_data: Any, eval_metric: Any, num_batch: int | None) -> int | None:
        self.flush()
        g = self.g
        if num_batch is not None or g.monitoring or g.program.needs_rng:
            return None
        metric = _MetricStats.make(eval_metric, g.label_names, g.output_names)
        if metric is None:
            return None
        plan = self._plan(eval_data)
        if plan is None:
            return None
        feed, data, const = self._eval_inputs(plan)
        with jax.enable_x64(True):
            idx = self._place_idx(plan.indices)
            macc = self._macc_zeros(metric, data)
            macc, last = self._jit_eval(metric, feed, False)(g.params, g.aux, const, data,
                                                              idx, macc)
        g.set_outputs(last)  # MXNet's outputs are those of the last batch scored
        self._flush_metric(metric, macc)
        return plan.num_batches

    def predict(self, eval_data: Any, num_batch: int | None) -> list | None:
        self.flush()
        g = self.g
        if num_batch is not None or g.monitoring or g.program.needs_rng:
            return None
        if g.spmd and any(s != batch_spec(0) for s in g.out_spec):
            return None
        plan = self._plan(eval_data)
        if plan is None:
            return None
        feed, data, const = self._eval_inputs(plan)
        b = plan.batch_size
        keep = np.concatenate([np.arange(i * b, (i + 1) * b - int(p))
                               for i, p in enumerate(plan.pad)])
        with jax.enable_x64(True):
            idx = self._place_idx(plan.indices)
            _, outs = self._jit_eval(None, feed, True)(g.params, g.aux, const, data, idx, None)
            merged = []
            for o in outs:
                if g.spmd:  # merged on the first device, as MXNet's outputs
                    o = jax.device_put(o, g.device)
                flat = o.reshape((o.shape[0] * o.shape[1],) + o.shape[2:])
                merged.append(NDArray(jnp.take(flat, jnp.asarray(keep), axis=0), g.ctx))
        return [merged]


def _fingerprint(tree: Any) -> tuple:
    """A hashable image of a small pytree of host scalars/arrays: equal images, equal trees."""
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    return (treedef, *((np.asarray(x).dtype.str, np.asarray(x).shape, np.asarray(x).tobytes())
                       for x in leaves))
