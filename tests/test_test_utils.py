"""mx.test_utils: download() with the offline cache (no network used), comparison helpers,
the symbolic gradient/forward/backward checks and the MNIST/CIFAR helpers (MXNet 1.9.1)."""

from __future__ import annotations

import bz2
import functools
import gzip
import logging
import os
import struct
import zipfile
from pathlib import Path

import jax
import numpy as np
import pytest

import mxjax as mx
from mxjax import datasets, test_utils
from mxjax.base import MXNetError
from mxjax.operator.registry import Op, register
from mxjax.symbol.op_call import create_op_symbol

LETTER = ("http://archive.ics.uci.edu/ml/machine-learning-databases/letter-recognition/"
          "letter-recognition.data")
SHIPPED = Path(datasets.__file__).with_name("letter-recognition.data")


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """A fresh MXJAX_HOME, a fresh cwd, and a network that always fails (counted)."""
    home = tmp_path / "home"
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("MXJAX_HOME", str(home))
    monkeypatch.chdir(work)
    attempts = []

    def no_network(url, dest, timeout=60.0):
        attempts.append(url)
        raise OSError("network is unreachable")

    monkeypatch.setattr(test_utils, "_fetch", no_network)
    return {"home": home, "work": work, "attempts": attempts}


def test_tutorial_download_works_offline_from_the_shipped_copy(offline, caplog):
    caplog.set_level(logging.INFO)
    fname = test_utils.download(LETTER)
    assert fname == "letter-recognition.data"  # MXNet: last URL part, in the cwd
    assert (offline["work"] / fname).read_bytes() == SHIPPED.read_bytes()
    assert offline["attempts"] == []
    cached = offline["home"] / "downloads" / "archive.ics.uci.edu" / "ml" / \
        "machine-learning-databases" / "letter-recognition" / "letter-recognition.data"
    assert cached.read_bytes() == SHIPPED.read_bytes()  # the cache was seeded
    assert os.access(offline["work"] / fname, os.W_OK)  # a normal, writable copy
    # the tutorial's parsing works on it
    data = np.genfromtxt(fname, delimiter=",")[:, 1:]
    label = np.array([ord(line.split(",")[0]) - ord("A") for line in open(fname)])
    assert data.shape == (20000, 16) and label.shape == (20000,) and label.max() == 25


def test_existing_file_is_reused_with_mxnet_log_line(offline, caplog):
    Path("letter-recognition.data").write_text("mine")
    caplog.set_level(logging.INFO)
    assert test_utils.download(LETTER) == "letter-recognition.data"
    assert Path("letter-recognition.data").read_text() == "mine"
    assert "letter-recognition.data exists, skipping download" in caplog.messages


def test_fname_and_dirname_follow_mxnet(offline):
    out = test_utils.download(LETTER, fname="x.csv", dirname="data/sub")
    assert out == os.path.join("data/sub", "x.csv")
    assert Path(out).read_bytes() == SHIPPED.read_bytes()
    out = test_utils.download(LETTER, fname="nested/y.csv")
    assert out == "nested/y.csv" and Path(out).exists()


def test_https_form_of_the_url_is_served_from_the_same_copy(offline):
    out = test_utils.download(LETTER.replace("http://", "https://"), fname="l.data")
    assert Path(out).read_bytes() == SHIPPED.read_bytes()


def test_offline_unknown_url_is_a_clear_error_naming_the_url(offline, capsys):
    url = "http://example.com/data/unknown.bin"
    with pytest.raises(test_utils.DownloadError, match="http://example.com/data/unknown.bin"):
        test_utils.download(url, retries=3)
    assert offline["attempts"] == [url] * 3  # MXNet's loop: `retries` attempts
    assert "download failed, retrying, 2 attempts left" in capsys.readouterr().out
    assert not Path("unknown.bin").exists()
    err = test_utils.DownloadError("x")
    assert isinstance(err, MXNetError) and isinstance(err, OSError)


def test_successful_download_fills_the_cache_and_later_calls_are_offline(offline, monkeypatch):
    def fake_fetch(url, dest, timeout=60.0):
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(b"payload")

    monkeypatch.setattr(test_utils, "_fetch", fake_fetch)
    url = "http://example.com/files/thing.txt"
    assert test_utils.download(url) == "thing.txt"
    assert Path("thing.txt").read_bytes() == b"payload"
    assert (offline["home"] / "downloads" / "example.com" / "files" / "thing.txt").exists()
    os.remove("thing.txt")
    monkeypatch.setattr(test_utils, "_fetch", lambda *a, **k: (_ for _ in ()).throw(OSError()))
    assert Path(test_utils.download(url)).read_bytes() == b"payload"


