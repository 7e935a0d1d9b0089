"""Record MXNet 1.9.1 SequentialModule / PythonLossModule numbers into
fixtures/sequential_mxnet.{npz,json} (for test_sequential_module.py and test_python_module.py).

Run with a real MXNet (the tests do not need it):
    /work/mxnet-venv/bin/python tests/module/record_sequential.py

Cases (every initial parameter is a fixed array stored in the npz as ``init_<name>``):

* ``steps``: module 1 ``data -> FullyConnected(8, fc1) -> relu`` (no labels), module 2
  ``data2 -> FullyConnected(3, fc2) -> SoftmaxOutput`` added with take_labels and auto_wiring;
  bound with inputs_need_grad; SGD (lr 0.1, momentum 0.9, wd 0.01); 4 rounds of
  forward/backward/update on batches ``x<i>``/``y<i>``: outputs, module 1 gradients and the
  input gradients per round, every parameter after the last update.
* ``fit``: the same chain trained by ``fit`` for 2 epochs on an NDArrayIter of 10 samples,
  batch 4 (last batch padded); final parameters, train accuracy, ``score`` and ``predict``.
* ``pyloss``: module ``data -> FullyConnected(3, fcp)`` followed by a PythonLossModule whose
  grad_func is ``softmax(scores) - onehot(labels)`` (in numpy): outputs, module 1 gradients
  and input gradients, parameters after one SGD step, accuracy from update_metric.
* ``errors``: exception types and messages for an unknown meta key, duplicate parameter
  names, forward before bind.
"""

import json
import logging
from pathlib import Path

import mxnet as mx
import numpy as np

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
OUT = {}
META = {}


def put(name, value):
    OUT[name] = np.asarray(value.asnumpy() if hasattr(value, "asnumpy") else value,
                           dtype=np.float32)


def chain_symbols():
    data = mx.sym.var("data")
    fc1 = mx.sym.FullyConnected(data, num_hidden=8, name="fc1")
    net1 = mx.sym.Activation(fc1, act_type="relu", name="relu1")
    data2 = mx.sym.var("data2")
    fc2 = mx.sym.FullyConnected(data2, num_hidden=3, name="fc2")
    net2 = mx.sym.SoftmaxOutput(fc2, name="softmax")
    return net1, net2


def chain():
    net1, net2 = chain_symbols()
    mod1 = mx.mod.Module(net1, data_names=["data"], label_names=None)
    mod2 = mx.mod.Module(net2, data_names=["data2"], label_names=["softmax_label"])
    seq = mx.mod.SequentialModule()
    seq.add(mod1).add(mod2, take_labels=True, auto_wiring=True)
    return seq, mod1, mod2


def init_params(rng):
    shapes = {"fc1_weight": (8, 5), "fc1_bias": (8,), "fc2_weight": (3, 8), "fc2_bias": (3,)}
    params = {}
    for name, shape in shapes.items():
        params[name] = (rng.randn(*shape) * 0.5).astype(np.float32)
        put(f"init_{name}", params[name])
    return params


def nd_params(params):
    return {k: mx.nd.array(v) for k, v in params.items()}


