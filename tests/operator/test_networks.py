"""MXNet's classic image classifiers (``netdefs.py``, written like MXNet's
example/image-classification/symbols) infer exactly the argument, auxiliary and output
shapes real MXNet 1.9.1 infers (``tests/fixtures/mxnet_shapes.json``), run forward and
backward, and a few plain SGD steps on a random batch lower its loss."""

from __future__ import annotations

import json
from pathlib import Path

import netdefs
import numpy as np
import pytest

import mxjax as mx

SHAPES = json.loads((Path(__file__).resolve().parents[1] / "fixtures" /
                     "mxnet_shapes.json").read_text())

#: small versions trained in the fast suite; the others are shape-checked (full size)
TRAIN_FAST = ["mlp", "resnet_small"]
TRAIN_SLOW = ["lenet", "alexnet_small", "vgg11_bn_small", "resnet_bottleneck_small",
              "resnet_v1_small", "resnext_small", "inception_bn_28", "googlenet_small",
              "mobilenet_small"]


def _build(name: str):
    with mx.name.NameManager():
        return netdefs.build(mx, name)


@pytest.mark.parametrize("name", list(netdefs.NETS))
def test_inferred_names_and_shapes_match_mxnet(name):
    sym, shape = _build(name)
    ref = SHAPES[name]
    assert sym.list_arguments() == ref["arguments"]
    assert sym.list_auxiliary_states() == ref["aux_states"]
    assert sym.list_outputs() == ref["outputs"]
    args, outs, aux = sym.infer_shape(data=shape, softmax_label=(shape[0],))
    assert [list(s) for s in args] == ref["arg_shapes"]
    assert [list(s) for s in aux] == ref["aux_shapes"]
    assert [list(s) for s in outs] == ref["out_shapes"]
    assert len(json.loads(sym.tojson())["nodes"]) == ref["num_nodes"]


def _init(exe, rng: np.random.Generator) -> None:
    """He-normal weights, zero biases/betas, unit gammas; moving stats 0 / 1."""
    for n, a in exe.arg_dict.items():
        if n in ("data", "softmax_label"):
            continue
        if n.endswith("_weight"):
            fan_in = int(np.prod(a.shape[1:]))
            a[:] = rng.standard_normal(a.shape).astype(np.float32) * np.sqrt(2.0 / fan_in)
        elif n.endswith("_gamma"):
            a[:] = np.ones(a.shape, np.float32)
    for n, a in exe.aux_dict.items():
        a[:] = np.ones(a.shape, np.float32) if n.endswith("_var") else np.zeros(a.shape,
                                                                                  np.float32)


def _train(name: str, steps: int = 6, lr: float = 0.05):
    """Losses (mean cross-entropy of the training forward) over ``steps`` SGD steps."""
    sym, shape = _build(name)
    batch = shape[0]
    reqs = {n: "null" if n in ("data", "softmax_label") else "write"
            for n in sym.list_arguments()}
    exe = sym.simple_bind(mx.cpu(), grad_req=reqs, data=shape, softmax_label=(batch,))
    rng = np.random.default_rng(0)
    _init(exe, rng)
    exe.arg_dict["data"][:] = rng.standard_normal(shape).astype(np.float32)
    label = rng.integers(0, 10, batch)
    exe.arg_dict["softmax_label"][:] = label.astype(np.float32)
    losses = []
    mx.random.seed(0)
    for _ in range(steps):
        exe.forward(is_train=True)
        exe.backward()
        prob = exe.outputs[0].asnumpy()
        assert np.isfinite(prob).all()
        losses.append(float(-np.mean(np.log(prob[np.arange(batch), label] + 1e-12))))
        for n, g in exe.grad_dict.items():
            if g is not None:
                w = exe.arg_dict[n]
                w[:] = w.asnumpy() - lr * g.asnumpy() / batch
    return exe, losses


def _check_training(name: str) -> None:
    exe, losses = _train(name)
    assert losses[-1] < losses[0] - 0.05, f"{name}: loss did not go down: {losses}"
    if exe.aux_dict:  # BatchNorm moving statistics moved towards the batch statistics
        assert any(not np.allclose(a.asnumpy(), 0) and not np.allclose(a.asnumpy(), 1)
                   for a in exe.aux_dict.values())


@pytest.mark.parametrize("name", TRAIN_FAST)
def test_small_network_trains_with_sgd(name):
    _check_training(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", TRAIN_SLOW)
def test_small_network_of_each_family_trains_with_sgd(name):
    _check_training(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["resnet50_full", "inception_bn_full"])
def test_full_size_network_binds_and_runs_a_batch(name):
    sym, shape = _build(name)
    shape = (1,) + shape[1:]
    reqs = {n: "null" if n in ("data", "softmax_label") else "write"
            for n in sym.list_arguments()}
    exe = sym.simple_bind(mx.cpu(), grad_req=reqs, data=shape, softmax_label=(1,))
    _init(exe, np.random.default_rng(1))
    exe.arg_dict["data"][:] = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    exe.forward(is_train=True)
    exe.backward()
    prob = exe.outputs[0].asnumpy()
    assert prob.shape == (1, 1000)
    np.testing.assert_allclose(prob.sum(), 1.0, rtol=1e-4)
    g = exe.grad_dict["fc1_weight" if name.startswith("resnet") else "fullyconnected0_weight"]
    assert np.isfinite(g.asnumpy()).all() and np.abs(g.asnumpy()).sum() > 0
