"""mx.rnn cells: unrolled graphs, numerics and errors against MXNet 1.9.1's recordings.

The fixtures (tests/fixtures/rnn_mxnet.{json,npz}) come from tests/rnn/record_rnn.py run with a
real MXNet; the same builder functions construct the mxjax graphs here.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import mxjax as mx
from mxjax import rnn
from mxjax.base import MXNetError

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"

_spec = importlib.util.spec_from_file_location("record_rnn", HERE / "record_rnn.py")
R = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(R)

REC = json.loads((FIXTURES / "rnn_mxnet.json").read_text())
ARR = np.load(FIXTURES / "rnn_mxnet.npz")



@pytest.mark.parametrize("case", R.SYMBOL_CASES, ids=[R.case_key(*c) for c in R.SYMBOL_CASES])
def test_unrolled_symbol_matches_mxnet_json_names_and_shapes(case):
    """unroll builds MXNet's graph: same arguments, outputs, tojson bytes and infer_shape."""
    kind, layout, merge, as_list = case
    ref = REC["symbols"][R.case_key(*case)]
    sym = R.build_unrolled(mx, *case)
    assert sym.list_arguments() == ref["arguments"]
    assert sym.list_outputs() == ref["outputs"]
    assert sym.tojson() == ref["json"]
    arg, out, aux = sym.infer_shape(**R.shape_kwargs(kind, layout, as_list))
    assert [list(s) for s in arg] == ref["arg_shapes"]
    assert [list(s) for s in out] == ref["out_shapes"]
    assert [list(s) for s in aux] == ref["aux_shapes"]


def _bound_lstm2():
    sym = R.build_lstm2(mx)
    exe = sym.simple_bind(mx.cpu(), data=(R.BATCH, R.LENGTH, R.IN_DIM), grad_req="write")
    for name, arr in exe.arg_dict.items():
        arr[:] = ARR["arg:" + name]
    return exe


def test_two_layer_lstm_forward_and_gradients_match_mxnet():
    """Outputs (merged sequence + h/c of both layers) and all gradients of a bound 2-layer
    LSTM equal MXNet's for the recorded parameters and head gradients (rtol 1e-5)."""
    exe = _bound_lstm2()
    outs = exe.forward(is_train=True)
    assert len(outs) == 5
    for i, o in enumerate(outs):
        np.testing.assert_allclose(o.asnumpy(), ARR[f"out{i}"], rtol=1e-5, atol=1e-6)
    assert outs[0].shape == (R.BATCH, R.LENGTH, R.HIDDEN)
    exe.backward([mx.nd.array(ARR[f"head{i}"]) for i in range(len(outs))])
    assert sorted(exe.grad_dict) == sorted(k[5:] for k in ARR.files if k.startswith("grad:"))
    for name, g in exe.grad_dict.items():
        np.testing.assert_allclose(g.asnumpy(), ARR["grad:" + name], rtol=1e-5, atol=1e-6)


def test_lstm_step_formula_gates_ifco():
    """One LSTMCell step computes c' = σ(f)c + σ(i)tanh(g), h' = σ(o)tanh(c') with the
    4H pre-activations sliced in the order i, f, c, o."""
    rng = np.random.RandomState(1)
    cell = rnn.LSTMCell(3, prefix="s_")
    x, h, c = (mx.sym.Variable(n) for n in ("x", "h", "c"))
    out, (h1, c1) = cell(x, [h, c])
    vals = {"x": rng.randn(2, 4), "h": rng.randn(2, 3), "c": rng.randn(2, 3),
            "s_i2h_weight": rng.randn(12, 4), "s_i2h_bias": rng.randn(12),
            "s_h2h_weight": rng.randn(12, 3), "s_h2h_bias": rng.randn(12)}
    vals = {k: v.astype(np.float32) for k, v in vals.items()}
    exe = mx.sym.Group([h1, c1]).bind(mx.cpu(), {k: mx.nd.array(v) for k, v in vals.items()})
    got_h, got_c = (o.asnumpy() for o in exe.forward())
    pre = (vals["x"] @ vals["s_i2h_weight"].T + vals["s_i2h_bias"]
           + vals["h"] @ vals["s_h2h_weight"].T + vals["s_h2h_bias"])
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    i, f, g, o = np.split(pre, 4, axis=1)
    want_c = sig(f) * vals["c"] + sig(i) * np.tanh(g)
    np.testing.assert_allclose(got_c, want_c, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_h, sig(o) * np.tanh(want_c), rtol=1e-5, atol=1e-6)
    assert out.name == "s_t0_out"


