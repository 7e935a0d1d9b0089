"""Operator cases shared by the MXNet recorder (``record_mxnet_ops.py``) and the tests.

Each case builds one operator node named ``op`` on explicitly given input
variables; every other input (weights, biases, BatchNorm statistics) is
auto-created by the operator, as MXNet does. The recorder runs each case in
real MXNet 1.9.1 and stores the symbol JSON, the shapes, the inputs, the
forward outputs and the gradients in ``tests/fixtures/mxnet_ops.{json,npz}``;
the tests replay them in mxjax.

Input specs: ``(kind, shape, *args)`` with kind ``normal`` (N(0,1)),
``uniform`` (lo, hi), ``int`` (integers in [lo, hi) stored as float32),
``distinct`` (a random permutation of distinct, well separated values),
``ties`` (small integers, so pooling windows contain equal maxima),
``distinct_idx`` (index columns of distinct positions in a grid of ``args``).
This module imports neither mxnet nor mxjax.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Case:
    id: str
    op: str
    attrs: dict[str, Any]
    #: explicit inputs passed by keyword: name -> spec
    kw: dict[str, tuple] = field(default_factory=dict)
    #: explicit inputs passed positionally (variadic ops): list of (var name, spec)
    pos: list[tuple[str, tuple]] = field(default_factory=list)
    #: "train" (forward is_train=True + backward) and/or "eval" (forward is_train=False)
    modes: tuple[str, ...] = ("train",)
    #: run backward with random head gradients
    grad: bool = True
    #: inputs (explicit or auto-created) that get grad_req 'null'
    nograd: tuple[str, ...] = ()
    #: init specs for auto-created inputs by name suffix (``moving_var``), default normal*0.5
    init: dict[str, tuple] = field(default_factory=dict)
    #: tolerance multiplier (sums of many products)
    tol: float = 1.0
    #: non-float32 dtypes of explicit inputs
    dtypes: dict[str, str] = field(default_factory=dict)
    #: outputs not compared (MXNet leaves them uninitialised)
    skip_out: tuple[int, ...] = ()
    #: False: record names and shapes only (MXNet's CPU build cannot run the case)
    run: bool = True
    #: for ERROR_CASES: the attribute the error must name
    err_attr: str = ""


def _d(shape, kind="normal", *args):
    return (kind, tuple(shape), *args)


def data(shape, kind="normal", *args):
    return {"data": _d(shape, kind, *args)}


BN_INIT = {"moving_var": ("uniform", 0.5, 1.5), "gamma": ("uniform", 0.5, 1.5)}

CASES: list[Case] = [
    # ------------------------------------------------------------- Convolution
    Case("conv2d_basic", "Convolution", {"kernel": (3, 3), "num_filter": 4}, data((2, 3, 7, 7))),
    Case("conv2d_stride_pad", "Convolution",
         {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "num_filter": 4}, data((2, 3, 9, 8))),
    Case("conv2d_dilate", "Convolution",
         {"kernel": (3, 3), "dilate": (2, 2), "pad": (2, 1), "num_filter": 3}, data((2, 2, 9, 9))),
    Case("conv2d_rect", "Convolution",
         {"kernel": (2, 3), "stride": (1, 2), "pad": (0, 1), "num_filter": 5}, data((1, 3, 6, 7))),
    Case("conv2d_group", "Convolution",
         {"kernel": (3, 3), "num_filter": 6, "num_group": 2, "pad": (1, 1)}, data((2, 4, 5, 5))),
    Case("conv2d_depthwise", "Convolution",
         {"kernel": (3, 3), "num_filter": 4, "num_group": 4, "pad": (1, 1), "stride": (2, 2),
          "no_bias": True}, data((2, 4, 6, 6))),
    Case("conv2d_nobias_1x1", "Convolution",
         {"kernel": (1, 1), "num_filter": 8, "no_bias": True}, data((2, 5, 4, 4))),
    Case("conv2d_layout_nchw", "Convolution",
         {"kernel": (3, 3), "num_filter": 2, "layout": "NCHW"}, data((1, 2, 5, 5))),
    Case("conv1d", "Convolution",
         {"kernel": (3,), "stride": (2,), "pad": (1,), "num_filter": 4}, data((2, 3, 10))),
    Case("conv1d_dilate_group", "Convolution",
         {"kernel": (2,), "dilate": (3,), "num_filter": 4, "num_group": 2}, data((2, 4, 9))),
    Case("conv3d", "Convolution",
         {"kernel": (3, 3, 3), "stride": (2, 2, 2), "pad": (1, 1, 1), "num_filter": 3},
         data((1, 2, 5, 5, 5))),
    Case("conv3d_rect", "Convolution",
         {"kernel": (1, 2, 3), "num_filter": 2, "no_bias": True}, data((2, 2, 3, 4, 5))),
    Case("conv2d_nhwc", "Convolution", {"kernel": (3, 3), "num_filter": 4, "layout": "NHWC"},
         data((2, 7, 6, 3)), run=False),
    Case("conv2d_nhwc_group", "Convolution",
         {"kernel": (3, 3), "num_filter": 4, "num_group": 2, "stride": (2, 2), "pad": (1, 1),
          "layout": "NHWC"}, data((1, 5, 5, 4)), run=False),
    Case("conv3d_ndhwc", "Convolution",
         {"kernel": (3, 3, 3), "num_filter": 4, "layout": "NDHWC"}, data((2, 5, 5, 5, 2)),
         run=False),
    Case("deconv2d_nhwc", "Deconvolution",
         {"kernel": (3, 3), "num_filter": 4, "layout": "NHWC"}, data((2, 7, 6, 3)), run=False),
    Case("conv2d_workspace_cudnn", "Convolution",
         {"kernel": (3, 3), "num_filter": 2, "workspace": 512, "cudnn_tune": "fastest",
          "cudnn_off": True}, data((1, 2, 4, 4))),
    # ----------------------------------------------------------- Deconvolution
    Case("deconv2d_basic", "Deconvolution", {"kernel": (3, 3), "num_filter": 2},
         data((2, 3, 4, 4))),
    Case("deconv2d_stride_pad_adj", "Deconvolution",
         {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "adj": (1, 1), "num_filter": 3,
          "no_bias": False}, data((2, 2, 4, 3))),
    Case("deconv2d_target_shape", "Deconvolution",
         {"kernel": (4, 4), "stride": (2, 2), "target_shape": (8, 8), "num_filter": 2},
         data((1, 3, 4, 4))),
    Case("deconv2d_target_shape_odd", "Deconvolution",
         {"kernel": (4, 4), "stride": (2, 2), "target_shape": (7, 9), "num_filter": 2,
          "pad": (5, 5), "adj": (1, 1)}, data((1, 3, 4, 4)), grad=False),
    Case("deconv2d_group", "Deconvolution",
         {"kernel": (3, 3), "num_filter": 4, "num_group": 2, "stride": (2, 2)}, data((1, 4, 3, 3))),
    Case("deconv2d_dilate", "Deconvolution",
         {"kernel": (3, 3), "dilate": (2, 2), "num_filter": 2, "pad": (1, 1)}, data((1, 2, 4, 4))),
    Case("deconv1d", "Deconvolution",
         {"kernel": (3,), "stride": (2,), "num_filter": 2, "no_bias": False}, data((2, 3, 5))),
    Case("deconv3d", "Deconvolution",
         {"kernel": (2, 2, 2), "stride": (2, 2, 2), "num_filter": 2}, data((1, 2, 2, 3, 2))),
    # --------------------------------------------------------------- Pooling
    Case("pool_max_2x2", "Pooling", {"kernel": (2, 2), "stride": (2, 2), "pool_type": "max"},
         data((2, 3, 6, 6))),
    Case("pool_max_default_type", "Pooling", {"kernel": (3, 3)}, data((1, 2, 5, 5))),
    Case("pool_max_3x3_s2_p1", "Pooling",
         {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "pool_type": "max"},
         data((2, 2, 7, 8))),
    Case("pool_max_full", "Pooling",
         {"kernel": (3, 3), "stride": (2, 2), "pool_type": "max", "pooling_convention": "full"},
         data((1, 2, 8, 8))),
    Case("pool_max_ties", "Pooling", {"kernel": (2, 2), "stride": (1, 1), "pool_type": "max"},
         data((1, 2, 5, 5), "ties")),
    Case("pool_max_ties_s2", "Pooling", {"kernel": (3, 3), "stride": (2, 2), "pool_type": "max"},
         data((1, 2, 7, 7), "ties")),
    Case("pool_avg_3x3_p1", "Pooling",
         {"kernel": (3, 3), "stride": (1, 1), "pad": (1, 1), "pool_type": "avg"},
         data((2, 2, 5, 5))),
    Case("pool_avg_no_count_pad", "Pooling",
         {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "pool_type": "avg",
          "count_include_pad": False}, data((1, 2, 6, 6))),
    Case("pool_avg_full_pad", "Pooling",
         {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "pool_type": "avg",
          "pooling_convention": "full"}, data((1, 2, 6, 6))),
    Case("pool_avg_full_nopad_count", "Pooling",
         {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "pool_type": "avg",
          "pooling_convention": "full", "count_include_pad": False}, data((1, 2, 6, 6))),
    Case("pool_sum", "Pooling",
         {"kernel": (2, 3), "stride": (2, 1), "pad": (1, 0), "pool_type": "sum"},
         data((1, 2, 5, 6))),
    Case("pool_lp2", "Pooling",
         {"kernel": (2, 2), "stride": (2, 2), "pool_type": "lp", "p_value": 2},
         data((1, 2, 4, 4))),
    Case("pool_lp1", "Pooling",
         {"kernel": (2, 2), "stride": (1, 1), "pool_type": "lp", "p_value": 1},
         data((1, 2, 3, 3))),
    Case("pool_lp3_pad", "Pooling",
         {"kernel": (2, 2), "stride": (2, 2), "pad": (1, 1), "pool_type": "lp", "p_value": 3},
         data((1, 1, 4, 4), "uniform", 0.5, 2.0)),
    Case("pool_global_max", "Pooling", {"global_pool": True, "pool_type": "max"},
         data((2, 3, 4, 5))),
    Case("pool_global_avg_kernel", "Pooling",
         {"global_pool": True, "kernel": (7, 7), "pool_type": "avg"}, data((2, 3, 3, 3))),
    Case("pool_global_sum_1d", "Pooling",
         {"global_pool": True, "kernel": (2,), "pool_type": "sum"}, data((2, 3, 5))),
    Case("pool1d_max", "Pooling", {"kernel": (3,), "stride": (2,), "pool_type": "max"},
         data((2, 2, 9))),
    Case("pool1d_avg_pad", "Pooling",
         {"kernel": (3,), "stride": (2,), "pad": (1,), "pool_type": "avg"}, data((2, 2, 8))),
    Case("pool3d_max", "Pooling",
         {"kernel": (2, 2, 2), "stride": (2, 2, 2), "pool_type": "max"}, data((1, 2, 4, 4, 5))),
    Case("pool3d_avg_pad", "Pooling",
         {"kernel": (3, 3, 3), "stride": (2, 2, 2), "pad": (1, 1, 1), "pool_type": "avg"},
         data((1, 1, 5, 4, 4))),
    Case("pool_nhwc_max", "Pooling",
         {"kernel": (2, 2), "stride": (2, 2), "pool_type": "max", "layout": "NHWC"},
         data((2, 4, 4, 3))),
    Case("pool_nhwc_avg_pad", "Pooling",
         {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "pool_type": "avg",
          "layout": "NHWC"}, data((1, 5, 5, 2))),
    Case("pool_nwc_max", "Pooling",
         {"kernel": (2,), "stride": (2,), "pool_type": "max", "layout": "NWC"}, data((2, 6, 3))),
    Case("pool_layout_nchw", "Pooling",
         {"kernel": (2, 2), "stride": (2, 2), "pool_type": "max", "layout": "NCHW"},
         data((1, 2, 4, 4))),
    Case("pool_cudnn_off", "Pooling",
         {"kernel": (2, 2), "pool_type": "avg", "cudnn_off": True}, data((1, 2, 3, 3))),
    # ------------------------------------------------------------- BatchNorm
    Case("bn_default", "BatchNorm", {}, data((4, 3, 2, 2)), modes=("train", "eval"),
         init=BN_INIT),
    Case("bn_no_fix_gamma", "BatchNorm", {"fix_gamma": False, "eps": 2e-5, "momentum": 0.8},
         data((4, 3, 3, 2)), modes=("train", "eval"), init=BN_INIT),
    Case("bn_global_stats", "BatchNorm", {"fix_gamma": False, "use_global_stats": True},
         data((3, 2, 2, 2)), modes=("train", "eval"), init=BN_INIT),
    Case("bn_output_mean_var", "BatchNorm", {"fix_gamma": False, "output_mean_var": True},
         data((4, 2, 3)), modes=("train", "eval"), init=BN_INIT),
    Case("bn_2d", "BatchNorm", {"fix_gamma": False}, data((6, 4)), modes=("train", "eval"),
         init=BN_INIT),
    Case("bn_axis_last", "BatchNorm", {"fix_gamma": False, "axis": -1}, data((3, 2, 4)),
         modes=("train", "eval"), init=BN_INIT),
    Case("bn_axis2", "BatchNorm", {"axis": 2, "cudnn_off": True}, data((2, 3, 4, 2)),
         modes=("train", "eval"), init=BN_INIT),
    # ------------------------------------------------------- other norms
    Case("instancenorm", "InstanceNorm", {}, data((2, 3, 4, 3)), init=BN_INIT),
    Case("instancenorm_3d_eps", "InstanceNorm", {"eps": 0.01}, data((2, 2, 5)), init=BN_INIT),
    Case("layernorm", "LayerNorm", {}, data((3, 4, 5)), init=BN_INIT),
    Case("layernorm_axis1", "LayerNorm", {"axis": 1, "eps": 1e-3}, data((3, 4, 2)),
         init=BN_INIT),
    Case("layernorm_mean_var", "LayerNorm", {"output_mean_var": True}, data((2, 6)),
         init=BN_INIT),
    Case("groupnorm", "GroupNorm", {"num_groups": 2}, data((2, 4, 3, 3)), init=BN_INIT),
    Case("groupnorm_default", "GroupNorm", {}, data((2, 3, 4)), init=BN_INIT),
    Case("groupnorm_mean_var", "GroupNorm", {"num_groups": 3, "output_mean_var": True},
         data((2, 6, 2)), init=BN_INIT),
    Case("l2norm_instance", "L2Normalization", {}, data((2, 3, 4))),
    Case("l2norm_channel", "L2Normalization", {"mode": "channel"}, data((2, 3, 2, 2))),
    Case("l2norm_spatial", "L2Normalization", {"mode": "spatial", "eps": 1e-4},
         data((2, 3, 2, 3))),
    Case("lrn_default", "LRN", {"nsize": 3}, data((2, 5, 3, 3))),
    Case("lrn_alexnet", "LRN", {"nsize": 5, "alpha": 0.001, "beta": 0.75, "knorm": 1},
         data((1, 7, 2, 2))),
    # -------------------------------------------------------- activations
    Case("leaky_default", "LeakyReLU", {}, data((3, 4))),
    Case("leaky_slope", "LeakyReLU", {"act_type": "leaky", "slope": 0.1}, data((2, 3, 4))),
    Case("elu", "LeakyReLU", {"act_type": "elu", "slope": 0.7}, data((3, 5))),
    Case("selu", "LeakyReLU", {"act_type": "selu"}, data((3, 5))),
    Case("gelu", "LeakyReLU", {"act_type": "gelu"}, data((3, 5))),
    Case("prelu_4d", "LeakyReLU", {"act_type": "prelu"}, data((2, 3, 2, 2))),
    Case("prelu_2d", "LeakyReLU", {"act_type": "prelu"}, data((4, 3))),
    Case("rrelu_eval", "LeakyReLU", {"act_type": "rrelu"}, data((3, 4)), modes=("eval",),
         grad=False, skip_out=(1,)),
    Case("rrelu_eval_bounds", "LeakyReLU",
         {"act_type": "rrelu", "lower_bound": 0.2, "upper_bound": 0.5}, data((3, 4)),
         modes=("eval",), grad=False, skip_out=(1,)),
    # ------------------------------------------------------------ Embedding
    Case("embedding", "Embedding", {"input_dim": 6, "output_dim": 3},
         data((2, 5), "int", 0, 6), nograd=("data",)),
    Case("embedding_repeats", "Embedding", {"input_dim": 4, "output_dim": 2},
         {"data": ("int", (7,), 0, 2)}, nograd=("data",)),
    Case("embedding_clip", "Embedding", {"input_dim": 3, "output_dim": 2},
         {"data": ("int", (5,), -2, 5)}, nograd=("data",), modes=("eval",), grad=False),
    # ----------------------------------------------------------- UpSampling
    Case("upsample_nearest", "UpSampling", {"scale": 2, "sample_type": "nearest"},
         pos=[("data", ("normal", (2, 3, 3, 2)))]),
    Case("upsample_nearest_concat", "UpSampling", {"scale": 2, "sample_type": "nearest",
                                                    "num_args": 2},
         pos=[("a", ("normal", (1, 2, 4, 4))), ("b", ("normal", (1, 3, 2, 2)))]),
    Case("upsample_nearest_sum", "UpSampling",
         {"scale": 2, "sample_type": "nearest", "num_args": 2, "multi_input_mode": "sum"},
         pos=[("a", ("normal", (1, 2, 4, 4))), ("b", ("normal", (1, 2, 2, 2)))]),
    Case("upsample_bilinear", "UpSampling",
         {"scale": 2, "sample_type": "bilinear", "num_filter": 3},
         pos=[("data", ("normal", (1, 3, 3, 3)))]),
    Case("upsample_bilinear_s3", "UpSampling",
         {"scale": 3, "sample_type": "bilinear", "num_filter": 2},
         pos=[("data", ("normal", (1, 2, 2, 3)))]),
    # ------------------------------------------------------------------ Crop
    Case("crop_hw", "Crop", {"num_args": 1, "h_w": (3, 2), "offset": (1, 2)},
         pos=[("data", ("normal", (2, 2, 5, 5)))]),
    Case("crop_center", "Crop", {"num_args": 1, "h_w": (2, 3), "center_crop": True},
         pos=[("data", ("normal", (1, 2, 5, 6)))]),
    Case("crop_like", "Crop", {"num_args": 2},
         pos=[("data", ("normal", (1, 2, 5, 5))), ("like", ("normal", (1, 1, 3, 4)))],
         nograd=("like",)),
    Case("crop_like_center", "Crop", {"num_args": 2, "center_crop": True},
         pos=[("data", ("normal", (1, 2, 6, 5))), ("like", ("normal", (1, 1, 3, 2)))],
         nograd=("like",)),
    # -------------------------------------------------------------- Sequence
    Case("seqmask_nolen", "SequenceMask", {}, data((4, 2, 3))),
    Case("seqmask_len", "SequenceMask", {"use_sequence_length": True, "value": -1.0},
         {"data": _d((4, 3, 2)), "sequence_length": ("int", (3,), 1, 5)},
         nograd=("sequence_length",)),
    Case("seqmask_axis1", "SequenceMask", {"use_sequence_length": True, "axis": 1},
         {"data": _d((3, 5, 2)), "sequence_length": ("int", (3,), 1, 6)},
         nograd=("sequence_length",)),
    Case("seqlast_nolen", "SequenceLast", {}, data((4, 2, 3))),
    Case("seqlast_len", "SequenceLast", {"use_sequence_length": True},
         {"data": _d((4, 3, 2)), "sequence_length": ("int", (3,), 1, 5)},
         nograd=("sequence_length",)),
    Case("seqlast_axis1", "SequenceLast", {"use_sequence_length": True, "axis": 1},
         {"data": _d((3, 5, 2)), "sequence_length": ("int", (3,), 1, 6)},
         nograd=("sequence_length",)),
    Case("seqreverse_nolen", "SequenceReverse", {}, data((4, 2, 3))),
    Case("seqreverse_len", "SequenceReverse", {"use_sequence_length": True},
         {"data": _d((5, 3, 2)), "sequence_length": ("int", (3,), 1, 6)},
         nograd=("sequence_length",)),
    # ---------------------------------------------------------------- Pad
    Case("pad_constant", "Pad",
         {"mode": "constant", "pad_width": (0, 0, 0, 0, 1, 2, 2, 1), "constant_value": 1.5},
         data((2, 2, 3, 3))),
    Case("pad_edge", "Pad", {"mode": "edge", "pad_width": (0, 0, 0, 0, 2, 1, 1, 2)},
         data((1, 2, 3, 4))),
    Case("pad_reflect", "Pad", {"mode": "reflect", "pad_width": (0, 0, 0, 0, 2, 1, 1, 2)},
         data((1, 2, 3, 4))),
    Case("pad_5d", "Pad", {"mode": "constant", "pad_width": (0, 0, 0, 0, 1, 0, 0, 1, 1, 1)},
         data((1, 1, 2, 2, 2))),
    # ------------------------------------------------------------- slicing
    Case("slice_basic", "slice", {"begin": (1, 0), "end": (3, 4)}, data((4, 5))),
    Case("slice_none_neg", "slice", {"begin": (None, -3, 1), "end": (None, None, 3)},
         data((2, 5, 4))),
    Case("slice_step", "slice", {"begin": (0, 4), "end": (3, None), "step": (2, -2)},
         data((4, 6))),
    Case("slice_axis", "slice_axis", {"axis": 1, "begin": 1, "end": 3}, data((2, 4, 3))),
    Case("slice_axis_neg_none", "slice_axis", {"axis": -1, "begin": -2, "end": None},
         data((2, 4, 3))),
    Case("slice_like_all", "slice_like", {},
         {"data": _d((4, 5, 3)), "shape_like": _d((2, 3, 3))}, nograd=("shape_like",)),
    Case("slice_like_axes", "slice_like", {"axes": (0, -1)},
         {"data": _d((4, 5, 3)), "shape_like": _d((2, 7, 2))}, nograd=("shape_like",)),
    Case("take_clip", "take", {},
         {"a": _d((5, 3)), "indices": ("int", (2, 4), -2, 7)}, nograd=("indices",)),
    Case("take_axis1_wrap", "take", {"axis": 1, "mode": "wrap"},
         {"a": _d((2, 4, 3)), "indices": ("int", (5,), -5, 9)}, nograd=("indices",)),
    Case("pick_default", "pick", {},
         {"data": _d((3, 4)), "index": ("int", (3,), 0, 4)}, nograd=("index",)),
    Case("pick_axis0_keep", "pick", {"axis": 0, "keepdims": True},
         {"data": _d((3, 4)), "index": ("int", (4,), 0, 3)}, nograd=("index",)),
    Case("pick_wrap", "pick", {"axis": 1, "mode": "wrap"},
         {"data": _d((2, 3, 2)), "index": ("int", (2, 2), -4, 6)}, nograd=("index",)),
    Case("batch_take", "batch_take", {},
         {"a": _d((4, 3)), "indices": ("int", (4,), 0, 3)}, nograd=("indices",),
         dtypes={"a": "float32", "indices": "int32"}, grad=False),
    # ------------------------------------------------------ sort / topk
    Case("topk_indices", "topk", {"k": 2}, data((3, 5), "distinct"), grad=False),
    Case("topk_value", "topk", {"k": 3, "ret_typ": "value", "axis": 0},
         data((4, 3), "distinct")),
    Case("topk_both_ascend", "topk", {"k": 2, "ret_typ": "both", "is_ascend": True},
         data((2, 4), "distinct")),
    Case("topk_mask", "topk", {"k": 2, "ret_typ": "mask"}, data((3, 4), "distinct"),
         grad=False),
    Case("topk_flat", "topk", {"k": 3, "axis": None, "ret_typ": "value"},
         data((2, 3), "distinct")),
    Case("topk_int_dtype", "topk", {"k": 2, "dtype": "int32"}, data((2, 4), "distinct"),
         grad=False),
    Case("sort_default", "sort", {}, data((3, 4), "distinct"), grad=False),
    Case("sort_asc", "sort", {"axis": -1}, data((3, 4), "distinct")),
    Case("sort_desc_axis0", "sort", {"axis": 0, "is_ascend": False}, data((3, 4), "distinct")),
    Case("argsort", "argsort", {}, data((3, 4), "distinct"), grad=False),
    Case("argsort_desc_flat", "argsort", {"axis": None, "is_ascend": False},
         data((2, 3), "distinct"), grad=False),
    # ---------------------------------------------------- shape manipulation
    Case("tile", "tile", {"reps": (2, 1, 3)}, data((2, 3))),
    Case("tile_short_reps", "tile", {"reps": (2,)}, data((2, 3))),
    Case("repeat_flat", "repeat", {"repeats": 2}, data((2, 3))),
    Case("repeat_axis", "repeat", {"repeats": 3, "axis": -1}, data((2, 2, 2))),
    Case("squeeze_all", "squeeze", {}, data((1, 3, 1, 2))),
    Case("squeeze_axis", "squeeze", {"axis": (2,)}, data((1, 3, 1, 2))),
    Case("broadcast_to", "broadcast_to", {"shape": (3, 0, 4)}, data((1, 2, 1))),
    Case("broadcast_like", "broadcast_like", {},
         {"lhs": _d((1, 3, 1)), "rhs": _d((2, 3, 4))}, nograd=("rhs",)),
    Case("broadcast_like_axes", "broadcast_like", {"lhs_axes": (0, 2), "rhs_axes": (1, 0)},
         {"lhs": _d((1, 3, 1)), "rhs": _d((5, 2))}, nograd=("rhs",)),
    Case("broadcast_axis", "broadcast_axis", {"axis": (0, 2), "size": (2, 3)},
         data((1, 2, 1))),
    Case("reshape_like", "reshape_like", {},
         {"lhs": _d((2, 6)), "rhs": _d((3, 4))}, nograd=("rhs",)),
    Case("reshape_like_ranges", "reshape_like",
         {"lhs_begin": 1, "lhs_end": 3, "rhs_begin": 0, "rhs_end": 1},
         {"lhs": _d((2, 3, 4, 1)), "rhs": _d((12, 5))}, nograd=("rhs",)),
    Case("reverse", "reverse", {"axis": (1,)}, data((2, 3, 2))),
    Case("reverse_multi", "reverse", {"axis": (0, 2)}, data((2, 3, 2))),
    Case("depth_to_space", "depth_to_space", {"block_size": 2}, data((1, 8, 2, 3))),
    Case("space_to_depth", "space_to_depth", {"block_size": 2}, data((1, 2, 4, 6))),
    Case("diag_2d", "diag", {"k": 1}, data((3, 4))),
    Case("diag_1d", "diag", {"k": -1}, data((3,))),
    Case("diag_3d_axes", "diag", {"axis1": 1, "axis2": 2}, data((2, 3, 3))),
    Case("shape_array", "shape_array", {}, data((2, 3, 4)), grad=False),
    Case("size_array", "size_array", {}, data((2, 3, 4)), grad=False),
    Case("gather_nd", "gather_nd", {},
         {"data": _d((3, 4, 2)), "indices": ("int", (2, 5), 0, 3)}, nograd=("indices",)),
    Case("scatter_nd", "scatter_nd", {"shape": (4, 3)},
         {"data": _d((3,)), "indices": ("distinct_idx", (2, 3), 4, 3)}, nograd=("indices",)),
    # -------------------------------------------------------------- math
    Case("smooth_l1", "smooth_l1", {}, data((4, 5), "uniform", -3, 3)),
    Case("smooth_l1_sigma", "smooth_l1", {"scalar": 2.0}, data((4, 5), "uniform", -2, 2)),
    Case("hard_sigmoid", "hard_sigmoid", {}, data((4, 5), "uniform", -4, 4)),
    Case("hard_sigmoid_params", "hard_sigmoid", {"alpha": 0.3, "beta": 0.4},
         data((4, 5), "uniform", -4, 4)),
    Case("moments", "moments", {"axes": (0, 2)}, data((3, 2, 4))),
    Case("moments_keepdims", "moments", {"axes": (1,), "keepdims": True}, data((3, 4))),
    Case("softmax_cross_entropy", "softmax_cross_entropy", {},
         {"data": _d((3, 5)), "label": ("int", (3,), 0, 5)}, nograd=("label",)),
]

#: unsupported attribute values: MXNet rejects them, and so must mxjax
ERROR_CASES: list[Case] = [
    Case("err_conv_layout_nwc", "Convolution",
         {"kernel": (3,), "num_filter": 2, "layout": "NWC"}, data((1, 2, 5))),
    Case("err_conv_layout_mismatch", "Convolution",
         {"kernel": (3,), "num_filter": 2, "layout": "NCHW"}, data((1, 2, 5)), err_attr="layout"),
    Case("err_deconv_layout_mismatch", "Deconvolution",
         {"kernel": (3, 3), "num_filter": 2, "layout": "NCW"}, data((1, 2, 5, 5)),
         err_attr="layout"),
    Case("err_pool_same_2d", "Pooling",
         {"kernel": (2, 2), "pooling_convention": "same"}, data((1, 1, 4, 4)),
         err_attr="pooling_convention"),
    Case("err_pool_lp_no_p", "Pooling", {"kernel": (2, 2), "pool_type": "lp"},
         data((1, 1, 4, 4)), err_attr="p_value"),
    Case("err_pool_type", "Pooling", {"kernel": (2, 2), "pool_type": "median"},
         data((1, 1, 4, 4))),
    Case("err_pool_convention", "Pooling", {"kernel": (2, 2), "pooling_convention": "ceil"},
         data((1, 1, 4, 4))),
    Case("err_leaky_type", "LeakyReLU", {"act_type": "swish"}, data((2, 2))),
    Case("err_l2_mode", "L2Normalization", {"mode": "batch"}, data((2, 2))),
    Case("err_pad_mode", "Pad", {"mode": "wrap", "pad_width": (0, 0, 0, 0, 1, 1, 1, 1)},
         data((1, 1, 2, 2))),
    Case("err_upsample_type", "UpSampling", {"scale": 2, "sample_type": "bicubic"},
         pos=[("data", ("normal", (1, 1, 2, 2)))]),
    Case("err_topk_ret", "topk", {"ret_typ": "values"}, data((2, 3))),
    Case("err_take_mode", "take", {"mode": "fail"},
         {"a": _d((3,)), "indices": ("int", (2,), 0, 3)}),
]


def case_by_id(cid: str) -> Case:
    for c in CASES + ERROR_CASES:
        if c.id == cid:
            return c
    raise KeyError(cid)
