"""Module's API and state machine, as MXNet 1.9.1 behaves (SPEC §2.1, §2.2, §4)."""

from __future__ import annotations

import logging

import numpy as np
import pytest

import mxjax as mx


def mlp(num_hidden=8, num_classes=4):
    data = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(data, name="fc1", num_hidden=num_hidden)
    net = mx.sym.Activation(net, name="relu1", act_type="relu")
    net = mx.sym.FullyConnected(net, name="fc2", num_hidden=num_classes)
    return mx.sym.SoftmaxOutput(net, name="softmax")


def toy_data(n=64, dim=6, classes=4, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, dim).astype(np.float32)
    w = rng.randn(dim, classes)
    y = np.argmax(x @ w, axis=1).astype(np.float32)
    return x, y


def bound_module(batch=8, dim=6, **kw):
    mod = mx.mod.Module(mlp(), **kw)
    mod.bind(data_shapes=[("data", (batch, dim))], label_shapes=[("softmax_label", (batch,))])
    return mod


def test_module_names_and_param_names():
    mod = mx.mod.Module(mlp())
    assert mod.data_names == ["data"]
    assert mod.label_names == ["softmax_label"]
    assert mod.output_names == ["softmax_output"]
    assert mod._param_names == ["fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias"]


def test_unknown_data_name_is_a_value_error():
    with pytest.raises(ValueError, match="Did you mean one of"):
        mx.mod.Module(mlp(), data_names=["image"])


def test_unknown_label_name_only_warns():
    with pytest.warns(UserWarning):
        mx.mod.Module(mlp(), label_names=["lbl"])


def test_shapes_after_bind():
    mod = bound_module()
    assert [tuple(d) for d in mod.data_shapes] == [("data", (8, 6))]
    assert mod.output_shapes == [("softmax_output", (8, 4))]
    assert [d.name for d in mod.label_shapes] == ["softmax_label"]


def test_bind_with_wrong_data_names_raises():
    mod = mx.mod.Module(mlp())
    with pytest.raises(ValueError, match="don't match names specified by data_names"):
        mod.bind(data_shapes=[("x", (8, 6))])


def test_bind_twice_warns_and_keeps_the_first(caplog):
    mod = bound_module()
    with caplog.at_level(logging.WARNING):
        mod.bind(data_shapes=[("data", (4, 6))])
    assert "Already bound" in caplog.text
    assert mod.data_shapes[0].shape == (8, 6)


def test_forward_before_bind_fails():
    mod = mx.mod.Module(mlp())
    x, y = toy_data(8)
    with pytest.raises(AssertionError):
        mod.forward(mx.io.DataBatch([mx.nd.array(x)], [mx.nd.array(y)]))


def test_update_before_init_optimizer_and_backward_without_training_assert_like_mxnet():
    # MXNet guards both with assert: the exception type is AssertionError there too
    mod = bound_module()
    mod.init_params()
    with pytest.raises(AssertionError, match="init_optimizer"):
        mod.update()
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3,
                                                     name="fc"), name="softmax")
    inference = mx.mod.Module(net)
    inference.bind([("data", (4, 5))], [("softmax_label", (4,))], for_training=False)
    inference.init_params()
    inference.forward(mx.io.DataBatch([mx.nd.ones((4, 5))], [mx.nd.zeros(4)]))
    with pytest.raises(AssertionError, match="for_training=True"):
        inference.backward()
    with pytest.raises(KeyError, match="lbl"):
        mx.mod.Module(net).bind([("data", (4, 5))], [("lbl", (4,))])


def test_fit_leaves_the_last_batchs_outputs_and_score_the_last_scored_batchs():
    """MXNet: after fit, get_outputs() is the last training batch's forward (the scanned
    epoch must leave the same as the per-batch loop); after score, the last scored batch's."""
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3,
                                                     name="fc"), name="softmax")
    x = np.random.RandomState(1).rand(20, 4).astype(np.float32)
    y = (np.arange(20) % 3).astype(np.float32)
    outs = []
    for callback in (None, lambda p: None):  # scanned epoch / per-batch loop
        mx.random.seed(3)
        mod = mx.mod.Module(net)
        mod.fit(mx.io.NDArrayIter(x, y, 8), num_epoch=2, batch_end_callback=callback,
                initializer=mx.init.Xavier())
        outs.append(mod.get_outputs()[0].asnumpy())
    assert outs[0].shape == (8, 3)
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-6)
    mod.score(mx.io.NDArrayIter(x[:12], y[:12], 8), "acc")  # last batch: rows 8..11 + pad
    want = mod.predict(mx.io.NDArrayIter(x[8:12], y[8:12], 4)).asnumpy()
    np.testing.assert_allclose(mod.get_outputs()[0].asnumpy()[:4], want, rtol=1e-6)


