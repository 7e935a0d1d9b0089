"""``Symbol``: MXNet's declarative graph API (``mx.sym``).

Reproduces MXNet 1.9.1's user-visible behaviour: automatic names
(``fullyconnected0``), auto-created parameter variables (``fc1_weight``) that
copy their op's attributes, hidden ``__x__`` attributes, ``list_*`` in nnvm's
DFS order, ``infer_shape``/``infer_type``, JSON in MXNet's exact layout,
arithmetic saved under MXNet's op names, and ``bind``/``simple_bind``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..attribute import AttrScope
from ..base import DTYPE_TO_FLAG, MXNetError, dtype_np, numeric_types
from ..name import NameManager
from ..operator.registry import get_op
from . import json_io
from .graph import HIDDEN_KEYS, Entry, Node, aux_nodes, copy_graph, topo_order
from .infer import infer_shapes, infer_types

__all__ = ["Symbol", "var", "Variable", "Group", "load", "load_json", "create_op_symbol"]

_STYPES = {"default": 0, "row_sparse": 1, "csr": 2}


class Symbol:
    """A symbolic graph with one or more outputs."""

    __slots__ = ("_heads", "__weakref__")

    def __init__(self, heads: list[Entry]):
        self._heads: list[Entry] = list(heads)

    # ---------------------------------------------------------------- naming
    @property
    def name(self) -> str | None:
        """The node name if this symbol has a single output, else None."""
        nodes = {id(n) for n, _ in self._heads}
        if len(nodes) != 1:
            return None
        return self._heads[0][0].name

    def __repr__(self) -> str:
        if len(self._heads) == 1:
            return f"<Symbol {self.name}>"
        return f"<Symbol group [{', '.join(str(n.name) for n, _ in self._heads)}]>"

    def __len__(self) -> int:
        return len(self.list_outputs())

    def __iter__(self) -> Iterator[Symbol]:
        return (self[i] for i in range(len(self._heads)))

    def __bool__(self) -> bool:
        raise NotImplementedForSymbol("__bool__")

    def __copy__(self) -> Symbol:
        return Symbol(copy_graph(self._heads))

    def __deepcopy__(self, memo: Any) -> Symbol:
        return Symbol(copy_graph(self._heads))

    def copy(self) -> Symbol:
        return self.__copy__()

    def __getstate__(self) -> dict:
        return {"json": self.tojson()}

    def __setstate__(self, state: dict) -> None:
        self._heads = json_io.graph_from_json(state["json"])

    # ------------------------------------------------------------- structure
    def _order(self) -> list[Node]:
        return topo_order(self._heads)

    def list_arguments(self) -> list[str]:
        """Variables that are not auxiliary states, in DFS order."""
        order = self._order()
        aux = aux_nodes(order)
        return [n.name for n in order if n.op is None and id(n) not in aux]

    def list_auxiliary_states(self) -> list[str]:
        order = self._order()
        aux = aux_nodes(order)
        return [n.name for n in order if n.op is None and id(n) in aux]

    def list_inputs(self) -> list[str]:
        return [n.name for n in self._order() if n.op is None]

    def list_outputs(self) -> list[str]:
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
        """The inputs of this symbol's head node(s), or None for a variable."""
        heads: list[Entry] = []
        for node, _ in self._heads:
            heads.extend(node.inputs)
        return Symbol(heads) if heads else None

    def __getitem__(self, index: int | str) -> Symbol:
        if isinstance(index, str):
            names = self.list_outputs()
            hits = [i for i, n in enumerate(names) if n == index]
            if len(hits) != 1:
                raise ValueError(
                    f"There are {len(hits)} outputs named {index!r} (outputs: {names}); "
                    "index by name needs exactly one"
                )
            index = hits[0]
        if not isinstance(index, (int, np.integer)):
            raise TypeError("Symbol only supports integer and string indexing")
        if not -len(self._heads) <= index < len(self._heads):
            raise IndexError(f"output index {index} out of range ({len(self._heads)} outputs)")
        return Symbol([self._heads[index]])

    # ------------------------------------------------------------ attributes
    def attr(self, key: str) -> str | None:
        if len(self._heads) != 1:
            return None
        node = self._heads[0][0]
        if key == "name":
            return node.name
        if key in node.attrs:
            return node.attrs[key]
        if key in HIDDEN_KEYS:
            return node.attrs.get(f"__{key}__")
        return None

    def list_attr(self, recursive: bool = False) -> dict[str, str]:
        if recursive:
            raise DeprecationWarning(
                "Symbol.list_attr with recursive=True has been deprecated. Please use "
                "attr_dict instead."
            )
        if len(self._heads) != 1:
            return {}
        return _with_hidden_aliases(self._heads[0][0].attrs)

    def attr_dict(self) -> dict[str, dict[str, str]]:
        """{node name: attributes} for every node with attributes; hidden keys twice."""
        out: dict[str, dict[str, str]] = {}
        for node in self._order():
            if not node.attrs:
                continue
            out.setdefault(node.name, {}).update(_with_hidden_aliases(node.attrs))
        return out

    def _set_attr(self, **kwargs: str) -> None:
        if len(self._heads) != 1:
            raise MXNetError("_set_attr needs a single-output symbol")
        node = self._heads[0][0]
        for k, v in kwargs.items():
            if not isinstance(v, str):
                raise ValueError("Set Attr only accepts string values")
            if k == "name":
                node.name = v
            else:
                node.set_attr(k, v)

    # ---------------------------------------------------------- composition
    def __call__(self, *args: Symbol, **kwargs: Any) -> Symbol:
        s = self.__copy__()
        s._compose(*args, **kwargs)
        return s

    def _compose(self, *args: Symbol, **kwargs: Any) -> None:
        """Replace free variables by position (list_arguments order) or by name."""
        name = kwargs.pop("name", None)
        if args and kwargs:
            raise TypeError("compose only accept input Symbols either as positional or "
                            "keyword arguments, not both")
        order = self._order()
        aux = aux_nodes(order)
        arg_nodes = [n for n in order if n.op is None and id(n) not in aux]
        repl: dict[int, Entry] = {}
        if args:
            if len(args) > len(arg_nodes):
                raise MXNetError(f"compose: {len(args)} inputs given but the symbol has "
                                 f"{len(arg_nodes)} arguments")
            for n, s in zip(arg_nodes, args, strict=False):
                repl[id(n)] = _single_entry(s, n.name)
        else:
            by_name = {n.name: n for n in order if n.op is None}
            for k, s in kwargs.items():
                if k in by_name:
                    repl[id(by_name[k])] = _single_entry(s, k)
        for node in order:
            node.inputs = [repl.get(id(src), (src, idx)) if src.op is None else (src, idx)
                           for src, idx in node.inputs]
        self._heads = [repl.get(id(n), (n, i)) if n.op is None else (n, i)
                       for n, i in self._heads]
        if name is not None and len(self._heads) == 1 and self._heads[0][0].op is not None:
            self._heads[0][0].name = name

    # ----------------------------------------------------------- arithmetic
    def _binary(self, other: Any, sym_op: str, scalar_op: str) -> Symbol:
        if isinstance(other, Symbol):
            return create_op_symbol(sym_op, [self, other], {})
        if isinstance(other, numeric_types):
            return create_op_symbol(scalar_op, [self], {"scalar": other})
        raise TypeError(f"type {type(other).__name__} not supported")

    def __add__(self, o):
        return self._binary(o, "_Plus", "_PlusScalar")

    __radd__ = __add__

    def __sub__(self, o):
        return self._binary(o, "_Minus", "_MinusScalar")

    def __rsub__(self, o):
        if isinstance(o, numeric_types):
            return create_op_symbol("_RMinusScalar", [self], {"scalar": o})
        raise TypeError(f"type {type(o).__name__} not supported")

    def __mul__(self, o):
        return self._binary(o, "_Mul", "_MulScalar")

    __rmul__ = __mul__

    def __truediv__(self, o):
        return self._binary(o, "_Div", "_DivScalar")

    def __rtruediv__(self, o):
        if isinstance(o, numeric_types):
            return create_op_symbol("_RDivScalar", [self], {"scalar": o})
        raise TypeError(f"type {type(o).__name__} not supported")

    __div__ = __truediv__
    __rdiv__ = __rtruediv__

    def __mod__(self, o):
        return self._binary(o, "_Mod", "_ModScalar")

    def __rmod__(self, o):
        if isinstance(o, numeric_types):
            return create_op_symbol("_RModScalar", [self], {"scalar": o})
        raise TypeError(f"type {type(o).__name__} not supported")

    def __pow__(self, o):
        return self._binary(o, "_Power", "_PowerScalar")

    def __rpow__(self, o):
        if isinstance(o, numeric_types):
            return create_op_symbol("_RPowerScalar", [self], {"scalar": o})
        raise TypeError(f"type {type(o).__name__} not supported")

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
        raise NotImplementedForSymbol("+=")

    def __isub__(self, o):
        raise NotImplementedForSymbol("-=")

    def __imul__(self, o):
        raise NotImplementedForSymbol("*=")

    def __itruediv__(self, o):
        raise NotImplementedForSymbol("/=")

    # ------------------------------------------------------------ inference
    def _shape_args(self, args: Sequence, kwargs: dict, what: str) -> dict[str, tuple]:
        known: dict[str, tuple] = {}
        if args and kwargs:
            raise TypeError(f"{what}: can only specify known argument shapes either by "
                            "positional or kwargs way")
        if args:
            names = self.list_arguments()
            if len(args) > len(names):
                raise MXNetError(f"{what}: {len(args)} shapes given but the symbol has "
                                 f"{len(names)} arguments {names}")
            for n, s in zip(names, args, strict=False):
                if s is not None:
                    if not isinstance(s, tuple):
                        raise TypeError(f"Arguments need to be shapes (tuple), got {s!r} "
                                        f"for {n!r}")
                    known[n] = s
        else:
            inputs = set(self.list_inputs())
            for n, s in kwargs.items():
                if s is None:
                    continue
                if not isinstance(s, tuple):
                    raise TypeError(f"Arguments need to be shapes (tuple), got {s!r} for {n!r}")
                if n not in inputs:
                    raise MXNetError(
                        f"{what}: {n!r} is not an input of the symbol; inputs are "
                        f"{self.list_inputs()}"
                    )
                known[n] = tuple(int(d) for d in s)
        return known

    def _infer_shape_impl(self, partial: bool, *args: Any, **kwargs: Any):
        known = self._shape_args(args, kwargs, "infer_shape")
        shapes = infer_shapes(self._heads, known, dtypes={})
        order = self._order()
        aux = aux_nodes(order)
        var = {n.name: shapes.get((id(n), 0)) for n in order if n.op is None}
        arg_names = [n.name for n in order if n.op is None and id(n) not in aux]
        aux_names = [n.name for n in order if n.op is None and id(n) in aux]
        arg_shapes = [var[n] for n in arg_names]
        aux_shapes = [var[n] for n in aux_names]
        out_shapes = [shapes.get((id(n), i)) for n, i in self._heads]

        def done(s):
            return s is not None and all(d > 0 for d in s)

        if partial:
            def fix(lst):
                return [tuple(s) if s is not None else () for s in lst]

            return fix(arg_shapes), fix(out_shapes), fix(aux_shapes)
        if not all(done(s) for s in arg_shapes + aux_shapes + out_shapes):
            missing = [n for n, s in zip(arg_names + aux_names, arg_shapes + aux_shapes,
                                         strict=True) if not done(s)]
            shown = ", ".join(f"{n}: {var[n] or '()'}" for n in missing[:10])
            logging.warning(
                "Cannot decide shape for the following arguments (0s in shape means unknown "
                "dimensions). Consider providing them as input:\n\t%s", shown
            )
            return None, None, None
        return ([tuple(s) for s in arg_shapes], [tuple(s) for s in out_shapes],
                [tuple(s) for s in aux_shapes])

    def infer_shape(self, *args: Any, **kwargs: Any):
        """``(arg_shapes, out_shapes, aux_shapes)``; ``(None, None, None)`` if incomplete."""
        return self._infer_shape_impl(False, *args, **kwargs)

    def infer_shape_partial(self, *args: Any, **kwargs: Any):
        """Like ``infer_shape`` but unknown shapes are ``()`` instead of failing."""
        return self._infer_shape_impl(True, *args, **kwargs)

    def infer_type(self, *args: Any, **kwargs: Any):
        """``(arg_types, out_types, aux_types)`` as numpy types; Nones if incomplete."""
        known: dict[str, Any] = {}
        if args:
            for n, t in zip(self.list_arguments(), args, strict=False):
                if t is not None:
                    known[n] = dtype_np(t)
        for n, t in kwargs.items():
            if t is not None:
                if n not in self.list_inputs():
                    raise MXNetError(f"infer_type: {n!r} is not an input of the symbol")
                known[n] = dtype_np(t)
        types = infer_types(self._heads, known)
        order = self._order()
        aux = aux_nodes(order)
        var = {n.name: types.get((id(n), 0)) for n in order if n.op is None}
        arg_t = [var[n.name] for n in order if n.op is None and id(n) not in aux]
        aux_t = [var[n.name] for n in order if n.op is None and id(n) in aux]
        out_t = [types.get((id(n), i)) for n, i in self._heads]
        if any(t is None for t in arg_t + aux_t + out_t):
            return None, None, None
        return ([t.type for t in arg_t], [t.type for t in out_t], [t.type for t in aux_t])

    # --------------------------------------------------------- serialisation
    def tojson(self) -> str:
        """The graph as MXNet 1.9.1 JSON (byte-identical layout)."""
        return json_io.graph_to_json(self._heads)

    def save(self, fname: str, remove_amp_cast: bool = True) -> None:
        """Write ``tojson()`` to ``fname`` atomically (temporary file + rename)."""
        if not isinstance(fname, str):
            raise TypeError("fname need to be string")
        write_text_atomic(fname, self.tojson())

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
        """Bind ``kwargs`` and run a forward pass; returns the outputs."""
        from ..context import current_context

        ex = self.bind(ctx or current_context(), kwargs, grad_req="null")
        return ex.forward()

    def get_backend_symbol(self, backend: str) -> Symbol:
        return self

    # Convenience methods mirroring mx.sym functions (data as first input).
    def reshape(self, *args: Any, **kwargs: Any) -> Symbol:
        if args and "shape" not in kwargs:
            kwargs["shape"] = args[0] if len(args) == 1 else args
        return create_op_symbol("Reshape", [self], kwargs)

    def flatten(self, **kwargs: Any) -> Symbol:
        return create_op_symbol("Flatten", [self], kwargs)

    def astype(self, dtype: Any, **kwargs: Any) -> Symbol:
        return create_op_symbol("Cast", [self], {"dtype": dtype, **kwargs})


