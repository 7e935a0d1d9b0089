"""MXNet's sampling operators, usable in graphs and as ``mx.nd.<op>``.

* ``_random_<dist>`` (``uniform``/``random_uniform`` ...): scalar parameters as
  attributes, ``shape``/``ctx``/``dtype`` (float16/32/64, default float32;
  ``_random_randint``: int32/int64, default int32); no inputs;
* ``_random_<dist>_like``: same attributes, shape and dtype of the input;
* ``_sample_<dist>`` (``sample_uniform`` ...): parameters as input arrays of one
  shape ``P``; the output has shape ``P + shape`` (one block of samples per
  parameter element), dtype ``dtype`` (default float32);
* ``_sample_multinomial``: draws class indices from the last axis of ``data``;
  output ``data.shape[:-1] + shape`` (``(1,)`` for 1-D data without shape), and
  with ``get_prob`` a second output, the log-probability of each draw (its
  gradient flows to ``data``);
* ``_shuffle`` (``shuffle``): permutes the first axis (no gradient: MXNet's error);
* ``_random_pdf_<dist>`` (``random_pdf_normal`` ..., ``dirichlet`` too): densities of
  ``sample`` (``is_log``), differentiable as in MXNet.

The samplers have zero gradients, as MXNet registers them. Every sampler uses
``ctx.key`` (``needs_rng``), so mxjax's seeded key stream makes them
reproducible; scalar parameters are checked as MXNet checks them.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from ..base import MXNetError, dtype_np
from ..random import DIST_PARAMS, check_params
from .registry import Op, Param, register, uniform_types

__all__ = ["draw", "gamma_from_uniforms", "poisson_from_uniforms"]

_FLOAT_DTYPES = ("float16", "float32", "float64")
_DEFAULTS = {"low": 0.0, "high": 1.0, "loc": 0.0, "scale": 1.0, "alpha": 1.0, "beta": 1.0,
             "lam": 1.0, "k": 1, "p": 1.0, "mu": 1.0}
#: input names of the ``_sample_<dist>`` ops (MXNet's)
_SAMPLE_INPUTS = {
    "uniform": ["low", "high"],
    "normal": ["mu", "sigma"],
    "gamma": ["alpha", "beta"],
    "exponential": ["lam"],
    "poisson": ["lam"],
    "negative_binomial": ["k", "p"],
    "generalized_negative_binomial": ["mu", "alpha"],
}


def _key(ctx) -> jax.Array:
    """The op's key; mxjax runs these ops with a key from the seeded stream, and only
    shape evaluation (``jax.eval_shape`` of a graph, which draws nothing) passes none."""
    return ctx.key if ctx.key is not None else jax.random.PRNGKey(0)


def _work_dtype(dtype: np.dtype) -> np.dtype:
    return np.dtype(np.float64) if dtype == np.float64 else np.dtype(np.float32)


#: uniforms per element used by ``gamma_from_uniforms`` / ``poisson_from_uniforms``
_PROPOSALS = 8
GAMMA_ROWS = 3 * _PROPOSALS + 1
POISSON_ROWS = 2 * _PROPOSALS + 1


def _uniforms(key: jax.Array, rows: int, shape: tuple[int, ...], dtype: np.dtype) -> jax.Array:
    """``rows`` independent U(0, 1] arrays of ``shape`` from one generator call (each
    ``jax.random`` call inlines a Threefry, which dominates compile time)."""
    tiny = jnp.finfo(dtype).tiny
    return jax.random.uniform(key, (rows, *shape), dtype, minval=tiny, maxval=1.0)


def _first_accepted(ok: jax.Array, cand: jax.Array) -> jax.Array:
    """Per element, the first candidate (axis 0) whose ``ok`` is set (else the last)."""
    out = cand[-1]
    for i in range(cand.shape[0] - 2, -1, -1):
        out = jnp.where(ok[i], cand[i], out)
    return out


def gamma_from_uniforms(r: jax.Array, alpha: jax.Array) -> jax.Array:
    """Gamma(alpha, 1) from ``GAMMA_ROWS`` uniforms per element: Marsaglia-Tsang with
    ``_PROPOSALS`` vectorised candidates (Box-Muller normals), the first accepted kept
    (none accepted: probability below 1e-10); alpha < 1 uses Gamma(alpha+1)·U^(1/alpha).
    Loop-free, so it compiles far faster than ``jax.random.gamma``."""
    m = _PROPOSALS
    boost = alpha < 1
    d = jnp.where(boost, alpha + 1, alpha) - 1.0 / 3.0
    c = 1.0 / jnp.sqrt(9.0 * d)
    x = jnp.sqrt(-2.0 * jnp.log(r[:m])) * jnp.cos(2.0 * np.pi * r[m:2 * m])
    t = 1.0 + c * x
    v = t * t * t
    vs = jnp.where(v > 0, v, 1.0)
    ok = (v > 0) & (jnp.log(r[2 * m:3 * m]) < 0.5 * x * x + d - d * vs + d * jnp.log(vs))
    out = d * _first_accepted(ok, vs)
    inv = 1.0 / jnp.where(boost, alpha, 1.0)
    return jnp.where(boost, out * jnp.exp(jnp.log(r[3 * m]) * inv), out)


def poisson_from_uniforms(r: jax.Array, lam: jax.Array, small: float = 12.0,
                          terms: int = 48) -> jax.Array:
    """Poisson(lam) counts from ``POISSON_ROWS`` uniforms per element: lam < ``small`` by
    inversion over ``terms`` fixed steps (the tail beyond has probability < 1e-13), larger
    lam by Hörmann's transformed rejection (PTRS) with ``_PROPOSALS`` vectorised
    candidates (each accepted with probability > 0.89). Loop-free as well."""
    m = _PROPOSALS
    ls = jnp.where(lam < small, lam, 0.0)

    def body(i, carry):
        x, p, f = carry
        x = x + (r[0] > f)
        p = p * ls / i
        return x, p, f + p

    p0 = jnp.exp(-ls)
    x_small, _, _ = lax.fori_loop(1, terms + 1, body, (jnp.zeros_like(ls), p0, p0))
    ll = jnp.where(lam < small, small, lam)
    b = 0.931 + 2.53 * jnp.sqrt(ll)
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    uu = r[1:1 + m] - 0.5
    vv = r[1 + m:1 + 2 * m]
    us = 0.5 - jnp.abs(uu)
    k = jnp.floor((2 * a / us + b) * uu + ll + 0.43)
    quick = (us >= 0.07) & (vv <= vr)
    bad = (k < 0) | ((us < 0.013) & (vv > us))
    slow = (jnp.log(vv) + jnp.log(inv_alpha) - jnp.log(a / (us * us) + b)
            <= -ll + k * jnp.log(ll) - lax.lgamma(k + 1))
    x_large = _first_accepted(quick | (~bad & slow), k)
    return jnp.where(lam < small, x_small, x_large)


def draw(dist: str, key: jax.Array, params: list, shape: tuple[int, ...],
         dtype: np.dtype) -> jax.Array:
    """Samples of ``dist`` of ``shape`` (``params`` broadcast to it), cast to ``dtype``;
    MXNet's parameterisations (``gamma``: shape alpha, scale beta; ``exponential``: rate
    lam; ``negative_binomial``: failures before the k-th success of probability p, a
    Gamma-Poisson mixture; ``generalized_negative_binomial``: mean mu, variance
    mu + alpha·mu², Poisson(mu) for alpha = 0)."""
    wt = _work_dtype(dtype)
    ps = [jnp.broadcast_to(jnp.asarray(p, wt), shape) for p in params]
    if dist == "uniform":
        lo, hi = ps
        out = lo + (hi - lo) * jax.random.uniform(key, shape, wt)
    elif dist == "normal":
        loc, scale = ps
        out = loc + scale * jax.random.normal(key, shape, wt)
    elif dist == "gamma":
        alpha, beta = ps
        out = gamma_from_uniforms(_uniforms(key, GAMMA_ROWS, shape, wt), alpha) * beta
    elif dist == "exponential":
        out = -jnp.log(_uniforms(key, 1, shape, wt)[0]) / ps[0]
    elif dist == "poisson":
        out = poisson_from_uniforms(_uniforms(key, POISSON_ROWS, shape, wt), ps[0])
    elif dist in ("negative_binomial", "generalized_negative_binomial"):
        r = _uniforms(key, GAMMA_ROWS + POISSON_ROWS, shape, wt)
        if dist == "negative_binomial":
            k, p = ps
            p = jnp.clip(p, jnp.finfo(wt).tiny, 1.0)
            rate = gamma_from_uniforms(r[:GAMMA_ROWS], k) * (1.0 - p) / p
        else:
            mu, alpha = ps
            safe = jnp.where(alpha > 0, alpha, 1.0)
            g = gamma_from_uniforms(r[:GAMMA_ROWS], 1.0 / safe)
            rate = jnp.where(alpha > 0, g * safe * mu, mu)
        out = poisson_from_uniforms(r[GAMMA_ROWS:], rate)
    else:  # pragma: no cover - ops are registered for DIST_PARAMS only
        raise MXNetError(f"unknown distribution {dist!r}")
    # MXNet registers the samplers with zero gradients (no reparameterisation)
    return lax.stop_gradient(out.astype(dtype))


def _dist_params(dist: str) -> dict[str, Param]:
    return {n: Param("int" if n == "k" else "float", _DEFAULTS[n]) for n in DIST_PARAMS[dist]}


def _float_or_fail(dtype: np.dtype, where: str) -> None:
    if np.dtype(dtype).name not in _FLOAT_DTYPES:
        raise MXNetError(f"{where}: This operation only support floating point types, not "
                         f"{np.dtype(dtype).name}")


class _RandomOp(Op):
    """``_random_<dist>``: samples with scalar parameters (no inputs)."""

    dist = ""
    needs_rng = True
    default_dtype = "float32"
    #: an empty ``shape`` means "unknown", inferable from the rest of the graph (as 0 dims)
    infer_empty_shape = True

    def inputs(self, a):
        return []

    def infer_type(self, a, in_types):
        return in_types

    def output_types(self, a, in_types):
        return [dtype_np(a.dtype or self.default_dtype)]

    def partial_output_shapes(self, a, in_shapes):
        return [tuple(a.shape)] if a.shape else [None]

    def forward(self, a, ctx):
        shape = tuple(a.shape)
        if not shape or 0 in shape:
            shape = tuple(ctx.out_shape or ())
        if not shape or 0 in shape:
            raise MXNetError(f"{self.name}: shape {tuple(a.shape)} is not fully given and was "
                             "not inferred from the graph; pass shape=")
        if any(d < 0 for d in shape):
            raise MXNetError(f"{self.name}: invalid shape {shape}")
        values = {n: a[n] for n in DIST_PARAMS[self.dist]}
        check_params(self.dist, values, self.name)
        dt = dtype_np(a.dtype or self.default_dtype)
        if self.dist == "randint":
            return jax.random.randint(_key(ctx), shape, a.low, a.high, dt)
        return draw(self.dist, _key(ctx), list(values.values()), shape, dt)


class _RandomLikeOp(Op):
    """``_random_<dist>_like``: samples shaped and typed like ``data`` (float only)."""

    dist = ""
    needs_rng = True

    def output_types(self, a, in_types):
        return [in_types[0]] if in_types else [None]

    def forward(self, a, ctx, data):
        _float_or_fail(data.dtype, self.name)
        values = {n: a[n] for n in DIST_PARAMS[self.dist]}
        check_params(self.dist, values, self.name)
        return draw(self.dist, _key(ctx), list(values.values()), data.shape, data.dtype)


class _SampleOp(Op):
    """``_sample_<dist>``: one block of ``shape`` samples per element of the parameter arrays."""

    dist = ""
    needs_rng = True
    params = {
        "shape": Param("shape", ()),
        "dtype": Param("dtype", None, choices=_FLOAT_DTYPES, optional=True),
    }

    def inputs(self, a):
        return list(_SAMPLE_INPUTS[self.dist])

    def infer_type(self, a, in_types):
        return uniform_types(in_types)

    def output_types(self, a, in_types):
        return [dtype_np(a.dtype or "float32")]

    def forward(self, a, ctx, *params):
        first = params[0].shape
        names = self.inputs(a)
        for n, p in zip(names[1:], params[1:], strict=True):
            if p.shape != first:
                raise MXNetError(f"{self.name}: parameter {n!r} has shape {p.shape} but "
                                 f"{names[0]!r} has shape {first}; they must be equal")
        extra = tuple(a.shape)
        shape = tuple(first) + extra
        expanded = [p.reshape(tuple(first) + (1,) * len(extra)) for p in params]
        return draw(self.dist, _key(ctx), expanded, shape, dtype_np(a.dtype or "float32"))


def _make(base: type, name: str, dist: str, aliases: tuple, params: dict, doc: str) -> None:
    register(type(name, (base,), {"name": name, "aliases": aliases, "dist": dist,
                                  "params": params, "__doc__": doc}))


for _dist in ("uniform", "normal", "gamma", "exponential", "poisson", "negative_binomial",
              "generalized_negative_binomial"):
    _aliases: tuple = (f"random_{_dist}",)
    if _dist in ("uniform", "normal"):
        _aliases = (_dist, *_aliases)
    _make(_RandomOp, f"_random_{_dist}", _dist, _aliases,
          {**_dist_params(_dist), "shape": Param("shape", ()), "ctx": Param("str", ""),
           "dtype": Param("dtype", None, choices=_FLOAT_DTYPES, optional=True)},
          f"``_random_{_dist}``: {_dist} samples of ``shape`` with scalar parameters.")
    _make(_RandomLikeOp, f"_random_{_dist}_like", _dist, (), _dist_params(_dist),
          f"``_random_{_dist}_like``: {_dist} samples shaped like ``data``.")
    _make(_SampleOp, f"_sample_{_dist}", _dist, (f"sample_{_dist}",), _SampleOp.params,
          f"``_sample_{_dist}``: {_dist} samples per element of the parameter arrays.")


@register
class RandomRandint(_RandomOp):
    """``_random_randint``: integers uniformly from [low, high) (int32 default, or int64)."""

    name = "_random_randint"
    aliases = ("random_randint",)
    dist = "randint"
    default_dtype = "int32"
    params = {
        "low": Param("int"),
        "high": Param("int"),
        "shape": Param("shape", ()),
        "ctx": Param("str", ""),
        "dtype": Param("dtype", None, choices=("int32", "int64"), optional=True),
    }


@register
class SampleMultinomial(Op):
    """``_sample_multinomial``: class indices drawn from the probabilities on the last axis."""

    name = "_sample_multinomial"
    aliases = ("sample_multinomial",)
    needs_rng = True
    params = {
        "shape": Param("shape", ()),
        "get_prob": Param("bool", False),
        "dtype": Param("dtype", "int32",
                       choices=("float16", "float32", "float64", "int32", "uint8")),
    }

    def outputs(self, a):
        return ["output0", "output1"] if a.get_prob else ["output"]

    def infer_type(self, a, in_types):
        return in_types

    def output_types(self, a, in_types):
        out = [dtype_np(a.dtype)]
        if a.get_prob:
            out.append(in_types[0] if in_types and in_types[0] is not None
                       else np.dtype(np.float32))
        return out

    def forward(self, a, ctx, data):
        if data.ndim < 1 or data.shape[-1] < 1:
            raise MXNetError(f"{self.name}: data must have a non-empty last axis of class "
                             f"probabilities, got shape {data.shape}")
        extra = tuple(a.shape)
        batch = tuple(data.shape[:-1])
        out_shape = batch + extra or (1,)
        k = data.shape[-1]
        flat = data.reshape(-1, k)
        n = math.prod(extra) if extra else 1
        logits = jnp.log(flat.astype(_work_dtype(np.dtype(data.dtype))))
        idx = jax.random.categorical(_key(ctx), logits[:, None, :], axis=-1,
                                     shape=(flat.shape[0], n))
        samples = idx.reshape(out_shape).astype(dtype_np(a.dtype))
        if not a.get_prob:
            return samples
        prob = jnp.log(jnp.take_along_axis(flat, idx, axis=1)).reshape(out_shape)
        return samples, prob.astype(data.dtype)


@register
class Shuffle(Op):
    """``_shuffle``: a random permutation of the first axis of ``data``."""

    name = "_shuffle"
    aliases = ("shuffle",)
    needs_rng = True

    def forward(self, a, ctx, data):
        if data.ndim == 0:
            return data
        return _no_gradient(jax.random.permutation(_key(ctx), data, axis=0, independent=False))


@jax.custom_vjp
def _no_gradient(x: jax.Array) -> jax.Array:
    """Identity whose backward raises MXNet's error: ``_shuffle`` has no gradient."""
    return x