def test_batch_end_callback_locals_self_is_the_module():
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3,
                                                     name="fc"), name="softmax")
    seen = []
    mod = mx.mod.Module(net)
    mod.fit(mx.io.NDArrayIter(np.ones((8, 4), np.float32), np.zeros(8), 4), num_epoch=1,
            batch_end_callback=lambda p: seen.append(p.locals["self"]))
    assert seen == [mod, mod]


def test_a_data_variables_dtype_attribute_wins_over_the_data_desc_like_mxnet():
    net = mx.sym.FullyConnected(mx.sym.var("data", dtype="float16"), num_hidden=2, name="f")
    for desc in [("data", (2, 3)), mx.io.DataDesc("data", (2, 3), "float64")]:
        m = mx.mod.Module(net, label_names=None)
        m.bind([desc])
        m.init_params()
        assert m._exec_group.execs[0].arg_dict["data"].dtype == np.float16
        assert m.get_params()[0]["f_weight"].dtype == np.float16


def test_init_params_sorted_and_repeat_warns():
    mod = bound_module()
    mod.init_params(initializer=mx.init.Uniform(0.1))
    arg, aux = mod.get_params()
    assert sorted(arg) == ["fc1_bias", "fc1_weight", "fc2_bias", "fc2_weight"]
    assert np.all(arg["fc1_bias"].asnumpy() == 0)
    assert np.abs(arg["fc1_weight"].asnumpy()).max() <= 0.1
    with pytest.warns(UserWarning, match="already initialized"):
        mod.init_params()


def test_init_params_missing_without_allow_missing_raises():
    mod = bound_module()
    with pytest.raises(RuntimeError, match="fc1_bias is not presented"):
        mod.init_params(arg_params={"fc1_weight": mx.nd.zeros((8, 6))})


def test_init_params_allow_missing_uses_initializer():
    mod = bound_module()
    w = mx.nd.ones((8, 6))
    mod.init_params(initializer=mx.init.Constant(0.5), arg_params={"fc1_weight": w},
                    allow_missing=True)
    arg, _ = mod.get_params()
    assert np.all(arg["fc1_weight"].asnumpy() == 1)
    assert np.all(arg["fc2_weight"].asnumpy() == 0.5)


def test_variable_init_attribute_wins():
    data = mx.sym.Variable("data")
    w = mx.sym.Variable("fc_weight", init=mx.init.Constant(0.25))
    net = mx.sym.FullyConnected(data, weight=w, name="fc", num_hidden=3)
    net = mx.sym.SoftmaxOutput(net, name="softmax")
    mod = mx.mod.Module(net)
    mod.bind(data_shapes=[("data", (2, 5))], label_shapes=[("softmax_label", (2,))])
    mod.init_params(initializer=mx.init.Uniform(0.1))
    assert np.all(mod.get_params()[0]["fc_weight"].asnumpy() == 0.25)


def test_set_params_allow_missing_keeps_values_and_rejects_extra():
    mod = bound_module()
    mod.init_params(initializer=mx.init.Constant(0.3))
    mod.set_params({"fc1_bias": mx.nd.ones((8,))}, {}, allow_missing=True)
    arg, _ = mod.get_params()
    assert np.all(arg["fc1_bias"].asnumpy() == 1)
    assert np.all(arg["fc2_weight"].asnumpy() == np.float32(0.3))
    with pytest.raises(ValueError, match='Find name "bogus"'):
        mod.set_params({"bogus": mx.nd.ones((1,))}, {}, allow_missing=True)


def test_get_params_returns_same_dicts_and_is_stale_until_update():
    mod = bound_module()
    mod.init_params(initializer=mx.init.Uniform(0.1))
    mod.init_optimizer(optimizer_params={"learning_rate": 0.5})
    arg1, _ = mod.get_params()
    before = arg1["fc1_weight"].asnumpy().copy()
    x, y = toy_data(8)
    batch = mx.io.DataBatch([mx.nd.array(x)], [mx.nd.array(y)])
    mod.forward(batch, is_train=True)
    mod.backward()
    assert np.array_equal(mod.get_params()[0]["fc1_weight"].asnumpy(), before)
    mod.update()
    arg2, _ = mod.get_params()
    assert arg2 is arg1
    assert not np.array_equal(arg2["fc1_weight"].asnumpy(), before)


