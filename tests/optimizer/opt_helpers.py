"""Build the optimizer of a case and run it through the Updater or the fused API."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from opt_cases import N_STEPS, NAMES

import mxjax as mx
import mxjax.lr_scheduler as lr_scheduler
import mxjax.optimizer as opt_mod

DATA = Path(__file__).parent / "data"


class _Mod:
    lr_scheduler = lr_scheduler


def build(case: dict):
    from opt_cases import make_mxnet_scheduler

    kw = dict(case["params"])
    sched = make_mxnet_scheduler(_Mod, case.get("schedule"), kw["learning_rate"])
    if sched is not None:
        kw["lr_scheduler"] = sched
    opt = opt_mod.create(case["opt"], param_idx2name=dict(enumerate(NAMES)), **kw)
    if case.get("lr_mult"):
        opt.set_lr_mult(case["lr_mult"])
    if case.get("wd_mult"):
        opt.set_wd_mult(case["wd_mult"])
    return opt


def run_updater(opt, weights, grads, dtype, n_steps=N_STEPS):
    """Weights (numpy) after every step, through mx.optimizer.Updater."""
    upd = opt_mod.get_updater(opt)
    ws = [mx.nd.array(w, dtype=dtype) for w in weights]
    out = []
    for step in range(n_steps):
        gs = [mx.nd.array(g, dtype=dtype) for g in grads[step]]
        upd(list(range(len(NAMES))), gs, ws)
        out.append([w.asnumpy() for w in ws])
    return out, upd


def run_fused_scan(opt, weights, grads, dtype, n_steps=N_STEPS):
    """Weights after every step: all steps in one jitted lax.scan of fused.apply."""
    fused = opt.fused(NAMES)
    assert fused.supported
    with jax.enable_x64(True):
        w0 = {n: jnp.asarray(weights[i], dtype) for i, n in enumerate(NAMES)}
        gs = {n: jnp.asarray(np.stack([grads[s][i] for s in range(n_steps)]), dtype)
              for i, n in enumerate(NAMES)}
        state = fused.init(w0)
        dyn = fused.dynamic()

        @jax.jit
        def run(w, st, g_all, d):
            def body(carry, g):
                w, st = carry
                w, st = fused.apply(w, g, st, d)
                return (w, st), w
            (w, st), hist = jax.lax.scan(body, (w, st), g_all)
            return w, st, hist

        w, state, hist = run(w0, state, gs, dyn)
    fused.commit(n_steps)
    out = [[np.asarray(hist[n][s]) for n in NAMES] for s in range(n_steps)]
    return out, fused, state


@functools.lru_cache(maxsize=1)
def mxnet_refs():
    """(arrays, metadata) recorded from MXNet 1.9.1 by make_mxnet_refs.py."""
    with np.load(DATA / "mxnet_optimizer_refs.npz") as f:
        data = {k: f[k] for k in f.files}
    meta = json.loads(bytes(data.pop("__meta__")).decode())
    return data, meta
