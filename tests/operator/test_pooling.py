"""Pooling reproduces MXNet 1.9.1: output sizes per convention, max's first-maximum
gradient, avg's divisor with and without padding, Lp, global pooling, NHWC layouts,
and the hidden workspace output MXNet's oneDNN build declares for max pooling."""

from __future__ import annotations

import json

import jax
import jax.numpy as jnp
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
from mxjax.operator import OpContext, get_op
from mxjax.operator.pooling import pool_out_size


@pytest.mark.parametrize("cid", case_ids("Pooling"))
def test_symbol_json_names_and_shapes_match_mxnet(cid):
    check_json(cid)
    check_structure(cid)


def test_forward_and_gradients_match_mxnet():
    assert_replay(run_ids("Pooling"))


@pytest.mark.parametrize("cid", error_case_ids("Pooling"))
def test_unsupported_attribute_values_raise_naming_op_and_attribute(cid):
    check_error(cid)


def test_output_size_conventions():
    assert pool_out_size(8, 3, 2, 0, "valid") == 3  # 1 + floor(5/2)
    assert pool_out_size(8, 3, 2, 0, "full") == 4  # 1 + ceil(5/2)
    assert pool_out_size(112, 3, 2, 1, "valid") == 56
    assert pool_out_size(8, 3, 2, 0, "same") == 4  # ceil(8/2)
    assert pool_out_size(7, 2, 3, 0, "same") == 3


def _pool(data, **kw):
    return mx.nd.Pooling(mx.nd.array(data), **kw).asnumpy()


def test_same_convention_windows_start_at_zero_and_clip_at_the_end():
    # MXNet 1.9.1's oneDNN build cannot run 'same'; mxjax follows its native kernel:
    # window i covers [i*s, min(i*s + k, x)), output length ceil(x / s)
    x = np.arange(8, dtype=np.float32).reshape(1, 1, 8)[:, :, ::-1].copy()
    got = _pool(x, kernel=(3,), stride=(2,), pooling_convention="same", pool_type="max")
    ref = [max(x[0, 0, i * 2:i * 2 + 3]) for i in range(4)]
    np.testing.assert_array_equal(got[0, 0], ref)
    got = _pool(x, kernel=(3,), stride=(2,), pooling_convention="same", pool_type="avg")
    np.testing.assert_allclose(got[0, 0], [np.mean(x[0, 0, i * 2:i * 2 + 3]) for i in range(4)])


def test_max_gradient_goes_to_the_first_maximum_only():
    x = jnp.asarray([[[[1.0, 3.0, 3.0], [3.0, 0.0, 3.0], [2.0, 3.0, 1.0]]]])
    sym = mx.sym.Pooling(mx.sym.var("data"), kernel=(2, 2), stride=(1, 1), pool_type="max")
    exe = sym.simple_bind(mx.cpu(), data=(1, 1, 3, 3))
    exe.forward(is_train=True, data=mx.nd.array(np.asarray(x)))
    exe.backward([mx.nd.ones((1, 1, 2, 2))])
    # windows' first maxima in row-major order: (0,1), (0,1), (1,0), (1,2)
    want = np.zeros((3, 3), np.float32)
    for i, j in [(0, 1), (0, 1), (1, 0), (1, 2)]:
        want[i, j] += 1
    np.testing.assert_array_equal(exe.grad_dict["data"].asnumpy()[0, 0], want)


def test_avg_divisor_counts_padding_unless_count_include_pad_is_false():
    x = np.ones((1, 1, 3, 3), np.float32)
    inc = _pool(x, kernel=(3, 3), pad=(1, 1), pool_type="avg")
    exc = _pool(x, kernel=(3, 3), pad=(1, 1), pool_type="avg", count_include_pad=False)
    np.testing.assert_allclose(inc[0, 0], [[4 / 9, 6 / 9, 4 / 9], [6 / 9, 1, 6 / 9],
                                           [4 / 9, 6 / 9, 4 / 9]], rtol=1e-6)
    np.testing.assert_allclose(exc[0, 0], np.ones((3, 3)), rtol=1e-6)


def test_lp_pooling_formula_and_gradient():
    x = np.random.default_rng(0).uniform(0.5, 2, (1, 2, 4, 4)).astype(np.float32)
    for p in (1, 2, 3):
        got = _pool(x, kernel=(2, 2), stride=(2, 2), pool_type="lp", p_value=p)
        win = x.reshape(1, 2, 2, 2, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(1, 2, 2, 2, 4)
        np.testing.assert_allclose(got, np.sum(win ** p, -1) ** (1 / p), rtol=1e-5)

    op = get_op("Pooling")
    a = op.parse_attrs({"kernel": "(2, 2)", "stride": "(2, 2)", "pool_type": "lp",
                        "p_value": "2"})

    def f(v):
        return jnp.sum(jnp.sin(op.forward(a, OpContext(), v)))

    g = jax.grad(f)(jnp.asarray(x))
    eps = 1e-3
    i = (0, 1, 2, 3)
    xp, xm = x.copy(), x.copy()
    xp[i] += eps
    xm[i] -= eps
    fd = (f(jnp.asarray(xp)) - f(jnp.asarray(xm))) / (2 * eps)
    np.testing.assert_allclose(g[i], fd, rtol=1e-2)


def test_max_pool_hidden_workspace_output_counts_in_node_row_ptr():
    x = mx.sym.var("data")
    cases = [({"kernel": (2, 2)}, 2), ({"kernel": (2, 2), "pool_type": "avg"}, 1),
             ({"kernel": (2, 2), "layout": "NHWC"}, 1), ({"global_pool": True}, 1),
             ({"kernel": (2,), "pool_type": "max"}, 2), ({"kernel": (2, 2), "pool_type": "lp",
                                                          "p_value": 2}, 1)]
    for kw, n in cases:
        sym = mx.sym.Pooling(x, name="p", **kw)
        ptr = json.loads(sym.tojson())["node_row_ptr"]
        assert ptr[-1] - ptr[-2] == n, kw
        assert sym.list_outputs() == ["p_output"]


def test_defaults_when_loaded_from_json_with_attributes_left_out():
    doc = {"nodes": [{"op": "null", "name": "data", "inputs": []},
                     {"op": "Pooling", "name": "p", "attrs": {"kernel": "(3, 3)"},
                      "inputs": [[0, 0, 0]]}],
           "arg_nodes": [0], "heads": [[1, 0, 0]], "attrs": {"mxnet_version": ["int", 10901]}}
    sym = mx.sym.load_json(json.dumps(doc))
    a = sym._heads[0][0].parsed()
    assert (a.pool_type, a.pooling_convention, a.global_pool, a.stride, a.pad) == (
        "max", "valid", False, (), ())
    assert a.count_include_pad is None and a.p_value is None and a.layout is None
    x = np.random.default_rng(1).standard_normal((1, 1, 5, 5)).astype(np.float32)
    out = sym.eval(mx.cpu(), data=mx.nd.array(x))[0].asnumpy()
    ref = np.array([[x[0, 0, i:i + 3, j:j + 3].max() for j in range(3)] for i in range(3)])
    np.testing.assert_array_equal(out[0, 0], ref)