def test_overwrite_refetches_but_falls_back_to_the_cache_offline(offline, caplog):
    Path("letter-recognition.data").write_text("old")
    caplog.set_level(logging.INFO)
    out = test_utils.download(LETTER, overwrite=True, retries=1)
    assert offline["attempts"] == [LETTER]
    assert Path(out).read_bytes() == SHIPPED.read_bytes()
    assert any("using the cached copy" in m for m in caplog.messages)


def test_negative_retries_rejected(offline):
    with pytest.raises(AssertionError):
        test_utils.download(LETTER, retries=-1)


def test_get_mnist_reads_idx_files_from_the_cache(offline):
    def idx_labels(n):
        return struct.pack(">II", 2049, n) + bytes(range(n))

    def idx_images(n):
        return struct.pack(">IIII", 2051, n, 28, 28) + bytes([255] * (n * 28 * 28))

    base = offline["home"] / "downloads" / "data.mxnet.io" / "data" / "mnist"
    base.mkdir(parents=True)
    for prefix, n in (("train", 3), ("t10k", 2)):
        (base / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_labels(n)))
        (base / f"{prefix}-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_images(n)))
    mnist = test_utils.get_mnist()
    assert mnist["train_data"].shape == (3, 1, 28, 28) and mnist["train_data"].dtype == np.float32
    assert mnist["train_data"].max() == 1.0
    assert mnist["train_label"].dtype == np.int8 and mnist["train_label"].tolist() == [0, 1, 2]
    assert mnist["test_data"].shape == (2, 1, 28, 28)


def test_get_mnist_offline_without_cache_names_the_url(offline):
    with pytest.raises(test_utils.DownloadError, match="train-labels-idx1-ubyte.gz"):
        test_utils.get_mnist()


# --------------------------------------------------------------------- comparison helpers
def test_same_and_almost_equal():
    a = np.array([1.0, 2.0])
    assert test_utils.same(a, a.copy()) and not test_utils.same(a, a + 1e-9)
    assert test_utils.same(mx.nd.array(a), a)
    assert test_utils.almost_equal(a, a + 1e-6)  # float64 defaults: rtol 1e-5
    assert not test_utils.almost_equal(a, a + 1e-3)
    assert test_utils.almost_equal(a, a + 1e-3, rtol=1e-2)


def test_assert_almost_equal_uses_dtype_tolerances_and_reports_location():
    f32 = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    test_utils.assert_almost_equal(f32, f32 + 1e-4)  # float32: rtol 1e-4, atol 1e-3
    test_utils.assert_almost_equal(mx.nd.array(f32), mx.nd.array(f32))
    with pytest.raises(AssertionError, match=r"Location of maximum error: \(2,\), x=3.0+, y=4"):
        test_utils.assert_almost_equal(f32, np.array([1, 2, 4], np.float32), names=("x", "y"))
    with pytest.raises(AssertionError):
        test_utils.assert_almost_equal(np.array([1, 2]), np.array([1, 3]))  # ints are exact
    with pytest.raises(AssertionError, match="shape"):
        test_utils.assert_almost_equal(np.zeros(2), np.zeros((1, 2)), use_broadcast=False)
    test_utils.assert_almost_equal(np.array([np.nan]), np.array([np.nan]), equal_nan=True)


def test_assert_exception_and_random_helpers():
    test_utils.assert_exception(int, ValueError, "x")
    with pytest.raises(AssertionError):
        test_utils.assert_exception(int, ValueError, "3")
    assert len(test_utils.rand_shape_nd(4)) == 4
    arr = test_utils.rand_ndarray((3, 2))
    assert arr.shape == (3, 2) and arr.dtype == np.float32
    with pytest.raises(MXNetError, match="csr"):
        test_utils.rand_ndarray((3, 2), stype="csr")
    assert test_utils.random_arrays((2, 3)).shape == (2, 3)
    assert test_utils.default_context() == mx.current_context()


def test_dummy_iter_repeats_the_first_batch():
    it = test_utils.DummyIter(mx.io.NDArrayIter(np.arange(4.0).reshape(4, 1), batch_size=2))
    assert next(it) is next(it)
    assert it.provide_data[0].shape == (2, 1)


# ======================================================================= symbolic checks
# MXNet 1.9.1's check_numeric_gradient / check_symbolic_forward / check_symbolic_backward.
TOL = {"rtol": 1e-2, "atol": 1e-3}


@functools.cache
def _register_wrong_grad_op():
    """A test-only op: forward x**2, backward deliberately 3*x*g instead of 2*x*g."""

    @jax.custom_vjp
    def square(x):
        return x * x

    square.defvjp(lambda x: (x * x, x), lambda x, g: (3.0 * x * g,))

    @register
    class WrongGradSquare(Op):
        name = "_test_utils_wrong_grad_square"

        def forward(self, a, ctx, x):
            return square(x)

    return WrongGradSquare.name


@pytest.fixture
def seeded():
    state = np.random.get_state()
    np.random.seed(7)
    yield
    np.random.set_state(state)


def test_check_numeric_gradient_passes_on_fully_connected(seeded):
    fc = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3, name="fc")
    assert fc.list_arguments() == ["data", "fc_weight", "fc_bias"]
    loc = [np.random.randn(2, 4), np.random.randn(3, 4), np.random.randn(3)]
    test_utils.check_numeric_gradient(fc, loc, **TOL)
    test_utils.check_numeric_gradient(fc, dict(zip(fc.list_arguments(), loc, strict=True)),
                                      numeric_eps=1e-3, **TOL)
    nd_loc = [mx.nd.array(v) for v in loc]  # NDArray values are bound as they are
    test_utils.check_numeric_gradient(fc, nd_loc, **TOL)
    np.testing.assert_allclose(nd_loc[1].asnumpy(), loc[1], rtol=1e-6)  # restored


