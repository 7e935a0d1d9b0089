"""Applying an operator symbolically: MXNet's generated ``mx.sym.<Op>`` functions.

Reproduces ``python/mxnet/symbol/register.py`` plus ``MXSymbolCreateAtomicSymbol``:

* inputs come first (positionally or by name); further positional values are
  the op's attributes in MXNet's declaration order (``mx.sym.clip(x, 0, 1)``);
* the AttrScope's attributes (and ``attr=``) are merged into the keywords, so a
  key starting with a hidden key (``lr_mult``, ``ctx_group``...) is stored as
  ``__lr_mult__``, one ending with it (``weight_lr_mult``) is MXNet's
  deprecation error, ``__x__`` keys are kept, and anything else must be an
  attribute of the op (``Cannot find argument`` otherwise);
* attribute values are stored as ``str(value)``; the node is named by the
  current NameManager (``<func_name.lower()><n>``);
* missing inputs become variables ``<name>_<input>`` that copy the op's
  attributes (plus the op's init hints, e.g. BatchNorm's moving stats).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .. import attribute
from .. import name as _name
from ..base import MXNetError
from ..operator.registry import get_op, split_positional
from .graph import Entry, Node, op_call_key

if TYPE_CHECKING:
    from .symbol import Symbol

__all__ = ["create_op_symbol"]


def create_op_symbol(op_name: str, args: Sequence[Any], kwargs: dict[str, Any],
                     name: str | None = None, attr: dict | None = None,
                     hint: str | None = None) -> Symbol:
    """Apply op ``op_name`` to symbols in ``args``/``kwargs``; other values are attributes."""
    from .symbol import Symbol

    op = get_op(op_name)
    hint = hint or op_name.lower()
    pos, pos_params = split_positional(op, args, lambda v: isinstance(v, Symbol), "Symbol")
    sym_kwargs: dict[str, Symbol] = {}
    raw: dict[str, Any] = {}
    for k, v in kwargs.items():
        if isinstance(v, Symbol):
            sym_kwargs[k] = v
        elif v is None and k not in op.params:
            continue  # an input passed as None is simply missing
        else:
            raw[k] = v
    for k, v in pos_params.items():
        if k in raw:
            raise TypeError(f"{op_name}() got multiple values for argument '{k}'")
        raw[k] = v
    raw.update(attribute.current().get(attr))
    if op.variadic:
        if pos and sym_kwargs:
            raise TypeError("Operators with variable length input can only accept input "
                            "Symbols either as positional or keyword arguments, not both")
        raw.setdefault(op.variadic, len(pos) + len(sym_kwargs))
    attrs: dict[str, str] = {}
    for k, v in raw.items():
        text = v if isinstance(v, str) else str(v)
        key = op_call_key(k, text)
        if key.startswith("__") and key.endswith("__"):
            attrs[key] = text
        else:
            attrs[key] = op.attr_string(key, v)
    node_name = _name.current().get(name, hint)
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
        given[n] = _entry(s, n)
    if op.variadic and sym_kwargs:
        for i, s in enumerate(sym_kwargs.values()):
            given[in_names[i]] = _entry(s, in_names[i])
    else:
        for k, s in sym_kwargs.items():
            if k not in in_names:
                raise MXNetError(f"{op.name} ({node_name}): Symbol.ComposeKeyword argument name "
                                 f"{k} not found; the inputs are {in_names}")
            if k in given:
                raise TypeError(f"{op.name}() got multiple values for argument '{k}'")
            given[k] = _entry(s, k)
    inputs: list[Entry] = []
    hook = getattr(op, "input_var_attrs", None)
    for n in in_names:
        if n in given:
            src = given[n][0]
            if hook is not None and src.op is None:
                # MXNet's FSetInputVarAttrOnCompose: a variable passed for this input gets
                # the op's initializer hint unless it has one (BatchNorm moving_mean, ...)
                for k, v in hook(a, n).items():
                    if k not in src.attrs:
                        src.set_attr(k, v)
            inputs.append(given[n])
            continue
        if op.variadic and n.startswith("arg"):
            raise MXNetError(f"{op.name} ({node_name}): input {n} is missing")
        var_attrs = dict(attrs)
        if hook is not None:
            for k, v in hook(a, n).items():
                var_attrs.setdefault(k, v)
        inputs.append((Node(None, f"{node_name}_{n}", var_attrs), 0))
    node.inputs = inputs
    return Symbol([(node, i) for i in range(node.num_visible())])


def _entry(s: Symbol, what: str) -> Entry:
    if len(s._heads) != 1:
        raise MXNetError(f"Keyword Argument {what} is a tuple ({len(s._heads)} outputs), "
                         "single value is required")
    return s._heads[0]
