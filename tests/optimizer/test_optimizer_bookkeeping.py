"""MXNet's Optimizer bookkeeping: lr, multipliers, update counts, registry, Updater, fused API."""

from __future__ import annotations

import copy
import logging

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import mxjax as mx
import mxjax.lr_scheduler as lrs
import mxjax.optimizer as O
from mxjax.base import MXNetError


# ------------------------------------------------------------------ lr
def test_learning_rate_defaults_to_0_01_without_scheduler():
    assert O.Optimizer().learning_rate == 0.01
    assert O.SGD().lr == 0.01
    assert O.Adam().lr == 0.001 and O.Ftrl().lr == 0.1 and O.Adamax().lr == 0.002


def test_explicit_learning_rate_overwrites_scheduler_base_lr_with_mxnet_warning(capsys):
    s = lrs.FactorScheduler(step=10, base_lr=0.5)
    O.SGD(learning_rate=0.1, lr_scheduler=s)
    assert s.base_lr == 0.1
    assert "has been overwritten by ``learning_rate`` in optimizer" in capsys.readouterr().out
    # with no explicit lr, the scheduler's base_lr stays
    s2 = lrs.FactorScheduler(step=10, base_lr=0.5)
    O.SGD(learning_rate=None, lr_scheduler=s2)
    assert s2.base_lr == 0.5


def test_learning_rate_property_asks_the_scheduler_at_num_update():
    s = lrs.FactorScheduler(step=2, factor=0.5, base_lr=1.0)
    opt = O.SGD(lr_scheduler=s)
    opt.num_update = 5  # loop: 5 > 2 -> 0.5; 5 > 4 -> 0.25
    assert opt.learning_rate == 0.25


def test_set_learning_rate_raises_user_warning_when_a_scheduler_exists():
    opt = O.SGD(lr_scheduler=lrs.FactorScheduler(step=1))
    with pytest.raises(UserWarning, match="LRScheduler of the optimizer has already been"):
        opt.set_learning_rate(0.5)
    opt2 = O.SGD()
    opt2.set_learning_rate(0.5)
    assert opt2.learning_rate == 0.5


# ---------------------------------------------------------- multipliers
def test_idx2name_names_not_ending_weight_or_gamma_get_wd_mult_zero():
    names = ["fc1_weight", "fc1_bias", "bn_gamma", "bn_beta", "misc", "prelu1_gamma"]
    opt = O.SGD(wd=0.1, param_idx2name=dict(enumerate(names)))
    assert opt.wd_mult == {"fc1_bias": 0.0, "bn_beta": 0.0, "misc": 0.0}
    assert [opt._get_wd(i) for i in range(6)] == [0.1, 0.0, 0.1, 0.0, 0.0, 0.1]
    # without idx2name every index keeps wd
    assert O.SGD(wd=0.1)._get_wd(3) == 0.1


def test_lars_keeps_wd_only_for_names_ending_weight():
    opt = O.LARS(wd=0.1, param_idx2name={0: "a_weight", 1: "bn_gamma", 2: "b_bias"})
    assert [opt._get_wd(i) for i in range(3)] == [0.1, 0.0, 0.0]


def test_symbol_lr_mult_and_wd_mult_attributes_set_multipliers_only_with_sym():
    data = mx.sym.Variable("data")
    bias = mx.sym.Variable("misc_bias", lr_mult=2.0, wd_mult=1.0)
    net = mx.sym.FullyConnected(data, num_hidden=4, name="fc1") + bias
    idx2name = {0: "fc1_weight", 1: "fc1_bias", 2: "misc_bias"}
    opt = O.SGD(wd=0.5, learning_rate=0.1, sym=net, param_idx2name=idx2name)
    assert opt.lr_mult == {"misc_bias": 2.0}
    assert opt.wd_mult == {"fc1_bias": 0.0, "misc_bias": 1.0}  # the attribute beats the rule
    assert opt._get_lr(2) == pytest.approx(0.2) and opt._get_wd(2) == 0.5
    assert opt._get_lr(0) == 0.1 and opt._get_wd(1) == 0.0
    # set_*_mult rebuild from the symbol and then apply the given dict
    opt.set_lr_mult({"fc1_weight": 3.0})
    assert opt.lr_mult == {"misc_bias": 2.0, "fc1_weight": 3.0}
    opt.set_wd_mult({"misc_bias": 0.0})
    assert opt._get_wd(2) == 0.0
    # without sym the attributes are not read
    assert O.SGD(param_idx2name=idx2name).lr_mult == {}


