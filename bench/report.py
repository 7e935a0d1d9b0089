"""Summaries, tables and the RESULTS.md section of the benchmark (no measuring here).

A *record* is one measured child process, as ``bench/run.py`` makes it::

    {"workload": "W1", "system": "mxnet-omp1", "rep": 0, "ok": True, "error": None,
     "whole_s": 3.1, "maxrss_kib": 201000, "result": {...the script's JSON...}}

Per (workload, system) the summary holds medians over the successful repetitions.
The MXNet baseline of a workload is whichever MXNet thread setting was faster on it
(lower steady epoch time; higher samples/s for the predict workloads), as PERF_NOTES asks;
the PyTorch baseline likewise among PyTorch's settings.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from typing import Any

#: Display order of the systems; MXNet variants are "mxnet-omp<N>".
SYSTEM_ORDER = ("mxjax", "mxnet", "torch")


@dataclass
class Summary:
    """Medians over the successful runs of one (workload, system)."""

    workload: str
    system: str
    runs: int = 0
    failures: int = 0
    error: str | None = None
    steady_s: float | None = None      # steady epoch (fit) or steady pass (predict)
    first_s: float | None = None       # first epoch / pass, compilation included
    whole_s: float | None = None       # python start to exit
    cpu_s: float | None = None         # user+sys CPU seconds of the whole process
    rss_mib: float | None = None       # peak resident memory of the child
    samples_per_s: float | None = None
    acc: float | None = None
    import_s: float | None = None
    # the key metrics over the thread-probe repetitions only (all runs when no probe):
    # thread settings are ranked on these, as every setting ran in those repetitions
    probe_steady_s: float | None = None
    probe_samples_per_s: float | None = None

    @property
    def ok(self) -> bool:
        return self.runs > 0


def _median(values: list[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def summarize(records: list[dict[str, Any]],
              probe_reps: int | None = None) -> dict[tuple[str, str], Summary]:
    """Group records by (workload, system) and take medians of the successful ones.

    ``probe_reps``: thread settings are ranked on the repetitions below it (those in which
    every setting ran); None ranks on all runs.
    """
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for rec in records:
        groups.setdefault((rec["workload"], rec["system"]), []).append(rec)
    out: dict[tuple[str, str], Summary] = {}
    for key, recs in groups.items():
        good = [r for r in recs if r["ok"]]
        bad = [r for r in recs if not r["ok"]]
        s = Summary(workload=key[0], system=key[1], runs=len(good), failures=len(bad),
                    error=bad[-1]["error"] if bad else None)
        res = [r["result"] for r in good]
        s.steady_s = _median([x.get("steady_epoch_s", x.get("steady_pass_s")) for x in res])
        s.first_s = _median([x.get("first_epoch_s", x.get("first_pass_s")) for x in res])
        s.whole_s = _median([r["whole_s"] for r in good])
        s.cpu_s = _median([r.get("cpu_s") for r in good])
        s.rss_mib = _median([r["maxrss_kib"] / 1024.0 for r in good
                             if r.get("maxrss_kib") is not None])
        s.samples_per_s = _median([x.get("samples_per_s") for x in res])
        s.acc = _median([x.get("final_val_acc", x.get("final_train_acc")) for x in res])
        s.import_s = _median([x.get("import_s") for x in res])
        probe = [r["result"] for r in good if probe_reps is None or r["rep"] < probe_reps]
        s.probe_steady_s = _median([x.get("steady_epoch_s", x.get("steady_pass_s"))
                                    for x in probe])
        s.probe_samples_per_s = _median([x.get("samples_per_s") for x in probe])
        out[key] = s
    return out


def is_predict(workload: str) -> bool:
    """Predict workloads are ranked by samples/s, the others by steady epoch time."""
    return workload.startswith("W5")


def better(workload: str, a: Summary, b: Summary) -> bool:
    """True when ``a`` was faster than ``b`` on the workload's key metric, over the
    thread-probe repetitions."""
    if is_predict(workload):
        return (a.probe_samples_per_s or 0.0) > (b.probe_samples_per_s or 0.0)
    inf = float("inf")
    return (a.probe_steady_s if a.probe_steady_s is not None else inf) < \
        (b.probe_steady_s if b.probe_steady_s is not None else inf)


def peer_baseline(sums: dict[tuple[str, str], Summary], workload: str,
                  peer: str = "mxnet") -> Summary | None:
    """The faster successful thread setting of ``peer`` ("mxnet" or "torch") on
    ``workload``: among systems named ``peer`` or ``peer-<variant>``; None if none ran."""
    best = None
    for (wl, system), s in sorted(sums.items()):
        if wl != workload or system.split("-")[0] != peer or not s.ok:
            continue
        if best is None or better(workload, s, best):
            best = s
    return best


def speedup(workload: str, s: Summary | None, base: Summary | None,
            metric: str = "steady") -> float | None:
    """How many times faster ``s`` is than ``base`` (>1: ``s`` is faster).

    ``metric``: "steady" (steady epoch, or samples/s for predict workloads) or "whole".
    """
    if s is None or base is None or not s.ok or not base.ok:
        return None
    if metric == "whole":
        return base.whole_s / s.whole_s if s.whole_s and base.whole_s else None
    if is_predict(workload):
        if s.samples_per_s and base.samples_per_s:
            return s.samples_per_s / base.samples_per_s
        return None
    return base.steady_s / s.steady_s if s.steady_s and base.steady_s else None


def _fmt(v: float | None, spec: str = ".3f", suffix: str = "") -> str:
    return "—" if v is None else f"{v:{spec}}{suffix}"


def _sort_key(system: str) -> tuple[int, str]:
    base = system.split("-")[0]
    return (SYSTEM_ORDER.index(base) if base in SYSTEM_ORDER else len(SYSTEM_ORDER), system)


def table(sums: dict[tuple[str, str], Summary], workloads: list[str]) -> str:
    """Markdown table: per workload and system the medians and the ratios vs MXNet."""
    head = ("| workload | system | steady s (epoch/pass) | × MXNet | first s (compile) | "
            "whole process s | × MXNet | cpu s | peak MiB | samples/s | acc | runs |")
    lines = [head, "|---" * (head.count("|") - 1) + "|"]
    for wl in workloads:
        base = peer_baseline(sums, wl, "mxnet")
        tbase = peer_baseline(sums, wl, "torch")
        systems = sorted((sys_ for (w, sys_) in sums if w == wl), key=_sort_key)
        for system in systems:
            s = sums[(wl, system)]
            label = system
            if base is not None and system == base.system:
                label = f"**{system}** (MXNet baseline)"
            elif tbase is not None and system == tbase.system and system != "torch":
                label = f"**{system}** (PyTorch baseline)"
            if not s.ok:
                lines.append(f"| {wl} | {label} | failed: {_cell(s.error)} | | | | | | | | | "
                             f"0/{s.failures} |")
                continue
            lines.append(
                f"| {wl} | {label} | {_fmt(s.steady_s, '.4f')} | "
                f"{_fmt(speedup(wl, s, base), '.2f', 'x')} | {_fmt(s.first_s, '.3f')} | "
                f"{_fmt(s.whole_s, '.2f')} | {_fmt(speedup(wl, s, base, 'whole'), '.2f', 'x')} | "
                f"{_fmt(s.cpu_s, '.1f')} | "
                f"{_fmt(s.rss_mib, '.0f')} | {_fmt(s.samples_per_s, ',.0f')} | "
                f"{_fmt(s.acc, '.3f')} | {s.runs}/{s.runs + s.failures} |")
    return "\n".join(lines)


def _cell(text: str | None) -> str:
    """A string safe inside a markdown table cell."""
    text = (text or "unknown error").replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 160 else text[:157] + "..."


# (label, workload, mxjax system, peer: "mxnet" | "torch", metric, threshold) — issue 6's
# "done when". "mxjax" runs with a warm compilation cache, "mxjax-cold" without one.
TARGETS: tuple[tuple[str, str, str, str, str, float], ...] = (
    ("W1 steady epoch ≥ 10x MXNet", "W1", "mxjax", "mxnet", "steady", 10.0),
    ("W1 whole process faster than MXNet", "W1", "mxjax", "mxnet", "whole", 1.0),
    ("W1 whole process faster than MXNet, cold compile cache", "W1", "mxjax-cold", "mxnet",
     "whole", 1.0),
    ("W2 intermediate loop ≥ 2x MXNet", "W2", "mxjax", "mxnet", "steady", 2.0),
    ("W3 ≥ 2.5x MXNet", "W3", "mxjax", "mxnet", "steady", 2.5),
    ("W3 ≥ 1.5x PyTorch eager", "W3", "mxjax", "torch", "steady", 1.5),
    ("W4 ≥ 1.3x MXNet", "W4", "mxjax", "mxnet", "steady", 1.3),
    ("W4 no slower than PyTorch eager", "W4", "mxjax", "torch", "steady", 1.0),
)


def targets(sums: dict[tuple[str, str], Summary]) -> list[dict[str, Any]]:
    """Each issue-6 target with mxjax's measured ratio and whether it is met.

    "faster than" (threshold 1.0 on whole process) needs a ratio above 1; the "≥" targets
    need the ratio at or above the threshold. A missing side makes the target unmeasured.
    """
    out = []
    for label, wl, system, peer, metric, thr in TARGETS:
        mine = sums.get((wl, system))
        base = peer_baseline(sums, wl, peer)
        if base is None:  # report why: the peer's failure, if it ran at all
            base = next((s for (w, sys_), s in sorted(sums.items())
                         if w == wl and sys_.split("-")[0] == peer), None)
        ratio = speedup(wl, mine, base, metric)
        strict = metric == "whole"
        met = None if ratio is None else (ratio > thr if strict else ratio >= thr)
        why = None
        if ratio is None:
            if mine is None or base is None:
                why = f"{system if mine is None else peer} not run"
            else:
                bad = mine if not mine.ok else base
                why = f"{bad.system} failed: {bad.error}"
        pair = f"{system} vs {base.system}" if base is not None else system
        out.append({"target": label, "workload": wl, "system": system, "peer": peer,
                    "pair": pair, "metric": metric, "threshold": thr, "ratio": ratio,
                    "met": met, "why": why})
    return out


def targets_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| target | compared | measured | met |", "|---|---|---|---|"]
    for r in rows:
        if r["ratio"] is None:
            lines.append(f"| {r['target']} | {r['pair']} | not measured ({_cell(r['why'])}) "
                         "| — |")
        else:
            lines.append(f"| {r['target']} | {r['pair']} | {r['ratio']:.2f}x | "
                         f"{'yes' if r['met'] else 'NO'} |")
    return "\n".join(lines)


def thread_choice(sums: dict[tuple[str, str], Summary], workloads: list[str],
                  peer: str = "mxnet") -> str:
    """One line per workload: which thread setting of ``peer`` was faster."""
    lines = []
    for wl in workloads:
        variants = [s for (w, sys_), s in sorted(sums.items())
                    if w == wl and sys_.split("-")[0] == peer]
        if len(variants) < 2:
            continue
        base = peer_baseline(sums, wl, peer)
        parts = []
        for s in variants:
            if not s.ok:
                parts.append(f"{s.system} failed")
            elif is_predict(wl):
                parts.append(f"{s.system} {_fmt(s.probe_samples_per_s, ',.0f')} samples/s")
            else:
                parts.append(f"{s.system} {_fmt(s.probe_steady_s, '.4f')} s/epoch")
        chosen = base.system if base is not None else "none"
        lines.append(f"- {wl}: {', '.join(parts)} → baseline **{chosen}**")
    return "\n".join(lines)


_SECTION = re.compile(r"<!-- bench:begin (?P<label>[\w.-]+) -->.*?<!-- bench:end (?P=label) -->\n?",
                      re.S)


def replace_section(text: str, label: str, body: str) -> str:
    """``text`` with the section named ``label`` replaced by ``body`` (appended if absent).

    Sections are delimited by ``<!-- bench:begin LABEL -->`` / ``<!-- bench:end LABEL -->``;
    other sections and free text are kept as they are.
    """
    block = f"<!-- bench:begin {label} -->\n{body.rstrip()}\n<!-- bench:end {label} -->\n"
    for m in _SECTION.finditer(text):
        if m.group("label") == label:
            return text[:m.start()] + block + text[m.end():]
    if text and not text.endswith("\n"):
        text += "\n"
    return text + ("\n" if text else "") + block
