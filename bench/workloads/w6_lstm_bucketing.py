"""W6: MXNet's ``example/rnn/bucketing`` (lstm_bucketing.py): a 2-layer LSTM language model
(embed 64, hidden 128, vocabulary 400) trained with ``BucketingModule.fit`` on
``mx.rnn.BucketSentenceIter`` batches (buckets 10/20/30, batch 32), SGD, Perplexity,
Xavier(factor_type='in', magnitude=2.34) — on 1600 synthetic sentences (fixed seed), 3
epochs.

The same user code runs on MXNet and mxjax (``--impl``). Each bucket is its own compiled
program in mxjax (cached on disk), so the first epoch carries one compilation per bucket.
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import random  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

VOCAB, EMBED, HIDDEN, LAYERS, BATCH = 400, 64, 128, 2, 32
BUCKETS = [10, 20, 30]


def sentences(rows: int, seed: int, longest: int) -> list[list[int]]:
    """Token ids 1..VOCAB-1 (0 is the invalid label), lengths 4..longest."""
    rng = np.random.RandomState(seed)
    return [list(rng.randint(1, VOCAB, rng.randint(4, longest + 1))) for _ in range(rows)]


def main(argv: list[str] | None = None) -> dict:
    ap = _common.parser(__doc__.splitlines()[0], epochs=3, rows=1600)
    ap.add_argument("--buckets", default=",".join(map(str, BUCKETS)),
                    help="comma list of bucket lengths (the smoke test uses one short one)")
    args = ap.parse_args(argv)
    buckets = [int(b) for b in args.buckets.split(",")]
    if args.quick:
        args.epochs, args.rows = min(args.epochs, 2), min(args.rows, 320)
    t0 = time.perf_counter()
    mx = _common.import_mx(args.impl)
    import_s = time.perf_counter() - t0

    random.seed(args.seed)  # BucketSentenceIter shuffles with random and numpy.random
    np.random.seed(args.seed)
    mx.random.seed(args.seed)
    train = mx.rnn.BucketSentenceIter(sentences(args.rows, args.seed, max(buckets)), BATCH,
                                      buckets=buckets, invalid_label=0)
    stack = mx.rnn.SequentialRNNCell()
    for i in range(LAYERS):
        stack.add(mx.rnn.LSTMCell(num_hidden=HIDDEN, prefix=f"lstm_l{i}_"))

    def sym_gen(seq_len):
        data = mx.sym.Variable("data")
        label = mx.sym.Variable("softmax_label")
        embed = mx.sym.Embedding(data=data, input_dim=VOCAB, output_dim=EMBED, name="embed")
        stack.reset()
        outputs, _ = stack.unroll(seq_len, inputs=embed, merge_outputs=True)
        pred = mx.sym.Reshape(outputs, shape=(-1, HIDDEN))
        pred = mx.sym.FullyConnected(data=pred, num_hidden=VOCAB, name="pred")
        label = mx.sym.Reshape(label, shape=(-1,))
        pred = mx.sym.SoftmaxOutput(data=pred, label=label, name="softmax")
        return pred, ("data",), ("softmax_label",)

    mod = mx.mod.BucketingModule(sym_gen=sym_gen, default_bucket_key=train.default_bucket_key,
                                 context=mx.cpu())
    metric = mx.metric.Perplexity(0)
    marks: list[float] = []

    def on_epoch_end(epoch, sym, arg, aux):
        mx.nd.waitall()
        marks.append(time.perf_counter())

    t_fit = time.perf_counter()
    mod.fit(train, eval_metric=metric, optimizer="sgd", num_epoch=args.epochs,
            optimizer_params={"learning_rate": 0.01, "momentum": 0.0, "wd": 0.00001},
            initializer=mx.init.Xavier(factor_type="in", magnitude=2.34),
            epoch_end_callback=on_epoch_end)
    res = {"workload": "W6", "system": args.impl, "import_s": import_s,
           "batches_per_epoch": len(train.idx),
           "versions": _common.mx_versions(mx, args.impl),
           "fit_s": time.perf_counter() - t_fit,
           "final_train_perplexity": float(metric.get()[1])}
    res.update(_common.epoch_summary([b - a for a, b in zip([t_fit] + marks[:-1], marks,
                                                             strict=True)]))
    return _common.emit(args, res, T_START)


if __name__ == "__main__":
    main()
