"""Benchmark the two Convolution lowerings (not a test; run by hand)::

    .venv/bin/python tests/operator/bench_conv_lowering.py [repeats]

For LeNet's two convolutions (batch 64) and for the whole LeNet graph (mxjax's
GraphProgram, SoftmaxOutput head), times forward+backward as one jitted call and
as the body of a 10-step ``lax.scan`` (plain SGD on the weights), with
``MXJAX_CONV_IMPL`` = xla (``lax.conv_general_dilated``) and im2col. The two
lowerings are compiled first and then timed in alternation; the minimum over the
repeats is printed (milliseconds per step), robust to other load on the machine.
"""

from __future__ import annotations

import os
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


def _once(fn, args) -> float:
    t = time.perf_counter()
    jax.block_until_ready(fn(*args))
    return (time.perf_counter() - t) * 1e3


def _race(fns: dict, args: tuple, repeats: int) -> dict[str, float]:
    """Minimum time of each compiled function, timed in alternation."""
    for fn in fns.values():
        jax.block_until_ready(fn(*args))
    runs: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeats):
        for k, fn in fns.items():
            runs[k].append(_once(fn, args))
    return {k: min(v) for k, v in runs.items()}


def layer_fns(xs, ws, impl: str):
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.standard_normal(xs), jnp.float32)
    w = jnp.asarray(rng.standard_normal(ws), jnp.float32)
    nd = len(ws) - 2
    same = ((1,) * nd, (1,) * nd, [(0, 0)] * nd, 1)
    probe = jnp.asarray(rng.standard_normal(
        jax.eval_shape(lambda: conv_mod.conv_nd(x, w, *same, "xla")).shape), jnp.float32)

    def loss(x, w):
        return jnp.vdot(conv_mod.conv_nd(x, w, *same, impl), probe)

    def scanned(x, w):
        def body(w, _):
            val, (_, gw) = jax.value_and_grad(loss, argnums=(0, 1))(x, w)
            return w - 1e-6 * gw, val
        return lax.scan(body, w, None, length=STEPS)

    return (x, w), jax.jit(jax.value_and_grad(loss, argnums=(0, 1))), jax.jit(scanned)


def lenet_fns(impl: str):
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

    with jax.enable_x64(True):  # traced (and compiled) the way the executor runs graphs
        one, many = jax.jit(fb), jax.jit(scanned)
        one.lower(args).compile()
        many.lower(args).compile()
    return (args,), one, many


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    print(f"backend {jax.default_backend()}, {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.1f}; ms per step (min of {repeats}, alternating)")
    work = [("conv1 64x1x28x28 * 20x1x5x5", lambda i: layer_fns((64, 1, 28, 28), (20, 1, 5, 5),
                                                                 i)),
            ("conv2 64x20x12x12 * 50x20x5x5",
             lambda i: layer_fns((64, 20, 12, 12), (50, 20, 5, 5), i)),
            ("LeNet batch 64 (GraphProgram)", lenet_fns)]
    for label, make in work:
        built = {impl: make(impl) for impl in ("xla", "im2col")}
        args = built["xla"][0]
        with jax.enable_x64(True):
            one = _race({k: v[1] for k, v in built.items()}, args, repeats)
            many = _race({k: v[2] for k, v in built.items()}, args, max(repeats // 4, 3))
        for impl in ("xla", "im2col"):
            print(f"{label:32s} {impl:7s} fwd+bwd jit {one[impl]:7.2f}   "
                  f"in lax.scan {many[impl] / STEPS:7.2f}")


if __name__ == "__main__":
    main()
