"""Symbol JSON in MXNet 1.9.1's exact format (nnvm graph JSON written by dmlc's JSONWriter).

Layout rules reproduced: objects are multi-line unless they hold at most one
entry; arrays of plain values or input entries are inline unless they hold
more than 10 items; the node list is always multi-line; separators are
``", "`` then newline and two spaces per depth. Node keys in order ``op,
name, attrs (sorted, only if non-empty), inputs``. Mutable (auxiliary) inputs
carry version 1 in their input entries.

Reading accepts the legacy ``attr``/``param`` keys, two-element input entries,
missing ``node_row_ptr``, and files without ``mxnet_version`` (hidden keys such
as ``lr_mult`` on old files become ``__lr_mult__``). Like MXNet's reader it
requires ``nodes``, ``arg_nodes`` and ``heads`` and, per node, ``op``, ``name``
and ``inputs``, with string attribute values; unlike it, it also checks that
every op node has the number of inputs its op takes (MXNet would fail later).
"""

from __future__ import annotations

import json
from typing import Any

from ..base import MXNetError
from ..operator.registry import get_op
from .graph import HIDDEN_KEYS, Entry, Node, topo_order

__all__ = ["graph_to_json", "graph_from_json"]

MXNET_VERSION = 10901


def _s(text: str) -> str:
    """A JSON string as dmlc writes it (escapes only \\r \\n \\\\ \\t \\")."""
    out = ['"']
    for ch in text:
        if ch == "\r":
            out.append("\\r")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\t":
            out.append("\\t")
        elif ch == '"':
            out.append('\\"')
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


class _Writer:
    """A minimal re-implementation of dmlc::JSONWriter's whitespace rules."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.multi: list[bool] = []
        self.count: list[int] = []

    def _sep(self) -> None:
        if not self.multi or self.multi[-1]:
            self.parts.append("\n" + " " * (2 * len(self.multi)))

    def begin(self, ch: str, multi: bool) -> None:
        self.parts.append(ch)
        self.multi.append(multi)
        self.count.append(0)

    def end(self, ch: str) -> None:
        multi = self.multi.pop()
        n = self.count.pop()
        if multi and n:
            self._sep()
        self.parts.append(ch)

    def key(self, k: str) -> None:
        if self.count[-1] > 0:
            self.parts.append(", ")
        self._sep()
        self.parts.append(f'"{k}": ')
        self.count[-1] += 1

    def item(self) -> None:
        if self.count[-1] != 0:
            self.parts.append(", ")
        self.count[-1] += 1
        self._sep()

    def int_array(self, values: list[int]) -> None:
        self.begin("[", len(values) > 10)
        for v in values:
            self.item()
            self.parts.append(str(v))
        self.end("]")

    def entries(self, values: list[tuple[int, int, int]]) -> None:
        self.begin("[", len(values) > 10)
        for e in values:
            self.item()
            self.parts.append(f"[{e[0]}, {e[1]}, {e[2]}]")
        self.end("]")

    def str_map(self, d: dict[str, str]) -> None:
        self.begin("{", len(d) > 1)
        for k in sorted(d):
            self.key(k)
            self.parts.append(_s(d[k]))
        self.end("}")


def graph_to_json(heads: list[Entry]) -> str:
    """Serialise the graph behind ``heads`` exactly as MXNet's ``Symbol.tojson()``."""
    order = topo_order(heads)
    index = {id(n): i for i, n in enumerate(order)}
    w = _Writer()
    w.begin("{", True)
    w.key("nodes")
    w.begin("[", True)
    for node in order:
        w.item()
        w.begin("{", True)
        w.key("op")
        w.parts.append(_s(node.op.name if node.op else "null"))
        w.key("name")
        w.parts.append(_s(node.name))
        if node.attrs:
            w.key("attrs")
            w.str_map(node.attrs)
        w.key("inputs")
        mutable = set(node.aux_positions())
        w.entries([(index[id(src)], idx, 1 if pos in mutable else 0)
                   for pos, (src, idx) in enumerate(node.inputs)])
        w.end("}")
    w.end("]")
    w.key("arg_nodes")
    w.int_array([i for i, n in enumerate(order) if n.op is None])
    w.key("node_row_ptr")
    ptr = [0]
    for n in order:
        ptr.append(ptr[-1] + n.num_outputs())
    w.int_array(ptr)
    w.key("heads")
    w.entries([(index[id(n)], i, 0) for n, i in heads])
    w.key("attrs")
    w.begin("{", False)
    w.key("mxnet_version")
    w.parts.append(f'["int", {MXNET_VERSION}]')
    w.end("}")
    w.end("}")
    return "".join(w.parts)


