"""Record MXNet 1.9.1's random API surface into fixtures/random_mxnet.json (for
tests/ndarray/test_nd_random.py and tests/symbol/test_sym_random.py).

Run with a real MXNet (the tests do not need it):
    /work/mxnet-venv/bin/python tests/record_mxnet_random.py

Each case is a Python expression evaluated with ``mx`` (the package), ``NR``
(``mx.nd.random``), ``SR`` (``mx.sym.random``) and ``v`` (``mx.sym.var``); the
tests evaluate the same text with mxjax. Symbols are built inside a fresh
``NameManager`` so that automatic names do not depend on earlier cases.
"""

import json
from pathlib import Path

import mxnet as mx
import numpy as np

FIXTURES = Path(__file__).with_name("fixtures")

#: expressions giving an NDArray (or a list of them): record shape and dtype
ND_CASES = [
    "NR.uniform()", "NR.normal()", "NR.poisson()", "NR.exponential()", "NR.gamma()",
    "NR.negative_binomial()", "NR.generalized_negative_binomial()", "NR.randint(0, 10)",
    "NR.uniform(0, 1, shape=(2, 3))", "NR.normal(1, 2, 4)", "NR.uniform(shape=2, dtype='float64')",
    "NR.normal(shape=2, dtype='float16')", "NR.uniform(shape=2, dtype=None)",
    "NR.randint(-3, 3, shape=(2,), dtype='int64')",
    "NR.uniform(mx.nd.array([0, 10]), mx.nd.array([1, 11]))",
    "NR.uniform(mx.nd.array([0, 10]), mx.nd.array([1, 11]), shape=3)",
    "NR.normal(mx.nd.array([0, 10]), mx.nd.array([1, 11]), shape=(2,))",
    "NR.uniform(mx.nd.array([[0, 10]]), mx.nd.array([[1, 11]]), shape=(2, 3))",
    "NR.uniform(mx.nd.array([0, 1], dtype='float64'), mx.nd.array([1, 2], dtype='float64'))",
    "NR.normal(mx.nd.array([0, 1]), mx.nd.array([1, 2]), dtype='float64')",
    "NR.poisson(mx.nd.array([1, 2]), shape=2)", "NR.exponential(mx.nd.array([1, 2]), shape=2)",
    "NR.gamma(mx.nd.array([1, 2]), mx.nd.array([1, 2]), shape=2)",
    "NR.negative_binomial(mx.nd.array([1, 2]), mx.nd.array([.5, .5]), shape=2)",
    "NR.generalized_negative_binomial(mx.nd.array([1, 2]), mx.nd.array([.5, .5]), shape=2)",
    "NR.poisson(mx.nd.array([1, 2], dtype='float64'))",
    "NR.multinomial(mx.nd.array([[.1, .2, .7], [.5, .5, 0]]))",
    "NR.multinomial(mx.nd.array([[.1, .2, .7], [.5, .5, 0]]), shape=3)",
    "NR.multinomial(mx.nd.array([[.1, .2, .7], [.5, .5, 0]]), shape=(2, 4), get_prob=True)",
    "NR.multinomial(mx.nd.array([.2, .8]))", "NR.multinomial(mx.nd.array([.2, .8]), shape=(2,))",
    "NR.multinomial(mx.nd.array([.2, .8]), dtype='float32')",
    "NR.multinomial(mx.nd.ones((2, 2, 3)) / 3, shape=(2,))",
    "NR.multinomial(mx.nd.array([[0, 1.], [1, 0]], dtype='float64'), get_prob=True)",
    "NR.randn(2, 3)", "NR.randn(2, loc=1, scale=2, dtype='float64')",
    "NR.randn(2, loc=mx.nd.array([0, 1]), scale=mx.nd.array([1, 1]))",
    "NR.shuffle(mx.nd.arange(6).reshape((3, 2)))",
    "NR.uniform_like(mx.nd.zeros((2, 3)))", "NR.normal_like(mx.nd.zeros((2, 3)), loc=1)",
    "NR.exponential_like(mx.nd.zeros((2,), dtype='float64'), lam=2)",
    "NR.gamma_like(mx.nd.zeros((2, 1)), alpha=2)", "NR.poisson_like(mx.nd.zeros((3,)))",
    "NR.negative_binomial_like(mx.nd.zeros((3,), dtype='float16'))",
    "NR.generalized_negative_binomial_like(mx.nd.zeros((1, 3)))",
    "mx.random.uniform(shape=(2,))", "mx.random.multinomial(mx.nd.array([.5, .5]))",
    "mx.nd.random_uniform(shape=2)", "mx.nd.uniform(shape=(2, 2))",
    "mx.nd.normal(shape=(3,), dtype='float64')", "mx.nd.random_normal(loc=1, shape=(1, 2))",
    "mx.nd.random_randint(0, 4, shape=(3,))", "mx.nd.random_poisson(lam=2, shape=(2,))",
    "mx.nd.random_exponential(shape=(2,))", "mx.nd.random_gamma(shape=(2,))",
    "mx.nd.random_negative_binomial(shape=(2,))",
    "mx.nd.random_generalized_negative_binomial(shape=(2,))",
    "mx.nd.sample_uniform(mx.nd.array([0, 1]), mx.nd.array([1, 2]), shape=3)",
    "mx.nd.sample_normal(mx.nd.array([0, 1]), mx.nd.array([1, 2]))",
    "mx.nd.sample_gamma(mx.nd.array([1]), mx.nd.array([2]), shape=(2, 2))",
    "mx.nd.sample_exponential(mx.nd.array([1, 2]))", "mx.nd.sample_poisson(mx.nd.array([1, 2]))",
    "mx.nd.sample_negative_binomial(mx.nd.array([1, 2]), mx.nd.array([.5, .5]))",
    "mx.nd.sample_generalized_negative_binomial(mx.nd.array([1, 2]), mx.nd.array([.5, .5]))",
    "mx.nd.sample_multinomial(mx.nd.array([[.5, .5]]), shape=2)",
    "mx.nd.shuffle(mx.nd.arange(5))",
]

