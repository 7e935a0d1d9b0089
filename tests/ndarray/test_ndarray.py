"""``mx.nd.NDArray`` and ``mx.nd.<Op>`` against MXNet 1.9.1.

``nd_api_cases.py`` holds ~200 small programs (creation and dtypes, views,
in-place ops, arithmetic and comparison with arrays/scalars/broadcasting,
integer semantics, indexing, conversions, reshape codes, ``mx.nd.<Op>`` with
``out=`` and positional attributes, fluent methods, repr); the real MXNet 1.9.1
answered them into ``data/mxnet_nd_api_cases.json`` and mxjax must give the
same answers. The tests below pin messages, JAX-side properties (the 64-bit
scope, no host round trips) and the places where mxjax deliberately differs.
"""

from __future__ import annotations

import json
import runpy
import sys
import threading
import warnings
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import mxjax as mx

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
from api_case_runner import run_case, same  # noqa: E402

CASES = runpy.run_path(str(HERE / "nd_api_cases.py"))["CASES"]
RECORDED = json.loads((HERE / "data" / "mxnet_nd_api_cases.json").read_text())["cases"]


@pytest.mark.parametrize("name,code", CASES, ids=[c[0] for c in CASES])
def test_ndarray_api_case_answers_like_mxnet(name, code):
    same(run_case(mx, code), RECORDED[name])


# ------------------------------------------------------------- dtypes
@pytest.mark.parametrize("dtype", ["float32", "float16", "float64", "uint8", "int8", "int32",
                                   "int64", "bool"])
def test_every_mxnet_dtype_is_kept_exactly(dtype):
    for arr in (mx.nd.zeros((2, 3), dtype=dtype), mx.nd.ones((2,), dtype=dtype),
                mx.nd.array([1, 0], dtype=dtype), mx.nd.full((2,), 1, dtype=dtype),
                mx.nd.empty((2,), dtype=dtype)):
        assert arr.dtype == np.dtype(dtype).type
        assert arr._data.dtype == np.dtype(dtype)
        assert arr.asnumpy().dtype == np.dtype(dtype)
        assert arr.copy().dtype == arr.dtype and arr[0:1].dtype == arr.dtype


def test_float32_is_the_default_and_int_sources_become_float32():
    assert mx.nd.zeros((2,)).dtype is np.float32
    assert mx.nd.array(np.array([1, 2], dtype=np.int64)).dtype is np.float32  # MXNet's rule
    assert mx.nd.array([1, 2]).dtype is np.float32
    src = mx.nd.array([1, 2], dtype="int32")
    assert mx.nd.array(src).dtype is np.int32  # an NDArray source keeps its dtype


def test_64_bit_values_survive_arithmetic():
    big = mx.nd.array([2**53 + 1], dtype="int64")
    assert (big + 1).asnumpy()[0] == 2**53 + 2
    third = mx.nd.array([1 / 3], dtype="float64")
    assert (third * 3).asnumpy()[0] == np.float64(1 / 3) * 3


def test_jax_global_x64_setting_is_untouched_by_mxjax():
    """docs/dtypes.md: mxjax computes inside a thread-local ``jax.enable_x64(True)``."""
    if jax.config.jax_enable_x64:
        pytest.skip("this process enabled x64 globally")
    a = mx.nd.array([1.5], dtype="float64")
    (a * 2).sum().asnumpy()
    assert not jax.config.jax_enable_x64
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # JAX warns that it truncates the requested float64
        assert jnp.ones(3, dtype="float64").dtype == jnp.float32
    assert jnp.asarray(np.int64(1)).dtype == jnp.int32
    # the scope is per thread: another thread inside mxjax does not leak it here
    seen = []

    def work():
        with jax.enable_x64(True):
            seen.append(jnp.ones(1, dtype="float64").dtype)
            barrier.wait()
            barrier.wait()

    barrier = threading.Barrier(2)
    t = threading.Thread(target=work)
    t.start()
    barrier.wait()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert jnp.ones(1, dtype="float64").dtype == jnp.float32
    barrier.wait()
    t.join()
    assert seen == [jnp.float64]


