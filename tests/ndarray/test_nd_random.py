"""``mx.nd.random`` / ``mx.random`` / ``mx.nd.<sampling op>`` against MXNet 1.9.1.

Shapes, dtypes and which calls fail come from tests/fixtures/random_mxnet.json
(recorded by tests/record_mxnet_random.py). Values cannot match MXNet's RNG:
each distribution is checked by its mean and variance on a few thousand draws
(fixed seeds, so the checks are deterministic) on every path: scalar parameters
(host draws), the ``_random_*`` op, the ``_sample_*`` op (NDArray parameters)
and the ``_random_*_like`` op.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import mxjax as mx
from mxjax.base import MXNetError
from mxjax.ndarray import random as nd_random
from mxjax.ndarray.register import invoke
from mxjax.symbol import random as sym_random

FIXTURE = json.loads((Path(__file__).parents[1] / "fixtures" / "random_mxnet.json").read_text())


def _env():
    return {"mx": mx, "NR": nd_random, "SR": sym_random, "v": mx.sym.var, "np": np}


@pytest.mark.parametrize("expr", sorted(FIXTURE["nd"]))
def test_shape_and_dtype_match_mxnet(expr):
    r = eval(expr, _env())
    rs = r if isinstance(r, list) else [r]
    assert [[list(a.shape), np.dtype(a.dtype).name] for a in rs] == FIXTURE["nd"][expr]


@pytest.mark.parametrize("expr", sorted(FIXTURE["errors"]))
def test_invalid_calls_raise_like_mxnet(expr):
    expected = FIXTURE["errors"][expr]
    assert expected is not None
    exc = {"MXNetError": MXNetError, "ValueError": ValueError,
           "AssertionError": AssertionError}[expected]
    with pytest.raises(exc) as info:
        r = eval(expr, _env())
        (r if isinstance(r, list) else [r])[0].asnumpy()
    assert type(info.value) is exc or expected == "MXNetError"


# distribution -> (op attributes, mean, variance)
MOMENTS = {
    "uniform": ({"low": -1.0, "high": 3.0}, 1.0, 16 / 12),
    "normal": ({"loc": 2.0, "scale": 0.5}, 2.0, 0.25),
    "gamma": ({"alpha": 2.0, "beta": 1.5}, 3.0, 4.5),
    "exponential": ({"lam": 2.0}, 0.5, 0.25),
    "poisson": ({"lam": 3.0}, 3.0, 3.0),
    "negative_binomial": ({"k": 3, "p": 0.4}, 4.5, 11.25),
    "generalized_negative_binomial": ({"mu": 2.0, "alpha": 0.5}, 2.0, 4.0),
}
N = 4000


def _nd_call(dist, attrs, **kw):
    vals = dict(attrs)
    if dist == "exponential":
        return getattr(nd_random, dist)(1.0 / vals["lam"], **kw)
    return getattr(nd_random, dist)(*vals.values(), **kw)


def _draws(path, dist, attrs):
    if path == "host":
        return _nd_call(dist, attrs, shape=(N,)).asnumpy().ravel()
    if path == "op":
        return invoke(f"_random_{dist}", (), {**attrs, "shape": (N,)}).asnumpy().ravel()
    if path == "sample":
        params = [mx.nd.array([v, v]) for v in attrs.values()]
        if dist == "exponential":
            params = [mx.nd.array([2.0, 2.0])]
        out = invoke(f"_sample_{dist}", tuple(params), {"shape": (N // 2,)})
        assert out.shape == (2, N // 2)
        return out.asnumpy().ravel()
    return invoke(f"_random_{dist}_like", (mx.nd.zeros((N // 40, 40)),),
                  dict(attrs)).asnumpy().ravel()


# every path for every distribution, except the ``_like`` path of the count distributions:
# it shares ``draw`` with the ``_random_*`` op (its wiring is covered by the fixture cases)
CASES = [(d, p) for d in sorted(MOMENTS) for p in ("host", "op", "sample", "like")
         if p != "like" or d in ("uniform", "normal", "gamma", "exponential")]


@pytest.mark.parametrize(("dist", "path"), CASES)
def test_distribution_mean_and_variance(dist, path):
    attrs, mean, var = MOMENTS[dist]
    mx.random.seed(1234)
    x = _draws(path, dist, attrs)
    assert x.size == N and x.dtype == np.float32
    assert abs(x.mean() - mean) < 4 * np.sqrt(var / N)
    assert abs(x.var() - var) < 0.15 * var
    if dist not in ("uniform", "normal", "gamma", "exponential"):
        np.testing.assert_array_equal(x, np.round(x))  # counts
        assert x.min() >= 0


def test_uniform_stays_in_half_open_interval():
    mx.random.seed(0)
    for x in (nd_random.uniform(-1, 3, shape=(N,)),
              invoke("_random_uniform", (), {"low": -1, "high": 3, "shape": (N,)})):
        v = x.asnumpy()
        assert v.min() >= -1 and v.max() < 3


@pytest.mark.parametrize("path", ["host", "op"])
def test_randint_is_uniform_over_low_to_high_minus_one(path):
    mx.random.seed(7)
    if path == "host":
        x = nd_random.randint(-3, 3, shape=(N,)).asnumpy()
    else:
        x = invoke("_random_randint", (), {"low": -3, "high": 3, "shape": (N,)}).asnumpy()
    assert x.dtype == np.int32
    counts = np.bincount(x + 3, minlength=6)
    assert len(counts) == 6 and counts.min() > N / 6 * 0.85


def test_generalized_negative_binomial_alpha_zero_is_poisson():
    mx.random.seed(3)
    x = nd_random.generalized_negative_binomial(3.0, 0.0, shape=(N,)).asnumpy()
    assert abs(x.mean() - 3) < 0.12 and abs(x.var() - 3) < 0.45


def test_sample_blocks_follow_their_own_parameters():
    """MXNet's _sample_*: out[i, ...] is drawn with parameters[i]."""
    mx.random.seed(21)
    x = nd_random.uniform(mx.nd.array([0, 10]), mx.nd.array([1, 11]), shape=(500,)).asnumpy()
    assert x.shape == (2, 500)
    assert x[0].min() >= 0 and x[0].max() < 1 and x[1].min() >= 10 and x[1].max() < 11
    y = nd_random.normal(mx.nd.array([[0], [5]]), mx.nd.array([[1], [1]])).asnumpy()
    assert y.shape == (2, 1) and abs(y[1, 0] - 5) < 5