#: expressions that MXNet rejects (the exception's class name is recorded)
ERROR_CASES = [
    "NR.randint(0.5, 10, shape=(2,))", "NR.randint(0, 10, shape=(2,), dtype='float32')",
    "NR.randint(0, 5, shape=2, dtype=None)",
    "NR.uniform(shape=(2,), dtype='int32')", "NR.uniform(2, 1, shape=2)",
    "NR.normal(0, -1, shape=2)", "NR.gamma(-1, 1, shape=2)", "NR.exponential(-1, shape=2)",
    "NR.poisson(-1, shape=2)", "NR.negative_binomial(2.5, 0.5, shape=2)",
    "NR.uniform(mx.nd.array([0]), 1)", "NR.uniform('a', 1)", "NR.randn()",
    "NR.uniform_like(mx.nd.zeros((2,), dtype='int32'))", "mx.nd.uniform()",
    "NR.uniform(0, 1, shape=(2,), foo=1)",
]

#: expressions giving a Symbol: record tojson(), list_arguments(), list_outputs()
SYM_CASES = [
    "SR.uniform()", "SR.uniform(0, 2, shape=(2, 3))", "SR.uniform(0.5, 2.5, shape=2)",
    "SR.normal(1, 2, shape=(2,), dtype='float64')",
    "SR.uniform(v('lo'), v('hi'), shape=3)", "SR.normal(v('m'), v('s'))",
    "SR.gamma(alpha=2, beta=3)", "SR.gamma(v('a'), v('b'), shape=(2,))",
    "SR.exponential(scale=2.0)", "SR.exponential(4, shape=(3,))",
    "SR.exponential(v('s'))", "SR.poisson(v('lam'), shape=2)", "SR.poisson(3, shape=(2,))",
    "SR.negative_binomial(3, 0.25, shape=(2,))", "SR.negative_binomial(v('k'), v('p'))",
    "SR.generalized_negative_binomial(2, 0.5, shape=(2,))",
    "SR.generalized_negative_binomial(v('mu'), v('alpha'), dtype='float16')",
    "SR.randint(0, 5, shape=(2,))", "SR.randint(-1, 5, shape=(2,), dtype='int64')",
    "SR.multinomial(v('p'))", "SR.multinomial(v('p'), shape=2, get_prob=False)",
    "SR.multinomial(v('p'), shape=(2, 3), dtype='float32')",
    "SR.uniform_like(v('x'), low=1)", "SR.normal_like(v('x'))", "SR.gamma_like(v('x'), 2, 3)",
    "SR.exponential_like(v('x'), lam=2)", "SR.poisson_like(v('x'))",
    "SR.negative_binomial_like(v('x'), k=2, p=0.5)",
    "SR.generalized_negative_binomial_like(v('x'), mu=2)",
    "SR.uniform_like()", "SR.shuffle(v('x'))", "SR.randn(2, 3)",
    "SR.randn(2, loc=1, scale=3, dtype='float64')",
    "SR.uniform(shape=(2,), name='noise')",
    "v('x') + SR.uniform(shape=(2, 3))",
    "mx.sym.random_uniform(shape=(2,))", "mx.sym.uniform(shape=(2,))",
    "mx.sym.normal(loc=1, shape=(2,))", "mx.sym.random_normal(shape=(1, 2))",
    "mx.sym.random_gamma(alpha=2, shape=(2,))", "mx.sym.random_exponential(lam=3, shape=(2,))",
    "mx.sym.random_poisson(shape=(2,))", "mx.sym.random_negative_binomial(k=3, shape=(2,))",
    "mx.sym.random_generalized_negative_binomial(shape=(2,))",
    "mx.sym.random_randint(low=0, high=3, shape=(2,))",
    "mx.sym.sample_uniform(v('a'), v('b'))", "mx.sym.sample_normal()",
    "mx.sym.sample_gamma()", "mx.sym.sample_exponential()", "mx.sym.sample_poisson()",
    "mx.sym.sample_negative_binomial()", "mx.sym.sample_generalized_negative_binomial()",
    "mx.sym.sample_multinomial()", "mx.sym.sample_multinomial(v('p'), get_prob=True)",
    "mx.sym.shuffle()", "mx.sym.shuffle(v('d'), name='sh')",
    "mx.sym.random_pdf_uniform()", "mx.sym.random_pdf_normal(v('s'), v('m'), v('sd'))",
    "mx.sym.random_pdf_gamma(is_log=True)", "mx.sym.random_pdf_exponential()",
    "mx.sym.random_pdf_poisson()", "mx.sym.random_pdf_negative_binomial()",
    "mx.sym.random_pdf_generalized_negative_binomial()", "mx.sym.random_pdf_dirichlet()",
]

