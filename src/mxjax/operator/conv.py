"""``Convolution`` and ``Deconvolution``: MXNet's ``src/operator/nn/convolution`` and
``deconvolution``, 1-D / 2-D / 3-D, grouped, dilated, NCW/NCHW/NCDHW or NHWC/NDHWC.

Two lowerings compute the same grouped cross-correlation:

* ``xla``: ``lax.conv_general_dilated`` — XLA's native convolution (cuDNN on GPU);
* ``im2col``: the input's shifted, strided windows stacked into patches and one
  matrix product with the flattened filters (depthwise filters: a weighted sum
  over the patches). XLA's CPU convolution is slow, and much slower inside
  ``lax.scan`` where it falls back to a generic kernel; im2col is a plain dot.

``MXJAX_CONV_IMPL=auto|xla|im2col`` (or :func:`set_conv_impl`) picks one;
``auto`` uses im2col on CPU and XLA's convolution on other backends. The choice
is read when a graph is traced, so set it before binding.
"""

from __future__ import annotations

import math
import os

import jax
import jax.numpy as jnp
from jax import lax

from ..base import MXNetError
from .registry import Attrs, Op, Param, register

__all__ = ["conv_impl", "set_conv_impl", "conv_nd", "deconv_nd", "conv_out_size",
           "deconv_out_size", "im2col_patches"]

_IMPLS = ("auto", "xla", "im2col")
_override: str | None = None

#: layouts MXNet accepts per number of spatial dims (NHWC/NDHWC: MXNet runs them on GPU only)
_LAYOUTS = {1: ("NCW",), 2: ("NCHW", "NHWC"), 3: ("NCDHW", "NDHWC")}
_LAYOUT_CHOICES = ("NCW", "NCHW", "NCDHW", "NHWC", "NDHWC")
#: im2col: below this many input features per output, patches are laid out channels-last
#: (measured faster on CPU for LeNet's first layer and 3-channel image inputs)
_SMALL_CK = 64


def set_conv_impl(name: str | None) -> None:
    """Force the convolution lowering (``auto``, ``xla``, ``im2col``); None: use the env var."""
    global _override
    if name is not None and name not in _IMPLS:
        raise MXNetError(f"convolution implementation must be one of {_IMPLS}, got {name!r}")
    _override = name


def conv_impl() -> str:
    """The lowering convolutions use now: ``xla`` or ``im2col``."""
    name = _override or os.environ.get("MXJAX_CONV_IMPL", "auto").strip().lower() or "auto"
    if name not in _IMPLS:
        raise MXNetError(f"MXJAX_CONV_IMPL must be one of {', '.join(_IMPLS)}, got {name!r}")
    if name == "auto":
        return "im2col" if jax.default_backend() == "cpu" else "xla"
    return name


def conv_out_size(x: int, k: int, s: int, d: int, p: int) -> int:
    """MXNet's convolution output size: ``floor((x + 2p - (d(k-1)+1)) / s) + 1``."""
    return (x + 2 * p - (d * (k - 1) + 1)) // s + 1


def deconv_out_size(x: int, k: int, s: int, d: int, p: int, adj: int) -> int:
    """MXNet's deconvolution output size: ``s(x-1) + d(k-1) + 1 - 2p + adj``."""
    return s * (x - 1) + d * (k - 1) + 1 - 2 * p + adj


# ------------------------------------------------------------------ lowerings
def im2col_patches(x: jax.Array, kernel: tuple, stride: tuple, dilate: tuple, out: tuple,
                   channels_last: bool = False) -> jax.Array:
    """The convolution windows of ``x`` (N, C, *S): ``(N, C, K, *out)``, or ``(N, C, *out, K)``
    with ``channels_last``; K = prod(kernel) in row-major kernel order.

    Built one spatial dim at a time (``sum(kernel)`` strided slices, not ``prod(kernel)``):
    fewer, larger ops, which XLA compiles faster and runs as fast or faster on CPU.
    """
    cols = x[..., None] if channels_last else x[:, :, None]
    for d, (k, s, dl, o) in enumerate(zip(kernel, stride, dilate, out, strict=True)):
        ax = 2 + d if channels_last else 3 + d
        views = [lax.slice_in_dim(cols, i * dl, i * dl + (o - 1) * s + 1, s, axis=ax)
                 for i in range(k)]
        if channels_last:
            cols = jnp.stack(views, axis=-1)
            cols = cols.reshape(cols.shape[:-2] + (-1,))
        else:
            cols = jnp.stack(views, axis=3)
            cols = cols.reshape(cols.shape[:2] + (-1,) + cols.shape[4:])
    return cols


