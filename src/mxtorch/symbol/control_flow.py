"""Control flow of MXNet's Symbol API: ``sym.contrib.foreach``, ``while_loop`` and ``cond``.

Each calls the user's Python functions once, on placeholder variables, to build their graphs
(the loop body, the condition, the branches), and returns the outputs of one node (``_foreach``,
``_while_loop``, ``_cond``: ``mxtorch/ops/control_flow.py``) that carries those graphs as its
subgraphs and runs them when executed. The variables the functions reach outside their arguments
(a layer's weights, another input) become inputs of that node, so shape inference, deferred
initialization and gradients see them as in any graph; so do the outputs of nodes built outside
the functions, which the subgraph reads as variables named after them (MXNet's cut). This is also
what ``F.contrib.foreach`` is inside a hybridized block.

The graphs are built as MXNet builds them, so that symbol files match MXNet's: every node made
inside a function carries the subgraph's ``__subgraph_name__`` (``foreach0``, numbered per process),
placeholders are named after the symbol they stand for (``data-0``), a head the subgraph does not
compute passes through an identity node, and the control-flow node is named after its operator
(``_foreach0``). The ``name`` arguments name the subgraphs, as in MXNet.
"""
from __future__ import annotations

import collections
from typing import Any, Callable, Optional

from .. import attribute
from .._nesting import flatten, regroup
from ..base import MXNetError
from .graph import Node, topo_order
from .symbol import Group, Symbol, create, var

__all__ = ["foreach", "while_loop", "cond"]


def _flatten(value: Any, what: str) -> tuple:
    return flatten(value, Symbol, what, "a Symbol")


_regroup = regroup


def _inputs(graph: Symbol) -> list:
    """The variable nodes a graph reads, in graph order (``list_inputs``: what MXNet's location
    attributes index)."""
    return [n for n in topo_order(graph._outputs) if n.is_variable]


# how many subgraphs of each name this process has built: MXNet numbers them (foreach0, ...)
_SUBGRAPH_NAMES: collections.Counter = collections.Counter()


def _subgraph_name(name: str) -> str:
    """A fresh ``__subgraph_name__`` for a subgraph called ``name``: numbered per name and, inside
    another subgraph, prefixed with that one's (``foreach0$foreach0``), as MXNet does."""
    outer = attribute.current().get(None).get("__subgraph_name__", "")
    if outer:
        name = f"{outer}${name}"
    _SUBGRAPH_NAMES[name] += 1
    return f"{name}{_SUBGRAPH_NAMES[name] - 1}"


def _placeholders(symbols: list) -> list:
    """One variable per symbol, named as MXNet names loop placeholders: ``<name>-<output>``
    (``data-0``). Inputs that would share a name are refused, as MXNet refuses them."""
    names = [f"{s._outputs[0][0].name}-{s._outputs[0][1]}" for s in symbols]
    if len(set(names)) != len(names):
        raise MXNetError(f"the loop inputs must be distinct symbols; their placeholders {names} repeat "
                         "a name")
    return [var(n) for n in names]


def _computed(outputs: list, scope: str, states: tuple = ()) -> list:
    """The subgraph's heads: ``outputs`` (then ``states``) with an identity node in front of each
    one the subgraph does not compute itself (a variable, or a node built outside ``scope``) and
    of each state that is also an output, as MXNet does so that every head is computed inside."""
    out_names = {o._outputs[0][0].name for o in outputs}

    def own(s: Symbol, also_output: bool) -> Symbol:
        node = s._outputs[0][0]
        if node.is_variable or also_output or node.attrs.get("__subgraph_name__", "") != scope:
            return create("_copy", [s], {}, hint="identity")
        return s
    with attribute.AttrScope(__subgraph_name__=scope):
        return ([own(o, False) for o in outputs]
                + [own(s, s._outputs[0][0].name in out_names) for s in states])


def _node(op_name: str, inputs: list, attrs: dict, subgraphs: tuple) -> Symbol:
    """The control-flow node: ``create`` validates it and names it after the operator
    (``_foreach0``, as MXNet), then it takes its subgraphs. Location attributes are written as
    MXNet writes them (``[0, 2]``)."""
    attrs = {k: str(list(v)) if isinstance(v, tuple) else v for k, v in attrs.items()}
    out = create(op_name, inputs, attrs, hint=op_name)
    node = out._outputs[0][0]
    node.subgraphs = tuple(subgraphs)
    node._parsed = None
    return out


