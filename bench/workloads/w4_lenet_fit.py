"""W4: LeNet (conv 5x5x20, tanh, maxpool 2/2, conv 5x5x50, tanh, maxpool 2/2, flatten,
fc 500 tanh, fc 10, SoftmaxOutput) on 1x28x28 synthetic inputs (10000 rows, fixed seed),
batch 64, ``Module.fit`` without validation, SGD lr 0.1, Xavier init, 3 epochs.

The same user code runs on MXNet and mxjax (``--impl``).
10000 is not a multiple of 64: the last batch is padded (NDArrayIter's default).
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402


def lenet(mx):
    """The classic MXNet LeNet symbol."""
    data = mx.sym.Variable("data")
    net = mx.sym.Convolution(data, name="conv1", kernel=(5, 5), num_filter=20)
    net = mx.sym.Activation(net, name="tanh1", act_type="tanh")
    net = mx.sym.Pooling(net, name="pool1", pool_type="max", kernel=(2, 2), stride=(2, 2))
    net = mx.sym.Convolution(net, name="conv2", kernel=(5, 5), num_filter=50)
    net = mx.sym.Activation(net, name="tanh2", act_type="tanh")
    net = mx.sym.Pooling(net, name="pool2", pool_type="max", kernel=(2, 2), stride=(2, 2))
    net = mx.sym.Flatten(net, name="flatten")
    net = mx.sym.FullyConnected(net, name="fc1", num_hidden=500)
    net = mx.sym.Activation(net, name="tanh3", act_type="tanh")
    net = mx.sym.FullyConnected(net, name="fc2", num_hidden=10)
    return mx.sym.SoftmaxOutput(net, name="softmax")


def main(argv: list[str] | None = None) -> dict:
    args = _common.parser(__doc__.splitlines()[0], epochs=3, rows=10000).parse_args(argv)
    if args.quick:
        args.epochs, args.rows = min(args.epochs, 2), min(args.rows, 1280)
    t0 = time.perf_counter()
    mx = _common.import_mx(args.impl)
    import_s = time.perf_counter() - t0

    batch_size = 64
    x, y = _common.synthetic(args.rows, (1, 28, 28), 10, args.seed)
    train_iter = mx.io.NDArrayIter(x, y, batch_size, shuffle=True, label_name="softmax_label")
    mod = mx.mod.Module(symbol=lenet(mx), context=mx.cpu())

    res = {"workload": "W4", "system": args.impl, "import_s": import_s,
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
