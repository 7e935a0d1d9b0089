"""``Symbol``: MXNet's declarative graph API (``mx.sym``).

Reproduces MXNet 1.9.1's user-visible behaviour: automatic names
(``fullyconnected0``), auto-created parameter variables (``fc1_weight``) that
copy their op's attributes, hidden ``__x__`` attributes, ``list_*`` in nnvm's
DFS order, ``infer_shape``/``infer_type`` (with MXNet's warnings and errors),
JSON in MXNet's exact layout, arithmetic saved under MXNet's op names, and
``bind``/``simple_bind``.

Deliberate differences (MXNet crashes or misbehaves there): positional
``infer_shape``/``infer_type`` work (MXNet 1.9.1 fails with a C++ string
error), negative output indices count from the end, positional composition
replaces the arguments in ``list_arguments`` order.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from .. import attribute
from ..base import DTYPE_TO_FLAG, MXNetError, dtype_np, numeric_types
from . import json_io
from .graph import HIDDEN_KEYS, Entry, Node, aux_nodes, copy_graph, set_attr_key, topo_order
from .infer import infer_shapes, infer_types
from .op_call import create_op_symbol

__all__ = ["Symbol", "var", "Variable", "Group", "load", "load_json", "create_op_symbol",
           "NotImplementedForSymbol"]

_STYPES = {"default": 0, "row_sparse": 1, "csr": 2}


class NotImplementedForSymbol(MXNetError):
    """An operation MXNet symbols do not support (``bool(sym)``, ``sym += 1``)."""

    def __init__(self, function: str, alias: str | None, *args: Any):
        msg = f"Function {function}"
        if alias:
            msg += f' (namely operator "{alias}")'
        if args:
            msg += " with arguments (" + ", ".join(str(type(a)) for a in args) + ")"
        super().__init__(msg + " is not implemented for Symbol and only available in NDArray.")


def _type_error(other: Any) -> TypeError:
    return TypeError(f"type {type(other)} not supported")


class Symbol:
    """A symbolic graph with one or more outputs."""

    __slots__ = ("_heads", "__weakref__")
    # numpy must defer to Symbol's reflected operators (``np.float32(2) * sym``)
    __array_priority__ = 1000.0

    def __init__(self, heads: list[Entry]):
        self._heads: list[Entry] = list(heads)

    # ---------------------------------------------------------------- naming
    def _single_node(self) -> Node | None:
        """The head node if every output comes from one node (nnvm's rule), else None."""
        node = self._heads[0][0] if self._heads else None
        for n, _ in self._heads:
            if n is not node:
                return None
        return node

    @property
    def name(self) -> str | None:
        """The node name if all outputs come from one node, else None (a group)."""
        node = self._single_node()
        return node.name if node is not None else None

    def __repr__(self) -> str:
        name = self.name
        if name is None:
            names = ", ".join(str(n.name) for n, _ in self._heads)
            return f"<Symbol group [{names}]>"
        return f"<Symbol {name}>"

    def __len__(self) -> int:
        return len(self._heads)

    def __iter__(self) -> Iterator[Symbol]:
        return (self[i] for i in range(len(self._heads)))

    def __bool__(self) -> bool:
        raise NotImplementedForSymbol("__bool__", "bool")

    def __copy__(self) -> Symbol:
        return Symbol(copy_graph(self._heads))

    def __deepcopy__(self, memo: Any) -> Symbol:
        return Symbol(copy_graph(self._heads))

    def copy(self) -> Symbol:
        """A deep copy of the graph (MXNet's ``MXSymbolCopy``)."""
        return self.__copy__()

    def __getstate__(self) -> dict:
        return {"handle": self.tojson()}

    def __setstate__(self, state: dict) -> None:
        text = state.get("handle", state.get("json"))
        self._heads = json_io.graph_from_json(text)

    # ------------------------------------------------------------- structure
    def _order(self) -> list[Node]:
        return topo_order(self._heads)

    def list_arguments(self) -> list[str]:
        """Variables that are not auxiliary states, in DFS order (duplicates kept)."""
        order = self._order()
        aux = aux_nodes(order)
        return [n.name for n in order if n.op is None and id(n) not in aux]

    def list_auxiliary_states(self) -> list[str]:
        """Variables feeding an op's mutable inputs (BatchNorm's moving stats), in DFS order."""
        order = self._order()
        aux = aux_nodes(order)
        return [n.name for n in order if n.op is None and id(n) in aux]

    def list_inputs(self) -> list[str]:
        """All variables (arguments and auxiliary states), in DFS order."""
        return [n.name for n in self._order() if n.op is None]

    def list_outputs(self) -> list[str]:
        """``<name>_output`` per op output (``_output0``... for several); variables by name."""
        out = []
        for node, idx in self._heads:
            names = node.output_names()
            out.append(names[idx] if idx < len(names) else f"{node.name}_output{idx}")
        return out

    def get_internals(self) -> Symbol:
        """A group of every node's visible outputs (``fc1_output``, ``fc1_weight``, ...)."""
        heads: list[Entry] = []
        for node in self._order():
            heads.extend((node, i) for i in range(node.num_visible()))
        return Symbol(heads)

    def get_children(self) -> Symbol | None:
        """The inputs of this symbol's head node(s) as a group, or None for a variable."""
        heads: list[Entry] = []
        for node, _ in self._heads:
            heads.extend(node.inputs)
        return Symbol(heads) if heads else None

    def __getitem__(self, index: int | str | slice) -> Symbol:
        count = len(self._heads)
        if isinstance(index, slice):
            return Group([self[i] for i in range(*index.indices(count))])
        if isinstance(index, str):
            idx = None
            for i, name in enumerate(self.list_outputs()):
                if name == index:
                    if idx is not None:
                        raise ValueError(f'There are multiple outputs with name "{index}"')
                    idx = i
            if idx is None:
                raise ValueError(f'Cannot find output that matches name "{index}"')
            index = idx
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError("Symbol only support integer index to fetch i-th output")
        if not -count <= index < count:
            raise IndexError(f"output index {index} is out of range for {count} outputs")
        return Symbol([self._heads[int(index)]])

    # ------------------------------------------------------------ attributes
    def attr(self, key: str) -> str | None:
        """An attribute of the (single) head node; ``lr_mult`` finds ``__lr_mult__``."""
        node = self._single_node()
        if node is None:
            return None
        if key == "name":
            return node.name
        if key == "op_name":
            return node.op.name if node.op is not None else "null"
        if key in node.attrs:
            return node.attrs[key]
        if key in HIDDEN_KEYS:
            return node.attrs.get(f"__{key}__")
        return None

    def list_attr(self, recursive: bool = False) -> dict[str, str]:
        """The first head node's attributes; hidden keys also under their plain names."""
        if recursive:
            raise DeprecationWarning("Symbol.list_attr with recursive=True has been deprecated. "
                                     "Please use attr_dict instead.")
        return _with_hidden_aliases(self._heads[0][0].attrs) if self._heads else {}

    def attr_dict(self) -> dict[str, dict[str, str]]:
        """{node name: attributes} for every node with attributes; hidden keys twice."""
        out: dict[str, dict[str, str]] = {}
        for node in self._order():
            if node.attrs:
                out.setdefault(node.name, {}).update(_with_hidden_aliases(node.attrs))
        return out

    def _set_attr(self, **kwargs: str) -> None:
        """Set string attributes on the head node (``lr_mult`` is stored as ``__lr_mult__``).

        As in MXNet, an operator node re-validates its attributes, so a key that
        is neither ``__x__`` nor one of the op's attributes is an ``MXNetError``.
        """
        for value in kwargs.values():
            if not isinstance(value, str):
                raise ValueError("Set Attr only accepts string values")
        node = self._single_node()
        if node is None:
            raise MXNetError("Symbol.SetAttrs only works for non-grouped symbol")
        for k, v in kwargs.items():
            if k == "name":
                node.name = v
                continue
            key = set_attr_key(k, v)
            old = node.attrs.get(key)
            node.set_attr(key, v)
            if node.op is not None:
                try:
                    node.parsed()
                except MXNetError:
                    if old is None:
                        del node.attrs[key]
                    else:
                        node.attrs[key] = old
                    node._parsed = None
                    raise

    # ---------------------------------------------------------- composition
    def __call__(self, *args: Symbol, **kwargs: Any) -> Symbol:
        """A copy with free variables replaced (``net(data=other)``)."""
        s = self.__copy__()
        s._compose(*args, **kwargs)
        return s

    def _compose(self, *args: Symbol, **kwargs: Any) -> None:
        """Replace free variables in place, by position (list_arguments order) or by name."""
        name = kwargs.pop("name", None)
        if args and kwargs:
            raise TypeError("compose only accept input Symbols either as positional or "
                            "keyword arguments, not both")
        for s in (*args, *kwargs.values()):
            if not isinstance(s, Symbol):
                raise TypeError("Compose expect `Symbol` as arguments")
        order = self._order()
        aux = aux_nodes(order)
        repl: dict[int, Entry] = {}
        if args:
            arg_nodes = [n for n in order if n.op is None and id(n) not in aux]
            if len(args) > len(arg_nodes):
                raise MXNetError(f"compose: {len(args)} inputs given but the symbol has "
                                 f"{len(arg_nodes)} arguments {[n.name for n in arg_nodes]}")
            for n, s in zip(arg_nodes, args, strict=False):
                repl[id(n)] = _single_entry(s, n.name)
        else:
            by_name: dict[str, list[Node]] = {}
            for n in order:
                if n.op is None:
                    by_name.setdefault(n.name, []).append(n)
            for k, s in kwargs.items():
                if k not in by_name:
                    raise MXNetError(f"Symbol.ComposeKeyword argument name {k} not found. "
                                     f"Candidate arguments: {list(by_name)}")
                for n in by_name[k]:
                    repl[id(n)] = _single_entry(s, k)
        for node in order:
            node.inputs = [repl.get(id(src), (src, idx)) if src.op is None else (src, idx)
                           for src, idx in node.inputs]
        self._heads = [repl.get(id(n), (n, i)) if n.op is None else (n, i)
                       for n, i in self._heads]
        if name:
            node = self._single_node()
            if node is not None and node.op is not None:
                node.name = name

    # ----------------------------------------------------------- arithmetic
    def _binary(self, other: Any, sym_op: str, scalar_op: str) -> Symbol:
        if isinstance(other, Symbol):
            return create_op_symbol(sym_op, [self, other], {})
        if isinstance(other, numeric_types):
            return create_op_symbol(scalar_op, [self], {"scalar": other})
        raise _type_error(other)

    def _rscalar(self, other: Any, scalar_op: str) -> Symbol:
        if isinstance(other, numeric_types):
            return create_op_symbol(scalar_op, [self], {"scalar": other})
        raise _type_error(other)

    def __add__(self, o):
        return self._binary(o, "_Plus", "_PlusScalar")

    __radd__ = __add__

    def __sub__(self, o):
        return self._binary(o, "_Minus", "_MinusScalar")

    def __rsub__(self, o):
        return self._rscalar(o, "_RMinusScalar")

    def __mul__(self, o):
        return self._binary(o, "_Mul", "_MulScalar")

    __rmul__ = __mul__

    def __truediv__(self, o):
        return self._binary(o, "_Div", "_DivScalar")

    def __rtruediv__(self, o):
        return self._rscalar(o, "_RDivScalar")

    __div__ = __truediv__
    __rdiv__ = __rtruediv__

    def __mod__(self, o):
        return self._binary(o, "_Mod", "_ModScalar")

    def __rmod__(self, o):
        return self._rscalar(o, "_RModScalar")

    def __pow__(self, o):
        return self._binary(o, "_Power", "_PowerScalar")

    def __rpow__(self, o):
        # MXNet calls _internal._rpower_scalar here, so the auto name is _rpower_scalar0
        return self._rscalar(o, "_rpower_scalar")

    def __neg__(self):
        return self.__mul__(-1.0)

    def __abs__(self):
        return create_op_symbol("abs", [self], {})

    def __eq__(self, o):  # type: ignore[override]
        return self._binary(o, "_equal", "_equal_scalar")

    def __ne__(self, o):  # type: ignore[override]
        return self._binary(o, "_not_equal", "_not_equal_scalar")

    def __gt__(self, o):
        return self._binary(o, "_greater", "_greater_scalar")

    def __ge__(self, o):
        return self._binary(o, "_greater_equal", "_greater_equal_scalar")

    def __lt__(self, o):
        return self._binary(o, "_lesser", "_lesser_scalar")

    def __le__(self, o):
        return self._binary(o, "_lesser_equal", "_lesser_equal_scalar")

    __hash__ = object.__hash__

    def __iadd__(self, o):
        raise NotImplementedForSymbol("__iadd__", "+=", o)

    def __isub__(self, o):
        raise NotImplementedForSymbol("__isub__", "-=", o)

    def __imul__(self, o):
        raise NotImplementedForSymbol("__imul__", "*=", o)

    def __itruediv__(self, o):
        raise NotImplementedForSymbol("__itruediv__", "/=", o)

    __idiv__ = __itruediv__

    def __imod__(self, o):
        raise NotImplementedForSymbol("__imod__", "%=", o)

    def __ipow__(self, o):
        raise NotImplementedForSymbol("__ipow__", "**=", o)

    # ------------------------------------------------------------ inference
    def _known_shapes(self, args: Sequence, kwargs: dict) -> dict[str, tuple]:
        if args and kwargs:
            raise ValueError("Can only specify known argument shapes either by positional or "
                             "kwargs way.")
        known: dict[str, tuple] = {}
        if args:
            names = self.list_arguments()
            if len(args) > len(names):
                raise MXNetError(f"infer_shape: {len(args)} shapes given but the symbol has "
                                 f"{len(names)} arguments {names}")
            for i, (n, s) in enumerate(zip(names, args, strict=False)):
                if s is None:
                    continue
                if not isinstance(s, tuple):
                    raise TypeError("Arguments need to be shapes (tuple), but argument "
                                    f"{i} is {type(s)}.")
                known[n] = tuple(int(d) for d in s)
            return known
        inputs = None
        for n, s in kwargs.items():
            if s is None:
                continue
            if not isinstance(s, tuple):
                raise TypeError(f"Arguments need to be shapes (tuple), but '{n}' is {type(s)}.")
            if inputs is None:
                inputs = self.list_inputs()
            if n not in inputs:
                raise MXNetError(f"InferShapeKeyword argument name {n} not found. "
                                 f"Candidate arguments: {inputs}")
            known[n] = tuple(int(d) for d in s)
        return known

    def _infer_shape_impl(self, partial: bool, *args: Any, **kwargs: Any):
        known = self._known_shapes(args, kwargs)
        shapes = infer_shapes(self._heads, known, dtypes={})
        order = self._order()
        aux = aux_nodes(order)
        arg_shapes = [shapes.get((id(n), 0)) for n in order if n.op is None and id(n) not in aux]
        aux_shapes = [shapes.get((id(n), 0)) for n in order if n.op is None and id(n) in aux]
        out_shapes = [shapes.get((id(n), i)) for n, i in self._heads]
        if partial or all(_shape_known(s) for s in arg_shapes + aux_shapes + out_shapes):
            def fix(lst):
                return [tuple(s) if s is not None else () for s in lst]

            return fix(arg_shapes), fix(out_shapes), fix(aux_shapes)
        unknowns: list[str] = []
        for name, s in zip(self.list_arguments(), arg_shapes, strict=True):
            if not _shape_known(s):
                if len(unknowns) >= 10:
                    unknowns.append("...")
                    break
                unknowns.append(f"{name}: {tuple(s) if s is not None else ()}")
        warnings.warn("Cannot decide shape for the following arguments (0s in shape means "
                      "unknown dimensions). Consider providing them as input:\n\t"
                      + "\n\t".join(unknowns), stacklevel=3)
        return None, None, None

    def infer_shape(self, *args: Any, **kwargs: Any):
        """``(arg_shapes, out_shapes, aux_shapes)``; ``(None, None, None)`` + warning if incomplete.

        Shapes are given by position (``None`` = unknown) or by name; a 0
        dimension is unknown and may be inferred. Inconsistent shapes raise
        ``MXNetError`` naming the operator and its input shapes.
        """
        return self._infer_shape_impl(False, *args, **kwargs)

    def infer_shape_partial(self, *args: Any, **kwargs: Any):
        """Like ``infer_shape`` but unknown shapes are ``()`` instead of failing."""
        return self._infer_shape_impl(True, *args, **kwargs)

    def _infer_type_impl(self, partial: bool, *args: Any, **kwargs: Any):
        if args and kwargs:
            raise ValueError("Can only specify known argument types either by positional or "
                             "kwargs way.")
        known: dict[str, Any] = {}
        if args:
            names = self.list_arguments()
            if len(args) > len(names):
                raise MXNetError(f"infer_type: {len(args)} types given but the symbol has "
                                 f"{len(names)} arguments {names}")
            for n, t in zip(names, args, strict=False):
                if t is not None:
                    known[n] = _type_arg(t)
        else:
            inputs = self.list_inputs()
            for n, t in kwargs.items():
                if t is None:
                    continue
                if n not in inputs:
                    raise MXNetError(f"InferTypeKeyword argument name {n} not found. "
                                     f"Candidate arguments: {inputs}")
                known[n] = _type_arg(t)
        types = infer_types(self._heads, known)
        order = self._order()
        aux = aux_nodes(order)
        arg_t = [types.get((id(n), 0)) for n in order if n.op is None and id(n) not in aux]
        aux_t = [types.get((id(n), 0)) for n in order if n.op is None and id(n) in aux]
        out_t = [types.get((id(n), i)) for n, i in self._heads]
        if partial:
            def fix(lst):
                return [t.type if t is not None else None for t in lst]

            return fix(arg_t), fix(out_t), fix(aux_t)
        if any(t is None for t in arg_t + aux_t + out_t):
            unknowns: list[str] = []
            for name, t in zip(self.list_arguments(), arg_t, strict=True):
                if t is None:
                    if len(unknowns) >= 10:
                        unknowns.append("...")
                        break
                    unknowns.append(f"{name}: None")
            warnings.warn("Cannot decide type for the following arguments. Consider providing "
                          "them as input:\n\t" + "\n\t".join(unknowns), stacklevel=3)
            return None, None, None
        return [t.type for t in arg_t], [t.type for t in out_t], [t.type for t in aux_t]

    def infer_type(self, *args: Any, **kwargs: Any):
        """``(arg_types, out_types, aux_types)`` as numpy types; Nones + warning if incomplete.

        Operands an op requires to share a dtype (``x + y``, FullyConnected's
        data/weight/bias) must agree: a conflict is an ``MXNetError``.
        """
        return self._infer_type_impl(False, *args, **kwargs)

    def infer_type_partial(self, *args: Any, **kwargs: Any):
        """Like ``infer_type`` but unknown types are ``None`` instead of failing."""
        return self._infer_type_impl(True, *args, **kwargs)

    # --------------------------------------------------------- serialisation
    def tojson(self, remove_amp_cast: bool = True) -> str:
        """The graph as MXNet 1.9.1 JSON (byte-identical layout)."""
        return json_io.graph_to_json(self._heads)

    def save(self, fname: str, remove_amp_cast: bool = True) -> None:
        """Write ``tojson()`` to ``fname`` atomically (temporary file + rename)."""
        if not isinstance(fname, str):
            raise TypeError("fname need to be string")
        write_text_atomic(fname, self.tojson())

    def debug_str(self) -> str:
        """A readable listing of the graph (one line per node, inputs named)."""
        lines = []
        for node in self._order():
            if node.op is None:
                lines.append(f"Variable:{node.name}")
                continue
            lines.append("-" * 40)
            lines.append(f"Op:{node.op.name}, Name={node.name}")
            lines.append("Inputs:")
            for i, (src, idx) in enumerate(node.inputs):
                lines.append(f"\targ[{i}]={src.name}({idx})")
            if node.attrs:
                lines.append("Attrs:")
                for k in sorted(node.attrs):
                    lines.append(f"\t{k}={node.attrs[k]}")
        return "\n".join(lines)

    # ------------------------------------------------------------------ bind
    def simple_bind(self, ctx: Any, grad_req: Any = "write", type_dict: dict | None = None,
                    stype_dict: dict | None = None, group2ctx: Any = None,
                    shared_arg_names: Any = None, shared_exec: Any = None,
                    shared_buffer: Any = None, **kwargs: Any):
        """Allocate zero-filled arrays from inferred shapes and bind (``Executor``)."""
        from ..executor import Executor

        return Executor.simple_bind(self, ctx, grad_req, type_dict, **kwargs)

    def bind(self, ctx: Any, args: Any, args_grad: Any = None, grad_req: Any = "write",
             aux_states: Any = None, group2ctx: Any = None, shared_exec: Any = None):
        """Bind given argument arrays (list or dict) into an ``Executor``."""
        from ..executor import Executor

        return Executor(self, ctx, args, args_grad, grad_req, aux_states)

    def eval(self, ctx: Any = None, **kwargs: Any):
        """Bind ``kwargs`` and run a forward pass; returns the list of outputs."""
        from ..context import current_context

        ex = self.bind(ctx or current_context(), kwargs, grad_req="null")
        return ex.forward()

    def get_backend_symbol(self, backend: str) -> Symbol:
        """No backend rewrites in mxjax: the symbol itself."""
        return self

    # ------------------------------------------------- fluent (MXNet methods)
    def reshape(self, *args: Any, **kwargs: Any) -> Symbol:
        """``mx.sym.reshape(self, shape=...)``; ``sym.reshape((2, 3))`` works too."""
        if args and "shape" not in kwargs:
            kwargs["shape"] = args[0] if len(args) == 1 else args
            args = ()
        return create_op_symbol("Reshape", [self, *args], kwargs, hint="reshape")

    def astype(self, *args: Any, **kwargs: Any) -> Symbol:
        """``mx.sym.cast(self, dtype)``."""
        return create_op_symbol("Cast", [self, *args], kwargs, hint="cast")

    def flatten(self, inplace: bool = False, **kwargs: Any) -> Symbol:
        return create_op_symbol("Flatten", [self], kwargs, hint="flatten")

    def expand_dims(self, axis: int, inplace: bool = False, **kwargs: Any) -> Symbol:
        return create_op_symbol("expand_dims", [self], {"axis": axis, **kwargs})

    def squeeze(self, axis: Any = None, inplace: bool = False, **kwargs: Any) -> Symbol:
        return create_op_symbol("squeeze", [self], {"axis": axis, **kwargs})

    def diag(self, k: int = 0, **kwargs: Any) -> Symbol:
        return create_op_symbol("diag", [self], {"k": k, **kwargs})


#: MXNet's Symbol/NDArray methods that call the op of the same name on ``self``
FLUENT_OPS = (
    "reshape_like", "zeros_like", "ones_like", "broadcast_axes", "repeat", "pad", "swapaxes",
    "split", "slice", "slice_axis", "slice_like", "take", "one_hot", "pick", "sort", "topk",
    "argsort",
    "argmax", "argmax_channel", "argmin", "clip", "abs", "sign", "shape_array", "size_array",
    "broadcast_to", "broadcast_like", "tile", "transpose", "flip", "depth_to_space",
    "space_to_depth", "sum", "nansum", "prod", "nanprod", "mean", "max", "min", "norm", "round",
    "rint", "fix", "floor", "ceil", "trunc", "sin", "cos", "tan", "arcsin", "arccos", "arctan",
    "degrees", "radians", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "exp",
    "expm1", "log", "log10", "log2", "log1p", "sqrt", "rsqrt", "cbrt", "rcbrt", "square",
    "reciprocal", "relu", "sigmoid", "softmax", "log_softmax", "softmin",
)


def _fluent(op_name: str):
    def method(self: Symbol, *args: Any, **kwargs: Any) -> Symbol:
        return create_op_symbol(op_name, [self, *args], kwargs)

    method.__name__ = op_name
    method.__doc__ = f"``mx.sym.{op_name}(self, ...)``."
    return method


def install_fluent_methods(registered: Any) -> None:
    """Give Symbol MXNet's fluent methods for every op in ``registered`` (a name set)."""
    for name in FLUENT_OPS:
        if name in registered and name not in Symbol.__dict__:
            setattr(Symbol, name, _fluent(name))


def _shape_known(s: tuple | None) -> bool:
    return s is not None and len(s) > 0 and all(d > 0 for d in s)


def _type_arg(t: Any) -> np.dtype:
    try:
        return dtype_np(t)
    except MXNetError as err:
        raise TypeError(f"Argument need to be one of the numpy dtypes MXNet supports, got "
                        f"{t!r}") from err


def _with_hidden_aliases(attrs: dict[str, str]) -> dict[str, str]:
    """Attributes plus the plain form of MXNet's hidden keys (``__lr_mult__`` -> ``lr_mult``)."""
    d: dict[str, str] = {}
    for k, v in attrs.items():
        d[k] = v
        if k.startswith("__") and k.endswith("__") and k[2:-2] in HIDDEN_KEYS:
            d[k[2:-2]] = v
    return d


def _single_entry(s: Any, what: str) -> Entry:
    if not isinstance(s, Symbol):
        raise TypeError("Compose expect `Symbol` as arguments")
    if len(s._heads) != 1:
        raise MXNetError(f"Keyword Argument {what} is a tuple ({len(s._heads)} outputs), "
                         "single value is required")
    return s._heads[0]


def write_text_atomic(fname: str, text: str) -> None:
    """Write UTF-8 text via a temporary file in the same directory, renamed into place."""
    from .._fileio import write_atomic

    write_atomic(fname, text.encode("utf-8"))


# ------------------------------------------------------------------ creation
def var(name: str, attr: dict | None = None, shape: Any = None, lr_mult: Any = None,
        wd_mult: Any = None, dtype: Any = None, init: Any = None, stype: str | None = None,
        **kwargs: Any) -> Symbol:
    """A variable (``mx.sym.var``), with MXNet's hidden attributes.

    ``shape`` -> ``__shape__`` (``str(shape)``), ``lr_mult``/``wd_mult`` ->
    ``__lr_mult__``/``__wd_mult__``, ``dtype`` -> ``__dtype__`` (MXNet's type
    code), ``init`` -> ``__init__`` (``init.dumps()`` or the string),
    ``stype`` -> ``__storage_type__``; other keywords must be ``__x__``
    (``ValueError``). AttrScope attributes apply (NameManager/Prefix do not);
    plain hidden keys in ``attr`` (``lr_mult``) are stored as ``__lr_mult__``.
    """
    if not isinstance(name, str):
        raise TypeError("Expect a string for variable `name`")
    a = attribute.current().get(attr)
    if shape is not None:
        a["__shape__"] = str(shape)
    if lr_mult is not None:
        a["__lr_mult__"] = str(lr_mult)
    if wd_mult is not None:
        a["__wd_mult__"] = str(wd_mult)
    if dtype is not None:
        a["__dtype__"] = str(DTYPE_TO_FLAG[dtype_np(dtype)])
    if init is not None:
        a["__init__"] = init if isinstance(init, str) else init.dumps()
    if stype is not None:
        if stype not in _STYPES:  # MXNet looks it up in a dict: KeyError
            raise KeyError(f"unknown storage type {stype!r}; MXNet knows {sorted(_STYPES)}")
        a["__storage_type__"] = str(_STYPES[stype])
    for k, v in kwargs.items():
        if k.startswith("__") and k.endswith("__"):
            a[k] = str(v)
        else:
            raise ValueError(
                f"Attribute name={k} is not supported. Additional attributes must start and end "
                "with double underscores, e.g, __yourattr__"
            )
    sym = Symbol([(Node(None, name, {}), 0)])
    sym._set_attr(**a)
    return sym


Variable = var


def Group(symbols: Sequence[Symbol]) -> Symbol:  # noqa: N802  (MXNet's name)
    """One symbol whose outputs are all outputs of ``symbols``, in order."""
    if not symbols or any(not isinstance(s, Symbol) for s in symbols):
        raise TypeError("Expected a list of symbols as input")
    heads: list[Entry] = []
    for s in symbols:
        heads.extend(s._heads)
    return Symbol(heads)


def load_json(json_str: str) -> Symbol:
    """Symbol from MXNet JSON text (``mx.sym.load_json``); malformed text is an MXNetError."""
    if not isinstance(json_str, str):
        raise TypeError("fname required to be string")
    return Symbol(json_io.graph_from_json(json_str))


def load(fname: str) -> Symbol:
    """Symbol from a ``-symbol.json`` file (``mx.sym.load``)."""
    if not isinstance(fname, str):
        raise TypeError("fname need to be string")
    try:
        with open(fname, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError as err:
        raise MXNetError(f"symbol file {fname!r} does not exist") from err
    except IsADirectoryError as err:
        raise MXNetError(f"symbol file {fname!r} is a directory") from err
    except UnicodeDecodeError as err:
        raise MXNetError(f"invalid symbol JSON in {fname}: not UTF-8 text") from err
    return Symbol(json_io.graph_from_json(text, where=fname))