def _conv_im2col(x, w, stride, dilate, pads, groups):
    """Grouped cross-correlation as patches x filters; x (N,C,*S), w (F,C/g,*K), NC* layout."""
    kernel = w.shape[2:]
    nd = len(kernel)
    if any(lo or hi for lo, hi in pads):
        x = lax.pad(x, jnp.zeros((), x.dtype), [(0, 0, 0), (0, 0, 0)] +
                    [(lo, hi, 0) for lo, hi in pads])
    spatial = x.shape[2:]
    out = tuple((spatial[i] - (dilate[i] * (kernel[i] - 1) + 1)) // stride[i] + 1
                for i in range(nd))
    n, c = x.shape[:2]
    f = w.shape[0]
    ksize = math.prod(kernel)
    p = math.prod(out)
    cg, fg = c // groups, f // groups
    if groups > 1 and cg == 1 and fg == 1:
        # depthwise: y[n, c] = sum_k w[c, k] * window_k[n, c]
        cols = im2col_patches(x, kernel, stride, dilate, out)  # (N, C, K, *O)
        wk = w.reshape((1, f, ksize) + (1,) * nd)
        return jnp.sum(cols * wk, axis=2)
    if groups == 1 and c * ksize <= _SMALL_CK:
        # few input features per output: patches (N*P, C*K) @ (C*K, F), channels last
        cols = im2col_patches(x, kernel, stride, dilate, out, channels_last=True)
        cols = jnp.moveaxis(cols, 1, -2).reshape(n * p, c * ksize)
        y = jnp.matmul(cols, w.reshape(f, c * ksize).T)
        return jnp.moveaxis(y.reshape((n,) + out + (f,)), -1, 1)
    cols = im2col_patches(x, kernel, stride, dilate, out).reshape(n, c * ksize, p)
    if groups == 1:
        y = jnp.einsum("fk,nkp->nfp", w.reshape(f, c * ksize), cols)
    else:
        wm = w.reshape(groups, fg, cg * ksize)
        y = jnp.einsum("gfk,ngkp->ngfp", wm, cols.reshape(n, groups, cg * ksize, p))
    return y.reshape((n, f) + out)


def _conv_xla(x, w, stride, dilate, pads, groups):
    sp = "DHW"[-(w.ndim - 2):]
    dn = lax.conv_dimension_numbers(x.shape, w.shape, ("NC" + sp, "OI" + sp, "NC" + sp))
    return lax.conv_general_dilated(x, w, window_strides=tuple(stride), padding=list(pads),
                                    rhs_dilation=tuple(dilate), dimension_numbers=dn,
                                    feature_group_count=groups)


def conv_nd(x: jax.Array, w: jax.Array, stride: tuple, dilate: tuple,
            pads: list[tuple[int, int]], groups: int, impl: str | None = None) -> jax.Array:
    """Grouped, dilated cross-correlation in NC* layout with (low, high) padding per dim."""
    impl = impl or conv_impl()
    if impl == "xla":
        return _conv_xla(x, w, stride, dilate, pads, groups)
    return _conv_im2col(x, w, stride, dilate, pads, groups)


def _dilate_input(x: jax.Array, stride: tuple) -> jax.Array:
    """Insert ``s-1`` zeros between input elements (the transpose of a strided conv)."""
    if all(s == 1 for s in stride):
        return x
    return lax.pad(x, jnp.zeros((), x.dtype), [(0, 0, 0), (0, 0, 0)] +
                   [(0, 0, s - 1) for s in stride])


