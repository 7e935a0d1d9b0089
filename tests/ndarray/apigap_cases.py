"""Cases run identically on MXNet 1.9.1 (recorded by ``record_apigaps.py``) and on mxjax
(``test_ufuncs.py``, ``tests/operator/test_optimizer_ops.py``).

Each case function takes the ``mx`` module and returns ``{key: value}`` where a value is
a numpy array (compared numerically, dtype included) or a JSON-able value (compared
exactly: shapes, symbol JSON, Python scalars).
"""

from __future__ import annotations

import json

import numpy as np


def _a(x) -> np.ndarray:
    return x.asnumpy()


def ufunc_cases(mx) -> dict:
    nd = mx.nd
    out: dict = {}
    x = nd.array([1, 5, -2])
    col = nd.array([[1], [5]])
    row = nd.array([2, 3, 4])
    xi = nd.array([7, -7, 5], dtype="int32")
    names = ["maximum", "minimum", "add", "subtract", "multiply", "divide", "true_divide",
             "power", "modulo", "equal", "not_equal", "greater", "greater_equal", "lesser",
             "lesser_equal", "logical_and", "logical_or", "logical_xor"]
    for n in names:
        f = getattr(nd, n)
        out[f"{n}/arr_scalar"] = _a(f(x, 3))
        out[f"{n}/scalar_arr"] = _a(f(3, x))
        out[f"{n}/broadcast"] = _a(f(col, row))
        out[f"{n}/int_scalar"] = _a(f(xi, 2))
        r = f(4, 3)
        out[f"{n}/scalars"] = [type(r).__name__, float(r)]
    return out


def rounding_cases(mx) -> dict:
    nd = mx.nd
    v = nd.array([-3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 0.49, 2.51, -2.51, -0.2, 7.0])
    a = mx.sym.var("a")
    ex = mx.sym.rint(a).bind(mx.cpu(), {"a": v})
    return {"nd.rint": _a(nd.rint(v)), "NDArray.rint": _a(v.rint()),
            "sym.rint": _a(ex.forward()[0]), "nd.round": _a(nd.round(v)),
            "nd.fix": _a(nd.fix(v))}


def dot_cases(mx) -> dict:
    nd = mx.nd
    a, b = mx.sym.var("a"), mx.sym.var("b")
    out = {
        "dot/1d1d": _a(nd.dot(nd.array([1, 2]), nd.array([3, 4]))),
        "dot/2d1d": _a(nd.dot(nd.array([[1, 2], [3, 4], [5, 6]]), nd.array([1, -1]))),
        "dot/1d2d": _a(nd.dot(nd.array([1, -1, 2]), nd.array([[1, 2], [3, 4], [5, 6]]))),
        "sym.dot/infer_1d1d": [list(s) for s in mx.sym.dot(a, b).infer_shape(a=(2,), b=(2,))[1]],
        "sym.dot/infer_2d1d": [list(s) for s in
                               mx.sym.dot(a, b).infer_shape(a=(3, 2), b=(2,))[1]],
        "sym.dot/infer_tb": [list(s) for s in mx.sym.dot(a, b, transpose_b=True).infer_shape(
            a=(3, 2), b=(4, 2))[1]],
        "batch_dot/4d": list(nd.batch_dot(nd.ones((2, 2, 3, 4)), nd.ones((2, 2, 4, 5))).shape),
        "batch_dot/ta_tb": _a(nd.batch_dot(nd.arange(12).reshape((2, 3, 2)),
                                           nd.arange(12).reshape((2, 2, 3)),
                                           transpose_a=True, transpose_b=True)),
        "sym.batch_dot/infer": [list(s) for s in mx.sym.batch_dot(a, b).infer_shape(
            a=(2, 3, 4), b=(2, 4, 5))[1]],
    }
    ex = mx.sym.dot(a, b).bind(mx.cpu(), {"a": nd.array([1, 2]), "b": nd.array([3, 4])})
    out["sym.dot/exec_1d1d"] = _a(ex.forward()[0])
    return out


