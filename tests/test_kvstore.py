"""mx.kv.create / KVStore: MXNet 1.9.1's kvstore semantics for dense arrays, in one process.

Reference numbers marked "MXNet 1.9.1" were produced with mxnet 1.9.1 (pip) running the
same calls; the multi-process (dist_sync) behaviour is in tests/test_launch.py.
"""

from __future__ import annotations

import logging
import os

import numpy as np
import pytest

import mxjax as mx
from mxjax import kvstore as kvs
from mxjax.base import MXNetError

SHAPE = (2, 3)


def _np(a):
    return a.asnumpy()


def _optimizer_module():
    return pytest.importorskip("mxjax.optimizer",
                               reason="mxjax.optimizer is not importable yet (being written)")


@pytest.fixture(autouse=True)
def _no_launch_env(monkeypatch):
    for var in ("MXJAX_COORDINATOR_ADDRESS", "MXJAX_NUM_WORKERS", "MXJAX_RANK",
                "DMLC_PS_ROOT_URI", "DMLC_PS_ROOT_PORT", "DMLC_NUM_WORKER", "DMLC_TASK_ID",
                "DMLC_ROLE"):
        monkeypatch.delenv(var, raising=False)


# ------------------------------------------------------------------------- create
@pytest.mark.parametrize("name,expected", [("local", "local"), ("device", "device"),
                                           ("nccl", "nccl"), ("LOCAL", "local")])
def test_create_single_process_kinds_report_type_rank_and_one_worker(name, expected):
    kv = kvs.create(name)
    assert (kv.type, kv.rank, kv.num_workers) == (expected, 0, 1)


def test_create_default_is_local():
    assert kvs.create().type == "local"


def test_create_with_a_non_string_name_is_a_type_error():
    with pytest.raises(TypeError, match="name must be a string"):
        kvs.create(3)


@pytest.mark.parametrize("name", ["dist_async", "dist_async_device"])
def test_dist_async_is_refused_with_a_clear_error(name):
    with pytest.raises(MXNetError, match="asynchronous training is not supported"):
        kvs.create(name)


@pytest.mark.parametrize("name", ["horovod", "byteps"])
def test_horovod_and_byteps_are_refused(name):
    with pytest.raises(MXNetError, match="not supported"):
        kvs.create(name)


def test_dist_sync_without_a_launcher_runs_as_one_worker(caplog):
    with caplog.at_level(logging.WARNING, logger="mxjax.kvstore"):
        kv = kvs.create("dist_sync")
    assert (kv.type, kv.rank, kv.num_workers) == ("dist_sync", 0, 1)
    assert "single worker" in caplog.text
    kv.init(0, mx.nd.zeros(SHAPE))
    out = mx.nd.zeros(SHAPE)
    kv.pushpull(0, [mx.nd.ones(SHAPE), mx.nd.ones(SHAPE) * 2], out=out)
    np.testing.assert_array_equal(_np(out), np.full(SHAPE, 3.0))


def test_registered_kvstore_class_is_found_by_create():
    @kvs.KVStoreBase.register
    class MyTestStore(kvs.KVStoreBase):
        pass

    try:
        assert isinstance(kvs.create("myteststore"), MyTestStore)
    finally:
        del kvs.KVStoreBase.kv_registry["myteststore"]


# ---------------------------------------------------------------- init / pull
def test_init_then_pull_copies_the_value_into_every_out():
    kv = kvs.create()
    kv.init(3, mx.nd.ones(SHAPE) * 2)
    outs = [mx.nd.zeros(SHAPE), mx.nd.zeros(SHAPE)]
    kv.pull(3, out=outs)
    for o in outs:
        np.testing.assert_array_equal(_np(o), np.full(SHAPE, 2.0))


def test_init_stores_a_copy_not_the_callers_array():
    kv = kvs.create()
    v = mx.nd.ones(SHAPE)
    kv.init("k", v)
    v[:] = 7
    out = mx.nd.zeros(SHAPE)
    kv.pull("k", out=out)
    np.testing.assert_array_equal(_np(out), np.ones(SHAPE))


def test_lists_of_keys_with_lists_of_outs_per_key():
    kv = kvs.create()
    kv.init([5, 7], [mx.nd.ones(SHAPE), mx.nd.ones(SHAPE) * 3])
    outs = [[mx.nd.zeros(SHAPE), mx.nd.zeros(SHAPE)], [mx.nd.zeros(SHAPE)]]
    kv.pull([5, 7], out=outs)
    assert [float(_np(o)[0, 0]) for group in outs for o in group] == [1.0, 1.0, 3.0]


def test_pull_before_init_is_an_error():
    kv = kvs.create()
    with pytest.raises(MXNetError, match="key 30 has not been inited"):
        kv.pull(30, out=mx.nd.zeros(SHAPE))


def test_push_before_init_is_an_error():
    kv = kvs.create()
    with pytest.raises(MXNetError, match="key 33 has not been inited"):
        kv.push(33, mx.nd.ones(SHAPE))


