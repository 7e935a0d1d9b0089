"""Convolution and Deconvolution reproduce MXNet 1.9.1 (numbers recorded from the real
MXNet by ``record_mxnet_ops.py``) with both lowerings, im2col and XLA's convolution."""

from __future__ import annotations

import itertools
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
from mxjax.operator import conv as conv_mod

OPS = ("Convolution", "Deconvolution")


@pytest.mark.parametrize("cid", case_ids(*OPS))
def test_symbol_json_names_and_shapes_match_mxnet(cid):
    check_json(cid)
    check_structure(cid)


def test_forward_and_gradients_match_mxnet(monkeypatch):
    monkeypatch.setenv("MXJAX_CONV_IMPL", "im2col")
    assert_replay(run_ids(*OPS))


#: XLA's convolution on a cross-section of the cases (1-D/2-D/3-D, strided, padded,
#: dilated, grouped, transposed); the im2col-vs-XLA tests below cover the rest
XLA_SUBSET = ["conv2d_dilate", "conv2d_depthwise", "conv1d_dilate_group", "conv3d_rect",
              "deconv2d_stride_pad_adj"]


def test_xla_lowering_matches_mxnet(monkeypatch):
    monkeypatch.setenv("MXJAX_CONV_IMPL", "xla")
    assert conv_mod.conv_impl() == "xla"
    assert set(XLA_SUBSET) <= set(run_ids(*OPS))
    assert_replay(XLA_SUBSET)


@pytest.mark.parametrize("cid", error_case_ids(*OPS))
def test_unsupported_attribute_values_raise_naming_op_and_attribute(cid):
    check_error(cid)


def _rand(shape, seed):
    return jnp.asarray(np.random.default_rng(seed).standard_normal(shape), jnp.float32)


CONFIGS = [
    # (data shape, weight shape, stride, dilate, pads, groups): asymmetric padding, the
    # channels-last patch layout (C*K <= 64), grouped + dilated, depthwise, many channels
    ((2, 3, 9, 8), (4, 3, 3, 3), (2, 1), (1, 1), [(1, 1), (0, 2)], 1),
    ((1, 4, 7, 7), (6, 2, 3, 2), (1, 2), (2, 1), [(2, 2), (1, 1)], 2),
    ((2, 6, 6, 6), (6, 1, 3, 3), (2, 2), (1, 1), [(1, 1), (1, 1)], 6),
    ((2, 40, 5, 5), (8, 40, 3, 3), (1, 1), (1, 1), [(1, 1), (1, 1)], 1),
]


@pytest.mark.parametrize("cfg", CONFIGS)
def test_im2col_equals_xla_convolution_forward_and_backward(cfg):
    xs, ws, stride, dilate, pads, groups = cfg
    x, w = _rand(xs, 1), _rand(ws, 2)
    probe = None

    def loss(impl):
        def f(x, w):
            y = conv_mod.conv_nd(x, w, stride, dilate, pads, groups, impl=impl)
            return jnp.vdot(y, probe), y
        return jax.jit(jax.value_and_grad(f, argnums=(0, 1), has_aux=True))

    out = jax.eval_shape(lambda: conv_mod.conv_nd(x, w, stride, dilate, pads, groups, "xla"))
    probe = _rand(out.shape, 3)
    (_, y1), g1 = loss("im2col")(x, w)
    (_, y2), g2 = loss("xla")(x, w)
    # float32 sums of up to 360 products: compare relative to the output's scale
    np.testing.assert_allclose(y1, y2, rtol=1e-5, atol=2e-6 * float(jnp.max(jnp.abs(y2))))
    for a, b in zip(g1, g2, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=2e-6 * float(jnp.max(jnp.abs(b))))


@pytest.mark.parametrize("impl", ["im2col", "xla"])
def test_deconvolution_is_the_transpose_of_convolution(impl):
    # <deconv(x, w), y> == <x, conv(y, w)> for matching stride/pad/dilate/groups
    x, y = _rand((2, 4, 4, 5), 3), _rand((2, 6, 8, 10), 4)
    w = _rand((4, 3, 3, 3), 5)  # deconv weight (C, F/g, k, k); conv weight (F_conv=C, ...)
    out = conv_mod.deconv_nd(x, w, (2, 2), (1, 1), (1, 1), (1, 1), 2, impl=impl)
    assert out.shape == (2, 6, 8, 10)
    back = conv_mod.conv_nd(y, w, (2, 2), (1, 1), [(1, 1), (1, 1)], 2, impl=impl)
    np.testing.assert_allclose(jnp.vdot(out, y), jnp.vdot(x, back), rtol=1e-4)


def test_deconvolution_with_adj_not_below_stride_matches_xla():
    # adj >= stride cannot be a transposed forward conv: im2col falls back to a zero-dilated
    # input (MXNet's target_shape can produce adj=1 with stride 1)
    x, w = _rand((1, 3, 4, 5), 10), _rand((3, 2, 3, 3), 11)
    a = conv_mod.deconv_nd(x, w, (1, 1), (1, 1), (1, 0), (1, 1), 1, impl="im2col")
    b = conv_mod.deconv_nd(x, w, (1, 1), (1, 1), (1, 0), (1, 1), 1, impl="xla")
    assert a.shape == (1, 2, 5, 8)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_output_size_formulas_are_mxnets():
    assert conv_mod.conv_out_size(28, 5, 1, 1, 0) == 24
    assert conv_mod.conv_out_size(224, 7, 2, 1, 3) == 112
    assert conv_mod.conv_out_size(9, 3, 2, 2, 1) == 4  # floor((9+2-5)/2)+1
    assert conv_mod.deconv_out_size(4, 3, 2, 1, 1, 1) == 8  # 2*3+3-2+1
    assert conv_mod.deconv_out_size(5, 3, 2, 1, 0, 0) == 11


