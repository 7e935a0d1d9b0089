"""The operator registry: one declaration per MXNet op serves ``mx.sym.X`` and ``mx.nd.X``.

An op declares, as MXNet's C++ registration does:

* ``params``: its attributes with MXNet's defaults (``Param``); JSON stores only
  the attributes a user passed, as ``str(value)``, so loaders need the defaults;
* ``inputs(a)``: its input names given the parsed attributes ``a`` (the names
  auto-created variables get: ``fc1_weight``, ``softmax_label``);
* ``aux(a)``: which of those inputs are auxiliary states (MXNet's mutable inputs);
* ``outputs(a)`` / ``num_visible(a)``: output name suffixes, hidden ones last;
* ``infer_shape(a, in_shapes)``: parameter shapes from the data shape;
* ``forward(a, ctx, *inputs)``: the computation in jax.numpy / lax.

Output shapes and dtypes come from ``jax.eval_shape`` of ``forward``, so they
never drift from what the op computes.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import jax
import numpy as np

from ..base import MXNetError, dtype_np

__all__ = ["Param", "Op", "Attrs", "OpContext", "register", "get_op", "all_ops", "REQUIRED",
           "split_positional", "uniform_types"]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()

_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


def _parse_bool(v: Any) -> bool:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return bool(v)
    s = str(v).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueError(f"invalid boolean {v!r}")


def _parse_literal(v: str) -> Any:
    try:
        return ast.literal_eval(v)
    except (ValueError, SyntaxError) as err:
        raise ValueError(f"cannot parse {v!r}") from err


def _parse_shape(v: Any) -> tuple[int, ...]:
    if isinstance(v, str):
        s = v.strip()
        if s in ("", "None"):
            return ()
        v = _parse_literal(s)
    if isinstance(v, (int, np.integer)):
        return (int(v),)
    if v is None:
        return ()
    out = []
    for x in v:
        if x is None:
            out.append(-1)
        elif isinstance(x, (float, np.floating)) and float(x) == int(x):
            out.append(int(x))
        else:
            out.append(int(x))
    return tuple(out)


def _parse_float(v: Any) -> float:
    if isinstance(v, str):
        s = v.strip().lower()
        if s in ("inf", "+inf"):
            return math.inf
        if s == "-inf":
            return -math.inf
        return float(s)
    return float(v)


def _parse_int(v: Any) -> int:
    if isinstance(v, str):
        s = v.strip()
        try:
            return int(s)
        except ValueError:
            f = float(s)
            if f != int(f):
                raise
            return int(f)
    if isinstance(v, (float, np.floating)) and float(v) != int(v):
        raise ValueError(f"{v!r} is not an integer")
    return int(v)


def _parse_float_tuple(v: Any) -> tuple[float, ...]:
    if isinstance(v, str):
        s = v.strip()
        if s in ("", "None"):
            return ()
        v = _parse_literal(s)
    if isinstance(v, (int, float, np.number)):
        return (float(v),)
    return tuple(float(x) for x in v)


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "int": _parse_int,
    "float": _parse_float,
    "bool": _parse_bool,
    "shape": _parse_shape,
    "floats": _parse_float_tuple,
    "str": lambda v: str(v),
    "dtype": lambda v: dtype_np(v).name,
    "any": lambda v: v,
}


@dataclass(frozen=True)
class Param:
    """An op attribute: its kind (``int float bool shape floats str dtype any``),
    MXNet's default (``REQUIRED`` if it has none), allowed values, and whether
    ``None`` is allowed (MXNet's ``dmlc::optional``)."""

    kind: str
    default: Any = REQUIRED
    choices: tuple | None = None
    optional: bool = False

    def parse(self, value: Any, op: str, key: str) -> Any:
        if value is None or (isinstance(value, str) and value.strip() == "None"):
            if self.optional or self.default is None:
                return None
            if self.kind == "shape":
                return ()
            raise MXNetError(f"{op}: attribute {key!r} cannot be None")
        try:
            parsed = _PARSERS[self.kind](value)
        except (ValueError, TypeError, SyntaxError) as err:
            raise MXNetError(
                f"{op}: invalid value {value!r} for attribute {key!r} (expected {self.kind})"
            ) from err
        if self.choices is not None and parsed not in self.choices:
            raise MXNetError(
                f"{op}: invalid value {value!r} for attribute {key!r}; "
                f"MXNet accepts {', '.join(repr(c) for c in self.choices)}"
            )
        return parsed

    def to_string(self, value: Any) -> str:
        """The string MXNet stores for a user-passed value (``str(v)``)."""
        if self.kind == "dtype" and value is not None:
            return dtype_np(value).name
        if isinstance(value, np.dtype):
            return value.name
        if isinstance(value, type) and issubclass(value, np.generic):
            return np.dtype(value).name
        return str(value)


class Attrs(Mapping):
    """Parsed, hashable op attributes with attribute access (``a.num_hidden``)."""

    __slots__ = ("_d", "_h")

    def __init__(self, d: dict[str, Any]):
        self._d = d
        self._h: int | None = None

    def __getattr__(self, k: str) -> Any:
        try:
            return self._d[k]
        except KeyError as err:
            raise AttributeError(k) from err

    def __getitem__(self, k: str) -> Any:
        return self._d[k]

    def __iter__(self):
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def _key(self) -> tuple:
        return tuple(sorted((k, _hashable(v)) for k, v in self._d.items()))

    def __hash__(self) -> int:
        if self._h is None:
            self._h = hash(self._key())
        return self._h

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Attrs) and self._key() == other._key()

    def __repr__(self) -> str:
        return f"Attrs({self._d})"


