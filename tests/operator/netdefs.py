"""MXNet's classic image classifiers (``example/image-classification/symbols``), written the
way those files write them, against a module ``mx`` passed in: real MXNet (to record
its shapes) or mxjax (to test them). Channel widths and depths are parameters so tests
can build small versions of the same structure.

Families: mlp, lenet, alexnet, vgg, resnet (v2, "identity mappings"), resnet-v1,
resnext, inception-bn, googlenet, mobilenet.
"""

from __future__ import annotations

from typing import Any


def _w(c: int, width: float) -> int:
    return max(1, int(c * width))


# ------------------------------------------------------------------ mlp / lenet
def mlp(mx: Any, num_classes: int = 10, hidden: tuple = (128, 64)):
    data = mx.symbol.Variable("data")
    data = mx.sym.Flatten(data=data)
    fc1 = mx.symbol.FullyConnected(data=data, name="fc1", num_hidden=hidden[0])
    act1 = mx.symbol.Activation(data=fc1, name="relu1", act_type="relu")
    fc2 = mx.symbol.FullyConnected(data=act1, name="fc2", num_hidden=hidden[1])
    act2 = mx.symbol.Activation(data=fc2, name="relu2", act_type="relu")
    fc3 = mx.symbol.FullyConnected(data=act2, name="fc3", num_hidden=num_classes)
    return mx.symbol.SoftmaxOutput(data=fc3, name="softmax")


def lenet(mx: Any, num_classes: int = 10):
    data = mx.symbol.Variable("data")
    conv1 = mx.symbol.Convolution(data=data, kernel=(5, 5), num_filter=20)
    tanh1 = mx.symbol.Activation(data=conv1, act_type="tanh")
    pool1 = mx.symbol.Pooling(data=tanh1, pool_type="max", kernel=(2, 2), stride=(2, 2))
    conv2 = mx.symbol.Convolution(data=pool1, kernel=(5, 5), num_filter=50)
    tanh2 = mx.symbol.Activation(data=conv2, act_type="tanh")
    pool2 = mx.symbol.Pooling(data=tanh2, pool_type="max", kernel=(2, 2), stride=(2, 2))
    flatten = mx.symbol.Flatten(data=pool2)
    fc1 = mx.symbol.FullyConnected(data=flatten, num_hidden=500)
    tanh3 = mx.symbol.Activation(data=fc1, act_type="tanh")
    fc2 = mx.symbol.FullyConnected(data=tanh3, num_hidden=num_classes)
    return mx.symbol.SoftmaxOutput(data=fc2, name="softmax")


# ---------------------------------------------------------------------- alexnet
def alexnet(mx: Any, num_classes: int = 1000, width: float = 1.0, fc: int = 4096):
    data = mx.symbol.Variable(name="data")
    conv1 = mx.symbol.Convolution(data=data, kernel=(11, 11), stride=(4, 4),
                                  num_filter=_w(96, width))
    relu1 = mx.symbol.Activation(data=conv1, act_type="relu")
    pool1 = mx.symbol.Pooling(data=relu1, pool_type="max", kernel=(3, 3), stride=(2, 2))
    lrn1 = mx.symbol.LRN(data=pool1, alpha=0.0001, beta=0.75, knorm=1, nsize=5)
    conv2 = mx.symbol.Convolution(data=lrn1, kernel=(5, 5), pad=(2, 2), num_filter=_w(256, width))
    relu2 = mx.symbol.Activation(data=conv2, act_type="relu")
    pool2 = mx.symbol.Pooling(data=relu2, kernel=(3, 3), stride=(2, 2), pool_type="max")
    lrn2 = mx.symbol.LRN(data=pool2, alpha=0.0001, beta=0.75, knorm=1, nsize=5)
    conv3 = mx.symbol.Convolution(data=lrn2, kernel=(3, 3), pad=(1, 1), num_filter=_w(384, width))
    relu3 = mx.symbol.Activation(data=conv3, act_type="relu")
    conv4 = mx.symbol.Convolution(data=relu3, kernel=(3, 3), pad=(1, 1),
                                  num_filter=_w(384, width))
    relu4 = mx.symbol.Activation(data=conv4, act_type="relu")
    conv5 = mx.symbol.Convolution(data=relu4, kernel=(3, 3), pad=(1, 1),
                                  num_filter=_w(256, width))
    relu5 = mx.symbol.Activation(data=conv5, act_type="relu")
    pool3 = mx.symbol.Pooling(data=relu5, kernel=(3, 3), stride=(2, 2), pool_type="max")
    flatten = mx.symbol.Flatten(data=pool3)
    fc1 = mx.symbol.FullyConnected(data=flatten, num_hidden=fc)
    relu6 = mx.symbol.Activation(data=fc1, act_type="relu")
    dropout1 = mx.symbol.Dropout(data=relu6, p=0.5)
    fc2 = mx.symbol.FullyConnected(data=dropout1, num_hidden=fc)
    relu7 = mx.symbol.Activation(data=fc2, act_type="relu")
    dropout2 = mx.symbol.Dropout(data=relu7, p=0.5)
    fc3 = mx.symbol.FullyConnected(data=dropout2, num_hidden=num_classes)
    return mx.symbol.SoftmaxOutput(data=fc3, name="softmax")


