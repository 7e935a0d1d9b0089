"""The tutorial MLP trains with Adam: through ``fit(optimizer='adam')`` and through the
optax adapter (``mx.optimizer.Optax``), on the UCI letter data shipped with mxjax."""

from __future__ import annotations

import numpy as np
import pytest

import mxjax as mx

URL = ("http://archive.ics.uci.edu/ml/machine-learning-databases/letter-recognition/"
       "letter-recognition.data")


@pytest.fixture(scope="module")
def letter_iters(tmp_path_factory):
    fname = mx.test_utils.download(URL, dirname=str(tmp_path_factory.mktemp("data")))
    data = np.genfromtxt(fname, delimiter=",")[:, 1:]
    with open(fname) as f:
        label = np.array([ord(line.split(",")[0]) - ord("A") for line in f])
    np.random.seed(0)
    train = mx.io.NDArrayIter(data[:8000], label[:8000], 32, shuffle=True)
    val = mx.io.NDArrayIter(data[16000:], label[16000:], 32)
    return train, val


def tutorial_net():
    net = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(net, name="fc1", num_hidden=64)
    net = mx.sym.Activation(net, name="relu1", act_type="relu")
    net = mx.sym.FullyConnected(net, name="fc2", num_hidden=26)
    return mx.sym.SoftmaxOutput(net, name="softmax")


def fit_and_score(train, val, optimizer, optimizer_params=None):
    mx.random.seed(0)
    np.random.seed(0)  # NDArrayIter shuffles with numpy's global generator
    train.reset()
    mod = mx.mod.Module(tutorial_net())
    mod.fit(train, optimizer=optimizer, optimizer_params=optimizer_params or {},
            initializer=mx.init.Xavier(), num_epoch=4)
    return mod.score(val, "acc")[0][1]


def test_tutorial_converges_with_adam(letter_iters):
    train, val = letter_iters
    acc = fit_and_score(train, val, "adam", {"learning_rate": 0.01})
    assert acc > 0.7, acc


def test_tutorial_converges_with_the_optax_adapter(letter_iters):
    optax = pytest.importorskip("optax")
    train, val = letter_iters
    acc = fit_and_score(train, val, mx.optimizer.Optax(optax.adam, learning_rate=0.01,
                                                       rescale_grad=1.0 / 32))
    assert acc > 0.7, acc