def test_multinomial_frequencies_and_log_prob():
    mx.random.seed(5)
    p = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]], np.float32)
    idx, logp = nd_random.multinomial(mx.nd.array(p), shape=(N,), get_prob=True)
    idx, logp = idx.asnumpy(), logp.asnumpy()
    assert idx.shape == (2, N) and idx.dtype == np.int32
    freq = np.bincount(idx[0], minlength=3) / N
    np.testing.assert_allclose(freq, p[0], atol=0.03)
    assert (idx[1] == 0).all()
    np.testing.assert_allclose(logp, np.log(np.take_along_axis(p, idx, axis=1)), rtol=1e-6)


def test_shuffle_permutes_first_axis_only():
    mx.random.seed(9)
    x = np.arange(40, dtype=np.float32).reshape(20, 2)
    y = nd_random.shuffle(mx.nd.array(x)).asnumpy()
    assert not np.array_equal(x, y)
    np.testing.assert_array_equal(y[np.argsort(y[:, 0])], x)
    np.testing.assert_array_equal(y[:, 1] - y[:, 0], 1)


def test_seed_makes_every_sampler_reproducible():
    def run():
        mx.random.seed(42)
        return [nd_random.uniform(shape=(3,)).asnumpy(), nd_random.normal(shape=(3,)).asnumpy(),
                nd_random.poisson(2, shape=(3,)).asnumpy(),
                nd_random.gamma(mx.nd.array([1.0]), mx.nd.array([2.0]), shape=3).asnumpy(),
                nd_random.multinomial(mx.nd.array([0.3, 0.7]), shape=5).asnumpy(),
                nd_random.shuffle(mx.nd.arange(6)).asnumpy(),
                mx.nd.uniform(shape=(3,)).asnumpy(), mx.random.randn(2).asnumpy()]

    a, b = run(), run()
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    c = nd_random.uniform(shape=(3,)).asnumpy()
    assert not np.array_equal(a[0], c)


def test_different_seeds_give_different_draws():
    mx.random.seed(1)
    a = nd_random.normal(shape=(5,)).asnumpy()
    mx.random.seed(2)
    b = nd_random.normal(shape=(5,)).asnumpy()
    assert not np.array_equal(a, b)


def test_out_takes_shape_and_dtype_from_the_array():
    o = mx.nd.zeros((2, 3), dtype="float64")
    r = nd_random.uniform(out=o)
    assert r is o and o.dtype == np.float64 and o.asnumpy().std() > 0
    o2 = mx.nd.zeros((4,))
    nd_random.normal(5, 1, shape=(4,), out=o2)
    assert abs(o2.asnumpy().mean() - 5) < 3
    o3 = mx.nd.zeros((2, 3))
    nd_random.uniform(mx.nd.array([0, 1]), mx.nd.array([1, 2]), shape=3, out=o3)
    assert o3.asnumpy()[1].min() >= 1