def _fail(where: str, msg: str) -> MXNetError:
    return MXNetError(f"invalid symbol JSON{where}: {msg}")


def graph_from_json(text: str, where: str = "") -> list[Entry]:
    """Parse MXNet symbol JSON into head entries; malformed input raises ``MXNetError``."""
    src = f" in {where}" if where else ""
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, TypeError, ValueError) as err:
        raise _fail(src, f"not valid JSON ({err})") from err
    if not isinstance(doc, dict):
        raise _fail(src, "expected a JSON object with 'nodes', 'arg_nodes' and 'heads'")
    for key in ("nodes", "arg_nodes", "heads"):
        if key not in doc:
            raise _fail(src, f"missing field {key!r}")
    version = _version(doc.get("attrs"))
    jnodes = doc["nodes"]
    if not isinstance(jnodes, list):
        raise _fail(src, "'nodes' must be a list")
    nodes: list[Node] = []
    for i, jn in enumerate(jnodes):
        if not isinstance(jn, dict):
            raise _fail(src, f"node {i} must be an object")
        for key in ("op", "name", "inputs"):
            if key not in jn:
                raise _fail(src, f"node {i} is missing field {key!r}")
        op_name, name = jn["op"], jn["name"]
        if not isinstance(op_name, str) or not isinstance(name, str):
            raise _fail(src, f"node {i}: 'op' and 'name' must be strings")
        attrs: dict[str, str] = {}
        for key in ("param", "attr", "attrs"):
            part = jn.get(key)
            if part is None:
                continue
            if not isinstance(part, dict):
                raise _fail(src, f"node {i} ({name}): '{key}' must be an object")
            for k, v in part.items():
                if not isinstance(v, str):
                    raise _fail(src, f"node {i} ({name}): attribute {k!r} must be a string, "
                                     f"got {json.dumps(v)}")
                attrs[str(k)] = v
        if version < 900:
            for k in list(attrs):
                if k in HIDDEN_KEYS:
                    attrs[f"__{k}__"] = attrs.pop(k)
        try:
            op = None if op_name == "null" else get_op(op_name)
        except MXNetError as err:
            raise _fail(src, f"failed loading op {name} of type {op_name}: {err}") from err
        jinputs = jn["inputs"]
        if not isinstance(jinputs, list):
            raise _fail(src, f"node {i} ({name}): 'inputs' must be a list")
        inputs: list[Entry] = []
        for e in jinputs:
            if not isinstance(e, list) or len(e) not in (2, 3) or not all(map(_is_index, e)):
                raise _fail(src, f"node {i} ({name}): bad input entry {e!r}")
            if not 0 <= e[0] < i:
                raise _fail(src, f"node {i} ({name}): input refers to node {e[0]}, which is "
                                 "not an earlier node")
            inputs.append((nodes[e[0]], e[1]))
        if op is not None:
            # keep only attributes the op knows (plus hidden keys); unknown ones are an error
            node = Node(op, name, attrs, inputs)
            try:
                a = node.parsed()
            except MXNetError as err:
                raise MXNetError(f"{err}{src}") from err
            want = len(op.inputs(a))
            if len(inputs) != want:
                raise _fail(src, f"node {i} ({name}, {op.name}) has {len(inputs)} inputs but the "
                                 f"op takes {want}: {op.inputs(a)}")
            for src_node, idx in inputs:
                if idx >= src_node.num_outputs():
                    raise _fail(src, f"node {name} uses output {idx} of {src_node.name}, which "
                                     f"has {src_node.num_outputs()}")
        else:
            if inputs:
                raise _fail(src, f"variable node {name} cannot have inputs")
            node = Node(None, name, attrs)
        nodes.append(node)
    if not isinstance(doc["heads"], list):
        raise _fail(src, "'heads' must be a list")
    heads: list[Entry] = []
    for h in doc["heads"]:
        if not isinstance(h, list) or len(h) not in (2, 3) or not all(map(_is_index, h)) \
                or not h[0] < len(nodes):
            raise _fail(src, f"bad head entry {h!r}")
        if h[1] >= nodes[h[0]].num_outputs():
            raise _fail(src, f"head {h!r} refers to a missing output")
        heads.append((nodes[h[0]], h[1]))
    if not heads:
        raise _fail(src, "the graph has no heads")
    return heads


def _is_index(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def _version(attrs: Any) -> int:
    if isinstance(attrs, dict):
        v = attrs.get("mxnet_version")
        if isinstance(v, list) and len(v) == 2 and isinstance(v[1], int):
            return v[1]
    return 800
