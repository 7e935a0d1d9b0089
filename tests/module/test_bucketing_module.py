"""BucketingModule against MXNet 1.9.1 references recorded by record_bucketing.py.

The network and data are described in record_bucketing.py: buckets 8 (default), 5 and 3
(bucket 3's fc2 has no bias, so its parameters are a prefix of the default bucket's and
its engine's fused parameter list differs), batch 4, SGD with momentum and wd.
"""

import base64
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import mxjax as mx
from mxjax.base import MXNetError
from mxjax.module.bucketing_module import BucketingModule

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
B = 4
KEYS = [8, 3, 5, 3, 8, 5]
FIT_KEYS = [8, 5, 3, 5, 8]
OPT = {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01}
NAMES = ["embed_weight", "fc1_weight", "fc1_bias", "bn_gamma", "bn_beta", "fc2_weight",
         "fc2_bias", "bn_moving_mean", "bn_moving_var"]
RTOL, ATOL = 1e-5, 1e-6


@pytest.fixture(scope="module")
def ref():
    npz = np.load(FIXTURES / "bucketing_mxnet.npz")
    meta = json.loads((FIXTURES / "bucketing_mxnet.json").read_text())
    return {k: npz[k] for k in npz.files}, meta


def sym_gen(seq_len):
    data = mx.sym.var("data")
    label = mx.sym.var("softmax_label")
    emb = mx.sym.Embedding(data, input_dim=10, output_dim=4, name="embed")
    pooled = mx.sym.mean(emb, axis=1, name="mean")
    fc1 = mx.sym.FullyConnected(pooled, num_hidden=5, name="fc1")
    bn = mx.sym.BatchNorm(fc1, fix_gamma=False, name="bn")
    act = mx.sym.Activation(bn, act_type="relu", name="relu")
    fc2 = mx.sym.FullyConnected(act, num_hidden=3, no_bias=(seq_len == 3), name="fc2")
    out = mx.sym.SoftmaxOutput(fc2, label, name="softmax")
    return out, ("data",), ("softmax_label",)


def init_params(arrays):
    arg = {n: mx.nd.array(arrays[f"init_{n}"]) for n in NAMES[:7]}
    aux = {n: mx.nd.array(arrays[f"init_{n}"]) for n in NAMES[7:]}
    return arg, aux


def batch(arrays, x, y, key):
    data = mx.nd.array(arrays[x])
    label = mx.nd.array(arrays[y])
    return mx.io.DataBatch([data], [label], pad=0, bucket_key=key,
                           provide_data=[mx.io.DataDesc("data", data.shape)],
                           provide_label=[mx.io.DataDesc("softmax_label", label.shape)])


def new_module(arrays, grad_req="write"):
    mod = BucketingModule(sym_gen, default_bucket_key=8, context=mx.cpu())
    mod.bind([("data", (B, 8))], [("softmax_label", (B,))], grad_req=grad_req)
    mod.set_params(*init_params(arrays))
    mod.init_optimizer(optimizer="sgd", optimizer_params=OPT)
    return mod


def check_params(mod, arrays, tag):
    arg, aux = mod.get_params()
    got = {**arg, **aux}
    assert sorted(got) == sorted(NAMES)
    for n in NAMES:
        np.testing.assert_allclose(got[n].asnumpy(), arrays[f"{tag}_{n}"], rtol=RTOL,
                                   atol=ATOL, err_msg=f"{tag} {n}")


def live_engines(mod):
    """Bucket keys whose engine holds optimizer state or a deferred step."""
    return [k for k, m in mod._buckets.items() if m._engine is not None and
            (m._engine.opt_state is not None or m._engine.deferred)]


def train_step_matching_mxnets_output(mod, arrays, i, key):
    """forward (its output checked against MXNet's step i), backward, update."""
    mod.forward(batch(arrays, f"x{i}", f"y{i}", key), is_train=True)
    np.testing.assert_allclose(mod.get_outputs()[0].asnumpy(), arrays[f"steps_out{i}"],
                               rtol=RTOL, atol=ATOL, err_msg=f"output {i}")
    mod.backward()
    mod.update()


def test_steps_outputs_and_params_match_mxnet_after_every_update(ref):
    arrays, meta = ref
    mod = new_module(arrays)
    for i, key in enumerate(KEYS):
        train_step_matching_mxnets_output(mod, arrays, i, key)
        check_params(mod, arrays, f"steps_p{i}")
    assert [int(k) for k in mod._buckets] == meta["steps_bucket_order"] == [8, 3, 5]