def test_out_with_wrong_shape_fails():
    with pytest.raises(MXNetError, match="out="):
        nd_random.uniform(shape=(3,), out=mx.nd.zeros((2,)))


def test_ctx_places_the_result():
    x = nd_random.uniform(shape=(2,), ctx=mx.cpu(1))
    assert x.context == mx.cpu(1)
    y = nd_random.randint(0, 3, shape=(2,), ctx=mx.cpu(0))
    assert y.context == mx.cpu(0)


def test_dtype_argument_and_defaults():
    assert nd_random.uniform(shape=2).dtype == np.float32
    assert nd_random.normal(shape=2, dtype="float16").dtype == np.float16
    assert nd_random.gamma(shape=2, dtype=np.float64).dtype == np.float64
    assert nd_random.randint(0, 5, shape=2, dtype="int64").dtype == np.int64
    # MXNet turns an explicit dtype=None into np.dtype(None) = float64
    assert nd_random.poisson(shape=2, dtype=None).dtype == np.float64


def test_mx_random_namespace_exposes_the_samplers():
    for name in ["uniform", "normal", "randn", "randint", "poisson", "exponential", "gamma",
                 "negative_binomial", "generalized_negative_binomial", "multinomial", "shuffle"]:
        assert getattr(mx.random, name) is getattr(nd_random, name)
    with pytest.raises(AttributeError):
        mx.random.uniform_like  # noqa: B018 - MXNet's mx.random has no *_like


def test_initializer_style_call_fills_out_in_place():
    arr = mx.nd.zeros((3, 4))
    mx.random.uniform(-0.5, 0.5, arr.shape, out=arr)
    v = arr.asnumpy()
    assert v.min() >= -0.5 and v.max() < 0.5 and v.std() > 0


def test_randn_without_shape_fails_and_with_ndarray_params_samples_blocks():
    with pytest.raises(MXNetError):
        nd_random.randn()
    assert nd_random.randn(3, loc=mx.nd.array([0, 1]), scale=mx.nd.array([1, 1])).shape == (2, 3)


def test_randint_rejects_ndarray_bounds_and_equal_bounds():
    with pytest.raises(MXNetError, match="integers"):
        nd_random.randint(mx.nd.array([0]), mx.nd.array([3]))
    with pytest.raises(MXNetError, match="low < high"):
        nd_random.randint(5, 5, shape=2)


def test_sample_op_parameter_shape_mismatch_fails():
    with pytest.raises(MXNetError, match="shape"):
        nd_random.uniform(mx.nd.array([0, 1]), mx.nd.array([1, 2, 3]))


@pytest.mark.parametrize("case", FIXTURE["pdf"],
                         ids=[f"{c['dist']}-{i}" for i, c in enumerate(FIXTURE["pdf"])])
def test_pdf_values_and_gradients_match_mxnet(case):
    """``_random_pdf_<dist>``: densities (MXNet's formulas, gamma's beta as a rate) and the
    gradients of their sum w.r.t. sample and parameters, against MXNet's autograd."""
    dist = case["dist"]
    arrays = [np.array(case["sample"], np.float32)] + [np.array(p, np.float32)
                                                      for p in case["params"]]
    y = invoke(f"_random_pdf_{dist}", tuple(mx.nd.array(a) for a in arrays),
               {"is_log": case["is_log"]}).asnumpy()
    assert list(y.shape) == case["shape"]
    np.testing.assert_allclose(y, case["value"], rtol=2e-5, atol=1e-6)
    names = [f"in{i}" for i in range(len(arrays))]
    pdf = getattr(mx.sym.op, f"_random_pdf_{dist}")(*[mx.sym.var(n) for n in names],
                                                     is_log=case["is_log"])
    ex = mx.sym.MakeLoss(mx.sym.sum(pdf)).bind(
        mx.cpu(), {n: mx.nd.array(a) for n, a in zip(names, arrays, strict=True)},
        args_grad={n: mx.nd.zeros(a.shape) for n, a in zip(names, arrays, strict=True)})
    ex.forward(is_train=True)
    ex.backward()
    for n, g in zip(names, case["grads"], strict=True):
        np.testing.assert_allclose(ex.grad_dict[n].asnumpy(), g, rtol=1e-4, atol=1e-5)
