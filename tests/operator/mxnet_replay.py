"""Replay the operator cases recorded from real MXNet 1.9.1 (``record_mxnet_ops.py``) in mxjax.

For one case: the symbol built with ``mx.sym`` serialises to MXNet's JSON byte
for byte (attribute strings, auto-created variables and their attrs, hidden
outputs in ``node_row_ptr``); MXNet's JSON loads (so omitted attributes take
MXNet's defaults) and gives MXNet's argument / auxiliary / output names, shapes
and dtypes; bound and fed MXNet's inputs, the forward outputs in each recorded
mode, the gradients for MXNet's head gradients and the auxiliary states after
backward all match MXNet within the fixtures' float32 tolerance.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
from op_cases import CASES, ERROR_CASES, Case, case_by_id

import mxjax as mx

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@functools.cache
def meta() -> dict:
    return json.loads((FIXTURES / "mxnet_ops.json").read_text())


@functools.cache
def arrays() -> dict[str, np.ndarray]:
    with np.load(FIXTURES / "mxnet_ops.npz") as z:
        return {k: z[k] for k in z.files}


def case_ids(*ops: str) -> list[str]:
    """Recorded cases of the given ops (structure and, where MXNet ran them, numbers)."""
    return [c.id for c in CASES if c.op in ops and "error" not in meta()[c.id]]


def run_ids(*ops: str) -> list[str]:
    """Recorded cases of the given ops with MXNet's numbers."""
    return [c for c in case_ids(*ops) if case_by_id(c).run]


def error_case_ids(*ops: str) -> list[str]:
    return [c.id for c in ERROR_CASES if c.op in ops]


def build(case: Case):
    """The case's symbol built with mxjax's ``mx.sym`` exactly as the recorder built it."""
    kw = {k: mx.sym.var(k) for k in case.kw}
    pos = [mx.sym.var(n) for n, _ in case.pos]
    return getattr(mx.sym, case.op)(*pos, name="op", **kw, **case.attrs)


def assert_close(got, ref, what: str, tol: float = 1.0) -> None:
    """|got - ref| <= tol * (1e-5 + 1e-4 |ref|), the fixtures README's float32 tolerance."""
    got = np.asarray(got)
    ref = np.asarray(ref)
    assert got.shape == ref.shape, f"{what}: shape {got.shape} != MXNet's {ref.shape}"
    if ref.dtype.kind in "iub":
        np.testing.assert_array_equal(got, ref, err_msg=what)
        return
    g, r = got.astype(np.float64), ref.astype(np.float64)
    bad = ~(np.abs(g - r) <= tol * (1e-5 + 1e-4 * np.abs(r)))
    assert not bad.any(), (f"{what}: {bad.sum()} of {bad.size} differ from MXNet; max |diff| "
                           f"{np.nanmax(np.abs(g - r)):.3g}\ngot {g.ravel()[:8]}\n"
                           f"ref {r.ravel()[:8]}")


def check_json(cid: str) -> None:
    """mx.sym builds the node MXNet builds: identical ``tojson()``."""
    sym = build(case_by_id(cid))
    assert sym.tojson() == meta()[cid]["json"]


def check_structure(cid: str) -> None:
    """MXNet's JSON loads (omitted attributes take MXNet's defaults), writes back unchanged,
    and gives MXNet's argument / auxiliary / output names, shapes and dtypes."""
    case = case_by_id(cid)
    m = meta()[cid]
    sym = mx.sym.load_json(m["json"])
    assert sym.tojson() == m["json"]
    assert sym.list_arguments() == m["arguments"]
    assert sym.list_auxiliary_states() == m["aux_states"]
    assert sym.list_outputs() == m["outputs"]
    given = {**case.kw, **dict(case.pos)}
    arg_s, out_s, aux_s = sym.infer_shape(**{k: spec[1] for k, spec in given.items()})
    assert [list(s) for s in arg_s] == m["arg_shapes"]
    assert [list(s) for s in out_s] == m["out_shapes"]
    assert [list(s) for s in aux_s] == m["aux_shapes"]
    if "out_types" in m:
        _, out_t, _ = sym.infer_type(**{k: case.dtypes.get(k, "float32") for k in given})
        assert [np.dtype(t).name for t in out_t] == m["out_types"]