#: (symbol expression, infer_shape kwargs, infer_type kwargs)
INFER_CASES = [
    ("SR.uniform(shape=(2, 3))", {}, {}),
    ("SR.uniform(shape=2, dtype='float64')", {}, {}),
    ("SR.normal(v('a'), v('b'), shape=3)", {"a": (2,), "b": (2,)}, {"a": "float32"}),
    ("SR.uniform(v('a'), v('b'))", {"a": (2, 2), "b": (2, 2)},
     {"a": "float64", "b": "float64"}),
    ("SR.poisson(v('lam'), shape=(2,))", {"lam": (3,)}, {"lam": "float64"}),
    ("SR.multinomial(v('p'), shape=2)", {"p": (3, 4)}, {"p": "float32"}),
    ("SR.multinomial(v('p'), get_prob=False)", {"p": (4,)}, {"p": "float64"}),
    ("SR.multinomial(v('p'), dtype='float16')", {"p": (2, 5)}, {"p": "float64"}),
    ("SR.randint(0, 5, shape=(2,))", {}, {}),
    ("SR.randint(0, 5, shape=(2,), dtype='int64')", {}, {}),
    ("SR.uniform_like(v('x'))", {"x": (2, 3)}, {"x": "float64"}),
    ("SR.shuffle(v('x'))", {"x": (4, 2)}, {"x": "float16"}),
    ("v('x') + SR.uniform(shape=(2, 3))", {"x": (2, 3)}, {"x": "float32"}),
    ("SR.exponential(v('s'))", {"s": (2,)}, {"s": "float32"}),
    ("v('x') + SR.uniform()", {"x": (2, 3)}, {"x": "float32"}),
    ("v('x') + SR.normal(shape=(0, 3))", {"x": (2, 3)}, {"x": "float32"}),
    ("mx.sym.random_pdf_normal(v('s'), v('m'), v('sd'))", {"s": (2, 3), "m": (2,)},
     {"s": "float64"}),
    ("mx.sym.random_pdf_dirichlet(v('s'), v('a'))", {"s": (2, 4, 3), "a": (2, 3)},
     {"a": "float32"}),
]