# ------------------------------------------------------------ views
def test_slices_and_rows_are_views_of_the_parent():
    a = mx.nd.arange(6).reshape((3, 2))
    a[1:3][:] = 0  # MXNet: writes the parent
    np.testing.assert_array_equal(a.asnumpy(), [[0, 1], [0, 0], [0, 0]])
    row = a[0]
    row[:] = -1
    np.testing.assert_array_equal(a.asnumpy()[0], [-1, -1])
    a[:] = 9  # and a view reads the parent's current value
    np.testing.assert_array_equal(row.asnumpy(), [9, 9])
    r = a.reshape((6,))
    r[0:2] = 4  # a reshape is a view too
    np.testing.assert_array_equal(a.asnumpy()[0], [4, 4])
    assert mx.nd.arange(3)[1].shape == (1,)  # legacy MXNet: no 0-d arrays


def test_in_place_ops_rebind_every_holder():
    a = mx.nd.ones((2,))
    alias = a
    a += 1
    a *= mx.nd.array([2, 3])
    assert a is alias
    np.testing.assert_array_equal(alias.asnumpy(), [4, 6])
    with pytest.raises(mx.MXNetError, match=r"Shape inconsistent.*\(1, 3\) to \(2, 3\)"):
        b = mx.nd.ones((1, 3))
        b += mx.nd.ones((2, 3))


# ------------------------------------------------------------ errors
def test_dtype_mismatch_is_an_mxnet_error():
    with pytest.raises(mx.MXNetError, match="expected float32, got float64"):
        mx.nd.ones((2,)) + mx.nd.ones((2,), dtype="float64")
    with pytest.raises(mx.MXNetError, match="different dtypes"):
        mx.nd.concat(mx.nd.ones((2,)), mx.nd.ones((2,), dtype="int32"), dim=0)


def test_shape_errors_name_the_shapes():
    with pytest.raises(mx.MXNetError, match=r"broadcast together with shapes \(2, 3\) \(4,\)"):
        mx.nd.ones((2, 3)) + mx.nd.ones((4,))
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(2, 3\)"):
        mx.nd.zeros((2, 3))[:] = mx.nd.ones((3, 2))
    with pytest.raises(mx.MXNetError, match=r"copyto: shape mismatch.*\(2,\).*\(3,\)"):
        mx.nd.ones((2,)).copyto(mx.nd.zeros((3,)))
    with pytest.raises(mx.MXNetError, match=r"\(4, 2\).*\(2, 3\)"):
        mx.nd.zeros((2, 3)).reshape((4, 2))
    with pytest.raises(mx.MXNetError, match=r"missing \['weight', 'bias'\]"):
        mx.nd.FullyConnected(mx.nd.ones((2, 3)), num_hidden=4)
    with pytest.raises(mx.MXNetError, match="same shape"):
        mx.nd.elemwise_add(mx.nd.ones((2, 1)), mx.nd.ones((1, 3)))


def test_unsupported_operand_types_are_type_errors():
    for other in ("a", None, [1, 2], object()):
        with pytest.raises(TypeError, match="not supported"):
            mx.nd.ones((2,)) + other
    with pytest.raises(TypeError, match="array like"):
        mx.nd.array("abc")


def test_out_must_match_the_result():
    with pytest.raises(mx.MXNetError, match="out="):
        mx.nd.exp(mx.nd.zeros((2,)), out=mx.nd.zeros((2,), dtype="int32"))


def test_gpu_array_on_a_cpu_machine_is_a_clear_error():
    if mx.context.num_gpus():
        pytest.skip("this machine has a GPU")
    with pytest.raises(mx.MXNetError, match=r"gpu\(0\).*no GPU"):
        mx.nd.zeros((2,), ctx=mx.gpu(0))
    with pytest.raises(mx.MXNetError, match="no GPU"):
        mx.nd.ones((2,)).as_in_context(mx.gpu())


def test_autograd_api_says_it_is_unsupported():
    a = mx.nd.ones((2,))
    assert a.grad is None
    with pytest.raises(mx.MXNetError, match="autograd"):
        a.attach_grad()


