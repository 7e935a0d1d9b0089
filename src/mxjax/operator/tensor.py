"""Tensor ops: elementwise, broadcast and scalar arithmetic, unary math, reductions,
reshaping, joining and splitting, indexing, dot products, casts and constants.

Names, aliases, attributes and defaults are MXNet 1.9.1's (``src/operator/tensor``).
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from ..base import MXNetError, dtype_np
from .registry import Op, Param, register, uniform_types

__all__ = ["infer_reshape", "mx_cast"]


def mx_cast(x, dtype):
    """``x.astype(dtype)`` with MXNet's C++ conversion of floats to integers.

    MXNet's ``static_cast`` truncates and, for a narrower integer type, wraps
    around (-1.0 -> uint8 255, 256.0 -> uint8 0); XLA saturates. Going through
    int64 reproduces the wrap-around for every in-range float.
    """
    dt = np.dtype(dtype)
    if (jnp.issubdtype(x.dtype, jnp.floating) and dt.kind in "iu"
            and dt != np.dtype(np.int64)):
        return x.astype(jnp.int64).astype(dt)
    return x.astype(dt)


def _unify(a: tuple | None, b: tuple | None) -> tuple | None:
    """Merge two partially known shapes (0 = unknown dim); None if they conflict."""
    if a is None:
        return b
    if b is None:
        return a
    if len(a) != len(b):
        return None
    out = []
    for x, y in zip(a, b, strict=True):
        if x == 0:
            out.append(y)
        elif y == 0 or x == y:
            out.append(x)
        else:
            return None
    return tuple(out)


# ----------------------------------------------------------------- elementwise
class ElemwiseBinary(Op):
    """Same-shape binary op (``elemwise_add`` and friends): no broadcasting."""

    fn: Any = None

    def inputs(self, a):
        return ["lhs", "rhs"]

    def infer_shape(self, a, in_shapes):
        u = in_shapes[0]
        for s in in_shapes[1:]:
            if u is not None and s is not None and _unify(u, s) is None:
                raise MXNetError(
                    f"{self.name}: operands must have the same shape, got {in_shapes[0]} "
                    f"and {in_shapes[1]}"
                )
            u = _unify(u, s)
        return [u if u is not None else s for s in in_shapes]

    def backward_infer_shape(self, a, in_shapes, out_shapes):
        o = out_shapes[0]
        return [_unify(s, o) or s for s in in_shapes]

    def infer_type(self, a, in_types):
        return uniform_types(in_types)

    def partial_output_shapes(self, a, in_shapes):
        """The unified (possibly partial) input shape, as MXNet's ElemwiseShape."""
        u = None
        for s_ in in_shapes:
            u = _unify(u, s_) if s_ is not None else u
        return None if u is None else [u]

    def forward(self, a, ctx, lhs, rhs):
        if lhs.shape != rhs.shape:
            raise MXNetError(f"{self.name}: operands must have the same shape (no broadcasting; "
                             f"use broadcast_*), got {lhs.shape} and {rhs.shape}")
        out = type(self).fn(lhs, rhs)
        return out.astype(lhs.dtype)


def _int_div(x, y):
    """Division; integers truncate toward zero like MXNet's C++ kernels (-7 / 2 = -3)."""
    if jnp.issubdtype(x.dtype, jnp.integer) or x.dtype == jnp.bool_:
        safe = jnp.where(y == 0, jnp.ones_like(y), y)
        return jnp.where(y == 0, jnp.zeros_like(x), lax.div(x, safe.astype(x.dtype)))
    return x / y


def _fmod(x, y):
    """MXNet's mod: Python's sign convention (the result has the divisor's sign), built
    from C's fmod as MXNet's kernel is, so exact multiples give +0 for a positive divisor
    (``-3 % 3 == 0``, not -0) and -0 for a negative dividend and divisor."""
    if not jnp.issubdtype(jnp.result_type(x, y), jnp.floating):
        return jnp.mod(x, y)
    m_neg_a = jnp.fmod(-x, jnp.abs(y))
    m_pos_a = jnp.fmod(x, jnp.abs(y))
    zero = jnp.zeros_like(m_pos_a)
    pos_b = jnp.where(x < 0, -m_neg_a + jnp.where(m_neg_a != 0, y, zero), m_pos_a)
    neg_b = jnp.where(x < 0, -m_neg_a, m_pos_a + jnp.where(m_pos_a != 0, y, zero))
    return jnp.where(y == 0, zero, jnp.where(y < 0, neg_b, pos_b))