def test_duplicate_init_is_an_error():
    kv = kvs.create()
    kv.init(3, mx.nd.ones(SHAPE))
    with pytest.raises(MXNetError, match="duplicate init of key 3"):
        kv.init(3, mx.nd.ones(SHAPE))


def test_pull_without_out_asserts_like_mxnet():
    kv = kvs.create()
    kv.init(1, mx.nd.ones(SHAPE))
    with pytest.raises(AssertionError):
        kv.pull(1)


def test_pull_into_a_different_shape_is_an_error():
    kv = kvs.create()
    kv.init(1, mx.nd.ones(SHAPE))
    with pytest.raises(MXNetError, match=r"shape mismatch.*\(2, 3\).*\(3, 3\)"):
        kv.pull(1, out=mx.nd.zeros((3, 3)))


def test_pull_casts_to_the_out_dtype():
    kv = kvs.create()
    kv.init(1, mx.nd.ones(SHAPE))
    out = mx.nd.zeros(SHAPE, dtype="float16")
    kv.pull(1, out=out)
    assert out.dtype == np.float16
    np.testing.assert_array_equal(_np(out), np.ones(SHAPE, np.float16))


def test_keys_and_values_of_different_lengths_assert():
    kv = kvs.create()
    with pytest.raises(AssertionError, match="2 keys"):
        kv.init([1, 2], [mx.nd.ones(SHAPE)])


def test_bad_key_and_value_types():
    kv = kvs.create()
    with pytest.raises(AssertionError, match="unexpected type for keys"):
        kv.init(2.0, mx.nd.ones(SHAPE))
    with pytest.raises(TypeError, match="NDArray"):
        kv.init(4, 1.0)


def test_mixed_key_types_in_one_call_and_across_calls():
    kv = kvs.create()
    with pytest.raises(AssertionError, match="inconsistent types of keys"):
        kv.init(["w", 3], [mx.nd.ones(SHAPE)] * 2)
    kv.init("w", mx.nd.ones(SHAPE))
    with pytest.raises(MXNetError, match="Mixed key types are not allowed"):
        kv.init(5, mx.nd.ones(SHAPE))


# ----------------------------------------------------------------------- push
def test_push_sums_a_list_of_device_values():
    kv = kvs.create()
    kv.init(3, mx.nd.ones(SHAPE) * 2)
    kv.push(3, [mx.nd.ones(SHAPE)] * 4)
    out = mx.nd.zeros(SHAPE)
    kv.pull(3, out=out)
    np.testing.assert_array_equal(_np(out), np.full(SHAPE, 4.0))  # replaced, not added


def test_push_sums_values_of_a_repeated_key():
    # MXNet 1.9.1: push([1, 1], [ones, 2*ones]) then pull(1) -> 3
    kv = kvs.create()
    kv.init(1, mx.nd.zeros(SHAPE))
    kv.push([1, 1], [mx.nd.ones(SHAPE), mx.nd.ones(SHAPE) * 2])
    out = mx.nd.zeros(SHAPE)
    kv.pull(1, out=out)
    np.testing.assert_array_equal(_np(out), np.full(SHAPE, 3.0))


def test_push_keeps_the_stored_dtype():
    kv = kvs.create("device")
    kv.init(1, mx.nd.ones((2,)))
    kv.push(1, mx.nd.ones((2,), dtype="float64") * 3)
    out = mx.nd.zeros((2,))
    kv.pull(1, out=out)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(_np(out), [3.0, 3.0])


def test_push_of_a_different_shape_is_an_error():
    kv = kvs.create()
    kv.init(1, mx.nd.ones(SHAPE))
    with pytest.raises(MXNetError, match=r"shape mismatch.*\(3, 3\).*\(2, 3\)"):
        kv.push(1, [mx.nd.ones(SHAPE), mx.nd.ones((3, 3))])


def test_pushpull_with_out_and_into_the_values():
    kv = kvs.create()
    kv.init("w", mx.nd.zeros(SHAPE))
    out = mx.nd.zeros(SHAPE)
    kv.pushpull("w", mx.nd.ones(SHAPE) * 3, out=out)
    np.testing.assert_array_equal(_np(out), np.full(SHAPE, 3.0))
    vals = [mx.nd.ones(SHAPE), mx.nd.ones(SHAPE) * 2]
    kv.pushpull("w", vals)  # out=None: the summed value is written back into each value
    for v in vals:
        np.testing.assert_array_equal(_np(v), np.full(SHAPE, 3.0))


def test_broadcast_inits_and_pulls_and_only_once_per_key():
    kv = kvs.create()
    outs = [mx.nd.zeros(SHAPE), mx.nd.zeros(SHAPE)]
    kv.broadcast("b", mx.nd.ones(SHAPE) * 7, out=outs)
    for o in outs:
        np.testing.assert_array_equal(_np(o), np.full(SHAPE, 7.0))
    with pytest.raises(MXNetError, match="duplicate init of key b"):
        kv.broadcast("b", mx.nd.ones(SHAPE) * 8, out=outs)


