"""W3 in PyTorch eager: wide MLP 784-1024-1024-10 (relu), batch 128, 10000 synthetic rows
(the same fixed-seed data as the mx script), 4 epochs of SGD lr 0.1, Xavier init, no
validation."""

from __future__ import annotations

import time

T_START = time.perf_counter()

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    args = _common.parser(__doc__.splitlines()[0], epochs=4, rows=10000, mx=False).parse_args(argv)
    if args.quick:
        args.epochs, args.rows = min(args.epochs, 2), min(args.rows, 2560)
    t0 = time.perf_counter()
    import _torch_common as tc
    import_s = time.perf_counter() - t0

    x, y = tc.tensors(*_common.synthetic(args.rows, (784,), 10, args.seed))
    batch_size = 128
    epochs, acc = tc.timed_fit(tc.wide_mlp, x, y, batch_size, args.epochs, args.seed)
    res = {"workload": "W3", "system": "torch", "import_s": import_s, "final_train_acc": acc,
           "batches_per_epoch": -(-args.rows // batch_size),
           "versions": _common.versions(tc.versions())}
    res.update(_common.epoch_summary(epochs))
    if "steady_epoch_s" in res:
        res["samples_per_s"] = args.rows / res["steady_epoch_s"]
    return _common.emit(args, res, T_START)


if __name__ == "__main__":
    main()
