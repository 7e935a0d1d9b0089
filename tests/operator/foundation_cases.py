"""Operator test cases shared by the MXNet recorder and the mxjax tests.

Each case is an op call with string attributes and named inputs. The recorder
(``record_foundation_ops.py``, run with a Python that has mxnet==1.9.1) builds the
same symbol in real MXNet, saves its JSON, forward outputs (train and eval)
and input gradients for a fixed head gradient into ``tests/fixtures/mxnet_foundation_ops``;
``test_foundation_ops.py`` replays every case in mxjax. Inputs are generated
here from the case index, so both sides see identical numbers.

Input kinds: ``f`` float32 N(0,1); ``p`` positive float32 in [0.5, 2];
``u`` float32 in (-0.9, 0.9); ``c{k}`` class labels 0..k-1 as float32;
``i{k}`` indices 0..k-1 as float32; ``b`` 0/1 float32 mask.
"""

from __future__ import annotations

import numpy as np

# (case name, op name, attrs (all strings, as MXNet JSON stores them), [(input name, shape, kind)])
CASES: list[tuple[str, str, dict[str, str], list[tuple[str, tuple, str]]]] = []


def case(name, op, attrs, inputs):
    CASES.append((name, op, attrs, inputs))


# ---- FullyConnected
case("fc_default", "FullyConnected", {"num_hidden": "5"},
     [("data", (4, 3), "f"), ("weight", (5, 3), "f"), ("bias", (5,), "f")])
case("fc_flatten_4d", "FullyConnected", {"num_hidden": "3"},
     [("data", (2, 3, 2, 2), "f"), ("weight", (3, 12), "f"), ("bias", (3,), "f")])
case("fc_no_flatten", "FullyConnected", {"num_hidden": "3", "flatten": "False"},
     [("data", (2, 4, 5), "f"), ("weight", (3, 5), "f"), ("bias", (3,), "f")])
case("fc_no_bias", "FullyConnected", {"num_hidden": "4", "no_bias": "True"},
     [("data", (3, 6), "f"), ("weight", (4, 6), "f")])
# ---- Activation
for act in ("relu", "sigmoid", "tanh", "softrelu", "softsign"):
    case(f"act_{act}", "Activation", {"act_type": act}, [("data", (3, 4), "f")])
# ---- loss heads
case("softmaxout_default", "SoftmaxOutput", {},
     [("data", (4, 5), "f"), ("label", (4,), "c5")])
case("softmaxout_grad_scale", "SoftmaxOutput", {"grad_scale": "0.5"},
     [("data", (4, 5), "f"), ("label", (4,), "c5")])
case("softmaxout_ignore_valid", "SoftmaxOutput",
     {"use_ignore": "True", "ignore_label": "2", "normalization": "valid"},
     [("data", (6, 3), "f"), ("label", (6,), "c3")])
case("softmaxout_ignore_null", "SoftmaxOutput", {"use_ignore": "True", "ignore_label": "1"},
     [("data", (6, 3), "f"), ("label", (6,), "c3")])
case("softmaxout_batch", "SoftmaxOutput", {"normalization": "batch"},
     [("data", (4, 5), "f"), ("label", (4,), "c5")])
case("softmaxout_multi", "SoftmaxOutput", {"multi_output": "True"},
     [("data", (2, 3, 4), "f"), ("label", (2, 4), "c3")])
case("softmaxout_multi_valid", "SoftmaxOutput",
     {"multi_output": "True", "normalization": "valid", "use_ignore": "True",
      "ignore_label": "0"},
     [("data", (2, 3, 2, 2), "f"), ("label", (2, 4), "c3")])
case("softmaxout_multi_batch", "SoftmaxOutput", {"multi_output": "True",
                                                 "normalization": "batch"},
     [("data", (2, 3, 4), "f"), ("label", (2, 4), "c3")])
case("softmaxout_preserve", "SoftmaxOutput", {"preserve_shape": "True"},
     [("data", (2, 3, 4), "f"), ("label", (2, 3), "c4")])
case("softmaxout_smooth", "SoftmaxOutput", {"smooth_alpha": "0.1"},
     [("data", (4, 5), "f"), ("label", (4,), "c5")])
case("softmaxout_soft_label", "SoftmaxOutput", {},
     [("data", (3, 4), "f"), ("label", (3, 4), "u")])
case("linreg", "LinearRegressionOutput", {}, [("data", (4, 3), "f"), ("label", (4, 3), "f")])
case("linreg_scale", "LinearRegressionOutput", {"grad_scale": "2"},
     [("data", (4, 1), "f"), ("label", (4,), "f")])