_BINARY = {
    # name: (fn, elemwise aliases, broadcast name, broadcast aliases, scalar name, scalar alias,
    #        reversed scalar name, reversed alias)
    "add": (jnp.add, "elemwise_add", ("_add", "_plus", "_Plus"), "broadcast_add",
            ("broadcast_plus",), "_plus_scalar", ("_PlusScalar",), None, ()),
    "sub": (jnp.subtract, "elemwise_sub", ("_sub", "_minus", "_Minus"), "broadcast_sub",
            ("broadcast_minus",), "_minus_scalar", ("_MinusScalar",), "_rminus_scalar",
            ("_RMinusScalar",)),
    "mul": (jnp.multiply, "elemwise_mul", ("_mul", "_Mul"), "broadcast_mul", (),
            "_mul_scalar", ("_MulScalar",), None, ()),
    "div": (_int_div, "elemwise_div", ("_div", "_Div"), "broadcast_div", (),
            "_div_scalar", ("_DivScalar",), "_rdiv_scalar", ("_RDivScalar",)),
    "mod": (_fmod, "_mod", ("_Mod",), "broadcast_mod", (), "_mod_scalar", ("_ModScalar",),
            "_rmod_scalar", ("_RModScalar",)),
    "power": (jnp.power, "_power", ("_Power", "_pow"), "broadcast_power", (),
              "_power_scalar", ("_PowerScalar",), "_rpower_scalar", ("_RPowerScalar",)),
    "maximum": (jnp.maximum, "_maximum", ("_Maximum",), "broadcast_maximum", (),
                "_maximum_scalar", ("_MaximumScalar",), None, ()),
    "minimum": (jnp.minimum, "_minimum", ("_Minimum",), "broadcast_minimum", (),
                "_minimum_scalar", ("_MinimumScalar",), None, ()),
    "hypot": (jnp.hypot, "_hypot", ("_Hypot",), "broadcast_hypot", (),
              "_hypot_scalar", ("_HypotScalar",), None, ()),
    "equal": (jnp.equal, "_equal", (), "broadcast_equal", (), "_equal_scalar",
              ("_EqualScalar",), None, ()),
    "not_equal": (jnp.not_equal, "_not_equal", (), "broadcast_not_equal", (),
                  "_not_equal_scalar", ("_NotEqualScalar",), None, ()),
    "greater": (jnp.greater, "_greater", (), "broadcast_greater", (), "_greater_scalar",
                ("_GreaterScalar",), None, ()),
    "greater_equal": (jnp.greater_equal, "_greater_equal", (), "broadcast_greater_equal", (),
                      "_greater_equal_scalar", ("_GreaterEqualScalar",), None, ()),
    "lesser": (jnp.less, "_lesser", (), "broadcast_lesser", (), "_lesser_scalar",
               ("_LesserScalar",), None, ()),
    "lesser_equal": (jnp.less_equal, "_lesser_equal", (), "broadcast_lesser_equal", (),
                     "_lesser_equal_scalar", ("_LesserEqualScalar",), None, ()),
    "logical_and": (jnp.logical_and, "_logical_and", (), "broadcast_logical_and", (),
                    "_logical_and_scalar", (), None, ()),
    "logical_or": (jnp.logical_or, "_logical_or", (), "broadcast_logical_or", (),
                   "_logical_or_scalar", (), None, ()),
    "logical_xor": (jnp.logical_xor, "_logical_xor", (), "broadcast_logical_xor", (),
                    "_logical_xor_scalar", (), None, ()),
}


class BroadcastBinary(Op):
    """NumPy-style broadcasting binary op (``broadcast_add`` ...)."""

    fn: Any = None

    def inputs(self, a):
        return ["lhs", "rhs"]

    def infer_type(self, a, in_types):
        return uniform_types(in_types)

    def forward(self, a, ctx, lhs, rhs):
        try:
            np.broadcast_shapes(lhs.shape, rhs.shape)
        except ValueError as err:
            raise MXNetError(
                f"{self.name}: operands could not be broadcast together with shapes "
                f"{lhs.shape} {rhs.shape}"
            ) from err
        out = type(self).fn(lhs, rhs)
        return out.astype(lhs.dtype)


class ScalarBinary(Op):
    """``x op scalar`` with the scalar cast to x's dtype (``_plus_scalar`` ...)."""

    params = {"scalar": Param("float", 1.0), "is_int": Param("bool", True)}
    fn: Any = None
    reverse: bool = False

    def infer_shape(self, a, in_shapes):
        return in_shapes

    def backward_infer_shape(self, a, in_shapes, out_shapes):
        return [_unify(in_shapes[0], out_shapes[0]) or in_shapes[0]]

    def partial_output_shapes(self, a, in_shapes):
        return None if in_shapes[0] is None else [in_shapes[0]]

    def forward(self, a, ctx, data):
        s = jnp.asarray(a.scalar, dtype=data.dtype)
        out = type(self).fn(s, data) if self.reverse else type(self).fn(data, s)
        return out.astype(data.dtype)


