"""mx.metric against MXNet 1.9.1, and the fused (jit) statistics against host updates.

``fixtures/metric_mxnet.{npz,json}`` were recorded from real MXNet 1.9.1 by
``record_mxnet_metric.py``: the same inputs, update sequences (with a
``reset_local`` in between) and MXNet's ``get()``/``get_global()`` after each step.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import mxjax as mx
from mxjax import metric
from mxjax.base import MXNetError, x64

FIX = Path(__file__).parent / "fixtures"
REF = json.loads((FIX / "metric_mxnet.json").read_text())["cases"]
ARR = dict(np.load(FIX / "metric_mxnet.npz"))


def _close(got, want, rtol=1e-6):
    """float32-rounding agreement (MXNet evaluates in float32, mxjax in float64)."""
    if isinstance(want, list):
        return len(got) == len(want) and all(
            _close(g, w, rtol) for g, w in zip(got, want, strict=True))
    got, want = float(got), float(want)
    if math.isnan(want):
        return math.isnan(got)
    return abs(got - want) <= rtol * max(1.0, abs(want))


def _run(case, mode):
    m = metric.create(*case["args"], **case["kwargs"])
    fused = jax.jit(m.fused_stats) if mode == "fused" else None
    for step, want in zip(case["steps"], case["results"], strict=True):
        if step[0] == "reset_local":
            m.reset_local()
        else:
            labels = [mx.nd.array(ARR[k]) for k in step[1]]
            preds = [mx.nd.array(ARR[k]) for k in step[2]]
            if mode == "host":
                m.update(labels, preds)
            else:
                with x64():
                    stats = fused([x._data for x in labels], [x._data for x in preds])
                m.fused_accumulate(jax.device_get(stats))
        name, value = m.get()
        gname, gvalue = m.get_global()
        assert name == want["get"][0] and gname == want["get_global"][0]
        assert _close(value, want["get"][1]), (step, value, want["get"])
        assert _close(gvalue, want["get_global"][1]), (step, gvalue, want["get_global"])
        assert [n for n, _ in m.get_name_value()] == [n for n, _ in want["name_value"]]
    return m


@pytest.mark.parametrize("case", REF, ids=[c["case"] for c in REF])
def test_host_update_matches_mxnet_local_and_global_values(case):
    _run(case, "host")


FUSED = [c for c in REF if metric.create(*c["args"], **c["kwargs"]).fused_supported]


@pytest.mark.parametrize("case", FUSED, ids=[c["case"] for c in FUSED])
def test_jitted_fused_stats_plus_accumulate_match_mxnet(case):
    _run(case, "fused")


def test_fused_support_flags():
    supported = {c["case"] for c in FUSED}
    assert supported == {c["case"] for c in REF} - {"top_k_acc", "pearsonr_micro", "pcc"}
    assert not metric.CustomMetric(lambda label, pred: 0.0).fused_supported
    assert metric.F1(average="micro").fused_summable and not metric.F1().fused_summable
    assert metric.Accuracy().fused_summable
    comp = metric.CompositeEvalMetric(["acc", metric.TopKAccuracy(top_k=2)])
    assert not comp.fused_supported


# --------------------------------------------------------------------- fused vs host, scan
def _epoch_data(seed, n_batches=6, n=16, k=5):
    rng = np.random.RandomState(seed)
    preds = rng.rand(n_batches, n, k).astype(np.float32)
    labels = rng.randint(0, k, (n_batches, n)).astype(np.float32)
    return labels, preds


@pytest.mark.parametrize("name, kwargs", [
    ("acc", {}), ("ce", {}), ("nll_loss", {}), ("perplexity", {"ignore_label": 0}),
    ("mse", {}), ("mae", {}), ("rmse", {}), ("loss", {}),
])
def test_scan_stacked_stats_equal_sequential_updates(name, kwargs):
    labels, preds = _epoch_data(0)
    host = metric.create(name, **kwargs)
    fused = metric.create(name, **kwargs)
    for i in range(len(labels)):
        lab, pr = labels[i], preds[i]
        if name in ("mse", "mae", "rmse"):
            pr = pr[:, 0]
        host.update([mx.nd.array(lab)], [mx.nd.array(pr)])

    def body(carry, xs):
        lab, pr = xs
        if name in ("mse", "mae", "rmse"):
            pr = pr[:, 0]
        return carry, fused.fused_stats([lab], [pr])

    with x64():
        _, stacked = jax.jit(lambda xs: jax.lax.scan(body, 0, xs))((jnp.asarray(labels),
                                                                   jnp.asarray(preds)))
    fused.fused_accumulate(jax.device_get(stacked))
    for got, want in ((fused.get(), host.get()), (fused.get_global(), host.get_global())):
        assert got[0] == want[0]
        if name == "acc":
            assert got[1] == want[1]  # integer statistics: exact
        else:
            # each batch's value is computed in float32 (as MXNet does), by numpy on the host
            # and by XLA in the scan: the summation orders differ in the last float32 bits
            assert got[1] == pytest.approx(want[1], rel=1e-6)
    assert fused.num_inst == host.num_inst


def test_f1_macro_needs_per_call_stacks_and_gets_them_right():
    rng = np.random.RandomState(1)
    labels = rng.randint(0, 2, (5, 12)).astype(np.float32)
    preds = rng.rand(5, 12, 2).astype(np.float32)
    host, fused = metric.F1(), metric.F1()
    for lab, pr in zip(labels, preds, strict=True):
        host.update([mx.nd.array(lab)], [mx.nd.array(pr)])
    with x64():
        stacked = jax.vmap(lambda lab, pr: fused.fused_stats([lab], [pr]))(
            jnp.asarray(labels), jnp.asarray(preds))
    fused.fused_accumulate(jax.device_get(stacked))
    assert fused.get() == host.get() and fused.get_global() == host.get_global()


def test_fused_binary_metric_rejects_more_than_two_labels_on_accumulate():
    f1 = metric.F1()
    with x64():
        stats = f1.fused_stats([jnp.array([0.0, 1.0, 2.0])], [jnp.ones((3, 2))])
    with pytest.raises(ValueError, match="binary"):
        f1.fused_accumulate(jax.device_get(stats))


def test_fused_stats_dict_selects_like_update_dict():
    m = metric.Accuracy(output_names=["b_output"], label_names=["lab"])
    labels = {"other": jnp.zeros(3), "lab": jnp.array([0.0, 1.0, 1.0])}
    preds = {"a_output": jnp.zeros((3, 2)), "b_output": jnp.array([[1.0, 0], [0, 1], [1, 0]])}
    with x64():
        stats = m.fused_stats_dict(labels, preds)
    m.fused_accumulate(jax.device_get(stats))
    host = metric.Accuracy(output_names=["b_output"], label_names=["lab"])
    host.update_dict(labels, preds)
    assert m.get() == host.get() == ("accuracy", 2 / 3)


def test_composite_fused_stats_feed_each_child():
    comp = metric.create(["acc", "ce"])
    host = metric.create(["acc", "ce"])
    lab, pr = ARR["l5_0"], ARR["p5_0"]
    with x64():
        stats = jax.jit(comp.fused_stats)([jnp.asarray(lab)], [jnp.asarray(pr)])
    comp.fused_accumulate(jax.device_get(stats))
    host.update([mx.nd.array(lab)], [mx.nd.array(pr)])
    names, values = comp.get()
    assert names == ["accuracy", "cross-entropy"]
    assert values == pytest.approx(host.get()[1], rel=1e-12)


def test_fused_stats_require_the_64_bit_scope():
    with pytest.raises(MXNetError, match="64-bit"):
        metric.MSE().fused_stats([jnp.zeros(2)], [jnp.zeros(2)])


def test_unsupported_metrics_refuse_fused_calls():
    with pytest.raises(NotImplementedError):
        metric.PCC().fused_stats([], [])
    with pytest.raises(NotImplementedError):
        metric.TopKAccuracy(top_k=2).fused_accumulate((1, 2))


# --------------------------------------------------------------------- MXNet API details
def test_accuracy_docstring_example_and_accumulation_over_batches():
    acc = metric.Accuracy()
    assert acc.get() == ("accuracy", pytest.approx(float("nan"), nan_ok=True))
    acc.update([mx.nd.array([0, 1, 1])], [mx.nd.array([[0.3, 0.7], [0, 1.0], [0.4, 0.6]])])
    assert acc.get() == ("accuracy", 2 / 3)
    acc.update([mx.nd.array([0, 0])], [mx.nd.array([[0.9, 0.1], [0.2, 0.8]])])
    assert acc.get() == ("accuracy", 3 / 5)
    acc.reset_local()
    assert math.isnan(acc.get()[1]) and acc.get_global() == ("accuracy", 3 / 5)
    assert acc.get_global_name_value() == [("accuracy", 3 / 5)]
    acc.reset()
    assert math.isnan(acc.get_global()[1])


def test_accuracy_casts_to_int32_and_uses_argmax_only_on_shape_mismatch():
    acc = metric.Accuracy()
    # same shapes: predictions are class indices, truncated to int32 (1.9 -> 1)
    acc.update([np.array([1.0, 2.0, 3.0])], [np.array([1.9, 2.2, 0.0])])
    assert acc.get()[1] == 2 / 3
    acc = metric.Accuracy()
    acc.update([np.array([[2.0], [1.0]])], [np.array([[0.0, 0.0, 9.0], [0.0, 7.0, 0.0]])])
    assert acc.get()[1] == 1.0  # (2, 1) labels vs (2, 3) scores: argmax, then flattened
    acc = metric.Accuracy(axis=0)  # argmax over axis 0 gives 3 predictions for 2 labels
    with pytest.raises(ValueError, match="does not match"):
        acc.update([np.array([0, 1])], [np.array([[5.0, 0.0, 0.0], [0.0, 0.0, 9.0]])])


def test_label_and_pred_list_lengths_must_match():
    with pytest.raises(ValueError, match="does not match"):
        metric.Accuracy().update([mx.nd.zeros(3), mx.nd.zeros(3)], [mx.nd.zeros((3, 2))])
    with pytest.raises(ValueError, match="does not match"):
        metric.Accuracy().update([mx.nd.zeros(4)], [mx.nd.zeros((3, 2))])


def test_single_arrays_and_numpy_inputs_are_accepted():
    acc = metric.Accuracy()
    acc.update(mx.nd.array([0, 1]), mx.nd.array([[1.0, 0.0], [0.0, 1.0]]))
    acc.update(np.array([1]), np.array([[1.0, 0.0]]))
    assert acc.get() == ("accuracy", 2 / 3)


def test_topk_asserts_k_above_one_and_names_itself_with_k():
    with pytest.raises(AssertionError, match="top_k"):
        metric.TopKAccuracy(top_k=1)
    m = metric.create("top_k_acc", top_k=5)
    assert m.name == "top_k_accuracy_5" and isinstance(m, metric.TopKAccuracy)


def test_perplexity_requires_ignore_label_and_matches_docstring_example():
    with pytest.raises(TypeError):
        metric.Perplexity()
    m = metric.Perplexity(ignore_label=None)
    m.update([mx.nd.array([0, 1, 1])], [mx.nd.array([[0.3, 0.7], [0, 1.0], [0.4, 0.6]])])
    assert m.get()[1] == pytest.approx(1.77109762852, rel=1e-7)  # inputs are float32


def test_regression_metrics_count_one_per_pair():
    m = metric.MSE()
    m.update([mx.nd.array([1.0, 2.0]), mx.nd.array([0.0])],
             [mx.nd.array([[1.5], [2.0]]), mx.nd.array([[2.0]])])
    assert m.num_inst == 2
    assert m.get()[1] == pytest.approx((0.125 + 4.0) / 2)
    r = metric.RMSE()
    r.update([mx.nd.array([0.0, 0.0])], [mx.nd.array([3.0, 4.0])])
    assert r.get()[1] == pytest.approx(math.sqrt(12.5))


def test_f1_and_mcc_reject_more_than_two_classes():
    for m in (metric.F1(), metric.MCC()):
        with pytest.raises(ValueError, match="binary"):
            m.update([mx.nd.array([0, 1, 2])], [mx.nd.ones((3, 2))])


def test_loss_metric_averages_all_outputs_and_ignores_labels():
    m = metric.Loss()
    m.update(None, [mx.nd.array([[1.0, 2.0], [3.0, 4.0]])])
    assert m.get() == ("loss", 2.5)
    assert metric.create("torch").name == "torch" and metric.create("caffe").name == "caffe"


def test_custom_metric_tuple_and_scalar_returns_and_names():
    def mine(label, pred):
        return float(np.sum(label == pred)), label.size

    m = metric.create(mine)
    assert isinstance(m, metric.CustomMetric) and m.name == "mine"
    m.update([mx.nd.array([1, 2])], [mx.nd.array([1, 3])])
    assert (m.sum_metric, m.num_inst) == (1.0, 2)
    lam = metric.CustomMetric(lambda label, pred: 6.0)
    assert lam.name == "custom(<lambda>)"
    lam.update([np.zeros(2)], [np.zeros(2)])
    assert lam.get() == ("custom(<lambda>)", 6.0)
    wrapped = metric.np(mine)
    assert wrapped.name == "mine"
    with pytest.raises(NotImplementedError):
        wrapped.get_config()


def test_custom_metric_allow_extra_outputs_skips_the_length_check():
    m = metric.CustomMetric(lambda label, pred: 1.0, allow_extra_outputs=True)
    m.update([mx.nd.zeros(2)], [mx.nd.zeros(2), mx.nd.zeros(5)])
    assert m.num_inst == 1


@pytest.mark.parametrize("name, cls", [
    ("acc", metric.Accuracy), ("accuracy", metric.Accuracy), ("ACC", metric.Accuracy),
    ("top_k_accuracy", metric.TopKAccuracy), ("topkaccuracy", metric.TopKAccuracy),
    ("f1", metric.F1), ("mcc", metric.MCC), ("perplexity", metric.Perplexity),
    ("mae", metric.MAE), ("mse", metric.MSE), ("rmse", metric.RMSE),
    ("ce", metric.CrossEntropy), ("crossentropy", metric.CrossEntropy),
    ("nll_loss", metric.NegativeLogLikelihood), ("pearsonr", metric.PearsonCorrelation),
    ("pcc", metric.PCC), ("loss", metric.Loss), ("composite", metric.CompositeEvalMetric),
])
def test_create_knows_mxnet_names_and_aliases(name, cls):
    kwargs = {"top_k": 2} if cls is metric.TopKAccuracy else \
        {"ignore_label": None} if cls is metric.Perplexity else {}
    assert type(metric.create(name, **kwargs)) is cls


def test_create_variants_instance_list_config_and_unknown():
    acc = metric.Accuracy()
    assert metric.create(acc) is acc
    comp = metric.create(["acc", metric.MSE(), "ce"])
    assert isinstance(comp, metric.CompositeEvalMetric)
    assert [m.name for m in comp.metrics] == ["accuracy", "mse", "cross-entropy"]
    assert comp.get_metric(1).name == "mse"
    with pytest.raises(ValueError):
        comp.get_metric(7)
    cfg = acc.get_config()
    assert cfg == {"axis": 1, "metric": "Accuracy", "name": "accuracy", "output_names": None,
                   "label_names": None}
    assert isinstance(metric.create(cfg), metric.Accuracy)
    assert isinstance(metric.create(json.dumps(cfg)), metric.Accuracy)
    assert metric.create(comp.get_config()).get()[0] == ["accuracy", "mse", "cross-entropy"]
    with pytest.raises(AssertionError, match="not registered"):
        metric.create("nope")
    assert str(acc) == "EvalMetric: {'accuracy': nan}"


def test_register_and_alias_add_names_to_create():
    @metric.alias("always_one")
    class One(metric.EvalMetric):
        def __init__(self, name="one"):
            super().__init__(name)

        def update(self, labels, preds):
            self.sum_metric += 1
            self.num_inst += 1

    metric.register(One)
    assert type(metric.create("always_one")) is One and type(metric.create("One")) is One
    m = metric.create("one")
    m.update([], [])
    assert m.get() == ("one", 1.0) and m.get_global() == m.get()  # no global stats


def test_update_dict_selects_by_names():
    m = metric.Accuracy(output_names=["out"], label_names=["lab"])
    m.update_dict({"lab": mx.nd.array([1]), "x": mx.nd.array([0])},
                  {"other": mx.nd.array([[1.0, 0.0]]), "out": mx.nd.array([[0.0, 1.0]])})
    assert m.get()[1] == 1.0
    comp = metric.CompositeEvalMetric(["acc"], label_names=["lab"], output_names=["out"])
    comp.update_dict({"lab": mx.nd.array([1]), "x": mx.nd.array([0])},
                     {"other": mx.nd.array([[1.0, 0.0]]), "out": mx.nd.array([[0.0, 1.0]])})
    assert comp.get() == (["accuracy"], [1.0])
    assert comp.get_global_name_value() == [("accuracy", 1.0)]


def test_pcc_grows_its_confusion_matrix_for_new_labels():
    m = metric.PCC()
    m.update([mx.nd.array([0, 1, 4])], [mx.nd.array([0, 1, 4])])
    assert m.k == 5 and m.get() == ("pcc", 1.0)
