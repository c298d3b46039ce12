"""Visualization module: ``plot_network`` (a graphviz Digraph of a symbol) and ``print_summary``
(a layer table with parameter counts), drawn from the symbol's JSON as MXNet does."""
from __future__ import annotations

import copy
import json
import warnings
from typing import Any, Optional, Sequence

from .ops import get_op
from .ops.registry import PLOT_COLORS
from .symbol import Symbol
from .symbol.graph import is_hidden

__all__ = ["plot_network", "print_summary"]


def _shape_dict(symbol: Symbol, shape: dict) -> dict:
    internals = symbol.get_internals()
    _, out_shapes, _ = internals.infer_shape(**shape)
    if out_shapes is None:
        raise ValueError("Input shape is incomplete")
    return dict(zip(internals.list_outputs(), out_shapes))


def _operator(node: dict) -> tuple:
    """``(entry, parsed attributes, names of the attributes the call gave)`` of a JSON operator node."""
    entry = get_op(node["op"])
    given = {k: v for k, v in node.get("attrs", {}).items() if not is_hidden(k)}
    return entry, entry.parse_attrs(given), set(given)


def _layer_params(node: dict, pre_filter: int, shape_dict: Optional[dict]) -> int:
    """The parameter count print_summary shows for one layer: the entry's ``summary_params``
    (MXNet's arithmetic, from the channels of the layer's inputs), 0 where it declares none."""
    if node["op"] == "null":
        return 0
    entry, attrs, _ = _operator(node)
    if entry.summary_params is None:
        return 0
    out_shape = shape_dict.get(node["name"] + "_output") if shape_dict is not None else None
    return entry.summary_params(attrs, pre_filter, out_shape)


def print_summary(symbol: Symbol, shape: Optional[dict] = None, line_length: int = 120,
                  positions: Sequence[float] = (.44, .64, .74, 1.)) -> None:
    """Print a table of a symbol's layers: output shapes, parameter counts and inputs.

    One row per operator node (and per input variable that is a graph output), with the number
    of parameters each contributes, followed by the total. Shapes are shown when ``shape``
    lets them be inferred.

    Parameters
    ----------
    symbol: Symbol
        The graph to describe.
    shape: dict
        Input shapes by name (``{'data': (1, 3, 224, 224)}``), used to infer every output shape.
    line_length: int
        Width of the table in characters.
    positions: list
        Where each of the four columns ends: fractions of ``line_length`` when the last is at
        most 1, else absolute character positions.

    Returns
    ------
    None
    """
    if not isinstance(symbol, Symbol):
        raise TypeError("symbol must be Symbol")
    shape_dict = _shape_dict(symbol, shape) if shape is not None else None
    conf = json.loads(symbol.tojson())
    nodes = conf["nodes"]
    heads = set(conf["heads"][0])
    if positions[-1] <= 1:
        positions = [int(frac * line_length) for frac in positions]

    def print_row(fields: list) -> None:
        line = ""
        for i, field in enumerate(fields):
            line += str(field)
            line = line[:positions[i]]
            line += " " * (positions[i] - len(line))
        print(line)

    def output_key(node: dict) -> str:
        return node["name"] + "_output" if node["op"] != "null" else node["name"]

    def print_layer_summary(node: dict, out_shape: Sequence[int]) -> int:
        pre_node, pre_filter = [], 0
        if node["op"] != "null":
            for item in node["inputs"]:
                input_node = nodes[item[0]]
                if item[0] in heads or input_node["op"] != "null":
                    pre_node.append(input_node["name"])
                    key = output_key(input_node)
                    if shape_dict is not None and key in shape_dict:
                        pre_filter += int(shape_dict[key][1:][0])
        cur_param = _layer_params(node, pre_filter, shape_dict)
        print_row([f"{node['name']}({node['op']})", "x".join(str(x) for x in out_shape), cur_param,
                   pre_node[0] if pre_node else ""])
        for extra in pre_node[1:]:
            print_row(["", "", "", extra])
        return cur_param

    print("_" * line_length)
    print_row(["Layer (type)", "Output Shape", "Param #", "Previous Layer"])
    print("=" * line_length)
    total_params = 0
    for i, node in enumerate(nodes):
        if node["op"] == "null" and i > 0:
            continue
        out_shape: Sequence[int] = []
        if shape_dict is not None and (node["op"] != "null" or i in heads):
            out_shape = shape_dict.get(output_key(node), ())[1:]
        total_params += print_layer_summary(node, out_shape)
        print("=" * line_length if i == len(nodes) - 1 else "_" * line_length)
    print(f"Total params: {total_params}")
    print("_" * line_length)


# -- plot_network -----------------------------------------------------------------------------------
# Labels and colours come from the operator entries (OpDef.label). MXNet's visualization also
# special-cases "Softmax" (its JSON never holds that name: it saves SoftmaxOutput), "Custom" and
# "_contrib_BilinearResize2D"; mxtorch's table has none of them, so nothing here stands for them.
_WEIGHT_LIKE = ("_weight", "_bias", "_beta", "_gamma", "_moving_var", "_moving_mean",
                "_running_var", "_running_mean")