def deconv_nd(x: jax.Array, w: jax.Array, stride: tuple, dilate: tuple, pad: tuple,
              adj: tuple, groups: int, impl: str | None = None) -> jax.Array:
    """Transposed convolution (MXNet's Deconvolution), NC* layout; w is (C, F/g, *K).

    XLA: a convolution of the zero-dilated input with the flipped, transposed filter.
    im2col: the linear transpose of the im2col forward convolution with ``w`` (col2im),
    which never materialises the zero-dilated input."""
    impl = impl or conv_impl()
    kernel = w.shape[2:]
    nd = len(kernel)
    c, fg = w.shape[:2]
    if impl == "im2col" and all(a < s for a, s in zip(adj, stride, strict=True)):
        out = tuple(deconv_out_size(x.shape[2 + i], kernel[i], stride[i], dilate[i], pad[i],
                                    adj[i]) for i in range(nd))
        spec = jax.ShapeDtypeStruct((x.shape[0], groups * fg) + out, x.dtype)

        def forward_conv(y):
            return _conv_im2col(y, w, stride, dilate, [(p, p) for p in pad], groups)

        (res,) = jax.linear_transpose(forward_conv, spec)(x)
        return res
    # the equivalent forward convolution: flipped (F, C/g, *K) filter over the dilated input
    cg = c // groups
    wf = jnp.swapaxes(w.reshape((groups, cg, fg) + kernel), 1, 2)
    wf = jnp.flip(wf.reshape((groups * fg, cg) + kernel), axis=tuple(range(2, 2 + nd)))
    pads = [(dilate[i] * (kernel[i] - 1) - pad[i], dilate[i] * (kernel[i] - 1) - pad[i] + adj[i])
            for i in range(nd)]
    if impl == "xla":
        sp = "DHW"[-nd:]
        dn = lax.conv_dimension_numbers(x.shape, wf.shape, ("NC" + sp, "OI" + sp, "NC" + sp))
        return lax.conv_general_dilated(x, wf, window_strides=(1,) * nd, padding=pads,
                                        lhs_dilation=tuple(stride), rhs_dilation=tuple(dilate),
                                        dimension_numbers=dn, feature_group_count=groups)
    # adj >= stride is not the transpose of any forward convolution: dilate explicitly
    return _conv_im2col(_dilate_input(x, stride), wf, (1,) * nd, dilate, pads, groups)


# ------------------------------------------------------------------ the ops
def _spatial(a: Attrs, key: str, nd: int, default: int, op: str) -> tuple[int, ...]:
    v = a[key]
    if not v:
        return (default,) * nd
    if len(v) != nd:
        raise MXNetError(f"{op}: attribute {key!r}={v} must have {nd} entries, like the kernel "
                         f"{tuple(a.kernel)}")
    return tuple(int(x) for x in v)


def _layout(a: Attrs, op: str) -> str:
    nd = len(a.kernel)
    if nd not in _LAYOUTS:
        raise MXNetError(f"{op}: kernel {tuple(a.kernel)} must have 1, 2 or 3 dimensions")
    if a.layout is None:
        return _LAYOUTS[nd][0]
    if a.layout not in _LAYOUTS[nd]:
        raise MXNetError(f"{op}: attribute 'layout'={a.layout!r} does not fit a {nd}-D kernel; "
                         f"MXNet accepts {', '.join(_LAYOUTS[nd])} here")
    return a.layout


def _channels_last(layout: str) -> bool:
    return layout[-1] == "C"


def _to_nc(x: jax.Array) -> jax.Array:
    return jnp.moveaxis(x, -1, 1)


def _from_nc(x: jax.Array) -> jax.Array:
    return jnp.moveaxis(x, 1, -1)


