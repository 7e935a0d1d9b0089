"""W4 in PyTorch eager: LeNet (conv 5x5x20, tanh, maxpool, conv 5x5x50, tanh, maxpool, fc 500
tanh, fc 10) on 1x28x28 synthetic inputs (the same fixed-seed data as the mx script),
batch 64, 10000 rows, 3 epochs of SGD lr 0.1, Xavier init, no validation."""

from __future__ import annotations

import time

T_START = time.perf_counter()

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    args = _common.parser(__doc__.splitlines()[0], epochs=3, rows=10000, mx=False).parse_args(argv)
    if args.quick:
        args.epochs, args.rows = min(args.epochs, 2), min(args.rows, 1280)
    t0 = time.perf_counter()
    import _torch_common as tc
    import_s = time.perf_counter() - t0

    x, y = tc.tensors(*_common.synthetic(args.rows, (1, 28, 28), 10, args.seed))
    batch_size = 64
    epochs, acc = tc.timed_fit(tc.lenet, x, y, batch_size, args.epochs, args.seed)
    res = {"workload": "W4", "system": "torch", "import_s": import_s, "final_train_acc": acc,
           "batches_per_epoch": -(-args.rows // batch_size),
           "versions": _common.versions(tc.versions())}
    res.update(_common.epoch_summary(epochs))
    if "steady_epoch_s" in res:
        res["samples_per_s"] = args.rows / res["steady_epoch_s"]
    return _common.emit(args, res, T_START)


if __name__ == "__main__":
    main()