def _cut(heads: list, scope: str) -> tuple:
    """The subgraph under ``heads`` (Symbols computed inside ``scope``) cut where it reads a node
    built outside the scope, as MXNet cuts it: each such entry becomes a variable named after it
    (``_plus0_output``), and the node feeds the outer entry in. So an outer computation runs once,
    before the loop, rather than once per step. Returns (the subgraph, {cut variable name: outer
    Symbol})."""
    copies: dict = {}
    cuts: dict = {}
    outer: dict = {}
    for node in topo_order([h._outputs[0] for h in heads]):
        if node.is_variable or node.attrs.get("__subgraph_name__") != scope:
            continue
        inputs = []
        for source, index in node.inputs:
            if source.is_variable:
                inputs.append((source, index))
            elif id(source) in copies:
                inputs.append((copies[id(source)], index))
            else:
                key = (id(source), index)
                if key not in cuts:
                    cuts[key] = Node(None, source.output_names()[index])
                    outer[cuts[key].name] = Symbol([(source, index)])
                inputs.append((cuts[key], 0))
        copies[id(node)] = node.clone(inputs)
    graph = Group([Symbol([(copies[id(n)], i)]) for h in heads for n, i in h._outputs])
    return graph, outer


def _outer_inputs(graphs: list, loop_names: list, cut: dict) -> list:
    """(name, outer Symbol) for each variable the graphs read that is not a loop placeholder,
    each once, in order: an outer variable itself, or the outer entry a cut variable stands for."""
    seen = set(loop_names)
    found = []
    for graph in graphs:
        for node in _inputs(graph):
            if node.name not in seen:
                seen.add(node.name)
                found.append((node.name, cut.get(node.name, Symbol([(node, 0)]))))
    return found


def foreach(body: Callable, data: Any, init_states: Any, name: str = "foreach") -> tuple:
    """Run ``body`` over the slices of ``data`` along axis 0, carrying states (a graph node).

    ``body(data_slice, states)`` is called once, on placeholders, and returns ``(outputs,
    new_states)``; the node runs it once per slice. Returns ``(outputs, states)``: the outputs
    stacked along a new first axis and the final states, nested as ``body`` and ``init_states``
    are.
    """
    flat_data, data_fmt = _flatten(data, "foreach data")
    flat_states, state_fmt = _flatten(init_states, "foreach states")
    scope = _subgraph_name(name)
    with attribute.AttrScope(__subgraph_name__=scope):
        loop_vars = _placeholders(flat_data + flat_states)
        data_vars, state_vars = loop_vars[:len(flat_data)], loop_vars[len(flat_data):]
        piece = _regroup(data_vars, data_fmt)[0]
        states_in = _regroup(state_vars, state_fmt)[0] if flat_states else init_states
        outs, new_states = body(piece, states_in)
    flat_outs, out_fmt = _flatten(outs, "foreach output")
    flat_new, _ = _flatten(new_states, "foreach states")
    if len(flat_new) != len(flat_states):
        raise MXNetError(f"foreach: body returned {len(flat_new)} states, expected {len(flat_states)}")
    graph, cut = _cut(_computed(flat_outs, scope, tuple(flat_new)), scope)
    names = [n.name for n in _inputs(graph)]
    loop = [v.name for v in data_vars + state_vars]
    unused = [n for n in loop if n not in names]
    if unused:
        raise MXNetError(f"foreach: the body must use every data slice and state; it ignores {unused}")
    remain = _outer_inputs([graph], loop, cut)
    attrs = {"num_outputs": len(flat_outs) + len(flat_new), "num_out_data": len(flat_outs),
             "in_data_locs": tuple(names.index(v.name) for v in data_vars),
             "in_state_locs": tuple(names.index(v.name) for v in state_vars),
             "remain_locs": tuple(names.index(n) for n, _ in remain)}
    inputs = flat_data + flat_states + [outer for _, outer in remain]
    node = _node("_foreach", inputs, attrs, (graph,))
    results = [node[i] for i in range(len(flat_outs) + len(flat_new))]
    outputs = _regroup(results[:len(flat_outs)], out_fmt)[0] if flat_outs else []
    states = _regroup(results[len(flat_outs):], state_fmt)[0] if flat_states else []
    return outputs, states