#: (dist, sample, parameter arrays, is_log): ``mx.nd.random_pdf_<dist>`` values and the
#: gradients of their sum with respect to every input (autograd)
PDF_CASES = [
    ("uniform", [[0.5, 3.0], [1.5, 1.2]], [[0.0, 1.0], [2.0, 2.0]], False),
    ("normal", [[0.5, 1.0, 2.0], [1.0, 2.0, 3.0]], [[0.0, 1.0], [1.0, 2.0]], False),
    ("normal", [[0.5, 1.0, 2.0], [1.0, 2.0, 3.0]], [[0.0, 1.0], [1.0, 2.0]], True),
    ("normal", [-1.0, 0.5], [[0.0, 1.0], [1.0, 0.5]], False),
    ("gamma", [[0.5, 1.0, 2.0]], [[2.0], [3.0]], False),
    ("gamma", [[0.5, 1.0], [2.0, 0.1]], [[2.0, 0.7], [3.0, 1.0]], True),
    ("exponential", [[0.5, 1.0, 2.0]], [[2.0]], False),
    ("poisson", [[0.0, 1.0, 2.0, 0.5], [3.0, 1.0, 4.0, 2.0]], [[1.0, 2.5]], False),
    ("negative_binomial", [[0.0, 1.0, 2.0]], [[3.0], [0.4]], False),
    ("negative_binomial", [[0.0, 1.0, 2.0]], [[3.0], [0.4]], True),
    ("generalized_negative_binomial", [[0.0, 1.0, 2.0]], [[2.0], [0.5]], False),
    ("dirichlet", [[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]], [[[1.0, 2.0, 3.0], [0.5, 1.0, 2.0]]],
     False),
    ("dirichlet", [[[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]], [[[1.0, 2.0, 3.0]]], True),
]


def _record_pdf(dist, sample, params, is_log):
    arrays = [mx.nd.array(sample)] + [mx.nd.array(p) for p in params]
    for a in arrays:
        a.attach_grad()
    with mx.autograd.record():
        y = getattr(mx.nd, f"random_pdf_{dist}")(*arrays, is_log=is_log)
    y.backward()
    return {"dist": dist, "sample": sample, "params": params, "is_log": is_log,
            "value": y.asnumpy().tolist(), "shape": list(y.shape),
            "grads": [a.grad.asnumpy().tolist() for a in arrays]}


def _tolist(x):
    if isinstance(x, (list, tuple)):
        return [_tolist(i) for i in x]
    if isinstance(x, type) or isinstance(x, np.dtype):
        return np.dtype(x).name
    return x


def _env():
    return {"mx": mx, "NR": mx.nd.random, "SR": mx.sym.random, "v": mx.sym.var, "np": np}


def main():
    out = {"nd": {}, "errors": {}, "sym": {}, "infer": [],
           "pdf": [_record_pdf(*case) for case in PDF_CASES]}
    for expr in ND_CASES:
        r = eval(expr, _env())
        rs = r if isinstance(r, list) else [r]
        out["nd"][expr] = [[list(a.shape), np.dtype(a.dtype).name] for a in rs]
    for expr in ERROR_CASES:
        try:
            r = eval(expr, _env())
            (r if isinstance(r, list) else [r])[0].asnumpy()
            out["errors"][expr] = None
        except Exception as err:  # noqa: BLE001 - we record which class MXNet raises
            out["errors"][expr] = type(err).__name__
    for expr in SYM_CASES:
        with mx.name.NameManager():
            s = eval(expr, _env())
        out["sym"][expr] = {"json": s.tojson(), "args": s.list_arguments(),
                            "outputs": s.list_outputs()}
    for expr, shapes, types in INFER_CASES:
        with mx.name.NameManager():
            s = eval(expr, _env())
        sh = s.infer_shape(**shapes)
        ty = s.infer_type(**types)
        out["infer"].append([expr, {k: list(x) for k, x in shapes.items()}, types,
                             _tolist(sh), _tolist(ty)])
    FIXTURES.mkdir(exist_ok=True)
    (FIXTURES / "random_mxnet.json").write_text(json.dumps(out, indent=1, sort_keys=True))
    print(f"recorded {len(out['nd'])} nd, {len(out['errors'])} error, {len(out['sym'])} sym, "
          f"{len(out['infer'])} infer, {len(out['pdf'])} pdf cases")


if __name__ == "__main__":
    main()
