"""mx.mon.Monitor and the executor monitor callbacks against MXNet 1.9.1's reports
(fixtures/monitor_mxnet.*, recorded by tests/record_monitor.py): names, order, values and
the interval / pattern / sort rules."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import mxjax as mx

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location("record_monitor", HERE / "record_monitor.py")
R = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(R)

FIX = HERE / "fixtures"
META = json.loads((FIX / "monitor_mxnet.json").read_text())
ARR = dict(np.load(FIX / "monitor_mxnet.npz"))
#: BatchNorm's hidden outputs, which mxjax does not compute (see mxjax.monitor)
HIDDEN = {"bn_mean", "bn_var"}
#: label gradients: MXNet reports an unwritten buffer, mxjax zeros
UNWRITTEN = {"softmax_backward_output1"}
#: a Module's data needs no gradient: MXNet reports fc1's unwritten data-gradient buffer,
#: mxjax the gradient itself
NOT_REQUESTED = {"fc1_backward_output0"}


def test_executor_reports_every_operator_output_then_every_backward_output_like_mxnet():
    exe = R.network(mx).simple_bind(mx.cpu(), data=(4, 5), softmax_label=(4,))
    for name, arr in exe.arg_dict.items():
        arr[:] = ARR["arg:" + name]
    got = []
    exe.set_monitor_callback(lambda name, arr: got.append((name, arr.asnumpy())))
    exe.forward(is_train=True)
    n_forward = len(got)
    exe.backward()
    expected = [n for n in META["exec_names"] if n not in HIDDEN]
    assert [n for n, _ in got] == expected
    assert n_forward == META["exec_n_forward"] - len(HIDDEN)
    values = {f"{k.split(':', 1)[1]}": v for k, v in ARR.items() if k.startswith("exec")}
    for name, value in got:
        if name in UNWRITTEN:
            assert not value.any()
            continue
        np.testing.assert_allclose(value, values[name], rtol=1e-5, atol=1e-6, err_msg=name)


def _rows_equal(got, expected):
    expected = [r for r in expected if r[1] not in HIDDEN]
    assert [(s, n) for s, n, _ in got] == [(s, n) for s, n, _ in expected]
    for (_, name, text), (_, _, want) in zip(got, expected, strict=True):
        assert text.endswith("\t")
        if name in UNWRITTEN:
            assert float(text) == 0.0
            continue
        if name in NOT_REQUESTED:
            assert np.isfinite(float(text))
            continue
        np.testing.assert_allclose(float(text), float(want), rtol=1e-5, atol=1e-7,
                                   err_msg=name)


def test_module_monitor_every_second_batch_reports_outputs_gradients_then_updated_args():
    tocs = R.interval_tocs(mx, ARR)
    assert [len(t) > 0 for t in tocs] == [True, False, True, False]
    for got, expected in zip(tocs, META["module_tocs"], strict=True):
        _rows_equal(got, expected)


def test_pattern_and_sort_select_and_order_rows_by_name(caplog):
    _rows_equal(R.sorted_pattern_toc(mx, ARR), META["sorted_toc"])
    mod = R.trained_module(mx, ARR)
    mon = mx.mon.Monitor(1, pattern=".*backward_output1", sort=True)
    mod.install_monitor(mon)
    with caplog.at_level(logging.INFO):
        mon.tic()
        mod.forward_backward(R.batch(mx, ARR, 0))
        mon.toc_print()
    first = caplog.records[0].getMessage()
    assert first.startswith("Batch:       1 bn_backward_output1            ")


def test_fit_with_a_monitor_logs_monitor_rows(caplog):
    x = ARR["batch0:data"].repeat(2, axis=0)
    y = ARR["batch0:label"].repeat(2)
    it = mx.io.NDArrayIter(x, y, 4)
    mod = mx.mod.Module(R.network(mx))
    mon = mx.mon.Monitor(1, pattern="fc2_weight")
    with caplog.at_level(logging.INFO):
        mod.fit(it, num_epoch=1, monitor=mon, arg_params=R.arg_params(mx, ARR))
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Batch:")]
    assert [ln.split()[1:3] for ln in lines] == [["1", "fc2_weight"], ["2", "fc2_weight"]]


def test_custom_stat_func_and_bad_arguments():
    exe = R.network(mx).simple_bind(mx.cpu(), data=(4, 5), softmax_label=(4,))
    mon = mx.mon.Monitor(1, stat_func=lambda x: [x.max(), x.min()], pattern="fc1_output")
    mon.install(exe)
    mon.tic()
    exe.forward(is_train=False)
    rows = mon.toc()
    assert [n for _, n, _ in rows] == ["fc1_output"] and rows[0][2].count("\t") == 2
    with pytest.raises(ValueError, match="interval"):
        mx.mon.Monitor(0)
    bad = mx.mon.Monitor(1, stat_func=lambda x: 1.0, pattern="fc1_output")
    bad.install(exe)
    bad.tic()
    exe.forward(is_train=False)
    with pytest.raises(TypeError, match="fc1_output"):
        bad.toc()


TWO_DEVICES = '''
import importlib.util, json, sys
import numpy as np
import mxjax as mx
spec = importlib.util.spec_from_file_location("record_monitor", sys.argv[1])
R = importlib.util.module_from_spec(spec)
spec.loader.exec_module(R)
arrays = dict(np.load(sys.argv[2]))
print("ROWS", json.dumps([list(r) for r in R.two_device_toc(mx, arrays)]))
'''


def test_a_module_on_two_devices_reports_each_devices_slice_like_mxnet(tmp_path):
    """context=[cpu(0), cpu(1)]: every device's executor reports its half of the batch,
    device after device (JAX fixes the device count at start: a subprocess)."""
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=2")
    script = tmp_path / "two_devices.py"
    script.write_text(TWO_DEVICES)
    res = subprocess.run([sys.executable, str(script), str(HERE / "record_monitor.py"),
                          str(FIX / "monitor_mxnet.npz")],
                         capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    line = next(ln for ln in res.stdout.splitlines() if ln.startswith("ROWS "))
    _rows_equal([tuple(r) for r in json.loads(line[5:])], META["two_device_toc"])