@pytest.mark.parametrize("act", ["tanh", "sigmoid", "softrelu"])
def test_check_numeric_gradient_passes_on_activation(seeded, act):
    sym = mx.sym.Activation(mx.sym.var("x"), act_type=act)
    test_utils.check_numeric_gradient(sym, [np.random.randn(3, 4)], **TOL)


def test_check_numeric_gradient_passes_on_elementwise_and_conv(seeded):
    a, b = mx.sym.var("a"), mx.sym.var("b")
    test_utils.check_numeric_gradient(a * b + mx.sym.exp(a) - b / 3,
                                      [np.random.randn(2, 3), np.random.randn(2, 3)], **TOL)
    conv = mx.sym.Convolution(mx.sym.var("data"), kernel=(2, 2), num_filter=2, name="conv")
    loc = {"data": np.random.randn(1, 2, 4, 4), "conv_weight": np.random.randn(2, 2, 2, 2),
           "conv_bias": np.random.randn(2)}
    test_utils.check_numeric_gradient(conv, loc, rtol=1e-2, atol=1e-2)


def test_check_numeric_gradient_fails_on_a_wrong_gradient(seeded, capsys):
    op = _register_wrong_grad_op()
    sym = create_op_symbol(op, [mx.sym.var("x")], {})
    x = np.random.rand(2, 3) + 0.5
    np.testing.assert_allclose(test_utils.simple_forward(sym, x=x), x * x, rtol=1e-6)
    with pytest.raises(AssertionError, match=r"Location of maximum error: \(\d, \d\), "
                                             r"NUMERICAL_x=[-\d.]+, BACKWARD_x=[-\d.]+"):
        test_utils.check_numeric_gradient(sym, [x], **TOL)
    assert "*** Maximum errors for vector of size 6" in capsys.readouterr().out


def test_check_numeric_gradient_fails_on_blockgrad_like_mxnet(seeded):
    # MXNet 1.9.1 also fails here: BlockGrad's gradient is 0, the numeric one is not
    with pytest.raises(AssertionError, match="mismatch 100.000000%"):
        test_utils.check_numeric_gradient(mx.sym.BlockGrad(mx.sym.var("x")),
                                          [np.random.rand(2, 3)])


def test_check_numeric_gradient_grad_nodes_and_requests(seeded):
    a, b = mx.sym.var("a"), mx.sym.var("b")
    loc = [np.random.randn(2, 2), np.random.randn(2, 2)]
    test_utils.check_numeric_gradient(a * b, loc, grad_nodes=["a"], **TOL)
    test_utils.check_numeric_gradient(a * b, loc, grad_nodes={"a": "add", "b": "null"}, **TOL)
    with pytest.raises(ValueError, match="grad_req"):
        test_utils.check_numeric_gradient(a * b, loc, grad_nodes={"a": "bogus"})
    with pytest.raises(ValueError, match="grad_nodes"):
        test_utils.check_numeric_gradient(a * b, loc, grad_nodes="a")


