"""SGD reproduces MXNet 1.9.1's Module updates of the `mlp` fixture (upd1, upd2, updwd).

Procedure (fixtures README): the checkpoint `mlp-0001.params`, the gradients
`grad/*` of one forward/backward on the fixed batch, then SGD with
learning_rate 0.1, momentum 0.9, wd 1e-4 (0.1 for `updwd`), rescale_grad 1/8,
idx2name = the Module's param_names (so the biases get wd_mult 0, as
manifest.json's `optimizer_resolved` says). `upd2` is a second step on the
same batch: its gradient is the MLP's gradient at the updated weights, computed
here in NumPy (the first gradient is checked against MXNet's `grad/*`).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import FIXTURES, assert_mxnet_close

import mxjax as mx
import mxjax.optimizer as O
from mxjax.ndarray.utils import load


@pytest.fixture(scope="module")
def mlp(manifest):
    net = manifest["nets"]["mlp"]
    params = {k.split(":", 1)[1]: v.asnumpy()
              for k, v in load(FIXTURES / "checkpoints" / "mlp-0001.params").items()}
    with np.load(FIXTURES / "refs" / "mlp-ref.npz") as f:
        ref = {k: f[k] for k in f.files}
    with np.load(FIXTURES / "refs" / "mlp-inputs.npz") as f:
        inputs = {k: f[k] for k in f.files}
    return net, params, ref, inputs


def _mlp_grads(p, data, label):
    """d(SoftmaxOutput)/d(params) of FC(64)-relu-FC(26)-softmax: (softmax - onehot),
    not divided by the batch (MXNet's SoftmaxOutput), in float64."""
    x = data.astype(np.float64)
    h_pre = x @ p["fc1_weight"].T + p["fc1_bias"]
    h = np.maximum(h_pre, 0)
    z = h @ p["fc2_weight"].T + p["fc2_bias"]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    dz = e / e.sum(axis=1, keepdims=True)
    dz[np.arange(len(label)), label.astype(int)] -= 1
    dh = (dz @ p["fc2_weight"]) * (h_pre > 0)
    return {"fc1_weight": dh.T @ x, "fc1_bias": dh.sum(0), "fc2_weight": dz.T @ h,
            "fc2_bias": dz.sum(0)}


def _make_opt(net, wd):
    resolved = net["optimizer_resolved"]
    opt = O.create("sgd", learning_rate=0.1, momentum=0.9, wd=wd,
                   rescale_grad=1.0 / net["batch_size"],
                   param_idx2name=dict(enumerate(net["param_names"])))
    assert {n: opt._get_wd(i) / wd for i, n in enumerate(net["param_names"])
            if opt._get_wd(i) != wd} == resolved["wd_mult"]
    return opt


def test_numpy_mlp_gradient_reproduces_mxnet_grads(mlp):
    net, params, ref, inputs = mlp
    g = _mlp_grads(params, inputs["data"], inputs["softmax_label"])
    for n in net["param_names"]:
        assert_mxnet_close(g[n], ref[f"grad/{n}"], f"grad/{n}")


@pytest.mark.parametrize("path", ["updater", "fused"])
def test_sgd_momentum_reproduces_mxnet_upd1_upd2_and_updwd(mlp, path):
    net, params, ref, inputs = mlp
    names = net["param_names"]
    for wd, steps in ((1e-4, ("upd1", "upd2")), (0.1, ("updwd",))):
        opt = _make_opt(net, wd)
        w = {n: params[n].copy() for n in names}
        grads = {n: ref[f"grad/{n}"] for n in names}  # MXNet's own first gradient
        if path == "updater":
            upd = O.get_updater(opt)
            nd_w = [mx.nd.array(w[n]) for n in names]
        else:
            fused = opt.fused(names)
            step_fn = jax.jit(fused.apply)
            with jax.enable_x64(True):
                jw = {n: jnp.asarray(w[n]) for n in names}
                state = fused.init(jw)
        for k, key in enumerate(steps):
            if k > 0:  # second step: the gradient at the updated weights
                grads = _mlp_grads(w, inputs["data"], inputs["softmax_label"])
            if path == "updater":
                upd(list(range(len(names))), [mx.nd.array(grads[n]) for n in names], nd_w)
                w = {n: nd_w[i].asnumpy() for i, n in enumerate(names)}
            else:
                with jax.enable_x64(True):
                    jg = {n: jnp.asarray(grads[n], jnp.float32) for n in names}
                    jw, state = step_fn(jw, jg, state, fused.dynamic())
                fused.commit(1)
                w = {n: np.asarray(jw[n]) for n in names}
            for n in names:
                assert_mxnet_close(w[n], ref[f"{key}_arg/{n}"], f"{path} {key}_arg/{n}")
