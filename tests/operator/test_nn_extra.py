"""LeakyReLU, Embedding, UpSampling and Crop reproduce MXNet 1.9.1 (numbers recorded
from the real MXNet), plus the random rrelu in training and Embedding's gradients."""

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

OPS = ("LeakyReLU", "Embedding", "UpSampling", "Crop")

@pytest.mark.parametrize("cid", case_ids(*OPS))
def test_symbol_json_matches_mxnet(cid):
    check_json(cid)


@pytest.mark.parametrize("cid", case_ids(*OPS))
def test_loaded_json_names_and_shapes_match_mxnet(cid):
    check_structure(cid)


def test_forward_and_gradients_match_mxnet():
    assert_replay(run_ids(*OPS))


@pytest.mark.parametrize("cid", error_case_ids(*OPS))
def test_unsupported_attribute_values_raise_naming_op_and_attribute(cid):
    check_error(cid)


def test_rrelu_training_draws_slopes_in_bounds_and_returns_them_as_mask():
    sym = mx.sym.LeakyReLU(mx.sym.var("data"), act_type="rrelu", lower_bound=0.1,
                           upper_bound=0.3, name="r")
    assert sym.list_outputs() == ["r_output", "r_mask"]
    exe = sym.simple_bind(mx.cpu(), data=(50, 40))
    x = np.random.default_rng(0).standard_normal((50, 40)).astype(np.float32)
    mx.random.seed(7)
    exe.forward(is_train=True, data=mx.nd.array(x))
    exe.backward([mx.nd.ones((50, 40)), mx.nd.zeros((50, 40))])
    y, r = (o.asnumpy() for o in exe.outputs)
    assert r.min() >= 0.1 and r.max() <= 0.3 and r.std() > 0.03
    np.testing.assert_allclose(y, np.where(x > 0, x, r * x), rtol=1e-6)
    np.testing.assert_allclose(exe.grad_dict["data"].asnumpy(), np.where(x > 0, 1, r),
                               rtol=1e-6)


def test_embedding_repeated_ids_accumulate_and_ids_get_zero_gradient():
    sym = mx.sym.Embedding(mx.sym.var("data"), input_dim=4, output_dim=2, name="e")
    exe = sym.simple_bind(mx.cpu(), data=(5,))
    exe.arg_dict["e_weight"][:] = np.arange(8, dtype=np.float32).reshape(4, 2)
    exe.forward(is_train=True, data=mx.nd.array([1, 3, 1, 1, 0]))
    exe.backward([mx.nd.ones((5, 2))])
    np.testing.assert_array_equal(exe.outputs[0].asnumpy(),
                                  [[2, 3], [6, 7], [2, 3], [2, 3], [0, 1]])
    np.testing.assert_array_equal(exe.grad_dict["e_weight"].asnumpy(),
                                  [[1, 1], [3, 3], [0, 0], [1, 1]])
    np.testing.assert_array_equal(exe.grad_dict["data"].asnumpy(), np.zeros(5))


def test_prelu_gamma_is_per_channel_with_mxnets_init_hint():
    sym = mx.sym.LeakyReLU(mx.sym.var("data"), act_type="prelu", name="p")
    nodes = {n["name"]: n for n in json.loads(sym.tojson())["nodes"]}
    assert nodes["p_gamma"]["attrs"]["__init__"] == '["Constant", {"value": 0.25}]'
    args, _, _ = sym.infer_shape(data=(2, 5, 3))
    assert args[1] == (5,)


def test_defaults_when_loaded_from_json_with_attributes_left_out():
    sym = mx.sym.load_json(json.dumps({
        "nodes": [{"op": "null", "name": "data", "inputs": []},
                  {"op": "LeakyReLU", "name": "l", "inputs": [[0, 0, 0]]}],
        "arg_nodes": [0], "heads": [[1, 0, 0]], "attrs": {"mxnet_version": ["int", 10901]}}))
    x = np.array([[-2.0, 3.0]], np.float32)
    out = sym.eval(mx.cpu(), data=mx.nd.array(x))[0].asnumpy()
    np.testing.assert_allclose(out, [[-0.5, 3.0]])  # act_type='leaky', slope=0.25


def test_crop_center_offset_and_like():
    x = np.arange(2 * 6 * 7, dtype=np.float32).reshape(1, 2, 6, 7)
    out = mx.nd.Crop(mx.nd.array(x), h_w=(2, 3), center_crop=True).asnumpy()
    np.testing.assert_array_equal(out, x[:, :, 2:4, 2:5])
    like = mx.nd.zeros((1, 1, 3, 2))
    out = mx.nd.Crop(mx.nd.array(x), like, offset=(1, 4)).asnumpy()
    np.testing.assert_array_equal(out, x[:, :, 1:4, 4:6])