def test_check_numeric_gradient_with_aux_states_batchnorm(seeded):
    bn = mx.sym.BatchNorm(mx.sym.var("x"), fix_gamma=False, name="bn")
    loc = [np.random.randn(4, 3), np.random.rand(3) + 0.5, np.random.randn(3)]
    aux = [np.zeros(3), np.ones(3)]
    test_utils.check_numeric_gradient(bn, loc, aux, numeric_eps=1e-2, rtol=0.16, atol=1e-2)
    test_utils.check_numeric_gradient(
        bn, loc, {"bn_moving_mean": aux[0], "bn_moving_var": aux[1]},
        numeric_eps=1e-2, rtol=0.16, atol=1e-2)
    with pytest.raises(ValueError, match="aux_states names and given aux_states do not match"):
        test_utils.check_numeric_gradient(bn, loc, {"bn_moving_mean": aux[0]})


def test_check_numeric_gradient_argument_checks(seeded):
    x = mx.sym.var("x")
    with pytest.raises(AssertionError, match="too small"):
        test_utils.check_numeric_gradient(x * 2, [np.ones(2)], numeric_eps=1e-6)
    with pytest.raises(AssertionError, match="dtype"):
        test_utils.check_numeric_gradient(x * 2, [np.ones(2)], dtype=np.int32)
    with pytest.raises(MXNetError, match="row_sparse"):
        test_utils.check_numeric_gradient(x * 2, [np.ones(2)], grad_stype_dict={"x": "row_sparse"})
    with pytest.raises(AssertionError, match="exactly one output"):
        test_utils.check_numeric_gradient(mx.sym.Group([x * 2, x * 3]), [np.ones(2)])


def test_check_numeric_gradient_float64(seeded):
    sym = mx.sym.Activation(mx.sym.var("x"), act_type="tanh")
    test_utils.check_numeric_gradient(sym, [np.random.randn(2, 3)], dtype=np.float64,
                                      rtol=1e-5, atol=1e-7)


def test_check_symbolic_forward_list_and_dict_forms():
    lhs, rhs = mx.sym.var("lhs"), mx.sym.var("rhs")
    dot = mx.sym.dot(lhs, rhs)
    m1, m2 = np.array([[1.0, 2], [3, 4]]), np.array([[5.0, 6], [7, 8]])
    outs = test_utils.check_symbolic_forward(dot, [m1, m2], [np.array([[19.0, 22], [43, 50]])])
    assert isinstance(outs[0], mx.nd.NDArray) and outs[0].dtype == np.float32
    out_name = dot.list_outputs()[0]
    test_utils.check_symbolic_forward(dot, {"rhs": m2, "lhs": m1}, {out_name: m1 @ m2})
    two = mx.sym.Group([lhs + rhs, lhs * rhs])
    test_utils.check_symbolic_forward(two, [m1, m2], [m1 + m2, m1 * m2])
    test_utils.check_symbolic_forward(dot, [m1, m2], [m1 @ m2], dtype=np.float64)
    outs = test_utils.check_symbolic_forward(dot, [m1, m2], [m1 @ m2], dtype="asnumpy")
    assert outs[0].dtype == np.float64


def test_check_symbolic_forward_mismatch_message_matches_mxnet():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    sym = a * b
    name = sym.list_outputs()[0]
    with pytest.raises(AssertionError) as info:
        test_utils.check_symbolic_forward(sym, [np.ones(2), 2 * np.ones(2)], [np.ones(2)])
    # recorded from MXNet 1.9.1 (its output name there was _mul3_output)
    assert str(info.value) == (
        "\nItems are not equal:\nError 833.333294 exceeds tolerance rtol=1.000000e-04, "
        "atol=1.000000e-03 (mismatch 100.000000%).\nLocation of maximum error: (0,), "
        f"EXPECTED_{name}=1.00000000, FORWARD_{name}=2.00000000\n ACTUAL: array([1., 1.])\n"
        " DESIRED: array([2., 2.], dtype=float32)")
    with pytest.raises(ValueError, match=r"do not match.symbol args:\{'a', 'b'\}|"
                                         r"do not match.symbol args:\{'b', 'a'\}"):
        test_utils.check_symbolic_forward(sym, {"a": np.ones(2)}, [np.ones(2)])


