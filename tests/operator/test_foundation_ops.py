"""The foundation operators against real MXNet 1.9.1, case by case.

For every case in ``foundation_cases.py`` the MXNet recorder stored the symbol
JSON MXNet writes, its forward outputs (eval and train) and the input
gradients for a fixed head gradient. mxjax must write the same JSON byte for
byte (names, attribute strings, auto-created variables), load MXNet's JSON
(attribute defaults filled from the op declarations), and compute the same
numbers within the fixtures' float32 tolerance.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import mxjax as mx

sys.path.insert(0, str(Path(__file__).parent))
from foundation_cases import CASES, head_grads, make_inputs, no_grad_inputs  # noqa: E402

REFS_DIR = Path(__file__).parents[1] / "fixtures" / "mxnet_foundation_ops"
REFS = np.load(REFS_DIR / "refs.npz")
SYMBOLS = json.loads((REFS_DIR / "symbols.json").read_text())


def _close(got, ref, what):
    got = np.asarray(got)
    assert got.shape == ref.shape, f"{what}: shape {got.shape} != {ref.shape}"
    assert got.dtype == ref.dtype, f"{what}: dtype {got.dtype} != {ref.dtype}"
    g = got.astype(np.float64)
    r = ref.astype(np.float64)
    bad = np.abs(g - r) > 1e-5 + 1e-4 * np.abs(r)
    assert not bad.any(), f"{what}: max abs diff {np.max(np.abs(g - r))}\n{got}\n{ref}"


def _build(op, attrs, inputs):
    vars_ = [mx.sym.var(n) for n, _, _ in inputs]
    fn = getattr(mx.sym, op, None) or getattr(mx.sym._internal, op)
    return fn(*vars_, name="op", **attrs)


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c[0] for c in CASES])
def test_op_matches_mxnet(index):
    name, op, attrs, inputs = CASES[index]
    sym = _build(op, attrs, inputs)
    assert sym.tojson() == SYMBOLS[name], "JSON differs from MXNet's"
    loaded = mx.sym.load_json(SYMBOLS[name])
    assert loaded.tojson() == SYMBOLS[name]
    vals = make_inputs(index, inputs)
    skip = no_grad_inputs(op, inputs)
    grad_req = {n: ("null" if n in skip else "write") for n, _, _ in inputs}
    ex = loaded.simple_bind(mx.cpu(), grad_req=grad_req, **{n: s for n, s, _ in inputs})
    for n, v in vals.items():
        ex.arg_dict[n][:] = v
    random_in_training = name == "dropout_eval_default"  # MXNet's mask cannot be reproduced
    for mode in ("eval",) if random_in_training else ("eval", "train"):
        outs = ex.forward(is_train=(mode == "train"))
        for i, o in enumerate(outs):
            _close(o.asnumpy(), REFS[f"{name}/{mode}/{i}"], f"{name} {mode} output {i}")
    grads = [k for k in REFS.files if k.startswith(f"{name}/grad/")]
    if grads and not random_in_training:
        hg = head_grads(index, [o.shape for o in outs])
        ex.backward([mx.nd.array(g) for g in hg])
        for k in grads:
            arg = k.split("/")[-1]
            _close(ex.grad_dict[arg].asnumpy(), REFS[k], f"{name} grad of {arg}")
