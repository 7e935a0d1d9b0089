"""Record MXNet 1.9.1's fused ``RNN`` operator into fixtures/rnn_op_mxnet.{json,npz}
(for test_rnn_op.py; the tests do not need MXNet).

Run with a real MXNet:
    /work/mxnet-venv/bin/python tests/operator/record_rnn_op.py

* ``cases``: forward outputs (output, hy, cy) and backward gradients of data,
  parameters, state, state_cell for a random head gradient, for every mode with
  num_layers 1/2 and bidirectional False/True (T=3, N=2, C=4, H=5) (no
  ``lstm_state_clip_*`` case: MXNet's CPU backend ignores those attributes, only its
  cuDNN backend clips);
* ``shapes``: ``infer_shape(data=...)`` of several configurations;
* ``json``: ``tojson()`` of bare RNN symbols and of ``FusedRNNCell.unroll`` graphs;
* ``fused``: outputs of an unrolled FusedRNNCell for fixed inputs and parameters (and,
  without dropout, the gradients for a random head gradient).
"""

import json
from pathlib import Path

import mxnet as mx
import numpy as np

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
T, N, C, H = 3, 2, 4, 5
MODES = ["lstm", "gru", "rnn_tanh", "rnn_relu"]


def run_case(rng, arrays, key, mode, layers, bi, extra=None):
    extra = extra or {}
    sym = mx.sym.RNN(mx.sym.var("data"), state_size=H, num_layers=layers, mode=mode,
                     bidirectional=bi, state_outputs=True, name="rnn", **extra)
    ex = sym.simple_bind(mx.cpu(), data=(T, N, C), grad_req="write")
    names = sym.list_arguments()
    for nm in names:
        arr = ex.arg_dict[nm]
        v = rng.uniform(-0.6, 0.6, arr.shape).astype(np.float32)
        if nm == "data":
            v = rng.uniform(-1.5, 1.5, arr.shape).astype(np.float32)
        arr[:] = v
        arrays[f"{key}:in:{nm.replace('rnn_', '')}"] = v
    outs = ex.forward(is_train=True)
    heads = []
    for i, o in enumerate(outs):
        g = rng.uniform(-1, 1, o.shape).astype(np.float32)
        heads.append(mx.nd.array(g))
        arrays[f"{key}:head:{i}"] = g
        arrays[f"{key}:out:{i}"] = o.asnumpy()
    ex.backward(heads)
    for nm in names:
        arrays[f"{key}:grad:{nm.replace('rnn_', '')}"] = ex.grad_dict[nm].asnumpy()
    return {"mode": mode, "num_layers": layers, "bidirectional": bi, "extra": extra,
            "num_outputs": len(outs)}


def record_shapes():
    configs = [("lstm", 1, False, (7, 3, 6), 4), ("lstm", 3, True, (2, 5, 8), 6),
               ("gru", 2, False, (4, 1, 3), 10), ("gru", 2, True, (1, 2, 1), 2),
               ("rnn_tanh", 1, True, (5, 4, 2), 3), ("rnn_relu", 4, False, (3, 3, 3), 7)]
    out = []
    for mode, layers, bi, dshape, h in configs:
        sym = mx.sym.RNN(mx.sym.var("data"), state_size=h, num_layers=layers, mode=mode,
                         bidirectional=bi, state_outputs=True, name="r")
        args, outs, aux = sym.infer_shape(data=dshape)
        out.append({"mode": mode, "num_layers": layers, "bidirectional": bi, "data": dshape,
                    "state_size": h, "args": dict(zip(sym.list_arguments(), args, strict=True)),
                    "outs": outs, "aux": aux})
    return out


def fused_graph(cfg):
    cell = mx.rnn.FusedRNNCell(cfg["num_hidden"], num_layers=cfg["num_layers"],
                               mode=cfg["mode"], bidirectional=cfg["bidirectional"],
                               dropout=cfg["dropout"], get_next_state=cfg["get_next_state"],
                               prefix=cfg["prefix"])
    data = mx.sym.var("data")
    outputs, states = cell.unroll(cfg["length"], data, layout=cfg["layout"],
                                  merge_outputs=cfg["merge_outputs"])
    if isinstance(outputs, list):
        outputs = mx.sym.Group(outputs)
    return cell, mx.sym.Group([outputs] + list(states))


FUSED = [
    {"num_hidden": 5, "num_layers": 2, "mode": "lstm", "bidirectional": True, "dropout": 0.0,
     "get_next_state": True, "prefix": "lstm_", "length": 3, "layout": "TNC",
     "merge_outputs": True, "data": (3, 2, 4)},
    {"num_hidden": 4, "num_layers": 1, "mode": "gru", "bidirectional": False, "dropout": 0.0,
     "get_next_state": True, "prefix": "g_", "length": 3, "layout": "NTC",
     "merge_outputs": False, "data": (2, 3, 4)},
    {"num_hidden": 3, "num_layers": 3, "mode": "rnn_tanh", "bidirectional": False,
     "dropout": 0.25, "get_next_state": False, "prefix": "rnn_", "length": 2, "layout": "TNC",
     "merge_outputs": None, "data": (2, 2, 4)},
]


def main():
    rng = np.random.RandomState(7)
    arrays = {}
    cases = {}
    for mode in MODES:
        for layers in (1, 2):
            for bi in (False, True):
                key = f"{mode}_l{layers}_{'bi' if bi else 'uni'}"
                cases[key] = run_case(rng, arrays, key, mode, layers, bi)

    graphs = {}
    for so in (False, True):
        for mode in ("lstm", "gru"):
            sym = mx.sym.RNN(mx.sym.var("data"), state_size=3, num_layers=1, mode=mode,
                             state_outputs=so, p=0.5, name="r")
            graphs[f"sym_{mode}_{so}"] = sym.tojson()
    fused = []
    for i, cfg in enumerate(FUSED):
        cell, group = fused_graph(cfg)
        graphs[f"fused_{i}"] = group.tojson()
        ex = group.simple_bind(mx.cpu(), data=cfg["data"])
        for nm in group.list_arguments():
            v = rng.uniform(-0.5, 0.5, ex.arg_dict[nm].shape).astype(np.float32)
            ex.arg_dict[nm][:] = v
            arrays[f"fused_{i}:in:{nm}"] = v
        outs = ex.forward(is_train=False)
        for j, o in enumerate(outs):
            arrays[f"fused_{i}:out:{j}"] = o.asnumpy()
        if cfg["dropout"] == 0:
            ex = group.simple_bind(mx.cpu(), data=cfg["data"], grad_req="write")
            for nm in group.list_arguments():
                ex.arg_dict[nm][:] = arrays[f"fused_{i}:in:{nm}"]
            heads = []
            for j, o in enumerate(ex.forward(is_train=True)):
                g = rng.uniform(-1, 1, o.shape).astype(np.float32)
                arrays[f"fused_{i}:head:{j}"] = g
                heads.append(mx.nd.array(g))
            ex.backward(heads)
            for nm in group.list_arguments():
                arrays[f"fused_{i}:grad:{nm}"] = ex.grad_dict[nm].asnumpy()
        fused.append({**cfg, "arguments": group.list_arguments(),
                      "outputs": group.list_outputs()})

    FIXTURES.mkdir(exist_ok=True)
    np.savez(FIXTURES / "rnn_op_mxnet.npz", **arrays)
    meta = {"mxnet": mx.__version__, "T": T, "N": N, "C": C, "H": H, "cases": cases,
            "shapes": record_shapes(), "json": graphs, "fused": fused}
    (FIXTURES / "rnn_op_mxnet.json").write_text(json.dumps(meta, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