def test_deferred_update_hands_over_between_buckets_like_mxnet(ref):
    """Parameters are read only at the end: each update is deferred and handed to the next
    bucket's engine (fused into its forward where the fused parameters match, through the
    shared Updater where they differ). Outputs equal MXNet's at every step, and only the
    current bucket's engine ever holds optimizer state."""
    arrays, _ = ref
    mod = new_module(arrays)
    for i, key in enumerate(KEYS):
        train_step_matching_mxnets_output(mod, arrays, i, key)
        assert live_engines(mod) == [key]
        assert mod._curr_module._engine.deferred  # the step waits for the next forward
    check_params(mod, arrays, f"steps_p{len(KEYS) - 1}")
    opt = mod._curr_module._optimizer
    assert opt.num_update == len(KEYS)  # the shared Optimizer counted every bucket's step
    assert all(m._optimizer is opt for m in mod._buckets.values())


def test_grad_req_add_accumulates_gradients_across_buckets_like_mxnet(ref):
    arrays, _ = ref
    mod = new_module(arrays, grad_req="add")
    mod.forward_backward(batch(arrays, "x0", "y0", 8))
    g8 = mod._curr_module._exec_group
    first = {n: a[0].asnumpy() for n, a in zip(g8.param_names, g8.grad_arrays, strict=True)}
    mod.forward_backward(batch(arrays, "x1", "y1", 3))
    g = mod._curr_module._exec_group
    grads = {n: a[0] for n, a in zip(g.param_names, g.grad_arrays, strict=True)}
    assert sorted(grads) == sorted(NAMES[:6])  # bucket 3 has no fc2_bias
    for n, v in grads.items():
        # atol 1e-5: fc1_bias's gradient is 0 up to rounding (BatchNorm follows fc1)
        np.testing.assert_allclose(v.asnumpy(), arrays[f"add_g_{n}"], rtol=RTOL, atol=1e-5,
                                   err_msg=n)
    # bucket 3's gradients were added to bucket 8's (the same arrays)
    assert not np.allclose(grads["embed_weight"].asnumpy(), first["embed_weight"])
    assert g.grads is g8.grads
    mod.update()
    check_params(mod, arrays, "add_p1")
    mod.forward_backward(batch(arrays, "x2", "y2", 5))
    mod.update()
    check_params(mod, arrays, "add_p2")


class BucketIter(mx.io.DataIter):
    """Yields the fixed bucketed batches ``fx<i>``/``fy<i>``."""

    def __init__(self, arrays):
        super().__init__(B)
        self.arrays = arrays
        self.provide_data = [mx.io.DataDesc("data", (B, 8))]
        self.provide_label = [mx.io.DataDesc("softmax_label", (B,))]
        self.i = 0

    def reset(self):
        self.i = 0

    def next(self):
        if self.i >= len(FIT_KEYS):
            raise StopIteration
        i = self.i
        self.i += 1
        return batch(self.arrays, f"fx{i}", f"fy{i}", FIT_KEYS[i])


def test_fit_over_bucketed_iterator_matches_mxnet(ref):
    arrays, meta = ref
    mod = BucketingModule(sym_gen, default_bucket_key=8, context=mx.cpu())
    metric = mx.metric.create("ce")
    values = []

    def on_epoch(epoch, symbol, arg_params, aux_params):
        values.append(metric.get_global()[1])
        assert symbol.list_arguments() == mod.symbol.list_arguments()

    arg, aux = init_params(arrays)
    mod.fit(BucketIter(arrays), eval_metric=metric, optimizer="sgd", optimizer_params=OPT,
            arg_params=arg, aux_params=aux, num_epoch=2, epoch_end_callback=on_epoch)
    np.testing.assert_allclose(values, meta["fit_ce"], rtol=RTOL)
    assert [int(k) for k in mod._buckets] == meta["fit_bucket_order"] == [8, 5, 3]
    check_params(mod, arrays, "fit_p")
    # score and predict: BaseModule's loops, switching buckets per batch
    np.testing.assert_allclose(mod.score(BucketIter(arrays), "ce")[0][1], meta["fit_score_ce"],
                               rtol=RTOL)
    pred = mod.predict(BucketIter(arrays))
    assert pred.shape == (len(FIT_KEYS) * B, 3)
    np.testing.assert_allclose(pred.asnumpy(), arrays["fit_predict"], rtol=RTOL, atol=ATOL)


