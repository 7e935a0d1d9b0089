"""``mx.sym.random`` and the sampling ops in graphs, against MXNet 1.9.1.

Fixture: tests/fixtures/random_mxnet.json, recorded by tests/record_mxnet_random.py
(JSON text, argument/output names, inferred shapes and dtypes). Sample values
cannot match MXNet's generator; they are checked statistically with fixed seeds.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import mxjax as mx
from mxjax.base import MXNetError
from mxjax.ndarray import random as nd_random
from mxjax.symbol import random as sym_random

FIXTURE = json.loads((Path(__file__).parents[1] / "fixtures" / "random_mxnet.json").read_text())


def _env():
    return {"mx": mx, "NR": nd_random, "SR": sym_random, "v": mx.sym.var, "np": np}


def _build(expr):
    with mx.name.NameManager():
        return eval(expr, _env())


@pytest.mark.parametrize("expr", sorted(FIXTURE["sym"]))
def test_symbol_json_and_names_match_mxnet(expr):
    rec = FIXTURE["sym"][expr]
    s = _build(expr)
    assert s.tojson() == rec["json"]
    assert s.list_arguments() == rec["args"]
    assert s.list_outputs() == rec["outputs"]


@pytest.mark.parametrize("case", FIXTURE["infer"], ids=[c[0] for c in FIXTURE["infer"]])
def test_infer_shape_and_type_match_mxnet(case):
    expr, shapes, types, rec_shapes, rec_types = case
    s = _build(expr)
    got = s.infer_shape(**{k: tuple(x) for k, x in shapes.items()})
    if rec_shapes[0] is None:  # MXNet could not infer every shape: (None, None, None)
        assert got == (None, None, None)
    else:
        assert [[list(x) for x in part] for part in got] == rec_shapes
    arg_t, out_t, aux_t = s.infer_type(**types)
    got_t = [[np.dtype(t).name for t in ts] for ts in (arg_t, out_t, aux_t)]
    assert got_t == rec_types


@pytest.mark.parametrize("expr", sorted(FIXTURE["sym"]))
def test_symbol_json_round_trips_through_load_json(expr):
    text = FIXTURE["sym"][expr]["json"]
    assert mx.sym.load_json(text).tojson() == text


def _forward(sym, args=None, is_train=False):
    ex = sym.bind(mx.cpu(), args or {}, grad_req="null")
    return [o.asnumpy() for o in ex.forward(is_train=is_train)]


def test_random_uniform_in_bound_graph_adds_u01_noise():
    mx.random.seed(11)
    x = mx.sym.var("x")
    y = x + sym_random.uniform(shape=(40, 50))
    (out,) = _forward(y, {"x": mx.nd.ones((40, 50)) * 3})
    assert out.shape == (40, 50) and out.dtype == np.float32
    assert out.min() >= 3.0 and out.max() < 4.0
    assert abs(out.mean() - 3.5) < 0.02  # std of the mean: 0.289/sqrt(2000) = 0.0065
    assert abs(out.var() - 1 / 12) < 0.01


def test_sample_normal_in_bound_graph_one_block_per_parameter():
    mx.random.seed(12)
    s = sym_random.normal(mx.sym.var("m"), mx.sym.var("s"), shape=(3000,))
    (out,) = _forward(s, {"m": mx.nd.array([0, 10]), "s": mx.nd.array([1, 3])})
    assert out.shape == (2, 3000)
    np.testing.assert_allclose(out.mean(axis=1), [0, 10], atol=0.2)  # 3 sd of the mean
    np.testing.assert_allclose(out.std(axis=1), [1, 3], rtol=0.06)


def test_graph_draws_reproducible_after_seed_and_fresh_per_forward():
    s = sym_random.normal(shape=(4,)) + sym_random.uniform(shape=(4,))
    ex = s.bind(mx.cpu(), {}, grad_req="null")
    mx.random.seed(5)
    a = ex.forward()[0].asnumpy()
    b = ex.forward()[0].asnumpy()
    mx.random.seed(5)
    c = ex.forward()[0].asnumpy()
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a, c)


def test_two_random_nodes_in_one_graph_draw_independently():
    mx.random.seed(3)
    g = mx.sym.Group([sym_random.uniform(shape=(100,)), sym_random.uniform(shape=(100,))])
    a, b = _forward(g)
    assert not np.array_equal(a, b)


def test_randint_and_dtype_attributes_in_graph():
    mx.random.seed(4)
    a, b = _forward(mx.sym.Group([sym_random.randint(-2, 3, shape=(500,), dtype="int64"),
                                  sym_random.uniform(shape=(3,), dtype="float64")]))
    assert a.dtype == np.int64 and set(np.unique(a)) == {-2, -1, 0, 1, 2}
    assert b.dtype == np.float64


def test_multinomial_in_graph_get_prob_is_log_probability_of_draws():
    mx.random.seed(8)
    p = np.array([[0.1, 0.9], [0.6, 0.4]], np.float32)
    s = sym_random.multinomial(mx.sym.var("p"), shape=(2000,))
    idx, logp = _forward(s, {"p": mx.nd.array(p)})
    assert idx.shape == (2, 2000) and idx.dtype == np.int32 and logp.dtype == np.float32
    np.testing.assert_allclose(logp, np.log(np.take_along_axis(p, idx, axis=1)), rtol=1e-6)
    np.testing.assert_allclose(idx.mean(axis=1), [0.9, 0.4], atol=0.04)


def test_multinomial_prob_gradient_is_reciprocal_probability_counts():
    """MXNet's _sample_multinomial backward: d(sum log p[s]) / dp[j] = count(s == j) / p[j]."""
    mx.random.seed(9)
    p = np.array([[0.25, 0.75]], np.float32)
    s = sym_random.multinomial(mx.sym.var("p"), shape=(50,))
    loss = mx.sym.MakeLoss(mx.sym.sum(s[1]))
    ex = loss.bind(mx.cpu(), {"p": mx.nd.array(p)}, args_grad={"p": mx.nd.zeros((1, 2))})
    ex.forward(is_train=True)
    ex.backward()
    g = ex.grad_dict["p"].asnumpy()
    counts = g * p  # every entry is count / p * p = count
    np.testing.assert_allclose(counts.sum(), 50, rtol=1e-5)
    np.testing.assert_allclose(counts, np.round(counts), atol=1e-3)


