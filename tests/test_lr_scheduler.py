"""mx.lr_scheduler: every schedule equals MXNet 1.9.1's at every step of a 1000-step run.

The reference values (and FactorScheduler's log lines) were recorded from a real
MXNet 1.9.1 by tests/optimizer/make_mxnet_refs.py into
tests/optimizer/data/mxnet_lr_schedules.npz; the cases are in
tests/optimizer/opt_cases.py (SCHEDULE_CASES), warmup included.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import mxjax.lr_scheduler as lrs

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "optimizer"))
from opt_cases import SCHEDULE_CASES  # noqa: E402

with np.load(HERE / "optimizer" / "data" / "mxnet_lr_schedules.npz") as _f:
    REF = {k: _f[k] for k in _f.files}
LOGS = json.loads(bytes(REF.pop("__logs__")).decode())
IDS = [c["name"] for c in SCHEDULE_CASES]


def _make(case):
    return getattr(lrs, case["cls"])(**case["kw"])


@pytest.mark.parametrize("case", SCHEDULE_CASES, ids=IDS)
def test_stateful_schedule_equals_mxnet_at_every_update_1_to_1000(case):
    s = _make(case)
    got = np.array([s(n) for n in range(1, 1001)])
    np.testing.assert_array_equal(got, REF[case["name"]])  # the same float arithmetic


@pytest.mark.parametrize("case", SCHEDULE_CASES, ids=IDS)
def test_pure_lr_at_equals_mxnet_inside_jitted_scan_and_continues_from_a_snapshot(case):
    """lr_at(n) with a traced n inside lax.scan equals MXNet at 1..1000; lr_at(n, state)
    from a snapshot after 350 stateful calls continues the stateful schedule."""
    s = _make(case)
    ref = REF[case["name"]]
    s_half = _make(case)
    for n in range(1, 351):
        s_half(n)
    snap = s_half.lr_state(350)

    def body(nu, _):
        return nu + 1, (s.lr_at(nu + 1), s_half.lr_at(nu + 1, snap))

    with jax.enable_x64(True):
        _, (scanned, cont) = jax.jit(
            lambda: jax.lax.scan(body, jnp.int32(0), None, length=1000))()
    np.testing.assert_allclose(np.asarray(scanned), ref, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.asarray(cont)[350:], ref[350:], rtol=1e-12, atol=1e-15)


def test_factor_and_multifactor_log_mxnets_lines_on_the_root_logger(caplog):
    for name in ("factor_warm_linear", "multifactor_warm_const", "factor_every_step"):
        case = next(c for c in SCHEDULE_CASES if c["name"] == name)
        caplog.clear()
        s = _make(case)
        with caplog.at_level(logging.INFO):
            for n in range(1, 1001):
                s(n)
        assert [r.name for r in caplog.records] == ["root"] * len(caplog.records)
        assert [r.getMessage() for r in caplog.records] == LOGS[name]
    assert LOGS["factor_warm_linear"][-1] == ("Update[901]: now learning rate arrived at "
                                             "1.00000e-04, will not change in the future")


def test_poly_first_called_past_max_update_keeps_base_lr_like_mxnet():
    s = lrs.PolyScheduler(max_update=10, base_lr=0.1, final_lr=0.01)
    assert s(20) == 0.1  # MXNet never evaluated the formula: base_lr stays
    fresh = lrs.PolyScheduler(max_update=10, base_lr=0.1, final_lr=0.01)
    with jax.enable_x64(True):
        assert float(fresh.lr_at(20, fresh.lr_state(19))) == 0.1
        assert float(fresh.lr_at(20)) == pytest.approx(0.01)  # in order from 1: at max_update


def test_warmup_final_lr_is_the_constructor_base_lr_even_if_an_optimizer_overwrites_it():
    import mxjax.optimizer as O

    s = lrs.FactorScheduler(step=100, base_lr=0.1, warmup_steps=4, warmup_begin_lr=0.0)
    O.SGD(learning_rate=0.2, lr_scheduler=s)
    assert s.base_lr == 0.2 and s.warmup_final_lr == 0.1
    assert [s(n) for n in (2, 4)] == [0.05, 0.2]


@pytest.mark.parametrize("make,msg", [
    (lambda: lrs.FactorScheduler(step=0), "greater or equal than 1"),
    (lambda: lrs.FactorScheduler(step=1, factor=1.5), "no more than 1"),
    (lambda: lrs.MultiFactorScheduler(step=[5, 5]), "increasing integer list"),
    (lambda: lrs.PolyScheduler(max_update=0), "strictly positive"),
    (lambda: lrs.CosineScheduler(max_update=10, base_lr=0.1, warmup_begin_lr=0.5),
     "higher than warmup_begin_lr"),
    (lambda: lrs.LRScheduler(warmup_mode="cubic"), "linear and constant"),
    (lambda: lrs.LRScheduler(warmup_steps=-1), "positive or 0"),
])
def test_invalid_arguments_raise_mxnets_value_errors(make, msg):
    with pytest.raises(ValueError, match=msg):
        make()


def test_only_schedulers_with_a_matching_pure_rule_are_fused():
    class Custom(lrs.FactorScheduler):
        def __call__(self, num_update):
            return 0.5

    class Renamed(lrs.CosineScheduler):
        pass

    assert lrs.has_pure_schedule(lrs.FactorScheduler(step=3))
    assert lrs.has_pure_schedule(Renamed(max_update=5))
    assert not lrs.has_pure_schedule(Custom(step=3))
    assert not lrs.has_pure_schedule(object())