def creation_cases(mx) -> dict:
    nd = mx.nd
    x = nd.array([[1, 2, 3], [4, 5, 6]])
    out = {
        "eye/3": _a(nd.eye(3)),
        "eye/2x4k1": _a(nd.eye(2, 4, 1)),
        "eye/3x2k-1_int": _a(nd.eye(3, 2, -1, dtype="int32")),
        "linspace/5": _a(nd.linspace(0, 1, 5)),
        "linspace/noend": _a(nd.linspace(2, 3, 5, endpoint=False)),
        "linspace/f64": _a(nd.linspace(-1, 1, 7, dtype="float64")),
        "cumsum/flat": _a(nd.cumsum(x)),
        "cumsum/ax0": _a(nd.cumsum(x, axis=0)),
        "cumsum/ax1": _a(nd.cumsum(x, axis=1)),
        "cumsum/int": _a(nd.cumsum(nd.array([1, 2, 3], dtype="int32"))),
        "cumsum/dtype": _a(nd.cumsum(x, axis=1, dtype="float64")),
        "slice/fluent": _a(x.slice(begin=(0, 1), end=(2, 3))),
        "slice/step": _a(x.slice(begin=(None, None), end=(None, None), step=(-1, 2))),
    }
    o = nd.zeros((3, 4))
    r = nd.onehot_encode(nd.array([0, 2, 3]), o)
    out["onehot_encode/out"] = _a(o)
    out["onehot_encode/returns_out"] = r is o
    y = nd.ones((2, 2, 2))
    r = y.slice_assign(nd.zeros((1, 1, 2)), (0, 0, None), (1, 1, None), (None, None, None))
    out["slice_assign/self"] = _a(y)
    out["slice_assign/returns_self"] = r is y
    r = y.slice_assign_scalar(5, (1,), (2,), (None,))
    out["slice_assign_scalar/self"] = _a(y)
    out["slice_assign_scalar/returns_self"] = r is y
    z = nd.arange(10)
    z.slice_assign_scalar(-1, (1,), (9,), (3,))
    out["slice_assign_scalar/step"] = _a(z)
    out["writable/default"] = bool(x.writable)
    return out


def symbol_json_cases(mx) -> dict:
    sym = mx.sym
    a, b = sym.var("a"), sym.var("b")
    graphs = {
        "maximum": sym.maximum(a, b), "maximum_scalar": sym.maximum(a, 2),
        "maximum_rscalar": sym.maximum(2.5, a), "minimum": sym.minimum(a, b),
        "minimum_scalar": sym.minimum(a, 2), "pow": sym.pow(a, b), "pow_scalar": sym.pow(a, 3),
        "pow_rscalar": sym.pow(2, a), "power": sym.power(a, b), "hypot": sym.hypot(a, b),
        "hypot_scalar": sym.hypot(a, 3), "eye": sym.eye(3), "eye_full": sym.eye(2, 3, 1,
                                                                                dtype="int32"),
        "linspace": sym.linspace(0, 1, 5), "linspace_noend": sym.linspace(0, 1, 4,
                                                                          endpoint=False),
        "slice": a.slice(begin=(0, None), end=(1, 2)), "cumsum": sym.cumsum(a, axis=1),
    }
    out = {}
    for k, g in graphs.items():
        out[f"json/{k}"] = json.loads(g.tojson())
    out["scalars/maximum"] = sym.maximum(2, 3)
    out["scalars/pow"] = sym.pow(2, 3)
    out["scalars/hypot"] = float(sym.hypot(3, 4))
    x = mx.nd.array([[1, -2], [3, 4]])
    y = mx.nd.array([[2, 2], [-1, 5]])
    for k in ("maximum", "minimum", "pow", "hypot", "maximum_rscalar", "pow_rscalar",
              "hypot_scalar"):
        g = graphs[k]
        args = {"a": x, "b": y} if "b" in g.list_arguments() else {"a": x}
        out[f"exec/{k}"] = _a(g.bind(mx.cpu(), args).forward()[0])
    for k in ("eye", "eye_full", "linspace", "linspace_noend"):
        out[f"exec/{k}"] = _a(graphs[k].bind(mx.cpu(), {}).forward()[0])
    out["exec/slice"] = _a(graphs["slice"].bind(mx.cpu(), {"a": x}).forward()[0])
    out["exec/cumsum"] = _a(graphs["cumsum"].bind(mx.cpu(), {"a": x}).forward()[0])
    return out


