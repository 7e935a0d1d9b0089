"""Module over several devices in one process (SPEC §2.3, issue 8): MXNet's data parallelism.

``context=[mx.cpu(0), mx.cpu(1)]``: the batch is split over the devices, each device runs
the network on its slice (BatchNorm statistics, ``normalization='batch'`` counts and
metric updates are per slice, as in MXNet), the devices' gradients are summed before the
update, and outputs/predict look as with one device.

JAX fixes the number of CPU devices when it starts, so the two-device runs happen in one
subprocess started with ``XLA_FLAGS=--xla_force_host_platform_device_count=2`` (``WORKER``
below). It saves what each scenario produced; the tests compare that with the same code
on one device and with MXNet's formulas computed here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import mxjax as mx

TOL = 1e-5
BN_EPS = 1e-3  # MXNet's BatchNorm default
BN_MOMENTUM = 0.9
LAUNCH_VARS = ("MXJAX_COORDINATOR_ADDRESS", "MXJAX_NUM_WORKERS", "MXJAX_RANK",
               "DMLC_PS_ROOT_URI", "DMLC_PS_ROOT_PORT", "DMLC_NUM_WORKER", "DMLC_TASK_ID",
               "DMLC_ROLE", "MXJAX_DISTRIBUTED_PID")

WORKER = textwrap.dedent('''
    import json, os, sys
    import numpy as np
    import jax
    import mxjax as mx

    out = sys.argv[1]
    assert len(jax.local_devices()) == 2, jax.local_devices()
    ONE, TWO = mx.cpu(), [mx.cpu(0), mx.cpu(1)]
    arrays, info = {}, {}

    path = os.path.join(os.path.dirname(mx.__file__), "datasets", "letter-recognition.data")
    data = np.genfromtxt(path, delimiter=",", max_rows=640)[:, 1:].astype(np.float32)
    with open(path) as f:
        label = np.array([ord(next(f).split(",")[0]) - ord("A") for _ in range(640)],
                         np.float32)

    def tutorial_mlp():
        net = mx.sym.Variable("data")
        net = mx.sym.FullyConnected(net, name="fc1", num_hidden=64)
        net = mx.sym.Activation(net, name="relu1", act_type="relu")
        net = mx.sym.FullyConnected(net, name="fc2", num_hidden=26)
        return mx.sym.SoftmaxOutput(net, name="softmax")

    def save_params(tag, mod):
        args, auxs = mod.get_params()
        for k, v in list(args.items()) + list(auxs.items()):
            arrays[f"{tag}/{k}"] = v.asnumpy()

    # ---- fit: the tutorial MLP, one epoch, same global batch and shuffled order
    for tag, ctx, cb in (("fit1", ONE, None), ("fit2", TWO, None),
                         ("fit2_steps", TWO, lambda p: None)):
        mx.random.seed(7)
        np.random.seed(7)
        it = mx.io.NDArrayIter(data, label, 32, shuffle=True)
        metric = mx.metric.create(["acc", "mse"])
        mod = mx.mod.Module(tutorial_mlp(), context=ctx)
        mod.fit(it, eval_metric=metric, num_epoch=1, optimizer="sgd",
                optimizer_params={"learning_rate": 0.1}, initializer=mx.init.Xavier(),
                batch_end_callback=cb)
        save_params(tag, mod)
        acc, mse = metric.metrics
        info[tag] = {"acc_sum": acc.global_sum_metric, "acc_num": acc.global_num_inst,
                     "mse_num": mse.global_num_inst,
                     "scanned": mod._engine.last_epoch_scanned,
                     "kv": None if mod._kvstore is None else mod._kvstore.type,
                     "rescale": mod._optimizer.rescale_grad}
        if tag == "fit2":
            fit2 = mod
            pit = mx.io.NDArrayIter(data[:100], label[:100], 32)  # last batch padded
            arrays["predict2"] = mod.predict(pit).asnumpy()
            one = mx.mod.Module(tutorial_mlp(), context=ONE)
            one.bind(pit.provide_data, pit.provide_label, for_training=False)
            one.set_params(*mod.get_params())
            arrays["predict1"] = one.predict(pit).asnumpy()
            info["score"] = [mod.score(pit, "acc")[0][1], one.score(pit, "acc")[0][1]]

    # ---- the intermediate API: forward / update_metric / backward / update
    for tag, ctx, kv in (("loop1", ONE, "local"), ("loop2", TWO, "local"),
                         ("loop2dev", TWO, "device")):
        mx.random.seed(3)
        it = mx.io.NDArrayIter(data, label, 32)
        mod = mx.mod.Module(tutorial_mlp(), context=ctx)
        mod.bind(it.provide_data, it.provide_label)
        mod.init_params(mx.init.Xavier())
        mod.init_optimizer(kvstore=kv, optimizer="sgd",
                           optimizer_params={"learning_rate": 0.1, "momentum": 0.9})
        metric = mx.metric.MSE()
        for batch in it:
            mod.forward(batch, is_train=True)
            mod.update_metric(metric, batch.label)
            mod.backward()
            mod.update()
        save_params(tag, mod)
        info[tag] = {"mse_num": metric.num_inst, "kv": None if mod._kvstore is None else
                     mod._kvstore.type, "nbatch": len(data) // 32}
        if tag == "loop2":
            mod.forward(mx.io.DataBatch([mx.nd.array(data[:32])], [mx.nd.array(label[:32])]),
                        is_train=False)
            arrays["merged"] = mod.get_outputs()[0].asnumpy()
            per_dev = mod.get_outputs(merge_multi_context=False)[0]
            arrays["dev0"], arrays["dev1"] = (o.asnumpy() for o in per_dev)
            info["dev_ctx"] = [str(o.context) for o in per_dev]
            one = mx.mod.Module(tutorial_mlp(), context=ONE)
            one.bind(it.provide_data, it.provide_label, for_training=False)
            one.set_params(*mod.get_params())
            one.forward(mx.io.DataBatch([mx.nd.array(data[:32])], [mx.nd.array(label[:32])]))
            arrays["merged1"] = one.get_outputs()[0].asnumpy()

    # ---- BatchNorm: batch statistics and moving statistics per device slice
    x = np.random.RandomState(0).randn(8, 3).astype(np.float32) * 3 + 1
    arrays["bn_x"] = x
    bn = mx.sym.MakeLoss(mx.sym.BatchNorm(mx.sym.Variable("data"), name="bn",
                                          fix_gamma=False), name="loss")
    mod = mx.mod.Module(bn, label_names=None, context=TWO)
    mod.bind([("data", (8, 3))])
    mod.init_params(mx.init.One())
    mod.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.0})
    mod.forward_backward(mx.io.DataBatch([mx.nd.array(x)]))
    arrays["bn_out"] = mod.get_outputs()[0].asnumpy()
    for k in range(2):
        aux = mod._exec_group.execs[k].aux_dict
        arrays[f"bn_mean_dev{k}"] = aux["bn_moving_mean"].asnumpy()
        arrays[f"bn_var_dev{k}"] = aux["bn_moving_var"].asnumpy()
    mod.update()
    _, auxs = mod.get_params()
    arrays["bn_mean_params"] = auxs["bn_moving_mean"].asnumpy()
    arrays["bn_var_params"] = auxs["bn_moving_var"].asnumpy()

    # ---- SoftmaxOutput(normalization='batch') divides by the device's batch; per-device grads
    sm = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.Variable("data"), name="fc",
                                                    num_hidden=4),
                              name="sm", normalization="batch")
    xs = np.random.RandomState(1).randn(8, 5).astype(np.float32)
    ys = (np.arange(8) % 4).astype(np.float32)
    arrays["sm_x"], arrays["sm_y"] = xs, ys
    mod = mx.mod.Module(sm, label_names=["sm_label"], context=TWO)
    mod.bind([("data", (8, 5))], [("sm_label", (8,))])
    mod.init_params(mx.init.Zero())
    mod.forward_backward(mx.io.DataBatch([mx.nd.array(xs)], [mx.nd.array(ys)]))
    for k in range(2):
        arrays[f"sm_wgrad_dev{k}"] = mod._exec_group.execs[k].grad_dict["fc_weight"].asnumpy()
    info["grad_arrays_len"] = len(mod._exec_group.grad_arrays[0])
    head = mx.sym.SoftmaxOutput(mx.sym.Variable("data"), name="sm", normalization="batch")
    mod = mx.mod.Module(head, label_names=["sm_label"], context=TWO)
    mod.bind([("data", (8, 5))], [("sm_label", (8,))], inputs_need_grad=True)
    mod.init_params()
    mod.forward_backward(mx.io.DataBatch([mx.nd.array(xs)], [mx.nd.array(ys)]))
    arrays["sm_input_grad"] = mod.get_input_grads()[0].asnumpy()
    per_dev = mod.get_input_grads(merge_multi_context=False)[0]
    arrays["sm_input_grad_dev0"], arrays["sm_input_grad_dev1"] = (g.asnumpy() for g in per_dev)

    # ---- what cannot be split evenly over the devices
    errors = {}
    for tag, wl, b in (("uneven_batch", None, 7), ("workload", [1, 3], 8), ("empty", None, 1)):
        try:
            m = mx.mod.Module(sm, label_names=["sm_label"], context=TWO, work_load_list=wl)
            m.bind([("data", (b, 5))], [("sm_label", (b,))])
            errors[tag] = None
        except Exception as err:
            errors[tag] = [type(err).__name__, str(err)]
    m = mx.mod.Module(sm, label_names=["sm_label"], context=TWO, work_load_list=[2, 2])
    m.bind([("data", (8, 5))], [("sm_label", (8,))])
    errors["equal_workload_ok"] = True
    info["errors"] = errors

    np.savez(os.path.join(out, "arrays.npz"), **arrays)
    with open(os.path.join(out, "info.json"), "w") as f:
        json.dump(info, f)
''')


def _env(devices: int = 2) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in LAUNCH_VARS}
    env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={devices}"
    env["JAX_PLATFORMS"] = "cpu"
    return env


@pytest.fixture(scope="module")
def two_devices(tmp_path_factory) -> tuple[dict, dict]:
    out = tmp_path_factory.mktemp("two_devices")
    res = subprocess.run([sys.executable, "-c", WORKER, str(out)], env=_env(), text=True,
                         capture_output=True, timeout=600)
    assert res.returncode == 0, res.stderr[-4000:]
    arrays = dict(np.load(out / "arrays.npz"))
    info = json.loads((out / "info.json").read_text())
    return arrays, info


def _params(arrays: dict, tag: str) -> dict:
    return {k.split("/", 1)[1]: v for k, v in arrays.items() if k.startswith(tag + "/")}


def _assert_same_params(arrays: dict, a: str, b: str) -> None:
    pa, pb = _params(arrays, a), _params(arrays, b)
    assert sorted(pa) == sorted(pb) == ["fc1_bias", "fc1_weight", "fc2_bias", "fc2_weight"]
    for k in pa:
        np.testing.assert_allclose(pb[k], pa[k], rtol=0, atol=TOL, err_msg=k)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# ----------------------------------------------------------------------- fit and the loop
def test_fit_one_epoch_on_two_devices_equals_one_device_with_the_same_global_batch(
        two_devices):
    arrays, info = two_devices
    _assert_same_params(arrays, "fit1", "fit2")
    assert info["fit2"]["scanned"]  # the epoch ran as one scanned call on both devices
    assert info["fit1"]["rescale"] == info["fit2"]["rescale"] == 1 / 32  # 1/global batch


def test_fit_with_a_batch_callback_on_two_devices_equals_one_device(two_devices):
    arrays, info = two_devices
    _assert_same_params(arrays, "fit1", "fit2_steps")
    assert not info["fit2_steps"]["scanned"]  # one compiled step per batch


def test_fit_updates_the_metric_once_per_device_slice(two_devices):
    _, info = two_devices
    nbatch = 640 // 32
    # accuracy counts samples: the same totals; MSE counts update calls: one per slice
    assert info["fit2"]["acc_num"] == info["fit1"]["acc_num"] == 640
    assert info["fit2"]["acc_sum"] == info["fit1"]["acc_sum"]
    assert info["fit1"]["mse_num"] == nbatch
    assert info["fit2"]["mse_num"] == 2 * nbatch


def test_intermediate_api_on_two_devices_equals_one_device(two_devices):
    arrays, info = two_devices
    _assert_same_params(arrays, "loop1", "loop2")
    assert info["loop1"]["mse_num"] == info["loop1"]["nbatch"]
    assert info["loop2"]["mse_num"] == 2 * info["loop2"]["nbatch"]  # update_metric per device


def test_kvstore_local_and_device_both_sum_the_devices_gradients(two_devices):
    arrays, info = two_devices
    # MXNet: one device + a non-dist name = no kvstore; several devices = a kvstore
    assert info["loop1"]["kv"] is None and info["fit1"]["kv"] is None
    assert info["loop2"]["kv"] == "local" and info["loop2dev"]["kv"] == "device"
    _assert_same_params(arrays, "loop2", "loop2dev")


# ---------------------------------------------------------------- outputs and predict
def test_get_outputs_is_merged_along_the_batch_axis_or_per_device(two_devices):
    arrays, info = two_devices
    merged = arrays["merged"]
    assert merged.shape == (32, 26)
    np.testing.assert_allclose(merged, arrays["merged1"], rtol=0, atol=1e-6)
    np.testing.assert_array_equal(arrays["dev0"], merged[:16])
    np.testing.assert_array_equal(arrays["dev1"], merged[16:])
    assert info["dev_ctx"] == ["cpu(0)", "cpu(1)"]


def test_predict_and_score_on_two_devices_match_one_device(two_devices):
    arrays, info = two_devices
    assert arrays["predict2"].shape == (100, 26)  # padding of the last batch removed
    np.testing.assert_allclose(arrays["predict2"], arrays["predict1"], rtol=0, atol=1e-6)
    assert info["score"][0] == info["score"][1]


# ------------------------------------------------------------------ per-device semantics
def test_batchnorm_normalises_each_device_slice_with_its_own_batch_statistics(two_devices):
    arrays, _ = two_devices
    x = arrays["bn_x"]

    def norm(s):  # BatchNorm in training: biased variance, eps 1e-3; gamma 1, beta 0
        return (s - s.mean(0)) / np.sqrt(s.var(0) + BN_EPS)  # (initializers set *_beta to 0)

    expected = np.concatenate([norm(x[:4]), norm(x[4:])])
    np.testing.assert_allclose(arrays["bn_out"], expected, rtol=0, atol=1e-5)
    assert np.abs(arrays["bn_out"] - norm(x)).max() > 1e-2  # not the whole batch's statistics


def test_batchnorm_moving_statistics_are_kept_per_device_and_averaged_by_get_params(
        two_devices):
    arrays, _ = two_devices
    x = arrays["bn_x"]
    slices = (x[:4], x[4:])
    for k, s in enumerate(slices):  # moving = momentum * moving + (1 - momentum) * batch stat
        np.testing.assert_allclose(arrays[f"bn_mean_dev{k}"], (1 - BN_MOMENTUM) * s.mean(0),
                                   rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(arrays[f"bn_var_dev{k}"],
                                   BN_MOMENTUM + (1 - BN_MOMENTUM) * s.var(0), rtol=1e-6)
    np.testing.assert_allclose(arrays["bn_mean_params"],
                               (arrays["bn_mean_dev0"] + arrays["bn_mean_dev1"]) / 2, rtol=1e-6)
    np.testing.assert_allclose(arrays["bn_var_params"],
                               (arrays["bn_var_dev0"] + arrays["bn_var_dev1"]) / 2, rtol=1e-6)


def test_softmax_normalization_batch_divides_by_the_device_batch(two_devices):
    arrays, _ = two_devices
    x, y = arrays["sm_x"], arrays["sm_y"].astype(int)
    # weights are zero: the FC output is zero, softmax is uniform; head = (p - onehot) / 4
    p = np.full((8, 4), 0.25, np.float32)
    p[np.arange(8), y] -= 1
    head = p / 4  # each device's batch is 4 rows, not 8
    # per-device weight gradients: each device's slice only (MXNet sums them in update)
    for k in range(2):
        rows = slice(4 * k, 4 * k + 4)
        np.testing.assert_allclose(arrays[f"sm_wgrad_dev{k}"], head[rows].T @ x[rows],
                                   rtol=1e-5, atol=1e-6)


def test_input_grads_are_per_slice_and_merged_along_the_batch_axis(two_devices):
    arrays, _ = two_devices
    x, y = arrays["sm_x"], arrays["sm_y"].astype(int)
    p = _softmax(x.astype(np.float64))
    p[np.arange(8), y] -= 1
    expected = p / 4  # normalization='batch': each device divides by its own 4 rows
    np.testing.assert_allclose(arrays["sm_input_grad"], expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(arrays["sm_input_grad_dev0"], arrays["sm_input_grad"][:4])
    np.testing.assert_array_equal(arrays["sm_input_grad_dev1"], arrays["sm_input_grad"][4:])


def test_grad_arrays_hold_one_array_per_device(two_devices):
    _, info = two_devices
    assert info["grad_arrays_len"] == 2


# ------------------------------------------------------------------------ refused splits
def test_uneven_batch_split_is_a_clear_error(two_devices):
    _, info = two_devices
    kind, msg = info["errors"]["uneven_batch"]
    assert kind == "MXNetError"
    assert "batch size 7" in msg and "[4, 3]" in msg  # MXNet's slices [0:4], [4:7]


def test_non_uniform_work_load_list_is_a_clear_error(two_devices):
    _, info = two_devices
    kind, msg = info["errors"]["workload"]
    assert kind == "MXNetError" and "[2, 6]" in msg and "work_load_list" in msg
    assert info["errors"]["equal_workload_ok"]


def test_more_devices_than_examples_is_mxnets_value_error(two_devices):
    _, info = two_devices
    assert info["errors"]["empty"] == ["ValueError", "Too many slices. Some splits are empty."]


def test_two_contexts_on_the_same_jax_device_are_refused():
    mod = mx.mod.Module(mx.sym.SoftmaxOutput(mx.sym.Variable("data"), name="softmax"),
                        context=[mx.cpu(0), mx.cpu(0)])
    with pytest.raises(mx.MXNetError, match="distinct devices"):
        mod.bind([("data", (4, 3))], [("softmax_label", (4,))])


def test_work_load_list_needs_one_entry_per_context():
    with pytest.raises(mx.MXNetError, match="one entry per context"):
        mx.mod.Module(mx.sym.SoftmaxOutput(mx.sym.Variable("data"), name="softmax"),
                      context=[mx.cpu(0), mx.cpu(1)], work_load_list=[1])


# --------------------------------------------------------------------- benchmark entry W3
def test_w3_wide_mlp_runs_on_two_devices(tmp_path):
    script = Path(__file__).resolve().parents[2] / "bench" / "workloads" / "w3_wide_mlp_fit.py"
    if not script.exists():
        pytest.skip("bench/workloads/w3_wide_mlp_fit.py is not in this tree")
    out = tmp_path / "w3.json"
    env = {k: v for k, v in _env().items() if k != "XLA_FLAGS"}  # the script sets it
    res = subprocess.run([sys.executable, str(script), "--impl", "mxjax", "--devices", "2",
                          "--rows", "512", "--epochs", "2", "--out", str(out)], env=env,
                         text=True, capture_output=True, timeout=600)
    assert res.returncode == 0, res.stderr[-4000:]
    result = json.loads(out.read_text())
    assert result["workload"] == "W3-2dev" and result["devices"] == 2
    assert len(result["epoch_s"]) == 2 and 0.0 <= result["final_train_acc"] <= 1.0


def test_a_module_on_the_second_cpu_device_takes_batches_made_on_the_first(tmp_path):
    """Module(context=mx.cpu(1)): user NDArrays made on cpu(0) are moved to the module's
    device, as MXNet copies a batch into its executor's arrays."""
    code = textwrap.dedent('''
        import numpy as np
        import mxjax as mx
        net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3,
                                                         name="fc"), name="softmax")
        mod = mx.mod.Module(net, context=mx.cpu(1))
        mod.bind([("data", (8, 4))], [("softmax_label", (8,))])
        mod.init_params()
        mod.init_optimizer()
        mod.forward_backward(mx.io.DataBatch([mx.nd.ones((8, 4))], [mx.nd.zeros(8)]))
        mod.update()
        out = mod.get_outputs()[0]
        print("OK", out.shape, out.context)
    ''')
    env = {k: v for k, v in os.environ.items() if k not in LAUNCH_VARS}
    env["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "OK (8, 3) cpu(1)" in res.stdout
