"""W3: wide MLP 784-1024-1024-10 (relu), batch 128, 10000 synthetic rows (fixed seed),
``Module.fit`` without validation, SGD lr 0.1, Xavier init, 4 epochs (compute-bound).

The same user code runs on MXNet and mxjax (``--impl``). ``--devices N`` trains with
``context=[mx.cpu(0), ..., mx.cpu(N-1)]`` (data parallel, issue 8); for mxjax it asks XLA
for N host devices (``--xla_force_host_platform_device_count``) before jax starts.
10000 is not a multiple of 128: the last batch is padded (NDArrayIter's default).
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    ap = _common.parser(__doc__.splitlines()[0], epochs=4, rows=10000)
    ap.add_argument("--devices", type=int, default=1)
    args = ap.parse_args(argv)
    if args.quick:
        args.epochs, args.rows = min(args.epochs, 2), min(args.rows, 2560)
    if args.impl == "mxjax" and args.devices > 1:
        flag = f"--xla_force_host_platform_device_count={args.devices}"
        if flag not in os.environ.get("XLA_FLAGS", ""):
            os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " " + flag).strip()
    t0 = time.perf_counter()
    mx = _common.import_mx(args.impl)
    import_s = time.perf_counter() - t0

    batch_size = 128
    x, y = _common.synthetic(args.rows, (784,), 10, args.seed)
    train_iter = mx.io.NDArrayIter(x, y, batch_size, shuffle=True, label_name="softmax_label")

    net = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(net, name="fc1", num_hidden=1024)
    net = mx.sym.Activation(net, name="relu1", act_type="relu")
    net = mx.sym.FullyConnected(net, name="fc2", num_hidden=1024)
    net = mx.sym.Activation(net, name="relu2", act_type="relu")
    net = mx.sym.FullyConnected(net, name="fc3", num_hidden=10)
    net = mx.sym.SoftmaxOutput(net, name="softmax")
    ctx = [mx.cpu(i) for i in range(args.devices)] if args.devices > 1 else mx.cpu()
    mod = mx.mod.Module(symbol=net, context=ctx)

    res = {"workload": "W3" if args.devices == 1 else f"W3-{args.devices}dev",
           "system": args.impl, "import_s": import_s, "devices": args.devices,
           "batches_per_epoch": -(-args.rows // batch_size),
           "versions": _common.mx_versions(mx, args.impl)}
    res.update(_common.timed_fit(mx, mod, train_iter, num_epoch=args.epochs,
                                 initializer=mx.init.Xavier(), optimizer="sgd",
                                 optimizer_params={"learning_rate": 0.1}))
    if "steady_epoch_s" in res:
        res["samples_per_s"] = args.rows / res["steady_epoch_s"]
    return _common.emit(args, res, T_START)


if __name__ == "__main__":
    main()