def test_multiplier_lookup_index_then_name_then_one():
    opt = O.SGD(learning_rate=1.0, param_idx2name={0: "a_weight", 1: "b_weight"})
    opt.set_lr_mult({0: 5.0, "a_weight": 7.0, "b_weight": 3.0})
    assert opt._get_lrs([0, 1, 2]) == [5.0, 3.0, 1.0]


# ------------------------------------------------------------- counts
def test_update_counts_start_at_begin_num_update_and_are_bumped_before_lr_lookup():
    seen = []

    class Spy(lrs.LRScheduler):
        def __call__(self, num_update):
            seen.append(num_update)
            return 0.1

    opt = O.SGD(lr_scheduler=Spy(), begin_num_update=7)
    upd = O.get_updater(opt)
    w, g = mx.nd.ones((2,)), mx.nd.ones((2,))
    upd(0, g, w)
    assert seen == [8] and opt.num_update == 8 and opt._index_update_count == {0: 8}
    upd(1, g, mx.nd.ones((2,)))
    assert opt._index_update_count == {0: 8, 1: 8} and opt.num_update == 8
    upd(0, g, w)
    assert opt._index_update_count[0] == 9 and opt.num_update == 9


def test_adam_bias_correction_uses_the_per_index_count():
    opt = O.Adam(learning_rate=0.1, beta1=0.5, beta2=0.5, epsilon=0.0, begin_num_update=2)
    w = mx.nd.array([1.0])
    O.get_updater(opt)(0, mx.nd.array([2.0]), w)
    # t = 3: m = 0.5*2 = 1, v = 0.5*4 = 2; lr_t = 0.1*sqrt(1-0.125)/(1-0.125)
    lr_t = 0.1 * np.sqrt(1 - 0.5 ** 3) / (1 - 0.5 ** 3)
    np.testing.assert_allclose(w.asnumpy(), [1.0 - lr_t * 1.0 / np.sqrt(2.0)], rtol=1e-6)


# ------------------------------------------------------------ clipping
def test_clip_gradient_zero_is_off_for_kernel_optimizers_but_zeroes_adagrad_gradient():
    w0, g = np.array([1.0, -1.0]), np.array([10.0, -10.0])
    sgd = O.SGD(learning_rate=0.1, clip_gradient=0.0)
    w = mx.nd.array(w0)
    O.get_updater(sgd)(0, mx.nd.array(g), w)
    np.testing.assert_allclose(w.asnumpy(), w0 - 0.1 * g)  # not clipped
    ada = O.AdaGrad(learning_rate=0.1, clip_gradient=0.0)
    w = mx.nd.array(w0)
    O.get_updater(ada)(0, mx.nd.array(g), w)
    np.testing.assert_allclose(w.asnumpy(), w0)  # gradient clipped to [0, 0]


# ------------------------------------------------------------ registry
def test_create_is_case_insensitive_with_mxnet_aliases():
    assert type(O.create("SGD")) is O.SGD
    assert type(O.create("ccsgd", momentum=0.9)) is O.ccSGD
    assert type(O.create("Ftrl")) is O.Ftrl and type(O.create("rmsprop")) is O.RMSProp
    for name in ["nag", "adam", "adagrad", "adadelta", "adamax", "nadam", "ftml", "signum",
                 "sgld", "dcasgd", "lamb", "lars"]:
        assert O.create(name).__class__.__name__.lower() == name
    with pytest.raises(ValueError, match="Cannot find optimizer nosuch"):
        O.create("nosuch")
    with pytest.raises(MXNetError, match="not supported by mxjax"):
        O.create("lbsgd")


