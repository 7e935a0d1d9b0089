"""Pad, slicing, take/pick, sorting, broadcasting, reshaping and the extra math ops
reproduce MXNet 1.9.1 (numbers recorded from the real MXNet)."""

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

OPS = ("Pad", "slice", "slice_axis", "slice_like", "take", "pick", "batch_take", "topk", "sort",
       "argsort", "tile", "repeat", "squeeze", "broadcast_to", "broadcast_like", "broadcast_axis",
       "reshape_like", "reverse", "depth_to_space", "space_to_depth", "diag", "shape_array",
       "size_array", "gather_nd", "scatter_nd", "smooth_l1", "hard_sigmoid", "moments",
       "softmax_cross_entropy")


@pytest.mark.parametrize("cid", case_ids(*OPS))
def test_symbol_json_names_and_shapes_match_mxnet(cid):
    check_json(cid)
    check_structure(cid)


def test_forward_and_gradients_match_mxnet():
    assert_replay(run_ids(*OPS))


@pytest.mark.parametrize("cid", error_case_ids(*OPS))
def test_unsupported_attribute_values_raise_naming_op_and_attribute(cid):
    check_error(cid)


def test_aliases_write_the_canonical_op_name():
    x = mx.sym.var("x")
    for sym, op in [(mx.sym.flip(x, axis=1), "reverse"), (mx.sym.pad(x, mode="edge",
                     pad_width=(0, 0, 0, 0, 1, 1, 1, 1)), "Pad"),
                    (mx.sym.crop(x, begin=(0,), end=(1,)), "slice"),
                    (mx.sym.broadcast_axes(x, axis=0, size=2), "broadcast_axis")]:
        assert json.loads(sym.tojson())["nodes"][-1]["op"] == op


def test_slice_attributes_keep_none_entries_in_json():
    sym = mx.sym.slice(mx.sym.var("x"), begin=(None, -3), end=(None, None), name="s")
    attrs = json.loads(sym.tojson())["nodes"][-1]["attrs"]
    assert attrs == {"begin": "(None, -3)", "end": "(None, None)"}
    out = sym.eval(mx.cpu(), x=mx.nd.array(np.arange(10).reshape(2, 5)))[0].asnumpy()
    np.testing.assert_array_equal(out, np.arange(10).reshape(2, 5)[:, -3:])


def test_take_raise_mode_is_reported_as_unsupported():
    with pytest.raises(mx.MXNetError, match="take.*raise"):
        mx.nd.take(mx.nd.array([1.0, 2.0]), mx.nd.array([0.0]), mode="raise")


def test_topk_defaults_when_loaded_from_json_with_attributes_left_out():
    sym = mx.sym.load_json(json.dumps({
        "nodes": [{"op": "null", "name": "data", "inputs": []},
                  {"op": "topk", "name": "t", "inputs": [[0, 0, 0]]}],
        "arg_nodes": [0], "heads": [[1, 0, 0]], "attrs": {"mxnet_version": ["int", 10901]}}))
    out = sym.eval(mx.cpu(), data=mx.nd.array([[1.0, 5.0, 3.0], [9.0, 2.0, 4.0]]))[0]
    # axis=-1, k=1, ret_typ='indices', is_ascend=False, dtype=float32
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.asnumpy(), [[1.0], [0.0]])


def test_smooth_l1_and_hard_sigmoid_formulas():
    x = np.linspace(-3, 3, 13).astype(np.float32)
    s = 2.0
    ref = np.where(np.abs(x) < 1 / s ** 2, 0.5 * (s * x) ** 2, np.abs(x) - 0.5 / s ** 2)
    np.testing.assert_allclose(mx.nd.smooth_l1(mx.nd.array(x), scalar=s).asnumpy(), ref,
                               rtol=1e-6)
    np.testing.assert_allclose(mx.nd.hard_sigmoid(mx.nd.array(x)).asnumpy(),
                               np.clip(0.2 * x + 0.5, 0, 1), rtol=1e-6)
