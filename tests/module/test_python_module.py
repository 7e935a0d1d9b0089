"""PythonModule / PythonLossModule, chained after a Module in a SequentialModule, against
numbers recorded from MXNet 1.9.1 (tests/module/record_sequential.py ->
fixtures/sequential_mxnet.{npz,json}, keys ``pyloss_*``)."""

import json
from pathlib import Path

import numpy as np
import pytest

import mxjax as mx
from mxjax.module.python_module import PythonLossModule, PythonModule
from mxjax.module.sequential_module import SequentialModule

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "sequential_mxnet"
REF = np.load(f"{FIX}.npz")
META = json.loads(Path(f"{FIX}.json").read_text())["pyloss"]


def close(actual, key):
    np.testing.assert_allclose(actual.asnumpy(), REF[key], rtol=1e-5, atol=1e-6, err_msg=key)


def softmax_minus_onehot(scores, labels):
    """The recorder's grad_func: d(cross-entropy of softmax)/d scores, as numpy."""
    s = scores.asnumpy()
    e = np.exp(s - s.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(p)), labels.asnumpy().astype(int)] -= 1.0
    return p


def fc_module():
    net = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3, name="fcp")
    return mx.mod.Module(net, data_names=["data"], label_names=None)


def init_params(prefix="pyloss_init_"):
    return {n: mx.nd.array(REF[f"{prefix}{n}"]) for n in ("fcp_weight", "fcp_bias")}


def test_module_then_python_loss_gradients_match_mxnet():
    mod1 = fc_module()
    loss = PythonLossModule(grad_func=softmax_minus_onehot)
    seq = SequentialModule().add(mod1).add(loss, take_labels=True, auto_wiring=True)
    seq.bind(data_shapes=[("data", (6, 4))], label_shapes=[("softmax_label", (6,))])
    seq.init_params(arg_params=init_params())
    seq.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.5})
    data = mx.io.DataBatch([mx.nd.array(REF["pyloss_x"])], [mx.nd.array(REF["pyloss_y"])])
    seq.forward(data, is_train=True)
    close(seq.get_outputs()[0], "pyloss_out")  # the loss outputs its input scores
    seq.backward()
    close(loss.get_input_grads()[0], "pyloss_loss_igrad")
    for name, grads in zip(mod1._param_names, mod1._exec_group.grad_arrays, strict=True):
        close(grads[0], f"pyloss_grad_{name}")
    acc = mx.metric.Accuracy()
    seq.update_metric(acc, data.label)  # PythonModule: eval_metric.update(labels, outputs)
    assert acc.get()[1] == pytest.approx(META["acc"])
    seq.update()
    arg, aux = seq.get_params()
    assert aux == {}
    for name, value in arg.items():
        close(value, f"pyloss_final_{name}")
    assert seq.output_names == META["output_names"]
    assert [[n, list(s)] for n, s in seq.output_shapes] == META["output_shapes"]
    assert [sorted(d) for d in loss.get_params()] == META["loss_params"]
    assert loss.binded == META["loss_binded"]  # MXNet's PythonModule.bind leaves it False


def test_fit_with_python_loss_matches_mxnet():
    it = mx.io.NDArrayIter(REF["pyloss_fit_x"], REF["pyloss_fit_y"], batch_size=5,
                           label_name="softmax_label")
    seq = SequentialModule().add(fc_module())
    seq.add(PythonLossModule(grad_func=softmax_minus_onehot), take_labels=True, auto_wiring=True)
    acc = mx.metric.Accuracy()
    seq.fit(it, eval_metric=acc, optimizer="sgd",
            optimizer_params={"learning_rate": 0.5, "momentum": 0.5},
            arg_params=init_params(), num_epoch=2)
    assert acc.get()[1] == pytest.approx(META["fit_acc"])
    for name, value in seq.get_params()[0].items():
        close(value, f"pyloss_fit_final_{name}")


def test_python_loss_without_grad_func_raises_not_implemented_like_mxnet():
    assert META["no_grad_func"] == "NotImplementedError"
    loss = PythonLossModule()
    loss.bind(data_shapes=[("data", (2, 3))], label_shapes=[("softmax_label", (2,))])
    loss.forward(mx.io.DataBatch([mx.nd.ones((2, 3))], [mx.nd.zeros((2,))]))
    assert loss.get_outputs()[0].shape == (2, 3)
    with pytest.raises(NotImplementedError, match="grad_func"):
        loss.backward()
    with pytest.raises(AssertionError, match="out_grads"):
        loss.backward(out_grads=[mx.nd.ones((2, 3))])


