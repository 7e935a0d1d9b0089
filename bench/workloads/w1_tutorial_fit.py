"""W1: MXNet's Module tutorial — MLP 16-64-26 on UCI letter, batch 32, ``Module.fit`` with
validation every epoch, 8 epochs, SGD lr 0.1, metric 'acc' (the default initializer).

The same user code runs on MXNet and mxjax (``--impl``). An epoch's time is train plus
validation (see ``_common.timed_fit``).
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    args = _common.parser(__doc__.splitlines()[0], epochs=8, rows=16000).parse_args(argv)
    if args.quick:
        args.epochs = min(args.epochs, 3)
    t0 = time.perf_counter()
    mx = _common.import_mx(args.impl)
    import_s = time.perf_counter() - t0

    data, label = _common.letter_data()
    batch_size = 32
    ntrain = min(args.rows, 16000)
    nval = min(4000, ntrain // 4) if args.rows < 16000 else 4000
    train_iter = mx.io.NDArrayIter(data[:ntrain, :], label[:ntrain], batch_size, shuffle=True)
    val_iter = mx.io.NDArrayIter(data[16000:16000 + nval, :], label[16000:16000 + nval],
                                 batch_size)

    net = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(net, name="fc1", num_hidden=64)
    net = mx.sym.Activation(net, name="relu1", act_type="relu")
    net = mx.sym.FullyConnected(net, name="fc2", num_hidden=26)
    net = mx.sym.SoftmaxOutput(net, name="softmax")
    mod = mx.mod.Module(symbol=net, context=mx.cpu(), data_names=["data"],
                        label_names=["softmax_label"])

    res = {"workload": "W1", "system": args.impl, "import_s": import_s,
           "batches_per_epoch": -(-ntrain // batch_size),
           "versions": _common.mx_versions(mx, args.impl)}
    res.update(_common.timed_fit(mx, mod, train_iter, num_epoch=args.epochs, eval_data=val_iter,
                                 optimizer="sgd", optimizer_params={"learning_rate": 0.1}))
    return _common.emit(args, res, T_START)


if __name__ == "__main__":
    main()