def test_save_checkpoint_writes_mxnet_files(ref, tmp_path):
    arrays, meta = ref
    mod = new_module(arrays)
    for i, key in enumerate(KEYS):
        mod.forward_backward(batch(arrays, f"x{i}", f"y{i}", key))
        mod.update()
    prefix = str(tmp_path / "bm")
    mod.save_checkpoint(prefix, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == meta["ckpt_files"]
    # the keys as one int32 NDArray, in the order the buckets were made: MXNet's bytes
    assert Path(prefix + ".buckets").read_bytes() == base64.b64decode(meta["ckpt_buckets_b64"])
    for key, text in meta["ckpt_symbols"].items():
        assert Path(f"{prefix}-{key}-symbol.json").read_text() == text, key
    saved = mx.nd.load(f"{prefix}-0003.params")
    assert list(saved) == meta["ckpt_param_keys"]
    for k, v in saved.items():
        np.testing.assert_allclose(v.asnumpy(), arrays[f"steps_p5_{k[4:]}"], rtol=RTOL,
                                   atol=ATOL, err_msg=k)
    keys = mx.nd.load(prefix + ".buckets")
    assert keys[0].dtype == np.int32 and keys[0].asnumpy().tolist() == [8, 3, 5]


def test_load_round_trip_continues_training_like_mxnet(ref, tmp_path):
    arrays, meta = ref
    mod = new_module(arrays)
    for i, key in enumerate(KEYS):
        mod.forward_backward(batch(arrays, f"x{i}", f"y{i}", key))
        mod.update()
    prefix = str(tmp_path / "bm")
    mod.save_checkpoint(prefix, 3)
    loaded = BucketingModule.load(prefix, 3, sym_gen=sym_gen, default_bucket_key=8)
    assert [int(k) for k in loaded._buckets] == meta["ckpt_loaded_keys"]
    assert all(isinstance(k, np.int32) for k in loaded._buckets)  # MXNet's key type
    assert loaded.params_initialized and not loaded.binded
    arg, _ = loaded.get_params()  # the loaded arrays, before any bind (as MXNet)
    np.testing.assert_allclose(arg["fc2_bias"].asnumpy(), arrays["steps_p5_fc2_bias"],
                               rtol=RTOL, atol=ATOL)
    loaded.bind([("data", (B, 8))], [("softmax_label", (B,))])
    loaded.init_optimizer(optimizer="sgd", optimizer_params=OPT)
    for i, key in enumerate(KEYS[:3]):
        loaded.forward(batch(arrays, f"x{i}", f"y{i}", key), is_train=True)
        loaded.backward()
        loaded.update()
    check_params(loaded, arrays, "ckpt_p")


def test_load_dict_shares_given_parameters(ref):
    arrays, _ = ref
    arg, aux = init_params(arrays)
    syms = {k: sym_gen(k)[0] for k in (8, 3)}
    mod = BucketingModule.load_dict(syms, sym_gen=sym_gen, default_bucket_key=8,
                                    arg_params=arg, aux_params=aux)
    mod.bind([("data", (B, 8))], [("softmax_label", (B,))])
    mod.forward(batch(arrays, "x0", "y0", 8), is_train=True)
    np.testing.assert_allclose(mod.get_outputs()[0].asnumpy(), arrays["steps_out0"],
                               rtol=RTOL, atol=ATOL)
    mod.forward(batch(arrays, "x1", "y1", 3), is_train=False)
    assert mod._buckets[3]._exec_group.params is mod._buckets[8]._exec_group.params
    got, _ = mod.get_params()
    np.testing.assert_array_equal(got["fc1_weight"].asnumpy(), arrays["init_fc1_weight"])


def test_sym_gen_runs_in_a_fresh_name_manager():
    """Auto names restart per bucket (``fullyconnected0_weight`` in every bucket), so the
    buckets share their parameters by name."""
    calls = []

    def gen(key):
        calls.append(key)
        net = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=2)
        return mx.sym.SoftmaxOutput(net, name="softmax"), ["data"], ["softmax_label"]

    mx.sym.FullyConnected(mx.sym.var("x"), num_hidden=2)  # advances the global counter
    mod = BucketingModule(gen, default_bucket_key=6)
    assert mod.data_names == ["data"] and mod.output_names == ["softmax_output"]
    mod.bind([("data", (2, 6))], [("softmax_label", (2,))])
    mod.init_params()
    mod.switch_bucket(4, [("data", (2, 6))], [("softmax_label", (2,))])
    assert mod._buckets[4].symbol.list_arguments() == \
        ["data", "fullyconnected0_weight", "fullyconnected0_bias", "softmax_label"]
    assert mod.symbol is mod._buckets[4].symbol
    assert calls[-1] == 4


