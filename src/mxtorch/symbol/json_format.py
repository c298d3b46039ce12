"""MXNet's symbol JSON: writing what MXNet 1.9.1 reads, reading what MXNet wrote in any 1.x layout.

Layout (NNVM graph JSON)::

    {"nodes": [{"op": "null" | <operator>, "name": ..., "attrs": {str: str}, "inputs": [[node, index,
     version], ...]}, ...], "arg_nodes": [...], "node_row_ptr": [...], "heads": [[node, index, version]],
     "attrs": {"mxnet_version": ["int", 10901]}}

Older files use ``attr`` or ``param`` instead of ``attrs``, two-element input entries, no
``node_row_ptr`` and no version, spell hidden attributes without underscores (``lr_mult``) and may
leave out the auxiliary-state inputs (BatchNorm's moving statistics); the reader upgrades them as
MXNet's legacy JSON passes do.
"""
from __future__ import annotations

import json
from typing import Any

from ..base import MXNetError, short_repr
from ..ops.control_flow import SUBGRAPH_COUNTS, check_node, mutated_inputs
from ..ops.registry import get_op
from . import limits
from .graph import HIDDEN_KEYS, Node, topo_order
from .infer import parse_shape_attr

__all__ = ["to_json", "from_json", "save", "MXNET_VERSION"]

MXNET_VERSION = 10901


# -- writing ------------------------------------------------------------------------------------
def to_json(heads: list) -> str:
    """The graph under ``heads`` as MXNet symbol JSON, laid out byte for byte as MXNet writes it."""
    graph = _graph_struct(heads, 0)
    graph["attrs"] = {"mxnet_version": ["int", MXNET_VERSION]}
    return _dmlc_dumps(graph, depth=0)


def _graph_struct(heads: list, depth: int) -> "_Struct":
    """One graph's JSON object (without the version, which only the outermost graph carries).
    A control-flow node's subgraphs are written inside it, under ``"subgraphs"``, as MXNet does;
    ``depth`` counts how far inside other graphs this one is."""
    if depth > limits.MAX_SUBGRAPH_DEPTH:
        raise MXNetError(f"cannot save a graph whose control-flow subgraphs nest more than "
                         f"{limits.MAX_SUBGRAPH_DEPTH} deep (limits.MAX_SUBGRAPH_DEPTH)")
    nodes = topo_order(heads)
    index = {id(n): i for i, n in enumerate(nodes)}
    out_nodes = []
    row_ptr = [0]
    for node in nodes:
        spec = _Struct(op=node.op or "null", name=node.name)
        attrs = dict(node.attrs)
        if node.subgraphs:   # MXNet counts the subgraphs among a control-flow node's arguments
            attrs["num_args"] = str(len(node.inputs) + len(node.subgraphs))
        if attrs:
            spec["attrs"] = dict(sorted(attrs.items()))
        aux = set(node.aux_positions())
        if node.subgraphs:
            aux |= mutated_inputs(node.op, node.parsed)
        # MXNet marks inputs the operator mutates (auxiliary states) with version 1
        spec["inputs"] = [[index[id(n)], i, int(k in aux)] for k, (n, i) in enumerate(node.inputs)]
        if node.subgraphs:
            spec["subgraphs"] = [_graph_struct(g._outputs, depth + 1) for g in node.subgraphs]
        out_nodes.append(spec)
        row_ptr.append(row_ptr[-1] + _mxnet_num_outputs(node))
    return _Struct(nodes=out_nodes,
                   arg_nodes=[i for i, n in enumerate(nodes) if n.is_variable],
                   node_row_ptr=row_ptr,
                   heads=[[index[id(n)], i, 0] for n, i in heads])


def _mxnet_num_outputs(node: Node) -> int:
    """How many outputs MXNet 1.9.1 gives ``node``, hidden ones included (a BatchNorm's saved mean
    and variance...): its entry declares them. mxtorch computes none of the hidden ones, but MXNet
    readers index outputs through ``node_row_ptr``, which counts them."""
    return node.num_outputs if node.is_variable else node.entry.mxnet_num_outputs(node.parsed)


class _Struct(dict):
    """An object dmlc writes as a struct (``BeginObject()``): one key per line however few keys."""


