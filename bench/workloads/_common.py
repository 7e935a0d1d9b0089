"""Shared plumbing of the benchmark workload scripts (runs under mxjax's, MXNet's and
PyTorch's interpreters, so it needs nothing but the standard library and numpy).

Every workload script is a whole program: the runner starts it in a fresh python, it
trains or predicts, and writes one JSON object of in-process timings to ``--out`` (or
prints it on a line starting ``BENCH_RESULT`` when ``--out`` is not given). Whole-process
time and peak memory are measured by the runner from outside.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]
#: The UCI letter-recognition file MXNet's Module tutorial trains on (shipped with mxjax).
LETTER_DATA = REPO / "src" / "mxjax" / "datasets" / "letter-recognition.data"


def parser(description: str, *, epochs: int, rows: int, mx: bool = True) -> argparse.ArgumentParser:
    """The command line every workload script shares.

    ``--epochs``/``--rows`` override the workload's size (the smoke test uses a few
    batches); ``--quick`` is the runner's sanity size.
    """
    ap = argparse.ArgumentParser(description=description)
    if mx:
        ap.add_argument("--impl", choices=("mxjax", "mxnet"), required=True,
                        help="which library `mx` is: `import mxjax as mx` or `import mxnet as mx`")
    ap.add_argument("--epochs", type=int, default=epochs)
    ap.add_argument("--rows", type=int, default=rows, help="training rows")
    ap.add_argument("--quick", action="store_true", help="small sanity size")
    ap.add_argument("--out", default=None, help="write the JSON result here")
    ap.add_argument("--seed", type=int, default=0)
    return ap


def import_mx(impl: str) -> Any:
    """``import mxnet as mx`` or ``import mxjax as mx`` — the rest of the script is the same."""
    if impl == "mxnet":
        import mxnet as mx
        return mx
    import mxjax as mx

    # The adapter the brief allows while mxjax/__init__.py lacks a namespace.
    for attr, modname in (("mod", "mxjax.module"), ("io", "mxjax.io"),
                          ("metric", "mxjax.metric"), ("init", "mxjax.initializer")):
        if not hasattr(mx, attr):
            import importlib
            setattr(mx, attr, importlib.import_module(modname))
    return mx


def letter_data(path: str | Path = LETTER_DATA) -> tuple[np.ndarray, np.ndarray]:
    """The tutorial's reading of the letter file: 16 features (float64) and a 0..25 label."""
    data = np.genfromtxt(str(path), delimiter=",")[:, 1:]
    with open(path) as f:
        label = np.array([ord(line.split(",")[0]) - ord("A") for line in f])
    return data, label


def synthetic(rows: int, shape: tuple[int, ...], classes: int,
              seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Fixed-seed uniform float32 inputs and integer labels (as float32, MXNet's label type)."""
    rng = np.random.RandomState(seed)
    x = rng.uniform(0.0, 1.0, size=(rows, *shape)).astype(np.float32)
    y = rng.randint(0, classes, size=rows).astype(np.float32)
    return x, y


def epoch_summary(epoch_s: list[float]) -> dict[str, Any]:
    """First epoch (compile included) and steady state (median of the epochs after it)."""
    out: dict[str, Any] = {"epoch_s": epoch_s}
    if epoch_s:
        out["first_epoch_s"] = epoch_s[0]
    if len(epoch_s) > 1:
        out["steady_epoch_s"] = statistics.median(epoch_s[1:])
    return out


def versions(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Interpreter and numpy versions, plus whatever the script adds."""
    v = {"python": platform.python_version(), "numpy": np.__version__}
    v.update(extra or {})
    return v


def mx_versions(mx: Any, impl: str) -> dict[str, str]:
    """Versions that matter for an mx implementation (jax/jaxlib for mxjax)."""
    extra = {impl: getattr(mx, "__version__", "?")}
    if impl == "mxjax":
        import jax
        import jaxlib
        extra.update(jax=jax.__version__, jaxlib=jaxlib.__version__)
    return versions(extra)


def emit(args: argparse.Namespace, result: dict[str, Any], t_start: float) -> dict[str, Any]:
    """Write the result (plus in-script wall time) as JSON; return it."""
    result = dict(result)
    result["script_s"] = time.perf_counter() - t_start
    result.setdefault("env", {k: os.environ[k] for k in ("OMP_NUM_THREADS", "XLA_FLAGS")
                              if k in os.environ})
    text = json.dumps(result)
    if args.out:
        Path(args.out).write_text(text)
    else:
        print("BENCH_RESULT " + text)
    sys.stdout.flush()
    return result


def timed_fit(mx: Any, mod: Any, train_iter: Any, *, num_epoch: int, eval_data: Any = None,
              **fit_kwargs: Any) -> dict[str, Any]:
    """``mod.fit`` with per-epoch wall times taken by MXNet's own callbacks.

    With validation an epoch ends at ``eval_end_callback`` (train + validation); without,
    at ``epoch_end_callback``. The first epoch is counted from just before ``fit``, so it
    holds bind, parameter init and compilation. ``mx.nd.waitall()`` makes each mark wait
    for the work queued so far (MXNet and JAX both run asynchronously).
    """
    marks: list[float] = []
    val_acc: list[float] = []

    def on_eval_end(param: Any) -> None:
        mx.nd.waitall()
        marks.append(time.perf_counter())
        val_acc.append(float(param.eval_metric.get()[1]))

    def on_epoch_end(epoch: int, sym: Any, arg: Any, aux: Any) -> None:
        mx.nd.waitall()
        marks.append(time.perf_counter())

    # With validation, fit reuses a metric object for validation; so the train accuracy is
    # read from a metric object only when there is no validation (eval_metric='acc' either way).
    metric = mx.metric.create("acc") if eval_data is None else "acc"
    if eval_data is not None:
        fit_kwargs["eval_end_callback"] = on_eval_end
    else:
        fit_kwargs["epoch_end_callback"] = on_epoch_end
    t_fit = time.perf_counter()
    mod.fit(train_iter, eval_data=eval_data, eval_metric=metric, num_epoch=num_epoch,
            **fit_kwargs)
    fit_s = time.perf_counter() - t_fit
    res: dict[str, Any] = {"fit_s": fit_s}
    if eval_data is None:
        res["final_train_acc"] = float(metric.get()[1])
    if val_acc:
        res["final_val_acc"] = val_acc[-1]
    res.update(epoch_summary([b - a for a, b in zip([t_fit] + marks[:-1], marks, strict=True)]))
    return res
