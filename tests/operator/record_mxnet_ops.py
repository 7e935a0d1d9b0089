"""Record real MXNet 1.9.1's behaviour for the cases in ``op_cases.py``.

Run with the MXNet virtualenv (not part of the test suite)::

    $MXJAX_MXNET_PYTHON tests/operator/record_mxnet_ops.py

Writes ``tests/fixtures/mxnet_ops.json`` (per case: symbol JSON, argument /
auxiliary / output names and shapes, output dtypes, or the error MXNet raised)
and ``tests/fixtures/mxnet_ops.npz`` (inputs, head gradients, outputs per mode,
gradients and auxiliary states after backward).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import mxnet as mx  # noqa: E402
from op_cases import CASES, ERROR_CASES, Case  # noqa: E402

OUT = HERE.parent / "fixtures"


def gen(spec: tuple, rng: np.random.Generator) -> np.ndarray:
    """Input values for a spec (see ``op_cases``)."""
    kind, shape, *args = spec
    n = int(np.prod(shape)) if shape else 1
    if kind == "normal":
        x = rng.standard_normal(shape)
    elif kind == "uniform":
        x = rng.uniform(args[0], args[1], shape)
    elif kind == "int":
        x = rng.integers(args[0], args[1], shape)
    elif kind == "distinct":
        x = (rng.permutation(n) - n / 2.0).reshape(shape) * 0.37
    elif kind == "ties":
        x = rng.integers(0, 3, shape)
    elif kind == "distinct_idx":
        flat = rng.choice(int(np.prod(args)), size=shape[1], replace=False)
        x = np.stack(np.unravel_index(flat, args))
    else:
        raise ValueError(kind)
    return np.asarray(x, dtype=np.float32)


def build(case: Case):
    kw = {k: mx.sym.var(k) for k in case.kw}
    pos = [mx.sym.var(n) for n, _ in case.pos]
    fn = getattr(mx.sym, case.op)
    return fn(*pos, name="op", **kw, **case.attrs)


def record(case: Case, arrays: dict, meta: dict) -> None:
    rng = np.random.default_rng(zlib.crc32(case.id.encode()))
    try:
        sym = build(case)
    except Exception as err:  # noqa: BLE001
        meta[case.id] = {"error": str(err).split("\n")[0][:300], "stage": "create"}
        return
    given = {**case.kw, **dict(case.pos)}
    shapes = {k: spec[1] for k, spec in given.items()}
    try:
        arg_shapes, out_shapes, aux_shapes = sym.infer_shape(**shapes)
        _, out_types, _ = sym.infer_type(**{k: case.dtypes.get(k, "float32") for k in given})
    except Exception as err:  # noqa: BLE001
        meta[case.id] = {"error": str(err).split("\n")[0][:300], "stage": "infer_shape"}
        return
    args = sym.list_arguments()
    auxs = sym.list_auxiliary_states()
    m = {
        "json": sym.tojson(),
        "arguments": args,
        "aux_states": auxs,
        "outputs": sym.list_outputs(),
        "arg_shapes": [list(s) for s in arg_shapes],
        "out_shapes": [list(s) for s in out_shapes],
        "aux_shapes": [list(s) for s in aux_shapes],
        "out_types": [np.dtype(t).name for t in out_types],
        "modes": list(case.modes),
    }
    if not case.run:
        meta[case.id] = m
        return
    values = {}
    for name, shape in [*zip(args, arg_shapes, strict=True), *zip(auxs, aux_shapes, strict=True)]:
        if name in given:
            values[name] = gen(given[name], rng).astype(case.dtypes.get(name, "float32"))
        else:
            suffix = name[len("op_"):]
            kind, *rest = case.init.get(suffix, ("normal",))
            if kind == "normal":
                values[name] = (rng.standard_normal(shape) * 0.5).astype(np.float32)
            else:
                values[name] = gen((kind, tuple(shape), *rest), rng)
    for name, v in values.items():
        arrays[f"{case.id}/in/{name}"] = v
    heads = [rng.standard_normal(s).astype(np.float32) for s in out_shapes]
    for i, h in enumerate(heads):
        arrays[f"{case.id}/head/{i}"] = h
    reqs = {n: ("null" if (n in case.nograd or not case.grad) else "write") for n in args}
    try:
        exe = sym.simple_bind(mx.cpu(), grad_req=reqs if case.grad else "null",
                              type_dict=dict(case.dtypes) or None, **shapes)
        for n, a in exe.arg_dict.items():
            a[:] = values[n]
        for n, a in exe.aux_dict.items():
            a[:] = values[n]
        if "eval" in case.modes:
            outs = exe.forward(is_train=False)
            for i, o in enumerate(outs):
                arrays[f"{case.id}/eval/out/{i}"] = o.asnumpy()
        if "train" in case.modes:
            outs = exe.forward(is_train=True)
            for i, o in enumerate(outs):
                arrays[f"{case.id}/train/out/{i}"] = o.asnumpy()
            if case.grad:
                exe.backward([mx.nd.array(h) for h in heads])
                for n, g in exe.grad_dict.items():
                    if g is not None and reqs[n] == "write":
                        arrays[f"{case.id}/train/grad/{n}"] = g.asnumpy()
            for n, a in exe.aux_dict.items():
                arrays[f"{case.id}/train/aux/{n}"] = a.asnumpy()
        mx.nd.waitall()
    except Exception as err:  # noqa: BLE001
        m["error"] = str(err).split("\n")[0][:300]
        m["stage"] = "run"
    meta[case.id] = m


def run_cases(ids: list[str] | None) -> tuple[dict, dict]:
    arrays: dict[str, np.ndarray] = {}
    meta: dict[str, dict] = {}
    for case in CASES + ERROR_CASES:
        if ids is not None and case.id not in ids:
            continue
        record(case, arrays, meta)
        status = meta[case.id].get("error", "ok")
        print(f"{case.id:28s} {status}")
    return arrays, meta


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--only":
        # child process: cases re-run with the oneDNN kernels disabled
        arrays, meta = run_cases(sys.argv[2].split(","))
        np.savez(sys.argv[3] + ".npz", **arrays)
        Path(sys.argv[3] + ".json").write_text(json.dumps(meta))
        return
    arrays, meta = run_cases(None)
    # oneDNN's deconvolution rejects target_shape cases: MXNet's native kernel computes them
    failed = [cid for cid, m in meta.items() if m.get("stage") == "run"]
    if failed:
        with tempfile.TemporaryDirectory() as tmp:
            prefix = str(Path(tmp) / "retry")
            env = {**os.environ, "MXNET_MKLDNN_ENABLED": "0"}
            subprocess.run([sys.executable, __file__, "--only", ",".join(failed), prefix],
                           env=env, check=True)
            with np.load(prefix + ".npz") as z:
                arrays.update({k: z[k] for k in z.files})
            for cid, m in json.loads(Path(prefix + ".json").read_text()).items():
                if "error" not in m:
                    m["note"] = "recorded with MXNET_MKLDNN_ENABLED=0 (oneDNN kernel fails)"
                meta[cid] = m
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "mxnet_ops.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    np.savez_compressed(OUT / "mxnet_ops.npz", **arrays)
    print(f"{len(meta)} cases, {len(arrays)} arrays")


if __name__ == "__main__":
    main()
