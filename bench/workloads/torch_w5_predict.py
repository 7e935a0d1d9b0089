"""W5 in PyTorch eager: inference throughput, softmax outputs over the rows in batches,
merged into one numpy array per pass (what Module.predict + asnumpy returns).
--model mlp: W1's MLP over 20000 letter rows, batch 32, 5 passes; --model lenet: W4's
LeNet over 10000 synthetic rows, batch 64, 3 passes. Samples/s from the passes after the
first."""

from __future__ import annotations

import time

T_START = time.perf_counter()

import statistics  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    ap = _common.parser(__doc__.splitlines()[0], epochs=0, rows=0, mx=False)
    ap.add_argument("--model", choices=("mlp", "lenet"), required=True)
    args = ap.parse_args(argv)
    passes = args.epochs or (5 if args.model == "mlp" else 3)
    if args.quick:
        passes = min(passes, 3)
    t0 = time.perf_counter()
    import _torch_common as tc
    import torch
    import_s = time.perf_counter() - t0

    torch.manual_seed(args.seed)
    if args.model == "mlp":
        batch_size, model = 32, tc.mlp_tutorial()
        rows = args.rows or (4000 if args.quick else 20000)
        data, label = _common.letter_data()
        x, _ = tc.tensors(data[:rows], label[:rows])
    else:
        batch_size, model = 64, tc.lenet()
        rows = args.rows or (1280 if args.quick else 10000)
        x, _ = tc.tensors(*_common.synthetic(rows, (1, 28, 28), 10, args.seed))
    tc.init_params(model, "xavier")
    pass_s: list[float] = []
    for _ in range(passes):
        tic = time.perf_counter()
        out = tc.predict(model, x, batch_size)
        pass_s.append(time.perf_counter() - tic)
    if out.shape[0] != rows:
        raise RuntimeError(f"predict returned {out.shape[0]} rows, expected {rows}")
    res = {"workload": f"W5-{args.model}", "system": "torch", "import_s": import_s,
           "rows": rows, "pass_s": pass_s, "first_pass_s": pass_s[0],
           "versions": _common.versions(tc.versions())}
    if len(pass_s) > 1:
        res["steady_pass_s"] = statistics.median(pass_s[1:])
        res["samples_per_s"] = rows / res["steady_pass_s"]
    return _common.emit(args, res, T_START)


if __name__ == "__main__":
    main()