def test_register_adds_a_user_optimizer_and_warns_on_override():
    @O.register
    class MyTestOpt(O.Optimizer):
        pass

    assert type(O.create("mytestopt")) is MyTestOpt
    with pytest.warns(UserWarning, match="is overriding existing optimizer"):
        O.register(type("MyTestOpt", (O.Optimizer,), {}))
    del O.Optimizer.opt_registry["mytestopt"]


# ---------------------------------------------------- user subclass / Updater
class _PlainMomentum(O.Optimizer):
    """A user optimizer written the MXNet way: NDArray state, in-place writes."""

    def __init__(self, momentum=0.5, **kw):
        super().__init__(**kw)
        self.momentum = momentum

    def create_state(self, index, weight):
        return mx.nd.zeros(weight.shape, weight.context, dtype=weight.dtype)

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr = self._get_lr(index)
        state[:] = self.momentum * state - lr * grad * self.rescale_grad
        weight[:] += state


def test_user_subclass_overriding_create_state_and_update_works_through_updater():
    opt = _PlainMomentum(learning_rate=0.1, rescale_grad=0.5)
    upd = O.get_updater(opt)
    w = mx.nd.array([1.0, 2.0])
    upd(3, mx.nd.array([1.0, -1.0]), w)
    upd(3, mx.nd.array([1.0, -1.0]), w)
    # m1 = -0.05*[1,-1]; m2 = 0.5*m1 - 0.05*[1,-1] = -0.075*[1,-1]
    np.testing.assert_allclose(w.asnumpy(), [1.0 - 0.125, 2.0 + 0.125], rtol=1e-6)
    np.testing.assert_allclose(upd.states[3].asnumpy(), [-0.075, 0.075], rtol=1e-6)
    assert opt.num_update == 2
    fused = opt.fused(["w"])
    assert not fused.supported
    with pytest.raises(MXNetError, match="drive it with mx.optimizer.Updater"):
        fused.init({"w": jnp.ones(2)})


def test_subclass_of_sgd_overriding_update_has_no_fused_rule_but_init_only_subclass_has():
    class Logged(O.SGD):
        def update(self, index, weight, grad, state):
            super().update(index, weight, grad, state)

    class Tuned(O.SGD):
        def __init__(self, **kw):
            super().__init__(momentum=0.8, **kw)

    assert not Logged().fused(["a"]).supported
    assert Tuned().fused(["a"]).supported
    assert not O.SGD(lr_scheduler=_CustomSched(step=1)).fused(["a"]).supported


class _CustomSched(lrs.FactorScheduler):
    def __call__(self, num_update):
        return 0.1


def test_updater_groups_by_dtype_in_chunks_and_accepts_single_indices():
    opt = O.SGD(learning_rate=0.5, momentum=0.0)
    upd = O.get_updater(opt)
    ws = [mx.nd.ones((2,), dtype=d) for d in ("float32", "float64", "float32")]
    upd([0, 1, 2], [mx.nd.ones((2,), dtype=w.dtype) for w in ws], ws)
    for w in ws:
        np.testing.assert_allclose(w.asnumpy(), [0.5, 0.5])
    assert ws[1].dtype == np.float64
    with pytest.raises(TypeError, match="weight must be an NDArray"):
        upd(0, mx.nd.ones((2,)), np.ones(2))


def test_adadelta_scales_the_callers_gradient_in_place_like_mxnet():
    opt = O.AdaDelta(rescale_grad=0.5)
    g = mx.nd.array([2.0, 4.0])
    O.get_updater(opt)(0, g, mx.nd.array([1.0, 1.0]))
    np.testing.assert_allclose(g.asnumpy(), [1.0, 2.0])


