"""Updater.get_states / set_states: MXNet's API, mxjax's pickle-free format."""

from __future__ import annotations

import copy
import json
import os
import pickle
from pathlib import Path

import numpy as np
import pytest

import mxjax as mx
import mxjax.lr_scheduler as lrs
import mxjax.optimizer as O
from mxjax.base import MXNetError
from mxjax.ndarray.utils import load_frombuffer, save_tobuffer
from mxjax.optimizer.states import META_KEY, loads_states

SHAPES = [(3, 4)] * 3


def _data(step, dtype="float32"):
    rng = np.random.RandomState(step)
    return [mx.nd.array(rng.standard_normal(s), dtype=dtype) for s in SHAPES]


def _run(upd, ws, steps, dtype="float32"):
    for k in steps:
        upd([0, 1, 2], _data(100 + k, dtype), ws)


@pytest.mark.parametrize("make,dtype", [
    (lambda: O.SGD(learning_rate=0.1, momentum=0.9, wd=0.01), "float32"),
    (lambda: O.SGD(learning_rate=0.1), "float32"),  # states are None
    (lambda: O.NAG(learning_rate=0.1, momentum=0.9, multi_precision=True), "float16"),
    (lambda: O.Adam(learning_rate=0.01, clip_gradient=0.5), "float32"),
    (lambda: O.RMSProp(centered=True), "float32"),
    (lambda: O.DCASGD(momentum=0.0), "float32"),
    (lambda: O.Nadam(), "float64"),
], ids=["sgd_mom", "sgd_none", "nag_mp_f16", "adam", "rmsprop_centered", "dcasgd", "nadam"])
def test_states_round_trip_through_get_states_and_set_states(make, dtype):
    ws = _data(0, dtype)
    upd = O.get_updater(make())
    _run(upd, ws, range(3), dtype)
    blob = upd.get_states()
    assert isinstance(blob, bytes)
    # a second updater (its optimizer's bookkeeping copied) restored from the bytes
    # continues exactly like the first one
    opt2 = make()
    opt2.__setstate__(copy.deepcopy(upd.optimizer.__getstate__()))
    upd2 = O.get_updater(opt2)
    upd2.set_states(blob)
    assert sorted(upd2.states) == [0, 1, 2]
    assert not any(upd2.states_synced.values())  # re-synced to the weights' context lazily
    ws2 = [w.copy() for w in ws]
    _run(upd, ws, range(3, 5), dtype)
    _run(upd2, ws2, range(3, 5), dtype)
    for a, b in zip(ws, ws2, strict=True):
        np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())
    assert _structure(upd2.states[0]) == _structure(upd.states[0])


def _structure(state):
    if state is None:
        return "N"
    if isinstance(state, mx.nd.NDArray):
        return f"A{state.dtype.__name__}{state.shape}"
    return "(" + ",".join(_structure(s) for s in state) + ")"


def test_state_file_is_an_mxnet_ndarray_dict_with_json_metadata():
    upd = O.get_updater(O.Adam())
    ws = _data(0)
    _run(upd, ws, range(2))
    loaded = load_frombuffer(upd.get_states())
    assert isinstance(loaded, dict) and META_KEY in loaded
    assert loaded[META_KEY].dtype == np.uint8
    meta = json.loads(loaded[META_KEY].asnumpy().tobytes())
    assert meta["format"] == "mxjax.optimizer_states" and meta["optimizer"] is None
    assert [e[0] for e in meta["states"]] == [0, 1, 2]
    mean_key = meta["states"][0][1]["tuple"][0]["array"]
    np.testing.assert_array_equal(loaded[mean_key].asnumpy(), upd.states[0][0].asnumpy())


def test_dump_optimizer_restores_optimizer_counts_and_scheduler_state():
    sched = lrs.FactorScheduler(step=2, factor=0.5, base_lr=0.1)
    opt = O.Nadam(learning_rate=0.1, lr_scheduler=sched, wd=0.01,
                  param_idx2name={0: "a_weight", 1: "b_bias", 2: "c_weight"})
    opt.set_lr_mult({"c_weight": 0.5})
    upd = O.get_updater(opt)
    ws = _data(0)
    _run(upd, ws, range(5))
    blob = upd.get_states(dump_optimizer=True)

    fresh = O.get_updater(O.SGD())
    fresh.set_states(blob)
    o2 = fresh.optimizer
    assert type(o2) is O.Nadam and o2 is not opt
    assert o2.num_update == 5 and o2._index_update_count == {0: 5, 1: 5, 2: 5}
    assert o2._index_update_count is o2._all_index_update_counts[0]
    assert o2.m_schedule == opt.m_schedule and o2.lr_mult == {"c_weight": 0.5}
    assert o2.idx2name == opt.idx2name and o2.wd_mult == opt.wd_mult
    assert type(o2.lr_scheduler) is lrs.FactorScheduler
    assert o2.lr_scheduler.base_lr == sched.base_lr and o2.lr_scheduler.count == sched.count
    ws2 = [w.copy() for w in ws]
    _run(upd, ws, range(5, 8))
    _run(fresh, ws2, range(5, 8))
    for a, b in zip(ws, ws2, strict=True):
        np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())


