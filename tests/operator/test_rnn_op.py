"""The fused ``RNN`` operator and ``FusedRNNCell.unroll`` against MXNet 1.9.1.

Reference numbers come from tests/operator/record_rnn_op.py (run with a real
MXNet) in fixtures/rnn_op_mxnet.{json,npz}; these tests do not need MXNet.
"""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import mxjax as mx
from mxjax.base import MXNetError
from mxjax.operator.rnn import rnn_param_size

FIX = Path(__file__).resolve().parent.parent / "fixtures"
REC = json.loads((FIX / "rnn_op_mxnet.json").read_text())
ARR = np.load(FIX / "rnn_op_mxnet.npz")
T, N, C, H = REC["T"], REC["N"], REC["C"], REC["H"]


def _rnn_sym(case: dict, name: str = "rnn") -> mx.sym.Symbol:
    return mx.sym.RNN(mx.sym.var("data"), state_size=H, num_layers=case["num_layers"],
                      mode=case["mode"], bidirectional=case["bidirectional"],
                      state_outputs=True, name=name, **case["extra"])


@pytest.mark.parametrize("key", sorted(REC["cases"]))
def test_rnn_forward_backward_matches_mxnet(key):
    """Outputs (out, hy[, cy]) and the gradients of data, the packed parameters and the
    initial states for a random head gradient equal MXNet's (TNC, MXNet's packing and
    gate orders, GRU reset gate on (W_hn h + b_hn))."""
    case = REC["cases"][key]
    sym = _rnn_sym(case)
    ex = sym.simple_bind(mx.cpu(), data=(T, N, C), grad_req="write")
    names = sym.list_arguments()
    for nm in names:
        ex.arg_dict[nm][:] = ARR[f"{key}:in:{nm.replace('rnn_', '')}"]
    outs = ex.forward(is_train=True)
    assert len(outs) == case["num_outputs"]
    for i, o in enumerate(outs):
        np.testing.assert_allclose(o.asnumpy(), ARR[f"{key}:out:{i}"], rtol=1e-5, atol=1e-6)
    ex.backward([mx.nd.array(ARR[f"{key}:head:{i}"]) for i in range(len(outs))])
    for nm in names:
        np.testing.assert_allclose(ex.grad_dict[nm].asnumpy(),
                                   ARR[f"{key}:grad:{nm.replace('rnn_', '')}"],
                                   rtol=1e-5, atol=1e-6, err_msg=nm)


def test_nd_rnn_imperative_matches_mxnet():
    """``mx.nd.RNN(data, parameters, state, state_cell, ...)`` computes the same outputs."""
    key = "lstm_l2_bi"
    g = {nm: mx.nd.array(ARR[f"{key}:in:{nm}"])
         for nm in ("data", "parameters", "state", "state_cell")}
    out, hy, cy = mx.nd.RNN(g["data"], g["parameters"], g["state"], g["state_cell"],
                            state_size=H, num_layers=2, mode="lstm", bidirectional=True,
                            state_outputs=True)
    for i, o in enumerate((out, hy, cy)):
        np.testing.assert_allclose(o.asnumpy(), ARR[f"{key}:out:{i}"], rtol=1e-5, atol=1e-6)
    single = mx.nd.RNN(g["data"], g["parameters"], g["state"], g["state_cell"], state_size=H,
                       num_layers=2, mode="lstm", bidirectional=True)
    assert isinstance(single, mx.nd.NDArray) and single.shape == (T, N, 2 * H)


@pytest.mark.parametrize("rec", REC["shapes"], ids=lambda r: f"{r['mode']}{r['num_layers']}"
                         f"{'bi' if r['bidirectional'] else ''}")
def test_rnn_infer_shape_matches_mxnet(rec):
    """The parameter vector size (MXNet's GetRnnParamSize) and the (L*D, N, H) state shapes
    are inferred from the data shape alone."""
    sym = mx.sym.RNN(mx.sym.var("data"), state_size=rec["state_size"],
                     num_layers=rec["num_layers"], mode=rec["mode"],
                     bidirectional=rec["bidirectional"], state_outputs=True, name="r")
    args, outs, aux = sym.infer_shape(data=tuple(rec["data"]))
    assert dict(zip(sym.list_arguments(), [list(a) for a in args], strict=True)) == rec["args"]
    assert [list(o) for o in outs] == rec["outs"]
    assert aux == [] == rec["aux"]
    assert rnn_param_size(rec["mode"], rec["data"][2], rec["state_size"], rec["num_layers"],
                          rec["bidirectional"]) == rec["args"]["r_parameters"][0]