def test_check_symbolic_forward_uses_aux_states_batchnorm_inference(seeded):
    bn = mx.sym.BatchNorm(mx.sym.var("x"), fix_gamma=False, eps=1e-3, name="bn")
    x = np.random.randn(4, 3)
    gamma, beta = np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 3.0])
    mean, var = np.array([0.5, -0.5, 1.0]), np.array([1.0, 4.0, 0.25])
    expected = (x - mean) / np.sqrt(var + 1e-3) * gamma + beta
    test_utils.check_symbolic_forward(bn, [x, gamma, beta], [expected], aux_states=[mean, var])
    test_utils.check_symbolic_forward(bn, [x, gamma, beta], [expected],
                                      aux_states={"bn_moving_var": var, "bn_moving_mean": mean})
    with pytest.raises(AssertionError):  # default aux (mean 0, var 1) gives other numbers
        test_utils.check_symbolic_forward(bn, [x, gamma, beta], [expected],
                                          aux_states=[np.zeros(3), np.ones(3)])


def test_check_symbolic_backward_list_dict_and_wrong_expectation(seeded):
    a, b = mx.sym.var("a"), mx.sym.var("b")
    va, vb, og = np.random.randn(2, 3), np.random.randn(2, 3), np.random.randn(2, 3)
    grads = test_utils.check_symbolic_backward(a * b, [va, vb], [og], [og * vb, og * va])
    assert set(grads) == {"a", "b"}
    np.testing.assert_allclose(grads["a"].asnumpy(), og * vb, rtol=1e-5)
    prod = a * b
    test_utils.check_symbolic_backward(prod, {"a": va, "b": vb}, {prod.list_outputs()[0]: og},
                                       {"b": og * va})
    with pytest.raises(AssertionError, match=r"EXPECTED_b=[-\d.]+, BACKWARD_b=[-\d.]+"):
        test_utils.check_symbolic_backward(a * b, [va, vb], [og], {"b": og * vb + 1})


def test_check_symbolic_backward_grad_req_add_and_null(seeded):
    a, b = mx.sym.var("a"), mx.sym.var("b")
    va, vb, og = np.random.randn(3), np.random.randn(3), np.random.randn(3)
    exp = [og * vb, og * va]
    # 'add' subtracts float64 noise from a float32 buffer: float64 default tolerances are too
    # tight for that, as in MXNet, so tolerances are given
    grads = test_utils.check_symbolic_backward(a * b, [va, vb], [og], exp, grad_req="add",
                                               **TOL)
    # 'add' accumulates on the buffer's noise: the buffer is not the gradient itself
    assert not np.allclose(grads["a"].asnumpy(), og * vb, rtol=1e-3)
    test_utils.check_symbolic_backward(a * b, [va, vb], [og], exp, grad_req=["write", "null"])
    test_utils.check_symbolic_backward(a * b, [va, vb], [og], exp,
                                       grad_req={"a": "add", "b": "write"}, **TOL)
    with pytest.raises(AssertionError, match="EXPECTED_a"):  # 'add' really subtracts the noise
        test_utils.check_symbolic_backward(a * b, [va, vb], [og], [exp[0] + 0.5, exp[1]],
                                           grad_req="add", **TOL)
    # 'null' checks that the buffer still holds its noise, whatever is expected (as MXNet)
    grads = test_utils.check_symbolic_backward(a * b, [va, vb], [og], [exp[0], np.zeros(3)],
                                               grad_req=["write", "null"])
    assert not np.allclose(grads["b"].asnumpy(), exp[1], rtol=1e-3)
    with pytest.raises(MXNetError, match="csr"):
        test_utils.check_symbolic_backward(a * b, [va, vb], [og], exp, grad_stypes={"a": "csr"})


def test_check_symbolic_backward_loss_head_without_out_grads(seeded):
    x = mx.sym.var("x")
    loss = mx.sym.make_loss(mx.sym.square(x))
    vx = np.random.randn(2, 2)
    test_utils.check_symbolic_backward(loss, [vx], None, [2 * vx])


def test_simple_forward_one_and_several_outputs():
    x = mx.sym.var("x")
    out = test_utils.simple_forward(x * 2, x=np.array([1.0, 2.0]))
    assert isinstance(out, np.ndarray) and out.dtype == np.float32 and out.tolist() == [2, 4]
    outs = test_utils.simple_forward(mx.sym.Group([x + 1, x * 3]), x=np.array([1.0]))
    assert [o.tolist() for o in outs] == [[2.0], [3.0]]
    drop = mx.sym.Dropout(x, p=0.5)
    assert test_utils.simple_forward(drop, x=np.ones(100)).tolist() == [1.0] * 100  # inference
    assert 0.0 in test_utils.simple_forward(drop, is_train=True, x=np.ones(100))


