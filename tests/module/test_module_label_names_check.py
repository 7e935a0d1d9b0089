"""Module.bind/reshape check the label names like MXNet 1.9.1's ``_parse_data_desc``: a mismatch
between ``label_names`` and the given ``label_shapes`` -- including no label_shapes at all while
label_names is not empty -- is a ``UserWarning`` (``warnings.warn``), never an error."""

from __future__ import annotations

import warnings

import pytest

import mxjax as mx


def _net():
    data = mx.sym.Variable("data")
    fc = mx.sym.FullyConnected(data, name="fc", num_hidden=3)
    return mx.sym.SoftmaxOutput(fc, name="softmax")


def test_bind_without_label_shapes_warns_label_names_mismatch():
    # MXNet: "Data provided by label_shapes don't match names specified by label_names
    # ([] vs. ['softmax_label'])" -- e.g. the first module of example/module/python_loss.py
    mod = mx.mod.Module(_net())
    with pytest.warns(UserWarning, match=r"label_shapes don't match names specified by "
                                         r"label_names \(\[\] vs. \['softmax_label'\]\)"):
        mod.bind(data_shapes=[("data", (2, 4))], for_training=False)
    assert mod.binded and mod.label_shapes is None


def test_bind_with_unexpected_label_shapes_warns():
    mod = mx.mod.Module(_net(), label_names=None)
    with pytest.warns(UserWarning, match=r"label_shapes don't match names specified by "
                                         r"label_names .*vs. \[\]\)"):
        mod.bind(data_shapes=[("data", (2, 4))], label_shapes=[("softmax_label", (2,))],
                 for_training=False)


def test_matching_label_names_do_not_warn():
    mod = mx.mod.Module(_net())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mod.bind(data_shapes=[("data", (2, 4))], label_shapes=[("softmax_label", (2,))])
        mod.reshape(data_shapes=[("data", (3, 4))], label_shapes=[("softmax_label", (3,))])
    nolabel = mx.mod.Module(_net(), label_names=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nolabel.bind(data_shapes=[("data", (2, 4))], for_training=False)


def test_reshape_without_label_shapes_warns_too():
    # a label-less net under the default label_names, as MXNet 1.9.1 warns on bind and reshape
    fc = mx.sym.FullyConnected(mx.sym.Variable("data"), name="fc", num_hidden=3)
    with pytest.warns(UserWarning):
        mod = mx.mod.Module(fc)
    with pytest.warns(UserWarning, match=r"\(\[\] vs. \['softmax_label'\]\)"):
        mod.bind(data_shapes=[("data", (2, 4))], for_training=False)
    with pytest.warns(UserWarning, match=r"\(\[\] vs. \['softmax_label'\]\)"):
        mod.reshape(data_shapes=[("data", (3, 4))])
    assert mod.output_shapes == [("fc_output", (3, 3))]