@pytest.mark.parametrize("key", ["sym_lstm_False", "sym_lstm_True", "sym_gru_False",
                                 "sym_gru_True"])
def test_rnn_symbol_json_matches_mxnet(key):
    """Auto-created ``<name>_parameters/_state/_state_cell`` variables, attributes and
    output counts (``output``, ``state_output``, ``statecell_output``) as MXNet's JSON."""
    _, mode, so = key.split("_")
    sym = mx.sym.RNN(mx.sym.var("data"), state_size=3, num_layers=1, mode=mode,
                     state_outputs=so == "True", p=0.5, name="r")
    assert sym.tojson() == REC["json"][key]


def _fused_cell(cfg: dict):
    cell = mx.rnn.FusedRNNCell(cfg["num_hidden"], num_layers=cfg["num_layers"], mode=cfg["mode"],
                               bidirectional=cfg["bidirectional"], dropout=cfg["dropout"],
                               get_next_state=cfg["get_next_state"], prefix=cfg["prefix"])
    return cell


def _unroll(cell, cfg: dict):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        outputs, states = cell.unroll(cfg["length"], mx.sym.var("data"), layout=cfg["layout"],
                                      merge_outputs=cfg["merge_outputs"])
    if isinstance(outputs, list):
        outputs = mx.sym.Group(outputs)
    return mx.sym.Group([outputs] + list(states))


@pytest.mark.parametrize("i", range(len(REC["fused"])))
def test_fused_rnn_cell_unroll_json_and_outputs_match_mxnet(i):
    """FusedRNNCell.unroll builds MXNet's graph byte for byte (one RNN op ``<prefix>rnn``,
    begin states ``zeros((L*D, 0, H))``, swapaxes for NTC, LNC state layout) and computes
    MXNet's outputs (batch size of the begin states inferred from the data) and gradients."""
    cfg = REC["fused"][i]
    group = _unroll(_fused_cell(cfg), cfg)
    assert group.tojson() == REC["json"][f"fused_{i}"]
    assert group.list_arguments() == cfg["arguments"]
    assert group.list_outputs() == cfg["outputs"]
    ex = group.simple_bind(mx.cpu(), data=tuple(cfg["data"]))
    for nm in group.list_arguments():
        ex.arg_dict[nm][:] = ARR[f"fused_{i}:in:{nm}"]
    for j, o in enumerate(ex.forward(is_train=False)):
        np.testing.assert_allclose(o.asnumpy(), ARR[f"fused_{i}:out:{j}"], rtol=1e-5,
                                   atol=1e-6)
    if cfg["dropout"] > 0:
        return
    ex = group.simple_bind(mx.cpu(), data=tuple(cfg["data"]), grad_req="write")
    for nm in group.list_arguments():
        ex.arg_dict[nm][:] = ARR[f"fused_{i}:in:{nm}"]
    outs = ex.forward(is_train=True)
    ex.backward([mx.nd.array(ARR[f"fused_{i}:head:{j}"]) for j in range(len(outs))])
    for nm in group.list_arguments():
        np.testing.assert_allclose(ex.grad_dict[nm].asnumpy(), ARR[f"fused_{i}:grad:{nm}"],
                                   rtol=1e-5, atol=1e-6, err_msg=nm)


def test_fused_rnn_cell_ntc_layout_warns_like_mxnet():
    cell = mx.rnn.FusedRNNCell(3, mode="gru")
    with pytest.warns(UserWarning, match="NTC layout detected"):
        cell.unroll(2, mx.sym.var("data"), layout="NTC")


