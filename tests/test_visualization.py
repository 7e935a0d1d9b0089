"""mx.viz: print_summary and plot_network against MXNet 1.9.1's recorded output.

``fixtures/viz_init/mxnet_viz_init.json`` was written by real MXNet 1.9.1
(``fixtures/viz_init/record_mxnet.py``): the exact print_summary text, and every
``Digraph.node``/``edge`` call plot_network made, for the tutorial MLP, LeNet,
a net with Convolution/BatchNorm/LeakyReLU/Pooling/SliceChannel/Concat/Reshape,
and an Embedding net.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import mxjax as mx
from mxjax import visualization as viz
from mxjax.base import MXNetError

graphviz = pytest.importorskip("graphviz")

REF = json.loads((Path(__file__).parent / "fixtures" / "viz_init" /
                  "mxnet_viz_init.json").read_text())
MLP_PARAMS = 16 * 64 + 64 + 64 * 26 + 26  # fc1 (in+1)*64, fc2 (64+1)*26 = 2778


def tutorial_mlp() -> mx.sym.Symbol:
    """The Module tutorial's network, built the way the tutorial builds it."""
    net = mx.sym.var("data")
    net = mx.sym.FullyConnected(net, name="fc1", num_hidden=64)
    net = mx.sym.Activation(net, name="relu1", act_type="relu")
    net = mx.sym.FullyConnected(net, name="fc2", num_hidden=26)
    return mx.sym.SoftmaxOutput(net, name="softmax")


def load_ref_symbol(name: str) -> mx.sym.Symbol:
    """A recorded MXNet symbol, or skip while its operators are not in mxjax yet."""
    try:
        return mx.sym.load_json(REF["symbols"][name])
    except MXNetError as err:
        if "not registered" in str(err):
            pytest.skip(f"{name} needs an operator mxjax does not have yet: {err}")
        raise


def summary_text(sym, **kwargs) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        viz.print_summary(sym, **kwargs)
    return buf.getvalue()


def mxnet_digraph(rec: dict):
    """The Digraph MXNet built, replayed with the installed graphviz (version-independent)."""
    dot = graphviz.Digraph(**rec["init"])
    for n in rec["nodes"]:
        dot.node(n["name"], label=n["label"], **n["attrs"])
    for e in rec["edges"]:
        dot.edge(e["tail"], e["head"], **e["attrs"])
    return dot


def test_tutorial_mlp_json_is_mxnets():
    assert tutorial_mlp().tojson() == REF["symbols"]["mlp"]


# ------------------------------------------------------------------ print_summary
@pytest.mark.parametrize("case,kwargs", [
    ("mlp/shape", {"shape": {"data": (8, 16)}}),
    ("mlp/noshape", {}),
    ("mlp/line80", {"shape": {"data": (8, 16)}, "line_length": 80, "positions": [30, 50, 60, 80]}),
])
def test_print_summary_tutorial_mlp_is_mxnets_text(case, kwargs):
    assert summary_text(tutorial_mlp(), **kwargs) == REF["summary"][case]


def test_print_summary_mlp_rows_and_total_params():
    lines = summary_text(tutorial_mlp(), shape={"data": (8, 16)}).splitlines()
    assert lines[1].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#", "Previous",
                                "Layer"]
    rows = {ln.split()[0]: ln.split()[1:] for ln in lines if "(" in ln and ")" in ln}
    assert rows["fc1(FullyConnected)"] == ["64", str((16 + 1) * 64), "data"]
    assert rows["fc2(FullyConnected)"] == ["26", str((64 + 1) * 26), "relu1"]
    assert rows["data(null)"] == ["16", "0"]
    assert lines[-2] == f"Total params: {MLP_PARAMS}" == "Total params: 2778"
    # column starts at int(120 * [.44, .64, .74])
    fc1 = next(ln for ln in lines if ln.startswith("fc1("))
    assert (fc1[52:54], fc1[76:80], fc1[88:92]) == ("64", "1088", "data")


def test_print_summary_without_shape_counts_only_known_parts():
    # MXNet: no input channels without shapes, so FC counts only its bias
    assert summary_text(tutorial_mlp()).splitlines()[-2] == "Total params: 90"


@pytest.mark.parametrize("net", ["lenet", "mixed", "embed"])
@pytest.mark.parametrize("with_shape", [True, False])
def test_print_summary_other_nets_are_mxnets_text(net, with_shape):
    sym = load_ref_symbol(net)
    kwargs = {"shape": {k: tuple(v) for k, v in REF["shapes"][net].items()}} if with_shape \
        else {}
    key = f"{net}/{'shape' if with_shape else 'noshape'}"
    assert summary_text(sym, **kwargs) == REF["summary"][key]