def _with_hidden_aliases(attrs: dict[str, str]) -> dict[str, str]:
    """Attributes plus the plain form of MXNet's hidden keys (``__lr_mult__`` -> ``lr_mult``)."""
    d: dict[str, str] = {}
    for k, v in attrs.items():
        d[k] = v
        if k.startswith("__") and k.endswith("__") and k[2:-2] in HIDDEN_KEYS:
            d[k[2:-2]] = v
    return d


class NotImplementedForSymbol(MXNetError):
    """An operation MXNet symbols do not support (``bool(sym)``, ``sym += 1``)."""

    def __init__(self, what: str):
        super().__init__(f"{what} is not supported for Symbol")


def _single_entry(s: Any, what: str) -> Entry:
    if not isinstance(s, Symbol):
        raise TypeError(f"Compose expects a Symbol for {what!r}, got {type(s).__name__}")
    if len(s._heads) != 1:
        raise MXNetError(
            f"Argument {what!r} is a group of {len(s._heads)} outputs; a single output is required"
        )
    return s._heads[0]


def write_text_atomic(fname: str, text: str) -> None:
    """Write UTF-8 text via a temporary file in the same directory, renamed into place."""
    from .._fileio import write_atomic

    write_atomic(fname, text.encode("utf-8"))


# ------------------------------------------------------------------ creation
def var(name: str, attr: dict | None = None, shape: Any = None, lr_mult: Any = None,
        wd_mult: Any = None, dtype: Any = None, init: Any = None, stype: str | None = None,
        **kwargs: Any) -> Symbol:
    """A variable (``mx.sym.var``), with MXNet's hidden attributes for shape, lr/wd
    multipliers, dtype (as a type code), initializer (``init.dumps()``) and storage type."""
    if not isinstance(name, str):
        raise TypeError("Expect a string for variable `name`")
    a = AttrScope.current().get(attr)
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
        if stype not in _STYPES:
            raise MXNetError(f"unknown storage type {stype!r}")
        a["__storage_type__"] = str(_STYPES[stype])
    for k, v in kwargs.items():
        if k.startswith("__") and k.endswith("__"):
            a[k] = str(v)
        else:
            raise ValueError(
                f"Attribute name={k} is not supported. Additional attributes must start and end "
                "with double underscores, e.g, __yourattr__"
            )
    for k, v in a.items():
        if not isinstance(v, str):
            raise ValueError(f"Attribute {k!r} of variable {name!r} must be a string")
    return Symbol([(Node(None, name, a), 0)])


