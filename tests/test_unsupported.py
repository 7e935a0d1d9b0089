"""MXNet 1.9.1 names mxjax does not support raise a clear MXNetError (not AttributeError):
FeedForward, Custom ops, custom-op registration, the C++ record/LibSVM iterators."""

from __future__ import annotations

import pytest

import mxjax as mx
from mxjax.base import MXNetError


@pytest.mark.parametrize("name", ["ImageRecordIter", "ImageRecordIter_v1", "ImageRecordUInt8Iter",
                                  "ImageRecordUInt8Iter_v1", "ImageRecordInt8Iter",
                                  "ImageDetRecordIter", "LibSVMIter", "MXDataIter"])
def test_cpp_iterators_raise_not_supported(name):
    cls = getattr(mx.io, name)
    with pytest.raises(MXNetError, match=f"mx.io.{name} is not supported by mxjax"):
        cls(path_imgrec="train.rec", data_shape=(3, 224, 224), batch_size=4)


def test_feedforward_raises_not_supported_and_points_to_module():
    with pytest.raises(MXNetError, match="FeedForward is not supported.*mx.mod.Module"):
        mx.model.FeedForward(mx.sym.var("data"), num_epoch=1)
    with pytest.raises(MXNetError, match="FeedForward is not supported"):
        mx.model.FeedForward.load("prefix", 1)
    with pytest.raises(MXNetError, match="FeedForward is not supported"):
        mx.model.FeedForward.create(mx.sym.var("data"), X=None)


def test_custom_op_functions_raise_not_supported():
    with pytest.raises(MXNetError, match="custom operators"):
        mx.sym.Custom(mx.sym.var("x"), op_type="myop")
    with pytest.raises(MXNetError, match="custom operators"):
        mx.nd.Custom(mx.nd.ones((2,)), op_type="myop")


def test_custom_op_classes_subclass_but_do_not_instantiate():
    """A user module defining a CustomOp/CustomOpProp still imports; using it raises."""

    class MyOp(mx.operator.CustomOp):
        def forward(self, is_train, req, in_data, out_data, aux):
            pass

    class MyProp(mx.operator.CustomOpProp):
        pass

    with pytest.raises(MXNetError, match="CustomOp is not supported"):
        MyOp()
    with pytest.raises(MXNetError, match="CustomOpProp is not supported"):
        MyProp(need_top_grad=False)
    for name in ("NDArrayOp", "NumpyOp", "PythonOp"):
        with pytest.raises(MXNetError, match="not supported"):
            getattr(mx.operator, name)()


def test_operator_register_with_a_name_raises():
    """``@mx.operator.register('name')`` (MXNet's CustomOpProp registration) is refused."""
    with pytest.raises(MXNetError, match=r"register\('myop'\) is not supported"):
        @mx.operator.register("myop")
        class MyProp(mx.operator.CustomOpProp):
            pass


def test_operator_register_still_registers_an_op_class():
    """mxjax's own registry decorator keeps working through mx.operator.register."""
    from mxjax.operator.registry import _CANONICAL, _REGISTRY

    class Twice(mx.operator.Op):
        name = "_test_unsupported_twice"

        def forward(self, a, ctx, data):
            return data * 2

    try:
        assert mx.operator.register(Twice) is Twice
        assert mx.operator.get_op("_test_unsupported_twice").name == "_test_unsupported_twice"
        assert "_test_unsupported_twice" in mx.operator.get_all_registered_operators()
    finally:
        _REGISTRY.pop("_test_unsupported_twice", None)
        _CANONICAL.pop("_test_unsupported_twice", None)