def test_custom_updater_gets_key_merged_and_stored():
    # MXNet's _set_updater doc example: stored += input * 2, 2 + 2*1 = 4.
    seen = []

    def update(key, merged, stored):
        seen.append(key)
        stored += merged * 2

    kv = kvs.create()
    kv._set_updater(update)
    kv.init("3", mx.nd.ones(SHAPE) * 2)
    kv.push("3", mx.nd.ones(SHAPE))
    out = mx.nd.zeros(SHAPE)
    kv.pull("3", out=out)
    np.testing.assert_array_equal(_np(out), np.full(SHAPE, 4.0))
    assert seen == ["3"]  # str keys reach the updater as str


def test_unsupported_features_raise_mxneterror():
    kv = kvs.create()
    with pytest.raises(MXNetError, match="gradient compression"):
        kv.set_gradient_compression({"type": "2bit"})
    with pytest.raises(MXNetError, match="row_sparse_pull"):
        kv.row_sparse_pull(1, out=mx.nd.zeros(SHAPE), row_ids=mx.nd.zeros((1,)))
    assert kv.is_capable("optimizer") is True
    kv._barrier()  # one worker: returns at once


# ------------------------------------------------------------------ optimizer
W0 = [[1.0, -2.0], [0.5, 3.0]]
G1 = [[1.0, 2.0], [3.0, 4.0]]
G2 = [[0.5, -1.0], [2.0, 0.0]]
# MXNet 1.9.1: kv.init('w', W0); kv.set_optimizer(SGD(learning_rate=0.1, momentum=0.9,
# wd=0.01, rescale_grad=0.5)); kv.push('w', [G1, G2]); pull -> AFTER_1;
# kv.pushpull('w', G1, out=out) -> AFTER_2.
AFTER_1 = [[0.9240000247955322, -2.0480000972747803], [0.24950000643730164, 2.796999931335449]]
AFTER_2 = [[0.8046760559082031, -2.1891520023345947], [-0.12619951367378235, 2.4115028381347656]]


def _sgd_store(opt):
    kv = kvs.create("local")
    kv.init("w", mx.nd.array(W0))
    kv.set_optimizer(opt.SGD(learning_rate=0.1, momentum=0.9, wd=0.01, rescale_grad=0.5))
    return kv


def test_set_optimizer_runs_sgd_on_the_summed_push_like_mxnet():
    opt = _optimizer_module()
    kv = _sgd_store(opt)
    kv.push("w", [mx.nd.array(G1), mx.nd.array(G2)])
    out = mx.nd.zeros((2, 2))
    kv.pull("w", out=out)
    np.testing.assert_allclose(_np(out), AFTER_1, rtol=1e-6)
    kv.pushpull("w", mx.nd.array(G1), out=out)
    np.testing.assert_allclose(_np(out), AFTER_2, rtol=1e-6)


def test_save_and_load_optimizer_states_resume_momentum(tmp_path):
    opt = _optimizer_module()
    fname = tmp_path / "kv.states"
    kv = _sgd_store(opt)
    kv.push("w", [mx.nd.array(G1), mx.nd.array(G2)])
    kv.save_optimizer_states(str(fname))
    assert fname.exists() and os.listdir(tmp_path) == ["kv.states"]  # no temp file left

    def resumed(load: bool):
        kv2 = kvs.create("local")
        kv2.init("w", mx.nd.array(AFTER_1))
        kv2.set_optimizer(opt.SGD(learning_rate=0.1, momentum=0.9, wd=0.01, rescale_grad=0.5))
        if load:
            kv2.load_optimizer_states(str(fname))
        out = mx.nd.zeros((2, 2))
        kv2.pushpull("w", mx.nd.array(G1), out=out)
        return _np(out)

    np.testing.assert_allclose(resumed(True), AFTER_2, rtol=1e-6)
    assert not np.allclose(resumed(False), AFTER_2, rtol=1e-6)  # the momentum matters


def test_save_optimizer_states_with_dump_optimizer_restores_the_optimizer(tmp_path):
    opt = _optimizer_module()
    fname = tmp_path / "kv.states"
    kv = _sgd_store(opt)
    kv.push("w", [mx.nd.array(G1), mx.nd.array(G2)])
    kv.save_optimizer_states(str(fname), dump_optimizer=True)
    kv2 = kvs.create("local")
    kv2.init("w", mx.nd.array(AFTER_1))
    kv2.set_optimizer(opt.SGD(learning_rate=5.0))  # replaced by the dumped optimizer
    kv2.load_optimizer_states(str(fname))
    out = mx.nd.zeros((2, 2))
    kv2.pushpull("w", mx.nd.array(G1), out=out)
    np.testing.assert_allclose(_np(out), AFTER_2, rtol=1e-6)


def test_optimizer_states_need_an_optimizer(tmp_path):
    kv = kvs.create()
    with pytest.raises(AssertionError, match="set_optimizer"):
        kv.save_optimizer_states(str(tmp_path / "x.states"))
    with pytest.raises(AssertionError, match="set_optimizer"):
        kv.load_optimizer_states(str(tmp_path / "x.states"))
