"""The symbolic graph underneath ``Symbol``: nodes, entries and traversal (nnvm's model).

A node is a variable (``op is None``) or an operator application with string
attributes and input entries ``(node, output_index)``. A symbol is a list of
head entries. Traversal is nnvm's DFS post-order, which fixes the order of
``list_arguments``, JSON nodes and everything else users see.
"""

from __future__ import annotations

from typing import Any

from ..base import MXNetError
from ..operator.registry import Attrs, Op

__all__ = ["Node", "Entry", "topo_order", "HIDDEN_KEYS", "op_call_key", "set_attr_key"]

#: keys MXNet stores as hidden ``__key__`` attributes (``kHiddenKeys`` in c_api_symbolic.cc);
#: ``list_attr``/``attr_dict``/``attr`` also show them under their plain names
HIDDEN_KEYS = ("ctx_group", "lr_mult", "wd_mult", "force_mirroring", "mirror_stage")


def _deprecated_hidden(key: str, hidden: str, value: str) -> MXNetError:
    stem = key[: len(key) - len(hidden) - 1]
    return MXNetError(
        f"setting variable attributes with {key} is deprecated. please instead use\n"
        f"w = Variable({hidden}={value})\nsym = YourSymbolName({stem}=w)"
    )


def op_call_key(key: str, value: str) -> str:
    """The attribute key an operator-call keyword ends up under (MXNet's creation rule).

    A key starting with a hidden key becomes ``__key__`` (``lr_mult`` ->
    ``__lr_mult__``); one merely ending with it (``weight_lr_mult``) is MXNet's
    deprecation error; anything else is unchanged.
    """
    for hidden in HIDDEN_KEYS:
        pos = key.rfind(hidden)
        if pos == 0:
            return f"__{key}__"
        if pos > 0 and pos == len(key) - len(hidden):
            raise _deprecated_hidden(key, hidden, value)
    return key


def set_attr_key(key: str, value: str) -> str:
    """The attribute key ``Symbol._set_attr`` stores (exact hidden keys become ``__key__``)."""
    for hidden in HIDDEN_KEYS:
        pos = key.rfind(hidden)
        if pos == 0 and len(key) == len(hidden):
            return f"__{key}__"
        if pos > 0 and pos == len(key) - len(hidden):
            raise _deprecated_hidden(key, hidden, value)
    return key


class Node:
    """One graph node. ``attrs`` holds MXNet's string attributes (params and ``__x__`` keys)."""

    __slots__ = ("op", "name", "attrs", "inputs", "_parsed", "__weakref__")

    def __init__(self, op: Op | None, name: str, attrs: dict[str, str] | None = None,
                 inputs: list[Entry] | None = None):
        self.op = op
        self.name = name
        self.attrs: dict[str, str] = dict(attrs or {})
        self.inputs: list[Entry] = list(inputs or [])
        self._parsed: Attrs | None = None

    @property
    def is_variable(self) -> bool:
        return self.op is None

    def parsed(self) -> Attrs:
        """The op's parsed attributes (defaults filled in), cached."""
        if self._parsed is None:
            if self.op is None:
                self._parsed = Attrs({})
            else:
                self._parsed = self.op.parse_attrs(self.attrs, self.name)
        return self._parsed

    def set_attr(self, key: str, value: str) -> None:
        self.attrs[key] = value
        self._parsed = None

    def num_outputs(self) -> int:
        return 1 if self.op is None else self.op.num_outputs(self.parsed())

    def num_visible(self) -> int:
        return 1 if self.op is None else self.op.num_visible(self.parsed())

    def output_names(self) -> list[str]:
        """Names of the visible outputs (``fc1_output``, ``split0_output1``, ``data``)."""
        if self.op is None:
            return [self.name]
        outs = self.op.outputs(self.parsed())[: self.num_visible()]
        return [f"{self.name}_{o}" for o in outs]

    def input_names(self) -> list[str]:
        return [] if self.op is None else self.op.inputs(self.parsed())

    def aux_positions(self) -> list[int]:
        """Input positions that are auxiliary states (MXNet's mutable inputs)."""
        if self.op is None:
            return []
        a = self.parsed()
        aux = set(self.op.aux(a))
        return [i for i, n in enumerate(self.op.inputs(a)) if n in aux]

    def __repr__(self) -> str:
        return f"<Node {self.op.name if self.op else 'null'} {self.name}>"


Entry = tuple[Node, int]


def topo_order(heads: list[Entry]) -> list[Node]:
    """All nodes reachable from ``heads`` in nnvm's DFS post-order (inputs first)."""
    order: list[Node] = []
    visited: set[int] = set()
    for head, _ in heads:
        if id(head) in visited:
            continue
        stack: list[tuple[Node, int]] = [(head, 0)]
        visited.add(id(head))
        while stack:
            node, i = stack[-1]
            if i < len(node.inputs):
                stack[-1] = (node, i + 1)
                child = node.inputs[i][0]
                if id(child) not in visited:
                    visited.add(id(child))
                    stack.append((child, 0))
            else:
                stack.pop()
                order.append(node)
    return order


def aux_nodes(order: list[Node]) -> set[int]:
    """ids of variable nodes used as auxiliary states somewhere in the graph."""
    out: set[int] = set()
    for node in order:
        for pos in node.aux_positions():
            src = node.inputs[pos][0]
            if src.op is None:
                out.add(id(src))
    return out


def copy_graph(heads: list[Entry]) -> list[Entry]:
    """Deep copy of the graph behind ``heads`` (nodes are shared objects otherwise)."""
    mapping: dict[int, Node] = {}
    for node in topo_order(heads):
        new = Node(node.op, node.name, node.attrs,
                   [(mapping[id(src)], idx) for src, idx in node.inputs])
        new._parsed = node._parsed
        mapping[id(node)] = new
    return [(mapping[id(n)], i) for n, i in heads]


def check_single(entries: Any, what: str) -> None:
    if len(entries) != 1:
        raise MXNetError(f"{what}: expected a single-output symbol, got {len(entries)} outputs")