# ------------------------------------------------------------------ optimizer ops
_RNG_SEED = 7


def _opt_setup(shape=(3, 4)):
    rng = np.random.RandomState(_RNG_SEED)
    w = rng.randn(*shape).astype(np.float32)
    grads = [rng.randn(*shape).astype(np.float32) * 3 for _ in range(3)]
    return w, grads


#: (op, state names, state init, attrs per step (lr may change), extra) ; states init
#: "zeros", "ones" or "w" (a copy of the weight, for weight32)
OPT_CASES = {
    "sgd": ("sgd_update", [], {"lr": 0.1, "wd": 0.01, "rescale_grad": 0.5}),
    "sgd_clip": ("sgd_update", [], {"lr": 0.1, "clip_gradient": 0.8}),
    "sgd_mom": ("sgd_mom_update", ["zeros"], {"lr": 0.1, "momentum": 0.9, "wd": 0.01}),
    "sgd_mom_clip": ("sgd_mom_update", ["zeros"], {"lr": 0.05, "momentum": 0.5,
                                                   "clip_gradient": 1.0, "rescale_grad": 2.0}),
    "mp_sgd": ("mp_sgd_update", ["w32"], {"lr": 0.1, "wd": 0.01}),
    "mp_sgd_mom": ("mp_sgd_mom_update", ["zeros", "w32"], {"lr": 0.1, "momentum": 0.9,
                                                           "wd": 0.01}),
    "nag": ("nag_mom_update", ["zeros"], {"lr": 0.1, "momentum": 0.9, "wd": 0.01}),
    "nag_clip": ("nag_mom_update", ["zeros"], {"lr": 0.1, "momentum": 0.9,
                                               "clip_gradient": 0.5}),
    "mp_nag": ("mp_nag_mom_update", ["zeros", "w32"], {"lr": 0.1, "momentum": 0.9,
                                                       "wd": 0.01}),
    "adam": ("adam_update", ["zeros", "zeros"], {"lr": 0.01, "wd": 0.01}),
    "adam_clip": ("adam_update", ["zeros", "zeros"], {"lr": 0.01, "beta1": 0.8, "beta2": 0.9,
                                                      "epsilon": 1e-3, "clip_gradient": 1.0,
                                                      "rescale_grad": 0.5}),
    "rmsprop": ("rmsprop_update", ["zeros"], {"lr": 0.01, "wd": 0.01}),
    "rmsprop_clipw": ("rmsprop_update", ["zeros"], {"lr": 0.1, "gamma1": 0.9,
                                                    "clip_weights": 0.5, "clip_gradient": 2.0}),
    "rmspropalex": ("rmspropalex_update", ["zeros", "zeros", "zeros"],
                    {"lr": 0.01, "wd": 0.01}),
    "rmspropalex_clip": ("rmspropalex_update", ["zeros", "zeros", "zeros"],
                         {"lr": 0.01, "gamma1": 0.9, "gamma2": 0.8, "clip_weights": 1.0,
                          "clip_gradient": 2.0}),
    "ftrl": ("ftrl_update", ["zeros", "zeros"], {"lr": 0.1, "wd": 0.01}),
    "ftrl_l1": ("ftrl_update", ["zeros", "zeros"], {"lr": 0.5, "lamda1": 1.0, "beta": 0.5,
                                                    "clip_gradient": 2.5}),
    "signsgd": ("signsgd_update", [], {"lr": 0.1, "wd": 0.01}),
    "signum": ("signum_update", ["zeros"], {"lr": 0.1, "momentum": 0.9, "wd": 0.01,
                                            "wd_lh": 0.05}),
    "ftml": ("ftml_update", ["zeros", "zeros", "zeros"], {"lr": 0.1, "wd": 0.01}),
    "ftml_clip": ("ftml_update", ["zeros", "zeros", "zeros"],
                  {"lr": 0.05, "beta1": 0.5, "clip_grad": 1.0, "rescale_grad": 0.5}),
    "lamb1": ("lamb_update_phase1", ["zeros", "zeros"], {"wd": 0.01}),
    "lamb1_nobias": ("lamb_update_phase1", ["zeros", "zeros"],
                     {"wd": 0.0, "bias_correction": False, "clip_gradient": 1.0}),
}

