"""``mx.Context``, ``mx.cpu``/``mx.gpu``, ``current_context`` and ``num_gpus`` (MXNet 1.9.1).

Expected values were checked with the real MXNet 1.9.1 CPU build: contexts
print as ``cpu(0)``, compare by (type, id), hash alike, and ``with ctx:`` sets
the default; making ``mx.gpu(0)`` never fails, using it without a GPU does.
"""

from __future__ import annotations

import pickle
import threading

import numpy as np
import pytest

import mxjax as mx


def test_str_repr_equality_and_hash_follow_mxnet():
    assert str(mx.cpu()) == "cpu(0)" and repr(mx.gpu(1)) == "gpu(1)"
    assert mx.cpu() == mx.cpu(0) and mx.cpu() != mx.gpu() and mx.cpu(0) != mx.cpu(1)
    assert str(mx.Context("gpu", 2)) == "gpu(2)"
    assert mx.Context(mx.gpu(3)) == mx.gpu(3)  # copy constructor
    assert mx.Context(2, 1) == mx.gpu(1)  # MXNet's device type ids: 1 cpu, 2 gpu
    assert {mx.cpu(): 1}[mx.cpu(0)] == 1
    assert mx.cpu().device_typeid == 1 and mx.gpu().device_typeid == 2
    assert mx.cpu() != "cpu(0)"


def test_unknown_device_type_is_mxnets_key_error():
    with pytest.raises(KeyError, match="tpu"):
        mx.Context("tpu")


def test_current_context_defaults_to_cpu0_and_with_blocks_nest():
    assert mx.current_context() == mx.cpu(0)
    with mx.cpu(1):
        assert mx.current_context() == mx.cpu(1)
        with mx.gpu(1):  # entering a GPU context needs no GPU
            assert mx.context.current_context() == mx.gpu(1)
        assert mx.current_context() == mx.cpu(1)
        assert mx.nd.zeros((1,)).context == mx.cpu(1)  # arrays follow the default
    assert mx.current_context() == mx.cpu(0)
    with pytest.warns(DeprecationWarning):
        assert mx.Context.default_ctx == mx.cpu(0)


def test_with_context_is_per_thread():
    seen = []
    with mx.cpu(3):
        t = threading.Thread(target=lambda: seen.append(mx.current_context()))
        t.start()
        t.join()
    assert seen == [mx.cpu(0)]


def test_cpu_contexts_map_onto_jax_cpu_devices():
    import jax

    cpus = jax.devices("cpu")
    assert mx.cpu(0).jax_device == cpus[0]
    # MXNet lets cpu(i) name any number of logical devices on one CPU
    assert mx.cpu(len(cpus) + 5).jax_device in cpus
    a = mx.nd.ones((2,), ctx=mx.cpu(1))
    assert a.context == mx.cpu(1)
    np.testing.assert_array_equal(a.as_in_context(mx.cpu(0)).asnumpy(), [1, 1])


def test_num_gpus_matches_jax():
    import jax

    try:
        n = len(jax.devices("gpu"))
    except RuntimeError:
        n = 0
    assert mx.context.num_gpus() == mx.num_gpus() == n


def test_gpu_on_a_cpu_machine_is_a_clear_mxnet_error():
    if mx.num_gpus():
        pytest.skip("this machine has a GPU")
    ctx = mx.gpu(0)  # making the context is fine, as in MXNet
    with pytest.raises(mx.MXNetError, match=r"gpu\(0\) was requested but this machine has no "
                                            r"GPU.*use mx.cpu\(\)"):
        _ = ctx.jax_device
    with pytest.raises(mx.MXNetError, match="no GPU"):
        mx.nd.ones((2,), ctx=ctx)
    x = mx.sym.var("x")
    with pytest.raises(mx.MXNetError, match="no GPU"):
        (x * 2).simple_bind(ctx, x=(2,))


def test_contexts_pickle():
    ctx = mx.gpu(2)
    assert pickle.loads(pickle.dumps(ctx)) == ctx
    c = mx.cpu()
    _ = c.jax_device  # a cached jax device does not get in the way
    assert pickle.loads(pickle.dumps(c)) == c
