"""Benchmark runner: mxjax against MXNet 1.9.1 and PyTorch (CPU, eager), side by side.

Every measurement is a fresh child process (python start to exit) running one workload
script from ``bench/workloads``; the runner times the whole process and reads the child's
peak memory (``ru_maxrss`` from ``os.wait4``), the script reports its epoch times as JSON.
Runs are interleaved: each repetition runs every workload on every system, the systems'
order rotating between repetitions. MXNet and PyTorch each run twice per workload, with
``OMP_NUM_THREADS=1`` and ``=2`` in the first repetition, and from then on only with the
faster one (``--thread-probe-reps``); the faster setting is that peer's baseline on that
workload (MXNet is fastest with 1 thread on small models; PyTorch's 2 OpenMP threads
collapse when the machine is busy). The children's CPU time (user+sys) is kept as well:
it is less sensitive than wall time to other load on the machine.
A system that fails is reported as failed (with the last line of its output); the run
goes on.

    .venv/bin/python bench/run.py                 # full run, 3 repetitions
    .venv/bin/python bench/run.py --quick         # small sizes, 1 repetition
    .venv/bin/python bench/run.py --workloads W1,W3 --systems mxjax,mxnet --reps 5
    .venv/bin/python bench/run.py --write-results # also update bench/RESULTS.md

The peer virtualenvs are made on first use (bench/setup_envs.py); ``--mxnet-python`` /
``--torch-python`` use existing interpreters instead.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORKLOADS_DIR = BENCH / "workloads"
sys.path.insert(0, str(BENCH))

import report  # noqa: E402
import setup_envs  # noqa: E402


@dataclass(frozen=True)
class Workload:
    """One benchmark workload: the mx script (shared by mxjax and MXNet), the PyTorch one."""

    name: str
    mx_script: str
    torch_script: str | None
    args: tuple[str, ...] = ()
    systems: tuple[str, ...] = ("mxjax", "mxnet", "torch")
    env: tuple[tuple[str, str], ...] = ()
    about: str = ""


WORKLOADS: dict[str, Workload] = {w.name: w for w in (
    Workload("W1", "w1_tutorial_fit.py", "torch_w1_tutorial_fit.py",
             about="tutorial MLP 16-64-26, fit + validation, batch 32, 8 epochs"),
    Workload("W2", "w2_tutorial_loop.py", "torch_w2_tutorial_loop.py",
             about="tutorial intermediate loop (forward/update_metric/backward/update), 5 epochs"),
    Workload("W3", "w3_wide_mlp_fit.py", "torch_w3_wide_mlp_fit.py",
             about="MLP 784-1024-1024-10, batch 128, 10000 rows, 4 epochs"),
    Workload("W4", "w4_lenet_fit.py", "torch_w4_lenet_fit.py",
             about="LeNet 1x28x28, batch 64, 10000 rows, 3 epochs"),
    Workload("W5-mlp", "w5_predict.py", "torch_w5_predict.py", ("--model", "mlp"),
             about="predict, tutorial MLP, 20000 rows, batch 32"),
    Workload("W5-lenet", "w5_predict.py", "torch_w5_predict.py", ("--model", "lenet"),
             about="predict, LeNet, 10000 rows, batch 64"),
    Workload("W6", "w6_lstm_bucketing.py", None, systems=("mxjax", "mxnet"),
             about="example/rnn/bucketing: 2-layer LSTM LM, BucketingModule.fit, buckets "
                   "10/20/30, batch 32, 1600 sentences, 3 epochs"),
    Workload("W3-2dev", "w3_wide_mlp_fit.py", None, ("--devices", "2"), systems=("mxjax",),
             env=(("XLA_FLAGS", "--xla_force_host_platform_device_count=2"),),
             about="W3 with context=[cpu(0), cpu(1)] (issue 8), compare with mxjax W3"),
)}


def run_child(cmd: list[str], env: dict[str, str], timeout: float, cwd: Path,
              log_path: Path) -> dict[str, Any]:
    """Run ``cmd`` to completion; whole-process wall time, peak RSS, exit status.

    The child's stdout+stderr go to ``log_path``, unbuffered so that the last line is the
    last thing it wrote. Past ``timeout`` seconds it is killed.
    Returns ``{"rc", "whole_s", "maxrss_kib", "cpu_s", "timed_out"}``.
    """
    with open(log_path, "wb") as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=cwd,
                                env={**env, "PYTHONUNBUFFERED": "1"})
        timed_out = threading.Event()

        def _kill() -> None:
            timed_out.set()
            proc.kill()

        timer = threading.Timer(timeout, _kill)
        timer.start()
        try:
            _, status, rusage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        whole = time.perf_counter() - t0
    rc = os.waitstatus_to_exitcode(status)
    proc.returncode = rc  # reaped by wait4 above
    return {"rc": rc, "whole_s": whole, "maxrss_kib": rusage.ru_maxrss,
            "cpu_s": rusage.ru_utime + rusage.ru_stime, "timed_out": timed_out.is_set()}


def last_line(path: Path) -> str:
    """The last non-empty line of a log file (the error message of a traceback)."""
    try:
        lines = [ln.strip() for ln in path.read_text(errors="replace").splitlines()]
    except OSError:
        return "no output"
    lines = [ln for ln in lines if ln and not ln.startswith("BENCH_RESULT")]
    return lines[-1] if lines else "no output"


def measure(workload: Workload, system: str, python: str, extra_env: dict[str, str],
            rep: int, quick: bool, timeout: float, rundir: Path,
            extra_args: tuple[str, ...] = ()) -> dict[str, Any]:
    """One fresh-process measurement of ``system`` on ``workload``, as a record."""
    if system.startswith("torch"):
        script = workload.torch_script
        args = list(workload.args)
    else:
        script = workload.mx_script
        args = ["--impl", "mxnet" if system.startswith("mxnet") else "mxjax", *workload.args]
    args += list(extra_args)
    tag = f"{workload.name}.{system}.{rep if rep >= 0 else 'prime'}"
    out = rundir / f"{tag}.json"
    log = rundir / f"{tag}.log"
    cmd = [python, str(WORKLOADS_DIR / script), *args, "--out", str(out)]
    if quick:
        cmd.append("--quick")
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "XLA_FLAGS", "MXNET_ENGINE_TYPE", "MXJAX_CACHE_DIR",
                "MXJAX_COMPILATION_CACHE"):
        env.pop(var, None)
    env.update(dict(workload.env))
    env.update(extra_env)
    rec: dict[str, Any] = {"workload": workload.name, "system": system, "rep": rep,
                           "cmd": cmd, "env": {**dict(workload.env), **extra_env}}
    try:
        proc = run_child(cmd, env, timeout, WORKLOADS_DIR, log)
    except OSError as exc:  # interpreter missing, ...
        rec.update(ok=False, error=f"could not start: {exc}", whole_s=None, maxrss_kib=None)
        return rec
    rec.update(whole_s=proc["whole_s"], maxrss_kib=proc["maxrss_kib"], cpu_s=proc["cpu_s"],
               rc=proc["rc"])
    if proc["timed_out"]:
        rec.update(ok=False, error=f"timed out after {timeout:.0f} s")
    elif proc["rc"] != 0 or not out.exists():
        rec.update(ok=False, error=f"exit {proc['rc']}: {last_line(log)}")
    else:
        try:
            rec.update(ok=True, error=None, result=json.loads(out.read_text()))
        except ValueError as exc:
            rec.update(ok=False, error=f"unreadable result: {exc}")
    rec["log"] = str(log)
    return rec


def machine() -> dict[str, Any]:
    """CPU model, core count, OS and load average."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "os": platform.platform(),
            "loadavg": os.getloadavg() if hasattr(os, "getloadavg") else None}