def _dmlc_dumps(value: Any, depth: int) -> str:
    """``value`` as dmlc's JSONWriter (which MXNet saves with) lays it out.

    Structs (the graph, its nodes), maps of more than one key and arrays of more than ten items or
    of objects take one line per item, indented two spaces per level and separated by ``", \\n"``
    (dmlc writes the comma and space before the line break); everything else stays on one line.
    """
    if isinstance(value, str):
        return _dmlc_string(value)
    if not isinstance(value, (dict, list)):
        return json.dumps(value)
    is_dict = isinstance(value, dict)
    if is_dict:
        multi_line = isinstance(value, _Struct) or len(value) > 1
        parts = [f"{_dmlc_string(k)}: {_dmlc_dumps(v, depth + 1)}" for k, v in value.items()]
    else:
        multi_line = len(value) > 10 or any(isinstance(v, dict) for v in value)
        parts = [_dmlc_dumps(v, depth + 1) for v in value]
    open_, close = "{}" if is_dict else "[]"
    if not parts:
        return open_ + close
    if not multi_line:
        return open_ + ", ".join(parts) + close
    inner, outer = "\n" + "  " * (depth + 1), "\n" + "  " * depth
    return open_ + inner + (", " + inner).join(parts) + outer + close


_DMLC_ESCAPES = {"\r": "\\r", "\n": "\\n", "\\": "\\\\", "\t": "\\t", '"': '\\"'}


def _dmlc_string(text: str) -> str:
    """A JSON string as dmlc writes it: only these five characters escaped, the rest verbatim."""
    return '"' + "".join(_DMLC_ESCAPES.get(ch, ch) for ch in text) + '"'


def save(fname: str, heads: list) -> None:
    """Write the symbol JSON to ``fname`` through a temporary file renamed into place."""
    from .._fileio.atomic import write_atomically
    write_atomically(fname, to_json(heads).encode("utf-8"))


# -- reading ------------------------------------------------------------------------------------
def from_json(text: str) -> "Symbol":  # noqa: F821
    """Build a Symbol from MXNet symbol JSON; malformed input raises MXNetError naming the node."""
    from .symbol import Symbol
    try:
        graph = json.loads(text)
    except RecursionError:
        raise MXNetError("symbol JSON nests too deeply (a symbol file needs a depth of six: graph, "
                         "nodes, node, inputs, entry; four more per level of control-flow "
                         "subgraphs)") from None
    except ValueError as err:   # a JSONDecodeError, or an integer past Python's digit limit
        raise MXNetError(f"symbol JSON is not valid JSON: {err}") from None
    return Symbol(_read_graph(graph, 0))


def _read_graph(graph: Any, depth: int) -> list:
    """The head entries of one graph object (the file's, or a control-flow node's subgraph at
    nesting ``depth``)."""
    what = "symbol JSON" if depth == 0 else "symbol JSON: a subgraph"
    if not isinstance(graph, dict):
        raise MXNetError(f"{what} must be an object, got {type(graph).__name__}")
    for key in ("nodes", "arg_nodes", "heads"):
        if key not in graph:
            raise MXNetError(f"{what} is missing the required key '{key}'")
    if not isinstance(graph["nodes"], list):
        raise MXNetError("symbol JSON: 'nodes' must be a list")
    for key in ("nodes", "heads"):
        if isinstance(graph[key], list) and len(graph[key]) > limits.MAX_NODES:
            raise MXNetError(f"symbol JSON has {len(graph[key])} {key}, more than the "
                             f"{limits.MAX_NODES} a graph may have (limits.MAX_NODES)")
    nodes: list = []
    for i, spec in enumerate(graph["nodes"]):
        nodes.append(_load_node(i, spec, nodes, depth))
    for nid in _int_list(graph["arg_nodes"], "arg_nodes"):
        if not 0 <= nid < len(nodes) or not nodes[nid].is_variable:
            raise MXNetError(f"symbol JSON: arg_nodes entry {nid} is not a variable node")
    if not isinstance(graph["heads"], list) or not graph["heads"]:
        raise MXNetError("symbol JSON: 'heads' must be a non-empty list of [node, index, version]")
    return [_entry(h, nodes, len(nodes), "heads") for h in graph["heads"]]


def _int_list(value: Any, what: str) -> list:
    if not isinstance(value, list) or not all(isinstance(v, int) for v in value):
        raise MXNetError(f"symbol JSON: '{what}' must be a list of node indices, got {short_repr(value)}")
    return value


