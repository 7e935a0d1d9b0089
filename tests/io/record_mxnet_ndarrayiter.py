"""Record MXNet 1.9.1's NDArrayIter batches into data/ndarrayiter_mxnet.json.

Run with a real MXNet (not needed by the tests):
    $MXJAX_MXNET_PYTHON tests/io/record_mxnet_ndarrayiter.py
Each case iterates 3 epochs (reset between, or hard_reset after epoch 0) over
data = arange(2n).reshape(n, 2), label = arange(n) + 100, after np.random.seed(0),
and stores per batch [data[:, 0], label, pad] (or ['ERR', type, message]).
"""

import json
from pathlib import Path

import mxnet as mx
import numpy as np


def run(n, b, lbh, shuffle, epochs=3, seed=0, hard=False, label=True):
    np.random.seed(seed)
    data = np.arange(n * 2).reshape(n, 2)
    lab = np.arange(n) + 100 if label else None
    it = mx.io.NDArrayIter(data, lab, b, shuffle, last_batch_handle=lbh)
    out = []
    for ep in range(epochs):
        batches = []
        try:
            for batch in it:
                batches.append([batch.data[0].asnumpy()[:, 0].astype(int).tolist(),
                                batch.label[0].asnumpy().astype(int).tolist() if label else None,
                                batch.pad])
        except Exception as e:  # noqa: BLE001 - recorded as MXNet's behaviour
            batches.append(["ERR", type(e).__name__, str(e)[:200]])
        out.append(batches)
        if hard and ep == 0:
            it.hard_reset()
        else:
            it.reset()
    return out


def main():
    cases = []
    for n, b in [(10, 3), (12, 4), (3, 5), (2, 7), (5, 5), (4, 8), (7, 3)]:
        for lbh in ["pad", "discard", "roll_over"]:
            for sh in [False, True]:
                cases.append(dict(n=n, B=b, lbh=lbh, shuffle=sh, out=run(n, b, lbh, sh)))
    cases.append(dict(n=10, B=3, lbh="roll_over", shuffle=True, hard=True,
                      out=run(10, 3, "roll_over", True, hard=True)))
    cases.append(dict(n=10, B=4, lbh="pad", shuffle=True, label=False,
                      out=run(10, 4, "pad", True, label=False)))
    dest = Path(__file__).with_name("data") / "ndarrayiter_mxnet.json"
    dest.write_text(json.dumps(cases))


if __name__ == "__main__":
    main()