#: learning rates per step: a changing lr must not be baked into a compiled kernel
_LR_SCALE = [1.0, 0.5, 0.25]


def run_optimizer_case(mx, key: str) -> dict:
    nd = mx.nd
    op, states, attrs = OPT_CASES[key]
    w_np, grads = _opt_setup()
    mp = op.startswith("mp_")
    wdt = "float16" if mp else "float32"
    weight = nd.array(w_np, dtype=wdt)
    st = []
    for s in states:
        if s == "w32":
            st.append(nd.array(weight.asnumpy().astype(np.float32), dtype="float32"))
        else:
            st.append(nd.zeros(w_np.shape, dtype="float32"))
    out = {}
    fn = getattr(nd, op)
    for i, g in enumerate(grads):
        kw = dict(attrs)
        if "lr" in kw:
            kw["lr"] = kw["lr"] * _LR_SCALE[i]
        if op in ("ftml_update", "lamb_update_phase1"):
            kw["t"] = i + 1
        grad = nd.array(g, dtype=wdt)
        if op == "lamb_update_phase1":
            r = fn(weight, grad, *st, **kw)
            out[f"step{i}/g"] = r.asnumpy()
        else:
            r = fn(weight, grad, *st, out=weight, **kw)
            out[f"step{i}/returns_out"] = r is weight
        out[f"step{i}/weight"] = weight.asnumpy()
        for j, s in enumerate(st):
            out[f"step{i}/state{j}"] = s.asnumpy()
    return out