def test_like_op_takes_shape_and_dtype_of_input_in_graph():
    mx.random.seed(2)
    s = sym_random.gamma_like(mx.sym.var("x"), alpha=2.0, beta=3.0)
    (out,) = _forward(s, {"x": mx.nd.zeros((50, 60), dtype="float64")})
    assert out.shape == (50, 60) and out.dtype == np.float64
    assert abs(out.mean() - 6.0) < 0.3  # sd of the mean: sqrt(18/3000) = 0.077
    assert abs(out.var() - 18.0) < 2.0


def test_shuffle_in_graph_permutes_rows():
    mx.random.seed(1)
    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    (out,) = _forward(mx.sym.shuffle(mx.sym.var("x")), {"x": mx.nd.array(x)})
    assert not np.array_equal(out, x)
    np.testing.assert_array_equal(out[np.argsort(out[:, 0])], x)


def test_random_op_without_shape_fails_clearly_at_forward():
    s = sym_random.uniform()
    with pytest.raises(MXNetError, match="shape"):
        _forward(s)


def test_mixed_symbol_and_number_parameters_raise_assertion():
    with pytest.raises(AssertionError, match="same type"):
        sym_random.normal(mx.sym.var("a"), 1)
    with pytest.raises(ValueError, match="Symbol or numbers"):
        sym_random.normal("a", 1)


def test_invalid_scalar_parameter_fails_with_mxnet_message_at_forward():
    with pytest.raises(MXNetError, match="low must be less or equal to high"):
        _forward(sym_random.uniform(2, 1, shape=(2,)))


def _grad_of_sum(sym, x):
    loss = mx.sym.MakeLoss(mx.sym.sum(sym))
    ex = loss.bind(mx.cpu(), {"x": mx.nd.array(x)}, args_grad={"x": mx.nd.ones(x.shape)})
    ex.forward(is_train=True)
    ex.backward()
    return ex.grad_dict["x"].asnumpy()


def test_samplers_have_zero_gradient_like_mxnet():
    """MXNet 1.9.1: d sum(normal(x, 1, shape=2)) / dx = 0 and d sum(normal_like(x)) / dx = 0."""
    x = np.array([1.0, 2.0, 3.0], np.float32)
    xs = mx.sym.var("x")
    g1 = _grad_of_sum(sym_random.normal(xs, mx.sym.ones_like(xs), shape=2), x)
    g2 = _grad_of_sum(sym_random.normal_like(xs), x)
    np.testing.assert_array_equal(g1, 0)
    np.testing.assert_array_equal(g2, 0)


def test_shuffle_gradient_raises_non_differentiable():
    x = np.array([1.0, 2.0, 3.0], np.float32)
    with pytest.raises(MXNetError, match="non-differentiable"):
        _grad_of_sum(mx.sym.shuffle(mx.sym.var("x")), x)


def test_module_redraws_graph_noise_per_forward_and_fits():
    data = mx.sym.var("data")
    noisy = data + sym_random.normal_like(data, loc=0.0, scale=0.1)
    x = np.random.RandomState(0).randn(20, 3).astype(np.float32)
    mod = mx.mod.Module(noisy, label_names=None)
    mod.bind([("data", (10, 3))], for_training=False)
    mod.init_params()
    batch = mx.io.DataBatch([mx.nd.array(x[:10])])
    mx.random.seed(0)
    mod.forward(batch)
    a = mod.get_outputs()[0].asnumpy()
    mod.forward(batch)
    b = mod.get_outputs()[0].asnumpy()
    assert not np.array_equal(a, b)
    assert 0.05 < (a - x[:10]).std() < 0.15  # 30 draws of N(0, 0.1²)
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(noisy, num_hidden=2, name="fc"),
                               name="softmax")
    it = mx.io.NDArrayIter(x, (x[:, 0] > 0).astype(np.float32), batch_size=10)
    fit = mx.mod.Module(net)
    fit.fit(it, num_epoch=2, optimizer_params={"learning_rate": 0.5})
    assert fit.score(it, "acc")[0][1] >= 0.8


def test_zero_dims_of_shape_are_inferred_from_the_graph_at_forward():
    """MXNet: ``x + uniform(shape=(0, 3))`` bound with x (2, 3) samples a (2, 3) array."""
    mx.random.seed(6)
    s = mx.sym.var("x") + sym_random.uniform(shape=(0, 3))
    (out,) = _forward(s, {"x": mx.nd.zeros((2, 3))})
    assert out.shape == (2, 3) and 0 <= out.min() and out.max() < 1


def test_empty_shape_is_inferred_from_the_graph_at_forward():
    """MXNet: ``x + uniform()`` bound with x (2, 3) samples a (2, 3) array."""
    s = mx.sym.var("x") + sym_random.uniform()
    (out,) = _forward(s, {"x": mx.nd.zeros((2, 3))})
    assert out.shape == (2, 3)
