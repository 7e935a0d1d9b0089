"""W3 against this machine's matrix-product ceiling: how fast could anything run W3 here?

W3 (MLP 784-1024-1024-10, batch 128, 10000 rows = 79 batches a epoch, the last padded)
is almost all matrix products. This script counts its floating-point work per epoch from
the layer sizes, measures the float32 GEMM rate each library reaches on this machine, for
W3's own eight products and for one large square product, and prints the epoch time that
the products alone would take at each rate: a floor no implementation of W3 goes below
(elementwise work, the optimizer and the loss are not counted, so the real floor is
higher). Next to it, from a run of ``bench/run.py --json``, the epoch times that issue 6's
W3 targets ask for (2.5x MXNet 1.9.1, 1.5x PyTorch eager).

    .venv/bin/python bench/roofline.py --run-json RUN.json [--torch-python PY] [--write-results]

Libraries: XLA (this interpreter's jax, products timed inside one compiled loop, so no
dispatch cost), NumPy's OpenBLAS (this interpreter), and PyTorch's CPU GEMM when
``--torch-python`` names an interpreter that has torch (the script re-runs itself there).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BATCH = 128
ROWS = 10000
LAYERS = (784, 1024, 1024, 10)
BIG = 2048
TARGETS = {"mxnet": 2.5, "torch": 1.5}


def w3_products() -> list[tuple[str, int, int, int]]:
    """Every matrix product of one W3 training step as (what, m, k, n): C(m,n) = A(m,k)·B(k,n).

    Forward x·Wᵀ per layer, the weight gradient gᵀ·x per layer, and the input gradient g·W
    for every layer but the first (the data needs no gradient).
    """
    out = []
    for i, (fan_in, fan_out) in enumerate(zip(LAYERS[:-1], LAYERS[1:], strict=False), start=1):
        out.append((f"fc{i} forward", BATCH, fan_in, fan_out))
        out.append((f"fc{i} weight grad", fan_out, BATCH, fan_in))
        if i > 1:
            out.append((f"fc{i} input grad", BATCH, fan_out, fan_in))
    return out


def flops(m: int, k: int, n: int) -> int:
    return 2 * m * k * n


def batches_per_epoch() -> int:
    return math.ceil(ROWS / BATCH)


def _best_seconds(fn, reps: int) -> float:
    """The fastest of ``reps`` timed calls: a ceiling is what the machine did at its best."""
    fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _gemm_xla(m: int, k: int, n: int, reps: int) -> float:
    """Seconds per product, timed inside one compiled loop of ``reps`` products."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    rng = np.random.default_rng(0)
    a = jnp.asarray(rng.standard_normal((m, k), dtype=np.float32))
    b = jnp.asarray(rng.standard_normal((k, n), dtype=np.float32))

    @jax.jit
    def loop(a, b):
        def body(_, carry):
            scale, acc = carry
            # The operand depends on the carry, so XLA cannot hoist the product out.
            c = jnp.matmul(a * scale, b, precision=jax.lax.Precision.HIGHEST)
            return scale * 0.999 + c[0, 0] * 1e-30, acc + c[-1, -1]
        return jax.lax.fori_loop(0, reps, body, (jnp.float32(1.0), jnp.float32(0.0)))

    return _best_seconds(lambda: jax.block_until_ready(loop(a, b)), 5) / reps


def _gemm_numpy(m: int, k: int, n: int, reps: int) -> float:
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    c = np.empty((m, n), np.float32)
    return _best_seconds(lambda: np.matmul(a, b, out=c), reps)


def _gemm_torch(m: int, k: int, n: int, reps: int) -> float:
    import torch

    a, b = torch.randn(m, k), torch.randn(k, n)
    c = torch.empty(m, n)
    return _best_seconds(lambda: torch.matmul(a, b, out=c), reps)


GEMMS = {"xla": _gemm_xla, "numpy": _gemm_numpy, "torch": _gemm_torch}