def lamb_phase2_cases(mx) -> dict:
    nd = mx.nd
    w_np, grads = _opt_setup()
    out = {}
    for name, kw in {"plain": {"lr": 0.1}, "lower": {"lr": 0.1, "lower_bound": 5.0},
                     "upper": {"lr": 0.1, "upper_bound": 0.5},
                     "zero_r2": {"lr": 0.1}}.items():
        w = nd.array(w_np)
        g = nd.array(grads[0])
        r1 = nd.array([np.linalg.norm(w_np)])
        r2 = nd.zeros((1,)) if name == "zero_r2" else nd.array([np.linalg.norm(grads[0])])
        res = nd.lamb_update_phase2(w, g, r1, r2, **kw)
        out[f"{name}/result"] = res.asnumpy()
        out[f"{name}/weight_untouched"] = w.asnumpy()
        nd.lamb_update_phase2(w, g, r1, r2, out=w, **kw)
        out[f"{name}/out_weight"] = w.asnumpy()
    # mixed precision phase 1 + 2
    w16 = nd.array(w_np, dtype="float16")
    w32 = nd.array(w16.asnumpy().astype(np.float32))
    mean, var = nd.zeros(w_np.shape), nd.zeros(w_np.shape)
    for i, gr in enumerate(grads[:2]):
        g16 = nd.array(gr, dtype="float16")
        g = nd.mp_lamb_update_phase1(w16, g16, mean, var, w32, t=i + 1, wd=0.01)
        out[f"mp/step{i}/g"] = g.asnumpy()
        out[f"mp/step{i}/mean"] = mean.asnumpy()
        r1 = nd.norm(w32).reshape((1,))
        r2 = nd.norm(g).reshape((1,))
        nd.mp_lamb_update_phase2(w16, g, r1, r2, w32, lr=0.1, out=w16)
        out[f"mp/step{i}/w16"] = w16.asnumpy()
        out[f"mp/step{i}/w32"] = w32.asnumpy()
    # no out=: the result is new, the states still change in place
    w = nd.array(w_np)
    mom = nd.zeros(w_np.shape)
    res = nd.sgd_mom_update(w, nd.array(grads[0]), mom, lr=0.1, momentum=0.9)
    out["noout/result"] = res.asnumpy()
    out["noout/weight"] = w.asnumpy()
    out["noout/mom"] = mom.asnumpy()
    # nag without out=: the momentum's wd term sees the old weight (not the new one)
    w = nd.array(w_np)
    mom = nd.array(grads[1])
    res = nd.nag_mom_update(w, nd.array(grads[0]), mom, lr=0.1, momentum=0.9, wd=0.1)
    out["nag_noout/result"] = res.asnumpy()
    out["nag_noout/weight"] = w.asnumpy()
    out["nag_noout/mom"] = mom.asnumpy()
    # positional attributes after the arrays, in MXNet's declaration order (lr, wd, ...)
    w = nd.array(w_np)
    nd.sgd_update(w, nd.array(grads[0]), 0.1, 0.01, out=w)
    out["positional/sgd"] = w.asnumpy()
    return out


GROUPS = {
    "ufunc": ufunc_cases, "rounding": rounding_cases, "dot": dot_cases,
    "creation": creation_cases, "symbol": symbol_json_cases, "lamb2": lamb_phase2_cases,
}


def all_cases(mx) -> dict:
    out = {}
    for g, fn in GROUPS.items():
        for k, v in fn(mx).items():
            out[f"{g}:{k}"] = v
    for key in OPT_CASES:
        for k, v in run_optimizer_case(mx, key).items():
            out[f"opt_{key}:{k}"] = v
    return out


# ------------------------------------------------------------------ comparison
def load_reference():
    """The recorded MXNet values: (json index, npz arrays)."""
    from pathlib import Path

    fx = Path(__file__).parents[1] / "fixtures"
    index = json.loads((fx / "apigaps_mxnet.json").read_text())
    return index, np.load(fx / "apigaps_mxnet.npz")


def mismatches(prefix: str, got: dict, ref: tuple) -> list[str]:
    """Differences between ``got`` and the MXNet record: dtype and shape exactly, values to
    |got - ref| <= 1e-6 + 1e-5*|ref| (float16: the fp16 resolution), others exactly."""
    index, arrays = ref
    bad = []
    for k, v in got.items():
        entry = index[f"{prefix}:{k}"]
        if "array" in entry:
            r = arrays[entry["array"]]
            if not isinstance(v, np.ndarray) or v.dtype != r.dtype or v.shape != r.shape:
                bad.append(f"{k}: {getattr(v, 'dtype', type(v))} {np.shape(v)} != MXNet's "
                           f"{r.dtype} {r.shape}")
                continue
            tol = 1e-3 if r.dtype == np.float16 else 1e-5
            g64, r64 = v.astype(np.float64), r.astype(np.float64)
            if not np.allclose(g64, r64, rtol=tol, atol=tol / 10, equal_nan=True):
                bad.append(f"{k}: {v.tolist()} != MXNet's {r.tolist()}")
        elif json.loads(json.dumps(v)) != entry["value"]:
            bad.append(f"{k}: {v!r} != MXNet's {entry['value']!r}")
    missing = [k for k in index if k.startswith(prefix + ":") and k[len(prefix) + 1:] not in got]
    bad.extend(f"{k}: not produced" for k in missing)
    return bad