# -------------------------------------------------------------------------- vgg
VGG_SPEC = {11: ([1, 1, 2, 2, 2], [64, 128, 256, 512, 512]),
            13: ([2, 2, 2, 2, 2], [64, 128, 256, 512, 512]),
            16: ([2, 2, 3, 3, 3], [64, 128, 256, 512, 512]),
            19: ([2, 2, 4, 4, 4], [64, 128, 256, 512, 512])}


def vgg(mx: Any, num_classes: int = 1000, num_layers: int = 11, batch_norm: bool = False,
        width: float = 1.0, fc: int = 4096):
    layers, filters = VGG_SPEC[num_layers]
    body = mx.sym.Variable(name="data")
    for i, num in enumerate(layers):
        for j in range(num):
            body = mx.sym.Convolution(data=body, kernel=(3, 3), pad=(1, 1),
                                      num_filter=_w(filters[i], width),
                                      name=f"conv{i + 1}_{j + 1}")
            if batch_norm:
                body = mx.symbol.BatchNorm(data=body, name=f"bn{i + 1}_{j + 1}")
            body = mx.sym.Activation(data=body, act_type="relu", name=f"relu{i + 1}_{j + 1}")
        body = mx.sym.Pooling(data=body, pool_type="max", kernel=(2, 2), stride=(2, 2),
                              name="pool%s" % (i + 1))
    flatten = mx.sym.Flatten(data=body, name="flatten")
    fc6 = mx.sym.FullyConnected(data=flatten, num_hidden=fc, name="fc6")
    relu6 = mx.sym.Activation(data=fc6, act_type="relu", name="relu6")
    drop6 = mx.sym.Dropout(data=relu6, p=0.5, name="drop6")
    fc7 = mx.sym.FullyConnected(data=drop6, num_hidden=fc, name="fc7")
    relu7 = mx.sym.Activation(data=fc7, act_type="relu", name="relu7")
    drop7 = mx.sym.Dropout(data=relu7, p=0.5, name="drop7")
    fc8 = mx.sym.FullyConnected(data=drop7, num_hidden=num_classes, name="fc8")
    return mx.sym.SoftmaxOutput(data=fc8, name="softmax")


