"""Record what MXNet 1.9.1's monitors report into fixtures/monitor_mxnet.{npz,json}
(for test_monitor.py).

Run with a real MXNet (the tests do not need it):
    $MXJAX_MXNET_PYTHON tests/record_monitor.py

The network: data -> FullyConnected(4) -> relu -> BatchNorm -> FullyConnected(3) ->
SoftmaxOutput, batch 4, parameters drawn from a fixed seed (stored in the npz).

* ``executor``: ``simple_bind`` (every grad_req 'write'), ``set_monitor_callback``, then
  ``forward(is_train=True)`` and ``backward()``: every reported name and array, in order.
* ``module``: a Module with ``mx.mon.Monitor(interval=2)`` installed, three batches of
  tic / forward_backward / update / toc; then tic / forward(is_train=False) / toc; and a
  second monitor with a pattern and ``sort=True``; a Module on ``[cpu(0), cpu(1)]``
  (one report per device): every ``toc()`` result.
"""

import json
from pathlib import Path

import mxnet as mx
import numpy as np

FIXTURES = Path(__file__).with_name("fixtures")


def network():
    net = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(net, name="fc1", num_hidden=4)
    net = mx.sym.Activation(net, name="relu1", act_type="relu")
    net = mx.sym.BatchNorm(net, name="bn", fix_gamma=False)
    net = mx.sym.FullyConnected(net, name="fc2", num_hidden=3)
    return mx.sym.SoftmaxOutput(net, name="softmax")


def main():
    rng = np.random.RandomState(0)
    net = network()
    arrays = {}
    exe = net.simple_bind(mx.cpu(), data=(4, 5), softmax_label=(4,))
    for name, arr in exe.arg_dict.items():
        value = (np.array([0, 1, 2, 1], np.float32) if name == "softmax_label"
                 else rng.uniform(-1, 1, arr.shape).astype(np.float32))
        arr[:] = value
        arrays["arg:" + name] = value
    for i in range(3):
        arrays[f"batch{i}:data"] = rng.uniform(-1, 1, (4, 5)).astype(np.float32)
        arrays[f"batch{i}:label"] = rng.randint(0, 3, 4).astype(np.float32)

    reported = []

    def callback(name, handle):
        arr = mx.nd.NDArray(mx.base.ctypes.cast(handle, mx.base.NDArrayHandle), writable=False)
        reported.append((mx.base.py_str(name), arr.asnumpy().copy()))

    exe.set_monitor_callback(callback)
    exe.forward(is_train=True)
    n_forward = len(reported)
    exe.backward()
    exec_names = []
    for i, (name, value) in enumerate(reported):
        arrays[f"exec{i}:{name}"] = value
        exec_names.append(name)

    mod = mx.mod.Module(net)
    mod.bind([("data", (4, 5))], [("softmax_label", (4,))])
    mod.init_params(arg_params={k[4:]: mx.nd.array(v) for k, v in arrays.items()
                                if k.startswith("arg:") and k not in
                                ("arg:data", "arg:softmax_label")})
    mod.init_optimizer(optimizer_params=(("learning_rate", 0.1),))
    mon = mx.mon.Monitor(2)
    mod.install_monitor(mon)
    tocs = []
    for i in range(3):
        batch = mx.io.DataBatch([mx.nd.array(arrays[f"batch{i}:data"])],
                                [mx.nd.array(arrays[f"batch{i}:label"])])
        mon.tic()
        mod.forward_backward(batch)
        mod.update()
        tocs.append(mon.toc())
    mon.tic()
    mod.forward(batch, is_train=False)
    tocs.append(mon.toc())

    mod2 = mx.mod.Module(net)
    mod2.bind([("data", (4, 5))], [("softmax_label", (4,))])
    mod2.set_params(mod.get_params()[0], mod.get_params()[1])
    mon2 = mx.mon.Monitor(1, pattern=".*weight|.*backward_output1", sort=True)
    mod2.install_monitor(mon2)
    mon2.tic()
    mod2.forward_backward(batch)
    sorted_toc = mon2.toc()

    mod3 = mx.mod.Module(net, context=[mx.cpu(0), mx.cpu(1)])
    mod3.bind([("data", (4, 5))], [("softmax_label", (4,))])
    mod3.init_params(arg_params={k[4:]: mx.nd.array(v) for k, v in arrays.items()
                                 if k.startswith("arg:") and k not in
                                 ("arg:data", "arg:softmax_label")})
    mod3.init_optimizer(optimizer_params=(("learning_rate", 0.1),))
    mon3 = mx.mon.Monitor(1)
    mod3.install_monitor(mon3)
    mon3.tic()
    mod3.forward_backward(mx.io.DataBatch([mx.nd.array(arrays["batch0:data"])],
                                          [mx.nd.array(arrays["batch0:label"])]))
    mod3.update()
    two_device_toc = mon3.toc()

    np.savez(FIXTURES / "monitor_mxnet.npz", **arrays)
    meta = {"exec_names": exec_names, "exec_n_forward": n_forward,
            "module_tocs": [[list(r) for r in toc] for toc in tocs],
            "sorted_toc": [list(r) for r in sorted_toc],
            "two_device_toc": [list(r) for r in two_device_toc]}
    (FIXTURES / "monitor_mxnet.json").write_text(json.dumps(meta, indent=1) + "\n")


if __name__ == "__main__":
    main()
