"""W2 in PyTorch eager: the tutorial's intermediate loop written as a plain PyTorch loop —
MLP 16-64-26 on UCI letter, batch 32, 16000 rows, 5 epochs of SGD lr 0.1, init
Uniform(0.1), training accuracy accumulated per batch; no validation."""

from __future__ import annotations

import time

T_START = time.perf_counter()

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    args = _common.parser(__doc__.splitlines()[0], epochs=5, rows=16000, mx=False).parse_args(argv)
    if args.quick:
        args.epochs = min(args.epochs, 3)
    t0 = time.perf_counter()
    import _torch_common as tc
    import torch
    import_s = time.perf_counter() - t0

    data, label = _common.letter_data()
    ntrain = min(args.rows, 16000)
    x, y = tc.tensors(data[:ntrain], label[:ntrain])
    batch_size = 32
    epochs: list[float] = []
    tic = time.perf_counter()
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    model = tc.mlp_tutorial()
    tc.init_params(model, "uniform", 0.1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    acc = None
    for _ in range(args.epochs):
        acc = tc.train_epoch(model, opt, x, y, batch_size, gen)
        toc = time.perf_counter()
        epochs.append(toc - tic)
        tic = toc
    res = {"workload": "W2", "system": "torch", "import_s": import_s, "final_train_acc": acc,
           "batches_per_epoch": -(-ntrain // batch_size),
           "versions": _common.versions(tc.versions())}
    res.update(_common.epoch_summary(epochs))
    return _common.emit(args, res, T_START)


if __name__ == "__main__":
    main()