def test_unpack_and_pack_weights_match_mxnet():
    """unpack_weights splits i2h/h2h into per-gate arrays exactly as MXNet; pack inverts."""
    cell = R.make_cell(mx, "seq_lstm2")
    args = {k[4:]: mx.nd.array(ARR[k]) for k in ARR.files if k.startswith("arg:")}
    unpacked = cell.unpack_weights(args)
    assert sorted(unpacked) == REC["unpacked_names"]
    for k, v in unpacked.items():
        np.testing.assert_array_equal(v.asnumpy(), ARR["unpacked:" + k])
    packed = cell.pack_weights(unpacked)
    assert sorted(packed) == sorted(args)
    for k, v in packed.items():
        np.testing.assert_array_equal(v.asnumpy(), args[k].asnumpy())


def test_begin_state_names_shapes_and_counter():
    """begin_state: `<prefix>begin_state_<i>` zeros of shape (0, H), counter runs until reset;
    func=Variable gives variables with __shape__/__layout__ attributes."""
    cell = rnn.LSTMCell(7, prefix="p_")
    s = cell.begin_state()
    assert [x.name for x in s] == ["p_begin_state_0", "p_begin_state_1"]
    assert s[0].attr("__layout__") == "NC"
    assert [x.name for x in cell.begin_state()] == ["p_begin_state_2", "p_begin_state_3"]
    cell.reset()
    v = cell.begin_state(func=mx.sym.Variable)
    assert v[0].list_arguments() == ["p_begin_state_0"]
    assert v[1].attr("__shape__") == "(0, 7)"
    assert cell.state_shape == [(0, 7), (0, 7)]
    assert cell.state_info == [{"shape": (0, 7), "__layout__": "NC"}] * 2


def test_lstm_i2h_bias_init_is_lstmbias_through_module_init_params():
    """The i2h_bias variable carries LSTMBias(forget_bias): Module.init_params puts
    forget_bias in rows [H, 2H) and zeros elsewhere, whatever the global initializer."""
    cell = rnn.LSTMCell(3, prefix="m_", forget_bias=2.5)
    out, _ = cell.unroll(2, mx.sym.Variable("data"), merge_outputs=True)
    net = mx.sym.LinearRegressionOutput(mx.sym.sum(out, axis=(1, 2)), name="lro")
    mod = mx.mod.Module(net, data_names=["data"], label_names=["lro_label"])
    mod.bind(data_shapes=[("data", (2, 2, 4))], label_shapes=[("lro_label", (2,))])
    mod.init_params(mx.init.Uniform(0.5))
    arg, _ = mod.get_params()
    np.testing.assert_array_equal(arg["m_i2h_bias"].asnumpy(),
                                  np.r_[np.zeros(3), np.full(3, 2.5), np.zeros(6)])
    assert np.abs(arg["m_h2h_weight"].asnumpy()).max() > 0


def test_params_are_shared_through_rnnparams():
    """Two cells built on one RNNParams share their weight variables."""
    params = rnn.RNNParams("shared_")
    a = rnn.RNNCell(4, prefix="a_", params=params)
    b = rnn.RNNCell(4, prefix="b_", params=params)
    x = mx.sym.Variable("x")
    out_a, _ = a(x, a.begin_state())
    out_b, _ = b(out_a, b.begin_state())
    assert out_b.list_arguments() == ["x", "shared_i2h_weight", "shared_i2h_bias",
                                      "shared_h2h_weight", "shared_h2h_bias"]


def test_unroll_wrong_number_of_inputs_is_a_clear_error():
    cell = rnn.GRUCell(3)
    with pytest.raises(MXNetError, match="got 2 input symbols for length=3"):
        cell.unroll(3, [mx.sym.Variable("a"), mx.sym.Variable("b")])


def test_unroll_layout_without_t_is_a_clear_error():
    with pytest.raises(MXNetError, match="layout 'NC'.*'T'"):
        rnn.LSTMCell(3).unroll(2, mx.sym.Variable("x"), layout="NC")