# ------------------------------------------------------------------------ resnets
def _resnet_layout(num_layers: int, height: int, small_limit: int):
    """(units, num_stages, filter_list, bottle_neck) as MXNet's get_symbol chooses them."""
    if height <= small_limit:
        if (num_layers - 2) % 9 == 0 and num_layers >= 164:
            return [(num_layers - 2) // 9] * 3, 3, [16, 64, 128, 256], True
        if (num_layers - 2) % 6 == 0 and num_layers < 164:
            return [(num_layers - 2) // 6] * 3, 3, [16, 16, 32, 64], False
        raise ValueError(f"no experiments done on num_layers {num_layers}")
    filters = [64, 256, 512, 1024, 2048] if num_layers >= 50 else [64, 64, 128, 256, 512]
    units = {18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3], 101: [3, 4, 23, 3],
             152: [3, 8, 36, 3], 200: [3, 24, 36, 3], 269: [3, 30, 48, 8]}[num_layers]
    return units, 4, filters, num_layers >= 50


def _v2_unit(mx, data, num_filter, stride, dim_match, name, bottle_neck, bn_mom=0.9,
             workspace=256):
    """Pre-activation residual unit (resnet.py)."""
    if bottle_neck:
        bn1 = mx.sym.BatchNorm(data=data, fix_gamma=False, eps=2e-5, momentum=bn_mom,
                               name=name + "_bn1")
        act1 = mx.sym.Activation(data=bn1, act_type="relu", name=name + "_relu1")
        conv1 = mx.sym.Convolution(data=act1, num_filter=int(num_filter * 0.25), kernel=(1, 1),
                                   stride=(1, 1), pad=(0, 0), no_bias=True, workspace=workspace,
                                   name=name + "_conv1")
        bn2 = mx.sym.BatchNorm(data=conv1, fix_gamma=False, eps=2e-5, momentum=bn_mom,
                               name=name + "_bn2")
        act2 = mx.sym.Activation(data=bn2, act_type="relu", name=name + "_relu2")
        conv2 = mx.sym.Convolution(data=act2, num_filter=int(num_filter * 0.25), kernel=(3, 3),
                                   stride=stride, pad=(1, 1), no_bias=True, workspace=workspace,
                                   name=name + "_conv2")
        bn3 = mx.sym.BatchNorm(data=conv2, fix_gamma=False, eps=2e-5, momentum=bn_mom,
                               name=name + "_bn3")
        act3 = mx.sym.Activation(data=bn3, act_type="relu", name=name + "_relu3")
        conv3 = mx.sym.Convolution(data=act3, num_filter=num_filter, kernel=(1, 1), stride=(1, 1),
                                   pad=(0, 0), no_bias=True, workspace=workspace,
                                   name=name + "_conv3")
        shortcut = data if dim_match else mx.sym.Convolution(
            data=act1, num_filter=num_filter, kernel=(1, 1), stride=stride, no_bias=True,
            workspace=workspace, name=name + "_sc")
        return conv3 + shortcut
    bn1 = mx.sym.BatchNorm(data=data, fix_gamma=False, momentum=bn_mom, eps=2e-5,
                           name=name + "_bn1")
    act1 = mx.sym.Activation(data=bn1, act_type="relu", name=name + "_relu1")
    conv1 = mx.sym.Convolution(data=act1, num_filter=num_filter, kernel=(3, 3), stride=stride,
                               pad=(1, 1), no_bias=True, workspace=workspace, name=name + "_conv1")
    bn2 = mx.sym.BatchNorm(data=conv1, fix_gamma=False, momentum=bn_mom, eps=2e-5,
                           name=name + "_bn2")
    act2 = mx.sym.Activation(data=bn2, act_type="relu", name=name + "_relu2")
    conv2 = mx.sym.Convolution(data=act2, num_filter=num_filter, kernel=(3, 3), stride=(1, 1),
                               pad=(1, 1), no_bias=True, workspace=workspace, name=name + "_conv2")
    shortcut = data if dim_match else mx.sym.Convolution(
        data=act1, num_filter=num_filter, kernel=(1, 1), stride=stride, no_bias=True,
        workspace=workspace, name=name + "_sc")
    return conv2 + shortcut


def resnet(mx: Any, num_classes: int, num_layers: int, image_shape: tuple,
           units: list | None = None, filter_list: list | None = None, bn_mom: float = 0.9):
    """ResNet v2 (resnet.py); ``units``/``filter_list`` override the depth table."""
    nchannel, height, width = image_shape
    u, num_stages, filters, bottle_neck = _resnet_layout(num_layers, height, 28)
    units, filter_list = units or u, filter_list or filters
    data = mx.sym.Variable(name="data")
    data = mx.sym.identity(data=data, name="id")
    data = mx.sym.BatchNorm(data=data, fix_gamma=True, eps=2e-5, momentum=bn_mom, name="bn_data")
    if height <= 32:
        body = mx.sym.Convolution(data=data, num_filter=filter_list[0], kernel=(3, 3),
                                  stride=(1, 1), pad=(1, 1), no_bias=True, name="conv0",
                                  workspace=256)
    else:
        body = mx.sym.Convolution(data=data, num_filter=filter_list[0], kernel=(7, 7),
                                  stride=(2, 2), pad=(3, 3), no_bias=True, name="conv0",
                                  workspace=256)
        body = mx.sym.BatchNorm(data=body, fix_gamma=False, eps=2e-5, momentum=bn_mom, name="bn0")
        body = mx.sym.Activation(data=body, act_type="relu", name="relu0")
        body = mx.sym.Pooling(data=body, kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="max")
    for i in range(len(units)):
        s = 1 if i == 0 else 2
        body = _v2_unit(mx, body, filter_list[i + 1], (s, s), False,
                        name=f"stage{i + 1}_unit1", bottle_neck=bottle_neck)
        for j in range(units[i] - 1):
            body = _v2_unit(mx, body, filter_list[i + 1], (1, 1), True,
                            name=f"stage{i + 1}_unit{j + 2}", bottle_neck=bottle_neck)
    bn1 = mx.sym.BatchNorm(data=body, fix_gamma=False, eps=2e-5, momentum=bn_mom, name="bn1")
    relu1 = mx.sym.Activation(data=bn1, act_type="relu", name="relu1")
    pool1 = mx.sym.Pooling(data=relu1, global_pool=True, kernel=(7, 7), pool_type="avg",
                           name="pool1")
    flat = mx.sym.Flatten(data=pool1)
    fc1 = mx.sym.FullyConnected(data=flat, num_hidden=num_classes, name="fc1")
    return mx.sym.SoftmaxOutput(data=fc1, name="softmax")


def _v1_unit(mx, data, num_filter, stride, dim_match, name, bottle_neck, bn_mom=0.9,
             num_group=None, sc_name="_conv1sc", sc_bn="_sc"):
    """Post-activation residual unit (resnet-v1.py; with ``num_group``, resnext.py)."""
    def conv(x, nf, kernel, stride_, pad, nm, group=None):
        kw = {"num_group": group} if group is not None else {}
        return mx.sym.Convolution(data=x, num_filter=nf, kernel=kernel, stride=stride_, pad=pad,
                                  no_bias=True, workspace=256, name=name + nm, **kw)

    def bn(x, nm):
        return mx.sym.BatchNorm(data=x, fix_gamma=False, eps=2e-5, momentum=bn_mom,
                                name=name + nm)

    def relu(x, nm):
        return mx.sym.Activation(data=x, act_type="relu", name=name + nm)

    if bottle_neck:
        if num_group is None:  # resnet-v1: stride on the first 1x1
            mid = int(num_filter * 0.25)
            b = relu(bn(conv(data, mid, (1, 1), stride, (0, 0), "_conv1"), "_bn1"), "_relu1")
            b = relu(bn(conv(b, mid, (3, 3), (1, 1), (1, 1), "_conv2"), "_bn2"), "_relu2")
        else:  # resnext: grouped 3x3 carries the stride
            mid = int(num_filter * 0.5)
            b = relu(bn(conv(data, mid, (1, 1), (1, 1), (0, 0), "_conv1"), "_bn1"), "_relu1")
            b = relu(bn(conv(b, mid, (3, 3), stride, (1, 1), "_conv2", num_group), "_bn2"),
                     "_relu2")
        b = bn(conv(b, num_filter, (1, 1), (1, 1), (0, 0), "_conv3"), "_bn3")
    else:
        b = relu(bn(conv(data, num_filter, (3, 3), stride, (1, 1), "_conv1"), "_bn1"), "_relu1")
        b = bn(conv(b, num_filter, (3, 3), (1, 1), (1, 1), "_conv2"), "_bn2")
    if dim_match:
        shortcut = data
    else:
        sc = mx.sym.Convolution(data=data, num_filter=num_filter, kernel=(1, 1), stride=stride,
                                no_bias=True, workspace=256, name=name + sc_name)
        shortcut = bn(sc, sc_bn)
    out_name = "_relu" if num_group is not None else "_relu3"
    return relu(b + shortcut, out_name)


def resnet_v1(mx: Any, num_classes: int, num_layers: int, image_shape: tuple,
              units: list | None = None, filter_list: list | None = None, bn_mom: float = 0.9):
    """The original ResNet (resnet-v1.py)."""
    nchannel, height, width = image_shape
    u, num_stages, filters, bottle_neck = _resnet_layout(num_layers, height, 28)
    units, filter_list = units or u, filter_list or filters
    data = mx.sym.Variable(name="data")
    data = mx.sym.identity(data=data, name="id")
    if height <= 32:
        body = mx.sym.Convolution(data=data, num_filter=filter_list[0], kernel=(3, 3),
                                  stride=(1, 1), pad=(1, 1), no_bias=True, name="conv0",
                                  workspace=256)
        body = mx.sym.BatchNorm(data=body, fix_gamma=False, eps=2e-5, momentum=bn_mom, name="bn0")
    else:
        body = mx.sym.Convolution(data=data, num_filter=filter_list[0], kernel=(7, 7),
                                  stride=(2, 2), pad=(3, 3), no_bias=True, name="conv0",
                                  workspace=256)
        body = mx.sym.BatchNorm(data=body, fix_gamma=False, eps=2e-5, momentum=bn_mom, name="bn0")
        body = mx.sym.Activation(data=body, act_type="relu", name="relu0")
        body = mx.sym.Pooling(data=body, kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="max")
    for i in range(len(units)):
        s = 1 if i == 0 else 2
        body = _v1_unit(mx, body, filter_list[i + 1], (s, s), False,
                        name=f"stage{i + 1}_unit1", bottle_neck=bottle_neck)
        for j in range(units[i] - 1):
            body = _v1_unit(mx, body, filter_list[i + 1], (1, 1), True,
                            name=f"stage{i + 1}_unit{j + 2}", bottle_neck=bottle_neck)
    pool1 = mx.sym.Pooling(data=body, global_pool=True, kernel=(7, 7), pool_type="avg",
                           name="pool1")
    flat = mx.sym.Flatten(data=pool1)
    fc1 = mx.sym.FullyConnected(data=flat, num_hidden=num_classes, name="fc1")
    return mx.sym.SoftmaxOutput(data=fc1, name="softmax")


def resnext(mx: Any, num_classes: int, num_layers: int, image_shape: tuple, num_group: int = 32,
            units: list | None = None, filter_list: list | None = None, bn_mom: float = 0.9):
    """ResNeXt (resnext.py): bottleneck units with a grouped 3x3 convolution."""
    nchannel, height, width = image_shape
    u, num_stages, filters, bottle_neck = _resnet_layout(num_layers, height, 32)
    units, filter_list = units or u, filter_list or filters
    data = mx.sym.Variable(name="data")
    data = mx.sym.BatchNorm(data=data, fix_gamma=True, eps=2e-5, momentum=bn_mom, name="bn_data")
    if height <= 32:
        body = mx.sym.Convolution(data=data, num_filter=filter_list[0], kernel=(3, 3),
                                  stride=(1, 1), pad=(1, 1), no_bias=True, name="conv0",
                                  workspace=256)
    else:
        body = mx.sym.Convolution(data=data, num_filter=filter_list[0], kernel=(7, 7),
                                  stride=(2, 2), pad=(3, 3), no_bias=True, name="conv0",
                                  workspace=256)
        body = mx.sym.BatchNorm(data=body, fix_gamma=False, eps=2e-5, momentum=bn_mom, name="bn0")
        body = mx.sym.Activation(data=body, act_type="relu", name="relu0")
        body = mx.symbol.Pooling(data=body, kernel=(3, 3), stride=(2, 2), pad=(1, 1),
                                 pool_type="max")
    for i in range(len(units)):
        s = 1 if i == 0 else 2
        body = _v1_unit(mx, body, filter_list[i + 1], (s, s), False,
                        name=f"stage{i + 1}_unit1", bottle_neck=bottle_neck,
                        num_group=num_group, sc_name="_sc", sc_bn="_sc_bn")
        for j in range(units[i] - 1):
            body = _v1_unit(mx, body, filter_list[i + 1], (1, 1), True,
                            name=f"stage{i + 1}_unit{j + 2}", bottle_neck=bottle_neck,
                            num_group=num_group, sc_name="_sc", sc_bn="_sc_bn")
    pool1 = mx.symbol.Pooling(data=body, global_pool=True, kernel=(7, 7), pool_type="avg",
                              name="pool1")
    flat = mx.symbol.Flatten(data=pool1)
    fc1 = mx.symbol.FullyConnected(data=flat, num_hidden=num_classes, name="fc1")
    return mx.symbol.SoftmaxOutput(data=fc1, name="softmax")


# ------------------------------------------------------------------ inception-bn
def _conv_bn(mx, data, num_filter, kernel, stride=(1, 1), pad=(0, 0), name=None, suffix="",
             attr=None):
    conv = mx.symbol.Convolution(data=data, num_filter=num_filter, kernel=kernel, stride=stride,
                                 pad=pad, name=f"conv_{name}{suffix}")
    bn = mx.symbol.BatchNorm(data=conv, fix_gamma=False, eps=1e-10 + 1e-5, momentum=0.9,
                             name=f"bn_{name}{suffix}")
    return mx.symbol.Activation(data=bn, act_type="relu", name=f"relu_{name}{suffix}",
                                attr=attr or {})


def _inception_a(mx, data, n1, n3r, n3, nd3r, nd3, pool, proj, name, w):
    c1x1 = _conv_bn(mx, data, _w(n1, w), (1, 1), name=f"{name}_1x1")
    c3x3r = _conv_bn(mx, data, _w(n3r, w), (1, 1), name=f"{name}_3x3", suffix="_reduce")
    c3x3 = _conv_bn(mx, c3x3r, _w(n3, w), (3, 3), pad=(1, 1), name=f"{name}_3x3")
    cd3x3r = _conv_bn(mx, data, _w(nd3r, w), (1, 1), name=f"{name}_double_3x3",
                      suffix="_reduce")
    cd3x3 = _conv_bn(mx, cd3x3r, _w(nd3, w), (3, 3), pad=(1, 1), name=f"{name}_double_3x3_0")
    cd3x3 = _conv_bn(mx, cd3x3, _w(nd3, w), (3, 3), pad=(1, 1), name=f"{name}_double_3x3_1")
    pooling = mx.symbol.Pooling(data=data, kernel=(3, 3), stride=(1, 1), pad=(1, 1),
                                pool_type=pool, name=f"{pool}_pool_{name}_pool")
    cproj = _conv_bn(mx, pooling, _w(proj, w), (1, 1), name=f"{name}_proj")
    return mx.symbol.Concat(*[c1x1, c3x3, cd3x3, cproj], name=f"ch_concat_{name}_chconcat")


def _inception_b(mx, data, n3r, n3, nd3r, nd3, name, w):
    c3x3r = _conv_bn(mx, data, _w(n3r, w), (1, 1), name=f"{name}_3x3", suffix="_reduce")
    c3x3 = _conv_bn(mx, c3x3r, _w(n3, w), (3, 3), pad=(1, 1), stride=(2, 2),
                    name=f"{name}_3x3")
    cd3x3r = _conv_bn(mx, data, _w(nd3r, w), (1, 1), name=f"{name}_double_3x3",
                      suffix="_reduce")
    cd3x3 = _conv_bn(mx, cd3x3r, _w(nd3, w), (3, 3), pad=(1, 1), stride=(1, 1),
                     name=f"{name}_double_3x3_0")
    cd3x3 = _conv_bn(mx, cd3x3, _w(nd3, w), (3, 3), pad=(1, 1), stride=(2, 2),
                     name=f"{name}_double_3x3_1")
    pooling = mx.symbol.Pooling(data=data, kernel=(3, 3), stride=(2, 2), pad=(1, 1),
                                pool_type="max", name=f"max_pool_{name}_pool")
    return mx.symbol.Concat(*[c3x3, cd3x3, pooling], name=f"ch_concat_{name}_chconcat")


def _downsample(mx, data, ch_3x3, name, attr, w):
    conv = _conv_bn(mx, data, _w(ch_3x3, w), (3, 3), stride=(2, 2), pad=(1, 1),
                    name=name + "_conv", attr=attr)
    pool = mx.symbol.Pooling(data=data, name=name + "_pool", kernel=(3, 3), stride=(2, 2),
                             pad=(1, 1), pool_type="max", attr=attr)
    return mx.symbol.Concat(*[conv, pool], name=name + "_ch_concat")


def _simple(mx, data, ch_1x1, ch_3x3, name, attr, w):
    conv1x1 = _conv_bn(mx, data, _w(ch_1x1, w), (1, 1), pad=(0, 0), name=name + "_1x1",
                       attr=attr)
    conv3x3 = _conv_bn(mx, data, _w(ch_3x3, w), (3, 3), pad=(1, 1), name=name + "_3x3",
                       attr=attr)
    return mx.symbol.Concat(*[conv1x1, conv3x3], name=name + "_ch_concat")


def inception_bn(mx: Any, num_classes: int, image_shape: tuple, width: float = 1.0):
    nchannel, height, _ = image_shape
    attr: dict = {}
    data = mx.symbol.Variable(name="data")
    w = width
    if height <= 28:
        conv1 = _conv_bn(mx, data, _w(96, w), (3, 3), pad=(1, 1), name="1", attr=attr)
        in3a = _simple(mx, conv1, 32, 32, "in3a", attr, w)
        in3b = _simple(mx, in3a, 32, 48, "in3b", attr, w)
        in3c = _downsample(mx, in3b, 80, "in3c", attr, w)
        in4a = _simple(mx, in3c, 112, 48, "in4a", attr, w)
        in4b = _simple(mx, in4a, 96, 64, "in4b", attr, w)
        in4c = _simple(mx, in4b, 80, 80, "in4c", attr, w)
        in4d = _simple(mx, in4c, 48, 96, "in4d", attr, w)
        in4e = _downsample(mx, in4d, 96, "in4e", attr, w)
        in5a = _simple(mx, in4e, 176, 160, "in5a", attr, w)
        in5b = _simple(mx, in5a, 176, 160, "in5b", attr, w)
        pool = mx.symbol.Pooling(data=in5b, pool_type="avg", kernel=(7, 7), name="global_pool",
                                 attr=attr)
    else:
        conv1 = _conv_bn(mx, data, _w(64, w), (7, 7), stride=(2, 2), pad=(3, 3), name="1")
        pool1 = mx.symbol.Pooling(data=conv1, kernel=(3, 3), stride=(2, 2), name="pool_1",
                                  pool_type="max")
        conv2red = _conv_bn(mx, pool1, _w(64, w), (1, 1), stride=(1, 1), name="2_red")
        conv2 = _conv_bn(mx, conv2red, _w(192, w), (3, 3), stride=(1, 1), pad=(1, 1), name="2")
        pool2 = mx.symbol.Pooling(data=conv2, kernel=(3, 3), stride=(2, 2), name="pool_2",
                                  pool_type="max")
        in3a = _inception_a(mx, pool2, 64, 64, 64, 64, 96, "avg", 32, "3a", w)
        in3b = _inception_a(mx, in3a, 64, 64, 96, 64, 96, "avg", 64, "3b", w)
        in3c = _inception_b(mx, in3b, 128, 160, 64, 96, "3c", w)
        in4a = _inception_a(mx, in3c, 224, 64, 96, 96, 128, "avg", 128, "4a", w)
        in4b = _inception_a(mx, in4a, 192, 96, 128, 96, 128, "avg", 128, "4b", w)
        in4c = _inception_a(mx, in4b, 160, 128, 160, 128, 160, "avg", 128, "4c", w)
        in4d = _inception_a(mx, in4c, 96, 128, 192, 160, 192, "avg", 128, "4d", w)
        in4e = _inception_b(mx, in4d, 128, 192, 192, 256, "4e", w)
        in5a = _inception_a(mx, in4e, 352, 192, 320, 160, 224, "avg", 128, "5a", w)
        in5b = _inception_a(mx, in5a, 352, 192, 320, 192, 224, "max", 128, "5b", w)
        pool = mx.symbol.Pooling(data=in5b, kernel=(7, 7), stride=(1, 1), name="global_pool",
                                 pool_type="avg")
    flatten = mx.symbol.Flatten(data=pool)
    fc1 = mx.symbol.FullyConnected(data=flatten, num_hidden=num_classes)
    return mx.symbol.SoftmaxOutput(data=fc1, name="softmax")


# --------------------------------------------------------------------- googlenet
def _conv_relu(mx, data, num_filter, kernel, stride=(1, 1), pad=(0, 0), name=None, suffix=""):
    conv = mx.symbol.Convolution(data=data, num_filter=num_filter, kernel=kernel, stride=stride,
                                 pad=pad, name=f"conv_{name}{suffix}")
    return mx.symbol.Activation(data=conv, act_type="relu", name=f"relu_{name}{suffix}")


def _inception(mx, data, n1, n3r, n3, n5r, n5, pool, proj, name, w):
    c1x1 = _conv_relu(mx, data, _w(n1, w), (1, 1), name=f"{name}_1x1")
    c3x3r = _conv_relu(mx, data, _w(n3r, w), (1, 1), name=f"{name}_3x3", suffix="_reduce")
    c3x3 = _conv_relu(mx, c3x3r, _w(n3, w), (3, 3), pad=(1, 1), name=f"{name}_3x3")
    cd5x5r = _conv_relu(mx, data, _w(n5r, w), (1, 1), name=f"{name}_5x5", suffix="_reduce")
    cd5x5 = _conv_relu(mx, cd5x5r, _w(n5, w), (5, 5), pad=(2, 2), name=f"{name}_5x5")
    pooling = mx.symbol.Pooling(data=data, kernel=(3, 3), stride=(1, 1), pad=(1, 1),
                                pool_type=pool, name=f"{pool}_pool_{name}_pool")
    cproj = _conv_relu(mx, pooling, _w(proj, w), (1, 1), name=f"{name}_proj")
    return mx.symbol.Concat(*[c1x1, c3x3, cd5x5, cproj], name=f"ch_concat_{name}_chconcat")


def googlenet(mx: Any, num_classes: int = 1000, width: float = 1.0, full: bool = True):
    """GoogLeNet (googlenet.py); ``full=False`` keeps one inception module per stage (in3a,
    in4a, in5a) to keep tests small."""
    w = width
    data = mx.sym.Variable("data")
    conv1 = _conv_relu(mx, data, _w(64, w), kernel=(7, 7), stride=(2, 2), pad=(3, 3),
                       name="conv1")
    pool1 = mx.sym.Pooling(conv1, kernel=(3, 3), stride=(2, 2), pool_type="max")
    conv2 = _conv_relu(mx, pool1, _w(64, w), kernel=(1, 1), stride=(1, 1), name="conv2")
    conv3 = _conv_relu(mx, conv2, _w(192, w), kernel=(3, 3), stride=(1, 1), pad=(1, 1),
                       name="conv3")
    pool3 = mx.sym.Pooling(conv3, kernel=(3, 3), stride=(2, 2), pool_type="max")
    body = _inception(mx, pool3, 64, 96, 128, 16, 32, "max", 32, "in3a", w)
    if full:
        body = _inception(mx, body, 128, 128, 192, 32, 96, "max", 64, "in3b", w)
    pool4 = mx.sym.Pooling(body, kernel=(3, 3), stride=(2, 2), pool_type="max")
    body = _inception(mx, pool4, 192, 96, 208, 16, 48, "max", 64, "in4a", w)
    if full:
        body = _inception(mx, body, 160, 112, 224, 24, 64, "max", 64, "in4b", w)
        body = _inception(mx, body, 128, 128, 256, 24, 64, "max", 64, "in4c", w)
        body = _inception(mx, body, 112, 144, 288, 32, 64, "max", 64, "in4d", w)
        body = _inception(mx, body, 256, 160, 320, 32, 128, "max", 128, "in4e", w)
    pool5 = mx.sym.Pooling(body, kernel=(3, 3), stride=(2, 2), pool_type="max")
    body = _inception(mx, pool5, 256, 160, 320, 32, 128, "max", 128, "in5a", w)
    if full:
        body = _inception(mx, body, 384, 192, 384, 48, 128, "max", 128, "in5b", w)
    pool6 = mx.sym.Pooling(body, kernel=(7, 7), stride=(1, 1), pool_type="avg")
    flatten = mx.sym.Flatten(data=pool6)
    fc1 = mx.sym.FullyConnected(data=flatten, num_hidden=num_classes)
    return mx.symbol.SoftmaxOutput(data=fc1, name="softmax")


# --------------------------------------------------------------------- mobilenet
def _mconv(mx, data, num_filter=1, kernel=(1, 1), stride=(1, 1), pad=(0, 0), num_group=1,
           name="", suffix=""):
    conv = mx.sym.Convolution(data=data, num_filter=num_filter, kernel=kernel,
                              num_group=num_group, stride=stride, pad=pad, no_bias=True,
                              name=f"{name}{suffix}_conv2d")
    bn = mx.sym.BatchNorm(data=conv, name=f"{name}{suffix}_batchnorm", fix_gamma=True)
    return mx.sym.Activation(data=bn, act_type="relu", name=f"{name}{suffix}_relu")


def mobilenet(mx: Any, num_classes: int = 1000, alpha: float = 1.0, resolution: int = 224,
              blocks: int = 13):
    """MobileNet v1 (mobilenet.py ``get_symbol``); ``blocks`` < 13 keeps the first depthwise
    separable blocks only (resolution must then be 2**(downsamplings+1) times the pool)."""
    base = int(32 * alpha)
    # (depth multiplier of base, stride) of the depthwise conv and pointwise output factor
    plan = [(1, 1, 2), (2, 2, 2), (4, 1, 1), (4, 2, 2), (8, 1, 1), (8, 2, 2),
            (16, 1, 1), (16, 1, 1), (16, 1, 1), (16, 1, 1), (16, 1, 1), (16, 2, 2), (32, 1, 1)]
    data = mx.symbol.Variable(name="data")
    body = _mconv(mx, data, num_filter=base, kernel=(3, 3), pad=(1, 1), stride=(2, 2),
                  name="conv_1")
    down = 1
    for i, (mult, s, out) in enumerate(plan[:blocks]):
        depth = base * mult
        body = _mconv(mx, body, num_group=depth, num_filter=depth, kernel=(3, 3), pad=(1, 1),
                      stride=(s, s), name=f"conv_{i + 2}_dw")
        body = _mconv(mx, body, num_filter=depth * out, kernel=(1, 1), pad=(0, 0),
                      stride=(1, 1), name=f"conv_{i + 2}")
        down += s == 2
    pool_size = int(resolution / 2 ** down)
    pool = mx.sym.Pooling(data=body, kernel=(pool_size, pool_size), stride=(1, 1),
                          pool_type="avg", name="global_pool")
    flatten = mx.sym.Flatten(data=pool, name="flatten")
    fc = mx.symbol.FullyConnected(data=flatten, num_hidden=num_classes, name="fc")
    return mx.symbol.SoftmaxOutput(data=fc, name="softmax")


# ------------------------------------------------------------------------ configs
#: name -> (builder, kwargs, data shape); "full" configs are MXNet's published sizes (shape
#: checks and the slow tests), the others small versions for training tests
NETS: dict[str, tuple] = {
    "mlp": (mlp, {"num_classes": 10}, (4, 1, 28, 28)),
    "lenet": (lenet, {"num_classes": 10}, (4, 1, 28, 28)),
    "alexnet_full": (alexnet, {"num_classes": 1000}, (2, 3, 224, 224)),
    "alexnet_small": (alexnet, {"num_classes": 10, "width": 1 / 12, "fc": 64}, (4, 3, 67, 67)),
    "vgg16_full": (vgg, {"num_classes": 1000, "num_layers": 16}, (2, 3, 224, 224)),
    "vgg11_bn_small": (vgg, {"num_classes": 10, "num_layers": 11, "batch_norm": True,
                             "width": 1 / 16, "fc": 32}, (4, 3, 32, 32)),
    "resnet50_full": (resnet, {"num_classes": 1000, "num_layers": 50,
                               "image_shape": (3, 224, 224)}, (2, 3, 224, 224)),
    "resnet20_cifar": (resnet, {"num_classes": 10, "num_layers": 20,
                                "image_shape": (3, 28, 28)}, (2, 3, 28, 28)),
    "resnet_small": (resnet, {"num_classes": 10, "num_layers": 8, "image_shape": (3, 16, 16),
                              "units": [1, 1], "filter_list": [8, 8, 16]}, (4, 3, 16, 16)),
    "resnet_bottleneck_small": (resnet, {"num_classes": 10, "num_layers": 50,
                                         "image_shape": (3, 64, 64), "units": [1, 1],
                                         "filter_list": [8, 16, 32]}, (2, 3, 64, 64)),
    "resnet_v1_50_full": (resnet_v1, {"num_classes": 1000, "num_layers": 50,
                                      "image_shape": (3, 224, 224)}, (2, 3, 224, 224)),
    "resnet_v1_small": (resnet_v1, {"num_classes": 10, "num_layers": 8,
                                    "image_shape": (3, 16, 16), "filter_list": [8, 8, 16, 16]},
                        (4, 3, 16, 16)),
    "resnext50_full": (resnext, {"num_classes": 1000, "num_layers": 50,
                                 "image_shape": (3, 224, 224)}, (2, 3, 224, 224)),
    "resnext_small": (resnext, {"num_classes": 10, "num_layers": 164, "num_group": 4,
                                "image_shape": (3, 16, 16), "units": [1, 1, 1],
                                "filter_list": [8, 16, 32, 32]}, (4, 3, 16, 16)),
    "inception_bn_full": (inception_bn, {"num_classes": 1000, "image_shape": (3, 224, 224)},
                          (2, 3, 224, 224)),
    "inception_bn_28": (inception_bn, {"num_classes": 10, "image_shape": (3, 28, 28),
                                       "width": 1 / 8}, (4, 3, 28, 28)),
    # with MXNet's 'valid' pooling, googlenet.py's final 7x7 pool needs 256x256 inputs
    "googlenet_full": (googlenet, {"num_classes": 1000}, (2, 3, 256, 256)),
    "googlenet_small": (googlenet, {"num_classes": 10, "width": 1 / 16, "full": False},
                        (2, 3, 256, 256)),
    "mobilenet_full": (mobilenet, {"num_classes": 1000}, (2, 3, 224, 224)),
    "mobilenet_small": (mobilenet, {"num_classes": 10, "alpha": 0.25, "resolution": 32,
                                    "blocks": 4}, (4, 3, 32, 32)),
}


def build(mx: Any, name: str):
    """(symbol, data shape) of a config in ``NETS``."""
    fn, kw, shape = NETS[name]
    return fn(mx, **kw), shape
