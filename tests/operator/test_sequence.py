"""SequenceMask, SequenceLast and SequenceReverse reproduce MXNet 1.9.1 (numbers recorded
from the real MXNet) on both sequence axes, with and without sequence lengths."""

from __future__ import annotations

import numpy as np
import pytest
from mxnet_replay import assert_replay, case_ids, check_json, check_structure, run_ids

import mxjax as mx

OPS = ("SequenceMask", "SequenceLast", "SequenceReverse")


@pytest.mark.parametrize("cid", case_ids(*OPS))
def test_symbol_json_names_and_shapes_match_mxnet(cid):
    check_json(cid)
    check_structure(cid)


def test_forward_and_gradients_match_mxnet():
    assert_replay(run_ids(*OPS))


def test_sequence_ops_formulas():
    x = np.arange(4 * 2 * 1, dtype=np.float32).reshape(4, 2, 1)
    lens = mx.nd.array([2, 4])
    m = mx.nd.SequenceMask(mx.nd.array(x), lens, use_sequence_length=True, value=-1).asnumpy()
    np.testing.assert_array_equal(m[:, 0, 0], [0, 2, -1, -1])
    np.testing.assert_array_equal(m[:, 1, 0], [1, 3, 5, 7])
    last = mx.nd.SequenceLast(mx.nd.array(x), lens, use_sequence_length=True).asnumpy()
    np.testing.assert_array_equal(last[:, 0], [2, 7])
    rev = mx.nd.SequenceReverse(mx.nd.array(x), lens, use_sequence_length=True).asnumpy()
    np.testing.assert_array_equal(rev[:, 0, 0], [2, 0, 4, 6])
    np.testing.assert_array_equal(rev[:, 1, 0], [7, 5, 3, 1])


def test_sequence_length_is_an_input_only_when_used_and_gets_no_gradient():
    sym = mx.sym.SequenceLast(mx.sym.var("data"), name="s")
    assert sym.list_arguments() == ["data"]
    sym = mx.sym.SequenceLast(mx.sym.var("data"), use_sequence_length=True, name="s")
    assert sym.list_arguments() == ["data", "s_sequence_length"]
    args, outs, _ = sym.infer_shape(data=(5, 3, 2))
    assert args[1] == (3,) and outs == [(3, 2)]


def test_unsupported_axis_raises_naming_the_attribute():
    sym = mx.sym.SequenceReverse(mx.sym.var("data"), axis=1, name="s")
    with pytest.raises(mx.MXNetError, match="SequenceReverse.*axis"):
        sym.infer_shape(data=(2, 3, 4))
