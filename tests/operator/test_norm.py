"""BatchNorm, InstanceNorm, LayerNorm, GroupNorm, L2Normalization and LRN reproduce
MXNet 1.9.1 (numbers recorded from the real MXNet), including BatchNorm's moving
statistics: updated from the batch mean and biased variance in training, committed
at backward, used (and left alone) in inference."""

from __future__ import annotations

import json

import numpy as np
import pytest
from mxnet_replay import (
    assert_replay,
    case_ids,
    check_error,
    check_json,
    check_structure,
    error_case_ids,
    run_ids,
)

import mxjax as mx

OPS = ("BatchNorm", "InstanceNorm", "LayerNorm", "GroupNorm", "L2Normalization", "LRN")


@pytest.mark.parametrize("cid", case_ids(*OPS))
def test_symbol_json_names_and_shapes_match_mxnet(cid):
    check_json(cid)
    check_structure(cid)


def test_forward_gradients_and_moving_stats_match_mxnet():
    assert_replay(run_ids(*OPS))


@pytest.mark.parametrize("cid", error_case_ids(*OPS))
def test_unsupported_attribute_values_raise_naming_op_and_attribute(cid):
    check_error(cid)


def _bn_executor(**kw):
    sym = mx.sym.BatchNorm(mx.sym.var("data"), name="bn", **kw)
    exe = sym.simple_bind(mx.cpu(), data=(4, 3, 2, 2))
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3, 2, 2)).astype(np.float32)
    exe.arg_dict["data"][:] = x
    exe.arg_dict["bn_gamma"][:] = np.array([0.5, 2.0, 1.5], np.float32)
    exe.arg_dict["bn_beta"][:] = np.array([0.1, -0.2, 0.3], np.float32)
    exe.aux_dict["bn_moving_mean"][:] = np.array([0.2, -0.1, 0.0], np.float32)
    exe.aux_dict["bn_moving_var"][:] = np.array([1.5, 0.7, 1.0], np.float32)
    return exe, x


def test_batchnorm_aux_states_are_listed_in_mxnets_order_with_init_hints():
    sym = mx.sym.BatchNorm(mx.sym.var("data"), name="bn")
    assert sym.list_arguments() == ["data", "bn_gamma", "bn_beta"]
    assert sym.list_auxiliary_states() == ["bn_moving_mean", "bn_moving_var"]
    nodes = {n["name"]: n for n in json.loads(sym.tojson())["nodes"]}
    assert nodes["bn_moving_mean"]["attrs"]["__init__"] == '["zero", {}]'
    assert nodes["bn_moving_var"]["attrs"]["__init__"] == '["one", {}]'
    assert nodes["bn"]["inputs"][3][2] == 1 and nodes["bn"]["inputs"][4][2] == 1


def test_batchnorm_training_updates_moving_stats_at_backward_only():
    exe, x = _bn_executor(fix_gamma=False, momentum=0.8)
    mm0 = exe.aux_dict["bn_moving_mean"].asnumpy().copy()
    mv0 = exe.aux_dict["bn_moving_var"].asnumpy().copy()
    exe.forward(is_train=True)
    exe.outputs[0].asnumpy()
    # a training forward alone leaves the moving statistics unchanged (MXNet CPU)
    np.testing.assert_array_equal(exe.aux_dict["bn_moving_mean"].asnumpy(), mm0)
    exe.backward([mx.nd.ones((4, 3, 2, 2))])
    mean = x.mean(axis=(0, 2, 3))
    var = x.var(axis=(0, 2, 3))  # biased
    np.testing.assert_allclose(exe.aux_dict["bn_moving_mean"].asnumpy(),
                               mm0 * 0.8 + mean * 0.2, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(exe.aux_dict["bn_moving_var"].asnumpy(),
                               mv0 * 0.8 + var * 0.2, rtol=1e-5, atol=1e-6)
    y = exe.outputs[0].asnumpy()
    g = np.array([0.5, 2.0, 1.5]).reshape(1, 3, 1, 1)
    b = np.array([0.1, -0.2, 0.3]).reshape(1, 3, 1, 1)
    ref = (x - mean.reshape(1, 3, 1, 1)) / np.sqrt(var.reshape(1, 3, 1, 1) + 1e-3) * g + b
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)


