"""``mx.viz`` / ``mx.visualization``: MXNet 1.9.1's network summary table and graph plot.

``print_summary`` prints MXNet's table (``Layer (type)``, ``Output Shape``,
``Param #``, ``Previous Layer``, then ``Total params: N``) line for line, with
MXNet's parameter counting: Convolution ``C_in·F/groups·prod(kernel) (+F)``,
FullyConnected ``(C_in+1)·H`` (``C_in·H`` without bias), BatchNorm ``2·C`` and
Embedding ``input_dim·output_dim``, where ``C_in`` sums the first non-batch
dimension of the layer's inputs (so counts need ``shape=``).

``plot_network`` returns a ``graphviz.Digraph`` with MXNet's node labels
(``Convolution\\n5x5/1, 20``, ``FullyConnected\\n64``, ``Activation\\nrelu``,
``Pooling\\nmax, 2x2/2x2``), colours and attributes, weight-like variables
hidden, and, given ``shape``/``dtype``, edges labelled with the shape without
the batch axis joined by ``x`` (and ``(float32)``).
"""

from __future__ import annotations

import copy
import json
import re
import warnings
from collections.abc import Sequence
from typing import Any

from .symbol import Symbol

__all__ = ["print_summary", "plot_network"]

# MXNet's colour map: inputs, conv/fc, activations, batchnorm, pooling, shape ops, softmax, rest
_COLORS = ("#8dd3c7", "#fb8072", "#ffffb3", "#bebada", "#80b1d3", "#fdb462", "#b3de69",
           "#fccde5")
_WEIGHT_LIKE = ("_weight", "_bias", "_beta", "_gamma", "_moving_var", "_moving_mean",
                "_running_var", "_running_mean")


def _str2tuple(string: str) -> list[str]:
    """The integers of a shape attribute string: ``'(5, 5)'`` -> ``['5', '5']``."""
    return re.findall(r"\d+", string)