def test_shapes_follow_the_current_bucket_and_prepare_keeps_it(ref):
    arrays, _ = ref
    mod = new_module(arrays)
    assert mod.data_shapes[0].shape == (B, 8)
    b5 = batch(arrays, "x2", "y2", 5)
    mod.prepare(b5)  # binds bucket 5; the current bucket stays 8 (MXNet switches back)
    assert list(mod._buckets) == [8, 5] and mod._curr_module is mod._buckets[8]
    mod.forward(b5, is_train=False)
    assert mod.data_shapes[0].shape == (B, 5)
    assert mod.label_shapes[0].shape == (B,)
    assert mod.output_shapes == [("softmax_output", (B, 3))]
    assert mod.data_names == ["data"] and mod.output_names == ["softmax_output"]


def test_errors_are_clear(ref, tmp_path):
    arrays, _ = ref
    with pytest.raises(AssertionError):
        BucketingModule(sym_gen)  # MXNet asserts a default bucket key
    with pytest.raises(ValueError, match="data_names"):
        BucketingModule(lambda k: (sym_gen(k)[0], ["nodata"], ["softmax_label"]), 8)
    mod = new_module(arrays)
    with pytest.raises(MXNetError, match="provide_data"):
        mod.switch_bucket(5, None)
    with pytest.raises(AssertionError, match="shared_module"):
        mod.bind([("data", (B, 8))], force_rebind=True, shared_module=mod)

    def gen(key):
        net = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=2, name="fc")
        return mx.sym.SoftmaxOutput(net, name="softmax"), ["data"], ["softmax_label"]

    smod = BucketingModule(gen, default_bucket_key="long")
    smod.bind([("data", (2, 3))], [("softmax_label", (2,))])
    smod.init_params()
    with pytest.raises(MXNetError, match="numeric bucket keys"):
        smod.save_checkpoint(str(tmp_path / "s"), 0)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(MXNetError, match="none.buckets"):
        BucketingModule.load(str(tmp_path / "none"), 0, sym_gen=gen, default_bucket_key=1)


def test_bucket_with_a_parameter_of_another_shape_is_refused():
    def gen(key):
        net = mx.sym.FullyConnected(mx.sym.Flatten(mx.sym.var("data")), num_hidden=2,
                                    name="fc")
        return mx.sym.SoftmaxOutput(net, name="softmax"), ["data"], ["softmax_label"]

    mod = BucketingModule(gen, default_bucket_key=6, logger=logging)
    mod.bind([("data", (2, 6))], [("softmax_label", (2,))])
    mod.init_params()
    with pytest.raises(MXNetError, match="fc_weight"):
        mod.switch_bucket(4, [("data", (2, 4))], [("softmax_label", (2,))])


MIXED = [("train", 0), ("infer", 2), ("train", 1), ("score", 0), ("train", 2), ("infer", 4),
         ("train", 4), ("train", 3)]


def test_training_interleaved_with_inference_and_score_matches_mxnet(ref):
    """Inference forwards and a score pass on other buckets between deferred training steps
    (the deferred step must run before them, the score must not disturb the optimizer).

    The last step is on bucket 3, which has no fc2_bias: as in MXNet, get_params syncs only
    the current bucket's own parameters, so fc2_bias shows its last synced value."""
    arrays, meta = ref
    mod = new_module(arrays)
    for j, (op, i) in enumerate(MIXED):
        b = batch(arrays, f"x{i}", f"y{i}", KEYS[i])
        if op == "train":
            mod.forward_backward(b)
            mod.update()
            continue
        k = sum(1 for o, _ in MIXED[:j] if o != "train")
        if op == "infer":
            mod.forward(b, is_train=False)
            np.testing.assert_allclose(mod.get_outputs()[0].asnumpy(), arrays[f"mixed_out{k}"],
                                       rtol=RTOL, atol=ATOL, err_msg=f"infer {j}")
        else:
            np.testing.assert_allclose(mod.score(BucketIter(arrays), "ce")[0][1],
                                       meta["mixed_scores"][k], rtol=RTOL)
    check_params(mod, arrays, "mixed_p")


def run_steps(mod, arrays, keys, offset=0):
    for i, key in enumerate(keys):
        j = (i + offset) % len(KEYS)
        mod.forward_backward(batch(arrays, f"x{j}", f"y{j}", key))
        mod.update()