def test_batchnorm_inference_uses_moving_stats_and_updates_nothing():
    exe, x = _bn_executor(fix_gamma=False)
    y = exe.forward(is_train=False)[0].asnumpy()
    mm = np.array([0.2, -0.1, 0.0]).reshape(1, 3, 1, 1)
    mv = np.array([1.5, 0.7, 1.0]).reshape(1, 3, 1, 1)
    g = np.array([0.5, 2.0, 1.5]).reshape(1, 3, 1, 1)
    b = np.array([0.1, -0.2, 0.3]).reshape(1, 3, 1, 1)
    np.testing.assert_allclose(y, (x - mm) / np.sqrt(mv + 1e-3) * g + b, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(exe.aux_dict["bn_moving_mean"].asnumpy(),
                                  mm.ravel().astype(np.float32))


def test_batchnorm_fix_gamma_uses_one_and_gives_gamma_zero_gradient():
    exe, x = _bn_executor()  # fix_gamma=True is MXNet's default
    exe.forward(is_train=True)
    exe.backward([mx.nd.array(np.random.default_rng(2).standard_normal((4, 3, 2, 2)))])
    np.testing.assert_array_equal(exe.grad_dict["bn_gamma"].asnumpy(), np.zeros(3))
    y = exe.outputs[0].asnumpy()
    mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
    ref = (x - mean.reshape(1, 3, 1, 1)) / np.sqrt(var.reshape(1, 3, 1, 1) + 1e-3)
    np.testing.assert_allclose(y, ref + np.array([0.1, -0.2, 0.3]).reshape(1, 3, 1, 1),
                               rtol=1e-5, atol=1e-5)


def test_batchnorm_use_global_stats_normalizes_with_moving_stats_in_training():
    exe, x = _bn_executor(fix_gamma=False, use_global_stats=True)
    exe.forward(is_train=True)
    exe.backward([mx.nd.ones((4, 3, 2, 2))])
    np.testing.assert_array_equal(exe.aux_dict["bn_moving_var"].asnumpy(),
                                  np.array([1.5, 0.7, 1.0], np.float32))
    # data gradient with constant statistics: gamma / sqrt(var + eps)
    g = np.array([0.5, 2.0, 1.5]) / np.sqrt(np.array([1.5, 0.7, 1.0]) + 1e-3)
    np.testing.assert_allclose(exe.grad_dict["data"].asnumpy(),
                               np.broadcast_to(g.reshape(1, 3, 1, 1), x.shape), rtol=1e-5)


def test_batchnorm_defaults_when_loaded_from_json_with_attributes_left_out():
    sym = mx.sym.load_json(json.dumps({
        "nodes": [{"op": "null", "name": "data", "inputs": []},
                  {"op": "null", "name": "bn_gamma", "inputs": []},
                  {"op": "null", "name": "bn_beta", "inputs": []},
                  {"op": "null", "name": "bn_moving_mean", "inputs": []},
                  {"op": "null", "name": "bn_moving_var", "inputs": []},
                  {"op": "BatchNorm", "name": "bn",
                   "inputs": [[0, 0, 0], [1, 0, 0], [2, 0, 0], [3, 0, 1], [4, 0, 1]]}],
        "arg_nodes": [0, 1, 2, 3, 4], "heads": [[5, 0, 0]],
        "attrs": {"mxnet_version": ["int", 10901]}}))
    assert sym.list_auxiliary_states() == ["bn_moving_mean", "bn_moving_var"]
    a = sym._heads[0][0].parsed()
    assert (a.eps, a.momentum, a.fix_gamma, a.use_global_stats, a.output_mean_var, a.axis) == (
        1e-3, 0.9, True, False, False, 1)


def test_lrn_formula():
    x = np.random.default_rng(3).standard_normal((1, 5, 2, 2)).astype(np.float32)
    y = mx.nd.LRN(mx.nd.array(x), nsize=3, alpha=0.01, beta=0.5, knorm=1.5).asnumpy()
    sq = np.pad(x ** 2, [(0, 0), (1, 1), (0, 0), (0, 0)])
    s = sq[:, :-2] + sq[:, 1:-1] + sq[:, 2:]
    np.testing.assert_allclose(y, x * (1.5 + 0.01 / 3 * s) ** -0.5, rtol=1e-5)


def test_batchnorm_float16_data_keeps_float32_parameters_and_statistics():
    sym = mx.sym.BatchNorm(mx.sym.var("data"), fix_gamma=False, name="bn")
    arg_t, out_t, aux_t = sym.infer_type(data="float16")
    assert arg_t == [np.float16, np.float32, np.float32] and out_t == [np.float16]
    assert aux_t == [np.float32, np.float32]
    exe = sym.simple_bind(mx.cpu(), type_dict={"data": "float16"}, data=(8, 2, 3))
    x = np.random.default_rng(4).standard_normal((8, 2, 3)).astype(np.float16)
    exe.arg_dict["bn_gamma"][:] = np.ones(2, np.float32)
    exe.forward(is_train=True, data=mx.nd.array(x, dtype="float16"))
    exe.backward([mx.nd.ones((8, 2, 3), dtype="float16")])
    y = exe.outputs[0]
    assert y.dtype == np.float16
    xf = x.astype(np.float32)
    ref = (xf - xf.mean(axis=(0, 2), keepdims=True)) / np.sqrt(
        xf.var(axis=(0, 2), keepdims=True) + 1e-3)
    np.testing.assert_allclose(y.asnumpy().astype(np.float32), ref, atol=5e-3)
    np.testing.assert_allclose(exe.aux_dict["bn_moving_mean"].asnumpy(),
                               0.1 * xf.mean(axis=(0, 2)), rtol=1e-3, atol=1e-4)
