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

import numpy as np

FIXTURES = Path(__file__).with_name("fixtures")


# The scenarios take the framework module (mxnet here, mxjax in tests/test_monitor.py), so
# both run exactly the same steps.
def network(mx):
    net = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(net, name="fc1", num_hidden=4)
    net = mx.sym.Activation(net, name="relu1", act_type="relu")
    net = mx.sym.BatchNorm(net, name="bn", fix_gamma=False)
    net = mx.sym.FullyConnected(net, name="fc2", num_hidden=3)
    return mx.sym.SoftmaxOutput(net, name="softmax")


def arg_params(mx, arrays):
    return {k[4:]: mx.nd.array(v) for k, v in arrays.items()
            if k.startswith("arg:") and k not in ("arg:data", "arg:softmax_label")}


def batch(mx, arrays, i):
    return mx.io.DataBatch([mx.nd.array(arrays[f"batch{i}:data"])],
                           [mx.nd.array(arrays[f"batch{i}:label"])])


def trained_module(mx, arrays, context=None):
    """A Module bound for batch 4 with the recorded parameters and SGD(lr 0.1)."""
    mod = mx.mod.Module(network(mx), context=context or mx.cpu())
    mod.bind([("data", (4, 5))], [("softmax_label", (4,))])
    mod.init_params(arg_params=arg_params(mx, arrays))
    mod.init_optimizer(optimizer_params=(("learning_rate", 0.1),))
    return mod


def interval_tocs(mx, arrays):
    """Monitor(2): three tic/forward_backward/update/toc rounds, then an inference one."""
    mod = trained_module(mx, arrays)
    mon = mx.mon.Monitor(2)
    mod.install_monitor(mon)
    tocs = []
    for i in range(3):
        mon.tic()
        mod.forward_backward(batch(mx, arrays, i))
        mod.update()
        tocs.append(mon.toc())
    mon.tic()
    mod.forward(batch(mx, arrays, 2), is_train=False)
    tocs.append(mon.toc())
    return tocs


def sorted_pattern_toc(mx, arrays):
    """Monitor(1, pattern, sort=True) over one forward_backward."""
    mod = trained_module(mx, arrays)
    mon = mx.mon.Monitor(1, pattern=".*weight|.*backward_output1", sort=True)
    mod.install_monitor(mon)
    mon.tic()
    mod.forward_backward(batch(mx, arrays, 2))
    return mon.toc()


def two_device_toc(mx, arrays):
    """A Module on [cpu(0), cpu(1)]: each executor reports its half of the batch."""
    mod = trained_module(mx, arrays, context=[mx.cpu(0), mx.cpu(1)])
    mon = mx.mon.Monitor(1)
    mod.install_monitor(mon)
    mon.tic()
    mod.forward_backward(batch(mx, arrays, 0))
    mod.update()
    return mon.toc()


def main():
    import mxnet as mx

    rng = np.random.RandomState(0)
    net = network(mx)
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

    rows = [list(r) for r in sorted_pattern_toc(mx, arrays)]
    np.savez(FIXTURES / "monitor_mxnet.npz", **arrays)
    meta = {"exec_names": exec_names, "exec_n_forward": n_forward,
            "module_tocs": [[list(r) for r in toc] for toc in interval_tocs(mx, arrays)],
            "sorted_toc": rows,
            "two_device_toc": [list(r) for r in two_device_toc(mx, arrays)]}
    (FIXTURES / "monitor_mxnet.json").write_text(json.dumps(meta, indent=1) + "\n")


if __name__ == "__main__":
    main()
