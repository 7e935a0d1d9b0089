"""SequentialModule against numbers recorded from MXNet 1.9.1 (tests/module/record_sequential.py
-> fixtures/sequential_mxnet.{npz,json}).

The chain: module 1 ``data -> FullyConnected(8, fc1) -> relu`` (no labels), module 2
``data2 -> FullyConnected(3, fc2) -> SoftmaxOutput`` added with take_labels and auto_wiring,
started from the recorded initial parameters.
"""

import json
import logging
from pathlib import Path

import numpy as np
import pytest

import mxjax as mx
from mxjax.module.sequential_module import SequentialModule

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "sequential_mxnet"
REF = np.load(f"{FIX}.npz")
META = json.loads(Path(f"{FIX}.json").read_text())
NAMES = ["fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias"]
SGD = {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01}


def close(actual, key):
    np.testing.assert_allclose(np.asarray(actual.asnumpy() if hasattr(actual, "asnumpy")
                                          else actual), REF[key], rtol=1e-5, atol=1e-6,
                               err_msg=key)


def chain(take_labels=True, auto_wiring=True):
    data = mx.sym.var("data")
    net1 = mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=8, name="fc1"),
                             act_type="relu", name="relu1")
    net2 = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.var("data2"), num_hidden=3,
                                                      name="fc2"), name="softmax")
    mod1 = mx.mod.Module(net1, data_names=["data"], label_names=None)
    mod2 = mx.mod.Module(net2, data_names=["data2"], label_names=["softmax_label"])
    seq = SequentialModule()
    assert seq.add(mod1) is seq
    seq.add(mod2, take_labels=take_labels, auto_wiring=auto_wiring)
    return seq, mod1, mod2


def init_params():
    return {n: mx.nd.array(REF[f"init_{n}"]) for n in NAMES}


def bound_chain(inputs_need_grad=True):
    seq, mod1, mod2 = chain()
    seq.bind(data_shapes=[("data", (4, 5))], label_shapes=[("softmax_label", (4,))],
             inputs_need_grad=inputs_need_grad)
    seq.init_params(arg_params=init_params())
    seq.init_optimizer(optimizer="sgd", optimizer_params=SGD)
    return seq, mod1, mod2


def batch(i):
    return mx.io.DataBatch([mx.nd.array(REF[f"steps_x{i}"])], [mx.nd.array(REF[f"steps_y{i}"])])


def test_four_sgd_momentum_steps_match_mxnet_outputs_grads_and_params():
    seq, mod1, _ = bound_chain()
    for i in range(4):
        seq.forward(batch(i), is_train=True)
        close(seq.get_outputs()[0], f"steps_out{i}")
        seq.backward()
        # module 1's parameter gradients come from module 2's input gradients
        for name, grads in zip(mod1._param_names, mod1._exec_group.grad_arrays, strict=True):
            close(grads[0], f"steps_grad{i}_{name}")
        close(seq.get_input_grads()[0], f"steps_igrad{i}")
        seq.update()
    arg, aux = seq.get_params()
    assert sorted(arg) == META["steps"]["final_names"] and aux == {}
    for name in NAMES:
        close(arg[name], f"steps_final_{name}")
    seq.forward(mx.io.DataBatch([mx.nd.array(REF["steps_xeval"])], None), is_train=False)
    close(seq.get_outputs()[0], "steps_out_eval")


def test_names_and_shapes_are_first_and_last_modules_like_mxnet():
    seq, mod1, mod2 = bound_chain()
    meta = META["steps"]
    assert seq.data_names == meta["data_names"] == mod1.data_names
    assert seq.output_names == meta["output_names"] == mod2.output_names
    assert [[n, list(s)] for n, s in seq.output_shapes] == meta["output_shapes"]
    assert [[d[0], list(d[1])] for d in seq.label_shapes] == meta["label_shapes"]
    assert [(d[0], tuple(d[1])) for d in seq.data_shapes] == [("data", (4, 5))]
    # auto_wiring renamed relu1_output to module 2's data name; labels only reached module 2
    assert [(d[0], tuple(d[1])) for d in mod2.data_shapes] == [("data2", (4, 8))]
    assert mod1.label_shapes is None
    # modules after the first need input gradients when training
    assert mod2.inputs_need_grad and mod1.inputs_need_grad