def _declare_binary() -> None:
    for key, (fn, ew, ew_al, bc, bc_al, sc, sc_al, rsc, rsc_al) in _BINARY.items():
        doc = f"Elementwise {key}."
        register(type(ew, (ElemwiseBinary,), {"name": ew, "aliases": ew_al,
                                              "fn": staticmethod(fn), "__doc__": doc}))
        register(type(bc, (BroadcastBinary,), {"name": bc, "aliases": bc_al,
                                                "fn": staticmethod(fn), "__doc__": doc}))
        register(type(sc, (ScalarBinary,), {"name": sc, "aliases": sc_al,
                                            "fn": staticmethod(fn), "__doc__": doc}))
        if rsc:
            register(type(rsc, (ScalarBinary,), {"name": rsc, "aliases": rsc_al, "reverse": True,
                                                 "fn": staticmethod(fn), "__doc__": doc}))


_declare_binary()


# ---------------------------------------------------------------- unary math
class Unary(Op):
    """Elementwise unary op; output keeps the input's shape and dtype."""

    fn: Any = None

    def backward_infer_shape(self, a, in_shapes, out_shapes):
        return [_unify(in_shapes[0], out_shapes[0]) or in_shapes[0]]

    def partial_output_shapes(self, a, in_shapes):
        return None if in_shapes[0] is None else [in_shapes[0]]

    def forward(self, a, ctx, data):
        return type(self).fn(data).astype(data.dtype)


def _round_half_away(x):
    return jnp.sign(x) * jnp.floor(jnp.abs(x) + 0.5)


def _rint_ties_down(x):
    """MXNet's ``rint``: the nearer integer, and on a tie the lower one (-2.5 -> -3,
    2.5 -> 2), as its kernel ``(x - floor(x) <= ceil(x) - x) ? floor(x) : ceil(x)``."""
    fl = jnp.floor(x)
    ce = jnp.ceil(x)
    return jnp.where(x - fl <= ce - x, fl, ce)


def _zero_grad(fn):
    """Piecewise-constant functions: MXNet's gradient is 0 everywhere."""

    def wrapped(x):
        return lax.stop_gradient(fn(x))

    return wrapped


_UNARY: dict[str, tuple[Any, tuple[str, ...]]] = {
    "abs": (jnp.abs, ()),
    "sign": (_zero_grad(jnp.sign), ()),
    "round": (_zero_grad(_round_half_away), ()),
    "rint": (_zero_grad(_rint_ties_down), ()),
    "ceil": (_zero_grad(jnp.ceil), ()),
    "floor": (_zero_grad(jnp.floor), ()),
    "trunc": (_zero_grad(jnp.trunc), ()),
    "fix": (_zero_grad(jnp.trunc), ()),
    "square": (jnp.square, ()),
    "sqrt": (jnp.sqrt, ()),
    "rsqrt": (lax.rsqrt, ()),
    "cbrt": (jnp.cbrt, ()),
    "rcbrt": (lambda x: 1.0 / jnp.cbrt(x), ()),
    "exp": (jnp.exp, ()),
    "log": (jnp.log, ()),
    "log10": (jnp.log10, ()),
    "log2": (jnp.log2, ()),
    "log1p": (jnp.log1p, ()),
    "expm1": (jnp.expm1, ()),
    "sin": (jnp.sin, ()),
    "cos": (jnp.cos, ()),
    "tan": (jnp.tan, ()),
    "arcsin": (jnp.arcsin, ()),
    "arccos": (jnp.arccos, ()),
    "arctan": (jnp.arctan, ()),
    "sinh": (jnp.sinh, ()),
    "cosh": (jnp.cosh, ()),
    "tanh": (jnp.tanh, ()),
    "arcsinh": (jnp.arcsinh, ()),
    "arccosh": (jnp.arccosh, ()),
    "arctanh": (jnp.arctanh, ()),
    "degrees": (jnp.degrees, ()),
    "radians": (jnp.radians, ()),
    "reciprocal": (jnp.reciprocal, ()),
    "negative": (jnp.negative, ()),
    "relu": (jax.nn.relu, ()),
    "sigmoid": (jax.nn.sigmoid, ()),
    "softsign": (lambda x: x / (1 + jnp.abs(x)), ()),
    "erf": (jax.scipy.special.erf, ()),
    "erfinv": (jax.scipy.special.erfinv, ()),
    "gamma": (lambda x: jnp.exp(jax.scipy.special.gammaln(x)) * jnp.where(
        (x < 0) & (jnp.floor(x) % 2 == 1), -1.0, 1.0), ()),
    "gammaln": (jax.scipy.special.gammaln, ()),
    "logical_not": (lambda x: jnp.logical_not(x), ()),
    "_copy": (lambda x: x, ("identity",)),
}