def _shape_dict(symbol: Symbol, shape: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    """Shapes of every internal output (``fc1_output``, ``data``, ...), batch axis included."""
    if not isinstance(shape, dict):
        raise TypeError(f"shape must be a dict of input name -> shape tuple, got "
                        f"{type(shape).__name__}")
    internals = symbol.get_internals()
    _, out_shapes, _ = internals.infer_shape(**shape)
    if out_shapes is None:
        raise ValueError("Input shape is incomplete")
    return dict(zip(internals.list_outputs(), out_shapes, strict=True))


def _print_row(fields: Sequence[Any], positions: Sequence[int]) -> None:
    line = ""
    for i, field in enumerate(fields):
        line += str(field)
        line = line[:positions[i]]
        line += " " * (positions[i] - len(line))
    print(line)


def _layer_params(node: dict, pre_filter: int, shape_dict: dict | None) -> int:
    """MXNet's parameter count for one layer (0 for layers it does not count)."""
    op, attrs = node["op"], node.get("attrs", {})
    if op == "Convolution":
        groups = int(attrs.get("num_group", "1"))
        n = pre_filter * int(attrs["num_filter"]) // groups
        for k in _str2tuple(attrs["kernel"]):
            n *= int(k)
        return n if attrs.get("no_bias") == "True" else n + int(attrs["num_filter"])
    if op == "FullyConnected":
        hidden = int(attrs["num_hidden"])
        return pre_filter * hidden if attrs.get("no_bias") == "True" else \
            (pre_filter + 1) * hidden
    if op == "BatchNorm":
        key = node["name"] + "_output"
        if shape_dict is not None and key in shape_dict and len(shape_dict[key]) > 1:
            return int(shape_dict[key][1]) * 2
        return 0
    if op == "Embedding":
        return int(attrs["input_dim"]) * int(attrs["output_dim"])
    return 0


def print_summary(symbol: Symbol, shape: dict[str, Any] | None = None, line_length: int = 120,
                  positions: Sequence[float] = (.44, .64, .74, 1.)) -> None:
    """Print MXNet's layer table for ``symbol`` (``mx.viz.print_summary``).

    ``shape`` maps input names to shapes; without it output shapes are blank
    and parameter counts that depend on input channels are partial, as in
    MXNet. ``positions`` are column ends, as fractions of ``line_length`` when
    the last one is <= 1.
    """
    if not isinstance(symbol, Symbol):
        raise TypeError("symbol must be Symbol")
    shape_dict = _shape_dict(symbol, shape) if shape is not None else None
    conf = json.loads(symbol.tojson())
    nodes = conf["nodes"]
    # MXNet's quirk, kept: the "heads" set is the first head entry [node, index, 0]
    heads = set(conf["heads"][0])
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    positions = [int(p) for p in positions]

    def out_shape_of(i: int) -> list[int]:
        node = nodes[i]
        if shape_dict is None:
            return []
        key = node["name"] + "_output" if node["op"] != "null" else node["name"]
        return list(shape_dict[key][1:]) if key in shape_dict else []

    print("_" * line_length)
    _print_row(["Layer (type)", "Output Shape", "Param #", "Previous Layer"], positions)
    print("=" * line_length)
    total = 0
    for i, node in enumerate(nodes):
        if node["op"] == "null" and i > 0:
            continue
        out_shape = out_shape_of(i) if (node["op"] != "null" or i in heads) else []
        previous: list[str] = []
        pre_filter = 0
        if node["op"] != "null":
            for item in node["inputs"]:
                src = nodes[item[0]]
                if src["op"] != "null" or item[0] in heads:
                    previous.append(src["name"])
                    shp = out_shape_of(item[0])
                    if shp:
                        pre_filter += int(shp[0])
        params = _layer_params(node, pre_filter, shape_dict)
        total += params
        _print_row([node["name"] + "(" + node["op"] + ")", "x".join(str(x) for x in out_shape),
                    params, previous[0] if previous else ""], positions)
        for name in previous[1:]:
            _print_row(["", "", "", name], positions)
        print(("=" if i == len(nodes) - 1 else "_") * line_length)
    print(f"Total params: {total}")
    print("_" * line_length)


def _node_style(node: dict) -> tuple[str, str]:
    """MXNet's (label, fillcolor) for an operator node."""
    op, name, attrs = node["op"], node["name"], node.get("attrs", {})
    if op == "Convolution":
        stride = "x".join(_str2tuple(attrs["stride"])) if "stride" in attrs else "1"
        label = "Convolution\n{}/{}, {}".format("x".join(_str2tuple(attrs["kernel"])), stride,
                                               attrs["num_filter"])
        return label, _COLORS[1]
    if op == "FullyConnected":
        return "FullyConnected\n{}".format(attrs["num_hidden"]), _COLORS[1]
    if op == "BatchNorm":
        return name, _COLORS[3]
    if op == "Activation":
        return "Activation\n{}".format(attrs["act_type"]), _COLORS[2]
    if op == "LeakyReLU":
        return "LeakyReLU\n{}".format(attrs.get("act_type", "Leaky")), _COLORS[2]
    if op == "Pooling":
        kernel = "x".join(_str2tuple(attrs["kernel"])) if "kernel" in attrs else "[]"
        stride = "x".join(_str2tuple(attrs["stride"])) if "stride" in attrs else "1"
        return "Pooling\n{}, {}/{}".format(attrs["pool_type"], kernel, stride), _COLORS[4]
    if op in ("Concat", "Flatten", "Reshape"):
        return name, _COLORS[5]
    if op == "Softmax":
        return name, _COLORS[6]
    if op == "Custom":
        return attrs["op_type"], _COLORS[7]
    return name, _COLORS[7]


def plot_network(symbol: Symbol, title: str = "plot", save_format: str = "pdf",
                 shape: dict[str, Any] | None = None, dtype: dict[str, Any] | None = None,
                 node_attrs: dict[str, str] | None = None, hide_weights: bool = True) -> Any:
    """A ``graphviz.Digraph`` of ``symbol``'s graph, as ``mx.viz.plot_network`` draws it.

    ``shape``/``dtype`` (input name -> shape / type) label the edges;
    ``node_attrs`` overrides the default node attributes; with
    ``hide_weights`` variables named like ``*_weight``/``*_bias``/... are not
    drawn (without it they are still skipped as nodes but keep their edges,
    which graphviz draws as plain ovals, as in MXNet).
    """
    try:
        from graphviz import Digraph
    except ImportError:
        raise ImportError("Draw network requires graphviz library: mx.viz.plot_network needs "
                          "the graphviz Python package (pip install graphviz)") from None
    if not isinstance(symbol, Symbol):
        raise TypeError("symbol must be a Symbol")
    shape_dict = _shape_dict(symbol, shape) if shape is not None else None
    type_dict = None
    if dtype is not None:
        if not isinstance(dtype, dict):
            raise TypeError(f"dtype must be a dict of input name -> type, got "
                            f"{type(dtype).__name__}")
        internals = symbol.get_internals()
        _, out_types, _ = internals.infer_type(**dtype)
        if out_types is None:
            raise ValueError("Input type is incomplete")
        type_dict = dict(zip(internals.list_outputs(), out_types, strict=True))
    nodes = json.loads(symbol.tojson())["nodes"]
    names = [n["name"] for n in nodes]
    if len(names) != len(set(names)):
        seen: set[str] = set()
        repeated = {n for n in names if n in seen or seen.add(n)}
        warnings.warn("There are multiple variables with the same name in your graph, this may "
                      "result in cyclic graph. Repeated names: " + ",".join(repeated),
                      RuntimeWarning, stacklevel=2)
    node_attr = {"shape": "box", "fixedsize": "true", "width": "1.3", "height": "0.8034",
                 "style": "filled"}
    node_attr.update(node_attrs or {})
    dot = Digraph(name=title, format=save_format)

    hidden: set[str] = set()
    for node in nodes:
        attr = copy.deepcopy(node_attr)
        if node["op"] == "null":
            if node["name"].endswith(_WEIGHT_LIKE):
                if hide_weights:
                    hidden.add(node["name"])
                continue
            attr["shape"] = "oval"
            label, attr["fillcolor"] = node["name"], _COLORS[0]
        else:
            label, attr["fillcolor"] = _node_style(node)
        dot.node(name=node["name"], label=label, **attr)

    for node in nodes:
        if node["op"] == "null":
            continue
        inputs = node["inputs"]
        if node["op"] == "_contrib_BilinearResize2D":
            inputs = inputs[:1]
        for item in inputs:
            src = nodes[item[0]]
            if src["name"] in hidden:
                continue
            attr = {"dir": "back", "arrowtail": "open", "label": ""}
            key = src["name"]
            if src["op"] != "null":
                key += "_output"
                params = src.get("attrs", {})
                if "num_outputs" in params:
                    # MXNet labels every edge from a multi-output op with its last output
                    key += str(int(params["num_outputs"]) - 1)
            if shape_dict is not None and key in shape_dict:
                attr["label"] = "x".join(str(x) for x in shape_dict[key][1:])
            if type_dict is not None and key in type_dict:
                attr["label"] += "(" + type_dict[key].__name__ + ")"
            dot.edge(tail_name=node["name"], head_name=src["name"], **attr)
    return dot