def _check_groups(op: str, a: Attrs, channels: int) -> None:
    g = a.num_group
    if g < 1:
        raise MXNetError(f"{op}: attribute 'num_group' must be positive, got {g}")
    if channels % g:
        raise MXNetError(f"{op}: input channels {channels} must divide by num_group={g}")
    if a.num_filter % g:
        raise MXNetError(f"{op}: num_filter={a.num_filter} must divide by num_group={g}")


def _conv_params(**extra: Param) -> dict[str, Param]:
    """MXNet's attributes in declaration order (positional attribute values follow it)."""
    order = ["kernel", "stride", "dilate", "pad", "adj", "target_shape", "num_filter",
             "num_group", "workspace", "no_bias", "cudnn_tune", "cudnn_off", "layout"]
    common = {
        "kernel": Param("shape"),
        "stride": Param("shape", ()),
        "dilate": Param("shape", ()),
        "pad": Param("shape", ()),
        "num_filter": Param("int"),
        "num_group": Param("int", 1),
        "cudnn_tune": Param("str", None, optional=True,
                            choices=("fastest", "limited_workspace", "off")),
        "cudnn_off": Param("bool", False),
        "layout": Param("str", None, optional=True, choices=_LAYOUT_CHOICES),
        **extra,
    }
    return {k: common[k] for k in order if k in common}


class _ConvBase(Op):
    def inputs(self, a):
        return ["data", "weight"] if a.no_bias else ["data", "weight", "bias"]

    def _data_shape(self, a, data):
        """(N, C, *spatial) of a data shape, whatever the layout."""
        layout = _layout(a, self.name)
        if len(data) != len(a.kernel) + 2:
            raise MXNetError(f"{self.name}: data shape {tuple(data)} does not fit a "
                             f"{len(a.kernel)}-D kernel (expected {len(a.kernel) + 2} dims)")
        if _channels_last(layout):
            return (data[0], data[-1], *data[1:-1])
        return tuple(data)

    def _weight_shape(self, a, c):
        raise NotImplementedError

    def infer_shape(self, a, in_shapes):
        out = list(in_shapes)
        data = in_shapes[0]
        nc = self._data_shape(a, data) if data else None
        if nc is not None and nc[1] > 0:
            _check_groups(self.name, a, nc[1])
            w = self._weight_shape(a, nc[1])
            out[1] = _from_nc_shape(w) if _channels_last(_layout(a, self.name)) else w
        if not a.no_bias:
            out[2] = (a.num_filter,)
        return out