def test_label_shapes_none_when_no_module_takes_labels():
    seq, mod1, mod2 = chain(take_labels=False)
    seq.bind(data_shapes=[("data", (4, 5))], label_shapes=[("softmax_label", (4,))],
             for_training=False)
    assert seq.label_shapes is None and mod2.label_shapes is None
    assert not mod2.inputs_need_grad  # inference: no input gradients anywhere
    seq.init_params(arg_params=init_params())
    acc = mx.metric.Accuracy()
    seq.forward(batch(0), is_train=False)
    seq.update_metric(acc, batch(0).label)
    assert acc.num_inst == 0  # only take_labels modules update metrics


def test_fit_two_epochs_matches_mxnet_params_metric_score_and_predict():
    it = mx.io.NDArrayIter(REF["fit_x"], REF["fit_y"], batch_size=4, label_name="softmax_label")
    seq, _, _ = chain()
    acc = mx.metric.Accuracy()
    seen = []
    seq.fit(it, eval_metric=acc, optimizer="sgd",
            optimizer_params={"learning_rate": 0.1, "momentum": 0.9, "wd": 0.001},
            arg_params=init_params(), num_epoch=2,
            epoch_end_callback=lambda epoch, sym, arg, aux: seen.append(sorted(arg)))
    assert seen == META["fit"]["epoch_callback_names"]
    assert acc.get()[1] == pytest.approx(META["fit"]["train_acc"])
    arg, _ = seq.get_params()
    for name in NAMES:
        close(arg[name], f"fit_final_{name}")
    score = seq.score(it, ["acc", "ce"])
    assert [n for n, _ in score] == [n for n, _ in META["fit"]["score"]]
    np.testing.assert_allclose([v for _, v in score], [v for _, v in META["fit"]["score"]],
                               rtol=1e-5)
    pred = seq.predict(it)
    assert list(pred.shape) == META["fit"]["predict_shape"]  # padding of the last batch dropped
    close(pred, "fit_predict")


def test_chain_without_auto_wiring_uses_previous_output_names(tmp_path):
    """Without auto_wiring module 2's data name must be module 1's output name."""
    data = mx.sym.var("data")
    net1 = mx.sym.FullyConnected(data, num_hidden=8, name="fc1")
    net2 = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.var("fc1_output"), num_hidden=3,
                                                      name="fc2"), name="softmax")
    seq = SequentialModule()
    seq.add(mx.mod.Module(net1, label_names=None))
    seq.add(mx.mod.Module(net2, data_names=["fc1_output"]), take_labels=True)
    seq.bind(data_shapes=[("data", (4, 5))], label_shapes=[("softmax_label", (4,))])
    seq.init_params(arg_params=init_params())
    seq.forward(batch(0), is_train=False)
    x = REF["steps_x0"]
    h = x @ REF["init_fc1_weight"].T + REF["init_fc1_bias"]
    z = h @ REF["init_fc2_weight"].T + REF["init_fc2_bias"]
    p = np.exp(z - z.max(1, keepdims=True))
    np.testing.assert_allclose(seq.get_outputs()[0].asnumpy(), p / p.sum(1, keepdims=True),
                               rtol=1e-5, atol=1e-6)
    # BaseModule.save_params / load_params go through the merged get_params / set_params
    fname = str(tmp_path / "seq.params")
    seq.save_params(fname)
    seq2 = SequentialModule()
    seq2.add(mx.mod.Module(net1, label_names=None))
    seq2.add(mx.mod.Module(net2, data_names=["fc1_output"]), take_labels=True)
    seq2.bind(data_shapes=[("data", (4, 5))], for_training=False)
    seq2.init_params()
    seq2.load_params(fname)
    for name, value in seq2.get_params()[0].items():
        np.testing.assert_array_equal(value.asnumpy(), REF[f"init_{name}"])


def test_add_resets_flags_and_bind_twice_warns(caplog):
    seq, _, _ = bound_chain()
    assert seq.binded and seq.params_initialized and seq.optimizer_initialized
    with caplog.at_level(logging.WARNING):
        seq.bind(data_shapes=[("data", (4, 5))])
    assert "Already bound" in caplog.text
    seq.add(mx.mod.Module(mx.sym.Activation(mx.sym.var("x"), act_type="tanh"), data_names=["x"],
                          label_names=None), auto_wiring=True)
    assert not (seq.binded or seq.params_initialized or seq.optimizer_initialized)


