"""MXNet 1.9.1 API gaps closed in mx.nd / mx.sym, checked against values recorded from real
MXNet (``record_apigaps.py`` -> fixtures/apigaps_mxnet.*): the ``_ufunc_helper`` functions,
``rint``'s tie rule, ``dot``/``batch_dot`` shapes, eye/linspace/cumsum/onehot_encode,
slice/slice_assign, and the symbol JSON of maximum/minimum/pow/hypot/eye/linspace."""

from __future__ import annotations

import numpy as np
import pytest
from apigap_cases import GROUPS, load_reference, mismatches

import mxjax as mx
from mxjax.base import MXNetError

REF = load_reference()


@pytest.mark.parametrize("group", ["ufunc", "rounding", "dot", "creation", "symbol"])
def test_matches_recorded_mxnet(group):
    """Every value of the group equals MXNet's (dtype, shape, numbers, JSON text)."""
    bad = mismatches(group, GROUPS[group](mx), REF)
    assert not bad, "\n".join(bad)


def test_ufunc_dispatch_matches_mxnet_ufunc_helper():
    """maximum(x, 3) -> [3, 5]; (2,1) vs (3,) broadcasts to (2,3); greater(3, x) is
    x < 3; two numbers give the Python result (comparisons 1/0)."""
    x = mx.nd.array([1, 5])
    np.testing.assert_array_equal(mx.nd.maximum(x, 3).asnumpy(), [3, 5])
    assert mx.nd.maximum(mx.nd.array([[1], [5]]), mx.nd.array([2, 3, 4])).shape == (2, 3)
    np.testing.assert_array_equal(mx.nd.greater(3, x).asnumpy(), [1, 0])
    np.testing.assert_array_equal(mx.nd.subtract(3, x).asnumpy(), [2, -2])
    assert mx.nd.greater(4, 3) == 1 and mx.nd.lesser(4, 3) == 0
    assert mx.nd.power(2, 3) == 8


def test_ufunc_rejects_unsupported_operand_types():
    """MXNet's _ufunc_helper raises TypeError for operands that are neither NDArray nor
    number."""
    with pytest.raises(TypeError, match="not supported"):
        mx.nd.add(mx.nd.array([1]), "a")
    with pytest.raises(TypeError, match="not supported"):
        mx.nd.add([1], mx.nd.array([1]))
    with pytest.raises(TypeError, match="not supported"):
        mx.sym.maximum(mx.sym.var("a"), "b")


def test_ufunc_broadcast_mismatch_is_clear_error():
    with pytest.raises(MXNetError, match="broadcast"):
        mx.nd.add(mx.nd.ones((2, 3)), mx.nd.ones((4,)))


def test_rint_ties_go_to_the_lower_integer():
    """MXNet's rint: [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5] -> [-3, -2, -1, 0, 1, 2]."""
    got = mx.nd.rint(mx.nd.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5])).asnumpy()
    np.testing.assert_array_equal(got, [-3, -2, -1, 0, 1, 2])


def test_batch_dot_needs_rank_3_like_mxnet():
    """MXNet: 'batch_dot currently only support N-D*N-D array (N >= 3)'."""
    with pytest.raises(MXNetError, match="N >= 3"):
        mx.nd.batch_dot(mx.nd.ones((3, 4)), mx.nd.ones((4, 5)))


def test_writable_false_blocks_assignment():
    """MXNet's NDArray.writable: a read-only array rejects item assignment and in-place
    arithmetic with ValueError."""
    x = mx.nd.ones((2,))
    assert x.writable
    x.writable = False
    with pytest.raises(ValueError, match="readonly"):
        x[:] = 3
    with pytest.raises(ValueError, match="readonly"):
        x += 1
    np.testing.assert_array_equal(x.asnumpy(), [1, 1])
    x.writable = True
    x[:] = 2
    np.testing.assert_array_equal(x.asnumpy(), [2, 2])


def test_slice_assign_errors_name_the_shapes():
    x = mx.nd.zeros((3, 4))
    with pytest.raises(MXNetError, match=r"rhs has shape \(2, 2\)"):
        x.slice_assign(mx.nd.ones((2, 2)), (0, 0), (1, 2), (None, None))
    with pytest.raises(MXNetError, match="step cannot be 0"):
        x.slice_assign_scalar(1, (0,), (2,), (0,))


def test_onehot_encode_checks_shapes():
    with pytest.raises(MXNetError, match="onehot_encode"):
        mx.nd.onehot_encode(mx.nd.array([0, 1]), mx.nd.zeros((3, 4)))


def test_sym_eye_linspace_infer_shapes():
    """Constant symbols infer their shapes without inputs: eye(2, 3) is (2, 3)."""
    assert mx.sym.eye(2, 3).infer_shape()[1] == [(2, 3)]
    assert mx.sym.linspace(0, 1, 7).infer_shape()[1] == [(7,)]


def test_linspace_eye_reject_negative_sizes():
    with pytest.raises(MXNetError, match="num"):
        mx.nd.linspace(0, 1, -1)
    with pytest.raises(MXNetError, match="non-negative"):
        mx.nd.eye(-2)