def while_loop(cond: Callable, func: Callable, loop_vars: Any, max_iterations: Optional[int] = None,
               name: str = "while_loop") -> tuple:
    """Run ``func`` while ``cond`` holds, at most ``max_iterations`` times (a graph node).

    ``cond(*loop_vars)`` gives a one-element Symbol; ``func(*loop_vars)`` gives ``(step_output,
    new_loop_vars)``. Returns ``(outputs, loop_vars)``: the step outputs stacked to
    ``max_iterations`` rows (zeros past the last step) and the final loop variables.
    """
    if max_iterations is None:
        raise MXNetError("while_loop: max_iterations should be specified")
    single = isinstance(loop_vars, Symbol)
    flat_vars, _ = _flatten([loop_vars] if single else list(loop_vars), "while_loop loop_vars")
    if not flat_vars:
        raise MXNetError("while_loop: loop_vars should contain at least one element")
    cond_scope = _subgraph_name(name + "_cond")
    with attribute.AttrScope(__subgraph_name__=cond_scope):
        pred = cond(*_placeholders(flat_vars))
    if not isinstance(pred, Symbol):
        raise MXNetError(f"while_loop: cond must return a Symbol, got {type(pred).__name__}")
    cond_graph, cond_cut = _cut(_computed([pred], cond_scope), cond_scope)
    func_scope = _subgraph_name(name + "_func")
    with attribute.AttrScope(__subgraph_name__=func_scope):
        placeholders = _placeholders(flat_vars)
        step_output, new_vars = func(*placeholders)
    step_output = [] if step_output is None else step_output
    new_vars = [] if new_vars is None else new_vars
    flat_out, out_fmt = _flatten(list(step_output) if isinstance(step_output, tuple) else step_output,
                                 "while_loop output")
    flat_new, _ = _flatten([new_vars] if isinstance(new_vars, Symbol) else list(new_vars),
                           "while_loop loop_vars")
    if len(flat_new) != len(flat_vars):
        raise MXNetError(f"while_loop: func returned {len(flat_new)} loop variables, expected "
                         f"{len(flat_vars)}")
    func_graph, func_cut = _cut(_computed(flat_out + flat_new, func_scope), func_scope)
    loop = [p.name for p in placeholders]
    func_names = [n.name for n in _inputs(func_graph)]
    unused = [n for n in loop if n not in func_names]
    if unused:
        raise MXNetError(f"while_loop: func must use every loop variable; it ignores {unused}")
    others = _outer_inputs([cond_graph, func_graph], loop, {**cond_cut, **func_cut})
    position = {n: j for j, n in enumerate(loop)}
    position.update({n: len(loop) + k for k, (n, _) in enumerate(others)})
    attrs = {"num_outputs": len(flat_out) + len(flat_vars), "num_out_data": len(flat_out),
             "max_iterations": int(max_iterations),
             "cond_input_locs": tuple(position[n.name] for n in _inputs(cond_graph)),
             "func_input_locs": tuple(position[n] for n in func_names),
             "func_var_locs": tuple(func_names.index(n) for n in loop)}
    inputs = flat_vars + [outer for _, outer in others]
    node = _node("_while_loop", inputs, attrs, (cond_graph, func_graph))
    results = [node[i] for i in range(len(flat_out) + len(flat_vars))]
    outputs = _regroup(results[:len(flat_out)], out_fmt)[0] if flat_out else []
    final = results[len(flat_out):]
    return outputs, final[0] if single else final


def cond(pred: Symbol, then_func: Callable, else_func: Callable, name: str = "cond") -> Any:
    """``then_func()``'s outputs when ``pred`` (a one-element Symbol) is non-zero at run time,
    else ``else_func()``'s (a graph node holding both branches)."""
    if not isinstance(pred, Symbol):
        raise MXNetError(f"cond: pred must be a Symbol, got {type(pred).__name__}")
    pred_scope = _subgraph_name(name + "_pred")
    pred_graph, cut = _cut(_computed([pred], pred_scope), pred_scope)
    branches = []
    for func, what in ((then_func, "then"), (else_func, "else")):
        scope = _subgraph_name(f"{name}_{what}")
        with attribute.AttrScope(__subgraph_name__=scope):
            flat, fmt = _flatten(func(), f"cond {what} output")
        graph, graph_cut = _cut(_computed(flat, scope), scope)
        cut.update(graph_cut)
        branches.append((graph, fmt, len(flat)))
    (then_graph, then_fmt, n_then), (else_graph, _, n_else) = branches
    if n_then != n_else:
        raise MXNetError(f"cond: the branches give {n_then} and {n_else} outputs")
    outer = _outer_inputs([pred_graph, then_graph, else_graph], [], cut)
    position = {n: k for k, (n, _) in enumerate(outer)}
    attrs = {"num_outputs": n_then,
             "cond_input_locs": tuple(position[n.name] for n in _inputs(pred_graph)),
             "then_input_locs": tuple(position[n.name] for n in _inputs(then_graph)),
             "else_input_locs": tuple(position[n.name] for n in _inputs(else_graph))}
    node = _node("_cond", [sym for _, sym in outer], attrs, (pred_graph, then_graph, else_graph))
    return _regroup([node[i] for i in range(n_then)], then_fmt)[0]