# ======================================================================= small helpers
def test_same_array_detects_shared_memory():
    a = mx.nd.arange(6).reshape((3, 2))
    assert test_utils.same_array(a, a)
    assert test_utils.same_array(a, a[0:2]) is False  # different shape: never "same"
    assert not test_utils.same_array(a, a.copy())
    assert a.asnumpy().tolist() == [[0, 1], [2, 3], [4, 5]]  # restored


def test_assert_almost_equal_message_and_printout_match_mxnet(capsys):
    with pytest.raises(AssertionError) as info:
        test_utils.assert_almost_equal(np.array([1, 2, 3], np.float32),
                                       np.array([1, 2.5, 4], np.float32), names=("x", "y"))
    # recorded from MXNet 1.9.1
    assert str(info.value) == (
        "\nItems are not equal:\nError 714.285706 exceeds tolerance rtol=1.000000e-04, "
        "atol=1.000000e-03 (mismatch 66.666667%).\nLocation of maximum error: (2,), "
        "x=3.00000000, y=4.00000000\n ACTUAL: array([1., 2., 3.], dtype=float32)\n"
        " DESIRED: array([1. , 2.5, 4. ], dtype=float32)")
    out = capsys.readouterr().out
    assert out == ("\n*** Maximum errors for vector of size 3:  rtol=0.0001, atol=0.001\n\n"
                   "  1: Error 714.285706  Location of error: (2,), x=3.00000000, y=4.00000000\n"
                   "  2: Error 400.000000  Location of error: (1,), x=2.00000000, y=2.50000000\n")
    with pytest.raises(AssertionError) as info:
        test_utils.assert_almost_equal(np.float32(1), np.float32(2))
    assert str(info.value) == ("\nItems are not equal:\nError 833.333333 exceeds tolerance "
                               "rtol=1.000000e-04, atol=1.000000e-03.\n\n ACTUAL: 1.0\n"
                               " DESIRED: 2.0")
    with pytest.raises(AssertionError) as info:
        test_utils.assert_almost_equal(np.zeros(2), np.zeros((1, 2)), use_broadcast=False)
    assert str(info.value) == ("\nItems are not equal: a.shape = (2,) and b.shape = (1, 2) are "
                               "not equal\n ACTUAL: array([0., 0.])\n DESIRED: array([[0., 0.]])")


def test_assert_almost_equal_mismatch_count_is_capped_like_mxnet(capsys):
    a = np.zeros(40, np.float32)
    with pytest.raises(AssertionError, match=r"mismatch at least 27.500000%"):
        test_utils.assert_almost_equal(a, a + np.arange(1, 41), mismatches=(3, 10))
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ": Error" in ln]
    assert len(lines) == 3 and "(39,)" in lines[0]
    with pytest.raises(AssertionError, match=r"mismatch 100.000000%"):
        test_utils.assert_almost_equal(a, a + 1, mismatches=(3, 0))
    test_utils.assert_almost_equal(a, a + 0.5, atol={np.dtype(np.float32): 1.0})


def test_almost_equal_uses_float64_defaults_and_np_reduce():
    assert test_utils.almost_equal(np.ones(2), np.ones(2) + 1e-6)
    assert not test_utils.almost_equal(np.ones(2), np.ones(2) + 1e-4)
    x = np.arange(24.0).reshape(2, 3, 4)
    for axis in (None, 1, (0, 2), [2, 0]):
        for keep in (False, True):
            np.testing.assert_array_equal(test_utils.np_reduce(x, axis, keep, np.sum),
                                          np.sum(x, axis=None if axis is None else
                                                 (axis if isinstance(axis, int)
                                                  else tuple(axis)), keepdims=keep))
    assert test_utils.np_reduce(x, 1, True, np.max).shape == (2, 1, 4)


def test_tolerance_tables_match_mxnet():
    assert test_utils.default_numeric_eps()[np.dtype(np.float32)] == 1.0 / 512
    assert test_utils.default_rtols()[np.dtype(np.int32)] == 0
    assert test_utils.get_tols(np.zeros(1, np.float16), np.zeros(1, np.float64), None, None) \
        == (1e-2, 1e-1)
    assert test_utils.get_tols(1.0, np.float32(1), 0.5, None) == (0.5, 1e-3)


