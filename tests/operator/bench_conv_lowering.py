"""Benchmark the two Convolution lowerings (not a test; run by hand)::

    .venv/bin/python tests/operator/bench_conv_lowering.py [repeats]

For LeNet's two convolutions (batch 64) and for the whole LeNet graph (mxjax's
GraphProgram, SoftmaxOutput head), times forward+backward as one jitted call and
as the body of a 10-step ``lax.scan`` (plain SGD on the weights), with
``MXJAX_CONV_IMPL`` = xla (``lax.conv_general_dilated``) and im2col.
Prints milliseconds per step (median of the repeats).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

sys.path.insert(0, str(Path(__file__).resolve().parent))

import mxjax as mx  # noqa: E402
from mxjax.executor import GraphProgram  # noqa: E402
from mxjax.operator import conv as conv_mod  # noqa: E402

STEPS = 10


def _time(fn, args, repeats: int) -> float:
    jax.block_until_ready(fn(*args))
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        jax.block_until_ready(fn(*args))
        runs.append(time.perf_counter() - t)
    return statistics.median(runs) * 1e3


def bench_layer(xs, ws, impl: str, repeats: int) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.standard_normal(xs), jnp.float32)
    w = jnp.asarray(rng.standard_normal(ws), jnp.float32)
    nd = len(ws) - 2
    probe = jnp.asarray(rng.standard_normal(
        jax.eval_shape(lambda: conv_mod.conv_nd(x, w, (1,) * nd, (1,) * nd, [(0, 0)] * nd, 1,
                                                "xla")).shape), jnp.float32)

    def loss(x, w):
        return jnp.vdot(conv_mod.conv_nd(x, w, (1,) * nd, (1,) * nd, [(0, 0)] * nd, 1, impl),
                        probe)

    step = jax.jit(jax.value_and_grad(loss, argnums=(0, 1)))

    def scanned(x, w):
        def body(w, _):
            val, (_, gw) = jax.value_and_grad(loss, argnums=(0, 1))(x, w)
            return w - 1e-6 * gw, val
        return lax.scan(body, w, None, length=STEPS)

    return _time(step, (x, w), repeats), _time(jax.jit(scanned), (x, w), repeats) / STEPS


def bench_lenet(impl: str, repeats: int) -> tuple[float, float]:
    os.environ["MXJAX_CONV_IMPL"] = impl
    import netdefs

    with mx.name.NameManager():
        sym, _ = netdefs.build(mx, "lenet")
    shape = (64, 1, 28, 28)
    prog = GraphProgram(sym)
    arg_shapes, _, _ = sym.infer_shape(data=shape, softmax_label=(64,))
    rng = np.random.default_rng(0)
    args = {n: jnp.asarray(rng.standard_normal(s) * 0.05, jnp.float32)
            for n, s in zip(sym.list_arguments(), arg_shapes, strict=True)}
    args["softmax_label"] = jnp.asarray(rng.integers(0, 10, 64), jnp.float32)
    rest = {k: args.pop(k) for k in ("data", "softmax_label")}

    def fb(params):
        _, _, grads = prog.forward_backward(params, rest, {}, None, [None])
        return grads

    def scanned(params):
        def body(p, _):
            g = fb(p)
            return jax.tree_util.tree_map(lambda w, d: w - 0.01 / 64 * d, p, g), None
        return lax.scan(body, params, None, length=STEPS)[0]

    with jax.enable_x64(True):
        one = _time(jax.jit(fb), (args,), repeats)
        many = _time(jax.jit(scanned), (args,), repeats) / STEPS
    return one, many


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    print(f"backend {jax.default_backend()}, {os.cpu_count()} CPUs; ms per step (median)")
    for label, xs, ws in [("conv1 64x1x28x28 * 20x1x5x5", (64, 1, 28, 28), (20, 1, 5, 5)),
                          ("conv2 64x20x12x12 * 50x20x5x5", (64, 20, 12, 12), (50, 20, 5, 5))]:
        for impl in ("xla", "im2col"):
            one, scan = bench_layer(xs, ws, impl, repeats)
            print(f"{label:32s} {impl:7s} fwd+bwd jit {one:7.2f}   in lax.scan {scan:7.2f}")
    for impl in ("xla", "im2col"):
        one, scan = bench_lenet(impl, repeats)
        print(f"{'LeNet batch 64 (GraphProgram)':32s} {impl:7s} fwd+bwd jit {one:7.2f}   "
              f"in lax.scan {scan:7.2f}")


if __name__ == "__main__":
    main()