@pytest.mark.parametrize("mode,bi", [("lstm", True), ("gru", False), ("rnn_relu", True)])
def test_fused_unroll_equals_unfused_cells_with_unpacked_weights(mode, bi):
    """The fused graph and ``unfuse()``'s stack of cells give the same outputs when the
    per-gate weights are ``unpack_weights`` of the fused vector (and ``pack_weights``
    of those gives the vector back)."""
    length, batch, c, h = 3, 2, 4, 3
    cell = mx.rnn.FusedRNNCell(h, num_layers=2, mode=mode, bidirectional=bi, prefix="f_")
    fused_out, _ = cell.unroll(length, mx.sym.var("data"), layout="TNC", merge_outputs=True)
    stack = cell.unfuse()
    unf_out, _ = stack.unroll(length, mx.sym.var("data"), layout="TNC", merge_outputs=True)
    rng = np.random.RandomState(3)
    data = rng.uniform(-1, 1, (length, batch, c)).astype(np.float32)
    ex = fused_out.simple_bind(mx.cpu(), data=data.shape)
    flat = rng.uniform(-0.5, 0.5, ex.arg_dict["f_parameters"].shape).astype(np.float32)
    ex.arg_dict["f_parameters"][:] = flat
    ex.arg_dict["data"][:] = data
    want = ex.forward()[0].asnumpy()

    unpacked = cell.unpack_weights({"f_parameters": mx.nd.array(flat)})
    args = stack.pack_weights(unpacked)
    ex2 = unf_out.simple_bind(mx.cpu(), data=data.shape)
    for nm in unf_out.list_arguments():
        ex2.arg_dict[nm][:] = data if nm == "data" else args[nm]
    np.testing.assert_allclose(ex2.forward()[0].asnumpy(), want, rtol=1e-5, atol=1e-6)
    back = cell.pack_weights(stack.unpack_weights(args))
    np.testing.assert_array_equal(back["f_parameters"].asnumpy(), flat)


def test_rnn_dropout_only_in_training_and_only_between_layers():
    """p>0: the shapes are unchanged; inference is deterministic and equals p=0;
    training drops (scaled 1/(1-p)) the outputs of every layer but the last."""
    rng = np.random.RandomState(0)
    vals = {"data": rng.uniform(-1, 1, (4, 3, 2)).astype(np.float32)}
    outs = {}
    for p in (0.0, 0.5):
        sym = mx.sym.RNN(mx.sym.var("data"), state_size=6, num_layers=2, mode="gru", p=p,
                         name="r")
        ex = sym.simple_bind(mx.cpu(), data=(4, 3, 2))
        if "params" not in vals:
            vals["params"] = rng.uniform(-1, 1, ex.arg_dict["r_parameters"].shape)
        ex.arg_dict["data"][:] = vals["data"]
        ex.arg_dict["r_parameters"][:] = vals["params"]
        ex.arg_dict["r_state"][:] = 0
        outs[p, "eval"] = [ex.forward(is_train=False)[0].asnumpy() for _ in range(2)]
        outs[p, "train"] = ex.forward(is_train=True)[0].asnumpy()
    assert outs[0.5, "train"].shape == (4, 3, 6)
    np.testing.assert_array_equal(outs[0.5, "eval"][0], outs[0.5, "eval"][1])
    np.testing.assert_allclose(outs[0.5, "eval"][0], outs[0.0, "eval"][0], rtol=1e-6)
    np.testing.assert_allclose(outs[0.0, "train"], outs[0.0, "eval"][0], rtol=1e-6)
    assert np.abs(outs[0.5, "train"] - outs[0.5, "eval"][0]).max() > 1e-3
    one = mx.nd.RNN(mx.nd.array(vals["data"]), mx.nd.ones((rnn_param_size("gru", 2, 6, 1,
                                                                          False),)) * 0.1,
                    mx.nd.zeros((1, 3, 6)), state_size=6, num_layers=1, mode="gru", p=0.5)
    ref = mx.nd.RNN(mx.nd.array(vals["data"]), mx.nd.ones((rnn_param_size("gru", 2, 6, 1,
                                                                          False),)) * 0.1,
                    mx.nd.zeros((1, 3, 6)), state_size=6, num_layers=1, mode="gru")
    np.testing.assert_array_equal(one.asnumpy(), ref.asnumpy())


def _np_lstm(x, flat, h0, c0, h, clip):
    """Reference single-layer LSTM in numpy (gates i, f, g, o; cell state clipped)."""
    c_in = x.shape[2]
    g4 = 4 * h
    wx = flat[:g4 * c_in].reshape(g4, c_in)
    wh = flat[g4 * c_in:g4 * (c_in + h)].reshape(g4, h)
    bx, bh = flat[g4 * (c_in + h):g4 * (c_in + h + 1)], flat[g4 * (c_in + h + 1):]
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    hs, hc, cc = [], h0, c0
    for t in range(x.shape[0]):
        i, f, g, o = np.split(x[t] @ wx.T + bx + hc @ wh.T + bh, 4, axis=-1)
        cc = np.clip(sig(f) * cc + sig(i) * np.tanh(g), *clip)
        hc = sig(o) * np.tanh(cc)
        hs.append(hc)
    return np.stack(hs), hc, cc