@register
class Convolution(_ConvBase):
    """Grouped, dilated N-D cross-correlation: ``y[n, f] = Σ_c,k w[f, c, k] · x[n, c, s·o + d·k]``
    (plus bias); weight ``(F, C/g, *kernel)``; output ``floor((x+2p-(d(k-1)+1))/s)+1``."""

    name = "Convolution"
    params = _conv_params(workspace=Param("int", 1024), no_bias=Param("bool", False))

    def _weight_shape(self, a, c):
        return (a.num_filter, c // a.num_group, *a.kernel)

    def forward(self, a, ctx, data, weight, bias=None):
        nd = len(a.kernel)
        layout = _layout(a, self.name)
        stride = _spatial(a, "stride", nd, 1, self.name)
        dilate = _spatial(a, "dilate", nd, 1, self.name)
        pad = _spatial(a, "pad", nd, 0, self.name)
        x = _to_nc(data) if _channels_last(layout) else data
        w = _to_nc(weight) if _channels_last(layout) else weight
        if x.ndim != nd + 2:
            raise MXNetError(f"Convolution: data of shape {data.shape} does not fit a {nd}-D "
                             f"kernel {tuple(a.kernel)}")
        _check_groups(self.name, a, x.shape[1])
        want = (a.num_filter, x.shape[1] // a.num_group, *a.kernel)
        if tuple(w.shape) != want:
            raise MXNetError(f"Convolution: weight has shape {weight.shape}, expected "
                             f"{want if not _channels_last(layout) else _from_nc_shape(want)}")
        for i in range(nd):
            if conv_out_size(x.shape[2 + i], a.kernel[i], stride[i], dilate[i], pad[i]) < 1:
                raise MXNetError(f"Convolution: kernel {tuple(a.kernel)} (dilate {dilate}) is "
                                 f"larger than the padded input {data.shape}")
        y = conv_nd(x, w, stride, dilate, [(p, p) for p in pad], a.num_group)
        if bias is not None:
            y = y + bias.reshape((1, -1) + (1,) * nd).astype(y.dtype)
        return _from_nc(y) if _channels_last(layout) else y


def _from_nc_shape(shape: tuple) -> tuple:
    return (shape[0], *shape[2:], shape[1])


def deconv_pad_adj(a: Attrs, spatial: tuple[int, ...]) -> tuple[tuple, tuple]:
    """(pad, adj) MXNet uses: from ``target_shape`` when any entry is non-zero, else the attrs."""
    nd = len(a.kernel)
    stride = _spatial(a, "stride", nd, 1, "Deconvolution")
    dilate = _spatial(a, "dilate", nd, 1, "Deconvolution")
    if a.target_shape and any(t != 0 for t in a.target_shape):
        if len(a.target_shape) != nd:
            raise MXNetError(f"Deconvolution: target_shape {tuple(a.target_shape)} must have "
                             f"{nd} entries")
        pad, adj = [], []
        for i in range(nd):
            full = stride[i] * (spatial[i] - 1) + dilate[i] * (a.kernel[i] - 1) + 1
            if full < a.target_shape[i]:
                raise MXNetError(f"Deconvolution: too big target shape {tuple(a.target_shape)} "
                                 f"for input spatial shape {tuple(spatial)}")
            o = full - a.target_shape[i]
            adj.append(o % 2)
            pad.append((o + 1) // 2)
        return tuple(pad), tuple(adj)
    return (_spatial(a, "pad", nd, 0, "Deconvolution"),
            _spatial(a, "adj", nd, 0, "Deconvolution"))


@register
class Deconvolution(_ConvBase):
    """Transposed convolution (the gradient of Convolution w.r.t. its data); weight
    ``(C, F/g, *kernel)``; output ``s(x-1)+d(k-1)+1-2p+adj``, or ``target_shape`` (pad and
    adj derived as MXNet does). ``no_bias`` defaults to True."""

    name = "Deconvolution"
    params = _conv_params(adj=Param("shape", ()), target_shape=Param("shape", ()),
                          workspace=Param("int", 512), no_bias=Param("bool", True))

    def _weight_shape(self, a, c):
        return (c, a.num_filter // a.num_group, *a.kernel)

    def forward(self, a, ctx, data, weight, bias=None):
        nd = len(a.kernel)
        layout = _layout(a, self.name)
        stride = _spatial(a, "stride", nd, 1, self.name)
        dilate = _spatial(a, "dilate", nd, 1, self.name)
        x = _to_nc(data) if _channels_last(layout) else data
        w = _to_nc(weight) if _channels_last(layout) else weight
        if x.ndim != nd + 2:
            raise MXNetError(f"Deconvolution: data of shape {data.shape} does not fit a {nd}-D "
                             f"kernel {tuple(a.kernel)}")
        _check_groups(self.name, a, x.shape[1])
        want = (x.shape[1], a.num_filter // a.num_group, *a.kernel)
        if tuple(w.shape) != want:
            raise MXNetError(f"Deconvolution: weight has shape {weight.shape}, expected "
                             f"{want if not _channels_last(layout) else _from_nc_shape(want)}")
        pad, adj = deconv_pad_adj(a, x.shape[2:])
        for i in range(nd):
            if deconv_out_size(x.shape[2 + i], a.kernel[i], stride[i], dilate[i], pad[i],
                               adj[i]) < 1:
                raise MXNetError(f"Deconvolution: pad {pad} is too large for input {data.shape}")
        y = deconv_nd(x, w, stride, dilate, pad, adj, a.num_group)
        if bias is not None:
            y = y + bias.reshape((1, -1) + (1,) * nd).astype(y.dtype)
        return _from_nc(y) if _channels_last(layout) else y
