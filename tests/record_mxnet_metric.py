"""Record MXNet 1.9.1 metric values into fixtures/metric_mxnet.{npz,json} (for test_metric.py).

Run with a real MXNet (the tests do not need it):
    $MXJAX_MXNET_PYTHON tests/record_mxnet_metric.py
Each case creates a metric with ``mx.metric.create(*args, **kwargs)``, runs the listed
steps (``update`` with the named arrays of the npz, or ``reset_local``) and stores
``get()``, ``get_global()`` and ``get_name_value()`` after every step.
"""

import json
from pathlib import Path

import mxnet as mx
import numpy as np

N = 8
FIXTURES = Path(__file__).with_name("fixtures")


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def make_arrays():
    rng = np.random.RandomState(42)
    arrays = {}

    def put(name, a):
        arrays[name] = np.asarray(a, dtype=np.float32)

    for i in range(4):
        put(f"p5_{i}", softmax(rng.randn(N, 5)))
        put(f"l5_{i}", rng.randint(0, 5, N))
        put(f"p10_{i}", rng.rand(N, 10))
        put(f"l10_{i}", rng.randint(0, 10, N))
        put(f"p2_{i}", softmax(rng.randn(N, 2)))
        put(f"l2_{i}", rng.randint(0, 2, N))
        put(f"r1_{i}", rng.randn(N))
        put(f"r1b_{i}", rng.randn(N, 1))
        put(f"r3_{i}", rng.randn(N, 3))
        put(f"r3b_{i}", rng.randn(N, 3))
        put(f"r1c_{i}", arrays[f"r1_{i}"] * 0.5 + rng.randn(N))
        put(f"idx_{i}", rng.randint(0, 5, N))  # class indices: same shape as the labels
        put(f"lz_{i}", np.where(rng.rand(N) < 0.3, 0, rng.randint(1, 5, N)))
        put(f"p4_{i}", softmax(rng.randn(N, 4)))
        put(f"l6_{i}", rng.randint(0, 6 if i >= 2 else 4, N))
    return arrays


def steps4(labels, preds):
    return [["update", [f"{x}_{i}" for x in labels], [f"{p}_{i}" for p in preds]]
            for i in range(4)]


def with_reset(steps):
    return steps[:2] + [["reset_local"]] + steps[2:]


SCENARIOS = [
    ("acc", ["acc"], {}, with_reset(steps4(["l5", "l5"], ["p5", "p5"]))),
    ("acc_same_shape", ["acc"], {}, steps4(["l5"], ["idx"])),
    ("acc_axis", ["acc"], {"axis": 1}, steps4(["l10"], ["p10"])),
    ("top_k_acc", ["top_k_acc"], {"top_k": 3}, with_reset(steps4(["l10"], ["p10"]))),
    ("f1_macro", ["f1"], {}, with_reset(steps4(["l2", "l2"], ["p2", "p2"]))),
    ("f1_micro", ["f1"], {"average": "micro"}, with_reset(steps4(["l2"], ["p2"]))),
    ("mcc_macro", ["mcc"], {}, with_reset(steps4(["l2"], ["p2"]))),
    ("mcc_micro", ["mcc"], {"average": "micro"}, with_reset(steps4(["l2", "l2"], ["p2", "p2"]))),
    ("perplexity_ignore0", ["perplexity"], {"ignore_label": 0},
     with_reset(steps4(["lz"], ["p5"]))),
    ("perplexity_none", ["perplexity"], {"ignore_label": None},
     steps4(["l5", "l5"], ["p5", "p5"])),
    ("mae", ["mae"], {}, with_reset(steps4(["r1", "r3"], ["r1b", "r3b"]))),
    ("mse", ["mse"], {}, with_reset(steps4(["r1", "r3"], ["r1b", "r3b"]))),
    ("rmse", ["rmse"], {}, with_reset(steps4(["r1", "r3"], ["r1b", "r3b"]))),
    ("ce", ["ce"], {}, with_reset(steps4(["l5"], ["p5"]))),
    ("nll_loss", ["nll_loss"], {}, steps4(["l5", "l5"], ["p5", "p5"])),
    ("pearsonr_macro", ["pearsonr"], {}, with_reset(steps4(["r1", "r3"], ["r1c", "r3b"]))),
    ("pearsonr_micro", ["pearsonr"], {"average": "micro"},
     steps4(["r1", "r3"], ["r1c", "r3b"])),
    ("pcc", ["pcc"], {}, with_reset(steps4(["l6"], ["p4"]))),
    ("loss", ["loss"], {}, with_reset(steps4(["l5"], ["r1b"]))),
    ("composite", [["acc", "ce", "mse"]], {}, with_reset(steps4(["l5"], ["p5"]))),
]


def value(v):
    return [float(x) for x in v] if isinstance(v, list) else float(v)


def main():
    arrays = make_arrays()
    out = []
    for name, args, kwargs, steps in SCENARIOS:
        m = mx.metric.create(*args, **kwargs)
        results = []
        for st in steps:
            if st[0] == "reset_local":
                m.reset_local()
            else:
                m.update([mx.nd.array(arrays[k]) for k in st[1]],
                         [mx.nd.array(arrays[k]) for k in st[2]])
            n, v = m.get()
            gn, gv = m.get_global()
            results.append({"get": [n, value(v)], "get_global": [gn, value(gv)],
                            "name_value": [[a, float(b)] for a, b in m.get_name_value()]})
        out.append({"case": name, "args": args, "kwargs": kwargs, "steps": steps,
                    "results": results})
    np.savez(FIXTURES / "metric_mxnet.npz", **arrays)
    doc = {"made_with": "MXNet 1.9.1 by tests/record_mxnet_metric.py", "cases": out}
    (FIXTURES / "metric_mxnet.json").write_text(json.dumps(doc, indent=1))


if __name__ == "__main__":
    main()
