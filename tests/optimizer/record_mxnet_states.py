"""Record MXNet 1.9.1 Module checkpoints with pickled optimizer states (run by hand):

    $MXJAX_MXNET_PYTHON tests/optimizer/record_mxnet_states.py

For each optimizer case: a small Module trains 2 batches, ``save_checkpoint(prefix, 2,
save_optimizer_states=True)`` writes ``<case>-symbol.json``, ``<case>-0002.params`` and
``<case>-0002.states`` (MXNet's pickle) into ``tests/fixtures/mxnet_states/``; then
``Module.load(prefix, 2, load_optimizer_states=True)`` resumes for 2 more batches and
the parameters after each are stored in ``resume.npz`` (with the batches), so a test can
resume from MXNet's own files and compare.
"""

from __future__ import annotations

import json
from pathlib import Path

import mxnet as mx
import numpy as np

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "mxnet_states"
CASES = {
    "sgd": ("sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01}),
    "adam": ("adam", {"learning_rate": 0.01, "wd": 0.001}),
    "rmsprop": ("rmsprop", {"learning_rate": 0.01, "centered": True}),
}


def network():
    net = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=6, name="fc1")
    net = mx.sym.Activation(net, act_type="tanh", name="tanh1")
    net = mx.sym.FullyConnected(net, num_hidden=3, name="fc2")
    return mx.sym.SoftmaxOutput(net, name="softmax")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.RandomState(7)
    arrays = {}
    for i in range(4):
        arrays[f"x{i}"] = rng.uniform(-1, 1, (4, 5)).astype(np.float32)
        arrays[f"y{i}"] = rng.randint(0, 3, 4).astype(np.float32)
    for k in ("fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias"):
        shape = {"fc1_weight": (6, 5), "fc1_bias": (6,), "fc2_weight": (3, 6),
                 "fc2_bias": (3,)}[k]
        arrays[f"init_{k}"] = rng.uniform(-0.5, 0.5, shape).astype(np.float32)

    def batch(i):
        return mx.io.DataBatch([mx.nd.array(arrays[f"x{i}"])], [mx.nd.array(arrays[f"y{i}"])])

    meta = {}
    for case, (name, params) in CASES.items():
        mod = mx.mod.Module(network())
        mod.bind([("data", (4, 5))], [("softmax_label", (4,))])
        mod.init_params(arg_params={k[5:]: mx.nd.array(v) for k, v in arrays.items()
                                    if k.startswith("init_")})
        mod.init_optimizer(optimizer=name, optimizer_params=params)
        for i in range(2):
            mod.forward_backward(batch(i))
            mod.update()
        prefix = str(OUT / case)
        mod.save_checkpoint(prefix, 2, save_optimizer_states=True)

        resumed = mx.mod.Module.load(prefix, 2, load_optimizer_states=True)
        resumed.bind([("data", (4, 5))], [("softmax_label", (4,))])
        resumed.init_optimizer(optimizer=name, optimizer_params=params)
        for i in (2, 3):
            resumed.forward_backward(batch(i))
            resumed.update()
            for k, v in resumed.get_params()[0].items():
                arrays[f"{case}_after{i}_{k}"] = v.asnumpy()
        meta[case] = {"optimizer": name, "params": params}
    np.savez(OUT / "resume.npz", **arrays)
    (OUT / "cases.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
