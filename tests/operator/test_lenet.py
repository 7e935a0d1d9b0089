"""The ``lenet`` fixture written by MXNet 1.9.1 loads, writes back byte for byte, and
through mxjax's Executor reproduces MXNet's outputs and gradients (both convolution
lowerings), and the first SGD update computed from them matches MXNet's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from mxnet_replay import assert_close

import mxjax as mx

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "mxnet"


def _ref(z, key: str, got: np.ndarray, what: str) -> None:
    """Compare with a reference stored whole or sampled (``K@idx``/``K@val``/``K@shape``)."""
    if key in z.files:
        assert_close(got, z[key], what)
        return
    assert tuple(z[key + "@shape"]) == got.shape, what
    assert_close(got.reshape(-1)[z[key + "@idx"]], z[key + "@val"], what)
    stats = z[key + "@stats"]
    g = got.astype(np.float64)
    np.testing.assert_allclose([g.sum(), np.abs(g).sum(), np.sqrt((g * g).sum())], stats,
                               rtol=1e-4, atol=1e-4, err_msg=what)


@pytest.fixture(scope="module")
def lenet():
    sym = mx.sym.load(str(FIX / "checkpoints" / "lenet-symbol.json"))
    params = mx.nd.load(str(FIX / "checkpoints" / "lenet-0001.params"))
    inputs = np.load(FIX / "refs" / "lenet-inputs.npz")
    ref = np.load(FIX / "refs" / "lenet-ref.npz")
    return sym, params, inputs, ref


def test_lenet_symbol_roundtrips_byte_for_byte(lenet):
    sym = lenet[0]
    assert sym.tojson() == (FIX / "checkpoints" / "lenet-symbol.json").read_text()
    assert sym.list_arguments() == ["data", "conv1_weight", "conv1_bias", "conv2_weight",
                                    "conv2_bias", "fc1_weight", "fc1_bias", "fc2_weight",
                                    "fc2_bias", "softmax_label"]
    args, outs, aux = sym.infer_shape(data=(4, 1, 28, 28))
    assert args[1] == (20, 1, 5, 5) and args[3] == (50, 20, 5, 5) and args[5] == (500, 800)
    assert outs == [(4, 10)] and aux == []


@pytest.mark.parametrize("impl", ["im2col", "xla"])
def test_lenet_outputs_and_gradients_match_mxnet(lenet, impl, monkeypatch):
    monkeypatch.setenv("MXJAX_CONV_IMPL", impl)
    sym, params, inputs, ref = lenet
    reqs = {n: "null" if n == "softmax_label" else "write" for n in sym.list_arguments()}
    exe = sym.simple_bind(mx.cpu(), grad_req=reqs, data=(4, 1, 28, 28), softmax_label=(4,))
    for key, arr in params.items():
        kind, name = key.split(":", 1)
        assert kind == "arg"
        exe.arg_dict[name][:] = arr
    exe.arg_dict["data"][:] = inputs["data"]
    exe.arg_dict["softmax_label"][:] = inputs["softmax_label"]

    out = exe.forward(is_train=False)[0].asnumpy()
    assert_close(out, ref["out_eval/0"], "eval output")
    exe.forward(is_train=True)
    exe.backward()
    assert_close(exe.outputs[0].asnumpy(), ref["out_train/0"], "train output")
    grads = {n: g.asnumpy() for n, g in exe.grad_dict.items() if g is not None}
    for name, g in grads.items():
        _ref(ref, f"grad/{name}", g, f"gradient of {name}")

    # MXNet's first SGD step (momentum 0.9 from zero state, wd 1e-4 on weights only,
    # rescale_grad = 1/4): w - lr * (g / 4 + wd * wd_mult * w)
    for key, arr in params.items():
        name = key.split(":", 1)[1]
        w = arr.asnumpy()
        wd = 0.0 if name.endswith("_bias") else 1e-4
        _ref(ref, f"upd1_arg/{name}", w - 0.1 * (grads[name] / 4 + wd * w), f"update of {name}")
