"""mx.callback: MXNet 1.9.1's checkpoint timing and its exact log lines on the root logger."""

from __future__ import annotations

import logging
import math
from collections import namedtuple

import pytest

import mxjax as mx
from mxjax import callback, metric

# The fields of mxjax.model.BatchEndParam (MXNet's namedtuple 'BatchEndParams').
Param = namedtuple("BatchEndParams", ["epoch", "nbatch", "eval_metric", "locals"])


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = FakeClock()
    monkeypatch.setattr(callback.time, "time", c.time)
    return c


def _messages(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "root"]


def _acc(correct, total):
    m = metric.Accuracy()
    m.sum_metric, m.num_inst = correct, total
    m.global_sum_metric, m.global_num_inst = correct, total
    return m


def test_speedometer_line_speed_and_local_reset(clock, caplog):
    caplog.set_level(logging.INFO)
    speedo = callback.Speedometer(batch_size=32, frequent=2)
    m = _acc(3, 4)
    speedo(Param(0, 0, m, None))  # first call of the epoch only starts the timer
    clock.now += 0.5
    speedo(Param(0, 1, m, None))  # 1 % 2 != 0: nothing
    speedo(Param(0, 2, m, None))
    assert _messages(caplog) == [
        "Epoch[0] Batch [0-2]\tSpeed: 128.00 samples/sec\taccuracy=0.750000"]
    assert math.isnan(m.get()[1]) and m.get_global()[1] == 0.75  # reset_local only
    clock.now += 2.0
    m.update([mx.nd.array([1])], [mx.nd.array([[0.0, 1.0]])])
    speedo(Param(0, 3, m, None))
    speedo(Param(0, 4, m, None))
    assert _messages(caplog)[-1] == \
        "Epoch[0] Batch [2-4]\tSpeed: 32.00 samples/sec\taccuracy=1.000000"


def test_speedometer_without_auto_reset_counts_from_zero(clock, caplog):
    caplog.set_level(logging.INFO)
    speedo = callback.Speedometer(batch_size=10, frequent=5, auto_reset=False)
    comp = metric.create(["acc", "ce"])
    speedo(Param(3, 0, comp, None))
    clock.now += 1.0
    speedo(Param(3, 5, comp, None))
    assert _messages(caplog) == [
        "Epoch[3] Batch [0-5]\tSpeed: 50.00 samples/sec\taccuracy=nan\tcross-entropy=nan"]


def test_speedometer_without_metric_and_new_epoch_restart(clock, caplog):
    caplog.set_level(logging.INFO)
    speedo = callback.Speedometer(batch_size=4, frequent=1)
    speedo(Param(0, 0, None, None))
    clock.now += 1.0
    speedo(Param(0, 1, None, None))
    speedo(Param(1, 0, None, None))  # nbatch went down: timer restarts, no line
    clock.now += 2.0
    speedo(Param(1, 1, None, None))
    assert _messages(caplog) == ["Iter[0] Batch [1]\tSpeed: 4.00 samples/sec",
                                 "Iter[1] Batch [1]\tSpeed: 2.00 samples/sec"]


def test_speedometer_zero_elapsed_time_gives_inf(clock, caplog):
    caplog.set_level(logging.INFO)
    speedo = callback.Speedometer(batch_size=4, frequent=1)
    speedo(Param(0, 0, None, None))
    speedo(Param(0, 1, None, None))
    assert _messages(caplog) == ["Iter[0] Batch [1]\tSpeed: inf samples/sec"]


def test_do_checkpoint_saves_epoch_plus_one_every_period(monkeypatch):
    calls = []
    import mxjax.model

    monkeypatch.setattr(mxjax.model, "save_checkpoint",
                        lambda *a: calls.append(a), raising=False)
    cb = callback.do_checkpoint("mx_mlp", period=2)
    for epoch in range(5):
        cb(epoch, "sym", {"w": 1}, {})
    assert calls == [("mx_mlp", 2, "sym", {"w": 1}, {}), ("mx_mlp", 4, "sym", {"w": 1}, {})]
    calls.clear()
    cb = callback.do_checkpoint("p", period=0)  # period < 1 counts as 1
    cb(0, None, {}, {})
    assert calls == [("p", 1, None, {}, {})]


def test_do_checkpoint_writes_mxnet_files(tmp_path, caplog):
    model = pytest.importorskip("mxjax.model")
    if not hasattr(model, "load_checkpoint"):
        pytest.skip("mxjax.model.load_checkpoint is not available yet")
    caplog.set_level(logging.INFO)
    net = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=2, name="fc")
    arg = {"fc_weight": mx.nd.ones((2, 3)), "fc_bias": mx.nd.zeros((2,))}
    prefix = str(tmp_path / "mx_mlp")
    callback.do_checkpoint(prefix)(0, net, arg, {})
    assert (tmp_path / "mx_mlp-symbol.json").exists()
    assert (tmp_path / "mx_mlp-0001.params").exists()
    assert f'Saved checkpoint to "{prefix}-0001.params"' in _messages(caplog)
    sym, arg2, _ = model.load_checkpoint(prefix, 1)
    assert sym.tojson() == net.tojson()
    assert arg2["fc_weight"].asnumpy().tolist() == [[1.0] * 3] * 2


def test_module_checkpoint_calls_the_module(tmp_path):
    class Mod:
        def __init__(self):
            self.saved = []

        def save_checkpoint(self, prefix, epoch, save_optimizer_states=False):
            self.saved.append((prefix, epoch, save_optimizer_states))

    mod = Mod()
    cb = callback.module_checkpoint(mod, "m", period=3, save_optimizer_states=True)
    for epoch in range(7):
        cb(epoch)
    assert mod.saved == [("m", 3, True), ("m", 6, True)]


def test_log_train_metric_lines_and_auto_reset(caplog):
    caplog.set_level(logging.INFO)
    cb = callback.log_train_metric(period=2, auto_reset=True)
    m = _acc(1, 4)
    cb(Param(1, 1, m, None))
    cb(Param(1, 2, m, None))
    assert _messages(caplog) == ["Iter[1] Batch[2] Train-accuracy=0.250000"]
    assert m.num_inst == 0 and m.global_num_inst == 4


def test_progress_bar_line(caplog):
    caplog.set_level(logging.INFO)
    bar = callback.ProgressBar(total=4, length=8)
    bar(Param(0, 1, None, None))
    bar(Param(0, 3, None, None))
    assert _messages(caplog) == ["[==------] 25%\r", "[======--] 75%\r"]


def test_log_validation_metrics_callback(caplog):
    caplog.set_level(logging.INFO)
    cb = callback.LogValidationMetricsCallback()
    cb(Param(2, 10, _acc(1, 2), None))
    cb(Param(2, 10, None, None))
    assert _messages(caplog) == ["Epoch[2] Validation-accuracy=0.500000"]


def test_callbacks_accept_mxjax_model_batch_end_param(caplog):
    model = pytest.importorskip("mxjax.model")
    if not hasattr(model, "BatchEndParam"):
        pytest.skip("mxjax.model.BatchEndParam is not available yet")
    caplog.set_level(logging.INFO)
    callback.log_train_metric(1)(model.BatchEndParam(epoch=0, nbatch=0, eval_metric=_acc(1, 1),
                                                     locals={}))
    assert _messages(caplog) == ["Iter[0] Batch[0] Train-accuracy=1.000000"]