def test_rescale_grad_defaults_to_one_over_batch():
    mod = bound_module(batch=8)
    mod.init_params()
    mod.init_optimizer()
    assert mod._optimizer.rescale_grad == pytest.approx(1 / 8)


def test_optimizer_instance_with_other_rescale_warns():
    mod = bound_module(batch=8)
    mod.init_params()
    with pytest.warns(UserWarning, match="rescale_grad"):
        mod.init_optimizer(optimizer=mx.optimizer.SGD(learning_rate=0.1))


def test_backward_on_non_loss_output_needs_head_gradient():
    data = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(data, name="fc", num_hidden=3)
    mod = mx.mod.Module(net, label_names=None)
    mod.bind(data_shapes=[("data", (2, 4))])
    mod.init_params()
    mod.forward(mx.io.DataBatch([mx.nd.ones((2, 4))]), is_train=True)
    with pytest.raises(mx.MXNetError, match="head_gradient is required"):
        mod.backward()
    mod.backward(out_grads=[mx.nd.ones((2, 3))])
    g = mod._exec_group.execs[0].grad_dict["fc_bias"].asnumpy()
    assert np.allclose(g, 2.0)


def test_grad_req_add_accumulates():
    mod = mx.mod.Module(mlp())
    mod.bind(data_shapes=[("data", (8, 6))], label_shapes=[("softmax_label", (8,))],
             grad_req="add")
    mod.init_params(initializer=mx.init.Uniform(0.1))
    x, y = toy_data(8)
    batch = mx.io.DataBatch([mx.nd.array(x)], [mx.nd.array(y)])
    mod.forward_backward(batch)
    g1 = mod._exec_group.execs[0].grad_dict["fc2_bias"].asnumpy().copy()
    mod.forward_backward(batch)
    g2 = mod._exec_group.execs[0].grad_dict["fc2_bias"].asnumpy()
    assert np.allclose(g2, 2 * g1, atol=1e-6)


def test_fixed_params_are_not_updated():
    mod = mx.mod.Module(mlp(), fixed_param_names=["fc1_weight"])
    mod.bind(data_shapes=[("data", (8, 6))], label_shapes=[("softmax_label", (8,))])
    mod.init_params(initializer=mx.init.Uniform(0.1))
    mod.init_optimizer(optimizer_params={"learning_rate": 1.0})
    before = mod.get_params()[0]["fc1_weight"].asnumpy().copy()
    x, y = toy_data(8)
    mod.forward_backward(mx.io.DataBatch([mx.nd.array(x)], [mx.nd.array(y)]))
    mod.update()
    after = mod.get_params()[0]
    assert np.array_equal(after["fc1_weight"].asnumpy(), before)
    assert "fc1_weight" not in mod._exec_group.execs[0].grad_dict


def test_batch_with_other_shape_rebinds_implicitly():
    mod = bound_module(batch=8)
    mod.init_params()
    x, _ = toy_data(5)
    mod.forward(mx.io.DataBatch([mx.nd.array(x)]), is_train=False)
    assert mod.get_outputs()[0].shape == (5, 4)
    assert mod.data_shapes[0].shape == (5, 6)


def test_predict_removes_padding_and_score_counts_it():
    x, y = toy_data(20)
    it = mx.io.NDArrayIter(x, y, batch_size=8)
    mod = mx.mod.Module(mlp())
    mod.bind(data_shapes=it.provide_data, label_shapes=it.provide_label)
    mod.init_params(initializer=mx.init.Uniform(0.1))
    out = mod.predict(it)
    assert out.shape == (20, 4)
    direct = mod.predict(mx.nd.array(x[:8]))
    assert np.allclose(out.asnumpy()[:8], direct.asnumpy(), atol=1e-6)
    outs = mod.predict(it, merge_batches=False)
    assert [o[0].shape[0] for o in outs] == [8, 8, 4]
    acc = mx.metric.Accuracy()
    mod.score(it, acc)
    assert acc.num_inst == 24  # padded rows are counted, as in MXNet