def case_steps(rng, params):
    seq, mod1, _ = chain()
    seq.bind(data_shapes=[("data", (4, 5))], label_shapes=[("softmax_label", (4,))],
             inputs_need_grad=True)
    seq.init_params(arg_params=nd_params(params))
    seq.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.1,
                                                          "momentum": 0.9, "wd": 0.01})
    META["steps"] = {
        "output_names": seq.output_names,
        "data_names": seq.data_names,
        "output_shapes": [[n, list(s)] for n, s in seq.output_shapes],
        "label_shapes": [[d[0], list(d[1])] for d in seq.label_shapes],
        "mod1_param_names": mod1._param_names,
    }
    for i in range(4):
        x = rng.randn(4, 5).astype(np.float32)
        y = rng.randint(0, 3, 4).astype(np.float32)
        put(f"steps_x{i}", x)
        put(f"steps_y{i}", y)
        batch = mx.io.DataBatch([mx.nd.array(x)], [mx.nd.array(y)])
        seq.forward(batch, is_train=True)
        put(f"steps_out{i}", seq.get_outputs()[0])
        seq.backward()
        for name, grads in zip(mod1._param_names, mod1._exec_group.grad_arrays, strict=True):
            put(f"steps_grad{i}_{name}", grads[0])
        # MXNet's SequentialModule.bind never sets its own inputs_need_grad flag, so
        # seq.get_input_grads() always fails there: read module 1's (the same arrays)
        put(f"steps_igrad{i}", mod1.get_input_grads()[0])
        seq.update()
    arg, aux = seq.get_params()
    for name, value in arg.items():
        put(f"steps_final_{name}", value)
    META["steps"]["final_names"] = sorted(arg)
    META["steps"]["seq_flags"] = {"for_training": seq.for_training,
                                  "inputs_need_grad": seq.inputs_need_grad}
    META["steps"]["seq_get_input_grads"] = error_of(seq.get_input_grads)
    META["steps"]["aux_names"] = sorted(aux)
    # inference forward with the trained parameters
    xe = rng.randn(4, 5).astype(np.float32)
    put("steps_xeval", xe)
    seq.forward(mx.io.DataBatch([mx.nd.array(xe)], None), is_train=False)
    put("steps_out_eval", seq.get_outputs()[0])


def case_fit(rng, params):
    x = rng.randn(10, 5).astype(np.float32)
    y = rng.randint(0, 3, 10).astype(np.float32)
    put("fit_x", x)
    put("fit_y", y)
    it = mx.io.NDArrayIter(x, y, batch_size=4, label_name="softmax_label")
    seq, _, _ = chain()
    acc = mx.metric.Accuracy()
    epoch_params = []

    def on_epoch(epoch, sym, arg, aux):
        epoch_params.append(sorted(arg))

    seq.fit(it, eval_metric=acc, optimizer="sgd",
            optimizer_params={"learning_rate": 0.1, "momentum": 0.9, "wd": 0.001},
            arg_params=nd_params(params), num_epoch=2, epoch_end_callback=on_epoch)
    arg, _ = seq.get_params()
    for name, value in arg.items():
        put(f"fit_final_{name}", value)
    score = seq.score(it, ["acc", "ce"])
    pred = seq.predict(it)
    put("fit_predict", pred)
    META["fit"] = {"train_acc": acc.get()[1], "score": [[n, float(v)] for n, v in score],
                   "epoch_callback_names": epoch_params,
                   "predict_shape": list(pred.shape)}


def softmax_minus_onehot(scores, labels):
    s = scores.asnumpy()
    e = np.exp(s - s.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(p)), labels.asnumpy().astype(int)] -= 1.0
    return p