# ------------------------------------------------------------- fused API
def _fused_setup(opt, names=("a_weight", "b_bias")):
    fused = opt.fused(list(names))
    with jax.enable_x64(True):
        ws = {n: jnp.linspace(-1, 1, 6, dtype=jnp.float32).reshape(2, 3) * (i + 1)
              for i, n in enumerate(names)}
        gs = {n: jnp.full((2, 3), 0.3 * (i + 1), jnp.float32) for i, n in enumerate(names)}
    return fused, ws, gs


def test_fused_dynamic_values_change_without_recompiling():
    opt = O.SGD(learning_rate=0.1, momentum=0.9, wd=0.01)
    fused, ws, gs = _fused_setup(opt)
    step = jax.jit(fused.apply)
    with jax.enable_x64(True):
        state = fused.init(ws)
        w1, state = step(ws, gs, state, fused.dynamic())
        fused.commit(1)
        opt.lr, opt.momentum, opt.wd, opt.rescale_grad = 0.05, 0.5, 0.1, 0.25
        w2, state = step(w1, gs, state, fused.dynamic())
        fused.commit(1)
    assert step._cache_size() == 1
    # second step used the new values: m = 0.5*m1 - lr*wd*w - lr*0.25*g
    m1 = np.asarray(w1["a_weight"]) - np.asarray(ws["a_weight"])
    expect = np.asarray(w1["a_weight"]) + 0.5 * m1 - 0.05 * 0.1 * np.asarray(w1["a_weight"]) \
        - 0.05 * 0.25 * np.asarray(gs["a_weight"])
    np.testing.assert_allclose(np.asarray(w2["a_weight"]), expect, rtol=1e-5)
    assert opt.num_update == 2 and opt._index_update_count == {0: 2, 1: 2}


def test_fused_commit_runs_the_stateful_scheduler_with_mxnet_log_lines(caplog):
    sched = lrs.FactorScheduler(step=2, factor=0.5, base_lr=1.0)
    opt = O.SGD(lr_scheduler=sched, learning_rate=1.0)
    fused, ws, gs = _fused_setup(opt)
    with jax.enable_x64(True):
        state = fused.init(ws)
        dyn = fused.dynamic()

        def run(w, st):
            def body(c, _):
                return fused.apply(c[0], gs, c[1], dyn), None
            return jax.lax.scan(body, (w, st), None, length=5)[0]

        w, state = jax.jit(run)(ws, state)
    with caplog.at_level(logging.INFO, logger="root"):
        fused.commit(5)
    assert [r.getMessage() for r in caplog.records] == [
        "Update[3]: Change learning rate to 5.00000e-01",
        "Update[5]: Change learning rate to 2.50000e-01"]
    assert int(state["num_update"]) == 5 and opt.num_update == 5 and sched.base_lr == 0.25
    # lrs inside the scan were 1, 1, .5, .5, .25 (bias has wd 0 and lr_mult 1)
    total = 1 + 1 + 0.5 + 0.5 + 0.25
    np.testing.assert_allclose(np.asarray(w["b_bias"]),
                               np.asarray(ws["b_bias"]) - total * np.asarray(gs["b_bias"]),
                               rtol=1e-5)