def _edge_key(nodes: list, item: list) -> str:
    """The ``list_outputs`` name of the output an edge carries (a variable: its name).

    MXNet labels every edge leaving a multi-output node with the shape of its last output (its
    ``num_outputs`` attribute minus one); the output the edge carries is the same for equal
    parts (SliceChannel) and the right one where the parts differ."""
    input_node = nodes[item[0]]
    if input_node["op"] == "null":
        return input_node["name"]
    entry, attrs, _ = _operator(input_node)
    return f"{input_node['name']}_{entry.list_outputs(attrs)[item[1]]}"


def plot_network(symbol: Symbol, title: str = "plot", save_format: str = "pdf",
                 shape: Optional[dict] = None, dtype: Optional[dict] = None,
                 node_attrs: Optional[dict] = None, hide_weights: bool = True) -> Any:
    """Draw a symbol's graph as a Graphviz digraph, one node per operator and input.

    Needs the ``graphviz`` Python package. Nodes are coloured by operator kind; edges are
    labelled with the tensor shapes (and dtypes) flowing along them when ``shape`` (``dtype``)
    is given.

    Parameters
    ----------
    symbol: Symbol
        The graph; everything its outputs depend on is drawn.
    title: str, optional
        Name of the digraph (and of the file ``view``/``render`` writes).
    save_format: str, optional
        Output format used when the digraph is rendered (``'pdf'``, ``'png'``...).
    shape: dict, optional
        Input shapes by name; edges then carry the inferred shapes.
    dtype: dict, optional
        Input dtypes by name (``numpy.float32``...); edges then carry the inferred dtypes.
    node_attrs: dict, optional
        Graphviz node attributes that override the defaults, e.g.
        ``{"shape": "oval", "fixedsize": "false"}``.
    hide_weights: bool, optional
        Leave out the ``*_weight`` and ``*_bias`` inputs (and other parameter variables) so that
        the drawing shows the data flow only; True by default.

    Returns
    -------
    dot: Digraph
        The ``graphviz.Digraph``; ``dot.render()`` or ``dot.view()`` writes it out.

    Examples
    --------
    >>> data = mx.sym.var('data')
    >>> fc = mx.sym.FullyConnected(data, name='fc1', num_hidden=16)
    >>> out = mx.sym.SoftmaxOutput(mx.sym.relu(fc), name='out')
    >>> dot = mx.viz.plot_network(out, shape={'data': (8, 32)})  # doctest: +SKIP
    """
    try:
        from graphviz import Digraph
    except ImportError:
        raise ImportError("Draw network requires graphviz library") from None
    if not isinstance(symbol, Symbol):
        raise TypeError("symbol must be a Symbol")
    shape_dict = _shape_dict(symbol, shape) if shape is not None else None
    type_dict = None
    if dtype is not None:
        internals = symbol.get_internals()
        _, out_types, _ = internals.infer_type(**dtype)
        if out_types is None:
            raise ValueError("Input type is incomplete")
        type_dict = {name: t for name, t in zip(internals.list_outputs(), out_types)}
    nodes = json.loads(symbol.tojson())["nodes"]
    names = [node["name"] for node in nodes]
    if len(names) != len(set(names)):
        repeated = sorted({n for n in names if names.count(n) > 1})
        warnings.warn("There are multiple variables with the same name in your graph, this may "
                      "result in cyclic graph. Repeated names: " + ",".join(repeated), RuntimeWarning,
                      stacklevel=2)
    node_attr = {"shape": "box", "fixedsize": "true", "width": "1.3", "height": "0.8034",
                 "style": "filled"}
    node_attr.update(node_attrs or {})
    dot = Digraph(name=title, format=save_format)
    hidden_nodes = set()
    for node in nodes:
        attr = copy.deepcopy(node_attr)
        if node["op"] == "null":
            if node["name"].endswith(_WEIGHT_LIKE):
                if hide_weights:
                    hidden_nodes.add(node["name"])
                continue  # not drawn; without hide_weights its edges draw it as an empty oval
            attr["shape"] = "oval"
            label, attr["fillcolor"] = node["name"], PLOT_COLORS["variable"]
        else:
            entry, attrs, given = _operator(node)
            label, color = entry.label(node["name"], attrs, given)
            attr["fillcolor"] = PLOT_COLORS[color]
        dot.node(name=node["name"], label=label, **attr)
    for node in nodes:
        if node["op"] == "null":
            continue
        for item in node["inputs"]:
            input_node = nodes[item[0]]
            if input_node["name"] in hidden_nodes:
                continue
            attr = {"dir": "back", "arrowtail": "open", "label": ""}
            key = _edge_key(nodes, item)
            if shape_dict is not None:
                attr["label"] = "x".join(str(x) for x in shape_dict[key][1:])
            if type_dict is not None:
                attr["label"] += "(" + type_dict[key].__name__ + ")"
            dot.edge(tail_name=node["name"], head_name=input_node["name"], **attr)
    return dot