# ----------------------------------------------- other NDArray behaviour
def test_conversions_and_properties():
    a = mx.nd.array([[1, 2, 3]], dtype="int8")
    assert (a.shape, a.size, a.ndim, a.context, a.stype) == ((1, 3), 3, 2, mx.cpu(), "default")
    assert a.asnumpy().flags.writeable
    assert mx.nd.array([3]).asscalar() == 3 and type(mx.nd.array([3]).asscalar()) is np.float32
    with pytest.raises(ValueError, match="not a scalar"):
        a.asscalar()
    assert a.tolist() == [[1, 2, 3]]
    assert a.as_in_context(mx.cpu()) is a
    c = a.copyto(mx.cpu())
    c[:] = 0
    assert a.asnumpy().sum() == 6  # a copy, not a view
    assert a.astype("int8", copy=False) is a and a.astype("int8") is not a
    a.wait_to_read()
    mx.nd.waitall()


def test_copies_own_their_buffers():
    a = mx.nd.ones((4,))
    b = a.copy()
    assert b._data.unsafe_buffer_pointer() != a._data.unsafe_buffer_pointer()
    c = mx.nd.array(a)
    assert c._data.unsafe_buffer_pointer() != a._data.unsafe_buffer_pointer()


def test_pickle_keeps_dtype_and_values():
    import pickle

    a = mx.nd.array([1, 2**40], dtype="int64")
    b = pickle.loads(pickle.dumps(a))
    assert b.dtype is np.int64 and b.asnumpy().tolist() == [1, 2**40]


def test_random_draws_are_reproducible_with_seed():
    mx.random.seed(7)
    a = mx.nd.random.uniform(shape=(5,)).asnumpy()
    mx.random.seed(7)
    b = mx.nd.random.uniform(shape=(5,)).asnumpy()
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.float32 and ((a >= 0) & (a < 1)).all()
    out = mx.nd.zeros((3,), dtype="float64")
    mx.nd.random.normal(0, 1, out=out)
    assert out.dtype is np.float64 and out.asnumpy().any()


# ----------------------------------------------- deliberate differences
def test_numpy_operands_and_numpy_conversion_work():
    # MXNet: TypeError for numpy operands; np.array(nd) builds a nested object array
    np.testing.assert_array_equal((mx.nd.ones((2,)) + np.ones(2)).asnumpy(), [2, 2])
    assert isinstance(np.ones(2) + mx.nd.ones((2,)), mx.nd.NDArray)
    np.testing.assert_array_equal(np.array(mx.nd.array([1, 2])), [1, 2])
    assert np.asarray(mx.nd.array([1, 2]), dtype=np.int32).dtype == np.int32


def test_asscalar_of_a_one_element_matrix_is_a_scalar():
    # MXNet 1.9.1 returns the (1, 1) numpy array here despite its docstring
    assert mx.nd.array([[3]]).asscalar() == 3.0 and np.ndim(mx.nd.array([[3]]).asscalar()) == 0


def test_zero_size_arrays_and_empty_slices_are_allowed():
    # legacy MXNet refuses zero-size arrays (they exist only under np-shape semantics)
    assert mx.nd.zeros((2, 0)).shape == (2, 0)
    assert mx.nd.arange(5)[3:1].shape == (0,)


def test_int16_and_bool_arithmetic_are_supported():
    # MXNet 1.9.1's Python tables lack int16; its bool arrays have no arithmetic kernels
    assert mx.nd.array([1, 2], dtype="int16").dtype is np.int16
    t = mx.nd.array([1, 0], dtype="bool")
    np.testing.assert_array_equal((t + t).asnumpy(), [True, False])


def test_unknown_attribute_of_a_parameterless_op_is_an_error():
    # MXNet silently ignores it for ops without parameters (exp, relu, ...)
    with pytest.raises(mx.MXNetError, match="Cannot find argument 'bogus'"):
        mx.nd.exp(mx.nd.ones((2,)), bogus=1)
