"""Loss heads with MXNet's gradients (``src/operator/softmax_output``, ``regression_output``,
``make_loss``, ``svm_output``).

A loss head's backward ignores whatever head gradient arrives and does not
divide by the batch unless ``normalization`` says so; Module's
``rescale_grad = 1/batch`` does that. Each head is a ``jax.custom_vjp`` whose
backward is MXNet's formula, not autodiff of its forward. Labels get no
gradient.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from ..base import MXNetError
from .registry import Attrs, Op, Param, register


def _head(forward, backward):
    """Build ``f(data, label)`` whose VJP w.r.t. data is ``backward(out, data, label, g)``."""

    @jax.custom_vjp
    def f(data, label):
        return forward(data, label)

    def fwd(data, label):
        out = forward(data, label)
        return out, (out, data, label)

    def bwd(res, g):
        out, data, label = res
        return backward(out, data, label, g).astype(data.dtype), jnp.zeros_like(label)

    f.defvjp(fwd, bwd)
    return f


def _label_like(label, dtype):
    return label.astype(dtype) if label.dtype != dtype else label


# ------------------------------------------------------------------ SoftmaxOutput
def _softmax_fwd(a: Attrs, data):
    if a.multi_output:
        n, k = data.shape[0], data.shape[1]
        x = data.reshape(n, k, -1)
        return jax.nn.softmax(x, axis=1).reshape(data.shape)
    if a.preserve_shape:
        return jax.nn.softmax(data, axis=-1)
    n = data.shape[0]
    return jax.nn.softmax(data.reshape(n, -1), axis=1).reshape(data.shape)


def _onehot_grad(a: Attrs, p, label, axis):
    """(p - smoothed onehot), zeroed where label == ignore_label if use_ignore."""
    k = p.shape[axis]
    idx = label.astype(jnp.int32)
    cls = jnp.arange(k, dtype=jnp.int32)
    shape = [1] * p.ndim
    shape[axis] = k
    hit = jnp.expand_dims(idx, axis) == cls.reshape(shape)
    if a.smooth_alpha:
        alpha = a.smooth_alpha
        target = jnp.where(hit, 1.0 - alpha, alpha / (k - 1))
    else:
        target = hit.astype(p.dtype)
    grad = p - target.astype(p.dtype)
    if a.use_ignore:
        keep = jnp.expand_dims(idx != int(a.ignore_label), axis)
        grad = jnp.where(keep, grad, 0)
    return grad


def _valid_count(a: Attrs, label):
    if a.normalization == "batch":
        return label.shape[0]
    if a.normalization == "valid":
        n = jnp.sum(label.astype(jnp.int32) != int(a.ignore_label))
        return jnp.maximum(n, 1).astype(jnp.float32)
    return 1


@functools.cache
def _softmax_output(a: Attrs):
    def forward(data, label):
        return _softmax_fwd(a, data)

    def backward(out, data, label, g):
        if label.shape == out.shape:
            grad = (out - label) * a.grad_scale
            return grad * g if a.out_grad else grad
        if a.multi_output:
            n, k = out.shape[0], out.shape[1]
            p = out.reshape(n, k, -1)
            lab = label.reshape(n, -1)
            grad = _onehot_grad(a, p, lab, axis=1)
            spatial = 1 if a.normalization == "valid" else p.shape[2]
            grad = grad * (a.grad_scale / spatial / _valid_count(a, lab))
            grad = grad.reshape(out.shape)
        else:
            n = out.shape[0]
            p = out.reshape(-1, out.shape[-1]) if a.preserve_shape else out.reshape(n, -1)
            # MXNet reads as many labels as p has rows (the first N when data has more than
            # two axes and neither multi_output nor preserve_shape is set)
            lab = label.reshape(-1)[: p.shape[0]]
            grad = _onehot_grad(a, p, lab, axis=1)
            grad = (grad * (a.grad_scale / _valid_count(a, lab))).reshape(out.shape)
        return grad * g if a.out_grad else grad

    return _head(forward, backward)


@register
class SoftmaxOutput(Op):
    """Softmax forward; backward ``grad_scale * (softmax - onehot(label)) / norm``."""

    name = "SoftmaxOutput"
    aliases = ("Softmax",)
    is_loss = True
    params = {
        "grad_scale": Param("float", 1.0),
        "ignore_label": Param("float", -1.0),
        "multi_output": Param("bool", False),
        "use_ignore": Param("bool", False),
        "preserve_shape": Param("bool", False),
        "normalization": Param("str", "null", choices=("null", "batch", "valid")),
        "out_grad": Param("bool", False),
        "smooth_alpha": Param("float", 0.0),
    }

    def inputs(self, a):
        return ["data", "label"]

    def infer_shape(self, a, in_shapes):
        data, label = in_shapes
        if data is None or (label is not None and label == data):
            return in_shapes
        if a.multi_output:
            n, k = data[0], data[1] if len(data) > 1 else 1
            rest = 1
            for d in data[2:]:
                rest *= d
            accepted = [(n, rest), (n, *data[2:]), (n, 1, *data[2:])]
            if label is None:
                return [data, accepted[0]]
            if tuple(label) not in accepted:
                raise MXNetError(
                    f"SoftmaxOutput: label shape {label} does not match data shape {data}; "
                    f"expecting {accepted[0]} or {accepted[1]}"
                )
            del k
            return in_shapes
        want = tuple(data[:-1])
        if label is None:
            return [data, want]
        if tuple(label) != want:
            if len(label) == len(want) and all(x == 0 or y == 0 or x == y
                                               for x, y in zip(label, want, strict=True)):
                return [data, tuple(max(x, y) for x, y in zip(label, want, strict=True))]
            raise MXNetError(
                f"SoftmaxOutput: label shape {tuple(label)} does not match data shape "
                f"{tuple(data)}; expecting {want} (or the data shape for soft labels)"
            )
        return in_shapes

    def forward(self, a, ctx, data, label):
        return _softmax_output(a)(data, _label_like(label, data.dtype))


@register
class SoftmaxActivation(Op):
    """Softmax over all but the batch axis (``instance``) or over axis 1 (``channel``)."""

    name = "SoftmaxActivation"
    params = {"mode": Param("str", "instance", choices=("instance", "channel"))}

    def forward(self, a, ctx, data):
        if a.mode == "channel":
            return jax.nn.softmax(data, axis=1)
        n = data.shape[0]
        return jax.nn.softmax(data.reshape(n, -1), axis=1).reshape(data.shape)


# -------------------------------------------------------------- regression heads
class _Regression(Op):
    """``out = f(data)``; grad ``grad_scale * d(out, label) / (label.size / N)``."""

    is_loss = True
    params = {"grad_scale": Param("float", 1.0)}

    def inputs(self, a):
        return ["data", "label"]

    def infer_shape(self, a, in_shapes):
        data, label = in_shapes
        if data is None:
            return in_shapes
        if label is None:
            want = (data[0],) if len(data) == 2 and data[1] == 1 else tuple(data)
            return [data, want]
        ok = tuple(label) == tuple(data) or (
            len(data) == 2 and data[1] == 1 and tuple(label) == (data[0],)
        )
        if not ok:
            raise MXNetError(
                f"{self.name}: label shape {tuple(label)} does not match data shape "
                f"{tuple(data)}"
            )
        return in_shapes

    @staticmethod
    def link(x):
        return x

    @staticmethod
    def dloss(out, label):
        return out - label

    def forward(self, a, ctx, data, label):
        return _regression(type(self), a)(data, _label_like(label, data.dtype))


@functools.cache
def _regression(cls, a: Attrs):
    def forward(data, label):
        return cls.link(data)

    def backward(out, data, label, g):
        lab = label.reshape(out.shape)
        num_output = max(label.size // max(label.shape[0], 1), 1)
        return cls.dloss(out, lab) * (a.grad_scale / num_output)

    return _head(forward, backward)


@register
class LinearRegressionOutput(_Regression):
    """Identity forward; gradient ``out - label`` (L2 loss)."""

    name = "LinearRegressionOutput"


@register
class LogisticRegressionOutput(_Regression):
    """Sigmoid forward; gradient ``sigmoid(x) - label``."""

    name = "LogisticRegressionOutput"
    link = staticmethod(jax.nn.sigmoid)


@register
class MAERegressionOutput(_Regression):
    """Identity forward; gradient ``sign(out - label)`` (L1 loss)."""

    name = "MAERegressionOutput"
    dloss = staticmethod(lambda out, label: jnp.sign(out - label))


# ------------------------------------------------------------------- MakeLoss
@functools.cache
def _make_loss(a: Attrs):
    @jax.custom_vjp
    def f(data):
        return data

    def fwd(data):
        return data, data

    def bwd(data, g):
        if a.normalization == "batch":
            scale = a.grad_scale / data.shape[0]
            return (jnp.full(data.shape, scale, data.dtype),)
        if a.normalization == "valid":
            n = jnp.maximum(jnp.sum(data > a.valid_thresh), 1).astype(data.dtype)
            return (jnp.full(data.shape, a.grad_scale, data.dtype) / n,)
        return (jnp.full(data.shape, a.grad_scale, data.dtype),)

    f.defvjp(fwd, bwd)
    return f


@register
class MakeLoss(Op):
    """Identity forward; gradient ``grad_scale`` (÷N for 'batch', ÷#valid for 'valid')."""

    name = "MakeLoss"
    is_loss = True
    params = {
        "grad_scale": Param("float", 1.0),
        "valid_thresh": Param("float", 0.0),
        "normalization": Param("str", "null", choices=("null", "batch", "valid")),
    }

    def forward(self, a, ctx, data):
        return _make_loss(a)(data)


@jax.custom_vjp
def _ones_grad(data):
    return data


_ones_grad.defvjp(lambda d: (d, d), lambda d, g: (jnp.ones_like(d),))


@register
class MakeLossLower(Op):
    """``make_loss``: identity forward, gradient of ones; output named ``<name>_loss``."""

    name = "make_loss"
    is_loss = True

    def outputs(self, a):
        return ["loss"]

    def forward(self, a, ctx, data):
        return _ones_grad(data)


# ------------------------------------------------------------------ SVMOutput
@functools.cache
def _svm_output(a: Attrs):
    def forward(data, label):
        return data

    def backward(out, data, label, g):
        k = out.shape[1]
        idx = label.reshape(-1).astype(jnp.int32)
        x = out.reshape(out.shape[0], k)
        hit = idx[:, None] == jnp.arange(k)[None, :]
        m, c = a.margin, a.regularization_coefficient
        if a.use_linear:
            true_g = -c * (m > x).astype(x.dtype)
            other_g = c * (m > -x).astype(x.dtype)
        else:
            true_g = -2 * c * jnp.maximum(0, m - x)
            other_g = 2 * c * jnp.maximum(0, m + x)
        return jnp.where(hit, true_g, other_g).reshape(out.shape)

    return _head(forward, backward)


@register
class SVMOutput(Op):
    """Identity forward; hinge-loss gradient (L2 unless ``use_linear``)."""

    name = "SVMOutput"
    is_loss = True
    params = {
        "margin": Param("float", 1.0),
        "regularization_coefficient": Param("float", 1.0),
        "use_linear": Param("bool", False),
    }

    def inputs(self, a):
        return ["data", "label"]

    def infer_shape(self, a, in_shapes):
        data, label = in_shapes
        if data is not None and label is None:
            return [data, (data[0],)]
        return in_shapes

    def forward(self, a, ctx, data, label):
        return _svm_output(a)(data, _label_like(label, data.dtype))