for _n, (_fn, _al) in _UNARY.items():
    register(type(_n, (Unary,), {"name": _n, "aliases": _al, "fn": staticmethod(_fn),
                                 "__doc__": f"Elementwise {_n}."}))


@register
class BlockGrad(Unary):
    """Identity forward, zero gradient; needs no head gradient (``stop_gradient``)."""

    name = "BlockGrad"
    aliases = ("stop_gradient",)
    is_loss = True
    fn = staticmethod(lax.stop_gradient)


@register
class ZerosLike(Unary):
    """Zeros shaped like the input."""

    name = "zeros_like"
    fn = staticmethod(lambda x: jnp.zeros_like(x))


@register
class OnesLike(Unary):
    """Ones shaped like the input."""

    name = "ones_like"
    fn = staticmethod(lambda x: jnp.ones_like(x))


@register
class Cast(Op):
    """Cast to ``dtype`` (``cast``); the gradient is cast back."""

    name = "Cast"
    aliases = ("cast",)
    params = {"dtype": Param("dtype")}

    def infer_type(self, a, in_types):
        return in_types

    def forward(self, a, ctx, data):
        return mx_cast(data, dtype_np(a.dtype))


@register
class Clip(Op):
    """``clip(x, a_min, a_max)``; the gradient passes where a_min <= x <= a_max."""

    name = "clip"
    params = {"a_min": Param("float"), "a_max": Param("float")}

    def forward(self, a, ctx, data):
        lo = jnp.asarray(a.a_min, data.dtype)
        hi = jnp.asarray(a.a_max, data.dtype)
        return jnp.clip(data, lo, hi)


# -------------------------------------------------------------- reductions
def _norm_axes(axis: tuple | None, ndim: int, exclude: bool) -> tuple[int, ...]:
    if axis is None or axis == ():
        axes = tuple(range(ndim))
        return () if exclude else axes
    axes = tuple(sorted(int(x) % ndim if ndim else 0 for x in axis))
    if exclude:
        return tuple(i for i in range(ndim) if i not in axes)
    return axes


class Reduce(Op):
    """Reduction over ``axis`` (all axes if None; all *but* axis if ``exclude``)."""

    params = {
        "axis": Param("shape", None, optional=True),
        "keepdims": Param("bool", False),
        "exclude": Param("bool", False),
    }
    fn: Any = None

    def forward(self, a, ctx, data):
        axis = a.axis
        if isinstance(axis, tuple) and len(axis) == 0:
            axis = None
        for ax in axis or ():
            if not -data.ndim <= ax < max(data.ndim, 1):
                raise MXNetError(
                    f"{self.name}: axis {ax} is out of range for an input of shape {data.shape}"
                )
        axes = _norm_axes(axis, data.ndim, a.exclude)
        out = type(self).fn(data, axis=axes, keepdims=a.keepdims)
        if out.ndim == 0:  # MXNet's legacy shapes have no 0-d arrays: a full reduction is (1,)
            out = out.reshape(1)
        return out.astype(data.dtype)


