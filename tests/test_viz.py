"""mx.viz.plot_network and print_summary against MXNet 1.9.1 (golden: symbol/viz.json), and the
talk's LeNet rendered to SVG through graphviz."""
import json
import shutil

import graphviz
import pytest

import mxtorch as mx
from tests.conftest import GOLDEN
from tests.symbol.symbol_cases import CASES, LENET

GOLD = json.loads((GOLDEN / "symbol" / "viz.json").read_text())
VIZ_CASES = {"lenet": ("lenet", {"shape": {"data": (1, 1, 28, 28)}}),
             "lenet_plain": ("lenet", {}),
             "batchnorm": ("batchnorm", {"shape": {"x": (2, 3, 5, 5)}, "dtype": {"x": "float32"},
                                         "hide_weights": False, "node_attrs": {"shape": "oval"}}),
             "multi_output": ("multi_output", {"shape": {"x": (2, 3, 4)}})}


def build(code):
    scope = {"mx": mx}
    with mx.name.NameManager():
        exec(code, scope)  # noqa: S102 - trusted test programs
    return scope["out"]


def record(monkeypatch, plot):
    calls = {"nodes": [], "edges": []}
    node, edge = graphviz.Digraph.node, graphviz.Digraph.edge

    def rec_node(self, name, label=None, **attrs):
        calls["nodes"].append({"name": name, "label": label, "attrs": attrs})
        return node(self, name, label, **attrs)

    def rec_edge(self, tail_name, head_name, **attrs):
        calls["edges"].append({"tail": tail_name, "head": head_name, "attrs": attrs})
        return edge(self, tail_name, head_name, **attrs)

    monkeypatch.setattr(graphviz.Digraph, "node", rec_node)
    monkeypatch.setattr(graphviz.Digraph, "edge", rec_edge)
    dot = plot()
    calls["name"], calls["format"] = dot.name, dot.format
    return calls


@pytest.mark.parametrize("key", sorted(VIZ_CASES))
def test_plot_network_matches_mxnet(key, monkeypatch):
    case, kwargs = VIZ_CASES[key]
    sym = build(CASES[case]["code"])
    assert record(monkeypatch, lambda: mx.viz.plot_network(sym, **kwargs)) == GOLD["plot"][key]


@pytest.mark.parametrize("key,shape", [("lenet", {"data": (1, 1, 28, 28)}),
                                       ("batchnorm", {"x": (2, 3, 5, 5)}),
                                       ("small_lenet", {"data": (1, 1, 28, 28)})])
def test_print_summary_matches_mxnet(key, shape, capsys):
    mx.viz.print_summary(build(CASES[key]["code"]), shape=shape)
    assert capsys.readouterr().out == GOLD["summary"][key]


def test_visualization_alias_and_errors():
    assert mx.visualization.plot_network is mx.viz.plot_network
    lenet = build(LENET)
    with pytest.raises(ValueError, match="Input shape is incomplete"):
        mx.viz.plot_network(lenet, shape={"softmax_label": (1,)})
    with pytest.raises(TypeError):
        mx.viz.print_summary("not a symbol")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Debian's graphviz (the dot binary) is "
                    "not installed: `apt-get install -y graphviz` (make test does)")
def test_talk_lenet_renders_to_svg(tmp_path):
    dot = mx.viz.plot_network(build(LENET), shape={"data": (1, 1, 28, 28)}, save_format="svg")
    path = dot.render(str(tmp_path / "lenet"))
    svg = open(path, encoding="utf-8").read()
    for text in ("Convolution", "5x5/1, 20", "5x5/1, 50", "Pooling", "max, 2x2/2x2",
                 "FullyConnected", "Activation", "tanh", "20x24x24", "20x12x12", "50x8x8", "800",
                 "500"):
        assert f">{text}<" in svg, text