def _hashable(v: Any) -> Any:
    if isinstance(v, list):
        return tuple(_hashable(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((k, _hashable(x)) for k, x in v.items()))
    return v


@dataclass
class OpContext:
    """What an op's forward may need beyond its inputs: train/eval mode and an RNG key."""

    is_train: bool = False
    key: jax.Array | None = None
    #: the inferred output shape, for ops whose attributes leave dims unknown (``zeros((0, H))``)
    out_shape: tuple | None = None

    def rng(self) -> jax.Array:
        if self.key is None:
            raise MXNetError("this operator needs a random key but none was provided")
        return self.key


class Op:
    """Base class of operator declarations (see the module docstring)."""

    name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    params: ClassVar[dict[str, Param]] = {}
    #: name of the attribute counting variadic inputs (Concat's ``num_args``), if any
    variadic: ClassVar[str | None] = None
    #: the head gradient is ignored (loss heads) or not needed (BlockGrad)
    is_loss: ClassVar[bool] = False
    #: forward uses ``ctx.key``
    needs_rng: ClassVar[bool] = False
    #: the function name used for automatic node names (``fullyconnected0``)
    hint: ClassVar[str | None] = None

    # ---- declaration hooks (override as needed)
    def inputs(self, a: Attrs) -> list[str]:
        if self.variadic:
            return [f"arg{i}" for i in range(int(a[self.variadic]))]
        return ["data"]

    def aux(self, a: Attrs) -> list[str]:
        return []

    def outputs(self, a: Attrs) -> list[str]:
        return ["output"]

    def num_visible(self, a: Attrs) -> int:
        return len(self.outputs(a))

    def infer_shape(self, a: Attrs, in_shapes: list[tuple | None]) -> list[tuple | None]:
        """Fill in parameter shapes from the data shape; default: nothing to fill."""
        return in_shapes

    def backward_infer_shape(
        self, a: Attrs, in_shapes: list[tuple | None], out_shapes: list[tuple | None]
    ) -> list[tuple | None]:
        """Refine partially known input shapes (0 = unknown dim) from output shapes."""
        return in_shapes

    def infer_type(self, a: Attrs, in_types: list[np.dtype | None]) -> list[np.dtype | None]:
        """The input dtypes: unknown ones take the first known dtype; known ones are kept.

        An input whose known dtype differs from the one returned here is a type
        conflict (``MXNetError``). Ops whose inputs must share one dtype, as
        MXNet's ``ElemwiseType`` ops do, return ``uniform_types(in_types)``.
        """
        known = next((t for t in in_types if t is not None), None)
        return [t if t is not None else known for t in in_types]

    def forward(self, a: Attrs, ctx: OpContext, *inputs: jax.Array) -> Any:
        raise MXNetError(f"operator {self.name} has no forward")  # pragma: no cover

    # ---- helpers used by the graph
    def parse_attrs(self, raw: Mapping[str, Any], node: str = "") -> Attrs:
        """Parse string (or Python) attributes into an ``Attrs``, checking names and values."""
        out: dict[str, Any] = {}
        where = f"{self.name}" + (f" ({node})" if node else "")
        for k, v in raw.items():
            if k.startswith("__") and k.endswith("__"):
                continue
            p = self.params.get(k)
            if p is None:
                if k == self.variadic:
                    try:
                        n = _parse_int(v)
                    except (TypeError, ValueError) as err:
                        raise MXNetError(f"{where}: invalid value {v!r} for attribute {k!r} "
                                         "(expected int)") from err
                    if n < 1:
                        raise MXNetError(f"{where}: value {n} for Parameter {k} should be "
                                         "greater equal to 1")
                    out[k] = n
                    continue
                raise MXNetError(
                    f"Cannot find argument '{k}' for operator {where}; valid arguments: "
                    f"{', '.join(sorted(self.params)) or '(none)'}"
                )
            out[k] = p.parse(v, where, k)
        for k, p in self.params.items():
            if k not in out:
                if p.default is REQUIRED:
                    raise MXNetError(f"{where}: required attribute {k!r} is missing")
                out[k] = p.default
        if self.variadic and self.variadic not in out:
            raise MXNetError(f"{where}: attribute {self.variadic!r} is missing")
        return Attrs(out)

    def attr_string(self, key: str, value: Any) -> str:
        p = self.params.get(key)
        return p.to_string(value) if p is not None else str(value)

    def num_outputs(self, a: Attrs) -> int:
        return len(self.outputs(a))

    def __repr__(self) -> str:
        return f"<Op {self.name}>"


_REGISTRY: dict[str, Op] = {}
_CANONICAL: dict[str, str] = {}


def register(cls: type[Op]) -> type[Op]:
    """Class decorator: register an op under its name and aliases."""
    inst = cls()
    if not cls.name:
        raise ValueError(f"{cls} has no name")
    for n in (cls.name, *cls.aliases):
        if n in _REGISTRY and _REGISTRY[n] is not inst:
            raise ValueError(f"operator {n} registered twice")
        _REGISTRY[n] = inst
        _CANONICAL[n] = cls.name
    return cls


def get_op(name: str) -> Op:
    """The op registered as ``name`` (raises ``MXNetError`` naming unknown ops)."""
    try:
        return _REGISTRY[name]
    except KeyError as err:
        raise MXNetError(f"Operator {name!r} is not registered in mxjax") from err


def all_ops() -> dict[str, Op]:
    """Every registered name (aliases included) -> op."""
    return dict(_REGISTRY)


def uniform_types(in_types: list) -> list:
    """MXNet's ``ElemwiseType`` rule: every input has the first known dtype."""
    known = next((t for t in in_types if t is not None), None)
    return list(in_types) if known is None else [known] * len(in_types)


def split_positional(op: Op, args: Any, is_array: Callable[[Any], bool], kind: str
                     ) -> tuple[list, dict[str, Any]]:
    """Split positional arguments like MXNet's generated signatures.

    ``op(input0=None, input1=None, ..., attr0=_Null, attr1=_Null, ...)``:
    leading arrays (or None) are inputs; the values after them are attributes
    in declaration order (``mx.nd.clip(x, 0, 1)``). Variadic ops take arrays only.
    Returns (inputs without the Nones, {attribute: value}).
    """
    inputs: list = []
    params: dict[str, Any] = {}
    names = list(op.params)
    for v in args:
        if not params and (v is None or is_array(v)):
            if v is not None:
                inputs.append(v)
            continue
        if is_array(v):
            raise TypeError(f"{op.name}: input {kind}s must come before the attributes")
        if op.variadic or not names:
            raise TypeError(f"{op.name}: positional arguments must be {kind} instances, but got "
                            f"{v!r}")
        if len(params) >= len(names):
            raise TypeError(f"{op.name}() got {len(params) + 1} positional attribute values; "
                            f"it has {len(names)}: {names}")
        params[names[len(params)]] = v
    return inputs, params


def shapes_known(shapes: Iterable[tuple | None]) -> bool:
    return all(s is not None and all(d > 0 for d in s) for s in shapes)