# ------------------------------------------------------------------- errors
def test_unknown_meta_key_is_mxnet_assertion():
    kind, message = META["errors"]["unknown_meta"]
    with pytest.raises(AssertionError) as err:
        SequentialModule().add(chain()[1], take_label=True)
    assert type(err.value).__name__ == kind
    assert str(err.value).startswith(message)


def test_duplicate_parameter_names_are_mxnet_assertion():
    kind, message = META["errors"]["duplicate"]
    net_a = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=4, name="fc")
    net_b = mx.sym.FullyConnected(mx.sym.var("data2"), num_hidden=4, name="fc")
    seq = SequentialModule()
    seq.add(mx.mod.Module(net_a, label_names=None))
    seq.add(mx.mod.Module(net_b, data_names=["data2"], label_names=None), auto_wiring=True)
    seq.bind(data_shapes=[("data", (2, 4))])
    with pytest.raises(AssertionError) as err:
        seq.init_params()
    assert type(err.value).__name__ == kind
    assert str(err.value) == message.replace("mxnet.module", "mxjax.module")
    assert not seq.params_initialized


def test_forward_before_bind_and_empty_bind_are_assertions():
    assert META["errors"]["forward_unbound"][0] == "AssertionError"
    seq, _, _ = chain()
    with pytest.raises(AssertionError, match="bind"):
        seq.forward(batch(0))
    with pytest.raises(AssertionError, match="bind"):
        seq.update()
    kind, message = META["errors"]["bind_empty"]
    with pytest.raises(AssertionError, match=message) as err:
        SequentialModule().bind(data_shapes=[("data", (2, 4))])
    assert type(err.value).__name__ == kind


def test_get_input_grads_needs_inputs_need_grad():
    # MXNet 1.9.1 never sets the container's flag (its get_input_grads always asserts);
    # mxjax honours bind(inputs_need_grad=...): without it the same AssertionError
    assert META["steps"]["seq_get_input_grads"][0] == "AssertionError"
    seq, _, _ = bound_chain(inputs_need_grad=False)
    seq.forward(batch(0), is_train=True)
    seq.backward()
    with pytest.raises(AssertionError, match="inputs_need_grad"):
        seq.get_input_grads()


def test_a_monitor_is_installed_on_every_module_of_the_chain():
    seq, _, _ = bound_chain()
    mon = mx.mon.Monitor(1, pattern=".*output$|.*weight")
    seq.install_monitor(mon)
    mon.tic()
    seq.forward(batch(0), is_train=True)
    seq.backward()
    names = [name for _, name, _ in mon.toc()]
    assert names == ["fc1_output", "relu1_output", "fc2_output", "softmax_output",
                     "relu1_backward_output", "fc1_weight", "fc2_weight"]


def test_auto_wiring_input_count_mismatch_is_assertion():
    seq = SequentialModule()
    seq.add(mx.mod.Module(mx.sym.var("data") * 2, label_names=None))
    two = mx.sym.var("a") + mx.sym.var("b")
    seq.add(mx.mod.Module(two, data_names=["a", "b"], label_names=None), auto_wiring=True)
    with pytest.raises(AssertionError, match="auto_wiring"):
        seq.bind(data_shapes=[("data", (2, 3))])
    assert not seq.binded


def test_batch_of_another_size_reshapes_every_module():
    """mxjax extension: provide_data follows auto_wiring names, so each Module reshapes
    (MXNet 1.9.1 fails on such a batch)."""
    seq, _, mod2 = bound_chain()
    x = REF["steps_x0"][:2]
    seq.forward(mx.io.DataBatch([mx.nd.array(x)], [mx.nd.array(REF["steps_y0"][:2])]),
                is_train=False)
    h = np.maximum(x @ REF["init_fc1_weight"].T + REF["init_fc1_bias"], 0)
    z = h @ REF["init_fc2_weight"].T + REF["init_fc2_bias"]
    p = np.exp(z - z.max(1, keepdims=True))
    np.testing.assert_allclose(seq.get_outputs()[0].asnumpy(), p / p.sum(1, keepdims=True),
                               rtol=1e-5, atol=1e-6)
    assert [(d[0], tuple(d[1])) for d in mod2.data_shapes] == [("data2", (2, 8))]
