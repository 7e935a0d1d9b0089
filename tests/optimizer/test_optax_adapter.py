"""mx.optimizer.Optax: an optax transformation as an MXNet optimizer.

The adapter feeds optax ``G = clip(rescale_grad*g, ±clip_gradient) + wd*wd_mult*w`` and,
with a factory, MXNet's lr (learning_rate or schedule, times lr_mult); the result
must equal running optax by hand on that G.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

optax = pytest.importorskip("optax")

import mxjax as mx  # noqa: E402
import mxjax.lr_scheduler as lrs  # noqa: E402
import mxjax.optimizer as O  # noqa: E402
from mxjax.base import MXNetError  # noqa: E402

NAMES = ["fc_weight", "fc_bias"]
STEPS = 5


def _problem():
    rng = np.random.RandomState(1)
    w = [rng.standard_normal((4, 3)).astype(np.float32), rng.standard_normal(3).astype(np.float32)]
    g = [[rng.standard_normal(x.shape).astype(np.float32) * 3 for x in w] for _ in range(STEPS)]
    return w, g


def _by_hand(make_tx, lrs_per_step, wds, rescale, clip):
    """Plain optax, one state per parameter, lr injected per step."""
    w0, grads = _problem()
    out = []
    ws = [jnp.asarray(x) for x in w0]
    states = [make_tx().init(x) for x in ws]
    for k in range(STEPS):
        for i in range(len(ws)):
            G = jnp.clip(rescale * jnp.asarray(grads[k][i]), -clip, clip) + wds[i] * ws[i]
            st = states[i]
            if lrs_per_step is not None:
                hp = dict(st.hyperparams)
                hp["learning_rate"] = jnp.asarray(lrs_per_step[k][i], jnp.float32)
                st = st._replace(hyperparams=hp)
            upd, states[i] = make_tx().update(G, st, ws[i])
            ws[i] = ws[i] + upd
        out.append([np.asarray(x) for x in ws])
    return out


def _run(opt, path):
    w0, grads = _problem()
    out = []
    if path == "updater":
        upd = O.get_updater(opt)
        ws = [mx.nd.array(x) for x in w0]
        for k in range(STEPS):
            upd([0, 1], [mx.nd.array(x) for x in grads[k]], ws)
            out.append([x.asnumpy() for x in ws])
        return out, upd
    fused = opt.fused(NAMES)
    with jax.enable_x64(True):
        ws = {n: jnp.asarray(w0[i]) for i, n in enumerate(NAMES)}
        st = fused.init(ws)
        step = jax.jit(fused.apply)
        for k in range(STEPS):
            ws, st = step(ws, {n: jnp.asarray(grads[k][i]) for i, n in enumerate(NAMES)}, st,
                          fused.dynamic())
            fused.commit(1)
            out.append([np.asarray(ws[n]) for n in NAMES])
    return out, fused


def _close(a, b):
    for step_a, step_b in zip(a, b, strict=True):
        for x, y in zip(step_a, step_b, strict=True):
            np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("path", ["updater", "fused"])
def test_factory_gets_mxnet_lr_schedule_and_mults_rescale_clip_and_coupled_wd(path):
    sched = lrs.FactorScheduler(step=2, factor=0.5, base_lr=0.05)
    opt = O.Optax(optax.adam, lr_scheduler=sched, rescale_grad=0.5, clip_gradient=1.0, wd=0.1,
                  param_idx2name=dict(enumerate(NAMES)), optax_kwargs={"b1": 0.8})
    opt.set_lr_mult({"fc_weight": 2.0})
    got, _ = _run(opt, path)
    lr_steps = [0.05, 0.05, 0.025, 0.025, 0.0125]
    expect = _by_hand(lambda: optax.inject_hyperparams(optax.adam)(learning_rate=0.05, b1=0.8),
                      [[lr * 2.0, lr] for lr in lr_steps], wds=[0.1, 0.0], rescale=0.5, clip=1.0)
    _close(got, expect)


@pytest.mark.parametrize("path", ["updater", "fused"])
def test_ready_transformation_owns_its_lr_and_is_scaled_by_lr_mult(path):
    tx = optax.chain(optax.clip(0.7), optax.sgd(0.1, momentum=0.5))
    opt = O.Optax(tx, param_idx2name=dict(enumerate(NAMES)))
    opt.set_lr_mult({"fc_bias": 0.0})  # frozen through its multiplier
    got, _ = _run(opt, path)
    w0, _ = _problem()
    np.testing.assert_array_equal(got[-1][1], w0[1])
    w_only = _by_hand(lambda: tx, None, wds=[0.0, 0.0], rescale=1.0, clip=np.inf)
    for k in range(STEPS):
        np.testing.assert_allclose(got[k][0], w_only[k][0], rtol=1e-5, atol=1e-6)


def test_ready_transformation_with_mxnet_learning_rate_is_an_error():
    with pytest.raises(MXNetError, match="owns its learning rate"):
        O.Optax(optax.sgd(0.1), learning_rate=0.1)
    with pytest.raises(MXNetError, match="transformation or factory"):
        O.Optax("adam")


def test_optax_states_save_and_load_and_convert_to_fused():
    opt = O.create("optax", transformation=optax.adam, learning_rate=0.01)
    got, upd = _run(opt, "updater")
    blob = upd.get_states()
    upd2 = O.get_updater(O.Optax(optax.adam, learning_rate=0.01))
    upd2.set_states(blob)
    for a, b in zip(jax.tree_util.tree_leaves(upd.states[0]),
                    jax.tree_util.tree_leaves(upd2.states[0]), strict=True):
        np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())
    assert opt.fused(NAMES).supported
    w0, _ = _problem()
    fused = opt.fused(NAMES)
    state = fused.from_updater_states(upd.states, {n: jnp.asarray(w0[i])
                                                   for i, n in enumerate(NAMES)})
    count = state["slots"]["fc_weight"][0]  # inject_hyperparams' step count
    assert int(count) == STEPS