def test_fused_and_updater_states_convert_both_ways_and_continue_identically():
    names = ["a_weight", "b_bias"]

    def make():
        return O.Nadam(learning_rate=0.01, wd=0.01, param_idx2name=dict(enumerate(names)))

    opt = make()
    fused, ws, gs = _fused_setup(opt, names)
    with jax.enable_x64(True):
        state = fused.init(ws)
        for _ in range(3):
            ws, state = fused.apply(ws, gs, state, fused.dynamic())
            fused.commit(1)
        states = fused.to_updater_states(state)
        assert isinstance(states[0], tuple) and len(states[0]) == 2
        # continue 2 steps with the Updater on a copy of the host optimizer
        opt2 = make()
        opt2.__setstate__(copy.deepcopy(opt.__getstate__()))
        upd = O.get_updater(opt2)
        upd.states = {i: tuple(mx.nd.array(np.asarray(s._data)) for s in st)
                      for i, st in states.items()}
        upd.states_synced = dict.fromkeys(upd.states, True)
        nd_w = [mx.nd.array(np.asarray(ws[n])) for n in names]
        for _ in range(2):
            upd([0, 1], [mx.nd.array(np.asarray(gs[n])) for n in names], nd_w)
        # and 2 fused steps from the state rebuilt from the Updater's states
        state_back = fused.from_updater_states(states, ws)
        for _ in range(2):
            ws, state_back = fused.apply(ws, gs, state_back, fused.dynamic())
            fused.commit(1)
    for i, n in enumerate(names):
        np.testing.assert_allclose(nd_w[i].asnumpy(), np.asarray(ws[n]), rtol=1e-6)
    assert opt.m_schedule == pytest.approx(opt2.m_schedule, rel=1e-12)


def test_fused_rejects_missing_parameters_and_mismatched_gradient_shapes():
    fused, ws, gs = _fused_setup(O.SGD())
    with jax.enable_x64(True):
        state = fused.init(ws)
        with pytest.raises(MXNetError, match="grads lacks parameters"):
            fused.apply(ws, {"a_weight": gs["a_weight"]}, state, fused.dynamic())
        bad = dict(gs, b_bias=jnp.ones((3,)))
        with pytest.raises(MXNetError, match="gradient of 'b_bias' has shape"):
            fused.apply(ws, bad, state, fused.dynamic())
    with pytest.raises(MXNetError, match="duplicate parameter names"):
        O.SGD().fused(["a", "a"])


def test_lars_momentum_correction_follows_mxnets_per_dtype_update_chunks_in_both_paths():
    """MXNet's Updater groups parameters by dtype and calls LARS with <= 4 at a time; the
    momentum correction cur_lr/last_lr applies to the first call of a step only."""
    names = [f"p{i}_weight" for i in range(6)]
    dtypes = ["float32", "float64", "float32", "float32", "float64", "float32"]
    rng = np.random.RandomState(0)
    w0 = [rng.standard_normal((3,)) for _ in names]
    grads = [[rng.standard_normal((3,)) for _ in names] for _ in range(6)]

    def make():
        sched = lrs.FactorScheduler(step=2, factor=0.5, base_lr=0.1)
        return O.LARS(learning_rate=0.1, momentum=0.9, eta=0.1, lr_scheduler=sched,
                      param_idx2name=dict(enumerate(names)))

    upd = O.get_updater(make())
    nd_w = [mx.nd.array(w, dtype=d) for w, d in zip(w0, dtypes, strict=True)]
    opt_f = make()
    fused = opt_f.fused(names)
    with jax.enable_x64(True):
        jw = {n: jnp.asarray(w, d) for n, w, d in zip(names, w0, dtypes, strict=True)}
        state = fused.init(jw)
        assert fused._chunks == [[0, 2, 3, 5], [1, 4]]
        for g in grads:
            upd(list(range(6)), [mx.nd.array(x, dtype=d) for x, d in zip(g, dtypes,
                                                                          strict=True)], nd_w)
            jg = {n: jnp.asarray(x, d) for n, x, d in zip(names, g, dtypes, strict=True)}
            jw, state = fused.apply(jw, jg, state, fused.dynamic())
            fused.commit(1)
    for i, n in enumerate(names):
        np.testing.assert_allclose(nd_w[i].asnumpy(), np.asarray(jw[n]), rtol=1e-6)
    assert (opt_f.cur_lr, opt_f.last_lr) == (upd.optimizer.cur_lr, upd.optimizer.last_lr)
