"""Run small API cases under MXNet (to record) or mxjax (to check), with one encoding.

A case is ``(name, code)``: Python that uses ``mx``, ``np`` and ``json`` and
leaves its answer in ``r``. It runs inside a fresh ``mx.name.NameManager()`` so
auto names do not depend on other cases. The answer is encoded as JSON
(tuples, NDArrays, numpy types and symbols tagged so that they survive), an
exception as its type name, and the UserWarnings/DeprecationWarnings the case
raised as their category names.

``record_api_cases.py`` runs a case list under the real MXNet 1.9.1 and stores
the encodings; the tests run the same list under mxjax and compare.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np


def encode(r: Any) -> Any:
    """A JSON-able, comparable form of a case's answer."""
    if r is None or isinstance(r, (bool, str)):
        return r
    if isinstance(r, (int, float)):
        return {"float": repr(float(r))} if isinstance(r, float) else r
    if isinstance(r, dict):
        return {"dict": [[encode(k), encode(v)] for k, v in sorted(r.items(), key=lambda kv:
                                                                    str(kv[0]))]}
    if isinstance(r, tuple):
        return {"tuple": [encode(x) for x in r]}
    if isinstance(r, list):
        return [encode(x) for x in r]
    if hasattr(r, "asnumpy"):
        a = r.asnumpy()
        return {"nd": [np.dtype(a.dtype).name, list(a.shape), _values(a)]}
    if isinstance(r, np.ndarray):
        return {"np": [np.dtype(r.dtype).name, list(r.shape), _values(r)]}
    if isinstance(r, type):
        try:
            return {"type": np.dtype(r).name}
        except TypeError:
            return {"type": r.__name__}
    if isinstance(r, np.generic):
        return {"scalar": [np.dtype(type(r)).name, _values(np.asarray(r))]}
    if type(r).__name__ == "Symbol":
        return {"symbol": r.list_outputs()}
    raise TypeError(f"cannot encode {type(r)}")


def _values(a: np.ndarray) -> Any:
    if a.dtype.kind == "f":
        return np.where(np.isfinite(a), a, 0).astype(np.float64).tolist()
    if a.dtype.kind == "b":
        return a.astype(int).tolist()
    return a.tolist()


def run_case(mx: Any, code: str) -> dict:
    """Run one case; {"value": encoding} or {"error": type name}, plus "warnings"."""
    ns = {"mx": mx, "np": np, "json": __import__("json")}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with mx.name.NameManager():
                exec(code, ns)  # the cases are this repository's own code
            out: dict = {"value": encode(ns.get("r"))}
        except Exception as err:  # the exception type is the answer
            out = {"error": type(err).__name__}
    cats = sorted({w.category.__name__ for w in caught
                   if w.category in (UserWarning, DeprecationWarning)})
    if cats:
        out["warnings"] = cats
    return out


def same(got: Any, ref: Any, path: str = "r") -> None:
    """Assert two encodings agree (floats within the fixtures' float32 tolerance)."""
    if isinstance(ref, dict) and ("nd" in ref or "np" in ref):
        kind = "nd" if "nd" in ref else "np"
        assert isinstance(got, dict) and kind in got, f"{path}: {got!r} is not an array"
        (gd, gs, gv), (rd, rs, rv) = got[kind], ref[kind]
        assert (gd, gs) == (rd, rs), f"{path}: {gd}{gs} != MXNet's {rd}{rs}"
        g, e = np.asarray(gv, dtype=np.float64), np.asarray(rv, dtype=np.float64)
        assert np.all(np.abs(g - e) <= 1e-5 + 1e-4 * np.abs(e)), f"{path}: {gv} != {rv}"
        return
    if isinstance(ref, dict) and "float" in ref:
        assert isinstance(got, dict) and "float" in got, f"{path}: {got!r} != {ref!r}"
        g, e = float(got["float"]), float(ref["float"])
        assert g == e or math.isclose(g, e, rel_tol=1e-6), f"{path}: {g} != {e}"
        return
    if isinstance(ref, dict):
        assert isinstance(got, dict) and got.keys() == ref.keys(), f"{path}: {got!r} != {ref!r}"
        for k in ref:
            same(got[k], ref[k], f"{path}.{k}")
        return
    if isinstance(ref, list):
        assert isinstance(got, list) and len(got) == len(ref), f"{path}: {got!r} != {ref!r}"
        for i, (g, e) in enumerate(zip(got, ref, strict=True)):
            same(g, e, f"{path}[{i}]")
        return
    assert got == ref, f"{path}: {got!r} != MXNet's {ref!r}"