def test_random_helpers_follow_mxnet(seeded):
    arr = test_utils.rand_ndarray((50, 4), ctx=mx.cpu(0))
    assert arr.shape == (50, 4) and arr.dtype == np.float32 and arr.context == mx.cpu(0)
    assert arr.asnumpy().min() < 0  # standard normal (random_arrays), not uniform
    assert test_utils.rand_ndarray((2, 2), dtype=np.float64).dtype == np.float64
    for _ in range(20):
        s2, s3 = test_utils.rand_shape_2d(3, 4), test_utils.rand_shape_3d(2, 2, 2)
        assert 1 <= s2[0] <= 3 and 1 <= s2[1] <= 4 and all(1 <= d <= 2 for d in s3)
        assert all(0 <= d <= 2 for d in test_utils.rand_shape_nd(3, 2, allow_zero_size=True))
    one, two = test_utils.random_arrays((2,), ())
    assert one.dtype == np.float32 and two.shape == ()
    (u,) = test_utils.random_uniform_arrays((100,), low=2, high=3)
    assert u.min() >= 2 and u.max() < 3
    assert sorted(test_utils.random_sample([1, 2, 3], 3)) == [1, 2, 3]


def test_default_context_roundtrip():
    before = test_utils.default_context()
    try:
        test_utils.set_default_context(mx.cpu(1))
        assert test_utils.default_context() == mx.cpu(1) and mx.current_context() == mx.cpu(1)
    finally:
        test_utils.set_default_context(before)
    assert test_utils.default_context() == before


def test_retry_reruns_assertion_failures():
    calls = []

    @test_utils.retry(3)
    def flaky():
        calls.append(1)
        assert len(calls) >= 2

    flaky()
    assert len(calls) == 2


# ======================================================================= check_consistency
def test_check_consistency_across_dtypes_and_devices(seeded):
    fc = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3, name="fc")
    ctx_list = [{"ctx": mx.cpu(0), "data": (2, 4), "type_dict": {"data": np.float64}},
                {"ctx": mx.cpu(0), "data": (2, 4), "type_dict": {"data": np.float32}},
                {"ctx": mx.cpu(1), "data": (2, 4), "type_dict": {"data": np.float32}}]
    gt = test_utils.check_consistency(fc, ctx_list)
    assert gt[fc.list_outputs()[0]].dtype == np.float64  # the most precise is ground truth
    assert set(gt) == {fc.list_outputs()[0], "data", "fc_weight", "fc_bias"}
    gt = test_utils.check_consistency(fc, ctx_list, grad_req="null")
    assert set(gt) == {fc.list_outputs()[0]}
    test_utils.check_consistency(fc, ctx_list, grad_req="add", use_uniform=True)


def test_check_consistency_reports_disagreement(seeded, capsys):
    fc = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3, name="fc")
    ctx_list = [{"ctx": mx.cpu(0), "data": (2, 4), "type_dict": {"data": np.float64}},
                {"ctx": mx.cpu(0), "data": (2, 4), "type_dict": {"data": np.float16}}]
    with pytest.raises(AssertionError):
        test_utils.check_consistency(fc, ctx_list, rtol=1e-9, atol=0)
    assert "Predict Err: ctx 1 vs ctx 0" in capsys.readouterr().out
    test_utils.check_consistency(fc, ctx_list, rtol=1e-9, atol=0, raise_on_err=False)
    test_utils.check_consistency(fc, ctx_list)  # float16 tolerances: passes


def test_check_consistency_with_ground_truth_and_a_symbol_per_entry(seeded):
    def net():
        return mx.sym.Activation(mx.sym.var("x"), act_type="tanh", name="act")

    ctx_list = [{"ctx": mx.cpu(0), "x": (3,), "type_dict": {"x": np.float32}},
                {"ctx": mx.cpu(0), "x": (3,), "type_dict": {"x": np.float64}}]
    x = np.array([0.1, -0.5, 2.0])
    # MXNet uses the first entry's output as head gradient: d/dx = tanh(x) * (1 - tanh(x)^2)
    truth = {"act_output": np.tanh(x), "x": np.tanh(x) * (1 - np.tanh(x) ** 2)}
    test_utils.check_consistency([net(), net()], ctx_list, arg_params={"x": x},
                                 ground_truth=truth)
    with pytest.raises(AssertionError):
        test_utils.check_consistency([net(), net()], ctx_list, arg_params={"x": x},
                                     ground_truth={**truth, "act_output": np.tanh(x) + 0.1})


