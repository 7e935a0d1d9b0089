"""operator/tensor.py: shape inference rules of its ops against MXNet 1.9.1."""

import pytest

import mxjax as mx


def test_where_infers_x_y_and_condition_shapes_from_each_other_like_mxnet():
    # MXNet 1.9.1: where(m, x, zeros((0, 0))) with only x known gives m, zeros and the
    # output x's shape (the zoneout cell's placeholder relies on it)
    m, x = mx.sym.var("m"), mx.sym.var("x")
    w = mx.sym.where(m, x, mx.sym.zeros((0, 0)))
    assert w.infer_shape(x=(2, 5), m=(2, 5)) == ([(2, 5), (2, 5)], [(2, 5)], [])
    # as in MXNet, the condition does not decide x's shape
    with pytest.warns(UserWarning, match="Cannot decide shape"):
        assert mx.sym.where(m, x, x * 2).infer_shape(m=(3, 4)) == (None, None, None)
    # MXNet gives up silently here ((None, None, None)); mxjax names the conflict
    with pytest.raises(mx.MXNetError, match="same shape"):
        mx.sym.where(m, x, mx.sym.var("y")).infer_shape(x=(2, 5), y=(2, 4))


def test_mod_follows_mxnets_kernel_signs_and_zero_divisor():
    # MXNet 1.9.1: [-3, 3, -1.5, 4.5] % 3 -> [0, 0, 1.5, 1.5] (+0, not -0);
    # [-3, 3] % -3 -> [-0, 0]; 7 % [-3, 3] -> [-2, 1]; x % 0 -> 0
    import numpy as np

    got = (mx.nd.array([-3.0, 3.0, -1.5, 4.5]) % 3).asnumpy()
    assert got.tolist() == [0.0, 0.0, 1.5, 1.5] and not np.signbit(got[0])
    got = (mx.nd.array([-3.0, 3.0]) % -3).asnumpy()
    assert np.signbit(got[0]) and not np.signbit(got[1])
    assert (7 % mx.nd.array([-3.0, 3.0])).asnumpy().tolist() == [-2.0, 1.0]
    assert (mx.nd.array([5.0, -5.0]) % 0).asnumpy().tolist() == [0.0, 0.0]
    got = mx.nd.broadcast_mod(mx.nd.array([-3.0, 3.0]), mx.nd.array([3.0, 3.0])).asnumpy()
    assert got.tolist() == [0.0, 0.0] and not np.signbit(got).any()