FIX = Path(__file__).resolve().parents[1] / "fixtures" / "mxnet_states"
RESUME = dict(np.load(FIX / "resume.npz"))
CASES = json.loads((FIX / "cases.json").read_text())


@pytest.mark.parametrize("case", sorted(CASES))
def test_module_resumes_from_mxnets_own_pickled_states_like_mxnet(case):
    """MXNet 1.9.1 wrote <case>-0002.{params,states} (tests/optimizer/record_mxnet_states.py)
    and resumed for two batches: mxjax resumes from the same files to the same weights."""
    spec = CASES[case]
    mod = mx.mod.Module.load(str(FIX / case), 2, load_optimizer_states=True)
    mod.bind([("data", (4, 5))], [("softmax_label", (4,))])
    mod.init_optimizer(optimizer=spec["optimizer"], optimizer_params=spec["params"])
    for i in (2, 3):
        mod.forward_backward(mx.io.DataBatch([mx.nd.array(RESUME[f"x{i}"])],
                                             [mx.nd.array(RESUME[f"y{i}"])]))
        mod.update()
        for k, v in mod.get_params()[0].items():
            np.testing.assert_allclose(v.asnumpy(), RESUME[f"{case}_after{i}_{k}"],
                                       rtol=1e-5, atol=1e-7, err_msg=f"{case} {i} {k}")


def test_mxnet_pickled_states_read_as_mxnet_wrote_them():
    states, opt = loads_states((FIX / "adam-0002.states").read_bytes())
    assert opt is None and sorted(states) == [0, 1, 2, 3]
    mean, var = states[0]
    assert mean.shape == var.shape == (6, 5) and mean.dtype == np.float32
    assert (var.asnumpy() > 0).all()


class _Boom:
    def __reduce__(self):
        return (os.system, ("echo should-not-run",))


def test_a_pickle_naming_other_code_is_refused_before_anything_runs(capfd):
    blob = pickle.dumps({0: _Boom()})
    with pytest.raises(MXNetError, match="refusing .* name (posix|os)\\.system"):
        O.get_updater(O.SGD()).set_states(blob)
    assert "should-not-run" not in capfd.readouterr().out
    with pytest.raises(MXNetError, match="malformed MXNet optimizer states"):
        loads_states((FIX / "sgd-0002.states").read_bytes()[:-20])
    with pytest.raises(MXNetError, match="dict of states"):
        loads_states(pickle.dumps([1, 2]))


def test_malformed_state_bytes_raise_mxnet_error():
    upd = O.get_updater(O.SGD())
    with pytest.raises(MXNetError):
        upd.set_states(b"garbage bytes that are not an NDArray file")
    with pytest.raises(MXNetError, match="not an mxjax optimizer state file"):
        upd.set_states(save_tobuffer({"x": mx.nd.ones((2,))}))


def test_zero_dim_and_nested_user_states_round_trip():
    class Odd(O.Optimizer):
        def create_state(self, index, weight):
            return (mx.nd.array(np.float32(3.0)).reshape(()), [None, 2, "x", 1.5],
                    {"k": mx.nd.ones((2,), dtype="int32")}, float("inf"))

        def update(self, index, weight, grad, state):
            weight[:] += grad

    upd = O.get_updater(Odd())
    upd(0, mx.nd.ones((2,)), mx.nd.zeros((2,)))
    upd2 = O.get_updater(Odd())
    upd2.set_states(upd.get_states())
    s = upd2.states[0]
    assert s[0].shape == () and float(s[0].asnumpy()) == 3.0
    assert s[1] == [None, 2, "x", 1.5] and s[3] == float("inf")
    assert s[2]["k"].dtype == np.int32


def test_unencodable_state_is_an_error_naming_the_index():
    class Bad(O.Optimizer):
        def create_state(self, index, weight):
            return object()

        def update(self, index, weight, grad, state):
            pass

    upd = O.get_updater(Bad())
    upd(7, mx.nd.ones((2,)), mx.nd.zeros((2,)))
    with pytest.raises(MXNetError, match="state of index 7"):
        upd.get_states()
