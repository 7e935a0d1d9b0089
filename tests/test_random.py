"""``mx.random``: seeding and the key stream shared by host draws and random ops."""

import jax
import numpy as np
import pytest

import mxjax as mx
from mxjax import random as mx_random


def _key_bits(k):
    return np.asarray(jax.random.key_data(k)).tolist()


def test_seed_restarts_the_key_stream():
    mx_random.seed(123)
    a = [_key_bits(mx_random.next_key()) for _ in range(3)]
    mx_random.seed(123)
    b = [_key_bits(mx_random.next_key()) for _ in range(3)]
    assert a == b
    assert len({tuple(k) for k in a}) == 3  # every call gives a fresh key


def test_different_seeds_give_different_keys():
    mx_random.seed(1)
    a = _key_bits(mx_random.next_key())
    mx_random.seed(2)
    assert _key_bits(mx_random.next_key()) != a


def test_seed_must_be_int_like_mxnet():
    with pytest.raises(ValueError, match="seed_state must be int"):
        mx_random.seed(1.5)
    mx_random.seed(np.int64(4), ctx=mx.cpu())  # numpy ints and ctx are accepted


def test_host_draws_and_op_draws_share_one_seeded_stream():
    """After seed(s) the same sequence of calls of any kind gives the same values."""
    def run():
        mx_random.seed(77)
        return (mx.nd.random.uniform(shape=(2,)).asnumpy(),
                mx.nd.random.normal(mx.nd.array([0.0]), mx.nd.array([1.0]), shape=2).asnumpy(),
                mx.nd.random.uniform(shape=(2,)).asnumpy())

    for x, y in zip(run(), run(), strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("name", ["uniform", "normal", "randn", "randint", "poisson",
                                  "exponential", "gamma", "negative_binomial",
                                  "generalized_negative_binomial", "multinomial", "shuffle"])
def test_mx_random_exports_mxnet_samplers(name):
    assert name in mx_random.__all__
    assert callable(getattr(mx.random, name))
