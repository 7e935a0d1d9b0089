"""W2: the Module tutorial's intermediate-level loop — bind, init_params(Uniform(0.1)),
init_optimizer(sgd, lr 0.1), then per batch forward / update_metric / backward / update —
MLP 16-64-26 on UCI letter, batch 32, 16000 rows, 5 epochs (the tutorial's count).

The same user code runs on MXNet and mxjax (``--impl``). An epoch is timed from
``train_iter.reset()`` to after ``metric.get()`` and ``mx.nd.waitall()``.
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    args = _common.parser(__doc__.splitlines()[0], epochs=5, rows=16000).parse_args(argv)
    if args.quick:
        args.epochs = min(args.epochs, 3)
    t0 = time.perf_counter()
    mx = _common.import_mx(args.impl)
    import_s = time.perf_counter() - t0

    data, label = _common.letter_data()
    batch_size = 32
    ntrain = min(args.rows, 16000)
    train_iter = mx.io.NDArrayIter(data[:ntrain, :], label[:ntrain], batch_size, shuffle=True)

    net = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(net, name="fc1", num_hidden=64)
    net = mx.sym.Activation(net, name="relu1", act_type="relu")
    net = mx.sym.FullyConnected(net, name="fc2", num_hidden=26)
    net = mx.sym.SoftmaxOutput(net, name="softmax")

    t_setup = time.perf_counter()
    mod = mx.mod.Module(symbol=net, context=mx.cpu(), data_names=["data"],
                        label_names=["softmax_label"])
    mod.bind(data_shapes=train_iter.provide_data, label_shapes=train_iter.provide_label)
    mod.init_params(initializer=mx.init.Uniform(scale=.1))
    mod.init_optimizer(optimizer="sgd", optimizer_params=(("learning_rate", 0.1),))
    metric = mx.metric.create("acc")
    setup_s = time.perf_counter() - t_setup
    epochs: list[float] = []
    acc = None
    for _ in range(args.epochs):
        tic = time.perf_counter()
        train_iter.reset()
        metric.reset()
        for batch in train_iter:
            mod.forward(batch, is_train=True)
            mod.update_metric(metric, batch.label)
            mod.backward()
            mod.update()
        acc = float(metric.get()[1])
        mx.nd.waitall()
        epochs.append(time.perf_counter() - tic)
    # The first epoch carries bind/init (and compilation), as W1's does inside fit.
    if epochs:
        epochs[0] += setup_s
    res = {"workload": "W2", "system": args.impl, "import_s": import_s, "setup_s": setup_s,
           "final_train_acc": acc, "batches_per_epoch": -(-ntrain // batch_size),
           "versions": _common.mx_versions(mx, args.impl)}
    res.update(_common.epoch_summary(epochs))
    return _common.emit(args, res, T_START)


if __name__ == "__main__":
    main()