def test_init_optimizer_force_init_restarts_every_bucket_from_the_new_optimizer(ref):
    """After a forced re-init no bucket's engine keeps the old momentum: training goes on
    exactly like a fresh module given the same parameters and optimizer."""
    arrays, _ = ref
    mod = new_module(arrays)
    run_steps(mod, arrays, KEYS)
    mod.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.05,
                                                          "momentum": 0.5}, force_init=True)
    assert all(m._engine is None for m in mod._buckets.values())
    arg, aux = mod.get_params()
    fresh = BucketingModule(sym_gen, default_bucket_key=8)
    fresh.bind([("data", (B, 8))], [("softmax_label", (B,))])
    fresh.set_params({k: v.copy() for k, v in arg.items()}, {k: v.copy() for k, v in aux.items()})
    fresh.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.05,
                                                            "momentum": 0.5})
    for m in (mod, fresh):
        run_steps(m, arrays, [5, 3, 8, 5])
    a, b = mod.get_params(), fresh.get_params()
    for d1, d2 in zip(a, b, strict=True):
        for n in d1:
            np.testing.assert_allclose(d1[n].asnumpy(), d2[n].asnumpy(), rtol=1e-6, atol=1e-7,
                                       err_msg=n)


def test_force_rebind_keeps_the_trained_parameters(ref):
    arrays, _ = ref
    mod = new_module(arrays)
    run_steps(mod, arrays, KEYS)
    before = {k: v.asnumpy().copy() for d in mod.get_params() for k, v in d.items()}
    mod.bind([("data", (B, 8))], [("softmax_label", (B,))], for_training=False,
             force_rebind=True)
    assert list(mod._buckets) == [8] and not mod._curr_module.for_training
    after = {k: v.asnumpy() for d in mod.get_params() for k, v in d.items()}
    assert sorted(after) == sorted(before)
    for k, v in before.items():
        np.testing.assert_array_equal(after[k], v, err_msg=k)
    mod.forward(batch(arrays, "x2", "y2", 5), is_train=False)  # a new bucket, inference
    assert not mod._buckets[5].for_training


def two_device_worker(out_dir):
    """Run ``steps`` on ``[cpu(0), cpu(1)]`` (in a process with two JAX CPU devices)."""
    npz = np.load(FIXTURES / "bucketing_mxnet.npz")
    arrays = {k: npz[k] for k in npz.files}
    mod = BucketingModule(sym_gen, default_bucket_key=8, context=[mx.cpu(0), mx.cpu(1)])
    mod.bind([("data", (B, 8))], [("softmax_label", (B,))])
    mod.set_params(*init_params(arrays))
    mod.init_optimizer(optimizer="sgd", optimizer_params=OPT)
    got = {}
    for i, key in enumerate(KEYS):
        mod.forward(batch(arrays, f"x{i}", f"y{i}", key), is_train=True)
        got[f"two_out{i}"] = mod.get_outputs()[0].asnumpy()
        mod.backward()
        mod.update()
    arg, aux = mod.get_params()
    got.update({f"two_p_{k}": v.asnumpy() for k, v in {**arg, **aux}.items()})
    np.savez(os.path.join(out_dir, "two.npz"), **got)


def test_two_devices_match_mxnet(ref, tmp_path):
    """Data parallel buckets (batch split over two devices, BatchNorm statistics per slice,
    gradients summed): outputs and final parameters equal MXNet's with two contexts."""
    arrays, _ = ref
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
            "import test_bucketing_module as t; t.two_device_worker(sys.argv[1])")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MXJAX_", "DMLC_"))}
    env["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
    env["JAX_PLATFORMS"] = "cpu"
    res = subprocess.run([sys.executable, "-c", code, str(tmp_path)], env=env, text=True,
                         capture_output=True, timeout=300)
    assert res.returncode == 0, res.stderr[-4000:]
    got = dict(np.load(tmp_path / "two.npz"))
    for i in range(len(KEYS)):
        np.testing.assert_allclose(got[f"two_out{i}"], arrays[f"two_out{i}"], rtol=RTOL,
                                   atol=ATOL, err_msg=f"output {i}")
    for n in NAMES:
        np.testing.assert_allclose(got[f"two_p_{n}"], arrays[f"two_p_{n}"], rtol=RTOL,
                                   atol=ATOL, err_msg=n)


def test_a_monitor_reaches_every_bucket_including_buckets_bound_later(ref):
    arrays, _ = ref
    mod = new_module(arrays)
    mon = mx.mon.Monitor(1, pattern="fc2_output|fc2_backward_output1")
    mod.install_monitor(mon)
    rows = []
    for i, key in enumerate([8, 3]):  # bucket 3 is bound after the monitor was installed
        mon.tic()
        mod.forward_backward(batch(arrays, f"x{i}", f"y{i}", key))
        mod.update()
        rows.append([(name, float(text)) for _, name, text in mon.toc()])
    assert [[n for n, _ in r] for r in rows] == [["fc2_output", "fc2_backward_output1"]] * 2
    assert all(v > 0 for r in rows for _, v in r)