def test_unroll_rejects_none_inputs_and_grouped_symbol():
    cell = rnn.RNNCell(3)
    with pytest.raises(MXNetError, match="inputs=None"):
        cell.unroll(2, None)
    grouped = mx.sym.Group([mx.sym.Variable("a"), mx.sym.Variable("b")])
    with pytest.raises(MXNetError, match="grouped symbol"):
        cell.unroll(2, grouped)
    with pytest.raises(MXNetError, match="length must be a positive int"):
        cell.unroll(0, mx.sym.Variable("a"))


def test_fused_rnn_cell_unrolls_to_one_rnn_op_and_cannot_be_stepped():
    """unroll builds one fused ``RNN`` op named ``<prefix>rnn`` over ``<prefix>parameters``
    (FusedRNN init); stepping the cell is an error naming unroll/unfuse()."""
    cell = rnn.FusedRNNCell(4, num_layers=2, mode="gru")
    assert cell.params._params["gru_parameters"].attr("__init__").startswith('["fusedrnn"')
    out, states = cell.unroll(3, mx.sym.Variable("data"), layout="TNC", merge_outputs=True)
    assert out.list_outputs() == ["gru_rnn_output"] and states == []
    assert out.list_arguments() == ["data", "gru_parameters"]
    _, shapes, _ = out.infer_shape(data=(3, 2, 5))
    assert shapes == [(3, 2, 4)]
    with pytest.raises(MXNetError, match=r"cannot be stepped.*unfuse\(\)"):
        cell(mx.sym.Variable("x"), cell.begin_state())
    stack = cell.unfuse()
    assert isinstance(stack, rnn.SequentialRNNCell)
    assert [c._prefix for c in stack._cells] == ["gru_l0_", "gru_l1_"]


@pytest.mark.parametrize("key", sorted(R.FUSED_CASES))
def test_fused_unpack_weights_matches_mxnet_and_pack_inverts(key):
    """FusedRNNCell.unpack_weights slices a packed vector (arange) into the same per-layer,
    per-direction, per-gate pieces as MXNet; pack_weights restores it bit-exactly."""
    h, layers, mode, bi, i_dim = R.FUSED_CASES[key]
    cell = rnn.FusedRNNCell(h, num_layers=layers, mode=mode, bidirectional=bi,
                            prefix=key + "_")
    ref = REC["fused"][key]
    assert R.fused_size(h, layers, mode, bi, i_dim) == ref["size"]
    flat = mx.nd.arange(ref["size"])
    pieces = cell.unpack_weights({key + "_parameters": flat})
    assert sorted(pieces) == ref["names"]
    for k, v in pieces.items():
        np.testing.assert_array_equal(v.asnumpy(), ARR["fused:" + k])
    back = cell.pack_weights(pieces)
    assert sorted(back) == [key + "_parameters"]
    np.testing.assert_array_equal(back[key + "_parameters"].asnumpy(), flat.asnumpy())


def test_fused_unpack_wrong_size_is_a_clear_error():
    cell = rnn.FusedRNNCell(3, mode="lstm", prefix="w_")
    with pytest.raises(MXNetError, match="Invalid parameters size"):
        cell.unpack_weights({"w_parameters": mx.nd.zeros((7,))})
    with pytest.raises(MXNetError, match="'w_parameters' is not in"):
        cell.unpack_weights({})


def test_modified_base_cell_cannot_be_used_directly():
    base = rnn.RNNCell(3, prefix="z_")
    zone = rnn.ZoneoutCell(base, 0.1, 0.1)
    with pytest.raises(MXNetError, match="modifier cell"):
        base.begin_state()
    assert [s.name for s in zone.begin_state()] == ["z_begin_state_0"]
    with pytest.raises(MXNetError, match="unfuse"):
        rnn.ZoneoutCell(rnn.FusedRNNCell(3))


def test_bidirectional_cell_cannot_be_stepped():
    bi = rnn.BidirectionalCell(rnn.RNNCell(2, prefix="l_"), rnn.RNNCell(2, prefix="r_"))
    with pytest.raises(MXNetError, match="cannot be stepped"):
        bi(mx.sym.Variable("x"), bi.begin_state())
