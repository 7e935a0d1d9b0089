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