# ======================================================================= MNIST / CIFAR data
def _idx(n, images):
    if images:
        return struct.pack(">IIII", 2051, n, 28, 28) + bytes(range(256)) * (n * 28 * 28 // 256) \
            + bytes(n * 28 * 28 % 256)
    return struct.pack(">II", 2049, n) + bytes(i % 10 for i in range(n))


def test_get_mnist_iterator_from_cached_gz_files(offline):
    base = offline["home"] / "downloads" / "data.mxnet.io" / "data" / "mnist"
    base.mkdir(parents=True)
    for prefix, n in (("train", 8), ("t10k", 4)):
        (base / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(gzip.compress(_idx(n, False)))
        (base / f"{prefix}-images-idx3-ubyte.gz").write_bytes(gzip.compress(_idx(n, True)))
    train, val = test_utils.get_mnist_iterator(batch_size=2, input_shape=(784,))
    assert offline["attempts"] == []  # no network tried: the cached .gz files are used
    assert Path("data/train-images-idx3-ubyte").read_bytes() == _idx(8, True)
    assert train.provide_data[0].shape == (2, 784) and val.provide_label[0].shape == (2,)
    assert len(list(train)) == 4 and len(list(val)) == 2
    train, _ = test_utils.get_mnist_iterator(2, (1, 28, 28), num_parts=2, part_index=1)
    batches = list(train)
    assert len(batches) == 2 and batches[0].data[0].shape == (2, 1, 28, 28)
    assert sorted(int(v) for b in batches for v in b.label[0].asnumpy()) == [4, 5, 6, 7]


def test_get_mnist_ubyte_and_cifar10_extract_cached_zips(offline):
    zdir = offline["home"] / "downloads" / "data.mxnet.io" / "mxnet" / "data"
    zdir.mkdir(parents=True)
    with zipfile.ZipFile(zdir / "mnist.zip", "w") as zf:
        for name in ("train-images-idx3-ubyte", "t10k-images-idx3-ubyte"):
            zf.writestr(name, _idx(2, True))
        for name in ("train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte"):
            zf.writestr(name, _idx(2, False))
    with zipfile.ZipFile(zdir / "cifar10.zip", "w") as zf:
        for name in ("train.rec", "test.rec", "train.lst", "test.lst"):
            zf.writestr(f"cifar/{name}", name)
    test_utils.get_mnist_ubyte()
    test_utils.get_cifar10()
    assert Path("data/mnist.zip").exists() and Path("data/t10k-labels-idx1-ubyte").exists()
    assert Path("data/cifar/test.lst").read_text() == "test.lst"
    assert offline["attempts"] == []


def test_get_cifar10_and_mnist_ubyte_offline_raise_download_error(offline):
    with pytest.raises(test_utils.DownloadError, match=r"http://data.mxnet.io/mxnet/data/"
                                                       r"cifar10.zip"):
        test_utils.get_cifar10()
    with pytest.raises(test_utils.DownloadError, match="mnist.zip"):
        test_utils.get_mnist_ubyte()
    assert Path("data").is_dir()


def test_get_zip_bz2_and_pkl_data_from_the_cache(offline):
    zurl, burl = "http://example.com/d/set.zip", "http://example.com/d/file.txt.bz2"
    zsrc = offline["home"] / "downloads" / "example.com" / "d"
    zsrc.mkdir(parents=True)
    with zipfile.ZipFile(zsrc / "set.zip", "w") as zf:
        zf.writestr("inner/a.txt", "A")
    (zsrc / "file.txt.bz2").write_bytes(bz2.compress(b"line1\nline2\n"))
    test_utils.get_zip_data("dd", zurl, "set.zip")
    assert Path("dd/inner/a.txt").read_text() == "A"
    test_utils.get_bz2_data("dd", "file.txt", burl, "file.txt.bz2")
    assert Path("dd/file.txt").read_bytes() == b"line1\nline2\n"
    assert not Path("dd/file.txt.bz2").exists()  # removed after decompressing, as MXNet
    with pytest.raises(test_utils.DownloadError, match="mnist.pkl.gz"):
        test_utils.get_mnist_pkl()
    assert offline["attempts"] == ["http://deeplearning.net/data/mnist/mnist.pkl.gz"] * 5