def case_pyloss(rng):
    data = mx.sym.var("data")
    net = mx.sym.FullyConnected(data, num_hidden=3, name="fcp")
    mod1 = mx.mod.Module(net, data_names=["data"], label_names=None)
    loss = mx.mod.PythonLossModule(grad_func=softmax_minus_onehot)
    seq = mx.mod.SequentialModule()
    seq.add(mod1).add(loss, take_labels=True, auto_wiring=True)
    seq.bind(data_shapes=[("data", (6, 4))], label_shapes=[("softmax_label", (6,))])
    w = (rng.randn(3, 4) * 0.5).astype(np.float32)
    b = (rng.randn(3) * 0.1).astype(np.float32)
    put("pyloss_init_fcp_weight", w)
    put("pyloss_init_fcp_bias", b)
    seq.init_params(arg_params={"fcp_weight": mx.nd.array(w), "fcp_bias": mx.nd.array(b)})
    seq.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.5})
    x = rng.randn(6, 4).astype(np.float32)
    y = rng.randint(0, 3, 6).astype(np.float32)
    put("pyloss_x", x)
    put("pyloss_y", y)
    batch = mx.io.DataBatch([mx.nd.array(x)], [mx.nd.array(y)])
    seq.forward(batch, is_train=True)
    put("pyloss_out", seq.get_outputs()[0])
    seq.backward()
    for name, grads in zip(mod1._param_names, mod1._exec_group.grad_arrays, strict=True):
        put(f"pyloss_grad_{name}", grads[0])
    put("pyloss_loss_igrad", loss.get_input_grads()[0])
    acc = mx.metric.Accuracy()
    seq.update_metric(acc, batch.label)
    seq.update()
    arg, _ = seq.get_params()
    for name, value in arg.items():
        put(f"pyloss_final_{name}", value)
    META["pyloss"] = {"acc": acc.get()[1], "output_names": seq.output_names,
                      "output_shapes": [[n, list(s)] for n, s in seq.output_shapes],
                      "loss_binded": loss.binded,
                      "loss_params": [sorted(d) for d in loss.get_params()]}
    # fit of the same chain: Module + PythonLossModule (2 epochs, batch 5)
    xf = rng.randn(10, 4).astype(np.float32)
    yf = rng.randint(0, 3, 10).astype(np.float32)
    put("pyloss_fit_x", xf)
    put("pyloss_fit_y", yf)
    mod1 = mx.mod.Module(net, data_names=["data"], label_names=None)
    seq = mx.mod.SequentialModule()
    seq.add(mod1).add(mx.mod.PythonLossModule(grad_func=softmax_minus_onehot),
                      take_labels=True, auto_wiring=True)
    it = mx.io.NDArrayIter(xf, yf, batch_size=5, label_name="softmax_label")
    acc = mx.metric.Accuracy()
    seq.fit(it, eval_metric=acc, optimizer="sgd",
            optimizer_params={"learning_rate": 0.5, "momentum": 0.5},
            arg_params={"fcp_weight": mx.nd.array(w), "fcp_bias": mx.nd.array(b)}, num_epoch=2)
    arg, _ = seq.get_params()
    for name, value in arg.items():
        put(f"pyloss_fit_final_{name}", value)
    META["pyloss"]["fit_acc"] = acc.get()[1]
    # PythonLossModule without a grad_func
    bare = mx.mod.PythonLossModule()
    bare.bind(data_shapes=[("data", (2, 3))], label_shapes=[("softmax_label", (2,))])
    bare.forward(mx.io.DataBatch([mx.nd.ones((2, 3))], [mx.nd.zeros((2,))]))
    try:
        bare.backward()
        META["pyloss"]["no_grad_func"] = None
    except Exception as err:  # noqa: BLE001
        META["pyloss"]["no_grad_func"] = type(err).__name__


def error_of(fn):
    try:
        fn()
    except Exception as err:  # noqa: BLE001
        return [type(err).__name__, str(err)]
    return None


def case_errors():
    errors = {}
    errors["unknown_meta"] = error_of(lambda: mx.mod.SequentialModule().add(
        chain()[1], take_label=True))

    def duplicate():
        data = mx.sym.var("data")
        net_a = mx.sym.FullyConnected(data, num_hidden=4, name="fc")
        data2 = mx.sym.var("data2")
        net_b = mx.sym.FullyConnected(data2, num_hidden=4, name="fc")
        seq = mx.mod.SequentialModule()
        seq.add(mx.mod.Module(net_a, label_names=None))
        seq.add(mx.mod.Module(net_b, data_names=["data2"], label_names=None), auto_wiring=True)
        seq.bind(data_shapes=[("data", (2, 4))])
        seq.init_params()

    errors["duplicate"] = error_of(duplicate)

    def forward_unbound():
        seq, _, _ = chain()
        seq.forward(mx.io.DataBatch([mx.nd.ones((4, 5))], [mx.nd.zeros((4,))]))

    errors["forward_unbound"] = error_of(forward_unbound)

    def bind_empty():
        mx.mod.SequentialModule().bind(data_shapes=[("data", (2, 4))])

    errors["bind_empty"] = error_of(bind_empty)
    META["errors"] = errors


def main():
    logging.basicConfig(level=logging.WARNING)
    mx.random.seed(0)
    rng = np.random.RandomState(7)
    params = init_params(rng)
    case_steps(rng, params)
    case_fit(rng, params)
    case_pyloss(rng)
    case_errors()
    META["mxnet_version"] = mx.__version__
    np.savez(FIXTURES / "sequential_mxnet.npz", **OUT)
    with open(FIXTURES / "sequential_mxnet.json", "w") as f:
        json.dump(META, f, indent=1, sort_keys=True)
    print(json.dumps(META, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
