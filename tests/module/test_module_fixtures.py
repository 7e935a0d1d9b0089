"""Module against MXNet 1.9.1's fixture references (the fixtures README's procedure).

load_checkpoint -> Module -> bind(for_training, inputs_need_grad) -> set_params ->
init_optimizer(sgd, lr 0.1, momentum 0.9, wd 1e-4) -> forward/backward -> update
twice, and separately one step with wd=0.1 — compared with ``refs/<net>-ref.npz``.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import FIXTURES, assert_mxnet_close

import mxjax as mx

NETS = ["mlp", "makeloss", "lenet"]


def _needs_ops(net):
    if net == "lenet" and "Convolution" not in mx.operator.all_ops():
        pytest.skip("Convolution is not registered yet")


def _ref_value(ref, key):
    """A reference array; sampled ones (K@idx/K@val) come back as (idx, val, shape)."""
    if key in ref.files:
        return ref[key]
    return ref[key + "@idx"], ref[key + "@val"], tuple(ref[key + "@shape"])


def _check(got, ref, key):
    want = _ref_value(ref, key)
    if isinstance(want, tuple):
        idx, val, shape = want
        assert got.shape == shape, key
        assert_mxnet_close(got.reshape(-1)[idx], val, key)
    else:
        assert_mxnet_close(got, want, key)


def _module(net, manifest, optimizer_params):
    spec = manifest["nets"][net]
    sym, arg, aux = mx.model.load_checkpoint(str(FIXTURES / spec["prefix"]), spec["epoch"])
    mod = mx.mod.Module(sym, data_names=spec["data_names"], label_names=spec["label_names"],
                        context=mx.cpu())
    mod.bind(data_shapes=list(zip(spec["data_names"], map(tuple, spec["data_shapes"]),
                                  strict=True)),
             label_shapes=list(zip(spec["label_names"], map(tuple, spec["label_shapes"]),
                                   strict=True)),
             for_training=True, inputs_need_grad=spec["inputs_need_grad"])
    mod.set_params(arg, aux)
    mod.init_optimizer(kvstore="local", optimizer="sgd", optimizer_params=optimizer_params)
    inputs = np.load(FIXTURES / "refs" / f"{net}-inputs.npz")
    batch = mx.io.DataBatch(data=[mx.nd.array(inputs[n]) for n in spec["data_names"]],
                            label=[mx.nd.array(inputs[n]) for n in spec["label_names"]])
    return mod, batch, spec


@pytest.mark.parametrize("net", NETS)
def test_forward_backward_updates_match_mxnet(net, manifest):
    _needs_ops(net)
    ref = np.load(FIXTURES / "refs" / f"{net}-ref.npz")
    mod, batch, spec = _module(net, manifest, manifest["module"]["optimizer_params"])
    mod.forward(batch, is_train=False)
    for i, out in enumerate(mod.get_outputs()):
        _check(out.asnumpy(), ref, f"out_eval/{i}")
    mod.forward(batch, is_train=True)
    for i, out in enumerate(mod.get_outputs()):
        _check(out.asnumpy(), ref, f"out_train/{i}")
    mod.backward()
    grads = mod._exec_group.execs[0].grad_dict
    for p in spec["param_names"]:
        _check(grads[p].asnumpy(), ref, f"grad/{p}")
    if spec["inputs_need_grad"]:
        _check(mod.get_input_grads()[0].asnumpy(), ref, "grad/data")
    for step in ("upd1", "upd2"):
        if step == "upd2":
            mod.forward(batch, is_train=True)
            mod.backward()
        mod.update()
        arg, aux = mod.get_params()
        for p in spec["param_names"]:
            _check(arg[p].asnumpy(), ref, f"{step}_arg/{p}")
        for a in spec["auxiliary_states"]:
            _check(aux[a].asnumpy(), ref, f"{step}_aux/{a}")


@pytest.mark.parametrize("net", NETS)
def test_weight_decay_step_matches_mxnet(net, manifest):
    _needs_ops(net)
    ref = np.load(FIXTURES / "refs" / f"{net}-ref.npz")
    mod, batch, spec = _module(net, manifest, manifest["module"]["optimizer_params_update_wd"])
    mod.forward(batch, is_train=True)
    mod.backward()
    mod.update()
    arg, aux = mod.get_params()
    for p in spec["param_names"]:
        _check(arg[p].asnumpy(), ref, f"updwd_arg/{p}")


@pytest.mark.parametrize("net", NETS)
def test_optimizer_resolution_matches_mxnet(net, manifest):
    """rescale_grad = 1/batch, wd_mult 0 for names not ending in _weight/_gamma."""
    _needs_ops(net)
    mod, _, spec = _module(net, manifest, manifest["module"]["optimizer_params"])
    want = spec["optimizer_resolved"]
    opt = mod._optimizer
    assert type(opt).__name__ == want["class"]
    assert opt.rescale_grad == pytest.approx(want["rescale_grad"])
    for i, name in enumerate(spec["param_names"]):
        assert opt._get_wd(i) == pytest.approx(want["wd"] * want["wd_mult"].get(name, 1.0)), name
        assert opt._get_lr(i) == pytest.approx(want["learning_rate"] * want["lr_mult"].get(name,
                                                                                           1.0))