def _no_gradient_fwd(x):
    return x, None


def _no_gradient_bwd(res, g):
    raise MXNetError("Operator _shuffle is non-differentiable because it didn't register "
                     "FGradient attribute.")


_no_gradient.defvjp(_no_gradient_fwd, _no_gradient_bwd)


#: input names (after ``sample``) of the ``_random_pdf_<dist>`` ops
_PDF_INPUTS = {**_SAMPLE_INPUTS, "dirichlet": ["alpha"]}


def _log_pdf(dist: str, x: jax.Array, ps: list) -> jax.Array:
    """MXNet's ``pdf_op.h`` log-densities (no support checks, as MXNet: uniform is
    -log(high-low) everywhere; the count densities use lgamma, so they extend to
    non-integers). Note MXNet's pdf of ``gamma`` takes ``beta`` as a *rate*, unlike its
    sampler (scale): reproduced as is."""
    lg = lax.lgamma
    if dist == "uniform":
        lo, hi = ps
        return jnp.zeros_like(x) - jnp.log(hi - lo)
    if dist == "normal":
        mu, sigma = ps
        z = (x - mu) / sigma
        return -0.5 * z * z - jnp.log(sigma) - 0.5 * np.log(2 * np.pi)
    if dist == "gamma":
        a, b = ps
        return a * jnp.log(b) + (a - 1) * jnp.log(x) - b * x - lg(a)
    if dist == "exponential":
        (lam,) = ps
        return jnp.log(lam) - lam * x
    if dist == "poisson":
        (lam,) = ps
        return x * jnp.log(lam) - lg(x + 1) - lam
    if dist in ("negative_binomial", "generalized_negative_binomial"):
        if dist == "negative_binomial":
            k, p = ps
        else:
            mu, alpha = ps
            k, p = 1.0 / alpha, 1.0 / (1.0 + alpha * mu)
        return lg(x + k) - lg(x + 1) - lg(k) + k * jnp.log(p) + x * jnp.log1p(-p)
    (alpha,) = ps  # dirichlet: the last axis holds the components
    return (lg(jnp.sum(alpha, -1)) - jnp.sum(lg(alpha), -1)
            + jnp.sum((alpha - 1) * jnp.log(x), -1))