def test_python_module_bind_checks_names_and_has_no_params():
    loss = PythonLossModule(name="myloss", data_names=["scores"], label_names=["lab"])
    with pytest.raises(AssertionError, match="data_names"):
        loss.bind(data_shapes=[("data", (2, 3))])
    with pytest.raises(AssertionError, match="label_names"):
        loss.bind(data_shapes=[("scores", (2, 3))], label_shapes=[("softmax_label", (2,))])
    with pytest.raises(AssertionError, match="write"):
        loss.bind(data_shapes=[("scores", (2, 3))], grad_req="add")
    loss.bind(data_shapes=[("scores", (2, 3))], for_training=False)
    assert loss.output_shapes == [("myloss_output", (2, 3))]
    assert loss.get_params() == ({}, {})
    loss.init_params()
    loss.init_optimizer()
    loss.update()  # no parameters: nothing happens
    acc = mx.metric.Accuracy()
    loss.forward(mx.io.DataBatch([mx.nd.ones((2, 3))], None))
    loss.update_metric(acc, [mx.nd.zeros((2,))])  # bound without labels: ignored
    assert acc.num_inst == 0
    with pytest.raises(AssertionError, match="one data name"):
        PythonLossModule(data_names=("a", "b"))


class Scale(PythonModule):
    """A user PythonModule: ``out = k * x``, input gradient ``k * out_grad``."""

    def __init__(self, k):
        super().__init__(["x"], None, ["scale_output"])
        self.k = k

    def _compute_output_shapes(self):
        return [("scale_output", self._data_shapes[0][1])]

    def forward(self, data_batch, is_train=None):
        self._out = data_batch.data[0] * self.k

    def get_outputs(self, merge_multi_context=True):
        return [self._out]

    def backward(self, out_grads=None):
        self._igrad = out_grads[0] * self.k

    def get_input_grads(self, merge_multi_context=True):
        return [self._igrad]


def test_user_python_module_in_the_middle_obeys_the_chain_rule():
    """FC -> Scale(3) -> FC+SoftmaxOutput equals one symbol FC -> *3 -> FC -> SoftmaxOutput."""
    rng = np.random.RandomState(0)
    x = rng.randn(4, 5).astype(np.float32)
    y = np.array([0, 2, 1, 2], np.float32)
    params = {"f1_weight": rng.randn(6, 5), "f1_bias": rng.randn(6),
              "f2_weight": rng.randn(3, 6), "f2_bias": rng.randn(3)}
    params = {k: mx.nd.array(v.astype(np.float32)) for k, v in params.items()}
    f1 = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=6, name="f1")
    head = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.var("h"), num_hidden=3,
                                                      name="f2"), name="softmax")
    m1 = mx.mod.Module(f1, label_names=None)
    m3 = mx.mod.Module(head, data_names=["h"])
    seq = SequentialModule().add(m1).add(Scale(3.0), auto_wiring=True)
    seq.add(m3, take_labels=True, auto_wiring=True)
    seq.bind(data_shapes=[("data", (4, 5))], label_shapes=[("softmax_label", (4,))])
    seq.init_params(arg_params=params)
    seq.forward(mx.io.DataBatch([mx.nd.array(x)], [mx.nd.array(y)]), is_train=True)
    seq.backward()

    whole = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(f1 * 3.0, num_hidden=3, name="f2"),
                                 name="softmax")
    ref = mx.mod.Module(whole)
    ref.bind(data_shapes=[("data", (4, 5))], label_shapes=[("softmax_label", (4,))])
    ref.init_params(arg_params=params)
    ref.forward(mx.io.DataBatch([mx.nd.array(x)], [mx.nd.array(y)]), is_train=True)
    ref.backward()
    np.testing.assert_allclose(seq.get_outputs()[0].asnumpy(), ref.get_outputs()[0].asnumpy(),
                               rtol=1e-5, atol=1e-6)
    ref_grads = dict(zip(ref._param_names, ref._exec_group.grad_arrays, strict=True))
    for mod in (m1, m3):
        for name, grads in zip(mod._param_names, mod._exec_group.grad_arrays, strict=True):
            np.testing.assert_allclose(grads[0].asnumpy(), ref_grads[name][0].asnumpy(),
                                       rtol=1e-5, atol=1e-5, err_msg=name)