case("logreg", "LogisticRegressionOutput", {}, [("data", (4, 3), "f"), ("label", (4, 3), "b")])
case("maereg", "MAERegressionOutput", {"grad_scale": "0.5"},
     [("data", (4, 2), "f"), ("label", (4, 2), "f")])
case("makeloss_default", "MakeLoss", {}, [("data", (3, 4), "f")])
case("makeloss_batch", "MakeLoss", {"grad_scale": "0.5", "normalization": "batch"},
     [("data", (3, 4), "f")])
case("makeloss_valid", "MakeLoss", {"normalization": "valid", "valid_thresh": "0.2"},
     [("data", (3, 4), "f")])
case("blockgrad", "BlockGrad", {}, [("data", (3, 4), "f")])
case("make_loss_lower", "make_loss", {}, [("data", (3, 4), "f")])
# ---- softmax family
case("softmax_default", "softmax", {}, [("data", (3, 4), "f")])
case("softmax_axis0_temp", "softmax", {"axis": "0", "temperature": "2.0"}, [("data", (3, 4), "f")])
case("log_softmax_default", "log_softmax", {}, [("data", (3, 4), "f")])
case("log_softmax_axis1", "log_softmax", {"axis": "1"}, [("data", (2, 3, 4), "f")])
# ---- shape ops
case("flatten", "Flatten", {}, [("data", (2, 3, 4), "f")])
for i, shp in enumerate(["(0, -1)", "(-1, 0)", "(-2,)", "(0, -3)", "(-4, 1, 2, -2)", "(2, -1)",
                         "(-3, -2)", "(0, 0, 2, 2)", "(-4, -1, 2, 0, 4)"]):
    case(f"reshape_{i}", "Reshape", {"shape": shp}, [("data", (2, 3, 4), "f")])
case("reshape_reverse", "Reshape", {"shape": "(-1, 0)", "reverse": "True"},
     [("data", (2, 3, 4), "f")])
case("dropout_eval_default", "Dropout", {}, [("data", (3, 4), "f")])
case("dropout_p0", "Dropout", {"p": "0"}, [("data", (3, 4), "f")])
case("concat_default", "Concat", {"num_args": "2"}, [("arg0", (2, 3), "f"), ("arg1", (2, 4), "f")])
case("concat_dim0", "Concat", {"num_args": "3", "dim": "0"},
     [("arg0", (1, 3), "f"), ("arg1", (2, 3), "f"), ("arg2", (1, 3), "f")])
case("slicechannel_default", "SliceChannel", {"num_outputs": "2"}, [("data", (2, 4, 3), "f")])
case("slicechannel_squeeze", "SliceChannel",
     {"num_outputs": "3", "axis": "0", "squeeze_axis": "True"}, [("data", (3, 2), "f")])
case("transpose_default", "transpose", {}, [("data", (2, 3, 4), "f")])
case("transpose_axes", "transpose", {"axes": "(1, 0, 2)"}, [("data", (2, 3, 4), "f")])
case("expand_dims", "expand_dims", {"axis": "1"}, [("data", (2, 3), "f")])
case("expand_dims_neg", "expand_dims", {"axis": "-1"}, [("data", (2, 3), "f")])
case("dot_default", "dot", {}, [("lhs", (2, 3), "f"), ("rhs", (3, 4), "f")])
case("dot_ta", "dot", {"transpose_a": "True"}, [("lhs", (3, 2), "f"), ("rhs", (3, 4), "f")])
case("dot_tb", "dot", {"transpose_b": "True"}, [("lhs", (2, 3), "f"), ("rhs", (4, 3), "f")])
case("dot_3d", "dot", {}, [("lhs", (2, 2, 3), "f"), ("rhs", (3, 4), "f")])
case("batch_dot_default", "batch_dot", {}, [("lhs", (2, 3, 4), "f"), ("rhs", (2, 4, 5), "f")])
case("batch_dot_tt", "batch_dot", {"transpose_a": "True", "transpose_b": "True"},
     [("lhs", (2, 4, 3), "f"), ("rhs", (2, 5, 4), "f")])
case("cast_f16", "Cast", {"dtype": "float16"}, [("data", (2, 3), "f")])
case("cast_i32", "Cast", {"dtype": "int32"}, [("data", (2, 3), "f")])
case("clip", "clip", {"a_min": "-0.5", "a_max": "0.5"}, [("data", (3, 4), "f")])
# ---- elementwise / broadcast / scalar
for op in ("elemwise_add", "elemwise_sub", "elemwise_mul", "elemwise_div", "_maximum",
           "_minimum", "_power"):
    kind = "p" if op in ("elemwise_div", "_power") else "f"
    case(op, op, {}, [("lhs", (2, 3), "p" if op == "_power" else "f"), ("rhs", (2, 3), kind)])