def measure(library: str, reps: int) -> dict:
    """GEMM rates of one library: W3's products and the large square one."""
    gemm = GEMMS[library]
    shapes = [(what, m, k, n) for what, m, k, n in w3_products()]
    shapes.append((f"square {BIG}", BIG, BIG, BIG))
    rows = []
    for what, m, k, n in shapes:
        s = gemm(m, k, n, reps if m * k * n < BIG ** 3 else max(3, reps // 10))
        rows.append({"what": what, "m": m, "k": k, "n": n, "s": s,
                     "gflops": flops(m, k, n) / s / 1e9})
    return {"library": library, "versions": _versions(library), "rows": rows}


def _versions(library: str) -> str:
    if library == "xla":
        import jax
        return f"jax {jax.__version__}"
    if library == "numpy":
        import numpy as np
        return f"numpy {np.__version__} ({_numpy_blas()})"
    import torch
    return f"torch {torch.__version__}"


def _numpy_blas() -> str:
    import numpy as np
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas['name']} {blas['version']}"
    except Exception:  # noqa: BLE001 - informative only
        return "BLAS unknown"


def baselines(run_json: Path) -> dict:
    """Median steady W3 epoch of mxjax and of each peer's faster thread setting, from a run."""
    records = json.loads(run_json.read_text())["records"]
    by_system: dict[str, list[float]] = {}
    for r in records:
        steady = (r.get("result") or {}).get("steady_epoch_s")
        if r.get("workload") == "W3" and r.get("ok") and steady:
            by_system.setdefault(r["system"], []).append(steady)
    med = {s: statistics.median(v) for s, v in by_system.items()}
    out = {}
    for peer in ("mxnet", "torch"):
        settings = {s: t for s, t in med.items() if s.startswith(peer)}
        if settings:
            best = min(settings, key=settings.get)
            out[peer] = (best, settings[best])
    if "mxjax" in med:
        out["mxjax"] = ("mxjax", med["mxjax"])
    return out


def _run_summary(run_json: Path | None) -> str:
    if run_json is None:
        return "none given"
    meta = json.loads(run_json.read_text())["meta"]
    return (f"`bench/run.py` run of {meta['date']} ({meta['reps']} repetitions, median 1-minute "
            f"load {meta['load_median']:.2f} on {meta['machine']['cores']} cores)")


def report(results: list[dict], base: dict) -> str:
    nb = batches_per_epoch()
    step_flops = sum(flops(m, k, n) for _, m, k, n in w3_products())
    epoch_flops = step_flops * nb
    lines = [
        f"W3 work: {step_flops / 1e9:.3f} GFLOP a step in its matrix products × {nb} batches = "
        f"{epoch_flops / 1e9:.1f} GFLOP an epoch (elementwise work not counted).",
        "",
        "| library | W3's products a step, ms | products-only epoch s | square "
        f"{BIG} GFLOP/s | epoch s at that rate |",
        "|---|---|---|---|---|",
    ]
    floors = []
    for res in results:
        step_s = sum(r["s"] for r in res["rows"] if not r["what"].startswith("square"))
        square = next(r for r in res["rows"] if r["what"].startswith("square"))
        floors.append(min(step_s * nb, epoch_flops / (square["gflops"] * 1e9)))
        lines.append(f"| {res['library']} ({res['versions']}) | {step_s * 1e3:.2f} | "
                     f"{step_s * nb:.3f} | {square['gflops']:.0f} | "
                     f"{epoch_flops / (square['gflops'] * 1e9):.3f} |")
    lines += ["", "Per product (GFLOP/s):", "",
              "| product | m×k×n | " + " | ".join(r["library"] for r in results) + " |",
              "|---|---|" + "---|" * len(results)]
    for i, (what, m, k, n) in enumerate(w3_products()):
        rates = " | ".join(f"{res['rows'][i]['gflops']:.0f}" for res in results)
        lines.append(f"| {what} | {m}×{k}×{n} | {rates} |")
    best_step = sum(min(res["rows"][i]["s"] for res in results)
                    for i in range(len(w3_products())))
    floor = min(min(floors), best_step * nb)
    lines += ["", f"Each product at its fastest library: {best_step * nb:.3f} s an epoch. "
              f"Floor: {floor:.3f} s an epoch (the least of all the above; products only)."]
    if base:
        lines += ["", "| | measured W3 epoch s | target | epoch s the target needs | "
                  "needs × the floor's speed |", "|---|---|---|---|---|"]
        for peer, factor in TARGETS.items():
            if peer in base:
                label, t = base[peer]
                need = t / factor
                lines.append(f"| {label} | {t:.3f} | {factor}× | {need:.3f} | "
                             f"{floor / need:.2f} |")
        if "mxjax" in base:
            t = base["mxjax"][1]
            lines.append(f"| mxjax | {t:.3f} | — | — | runs at {floor / t:.0%} of the floor's "
                         "speed |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run-json", type=Path, help="records of bench/run.py --json (W3 rows)")
    ap.add_argument("--torch-python", help="an interpreter with torch, to measure its GEMM")
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--write-results", action="store_true",
                    help="replace the 'roofline' section of bench/RESULTS.md")
    ap.add_argument("--library", choices=sorted(GEMMS), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.library:  # the child mode used for --torch-python
        print(json.dumps(measure(args.library, args.reps)))
        return
    results = [measure("xla", args.reps), measure("numpy", args.reps)]
    if args.torch_python:
        env = dict(os.environ, OMP_NUM_THREADS=str(os.cpu_count() or 1))
        child = subprocess.run([args.torch_python, __file__, "--library", "torch",
                                "--reps", str(args.reps)], capture_output=True, text=True,
                               env=env, check=True)
        results.append(json.loads(child.stdout))
    base = baselines(args.run_json) if args.run_json else {}
    text = report(results, base)
    print(text)
    if args.write_results:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import report as bench_report

        path = Path(__file__).resolve().parent / "RESULTS.md"
        body = (f"## W3 roofline ({time.strftime('%Y-%m-%d')}, `bench/roofline.py`)\n\n"
                f"- machine: {os.cpu_count()} cores, 1-minute load average "
                f"{os.getloadavg()[0]:.2f}; times are the best of repeated calls\n"
                f"- measured W3 epochs: {_run_summary(args.run_json)}\n\n{text}")
        path.write_text(bench_report.replace_section(path.read_text(), "roofline", body))


if __name__ == "__main__":
    main()