def test_iter_predict_yields_unpadded_outputs():
    x, y = toy_data(20)
    it = mx.io.NDArrayIter(x, y, batch_size=8)
    mod = mx.mod.Module(mlp())
    mod.bind(data_shapes=it.provide_data, label_shapes=it.provide_label)
    mod.init_params()
    sizes = [(o[0].shape[0], n) for o, n, _ in mod.iter_predict(it)]
    assert sizes == [(8, 0), (8, 1), (4, 2)]


def test_predict_of_empty_iterator_is_empty_list():
    x, y = toy_data(8)
    it = mx.io.NDArrayIter(x, y, batch_size=8)
    mod = mx.mod.Module(mlp())
    mod.bind(data_shapes=it.provide_data, label_shapes=it.provide_label)
    mod.init_params()
    assert mod.predict(it, num_batch=0) == []


def test_fit_logs_mxnet_lines_and_learns(caplog):
    x, y = toy_data(256, seed=1)
    train = mx.io.NDArrayIter(x[:192], y[:192], batch_size=16, shuffle=True)
    val = mx.io.NDArrayIter(x[192:], y[192:], batch_size=16)
    mod = mx.mod.Module(mlp(16))
    with caplog.at_level(logging.INFO):
        mod.fit(train, eval_data=val, optimizer="sgd", optimizer_params={"learning_rate": 0.5},
                num_epoch=4, initializer=mx.init.Xavier())
    lines = [r.getMessage() for r in caplog.records]
    assert any(line.startswith("Epoch[0] Train-accuracy=") for line in lines)
    assert any(line.startswith("Epoch[3] Time cost=") for line in lines)
    val_lines = [line for line in lines if "Validation-accuracy" in line]
    assert len(val_lines) == 4
    assert float(val_lines[-1].split("=")[1]) > 0.7


def test_fit_resume_with_begin_epoch_logs_from_that_epoch(caplog, tmp_path):
    x, y = toy_data(64)
    train = mx.io.NDArrayIter(x, y, batch_size=16)
    prefix = str(tmp_path / "m")
    mod = mx.mod.Module(mlp())
    mod.fit(train, num_epoch=2, epoch_end_callback=mx.callback.do_checkpoint(prefix))
    sym, arg, aux = mx.model.load_checkpoint(prefix, 2)
    mod2 = mx.mod.Module(sym)
    with caplog.at_level(logging.INFO):
        mod2.fit(train, num_epoch=4, arg_params=arg, aux_params=aux, begin_epoch=2)
    epochs = [r.getMessage() for r in caplog.records if "Train-accuracy" in r.getMessage()]
    assert epochs[0].startswith("Epoch[2]") and epochs[-1].startswith("Epoch[3]")


def test_fused_epoch_equals_per_batch_training():
    """The scanned epoch computes the same math as forward/backward/update per batch."""
    x, y = toy_data(96, seed=3)

    def train(fused):
        mx.random.seed(7)
        np.random.seed(7)
        it = mx.io.NDArrayIter(x, y, batch_size=16, shuffle=True)
        mod = mx.mod.Module(mlp(12))
        mod.bind(data_shapes=it.provide_data, label_shapes=it.provide_label)
        mod.init_params(initializer=mx.init.Xavier())
        mod.init_optimizer(optimizer="sgd",
                           optimizer_params={"learning_rate": 0.3, "momentum": 0.9, "wd": 1e-3})
        metric = mx.metric.Accuracy()
        if fused:
            names = mod._fast_fit_epoch(it, metric, 0, None)
            assert names is not None
        else:
            for batch in it:
                mod.forward(batch, is_train=True)
                mod.update_metric(metric, batch.label)
                mod.backward()
                mod.update()
            names = metric.get_global_name_value()
        return mod.get_params()[0], names

    fused_params, fused_acc = train(True)
    loop_params, loop_acc = train(False)
    assert fused_acc == loop_acc
    for k in loop_params:
        np.testing.assert_allclose(fused_params[k].asnumpy(), loop_params[k].asnumpy(),
                                   rtol=1e-5, atol=1e-6)


