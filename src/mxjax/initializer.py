"""``mx.init`` / ``mx.initializer``: weight initializers with MXNet 1.9.1's behaviour.

An initializer is called as ``init(InitDesc(name, attrs), arr)`` and writes into
``arr`` in place (``arr[:] = value``: the array keeps its dtype and device).
Which rule fills the array follows MXNet:

1. ``attrs['__init__']`` (a JSON string from ``Initializer.dumps()``, set by
   ``mx.sym.var(init=...)`` or by an operator for its auxiliary states) wins:
   ``create(json)._init_weight(desc, arr)``, whatever the name.
2. Otherwise the name's suffix: ``weight`` -> ``_init_weight`` (the
   initializer's own rule), ``bias`` -> 0, ``gamma`` -> 1, ``beta`` -> 0,
   ``min`` -> 0, ``max`` -> 1; anything else is MXNet's ``ValueError``.
3. A plain ``str`` name (not an ``InitDesc``) takes MXNet's deprecated legacy
   path, which also knows ``moving_mean``/``moving_var`` and ``upsampling*``.

Random numbers come from ``mx.random`` (one global JAX key), so
``mx.random.seed(s)`` makes initialisation reproducible. ``dumps()`` gives
MXNet's JSON (``'["uniform", {"scale": 0.1}]'``) and ``create`` reads it back.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import random as _random
from .base import MXNetError
from .ndarray.ndarray import NDArray, zeros

__all__ = [
    "InitDesc", "Initializer", "register", "alias", "create", "Load", "Mixed", "Zero", "One",
    "Constant", "Uniform", "Normal", "Orthogonal", "Xavier", "MSRAPrelu", "Bilinear",
    "LSTMBias", "FusedRNN",
]


class _InitAssertError(MXNetError, AssertionError):
    """Where MXNet fails an ``assert``: an MXNetError that is also an AssertionError."""


class InitDesc(str):
    """The name of a parameter plus its attributes (MXNet's ``mx.init.InitDesc``).

    A ``str`` subclass (so it still works where a name is expected) carrying
    ``attrs`` (the variable's ``attr_dict`` entry) and ``global_init`` (the
    initializer to fall back to, e.g. for ``FusedRNN``'s unpacked weights).
    """

    attrs: dict[str, str]
    global_init: Initializer | None

    def __new__(cls, name: str, attrs: dict[str, str] | None = None,
                global_init: Initializer | None = None) -> InitDesc:
        ret = super().__new__(cls, name)
        ret.attrs = attrs or {}
        ret.global_init = global_init
        return ret


def _norm_stat(arr: NDArray) -> str:
    """MXNet's default verbose statistic: ``norm(x) / sqrt(size)`` as a scalar string."""
    a = arr.asnumpy()
    dt = a.dtype if np.issubdtype(a.dtype, np.floating) else np.dtype(np.float32)
    a = a.astype(dt, copy=False).ravel()
    return str(dt.type(np.linalg.norm(a) / np.sqrt(max(a.size, 1))))


class Initializer:
    """The base class of an initializer (``mx.init.Initializer``).

    Subclasses implement ``_init_weight(name, arr)``; ``_init_bias``,
    ``_init_gamma``, ... may be overridden too. Keyword arguments given to
    ``__init__`` are what ``dumps()`` records.
    """

    def __init__(self, **kwargs: Any):
        self._kwargs = kwargs
        self._verbose = False
        self._print_func: Callable[[NDArray], str] | None = None

    # ------------------------------------------------------------- verbosity
    def set_verbosity(self, verbose: bool = False,
                      print_func: Callable[[NDArray], str] | None = None) -> Initializer:
        """Log ``Initialized <name> as <pattern>: <print_func(arr)>`` after each array."""
        self._verbose = verbose
        self._print_func = print_func if print_func is not None else _norm_stat
        return self

    def _verbose_print(self, desc: str, init: str, arr: NDArray) -> None:
        if self._verbose and self._print_func:
            logging.info("Initialized %s as %s: %s", desc, init, self._print_func(arr))

    # --------------------------------------------------------- serialisation
    def dumps(self) -> str:
        """``json.dumps([lower-cased class name, init kwargs])``, as MXNet writes it."""
        return json.dumps([self.__class__.__name__.lower(), self._kwargs])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Initializer):
            return NotImplemented
        return type(self) is type(other) and self._kwargs == other._kwargs

    __hash__ = None  # type: ignore[assignment]  (MXNet initializers are unhashable)

    # ------------------------------------------------------------- dispatch
    def __call__(self, desc: str, arr: NDArray) -> None:
        """Initialise ``arr`` in place by the rules in the module docstring."""
        if not isinstance(desc, InitDesc):
            self._legacy_init(desc, arr)
            return
        _check_arr(desc, arr)
        if desc.global_init is None:
            desc.global_init = self
        init = desc.attrs.get("__init__", "")
        if init:
            create(init)._init_weight(desc, arr)
            self._verbose_print(desc, init, arr)
            return
        for suffix, fill in (("weight", self._init_weight), ("bias", self._init_bias),
                             ("gamma", self._init_gamma), ("beta", self._init_beta),
                             ("min", self._init_zero), ("max", self._init_one),
                             ("weight_quantize", self._init_quantized_weight),
                             ("bias_quantize", self._init_quantized_bias)):
            if desc.endswith(suffix):
                fill(desc, arr)
                self._verbose_print(desc, suffix, arr)
                return
        self._init_default(desc, arr)

    def _legacy_init(self, name: str, arr: NDArray) -> None:
        """MXNet's deprecated ``init(str, NDArray)`` path (more name patterns)."""
        warnings.warn(
            "Calling initializer with init(str, NDArray) has been deprecated. "
            "please use init(mx.init.InitDesc(...), NDArray) instead.",
            DeprecationWarning, stacklevel=3)
        if not isinstance(name, str):
            raise TypeError("name must be string")
        if not isinstance(arr, NDArray):
            raise TypeError("arr must be NDArray")
        if name.startswith("upsampling"):
            self._init_bilinear(name, arr)
        elif name.startswith("stn_loc") and name.endswith("weight"):
            self._init_zero(name, arr)
        elif name.startswith("stn_loc") and name.endswith("bias"):
            self._init_loc_bias(name, arr)
        elif name.endswith("bias"):
            self._init_bias(name, arr)
        elif name.endswith("gamma"):
            self._init_gamma(name, arr)
        elif name.endswith("beta"):
            self._init_beta(name, arr)
        elif name.endswith("weight"):
            self._init_weight(name, arr)
        elif name.endswith(("moving_mean", "moving_inv_var", "moving_avg", "min")):
            self._init_zero(name, arr)
        elif name.endswith(("moving_var", "max")):
            self._init_one(name, arr)
        else:
            self._init_default(name, arr)

    # ------------------------------------------------------------ the fills
    def _init_bilinear(self, name: str, arr: NDArray) -> None:
        arr[:] = _bilinear_kernel(name, arr.shape)

    def _init_loc_bias(self, name: str, arr: NDArray) -> None:
        if arr.shape[0] != 6:
            raise _InitAssertError(f"{name}: a spatial-transformer loc bias has 6 entries, "
                                   f"got shape {arr.shape}")
        arr[:] = np.array([1.0, 0, 0, 0, 1.0, 0])

    def _init_zero(self, _: str, arr: NDArray) -> None:
        arr[:] = 0.0

    def _init_one(self, _: str, arr: NDArray) -> None:
        arr[:] = 1.0

    def _init_bias(self, _: str, arr: NDArray) -> None:
        arr[:] = 0.0

    def _init_quantized_bias(self, _: str, arr: NDArray) -> None:
        arr[:] = 0

    def _init_gamma(self, _: str, arr: NDArray) -> None:
        arr[:] = 1.0

    def _init_beta(self, _: str, arr: NDArray) -> None:
        arr[:] = 0.0

    def _init_weight(self, name: str, arr: NDArray) -> None:
        """The initializer's own rule for weights; subclasses override it."""
        raise NotImplementedError("Must override it")

    def _init_quantized_weight(self, _: str, arr: NDArray) -> None:
        # MXNet draws one int in [-127, 127) and fills the whole int8 array with it
        v = _random.randint(-127, 127, shape=(1,), dtype="int32").asnumpy()
        arr[:] = np.int8(v[0])

    def _init_default(self, name: str, _: NDArray) -> None:
        raise ValueError(
            f"Unknown initialization pattern for {name}. Default initialization is now "
            'limited to "weight", "bias", "gamma" (1.0), and "beta" (0.0).Please use '
            "mx.sym.Variable(init=mx.init.*) to set initialization pattern")


def _check_arr(name: str, arr: Any) -> None:
    if not isinstance(arr, NDArray):
        raise TypeError(f"initializer for {name!s}: arr must be an NDArray, got "
                        f"{type(arr).__name__}")


def _bilinear_kernel(name: str, shape: tuple[int, ...]) -> np.ndarray:
    """MXNet's upsampling kernel: f = ceil(w/2), c = (2f-1-f%2)/(2f),
    w(x, y) = (1-|x/f-c|)(1-|y/f-c|) for every (out, in) channel pair."""
    if len(shape) != 4:
        raise ValueError(f"Bilinear initializer needs a 4-D weight (num_filter, channels, "
                         f"height, width); {name} has shape {shape}")
    h, w = shape[2], shape[3]
    f = np.ceil(w / 2.0)
    c = (2 * f - 1 - f % 2) / (2.0 * f)
    x = np.arange(w, dtype=np.float64)
    y = np.arange(h, dtype=np.float64)
    k = np.outer(1 - np.abs(y / f - c), 1 - np.abs(x / f - c)).astype(np.float32)
    return np.broadcast_to(k, shape)


# ------------------------------------------------------------------ registry
_REGISTRY: dict[str, type[Initializer]] = {}


def register(klass: type[Initializer], name: str | None = None) -> type[Initializer]:
    """Register an Initializer subclass under its lower-cased class name (or ``name``).

    As in MXNet, re-registering a name warns (UserWarning) and replaces it.
    """
    if not (isinstance(klass, type) and issubclass(klass, Initializer)):
        raise _InitAssertError("Can only register subclass of Initializer")
    key = (name or klass.__name__).lower()
    old = _REGISTRY.get(key)
    if old is not None and old is not klass:
        warnings.warn(f"New initializer {klass.__module__}.{klass.__name__} registered with "
                      f"name {key} is overriding existing initializer "
                      f"{old.__module__}.{old.__name__}", UserWarning, stacklevel=2)
    _REGISTRY[key] = klass
    return klass


def alias(*aliases: str) -> Callable[[type[Initializer]], type[Initializer]]:
    """Decorator registering a class under extra names (``@alias('zeros')``)."""
    def reg(klass: type[Initializer]) -> type[Initializer]:
        for a in aliases:
            register(klass, a)
        return klass
    return reg


def create(*args: Any, **kwargs: Any) -> Initializer:
    """An initializer from a name (``'xavier'``), MXNet's JSON (``'["uniform", {...}]'``
    or ``'{"initializer": ...}'``), a dict, or an instance (returned as is)."""
    if args:
        name, args = args[0], args[1:]
    elif "initializer" in kwargs:
        name = kwargs.pop("initializer")
    else:
        raise TypeError("create() needs an initializer name, JSON string or instance")
    if isinstance(name, Initializer):
        if args or kwargs:
            raise _InitAssertError(
                "initializer is already an instance. Additional arguments are invalid")
        return name
    if isinstance(name, dict):
        return create(**name)
    if not isinstance(name, str):
        raise _InitAssertError(f"initializer must be of string type, got {type(name).__name__}")
    if name.startswith("[") or name.startswith("{"):
        if args or kwargs:
            raise _InitAssertError("a JSON initializer takes no extra arguments")
        try:
            spec = json.loads(name)
        except json.JSONDecodeError as err:
            raise MXNetError(f"initializer: cannot parse JSON {name!r}: {err}") from None
        if isinstance(spec, dict):
            return create(**spec)
        if not (isinstance(spec, list) and len(spec) == 2 and isinstance(spec[1], dict)):
            raise MXNetError(f"initializer JSON must be [name, kwargs], got {name!r}")
        return create(spec[0], **spec[1])
    key = name.lower()
    if key not in _REGISTRY:
        raise _InitAssertError(
            f"{key} is not registered. Please register with initializer.register first")
    return _REGISTRY[key](*args, **kwargs)


# ------------------------------------------------------------ Load and Mixed
class Load:
    """Initialise from a ``.params`` file or a dict of arrays (``mx.init.Load``).

    ``arg:``/``aux:`` prefixes are dropped from the loaded names; names not found
    go to ``default_init`` (an error without one); shapes must match exactly.
    """

    def __init__(self, param: str | dict[str, Any], default_init: Any = None,
                 verbose: bool = False):
        if isinstance(param, str):
            from . import ndarray as nd

            loader = getattr(nd, "load", None)
            if loader is None:
                raise MXNetError("mx.init.Load(filename) needs mx.nd.load, which this "
                                 "build of mxjax lacks; pass a dict of arrays instead")
            fname, param = param, loader(param)
            if not isinstance(param, dict):
                raise _InitAssertError(f"mx.init.Load: {fname} holds an unnamed list of "
                                       "arrays; it needs a dict of name -> NDArray")
        if not isinstance(param, dict):
            raise _InitAssertError("mx.init.Load: param must be a file name or a dict of "
                                   f"name -> NDArray, got {type(param).__name__}")
        self.param = {(k[4:] if k.startswith(("arg:", "aux:")) else k): v
                      for k, v in param.items()}
        self.default_init = default_init
        self.verbose = verbose

    def __call__(self, name: str, arr: NDArray) -> None:
        if name in self.param:
            src = self.param[name]
            if tuple(arr.shape) != tuple(src.shape):
                raise _InitAssertError(
                    f"Parameter {name} cannot be initialized from loading. Shape mismatch, "
                    f"target {tuple(arr.shape)} vs loaded {tuple(src.shape)}")
            arr[:] = src
            if self.verbose:
                logging.info("Initialized %s by loading", name)
        else:
            if self.default_init is None:
                raise _InitAssertError(f"Cannot Initialize {name}. Not found in loaded param "
                                       "and no default Initializer is provided.")
            self.default_init(name, arr)
            if self.verbose:
                logging.info("Initialized %s by default", name)


class Mixed:
    """Pick an initializer by regular expression on the name (``mx.init.Mixed``).

    The first pattern that ``re.match``-es the name wins; none -> ValueError.
    """

    def __init__(self, patterns: Sequence[str], initializers: Sequence[Any]):
        if len(patterns) != len(initializers):
            raise _InitAssertError(f"Mixed: {len(patterns)} patterns but "
                                   f"{len(initializers)} initializers")
        self.map = list(zip([re.compile(p) for p in patterns], initializers, strict=True))

    def __call__(self, name: str, arr: NDArray) -> None:
        for prog, init in self.map:
            if prog.match(name):
                init(name, arr)
                return
        raise ValueError(f"Parameter name {name} did not match any pattern. Consider "
                         'add a ".*" pattern at the and with default Initializer.')


# ------------------------------------------------------------ initializers
@register
@alias("zeros")
class Zero(Initializer):
    """Weights 0 (``zero``, ``zeros``)."""

    def __init__(self):
        super().__init__()

    def _init_weight(self, _: str, arr: NDArray) -> None:
        arr[:] = 0


@register
@alias("ones")
class One(Initializer):
    """Weights 1 (``one``, ``ones``)."""

    def __init__(self):
        super().__init__()

    def _init_weight(self, _: str, arr: NDArray) -> None:
        arr[:] = 1


@register
class Constant(Initializer):
    """Weights = ``value``: a scalar, or an array broadcastable to the weight's shape."""

    def __init__(self, value: Any):
        super().__init__(value=value)
        self.value = value

    def _init_weight(self, _: str, arr: NDArray) -> None:
        value = self.value
        arr[:] = value if isinstance(value, NDArray) or np.isscalar(value) else np.asarray(value)

    def dumps(self) -> str:
        """As MXNet: a non-scalar value is written as a nested list."""
        val = self._kwargs["value"]
        if not np.isscalar(val):
            if isinstance(val, NDArray):
                val = val.asnumpy().tolist()
            elif isinstance(val, np.ndarray):
                val = val.tolist()
        return json.dumps([self.__class__.__name__.lower(), {**self._kwargs, "value": val}])


@register
class Uniform(Initializer):
    """Weights ~ U(-scale, scale)."""

    def __init__(self, scale: float = 0.07):
        super().__init__(scale=scale)
        self.scale = scale

    def _init_weight(self, _: str, arr: NDArray) -> None:
        _random.uniform(-self.scale, self.scale, arr.shape, out=arr)


@register
class Normal(Initializer):
    """Weights ~ N(0, sigma²)."""

    def __init__(self, sigma: float = 0.01):
        super().__init__(sigma=sigma)
        self.sigma = sigma

    def _init_weight(self, _: str, arr: NDArray) -> None:
        _random.normal(0, self.sigma, arr.shape, out=arr)


@register
class Orthogonal(Initializer):
    """Weights = scale · an orthonormal factor of a random (out, prod(rest)) matrix
    (Saxe et al. 2013): the SVD's ``u`` when it has that shape, else ``v``."""

    def __init__(self, scale: float = 1.414, rand_type: str = "uniform"):
        super().__init__(scale=scale, rand_type=rand_type)
        self.scale = scale
        self.rand_type = rand_type

    def _init_weight(self, name: str, arr: NDArray) -> None:
        if arr.ndim < 1:
            raise ValueError(f"Orthogonal initializer cannot be applied to scalar {name}")
        nout = arr.shape[0]
        nin = int(np.prod(arr.shape[1:]))
        if self.rand_type == "uniform":
            tmp = _random.uniform(-1.0, 1.0, shape=(nout, nin)).asnumpy()
        elif self.rand_type == "normal":
            tmp = _random.normal(0.0, 1.0, shape=(nout, nin)).asnumpy()
        else:
            raise ValueError(f"Orthogonal: unknown rand_type {self.rand_type!r} "
                             "(use 'uniform' or 'normal')")
        u, _, v = np.linalg.svd(tmp, full_matrices=False)
        res = u if u.shape == tmp.shape else v
        arr[:] = self.scale * res.reshape(arr.shape)


@register
class Xavier(Initializer):
    """Glorot/Xavier: fan_in = shape[1]·prod(shape[2:]), fan_out = shape[0]·prod(shape[2:]);
    factor = (fan_in+fan_out)/2 ('avg'), fan_in ('in') or fan_out ('out');
    scale = sqrt(magnitude/factor); U(-scale, scale) ('uniform') or N(0, scale²)
    ('gaussian'). Needs a weight of at least 2 dimensions."""

    def __init__(self, rnd_type: str = "uniform", factor_type: str = "avg",
                 magnitude: float = 3):
        super().__init__(rnd_type=rnd_type, factor_type=factor_type, magnitude=magnitude)
        self.rnd_type = rnd_type
        self.factor_type = factor_type
        self.magnitude = float(magnitude)

    def _init_weight(self, name: str, arr: NDArray) -> None:
        shape = arr.shape
        if len(shape) < 2:
            raise ValueError(f"Xavier initializer cannot be applied to vector {name}. It "
                             "requires at least 2D.")
        hw_scale = float(np.prod(shape[2:])) if len(shape) > 2 else 1.0
        fan_in, fan_out = shape[1] * hw_scale, shape[0] * hw_scale
        if self.factor_type == "avg":
            factor = (fan_in + fan_out) / 2.0
        elif self.factor_type == "in":
            factor = fan_in
        elif self.factor_type == "out":
            factor = fan_out
        else:
            raise ValueError("Incorrect factor type")
        scale = float(np.sqrt(self.magnitude / factor))
        if self.rnd_type == "uniform":
            _random.uniform(-scale, scale, arr.shape, out=arr)
        elif self.rnd_type == "gaussian":
            _random.normal(0, scale, arr.shape, out=arr)
        else:
            raise ValueError("Unknown random type")


@register
class MSRAPrelu(Xavier):
    """He et al. 2015: Xavier 'gaussian' with magnitude = 2 / (1 + slope²)."""

    def __init__(self, factor_type: str = "avg", slope: float = 0.25):
        super().__init__("gaussian", factor_type, 2.0 / (1 + slope ** 2))
        self._kwargs = {"factor_type": factor_type, "slope": slope}


@register
class Bilinear(Initializer):
    """Bilinear upsampling kernels for a 4-D (Deconvolution) weight."""

    def __init__(self):
        super().__init__()

    def _init_weight(self, name: str, arr: NDArray) -> None:
        arr[:] = _bilinear_kernel(name, arr.shape)


@register
class LSTMBias(Initializer):
    """An LSTM cell's bias: 0 except the forget gate (rows [H, 2H) of 4H) = forget_bias."""

    def __init__(self, forget_bias: float = 1.0):
        super().__init__(forget_bias=forget_bias)
        self.forget_bias = forget_bias

    def _init_weight(self, name: str, arr: NDArray) -> None:
        if arr.ndim < 1:
            raise ValueError(f"LSTMBias cannot be applied to scalar {name}")
        vals = np.zeros(arr.shape, dtype=np.float64)
        num_hidden = int(arr.shape[0] / 4)
        vals[num_hidden:2 * num_hidden] = self.forget_bias
        arr[:] = vals


_GATES = {"rnn_relu": [""], "rnn_tanh": [""], "lstm": ["_i", "_f", "_c", "_o"],
          "gru": ["_r", "_z", "_o"]}


def fused_rnn_layout(size: int, num_hidden: int, num_layers: int, mode: str,
                     bidirectional: bool) -> list[tuple[str, int, tuple[int, ...]]]:
    """``(name, offset, shape)`` of every piece of a fused (cuDNN-layout) RNN parameter
    vector, as MXNet's FusedRNNCell unpacks it: all weights (per layer, direction:
    i2h then h2h per gate), then all biases in the same order."""
    if mode not in _GATES:
        raise MXNetError(f"FusedRNN: unknown mode {mode!r} (use {sorted(_GATES)})")
    gates = _GATES[mode]
    dirs = ["l", "r"] if bidirectional else ["l"]
    b, m, h = len(dirs), len(gates), num_hidden
    li = size // b // h // m - (num_layers - 1) * (h + b * h + 2) - h - 2
    out: list[tuple[str, int, tuple[int, ...]]] = []
    p = 0
    for layer in range(num_layers):
        for d in dirs:
            cols = b * h if layer > 0 else li
            for g in gates:
                out.append((f"{d}{layer}_i2h{g}_weight", p, (h, cols)))
                p += h * cols
            for g in gates:
                out.append((f"{d}{layer}_h2h{g}_weight", p, (h, h)))
                p += h * h
    for layer in range(num_layers):
        for d in dirs:
            for kind in ("i2h", "h2h"):
                for g in gates:
                    out.append((f"{d}{layer}_{kind}{g}_bias", p, (h,)))
                    p += h
    if p != size or li <= 0:
        raise MXNetError(f"Invalid parameters size for FusedRNNCell: {size} elements do not "
                         f"fit num_hidden={num_hidden}, num_layers={num_layers}, mode={mode}, "
                         f"bidirectional={bidirectional}")
    return out


@register
class FusedRNN(Initializer):
    """Initialise a fused RNN parameter vector piece by piece (``mx.init.FusedRNN``).

    Each unpacked weight/bias is initialised by ``init`` (or the global
    initializer when ``init`` is None); LSTM forget-gate biases get forget_bias.
    """

    def __init__(self, init: Initializer | str | None, num_hidden: int, num_layers: int,
                 mode: str, bidirectional: bool = False, forget_bias: float = 1.0):
        if isinstance(init, str):
            init = create(init)
        super().__init__(init=init.dumps() if init is not None else None,
                         num_hidden=num_hidden, num_layers=num_layers, mode=mode,
                         bidirectional=bidirectional, forget_bias=forget_bias)
        self._init = init
        self._num_hidden = num_hidden
        self._num_layers = num_layers
        self._mode = mode
        self._bidirectional = bidirectional
        self._forget_bias = forget_bias

    def _init_weight(self, desc: str, arr: NDArray) -> None:
        global_init = getattr(desc, "global_init", None)
        if self._init is None and (global_init is None or global_init is self):
            raise MXNetError(f"FusedRNN(init=None) for {desc}: the pieces fall back to the "
                             "global initializer, and there is none; pass init=...")
        layout = fused_rnn_layout(arr.size, self._num_hidden, self._num_layers, self._mode,
                                  self._bidirectional)
        flat = np.zeros((arr.size,), dtype=np.dtype(arr.dtype))
        for name, off, shape in layout:
            piece = zeros(shape, ctx=arr.context, dtype=np.dtype(arr.dtype))
            sub = InitDesc(name, global_init=global_init)
            if self._mode == "lstm" and name.endswith("_f_bias"):
                piece[:] = self._forget_bias
            elif self._init is None:
                global_init(sub, piece)  # type: ignore[misc]
            else:
                self._init(sub, piece)
            flat[off:off + int(np.prod(shape))] = piece.asnumpy().ravel()
        arr[:] = flat.reshape(arr.shape)