for op in ("broadcast_add", "broadcast_sub", "broadcast_mul", "broadcast_div",
           "broadcast_maximum", "broadcast_minimum", "broadcast_power", "broadcast_equal",
           "broadcast_greater", "broadcast_lesser"):
    kind = "p" if op in ("broadcast_div", "broadcast_power") else "f"
    case(op, op, {}, [("lhs", (2, 3, 1), "p" if op == "broadcast_power" else "f"),
                      ("rhs", (1, 3, 4), kind)])
for op, sc in (("_plus_scalar", "1.5"), ("_minus_scalar", "2"), ("_rminus_scalar", "2"),
               ("_mul_scalar", "-3"), ("_div_scalar", "4"), ("_rdiv_scalar", "2"),
               ("_power_scalar", "2"), ("_rpower_scalar", "2"), ("_maximum_scalar", "0.1"),
               ("_minimum_scalar", "0.1"), ("_equal_scalar", "0"), ("_greater_scalar", "0"),
               ("_lesser_equal_scalar", "0"), ("_mod_scalar", "0.7")):
    kind = "p" if op in ("_rdiv_scalar", "_power_scalar") else "f"
    case(op, op, {"scalar": sc}, [("data", (2, 3), kind)])
for op in ("exp", "log", "sqrt", "square", "abs", "sign", "negative", "reciprocal", "rsqrt",
           "log1p", "expm1", "sin", "cos", "tanh", "floor", "ceil", "round", "relu",
           "sigmoid"):
    kind = "p" if op in ("log", "sqrt", "rsqrt", "reciprocal") else "f"
    case(op, op, {}, [("data", (3, 4), kind)])
# ---- reductions
for op in ("sum", "mean", "max", "min", "prod"):
    case(f"{op}_all", op, {}, [("data", (2, 3, 4), "p" if op == "prod" else "f")])
    case(f"{op}_axis1", op, {"axis": "1"}, [("data", (2, 3, 4), "p" if op == "prod" else "f")])
    case(f"{op}_axis_keep", op, {"axis": "(0, 2)", "keepdims": "True"},
         [("data", (2, 3, 4), "p" if op == "prod" else "f")])
    case(f"{op}_exclude", op, {"axis": "1", "exclude": "True"},
         [("data", (2, 3, 4), "p" if op == "prod" else "f")])
case("argmax_axis1", "argmax", {"axis": "1"}, [("data", (3, 4), "f")])
case("argmax_keep", "argmax", {"axis": "0", "keepdims": "True"}, [("data", (3, 4), "f")])
case("argmin_axis1", "argmin", {"axis": "1"}, [("data", (3, 4), "f")])
case("one_hot", "one_hot", {"depth": "4"}, [("indices", (3,), "i4")])
case("one_hot_values", "one_hot", {"depth": "3", "on_value": "2", "off_value": "-1"},
     [("indices", (2, 2), "i3")])
case("where", "where", {}, [("condition", (3, 4), "b"), ("x", (3, 4), "f"), ("y", (3, 4), "f")])
case("where_1d", "where", {}, [("condition", (3,), "b"), ("x", (3, 4), "f"), ("y", (3, 4), "f")])


def make_inputs(index: int, inputs: list[tuple[str, tuple, str]]) -> dict[str, np.ndarray]:
    """Deterministic input arrays for case ``index``."""
    rng = np.random.RandomState(1000 + index)
    out = {}
    for name, shape, kind in inputs:
        if kind == "f":
            v = rng.randn(*shape)
        elif kind == "p":
            v = rng.uniform(0.5, 2.0, size=shape)
        elif kind == "u":
            v = rng.uniform(-0.9, 0.9, size=shape)
        elif kind == "b":
            v = rng.randint(0, 2, size=shape)
        elif kind[0] in "ci":
            v = rng.randint(0, int(kind[1:]), size=shape)
        else:
            raise ValueError(kind)
        out[name] = np.asarray(v, dtype=np.float32)
    return out


def no_grad_inputs(op: str, inputs: list[tuple[str, tuple, str]]) -> set[str]:
    """Inputs that get no gradient (labels, indices, masks, conditions)."""
    return {n for n, _, k in inputs if k[0] in "cib" or n == "label"}


def head_grads(index: int, shapes: list[tuple]) -> list[np.ndarray]:
    rng = np.random.RandomState(5000 + index)
    return [rng.randn(*s).astype(np.float32) for s in shapes]
