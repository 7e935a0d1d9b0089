"""Record real MXNet 1.9.1's results for every case in ``foundation_cases.py``.

Run with a Python that has mxnet==1.9.1 (see the README's "MXNet reference
environment"):  ``/path/to/mxnet-venv/bin/python tests/operator/record_foundation_ops.py``.
Writes ``tests/fixtures/mxnet_foundation_ops/<case>.json`` (the symbol's JSON) and
``tests/fixtures/mxnet_foundation_ops/refs.npz`` (outputs and gradients).
"""

from __future__ import annotations

import json
import os
import sys

import mxnet as mx
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from foundation_cases import CASES, head_grads, make_inputs, no_grad_inputs  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "mxnet_foundation_ops")


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    refs: dict[str, np.ndarray] = {}
    jsons: dict[str, str] = {}
    for index, (name, op, attrs, inputs) in enumerate(CASES):
        vars_ = [mx.sym.var(n) for n, _, _ in inputs]
        fn = getattr(mx.sym, op, None) or getattr(mx.sym._internal, op)
        sym = fn(*vars_, name="op", **attrs)
        jsons[name] = sym.tojson()
        vals = make_inputs(index, inputs)
        skip = no_grad_inputs(op, inputs)
        grad_req = {n: ("null" if n in skip else "write") for n, _, _ in inputs}
        ex = sym.simple_bind(mx.cpu(), grad_req=grad_req,
                             **{n: s for n, s, _ in inputs})
        for n, v in vals.items():
            ex.arg_dict[n][:] = v
        outs = ex.forward(is_train=False)
        for i, o in enumerate(outs):
            refs[f"{name}/eval/{i}"] = o.asnumpy()
        outs = ex.forward(is_train=True)
        for i, o in enumerate(outs):
            refs[f"{name}/train/{i}"] = o.asnumpy()
        hg = head_grads(index, [o.shape for o in outs])
        float_out = all(o.dtype == np.float32 for o in outs)
        if float_out and any(r == "write" for r in grad_req.values()):
            try:
                ex.backward([mx.nd.array(g) for g in hg])
                for n in grad_req:
                    if grad_req[n] == "write":
                        refs[f"{name}/grad/{n}"] = ex.grad_dict[n].asnumpy()
            except mx.base.MXNetError as err:
                print("no backward for", name, str(err).splitlines()[0])
    np.savez_compressed(os.path.join(OUT, "refs.npz"), **refs)
    with open(os.path.join(OUT, "symbols.json"), "w") as f:
        json.dump(jsons, f, indent=1, sort_keys=True)
    print(f"recorded {len(CASES)} cases, {len(refs)} arrays")


if __name__ == "__main__":
    main()