def _renamed(cid: str):
    """The case's graph with every node name prefixed by ``cid/`` (to group cases)."""
    doc = json.loads(meta()[cid]["json"])
    for node in doc["nodes"]:
        node["name"] = f"{cid}/{node['name']}"
    return mx.sym.load_json(json.dumps(doc))


def replay(ids: list[str]) -> list[str]:
    """Run the cases through mxjax's Executor and list every mismatch with MXNet.

    Cases with the same modes are grouped into one graph (``Group``), bound once:
    one compiled forward/backward serves them all.
    """
    z = arrays()
    problems: list[str] = []
    groups: dict[tuple, list[str]] = {}
    for cid in ids:
        case = case_by_id(cid)
        groups.setdefault((case.modes, case.grad), []).append(cid)
    for (modes, grad), members in groups.items():
        sym = mx.sym.Group([_renamed(cid) for cid in members])
        args, grads, aux, reqs, heads, spans = {}, {}, {}, {}, [], []
        for cid in members:
            case, m = case_by_id(cid), meta()[cid]
            for n in m["arguments"]:
                v = z[f"{cid}/in/{n}"]
                args[f"{cid}/{n}"] = mx.nd.array(v, dtype=v.dtype)
                write = grad and n not in case.nograd
                reqs[f"{cid}/{n}"] = "write" if write else "null"
                if write:
                    grads[f"{cid}/{n}"] = mx.nd.array(np.zeros(v.shape, np.float32))
            for n in m["aux_states"]:
                aux[f"{cid}/{n}"] = mx.nd.array(z[f"{cid}/in/{n}"])
            nout = len(m["outputs"])
            spans.append((cid, len(heads), nout))
            heads += [mx.nd.array(z[f"{cid}/head/{i}"]) for i in range(nout)]
        exe = sym.bind(mx.cpu(), args, args_grad=grads or None, grad_req=reqs, aux_states=aux)
        for mode in ("eval", "train"):
            if mode not in modes:
                continue
            outs = exe.forward(is_train=(mode == "train"))
            if mode == "train" and grad:
                exe.backward(heads)
            for cid, first, nout in spans:
                case = case_by_id(cid)
                for i in range(nout):
                    if i not in case.skip_out:
                        _compare(problems, outs[first + i].asnumpy(),
                                 z[f"{cid}/{mode}/out/{i}"], f"{cid}: {mode} output {i}",
                                 case.tol)
        if "train" in modes:
            gd, ad = exe.grad_dict, exe.aux_dict
            for cid in members:
                case, m = case_by_id(cid), meta()[cid]
                for n in m["arguments"]:
                    if grad and n not in case.nograd:
                        _compare(problems, gd[f"{cid}/{n}"].asnumpy(),
                                 z[f"{cid}/train/grad/{n}"], f"{cid}: gradient of {n}", case.tol)
                for n in m["aux_states"]:
                    _compare(problems, ad[f"{cid}/{n}"].asnumpy(), z[f"{cid}/train/aux/{n}"],
                             f"{cid}: aux {n} after backward", case.tol)
    return problems


def _compare(problems: list[str], got, ref, what: str, tol: float) -> None:
    try:
        assert_close(got, ref, what, tol)
    except AssertionError as err:
        problems.append(str(err))


def assert_replay(ids: list[str]) -> None:
    assert ids, "no recorded cases selected"
    problems = replay(ids)
    assert not problems, f"{len(problems)} mismatches with MXNet:\n" + "\n".join(problems)


def check_error(cid: str) -> None:
    """MXNet rejected the case when it was built; mxjax raises MXNetError naming op and attr."""
    import pytest

    case = case_by_id(cid)
    m = meta()[cid]
    assert "error" in m, f"MXNet accepted {cid}"
    bad = [case.err_attr] if case.err_attr else [k for k, v in case.attrs.items()
                                                  if str(v) in m["error"]]
    with pytest.raises(mx.MXNetError) as info:
        sym = build(case)
        sym.infer_shape(**{k: s[1] for k, s in {**case.kw, **dict(case.pos)}.items()})
    msg = str(info.value)
    assert case.op in msg, msg
    assert any(k in msg for k in bad), f"{msg!r} does not name the attribute {bad}"
