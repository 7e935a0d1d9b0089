"""Record reference trajectories from a real MXNet 1.9.1 (run by hand, not by pytest).

    $MXJAX_MXNET_PYTHON tests/optimizer/make_mxnet_refs.py

writes ``tests/optimizer/data/mxnet_optimizer_refs.npz`` and
``tests/optimizer/data/mxnet_lr_schedules.npz``. The cases themselves are
defined in ``opt_cases.py`` (shared with the tests), so the tests replay exactly
what MXNet ran: same initial weights, gradients, hyper-parameters and
schedule. Only MXNet's public Python API is used (``mx.optimizer.create``,
``get_updater``, ``mx.lr_scheduler``).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import mxnet as mx
import numpy as np

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from opt_cases import (  # noqa: E402
    CASES,
    N_STEPS,
    NAMES,
    SCHEDULE_CASES,
    STATE_CASES,
    initial_arrays,
    make_mxnet_scheduler,
)


def _flatten_state(state, out, prefix):
    if state is None:
        return "N"
    if isinstance(state, mx.nd.NDArray):
        out[prefix] = state.asnumpy()
        return "A"
    if isinstance(state, (tuple, list)):
        return "(" + ",".join(_flatten_state(s, out, f"{prefix}.{i}")
                              for i, s in enumerate(state)) + ")"
    raise TypeError(type(state))


def record_optimizers() -> None:
    out: dict[str, np.ndarray] = {}
    meta = {}
    for case in CASES:
        if not case.get("mxnet", True):
            continue
        name = case["name"]
        weights, grads = initial_arrays(case)
        kw = dict(case["params"])
        sched = make_mxnet_scheduler(mx, case.get("schedule"), kw["learning_rate"])
        if sched is not None:
            kw["lr_scheduler"] = sched
        opt = mx.optimizer.create(case["opt"], param_idx2name=dict(enumerate(NAMES)), **kw)
        if case.get("lr_mult"):
            opt.set_lr_mult(case["lr_mult"])
        if case.get("wd_mult"):
            opt.set_wd_mult(case["wd_mult"])
        upd = mx.optimizer.get_updater(opt)
        dtype = case.get("dtype", "float32")
        ws = [mx.nd.array(w, dtype=dtype) for w in weights]
        traj = []
        for step in range(N_STEPS):
            gs = [mx.nd.array(g, dtype=dtype) for g in grads[step]]
            upd(list(range(len(NAMES))), gs, ws)
            traj.append(np.stack([w.asnumpy() for w in ws]))
        out[f"{name}/w"] = np.stack(traj)  # (step, parameter, *shape)
        structs = {}
        for i in range(len(NAMES)):
            arrays: dict[str, np.ndarray] = {}
            structs[i] = _flatten_state(upd.states[i], arrays, f"{name}/s/{i}")
            if name in STATE_CASES:  # state values only where the tests read them
                out.update(arrays)
        meta[name] = {"structs": structs, "num_update": opt.num_update,
                      "counts": {str(k): v for k, v in opt._index_update_count.items()}}
        print(name, "ok")
    out["__meta__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez_compressed(HERE / "data" / "mxnet_optimizer_refs.npz", **out)


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def record_schedules() -> None:
    out = {}
    logs = {}
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for sc in SCHEDULE_CASES:
        cap = _Capture()
        root.addHandler(cap)
        s = make_mxnet_scheduler(mx, sc)
        out[sc["name"]] = np.array([s(n) for n in range(1, sc.get("n", 1000) + 1)],
                                   dtype=np.float64)
        root.removeHandler(cap)
        logs[sc["name"]] = cap.lines
    out["__logs__"] = np.frombuffer(json.dumps(logs).encode(), dtype=np.uint8)
    np.savez_compressed(HERE / "data" / "mxnet_lr_schedules.npz", **out)


if __name__ == "__main__":
    (HERE / "data").mkdir(exist_ok=True)
    record_schedules()
    record_optimizers()