def test_param_counts_follow_mxnets_formulas():
    nodes = {f"{k}/{n['name']}": n for k in ("lenet", "mixed", "embed")
             for n in json.loads(REF["symbols"][k])["nodes"]}
    # Convolution: C_in * F / groups * prod(kernel) (+ F); LeNet conv1/conv2 as MXNet printed
    assert viz._layer_params(nodes["lenet/conv1"], 1, None) == 1 * 20 * 25 + 20 == 520
    assert viz._layer_params(nodes["lenet/conv2"], 20, None) == 20 * 50 * 25 + 50 == 25050
    # no_bias, num_group=3: 3 * 6 // 3 * 9
    assert viz._layer_params(nodes["mixed/conv"], 3, None) == 54
    # BatchNorm: 2 * channels of its output
    assert viz._layer_params(nodes["mixed/bn"], 6, {"bn_output": (2, 6, 8, 8)}) == 12
    assert viz._layer_params(nodes["mixed/bn"], 6, None) == 0
    # Embedding: input_dim * output_dim; FullyConnected no_bias: C_in * H
    assert viz._layer_params(nodes["embed/embed"], 0, None) == 10 * 3
    assert viz._layer_params(nodes["mixed/fc"], 6, None) == 24
    assert viz._layer_params(nodes["embed/fc"], 15, None) == (15 + 1) * 2
    assert viz._layer_params(nodes["lenet/pool1"], 20, None) == 0


def test_print_summary_rejects_non_symbol_and_incomplete_shape():
    with pytest.raises(TypeError, match="symbol must be Symbol"):
        viz.print_summary("fc1")
    with pytest.raises(ValueError, match="Input shape is incomplete"):
        viz.print_summary(tutorial_mlp(), shape={})


# ------------------------------------------------------------------- plot_network
@pytest.mark.parametrize("case,kwargs", [
    ("mlp/noshape", {}),
    ("mlp/shape", {"shape": {"data": (8, 16)}}),
    ("mlp/dtype", {"shape": {"data": (8, 16)}, "dtype": {"data": np.float32}, "title": "net",
                   "save_format": "png"}),
    ("mlp/weights", {"hide_weights": False,
                     "node_attrs": {"shape": "oval", "fixedsize": "false"}}),
])
def test_plot_network_tutorial_mlp_is_mxnets_graph(case, kwargs):
    dot = viz.plot_network(tutorial_mlp(), **kwargs)
    assert isinstance(dot, graphviz.Digraph)
    assert dot.source == mxnet_digraph(REF["plot"][case]["calls"]).source


def test_plot_network_mlp_labels_edges_and_hidden_weights():
    dot = viz.plot_network(tutorial_mlp(), shape={"data": (8, 16)})
    src = dot.source
    assert 'fc1 [label="FullyConnected\n64"' in src
    assert 'relu1 [label="Activation\nrelu"' in src
    assert "fc1 -> data [label=16" in src and "softmax -> fc2 [label=26" in src
    assert "weight" not in src and "bias" not in src
    assert (dot.name, dot.format) == ("plot", "pdf")


def test_plot_network_shown_weights_keep_edges_but_no_nodes():
    src = viz.plot_network(tutorial_mlp(), hide_weights=False).source
    assert "fc1 -> fc1_weight" in src and "fc2 -> fc2_bias" in src
    assert "\n\tfc1_weight [" not in src


@pytest.mark.parametrize("net", ["lenet", "mixed", "embed"])
@pytest.mark.parametrize("with_shape", [True, False])
def test_plot_network_other_nets_are_mxnets_graph(net, with_shape):
    sym = load_ref_symbol(net)
    kwargs = {"shape": {k: tuple(v) for k, v in REF["shapes"][net].items()}} if with_shape \
        else {}
    key = f"{net}/{'shape' if with_shape else 'noshape'}"
    assert viz.plot_network(sym, **kwargs).source == \
        mxnet_digraph(REF["plot"][key]["calls"]).source


@pytest.mark.parametrize("net", ["lenet", "mixed", "embed", "mlp"])
def test_node_labels_and_colours_match_mxnet_for_every_op(net):
    """Convolution/Pooling/BatchNorm/LeakyReLU/... labels, checked on MXNet's JSON nodes."""
    nodes = {n["name"]: n for n in json.loads(REF["symbols"][net])["nodes"]}
    recorded = REF["plot"][f"{net}/noshape"]["calls"]["nodes"]
    ops = [r for r in recorded if nodes[r["name"]]["op"] != "null"]
    assert ops
    for r in ops:
        assert viz._node_style(nodes[r["name"]]) == (r["label"], r["attrs"]["fillcolor"])
    labels = {r["name"]: r["label"] for r in recorded}
    if net == "lenet":
        assert labels["conv1"] == "Convolution\n5x5/1, 20"
        assert labels["pool1"] == "Pooling\nmax, 2x2/2x2"
    if net == "mixed":
        assert labels["gpool"] == "Pooling\nmax, []/1"
        assert labels["lrelu"] == "LeakyReLU\nleaky"


def test_plot_network_warns_on_duplicate_names():
    with mx.name.NameManager():  # automatic names as in the fresh process MXNet recorded
        dup = mx.sym.var("x") + mx.sym.var("x")
    rec = REF["plot"]["dup/noshape"]
    with pytest.warns(RuntimeWarning) as got:
        dot = viz.plot_network(dup)
    assert [str(w.message) for w in got] == rec["warnings"]
    assert dot.source == mxnet_digraph(rec["calls"]).source


def test_plot_network_without_graphviz_raises_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(ImportError, match="graphviz"):
        viz.plot_network(tutorial_mlp())


def test_plot_network_rejects_bad_input():
    with pytest.raises(TypeError, match="symbol must be a Symbol"):
        viz.plot_network(None)
    with pytest.raises(ValueError, match="Input shape is incomplete"):
        viz.plot_network(tutorial_mlp(), shape={})