Variable = var


def Group(symbols: Sequence[Symbol]) -> Symbol:
    """One symbol whose outputs are all outputs of ``symbols``, in order."""
    if not symbols or any(not isinstance(s, Symbol) for s in symbols):
        raise TypeError("Expected a list of symbols as input")
    heads: list[Entry] = []
    for s in symbols:
        heads.extend(s._heads)
    return Symbol(heads)


def load_json(json_str: str) -> Symbol:
    """Symbol from MXNet JSON text (``mx.sym.load_json``)."""
    if not isinstance(json_str, str):
        raise TypeError("json_str needs to be a string")
    return Symbol(json_io.graph_from_json(json_str))


def load(fname: str) -> Symbol:
    """Symbol from a ``-symbol.json`` file (``mx.sym.load``)."""
    if not isinstance(fname, str):
        raise TypeError("fname needs to be a string")
    try:
        with open(fname, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError as err:
        raise MXNetError(f"symbol file {fname!r} does not exist") from err
    except UnicodeDecodeError as err:
        raise MXNetError(f"invalid symbol JSON in {fname}: not UTF-8 text") from err
    return Symbol(json_io.graph_from_json(text, where=fname))


def create_op_symbol(op_name: str, args: Sequence[Any], kwargs: dict[str, Any],
                     name: str | None = None, attr: dict | None = None,
                     hint: str | None = None) -> Symbol:
    """Apply op ``op_name`` symbolically: MXNet's generated ``mx.sym.<Op>`` functions.

    Symbols in ``args``/``kwargs`` become inputs; everything else is an attribute
    stored as ``str(value)``. Missing inputs become variables ``<name>_<input>``
    that copy the op's attributes.
    """
    op = get_op(op_name)
    hint = hint or op_name.lower()
    attrs: dict[str, str] = {}
    for k, v in AttrScope.current().get(attr).items():
        attrs[f"__{k}__" if k in HIDDEN_KEYS else k] = v
    sym_kwargs: dict[str, Symbol] = {}
    params: dict[str, Any] = {}
    for k, v in kwargs.items():
        if isinstance(v, Symbol):
            sym_kwargs[k] = v
        elif v is None and k not in op.params:
            continue  # an input passed as None is simply missing
        else:
            params[k] = v
    pos = [a for a in args if a is not None]
    for a_ in pos:
        if not isinstance(a_, Symbol):
            raise TypeError(f"{op_name}: positional inputs must be Symbols, got "
                            f"{type(a_).__name__}")
    if op.variadic:
        if pos and sym_kwargs:
            raise TypeError(
                "Operators with variable length input can only accept input Symbols either as "
                "positional or keyword arguments, not both"
            )
        count = len(pos) if pos else len(sym_kwargs)
        params.setdefault(op.variadic, count)
    for k, v in params.items():
        if k in HIDDEN_KEYS:
            attrs[f"__{k}__"] = str(v)
        elif k.startswith("__") and k.endswith("__"):
            attrs[k] = str(v)
        else:
            attrs[k] = op.attr_string(k, v)
    node_name = NameManager.current().get(name, hint)
    node = Node(op, node_name, attrs)
    a = node.parsed()
    in_names = op.inputs(a)
    if len(pos) > len(in_names):
        raise MXNetError(
            f"{op.name} ({node_name}) takes {len(in_names)} inputs {in_names} but "
            f"{len(pos)} were given"
        )
    given: dict[str, Entry] = {}
    for n, s in zip(in_names, pos, strict=False):
        given[n] = _single_entry(s, f"{node_name}.{n}")
    if op.variadic and sym_kwargs:
        for i, s in enumerate(sym_kwargs.values()):
            given[in_names[i]] = _single_entry(s, f"{node_name}.{in_names[i]}")
    else:
        for k, s in sym_kwargs.items():
            if k not in in_names:
                raise MXNetError(
                    f"{op.name} ({node_name}): unknown input {k!r}; inputs are {in_names}"
                )
            if k in given:
                raise TypeError(f"{op.name}: input {k!r} given twice")
            given[k] = _single_entry(s, f"{node_name}.{k}")
    inputs: list[Entry] = []
    for n in in_names:
        if n in given:
            inputs.append(given[n])
            continue
        if op.variadic:
            raise MXNetError(f"{op.name} ({node_name}): input {n} is missing")
        var_attrs = dict(attrs)
        hook = getattr(op, "input_var_attrs", None)
        if hook is not None:
            for k, v in hook(a, n).items():
                var_attrs.setdefault(k, v)
        inputs.append((Node(None, f"{node_name}_{n}", var_attrs), 0))
    node.inputs = inputs
    nvis = node.num_visible()
    return Symbol([(node, i) for i in range(nvis)])