def test_save_and_load_checkpoint_with_optimizer_states(tmp_path):
    x, y = toy_data(64)
    it = mx.io.NDArrayIter(x, y, batch_size=16)
    mod = mx.mod.Module(mlp())
    mod.fit(it, num_epoch=1, optimizer_params={"learning_rate": 0.1, "momentum": 0.9})
    prefix = str(tmp_path / "ck")
    mod.save_checkpoint(prefix, 1, save_optimizer_states=True)
    for suffix in ("-symbol.json", "-0001.params", "-0001.states"):
        assert (tmp_path / f"ck{suffix}").exists()
    mod2 = mx.mod.Module.load(prefix, 1, load_optimizer_states=True)
    mod2.bind(data_shapes=it.provide_data, label_shapes=it.provide_label)
    mod2.init_optimizer(optimizer_params={"learning_rate": 0.1, "momentum": 0.9})
    a1, _ = mod.get_params()
    a2, _ = mod2.get_params()
    for k in a1:
        assert np.array_equal(a1[k].asnumpy(), a2[k].asnumpy())


def test_missing_checkpoint_epoch_is_a_clear_error(tmp_path):
    x, y = toy_data(16)
    mod = mx.mod.Module(mlp())
    mod.fit(mx.io.NDArrayIter(x, y, batch_size=8), num_epoch=1)
    mod.save_checkpoint(str(tmp_path / "c"), 1)
    with pytest.raises(mx.MXNetError, match="0007"):
        mx.mod.Module.load(str(tmp_path / "c"), 7)


def test_changing_the_learning_rate_mid_training_takes_effect():
    """The compiled step re-reads optimizer attributes that were assigned (``opt.lr = ...``)."""
    x, y = toy_data(32)
    mod = bound_module(batch=8)
    mod.init_params(initializer=mx.init.Uniform(0.1))
    mod.init_optimizer(optimizer_params={"learning_rate": 0.5})
    it = mx.io.NDArrayIter(x, y, batch_size=8)
    batches = list(it)
    for b in batches[:2]:
        mod.forward_backward(b)
        mod.update()
    mod._optimizer.lr = 0.0
    before = mod.get_params()[0]["fc1_weight"].asnumpy().copy()
    for b in batches[2:]:
        mod.forward_backward(b)
        mod.update()
    assert np.array_equal(mod.get_params()[0]["fc1_weight"].asnumpy(), before)


def test_intermediate_loop_metric_matches_host_metric():
    """update_metric from the compiled step's statistics equals MXNet's host update."""
    x, y = toy_data(64, seed=5)
    it = mx.io.NDArrayIter(x, y, batch_size=8)
    mod = bound_module(batch=8)
    mod.init_params(initializer=mx.init.Uniform(0.3))
    mod.init_optimizer(optimizer_params={"learning_rate": 0.3})
    fused_metric, host_metric = mx.metric.Accuracy(), mx.metric.Accuracy()
    for b in it:
        mod.forward(b, is_train=True)
        mod.update_metric(fused_metric, b.label)
        host_metric.update(b.label, mod.get_outputs())
        mod.backward()
        mod.update()
    assert fused_metric.get() == host_metric.get()
    assert fused_metric.num_inst == 64


def test_resume_with_optimizer_states_continues_exactly(tmp_path):
    """Module.load(..., load_optimizer_states=True) then N more steps == training straight
    through (SGD with momentum and a FactorScheduler: momentum, update count, lr schedule)."""
    x, y = toy_data(96, seed=11)
    batches = list(mx.io.NDArrayIter(x, y, batch_size=8))

    def optimizer():
        return mx.optimizer.SGD(learning_rate=0.2, momentum=0.9, wd=1e-3, rescale_grad=1 / 8,
                                lr_scheduler=mx.lr_scheduler.FactorScheduler(step=3, factor=0.5))

    def make():
        mod = bound_module(batch=8)
        return mod

    def steps(mod, bs):
        for b in bs:
            mod.forward_backward(b)
            mod.update()

    mx.random.seed(3)
    straight = make()
    straight.init_params(initializer=mx.init.Uniform(0.2))
    start_arg, start_aux = (dict((k, v.copy()) for k, v in d.items())
                            for d in straight.get_params())
    straight.init_optimizer(optimizer=optimizer())
    steps(straight, batches)

    first = make()
    first.init_params(arg_params=start_arg, aux_params=start_aux)
    first.init_optimizer(optimizer=optimizer())
    steps(first, batches[:5])
    prefix = str(tmp_path / "resume")
    first.save_checkpoint(prefix, 5, save_optimizer_states=True)

    resumed = mx.mod.Module.load(prefix, 5, load_optimizer_states=True)
    resumed.bind(data_shapes=[("data", (8, 6))], label_shapes=[("softmax_label", (8,))])
    resumed.init_optimizer(optimizer=optimizer())
    steps(resumed, batches[5:])
    want, _ = straight.get_params()
    got, _ = resumed.get_params()
    for k in want:
        np.testing.assert_allclose(got[k].asnumpy(), want[k].asnumpy(), rtol=1e-6, atol=1e-7)