class _PdfOp(Op):
    """``_random_pdf_<dist>``: densities of ``sample`` under parameter arrays of shape ``P``
    (``sample`` has shape ``P`` or ``P + S``; the output has ``sample``'s shape, or loses
    the last axis for ``dirichlet``); ``is_log`` gives log-densities. Differentiable in
    ``sample`` and the parameters."""

    dist = ""
    params = {"is_log": Param("bool", False)}

    def inputs(self, a):
        return ["sample", *_PDF_INPUTS[self.dist]]

    def infer_type(self, a, in_types):
        return uniform_types(in_types)

    def forward(self, a, ctx, sample, *params):
        names = self.inputs(a)
        pshape = params[0].shape
        for n, p in zip(names[2:], params[1:], strict=True):
            if p.shape != pshape:
                raise MXNetError(f"{self.name}: parameter {n!r} has shape {p.shape} but "
                                 f"{names[1]!r} has shape {pshape}; they must be equal")
        lead = pshape[:-1] if self.dist == "dirichlet" else pshape
        if tuple(sample.shape[:len(lead)]) != tuple(lead) or (
                self.dist == "dirichlet" and sample.shape[-1:] != pshape[-1:]):
            raise MXNetError(f"{self.name}: sample shape {sample.shape} must start with the "
                             f"parameter shape {pshape}")
        extra = sample.ndim - len(pshape)
        if self.dist == "dirichlet":
            ps = [jnp.expand_dims(p, tuple(range(len(lead), len(lead) + extra)))
                  for p in params]
        else:
            ps = [p.reshape(tuple(pshape) + (1,) * extra) for p in params]
        if self.dist in ("poisson", "negative_binomial", "generalized_negative_binomial"):
            sample = lax.stop_gradient(sample)  # MXNet: no gradient for discrete samples
        logp = _log_pdf(self.dist, sample, ps)
        return (logp if a.is_log else jnp.exp(logp)).astype(sample.dtype)


for _dist in _PDF_INPUTS:
    _make(_PdfOp, f"_random_pdf_{_dist}", _dist, (f"random_pdf_{_dist}",), _PdfOp.params,
          f"``_random_pdf_{_dist}``: the {_dist} density of ``sample``.")