def _node_label(i: int, spec: Any) -> str:
    name = spec.get("name") if isinstance(spec, dict) else None
    return f"node {i}" + (f" {short_repr(name)}" if name is not None else "")


def _check_text(label: str, what: str, text: str) -> None:
    """Names and attributes are written back as UTF-8: refuse what cannot be (lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise MXNetError(f"symbol JSON: {label}: {what} is not valid UTF-8 text "
                         f"({err.reason} at character {err.start})") from None


def _load_node(i: int, spec: Any, nodes: list, depth: int = 0) -> Node:
    label = _node_label(i, spec)
    if not isinstance(spec, dict):
        raise MXNetError(f"symbol JSON: {label} must be an object, got {type(spec).__name__}")
    for key in ("op", "name", "inputs"):
        if key not in spec:
            raise MXNetError(f"symbol JSON: {label} is missing the required key '{key}'")
    op, name = spec["op"], spec["name"]
    if not isinstance(op, str) or not isinstance(name, str):
        raise MXNetError(f"symbol JSON: {label}: 'op' and 'name' must be strings")
    _check_text(label, "the name", name)
    attrs = _upgrade_hidden_keys(_node_attrs(label, spec))
    if not isinstance(spec["inputs"], list):
        raise MXNetError(f"symbol JSON: {label}: 'inputs' must be a list")
    inputs = [_entry(e, nodes, i, f"{label} inputs") for e in spec["inputs"]]
    if op == "null":
        if inputs:
            raise MXNetError(f"symbol JSON: {label} is a variable but has inputs")
        if "__shape__" in attrs:
            parse_shape_attr(attrs["__shape__"], f"symbol JSON: {label}: __shape__")
        return Node(None, name, attrs)
    try:
        entry = get_op(op)
    except MXNetError:
        raise MXNetError(f"symbol JSON: {label}: unknown operator '{op}'") from None
    per_input = _take_per_input_keys(attrs, entry.inputs)
    subgraphs = _load_subgraphs(label, entry.name, spec, attrs, len(inputs), depth)
    node = Node(entry.name, name, attrs, inputs, entry, subgraphs)
    try:
        node.parsed  # noqa: B018  (parse and validate the attributes now)
    except MXNetError as err:
        raise MXNetError(f"symbol JSON: {label}: {err}") from None
    if node.num_outputs > limits.MAX_NODE_OUTPUTS:
        raise MXNetError(f"symbol JSON: {label}: operator {op} would have {node.num_outputs} outputs, "
                         f"more than the {limits.MAX_NODE_OUTPUTS} an operator may have "
                         f"(limits.MAX_NODE_OUTPUTS)")
    _complete_inputs(node, label)
    if subgraphs:
        try:
            check_node(entry.name, node.parsed, len(inputs))
        except MXNetError as err:
            raise MXNetError(f"symbol JSON: {label}: {err}") from None
    names = node.input_names()
    for (input_name, key), value in per_input.items():
        if input_name in names:
            node.inputs[names.index(input_name)][0].attrs[key] = value
    return node


def _load_subgraphs(label: str, op: str, spec: dict, attrs: dict, n_inputs: int, depth: int) -> tuple:
    """A control-flow node's subgraphs, read from its ``"subgraphs"`` list: as many as the operator
    runs, at most ``limits.MAX_SUBGRAPH_DEPTH`` levels deep. MXNet counts them in ``num_args``;
    mxtorch counts only the node's inputs there, so the count is checked and lowered."""
    wanted = SUBGRAPH_COUNTS.get(op, 0)
    given = spec.get("subgraphs")
    if not wanted:
        if given:
            raise MXNetError(f"symbol JSON: {label}: operator {op} takes no subgraphs, got "
                             f"{short_repr(given)}")
        return ()
    if not isinstance(given, list) or len(given) != wanted:
        raise MXNetError(f"symbol JSON: {label}: operator {op} needs a 'subgraphs' list of {wanted} "
                         f"graph(s), got {short_repr(given)}")
    if depth + 1 > limits.MAX_SUBGRAPH_DEPTH:
        raise MXNetError(f"symbol JSON: {label}: control-flow subgraphs nest more than "
                         f"{limits.MAX_SUBGRAPH_DEPTH} deep (limits.MAX_SUBGRAPH_DEPTH)")
    count = attrs.get("num_args")
    if count != str(n_inputs + wanted):
        raise MXNetError(f"symbol JSON: {label}: operator {op} has {n_inputs} input(s) and {wanted} "
                         f"subgraph(s), so num_args must be {n_inputs + wanted}, got {short_repr(count)}")
    attrs["num_args"] = str(n_inputs)
    from .symbol import Symbol
    graphs = []
    for k, graph in enumerate(given):
        try:
            graphs.append(Symbol(_read_graph(graph, depth + 1)))
        except MXNetError as err:
            inner = str(err).removeprefix("symbol JSON: ")
            raise MXNetError(f"symbol JSON: {label}: subgraph {k}: {inner}") from None
    return tuple(graphs)