# --- BatchNorm(fix_gamma=True): MXNet's forward writes 1 into gamma --------------------
# (tests/fixtures/mxnet/README.md, "fix_gamma=True"; MXNet 1.9.1 run of this network:
# gamma 0.99, 0.981, 0.9729 after three SGD steps with lr 0.1, wd 0.1, momentum 0.9,
# whatever gamma held before: the update always starts from 1, so gamma = 1 + momentum.)
FIX_GAMMA_AFTER = [0.99, 0.981, 0.9729]


def _fix_gamma_module(optimizer="sgd"):
    net = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3, name="fc")
    net = mx.sym.SoftmaxOutput(mx.sym.BatchNorm(net, name="bn"), name="softmax")
    mod = mx.mod.Module(net)
    mod.bind([("data", (4, 5))], [("softmax_label", (4,))])
    mod.init_params(mx.init.Uniform(0.1))
    arg, aux = mod.get_params()
    arg["bn_gamma"] = mx.nd.array([0.5, 0.6, 0.7])
    mod.set_params(arg, aux)
    params = {"learning_rate": 0.1, "wd": 0.1}
    if optimizer == "sgd":
        params["momentum"] = 0.9
    mod.init_optimizer(optimizer=optimizer, optimizer_params=params)
    return mod


def _fix_gamma_batch():
    x = np.random.RandomState(0).rand(4, 5).astype(np.float32)
    return mx.io.DataBatch([mx.nd.array(x)], [mx.nd.array([0, 1, 2, 1])])


def test_fix_gamma_gamma_is_updated_from_one_like_mxnet_intermediate_api():
    mod = _fix_gamma_module()
    for want in FIX_GAMMA_AFTER:
        mod.forward_backward(_fix_gamma_batch())
        mod.update()
        np.testing.assert_allclose(mod.get_params()[0]["bn_gamma"].asnumpy(), [want] * 3,
                                   rtol=1e-6)


def test_fix_gamma_gamma_is_updated_from_one_like_mxnet_in_a_scanned_fit_epoch():
    mod = _fix_gamma_module()
    x = np.random.RandomState(0).rand(12, 5).astype(np.float32)
    it = mx.io.NDArrayIter(x, np.array([0, 1, 2, 1] * 3, np.float32), 4)
    mod.fit(it, num_epoch=1)  # 3 batches, one scanned epoch
    np.testing.assert_allclose(mod.get_params()[0]["bn_gamma"].asnumpy(),
                               [FIX_GAMMA_AFTER[-1]] * 3, rtol=1e-6)


class _PlainMomentum(mx.optimizer.Optimizer):
    """A user optimizer with no pure rule: the Module updates through MXNet's Updater."""

    def create_state(self, index, weight):
        return mx.nd.zeros(weight.shape, weight.context, dtype=weight.dtype)

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        state[:] = 0.9 * state - lr * (grad * self.rescale_grad + wd * weight)
        weight[:] += state


def test_fix_gamma_gamma_is_updated_from_one_through_a_user_optimizer_too():
    mod = _fix_gamma_module(optimizer=_PlainMomentum(learning_rate=0.1, wd=0.1,
                                                     rescale_grad=0.25))
    for want in FIX_GAMMA_AFTER:
        mod.forward_backward(_fix_gamma_batch())
        mod.update()
        np.testing.assert_allclose(mod.get_params()[0]["bn_gamma"].asnumpy(), [want] * 3,
                                   rtol=1e-6)


def test_an_executor_forward_writes_one_into_a_fix_gamma_gamma():
    net = mx.sym.BatchNorm(mx.sym.var("data"), name="bn")
    exe = net.simple_bind(mx.cpu(), data=(4, 3))
    exe.arg_dict["bn_gamma"][:] = 0.25
    exe.forward(is_train=False)
    np.testing.assert_array_equal(exe.arg_dict["bn_gamma"].asnumpy(), [1.0, 1.0, 1.0])