def test_rnn_lstm_state_clip_clips_the_cell_state_every_step():
    """lstm_state_clip_min/max clip c_t before h_t = o * tanh(c_t) (MXNet's cuDNN
    behaviour; MXNet's CPU backend ignores the attributes)."""
    rng = np.random.RandomState(5)
    x = rng.uniform(-2, 2, (4, 2, 3)).astype(np.float32)
    flat = rng.uniform(-1, 1, (rnn_param_size("lstm", 3, 4, 1, False),)).astype(np.float32)
    h0, c0 = (rng.uniform(-1, 1, (1, 2, 4)).astype(np.float32) for _ in range(2))
    out, hy, cy = mx.nd.RNN(mx.nd.array(x), mx.nd.array(flat), mx.nd.array(h0),
                            mx.nd.array(c0), state_size=4, num_layers=1, mode="lstm",
                            state_outputs=True, lstm_state_clip_min=-0.2,
                            lstm_state_clip_max=0.3)
    ref_out, ref_h, ref_c = _np_lstm(x, flat, h0[0], c0[0], 4, (-0.2, 0.3))
    np.testing.assert_allclose(out.asnumpy(), ref_out, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(hy.asnumpy()[0], ref_h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cy.asnumpy()[0], ref_c, rtol=1e-5, atol=1e-6)
    assert cy.asnumpy().min() >= -0.2 and cy.asnumpy().max() <= 0.3
    cyv = cy.asnumpy()
    assert (np.isclose(cyv, -0.2) | np.isclose(cyv, 0.3)).any()  # the clip was active


def test_rnn_wrong_parameter_vector_size_is_a_clear_error():
    with pytest.raises(MXNetError, match="parameters has 10 elements, expected 220"):
        mx.nd.RNN(mx.nd.zeros((3, 2, 4)), mx.nd.zeros((10,)), mx.nd.zeros((1, 2, 5)),
                  mx.nd.zeros((1, 2, 5)), state_size=5, num_layers=1, mode="lstm")
    sym = mx.sym.RNN(mx.sym.var("data"), mx.sym.var("w"), state_size=5, num_layers=1,
                     mode="rnn_tanh", name="r")
    with pytest.raises(MXNetError, match="parameters has 7 elements, expected 55"):
        sym.infer_shape(data=(3, 2, 4), w=(7,))


def test_rnn_bad_state_shape_and_data_rank_are_clear_errors():
    with pytest.raises(MXNetError, match=r"state has shape \(2, 2, 5\), expected \(1, 2, 5\)"):
        mx.nd.RNN(mx.nd.zeros((3, 2, 4)), mx.nd.zeros((55,)), mx.nd.zeros((2, 2, 5)),
                  state_size=5, num_layers=1, mode="rnn_tanh")
    sym = mx.sym.RNN(mx.sym.var("data"), state_size=5, num_layers=1, mode="gru", name="r")
    with pytest.raises(MXNetError, match="data must be 3-D"):
        sym.infer_shape(data=(3, 4))


def test_rnn_unknown_mode_and_unsupported_features_are_refused():
    with pytest.raises(MXNetError, match="mode"):
        mx.sym.RNN(mx.sym.var("data"), state_size=5, num_layers=1, mode="lstmx")
    with pytest.raises(MXNetError, match="projection_size"):
        mx.sym.RNN(mx.sym.var("data"), state_size=5, num_layers=1, mode="lstm",
                   projection_size=3)
    with pytest.raises(MXNetError, match="use_sequence_length"):
        mx.sym.RNN(mx.sym.var("data"), state_size=5, num_layers=1, mode="lstm",
                   use_sequence_length=True)
    with pytest.raises(MXNetError, match="lstm_state_clip_min and lstm_state_clip_max"):
        mx.sym.RNN(mx.sym.var("data"), state_size=5, num_layers=1, mode="lstm",
                   lstm_state_clip_min=-1.0)
    with pytest.raises(MXNetError, match="required attribute 'state_size'"):
        mx.sym.RNN(mx.sym.var("data"), num_layers=1, mode="lstm")