def _mean(x, axis, keepdims):
    return jnp.mean(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


_REDUCE = {
    "sum": (lambda x, axis, keepdims: jnp.sum(x, axis=axis, keepdims=keepdims, dtype=x.dtype),
            ("sum_axis",)),
    "mean": (_mean, ()),
    "max": (jnp.max, ("max_axis",)),
    "min": (jnp.min, ("min_axis",)),
    "prod": (lambda x, axis, keepdims: jnp.prod(x, axis=axis, keepdims=keepdims, dtype=x.dtype),
             ()),
    "nansum": (lambda x, axis, keepdims: jnp.nansum(x, axis=axis, keepdims=keepdims,
                                                    dtype=x.dtype), ()),
    "nanprod": (lambda x, axis, keepdims: jnp.nanprod(x, axis=axis, keepdims=keepdims,
                                                      dtype=x.dtype), ()),
}
for _n, (_fn, _al) in _REDUCE.items():
    register(type(_n, (Reduce,), {"name": _n, "aliases": _al, "fn": staticmethod(_fn),
                                  "__doc__": f"Reduce by {_n}."}))


@register
class Norm(Op):
    """``norm``: L1 or L2 norm over ``axis`` (all elements by default)."""

    name = "norm"
    params = {
        "ord": Param("int", 2, choices=(1, 2)),
        "axis": Param("shape", None, optional=True),
        "out_dtype": Param("str", None, optional=True),
        "keepdims": Param("bool", False),
    }

    def forward(self, a, ctx, data):
        axes = _norm_axes(a.axis, data.ndim, False)
        if a.ord == 1:
            out = jnp.sum(jnp.abs(data), axis=axes, keepdims=a.keepdims)
        else:
            out = jnp.sqrt(jnp.sum(jnp.square(data), axis=axes, keepdims=a.keepdims))
        if not a.keepdims and out.ndim == 0:
            out = out.reshape(1)
        return out.astype(dtype_np(a.out_dtype) if a.out_dtype else data.dtype)


class ArgReduce(Op):
    """``argmax``/``argmin`` along ``axis`` (flattened if None); float indices like MXNet."""

    params = {"axis": Param("int", None, optional=True), "keepdims": Param("bool", False)}
    fn: Any = None

    def forward(self, a, ctx, data):
        if a.axis is None:
            out = type(self).fn(data.reshape(-1))
            out = out.reshape((1,) * data.ndim if a.keepdims else (1,))
        else:
            out = type(self).fn(data, axis=a.axis, keepdims=a.keepdims)
        return lax.stop_gradient(out.astype(data.dtype))


register(type("argmax", (ArgReduce,), {"name": "argmax", "fn": staticmethod(jnp.argmax),
                                       "__doc__": "Index of the maximum."}))
register(type("argmin", (ArgReduce,), {"name": "argmin", "fn": staticmethod(jnp.argmin),
                                       "__doc__": "Index of the minimum."}))


@register
class ArgmaxChannel(Op):
    """``argmax_channel``: argmax over the last axis."""

    name = "argmax_channel"

    def forward(self, a, ctx, data):
        return lax.stop_gradient(jnp.argmax(data, axis=-1).astype(data.dtype))


# ----------------------------------------------------------------- reshaping
def infer_reshape(src: tuple[int, ...], target: tuple[int, ...], reverse: bool = False
                  ) -> tuple[int, ...]:
    """MXNet's Reshape shape codes: 0 copy, -1 infer, -2 copy rest, -3 merge two, -4 split."""
    dshape = list(src)
    shape = list(target)
    if reverse:
        dshape.reverse()
        shape.reverse()
    out: list[int] = []
    src_idx = 0
    inf_idx = -1
    i = 0
    try:
        while i < len(shape):
            p = shape[i]
            if p == 0:
                out.append(dshape[src_idx])
                src_idx += 1
            elif p == -1:
                if inf_idx >= 0:
                    raise MXNetError("Reshape: one and only one dim can be inferred (-1)")
                inf_idx = len(out)
                out.append(1)
                src_idx += 1
            elif p == -2:
                out.extend(dshape[src_idx:])
                src_idx = len(dshape)
            elif p == -3:
                out.append(dshape[src_idx] * dshape[src_idx + 1])
                src_idx += 2
            elif p == -4:
                d0 = dshape[src_idx]
                src_idx += 1
                d1, d2 = shape[i + 1], shape[i + 2]
                if reverse:
                    d1, d2 = d2, d1
                i += 2
                if d1 == -1 and d2 == -1:
                    raise MXNetError("Reshape: split dims (-4) cannot both be -1")
                if d1 == -1:
                    d1 = d0 // d2
                if d2 == -1:
                    d2 = d0 // d1
                if d1 * d2 != d0:
                    raise MXNetError(f"Reshape: cannot split dim {d0} into {d1} x {d2}")
                if reverse:
                    out.extend([d2, d1])
                else:
                    out.extend([d1, d2])
            elif p > 0:
                out.append(p)
                src_idx += 1
            else:
                raise MXNetError(f"Reshape: invalid shape code {p}")
            i += 1
    except IndexError as err:
        raise MXNetError(
            f"Reshape: target shape {tuple(target)} does not fit input shape {tuple(src)}"
        ) from err
    total = math.prod(src)
    if inf_idx >= 0:
        rest = math.prod(out)
        if rest == 0 or total % rest:
            raise MXNetError(
                f"Reshape: cannot infer -1 in {tuple(target)} for input shape {tuple(src)}"
            )
        out[inf_idx] = total // rest
    if reverse:
        out.reverse()
    if math.prod(out) != total:
        raise MXNetError(
            f"Reshape: target shape {tuple(target)} (resolved {tuple(out)}) has a different "
            f"size than the input shape {tuple(src)}"
        )
    return tuple(out)


@register
class Reshape(Op):
    """``Reshape(data, shape=..., reverse=False)`` with MXNet's special codes."""

    name = "Reshape"
    aliases = ("reshape",)
    params = {
        "shape": Param("shape", ()),
        "reverse": Param("bool", False),
        "target_shape": Param("shape", ()),
        "keep_highest": Param("bool", False),
    }

    def _target(self, a, src):
        if a.shape:
            return infer_reshape(src, a.shape, a.reverse)
        if a.target_shape:
            tgt = list(a.target_shape)
            if a.keep_highest:
                tgt = [src[0], *tgt]
            if 0 in tgt:
                known = math.prod(d for d in tgt if d)
                tgt = [d if d else math.prod(src) // known for d in tgt]
            return tuple(tgt)
        raise MXNetError("Reshape: the 'shape' attribute is required")

    def forward(self, a, ctx, data):
        return data.reshape(self._target(a, data.shape))


@register
class Flatten(Op):
    """Collapse all axes but the first: (N, a, b, ...) -> (N, a*b*...)."""

    name = "Flatten"
    aliases = ("flatten",)

    def forward(self, a, ctx, data):
        if data.ndim == 0:
            return data.reshape(1, 1)
        return data.reshape(data.shape[0], -1)


@register
class Transpose(Op):
    """Permute axes (``axes=()`` reverses them)."""

    name = "transpose"
    params = {"axes": Param("shape", ())}

    def forward(self, a, ctx, data):
        if a.axes and len(a.axes) != data.ndim:
            raise MXNetError(f"transpose: axes {a.axes} do not match input of shape {data.shape}")
        return jnp.transpose(data, a.axes or None)


@register
class ExpandDims(Op):
    """Insert a length-1 axis at ``axis``."""

    name = "expand_dims"
    params = {"axis": Param("int")}

    def forward(self, a, ctx, data):
        if not -data.ndim - 1 <= a.axis <= data.ndim:
            raise MXNetError(f"expand_dims: axis {a.axis} out of range for shape {data.shape}")
        return jnp.expand_dims(data, a.axis)


@register
class Concat(Op):
    """Join inputs along ``dim`` (``concat``); inputs are ``arg0, arg1, ...``."""

    name = "Concat"
    aliases = ("concat",)
    variadic = "num_args"
    params = {"dim": Param("int", 1)}

    def _template(self, a, shapes):
        """The shape all inputs share off the concat axis (that axis 0 = unknown)."""
        t = None
        for s in shapes:
            if s is None:
                continue
            if not -len(s) <= a.dim < len(s):
                raise MXNetError(f"Concat: dim {a.dim} is out of range for input shape {s}")
            ax = a.dim % len(s)
            masked = tuple(0 if i == ax else d for i, d in enumerate(s))
            u = masked if t is None else _unify(t, masked)
            if u is None:
                raise MXNetError(f"Incompatible input shape: expected {t}, got {s} (inputs "
                                 f"must agree on every dim but dim {a.dim})")
            t = u
        return t

    def infer_shape(self, a, in_shapes):
        t = self._template(a, in_shapes)
        if t is None:
            return in_shapes
        ax = a.dim % len(t)
        return [t if s is None else tuple(s[i] if i == ax else t[i] for i in range(len(t)))
                for s in in_shapes]

    def partial_output_shapes(self, a, in_shapes):
        t = self._template(a, in_shapes)
        if t is None:
            return None
        ax = a.dim % len(t)
        dims = [s[ax] if s is not None else 0 for s in in_shapes]
        total = sum(dims) if all(d > 0 for d in dims) else 0
        return [t[:ax] + (total,) + t[ax + 1:]]

    def backward_infer_shape(self, a, in_shapes, out_shapes):
        out = out_shapes[0]
        if out is None:
            return in_shapes
        t = self._template(a, [*in_shapes, out])
        ax = a.dim % len(t)
        res = [t if s is None else tuple(s[i] if i == ax else t[i] for i in range(len(t)))
               for s in in_shapes]
        unknown = [i for i, s in enumerate(res) if s[ax] == 0]
        if len(unknown) == 1 and out[ax] > 0:
            rest = out[ax] - sum(s[ax] for s in res)
            if rest > 0:
                i = unknown[0]
                res[i] = res[i][:ax] + (rest,) + res[i][ax + 1:]
        return res

    def infer_type(self, a, in_types):
        return uniform_types(in_types)

    def forward(self, a, ctx, *args):
        try:
            return jnp.concatenate(args, axis=a.dim)
        except (ValueError, TypeError) as err:
            raise MXNetError(
                f"Concat: cannot join shapes {[x.shape for x in args]} along dim {a.dim}"
            ) from err


@register
class Stack(Op):
    """Stack inputs along a new ``axis``."""

    name = "stack"
    variadic = "num_args"
    params = {"axis": Param("int", 0)}

    def infer_type(self, a, in_types):
        return uniform_types(in_types)

    def forward(self, a, ctx, *args):
        return jnp.stack(args, axis=a.axis)


@register
class AddN(Op):
    """Sum of all inputs (``add_n``, ``ElementWiseSum``)."""

    name = "add_n"
    aliases = ("ElementWiseSum", "_internal_add_n")
    variadic = "num_args"

    def infer_shape(self, a, in_shapes):
        u = None
        for s in in_shapes:
            u = _unify(u, s) if s is not None else u
        return [s if s is not None else u for s in in_shapes]

    def infer_type(self, a, in_types):
        return uniform_types(in_types)

    def forward(self, a, ctx, *args):
        out = args[0]
        for x in args[1:]:
            out = out + x
        return out


@register
class SliceChannel(Op):
    """Split ``data`` into ``num_outputs`` equal parts along ``axis`` (``split``)."""

    name = "SliceChannel"
    aliases = ("split",)
    params = {
        "num_outputs": Param("int"),
        "axis": Param("int", 1),
        "squeeze_axis": Param("bool", False),
    }

    def outputs(self, a):
        return [f"output{i}" for i in range(a.num_outputs)]

    def forward(self, a, ctx, data):
        ax = a.axis % data.ndim
        if data.shape[ax] % a.num_outputs:
            raise MXNetError(
                f"SliceChannel: axis {a.axis} of shape {data.shape} is not divisible by "
                f"num_outputs={a.num_outputs}"
            )
        parts = jnp.split(data, a.num_outputs, axis=ax)
        if a.squeeze_axis:
            if data.shape[ax] != a.num_outputs:
                raise MXNetError("SliceChannel: squeeze_axis needs num_outputs == shape[axis]")
            parts = [jnp.squeeze(p, axis=ax) for p in parts]
        return tuple(parts)


@register
class SwapAxis(Op):
    """Swap two axes (``swapaxes``)."""

    name = "SwapAxis"
    aliases = ("swapaxes",)
    params = {"dim1": Param("int", 0), "dim2": Param("int", 0)}

    def forward(self, a, ctx, data):
        return jnp.swapaxes(data, a.dim1, a.dim2)


# ------------------------------------------------------------ dot products
@register
class Dot(Op):
    """``dot``: contract lhs's last axis with rhs's first (after optional transposes).

    Two 1-D operands give shape (1,), as MXNet's legacy shapes have no 0-d arrays."""

    name = "dot"
    params = {
        "transpose_a": Param("bool", False),
        "transpose_b": Param("bool", False),
        "forward_stype": Param("str", None, optional=True),
    }

    def inputs(self, a):
        return ["lhs", "rhs"]

    def infer_type(self, a, in_types):
        return uniform_types(in_types)

    def forward(self, a, ctx, lhs, rhs):
        la = 0 if a.transpose_a else lhs.ndim - 1
        ra = rhs.ndim - 1 if a.transpose_b else 0
        if lhs.shape[la] != rhs.shape[ra]:
            raise MXNetError(
                f"dot: shapes {lhs.shape} and {rhs.shape} are not aligned "
                f"(transpose_a={a.transpose_a}, transpose_b={a.transpose_b})"
            )
        out = jnp.tensordot(lhs, rhs, axes=([la], [ra]))
        return out.reshape(1) if out.ndim == 0 else out


@register
class BatchDot(Op):
    """``batch_dot``: (B..., M, K) x (B..., K, N) -> (B..., M, N), with optional transposes;
    both operands need the same rank N >= 3, as in MXNet."""

    name = "batch_dot"
    params = {
        "transpose_a": Param("bool", False),
        "transpose_b": Param("bool", False),
        "forward_stype": Param("str", None, optional=True),
    }

    def inputs(self, a):
        return ["lhs", "rhs"]

    def infer_type(self, a, in_types):
        return uniform_types(in_types)

    def forward(self, a, ctx, lhs, rhs):
        if lhs.ndim < 3 or lhs.ndim != rhs.ndim:
            raise MXNetError(f"batch_dot currently only supports N-D*N-D arrays (N >= 3), got "
                             f"shapes {lhs.shape} and {rhs.shape}")
        if a.transpose_a:
            lhs = jnp.swapaxes(lhs, -1, -2)
        if a.transpose_b:
            rhs = jnp.swapaxes(rhs, -1, -2)
        if lhs.shape[:-2] != rhs.shape[:-2] or lhs.shape[-1] != rhs.shape[-2]:
            raise MXNetError(f"batch_dot: shapes {lhs.shape} and {rhs.shape} are not aligned")
        return jnp.matmul(lhs, rhs)


# ------------------------------------------------------------- indexing
@register
class OneHot(Op):
    """``one_hot(indices, depth)``: on_value at the index, off_value elsewhere."""

    name = "one_hot"
    params = {
        "depth": Param("int"),
        "on_value": Param("float", 1.0),
        "off_value": Param("float", 0.0),
        "dtype": Param("dtype", "float32"),
    }

    def inputs(self, a):
        return ["indices"]

    def infer_type(self, a, in_types):
        return in_types

    def forward(self, a, ctx, indices):
        dt = dtype_np(a.dtype)
        idx = indices.astype(jnp.int32)
        hit = idx[..., None] == jnp.arange(a.depth, dtype=jnp.int32)
        return lax.stop_gradient(jnp.where(hit, jnp.asarray(a.on_value, dt),
                                           jnp.asarray(a.off_value, dt)))


@register
class Where(Op):
    """``where(condition, x, y)``: x where condition is non-zero, else y."""

    name = "where"

    def inputs(self, a):
        return ["condition", "x", "y"]

    @staticmethod
    def _same(cond, x, y):
        """x, y (and a full-rank condition) share one shape, as MXNet's WhereOpShape."""
        u = _unify(x, y) if x is not None and y is not None else (x or y)
        if x is not None and y is not None and u is None:
            raise MXNetError(f"where: x and y must have the same shape, got {x} and {y}")
        if cond is not None and u is not None and len(cond) == len(u) and len(u) > 1:
            u = _unify(u, cond) or u
            cond = _unify(cond, u) or cond
        return [cond, u or x, u or y]

    def infer_shape(self, a, in_shapes):
        return self._same(*in_shapes)

    def backward_infer_shape(self, a, in_shapes, out_shapes):
        cond, x, y = in_shapes
        o = out_shapes[0]
        return self._same(cond, _unify(x, o) or x, _unify(y, o) or y)

    def partial_output_shapes(self, a, in_shapes):
        u = self._same(*in_shapes)[1]
        return None if u is None else [u]

    def infer_type(self, a, in_types):
        known = in_types[1] or in_types[2]
        return [in_types[0] or known, in_types[1] or known, in_types[2] or known]

    def output_types(self, a, in_types):
        return [in_types[1] or in_types[2]]

    def forward(self, a, ctx, condition, x, y):
        if condition.shape != x.shape:
            if condition.ndim != 1 or condition.shape[0] != x.shape[0]:
                raise MXNetError(
                    f"where: condition shape {condition.shape} must equal x's {x.shape} or be "
                    "1-D of its first dimension"
                )
            condition = condition.reshape((-1,) + (1,) * (x.ndim - 1))
        return jnp.where(condition != 0, x, y)


# ------------------------------------------------------------- constants
class NoInputOp(Op):
    """An op that makes its output from attributes alone (``_arange``, ``_eye``, ...): no
    inputs, and its dtype comes from its ``dtype`` attribute."""

    def inputs(self, a):
        return []

    def infer_type(self, a, in_types):
        return in_types


class Constant(NoInputOp):
    """``_zeros``/``_ones``/``_full``: a constant of ``shape``; 0 dims are inferred."""

    params = {
        "shape": Param("shape", ()),
        "ctx": Param("str", ""),
        "dtype": Param("dtype", "float32"),
    }
    value: float = 0.0

    def _value(self, a):
        return self.value

    def partial_output_shapes(self, a, in_shapes):
        return [tuple(a.shape)]

    def forward(self, a, ctx):
        shape = tuple(a.shape)
        if any(d == 0 for d in shape):
            shape = ctx.out_shape
            if shape is None or any(d == 0 for d in shape):
                raise MXNetError(
                    f"{self.name}: shape {a.shape} still has unknown (0) dims; they must be "
                    "inferred from the rest of the graph"
                )
        return jnp.full(shape, self._value(a), dtype=dtype_np(a.dtype))


register(type("_zeros", (Constant,), {"name": "_zeros", "aliases": ("zeros",), "value": 0.0,
                                      "__doc__": "A constant zero array."}))
register(type("_ones", (Constant,), {"name": "_ones", "aliases": ("ones",), "value": 1.0,
                                     "__doc__": "A constant one array."}))


@register
class Full(Constant):
    """``_full``: a constant array filled with ``value``."""

    name = "_full"
    aliases = ("full",)
    params = {**Constant.params, "value": Param("float")}

    def _value(self, a):
        return a.value


@register
class Arange(NoInputOp):
    """``_arange``: evenly spaced values (start, stop, step, repeat)."""

    name = "_arange"
    aliases = ("arange",)
    params = {
        "start": Param("float"),
        "stop": Param("float", None, optional=True),
        "step": Param("float", 1.0),
        "repeat": Param("int", 1),
        "infer_range": Param("bool", False),
        "ctx": Param("str", ""),
        "dtype": Param("dtype", "float32"),
    }

    def forward(self, a, ctx):
        start, stop = (0.0, a.start) if a.stop is None else (a.start, a.stop)
        n = int(math.ceil((stop - start) / a.step))
        vals = start + a.step * np.arange(max(n, 0), dtype=np.float64)
        if a.repeat > 1:
            vals = np.repeat(vals, a.repeat)
        return jnp.asarray(vals.astype(dtype_np(a.dtype)))


def unify_shapes(a: tuple | None, b: tuple | None) -> tuple | None:
    """Public form of the partial-shape merge used by shape inference."""
    return _unify(a, b)