def collect_versions(records: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Versions each system's child reported (python, numpy, jax, jaxlib, mxnet, torch)."""
    out: dict[str, dict[str, str]] = {}
    for rec in records:
        if rec.get("ok"):
            key = rec["system"].split("-")[0]
            vers = {k: v for k, v in rec["result"].get("versions", {}).items()
                    if k != "torch_threads"}  # a per-variant setting, not a version
            out.setdefault(key, {}).update(vers)
    return out


def python_for(system: str, args: argparse.Namespace, log) -> tuple[str | None, str | None]:
    """(interpreter, None) for a system, or (None, why it is unavailable)."""
    if system.startswith("mxjax"):
        return args.mxjax_python, None
    name = "mxnet" if system.startswith("mxnet") else "torch"
    given = args.mxnet_python if name == "mxnet" else args.torch_python
    if given:
        return given, None
    if args.no_setup:
        py = setup_envs.venv_python(name)
        return (str(py), None) if py.exists() else (None, f"{py} missing (--no-setup)")
    try:
        return str(setup_envs.ensure(name, log=log)), None
    except (subprocess.CalledProcessError, RuntimeError, OSError) as exc:
        return None, f"setting up the {name} venv failed: {exc}"


def system_env(system: str, mxjax_env: dict[str, str], rundir: Path) -> dict[str, str]:
    """Environment a system's children get on top of the runner's.

    ``-omp<N>`` variants: ``OMP_NUM_THREADS=N``. "mxjax": the persistent compilation cache
    in this run's directory (warm after the priming runs); "mxjax-cold": cache off.
    """
    env: dict[str, str] = {}
    if system == "mxjax":
        env["MXJAX_CACHE_DIR"] = str(rundir / "jax-cache")
    elif system == "mxjax-cold":
        env["MXJAX_COMPILATION_CACHE"] = "0"
    if system.startswith("mxjax"):
        env.update(mxjax_env)
    if "-omp" in system:
        env["OMP_NUM_THREADS"] = system.rsplit("-omp", 1)[1]
    return env


def expand_systems(names: list[str], threads: dict[str, list[int]],
                   mxjax_cache: str = "warm") -> list[str]:
    """User system names -> measured variants: a peer once per OMP thread count given;
    mxjax as "mxjax" (warm compilation cache) and/or "mxjax-cold" (cache off)."""
    out = []
    for n in names:
        if n == "mxjax":
            out += {"warm": ["mxjax"], "cold": ["mxjax-cold"],
                    "both": ["mxjax", "mxjax-cold"]}[mxjax_cache]
        elif threads.get(n):
            out += [f"{n}-omp{t}" for t in threads[n]]
        else:
            out.append(n)
    return out


def render(sums, wls: list[str], recs: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """The markdown report: settings, table, MXNet thread choice, targets, failures."""
    vers = collect_versions(recs)
    m = meta["machine"]
    lines = [f"## {meta['title']}", "",
             f"- date: {meta['date']}",
             f"- machine: {m['cpu']}, {m['cores']} cores ({m['os']}); load average before "
             f"{_load(m['loadavg'])}, after {_load(meta['loadavg_after'])}",
             f"- runs: {meta['reps']} repetition(s), interleaved round-robin, each a fresh "
             f"process; medians shown; total {meta['elapsed_s']:.0f} s; 1-minute load "
             f"average at the children's starts: median {_load([meta['load_median']])}, "
             f"max {_load([meta['load_max']])} (on {m['cores']} cores; above that, other "
             "work was competing for the CPUs)",
             "- versions: " + "; ".join(
                 f"{k}: " + ", ".join(f"{a} {b}" for a, b in sorted(v.items()))
                 for k, v in sorted(vers.items())),
             "- workloads: " + "; ".join(f"{w} = {WORKLOADS[w].about}" for w in wls), "",
             "mxjax = with a warm persistent compilation cache (filled by one untimed run per "
             "workload first); mxjax-cold = cache off (MXJAX_COMPILATION_CACHE=0), like a "
             "first run ever. Thread settings of the peers: ranked on the first "
             f"{meta['probe_reps']} repetition(s), where every setting ran; later ones ran "
             "only the faster.", "",
             "× MXNet = how many times faster than the faster MXNet thread setting "
             "(steady: epoch time, or samples/s for W5; whole: python start to exit). "
             "cpu s = user+sys CPU time of the whole process.", "",
             report.table(sums, wls), "", "Thread setting per workload (faster one is the "
             "baseline):", "",
             report.thread_choice(sums, wls, "mxnet") or "- (MXNet: one setting)",
             report.thread_choice(sums, wls, "torch") or "- (PyTorch: one setting)", ""]
    tg = report.targets(sums)
    if any(t["workload"] in wls for t in tg):
        lines += ["Issue 6 targets:", "",
                  report.targets_table([t for t in tg if t["workload"] in wls]), ""]
    if "W3-2dev" in wls:
        one, two = sums.get(("W3", "mxjax")), sums.get(("W3-2dev", "mxjax"))
        if two is not None and two.ok and one is not None and one.ok:
            lines += [f"W3 on 2 devices vs 1 (mxjax): {two.samples_per_s:,.0f} vs "
                      f"{one.samples_per_s:,.0f} samples/s "
                      f"({two.samples_per_s / one.samples_per_s:.2f}x)", ""]
        elif two is not None and not two.ok:
            lines += [f"W3 on 2 devices (mxjax): failed / not supported: {two.error}", ""]
        elif two is not None:
            lines += ["W3 on 2 devices (mxjax): ran; W3 on 1 device "
                      f"{'not run' if one is None else 'failed'}, no comparison", ""]
    lines += ["<details><summary>Every run (steady s / whole s / 1-min load at start)"
              "</summary>", "", per_run_table(recs, wls), "", "</details>", ""]
    fails = [r for r in recs if not r["ok"]]
    if fails:
        lines += ["Failures (last line of output):", ""]
        seen = set()
        for r in fails:
            key = (r["workload"], r["system"], r["error"])
            if key not in seen:
                seen.add(key)
                lines.append(f"- {r['workload']} / {r['system']}: {r['error']}")
        lines.append("")
    return "\n".join(lines)


def per_run_table(recs: list[dict[str, Any]], wls: list[str]) -> str:
    """Markdown table of every run's steady time, whole-process time and load, by rep."""
    reps = sorted({r["rep"] for r in recs})
    lines = ["| workload | system | " + " | ".join(f"rep {k}" for k in reps) + " |",
             "|---|---|" + "---|" * len(reps)]
    keys = sorted({(r["workload"], r["system"]) for r in recs},
                  key=lambda k: (wls.index(k[0]) if k[0] in wls else len(wls),
                                 report._sort_key(k[1])))
    for wl, system in keys:
        cells = []
        for k in reps:
            r = next((x for x in recs if (x["workload"], x["system"], x["rep"]) == (wl, system, k)),
                     None)
            if r is None:
                cells.append("")
            elif not r["ok"]:
                cells.append("failed")
            else:
                res = r["result"]
                steady = res.get("steady_epoch_s", res.get("steady_pass_s"))
                load = r.get("load1")
                cells.append(f"{'—' if steady is None else f'{steady:.4f}'} / "
                             f"{r['whole_s']:.2f} / {'?' if load is None else f'{load:.1f}'}")
        lines.append(f"| {wl} | {system} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def keep_faster_threads(todo: list[str], records: list[dict[str, Any]],
                        workload: str, probe_reps: int) -> list[str]:
    """``todo`` without the thread settings that lost on ``workload`` in the probe
    repetitions (``rep < probe_reps``, where every setting ran).

    For each peer with several ``-omp<N>`` variants only the faster one stays; when none
    of them has succeeded, all stay.
    """
    sums = report.summarize([r for r in records if r["workload"] == workload], probe_reps)
    keep = []
    for system in todo:
        if "-omp" not in system:
            keep.append(system)
            continue
        best = report.peer_baseline(sums, workload, system.split("-")[0])
        if best is None or best.system == system:
            keep.append(system)
    return keep


def _load(la) -> str:
    return "?" if not la or None in la else " ".join(f"{x:.2f}" for x in la)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, 1 repetition")
    ap.add_argument("--reps", type=int, default=None, help="repetitions (default 3; quick 1)")
    ap.add_argument("--workloads", default=",".join(WORKLOADS),
                    help=f"comma list of {', '.join(WORKLOADS)}")
    ap.add_argument("--systems", default="mxjax,mxnet,torch", help="comma list")
    ap.add_argument("--mxnet-threads", default=None,
                    help="OMP_NUM_THREADS values MXNet runs with, the faster is its baseline "
                    "(default 1,2; quick: 1)")
    ap.add_argument("--torch-threads", default=None,
                    help="the same for PyTorch (default 1,2; quick: 1; '' = its own default)")
    ap.add_argument("--thread-probe-reps", type=int, default=1,
                    help="repetitions in which every thread setting of a peer runs; later "
                    "repetitions run only the faster one per workload (default 1)")
    ap.add_argument("--mxjax-python", default=sys.executable)
    ap.add_argument("--mxjax-cache", choices=("warm", "cold", "both"), default="both",
                    help="mxjax's persistent compilation cache: 'warm' = a cache of this run, "
                    "filled by one untimed run per workload first; 'cold' = off "
                    "(MXJAX_COMPILATION_CACHE=0); 'both' (default) measures both")
    ap.add_argument("--mxnet-python", default=None, help="e.g. /work/mxnet-venv/bin/python")
    ap.add_argument("--torch-python", default=None)
    ap.add_argument("--no-setup", action="store_true", help="do not create peer venvs")
    ap.add_argument("--mxjax-env", action="append", default=[], metavar="KEY=VALUE",
                    help="extra environment for the mxjax children (repeatable)")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per child")
    ap.add_argument("--write-results", action="store_true",
                    help="replace this run's section (full or quick) in bench/RESULTS.md")
    ap.add_argument("--results-file", default=str(BENCH / "RESULTS.md"))
    ap.add_argument("--json", default=None, help="also write all records here")
    ap.add_argument("--runs-dir", default=str(BENCH / ".runs"),
                    help="where each run's logs, records and compilation cache go")
    ap.add_argument("--from-json", default=None, metavar="FILE",
                    help="measure nothing: report (and with --write-results, record) the "
                    "records of an earlier run (--json FILE or bench/.runs/*/records.json)")
    args = ap.parse_args(argv)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    if args.from_json:
        raw = json.loads(Path(args.from_json).read_text())
        raw["meta"].setdefault("quick", raw["meta"].get("title", "").startswith("Quick"))
        return publish(raw, args.write_results, args.results_file, log)

    wls = [w.strip() for w in args.workloads.split(",") if w.strip()]
    unknown = [w for w in wls if w not in WORKLOADS]
    if unknown:
        ap.error(f"unknown workload(s) {unknown}; known: {list(WORKLOADS)}")
    reps = args.reps or (1 if args.quick else 3)
    timeout = args.timeout or (300.0 if args.quick else 900.0)
    default_threads = "1" if args.quick else "1,2"
    threads = {}
    for peer, spec in (("mxnet", args.mxnet_threads), ("torch", args.torch_threads)):
        spec = default_threads if spec is None else spec
        threads[peer] = [int(t) for t in spec.split(",") if t.strip()]
    systems = expand_systems([s.strip() for s in args.systems.split(",") if s.strip()], threads,
                             args.mxjax_cache)
    mxjax_env = dict(kv.split("=", 1) for kv in args.mxjax_env)

    pythons: dict[str, str | None] = {}
    unavailable: dict[str, str] = {}
    for system in systems:
        py, why = python_for(system, args, log)
        pythons[system] = py
        if why:
            unavailable[system] = why
            log(f"[bench] {system}: unavailable: {why}")

    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    rundir = Path(args.runs_dir) / stamp
    rundir.mkdir(parents=True, exist_ok=True)
    meta = {"title": f"{'Quick' if args.quick else 'Full'} run {stamp}",
            "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": machine(), "reps": reps, "probe_reps": args.thread_probe_reps,
            "quick": args.quick}
    t_all = time.perf_counter()
    records: list[dict[str, Any]] = []
    priming: list[dict[str, Any]] = []
    if "mxjax" in systems and "mxjax" not in unavailable:
        # Fill this run's compilation cache: one untimed run per workload, 2 epochs/passes.
        for wl_name in wls:
            wl = WORKLOADS[wl_name]
            if "mxjax" in wl.systems:
                rec = measure(wl, "mxjax", pythons["mxjax"],
                              system_env("mxjax", mxjax_env, rundir), -1, args.quick,
                              timeout, rundir, extra_args=("--epochs", "2"))
                priming.append(rec)
                log(f"[bench] primed the compilation cache with {wl_name}: "
                    f"{'ok' if rec['ok'] else rec['error']}")
    for rep in range(reps):
        for wl_name in wls:
            wl = WORKLOADS[wl_name]
            todo = [s for s in systems if s.split("-")[0] in wl.systems]
            if rep >= args.thread_probe_reps:
                todo = keep_faster_threads(todo, records, wl_name, args.thread_probe_reps)
            if not todo:
                continue
            shift = rep % len(todo)
            for system in todo[shift:] + todo[:shift]:
                if system in unavailable:
                    rec = {"workload": wl_name, "system": system, "rep": rep, "ok": False,
                           "error": unavailable[system], "whole_s": None, "maxrss_kib": None}
                else:
                    env = system_env(system, mxjax_env, rundir)
                    load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
                    rec = measure(wl, system, pythons[system], env, rep, args.quick,
                                  timeout, rundir)
                    rec["load1"] = load1
                records.append(rec)
                if rec["ok"]:
                    r = rec["result"]
                    steady = r.get("steady_epoch_s", r.get("steady_pass_s"))
                    steady_txt = "?" if steady is None else f"{steady:.4f}"
                    log(f"[bench] rep {rep} {wl_name:8s} {system:11s} whole "
                        f"{rec['whole_s']:.2f} s  steady {steady_txt} s  "
                        f"rss {rec['maxrss_kib'] / 1024:.0f} MiB")
                else:
                    log(f"[bench] rep {rep} {wl_name:8s} {system:11s} FAILED: {rec['error']}")
    meta["elapsed_s"] = time.perf_counter() - t_all
    meta["loadavg_after"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    loads = [r["load1"] for r in records if r.get("load1") is not None]
    meta["load_median"] = statistics.median(loads) if loads else None
    meta["load_max"] = max(loads) if loads else None

    raw = {"meta": meta, "records": records, "priming": priming}
    (rundir / "records.json").write_text(json.dumps(raw, indent=1, default=str))
    if args.json:
        Path(args.json).write_text(json.dumps(raw, indent=1, default=str))
    return publish(raw, args.write_results, args.results_file, log)


def publish(raw: dict[str, Any], write_results: bool, results_file: str, log) -> int:
    """Print the report of a run's records; with ``write_results`` put it in RESULTS.md
    (section "quick" or "full")."""
    meta, records = raw["meta"], raw["records"]
    wls = [w for w in WORKLOADS if any(r["workload"] == w for r in records)]
    sums = report.summarize(records, meta.get("probe_reps"))
    text = render(sums, wls, records, meta)
    print(text)
    if write_results:
        path = Path(results_file)
        old = path.read_text() if path.exists() else RESULTS_HEADER
        path.write_text(report.replace_section(old, "quick" if meta.get("quick") else "full",
                                               text))
        log(f"[bench] wrote {path}")
    return 0


RESULTS_HEADER = """# Benchmark results

Written by `bench/run.py --write-results` (see bench/README.md). One section per kind of
run (full, quick); a new run of the same kind replaces its section.

Reading the numbers: the machine is a shared 2-core VM. Other processes inflate wall
times, MXNet's per-batch engine and PyTorch's 2-thread runs most of all (PERF_NOTES,
measured on a quiet machine, has MXNet's W1 at 0.14 s/epoch). Each section gives the load
average at every child's start and, under "Every run", the per-repetition numbers: ratios
from repetitions at low load are the trustworthy ones, and rows of one repetition ran
minutes apart at most. mxjax is measured as the source tree was at the time of the run.
"""


if __name__ == "__main__":
    sys.exit(main())