def test_nhwc_layout_equals_nchw_on_transposed_data():
    data = _rand((2, 7, 6, 3), 6)
    w_nchw = _rand((4, 3, 3, 3), 7)
    b = _rand((4,), 8)
    nhwc = mx.nd.Convolution(mx.nd.array(np.asarray(data)),
                             mx.nd.array(np.asarray(w_nchw).transpose(0, 2, 3, 1)),
                             mx.nd.array(np.asarray(b)), kernel=(3, 3), num_filter=4,
                             stride=(2, 1), pad=(1, 1), layout="NHWC")
    nchw = mx.nd.Convolution(mx.nd.array(np.asarray(data).transpose(0, 3, 1, 2)),
                             mx.nd.array(np.asarray(w_nchw)), mx.nd.array(np.asarray(b)),
                             kernel=(3, 3), num_filter=4, stride=(2, 1), pad=(1, 1))
    np.testing.assert_allclose(nhwc.asnumpy(), nchw.asnumpy().transpose(0, 2, 3, 1),
                               rtol=1e-5, atol=1e-5)


def test_defaults_when_loaded_from_json_with_attributes_left_out():
    doc = {"nodes": [{"op": "null", "name": "data", "inputs": []},
                     {"op": "null", "name": "c_weight", "inputs": []},
                     {"op": "null", "name": "c_bias", "inputs": []},
                     {"op": "Convolution", "name": "c",
                      "attrs": {"kernel": "(3,3)", "num_filter": "2"},
                      "inputs": [[0, 0, 0], [1, 0, 0], [2, 0, 0]]},
                     {"op": "null", "name": "d_weight", "inputs": []},
                     {"op": "Deconvolution", "name": "d",
                      "attrs": {"kernel": "[2, 2]", "num_filter": "3"},
                      "inputs": [[3, 0, 0], [4, 0, 0]]}],
           "arg_nodes": [0, 1, 2, 4], "heads": [[5, 0, 0]],
           "attrs": {"mxnet_version": ["int", 10901]}}
    sym = mx.sym.load_json(json.dumps(doc))
    # stride 1, pad 0, dilate 1, num_group 1, bias; Deconvolution: no bias by default
    assert sym.list_arguments() == ["data", "c_weight", "c_bias", "d_weight"]
    args, outs, _ = sym.infer_shape(data=(1, 5, 6, 6))
    assert args == [(1, 5, 6, 6), (2, 5, 3, 3), (2,), (2, 3, 2, 2)]
    assert outs == [(1, 3, 5, 5)]
    conv = sym.get_internals()["c_output"]
    a = conv._heads[0][0].parsed()
    assert (a.workspace, a.num_group, a.no_bias, a.cudnn_off, a.layout) == (1024, 1, False,
                                                                             False, None)


def test_conv_impl_env_var_selects_the_lowering(monkeypatch):
    monkeypatch.setenv("MXJAX_CONV_IMPL", "xla")
    assert conv_mod.conv_impl() == "xla"
    monkeypatch.setenv("MXJAX_CONV_IMPL", "auto")
    assert conv_mod.conv_impl() == ("im2col" if jax.default_backend() == "cpu" else "xla")
    conv_mod.set_conv_impl("im2col")
    try:
        assert conv_mod.conv_impl() == "im2col"
    finally:
        conv_mod.set_conv_impl(None)
    monkeypatch.setenv("MXJAX_CONV_IMPL", "fft")
    with pytest.raises(mx.MXNetError, match="MXJAX_CONV_IMPL"):
        conv_mod.conv_impl()


def test_bad_shapes_raise_clear_errors():
    x = mx.sym.var("data")
    sym = mx.sym.Convolution(x, kernel=(3, 3), num_filter=4, num_group=3, name="c")
    with pytest.raises(mx.MXNetError, match="num_group"):
        sym.infer_shape(data=(1, 4, 5, 5))
    sym = mx.sym.Convolution(x, kernel=(7, 7), num_filter=2, name="c")
    with pytest.raises(mx.MXNetError, match="kernel"):
        sym.infer_shape(data=(1, 1, 5, 5))
    sym = mx.sym.Convolution(x, kernel=(3, 3), stride=(1, 1, 1), num_filter=2, name="c")
    with pytest.raises(mx.MXNetError, match="stride"):
        sym.infer_shape(data=(1, 1, 5, 5))


def test_all_kernel_offsets_are_used_in_3d_im2col():
    # a one-hot filter per offset picks exactly the shifted input
    x = _rand((1, 1, 4, 5, 6), 9)
    for offs in itertools.product(range(2), range(3), range(2)):
        w = np.zeros((1, 1, 2, 3, 2), np.float32)
        w[(0, 0) + offs] = 1.0
        y = conv_mod.conv_nd(x, jnp.asarray(w), (1, 1, 1), (1, 1, 1), [(0, 0)] * 3, 1,
                             impl="im2col")
        d, h, ww = offs
        np.testing.assert_array_equal(y[0, 0], x[0, 0, d:d + 3, h:h + 3, ww:ww + 5])