def _node_attrs(label: str, spec: dict) -> dict:
    attrs: dict = {}
    for key in ("param", "attr", "attrs"):   # oldest layout first; 'attrs' (1.x) wins
        value = spec.get(key)
        if value is None:
            continue
        if not isinstance(value, dict):
            raise MXNetError(f"symbol JSON: {label}: '{key}' must be an object of strings")
        for k, v in value.items():
            if not isinstance(v, str):
                raise MXNetError(f"symbol JSON: {label}: attribute {short_repr(k)} must be a string, "
                                 f"got {short_repr(v)}")
            _check_text(label, f"attribute {short_repr(k)}", k + v)
        attrs.update(value)
    return attrs


def _entry(value: Any, nodes: list, limit: int, where: str) -> tuple:
    """An input or head entry ``[node, index(, version)]`` referring to a node before ``limit``."""
    if (not isinstance(value, list) or len(value) not in (2, 3)
            or not all(isinstance(v, int) for v in value)):
        raise MXNetError(f"symbol JSON: {where}: entry {short_repr(value)} must be [node, index, version]")
    nid, index = value[0], value[1]
    if not 0 <= nid < limit:
        raise MXNetError(f"symbol JSON: {where}: entry {short_repr(value)} refers to node {short_repr(nid)}, "
                         f"which does not come before it (a cycle, or nodes out of order)")
    source = nodes[nid]
    if not 0 <= index < source.num_outputs:
        raise MXNetError(f"symbol JSON: {where}: entry {short_repr(value)} asks for output "
                         f"{short_repr(index)} of node '{source.name}', which has {source.num_outputs} "
                         f"output(s)")
    return source, index


def _upgrade_hidden_keys(attrs: dict) -> dict:
    """Old files spell hidden attributes without underscores (``lr_mult``); MXNet renames them."""
    return {f"__{k}__" if k in HIDDEN_KEYS else k: v for k, v in attrs.items()}


def _take_per_input_keys(attrs: dict, inputs: tuple) -> dict:
    """Remove old per-input hidden keys (``weight_lr_mult``) from an operator's attributes; MXNet
    moves them to that input variable (as ``__lr_mult__``). Returns {(input, key): value}."""
    moved = {}
    for key in list(attrs):
        for hidden in HIDDEN_KEYS:
            prefix = key[:-len(hidden) - 1]
            if key.endswith("_" + hidden) and prefix in inputs:
                moved[(prefix, f"__{hidden}__")] = attrs.pop(key)
    return moved


def _complete_inputs(node: Node, label: str) -> None:
    """Check the input count; add the auxiliary-state variables very old files leave out."""
    count = node.entry.variadic
    if count is not None and count in node.attrs and node.parsed[count] != len(node.inputs):
        raise MXNetError(f"symbol JSON: {label}: operator {node.op} says {count}="
                         f"{node.parsed[count]} but has {len(node.inputs)} input(s)")
    names = node.input_names()
    if len(node.inputs) > len(names) or (len(node.inputs) < len(names) and node.entry.variadic):
        raise MXNetError(f"symbol JSON: {label}: operator {node.op} takes {len(names)} inputs "
                         f"{names}, got {len(node.inputs)}")
    missing = names[len(node.inputs):]
    if any(n not in node.entry.aux_inputs(node.parsed) for n in missing):
        raise MXNetError(f"symbol JSON: {label}: operator {node.op} is missing input(s) {missing} "
                         f"(it takes {names})")
    for input_name in missing:
        var = Node(None, f"{node.name}_{input_name}", node.attrs)
        init = node.entry.input_init.get(input_name)
        if init is not None:
            var.attrs["__init__"] = init
        node.inputs.append((var, 0))
