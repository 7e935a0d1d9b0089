"""W5: inference throughput — ``Module.predict`` over an ``NDArrayIter``, in samples/s.

``--model mlp``: W1's MLP 16-64-26 over all 20000 UCI letter rows, batch 32, 5 passes.
``--model lenet``: W4's LeNet over 10000 synthetic 1x28x28 rows, batch 64, 3 passes.
The module is bound for inference and initialised (Xavier); no training. A pass is one
``predict`` call plus ``.asnumpy()`` of its merged output; the first pass holds
compilation, samples/s uses the median of the others.

The same user code runs on MXNet and mxjax (``--impl``).
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import statistics  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402
import w4_lenet_fit  # noqa: E402


def mlp(mx):
    """W1's tutorial MLP symbol."""
    net = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(net, name="fc1", num_hidden=64)
    net = mx.sym.Activation(net, name="relu1", act_type="relu")
    net = mx.sym.FullyConnected(net, name="fc2", num_hidden=26)
    return mx.sym.SoftmaxOutput(net, name="softmax")


def main(argv: list[str] | None = None) -> dict:
    ap = _common.parser(__doc__.splitlines()[0], epochs=0, rows=0)
    ap.add_argument("--model", choices=("mlp", "lenet"), required=True)
    args = ap.parse_args(argv)
    passes = args.epochs or (5 if args.model == "mlp" else 3)
    if args.quick:
        passes = min(passes, 3)
    t0 = time.perf_counter()
    mx = _common.import_mx(args.impl)
    import_s = time.perf_counter() - t0

    if args.model == "mlp":
        batch_size, sym = 32, mlp(mx)
        x, y = _common.letter_data()
        rows = args.rows or (4000 if args.quick else 20000)
        x, y = x[:rows], y[:rows]
    else:
        batch_size, sym = 64, w4_lenet_fit.lenet(mx)
        rows = args.rows or (1280 if args.quick else 10000)
        x, y = _common.synthetic(rows, (1, 28, 28), 10, args.seed)
    it = mx.io.NDArrayIter(x, y, batch_size, label_name="softmax_label")

    t_setup = time.perf_counter()
    mod = mx.mod.Module(symbol=sym, context=mx.cpu())
    mod.bind(data_shapes=it.provide_data, label_shapes=it.provide_label, for_training=False)
    mod.init_params(initializer=mx.init.Xavier())
    setup_s = time.perf_counter() - t_setup
    pass_s: list[float] = []
    for _ in range(passes):
        tic = time.perf_counter()
        out = mod.predict(it).asnumpy()
        pass_s.append(time.perf_counter() - tic)
    if out.shape[0] != rows:
        raise RuntimeError(f"predict returned {out.shape[0]} rows, expected {rows}")
    res = {"workload": f"W5-{args.model}", "system": args.impl, "import_s": import_s,
           "setup_s": setup_s, "rows": rows, "pass_s": pass_s, "first_pass_s": pass_s[0],
           "versions": _common.mx_versions(mx, args.impl)}
    if len(pass_s) > 1:
        res["steady_pass_s"] = statistics.median(pass_s[1:])
        res["samples_per_s"] = rows / res["steady_pass_s"]
    return _common.emit(args, res, T_START)


if __name__ == "__main__":
    main()
