"""Control flow of MXNet's Symbol API: ``sym.contrib.foreach``, ``while_loop`` and ``cond``.

Each calls the user's Python functions once, on placeholder variables, to build their graphs
(the loop body, the condition, the branches), and returns the outputs of one node (``_foreach``,
``_while_loop``, ``_cond``: ``mxtorch/ops/control_flow.py``) that carries those graphs as its
subgraphs and runs them when executed. The variables the functions reach outside their arguments
(a layer's weights, another input) become inputs of that node, so shape inference, deferred
initialization and gradients see them as in any graph. This is also what ``F.contrib.foreach``
is inside a hybridized block.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from .._nesting import flatten, regroup
from ..base import MXNetError
from .symbol import Group, Symbol, create, var

__all__ = ["foreach", "while_loop", "cond"]


def _flatten(value: Any, what: str) -> tuple:
    return flatten(value, Symbol, what, "a Symbol")


_regroup = regroup


def _inputs(graph: Symbol) -> list:
    """The variable nodes a graph reads, in its program's order (arguments, then aux states)."""
    args, aux = graph._variables()
    return args + aux


def _node(op_name: str, inputs: list, attrs: dict, subgraphs: tuple, name: Optional[str],
          hint: str) -> Symbol:
    """The control-flow node: ``create`` validates and names it, then it takes its subgraphs."""
    out = create(op_name, inputs, attrs, hint=hint, name=name)
    node = out._outputs[0][0]
    node.subgraphs = tuple(subgraphs)
    node._parsed = None
    return out


def _outer_inputs(graphs: list, loop_names: list) -> list:
    """The variable nodes the graphs read that are not loop placeholders, each once, in order."""
    seen = set(loop_names)
    found = []
    for graph in graphs:
        for node in _inputs(graph):
            if node.name not in seen:
                seen.add(node.name)
                found.append(node)
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
    data_vars = [var(f"{name}_data{i}") for i in range(len(flat_data))]
    state_vars = [var(f"{name}_state{j}") for j in range(len(flat_states))]
    piece = _regroup(data_vars, data_fmt)[0]
    states_in = _regroup(state_vars, state_fmt)[0] if flat_states else init_states
    outs, new_states = body(piece, states_in)
    flat_outs, out_fmt = _flatten(outs, "foreach output")
    flat_new, _ = _flatten(new_states, "foreach states")
    if len(flat_new) != len(flat_states):
        raise MXNetError(f"foreach: body returned {len(flat_new)} states, expected {len(flat_states)}")
    graph = Group(flat_outs + flat_new)
    names = [n.name for n in _inputs(graph)]
    loop = [v.name for v in data_vars + state_vars]
    unused = [n for n in loop if n not in names]
    if unused:
        raise MXNetError(f"foreach: the body must use every data slice and state; it ignores {unused}")
    remain = _outer_inputs([graph], loop)
    attrs = {"num_outputs": len(flat_outs) + len(flat_new), "num_out_data": len(flat_outs),
             "in_data_locs": tuple(names.index(v.name) for v in data_vars),
             "in_state_locs": tuple(names.index(v.name) for v in state_vars),
             "remain_locs": tuple(names.index(n.name) for n in remain)}
    inputs = flat_data + flat_states + [Symbol([(n, 0)]) for n in remain]
    node = _node("_foreach", inputs, attrs, (graph,), name, "foreach")
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
    placeholders = [var(f"{name}_var{j}") for j in range(len(flat_vars))]
    pred = cond(*placeholders)
    if not isinstance(pred, Symbol):
        raise MXNetError(f"while_loop: cond must return a Symbol, got {type(pred).__name__}")
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
    func_graph = Group(flat_out + flat_new)
    loop = [p.name for p in placeholders]
    func_names = [n.name for n in _inputs(func_graph)]
    unused = [n for n in loop if n not in func_names]
    if unused:
        raise MXNetError(f"while_loop: func must use every loop variable; it ignores {unused}")
    cond_graph = pred
    others = _outer_inputs([cond_graph, func_graph], loop)
    position = {n: j for j, n in enumerate(loop)}
    position.update({n.name: len(loop) + k for k, n in enumerate(others)})
    attrs = {"num_outputs": len(flat_out) + len(flat_vars), "num_out_data": len(flat_out),
             "max_iterations": int(max_iterations),
             "cond_input_locs": tuple(position[n.name] for n in _inputs(cond_graph)),
             "func_input_locs": tuple(position[n] for n in func_names),
             "func_var_locs": tuple(func_names.index(n) for n in loop)}
    inputs = flat_vars + [Symbol([(n, 0)]) for n in others]
    node = _node("_while_loop", inputs, attrs, (cond_graph, func_graph), name, "while_loop")
    results = [node[i] for i in range(len(flat_out) + len(flat_vars))]
    outputs = _regroup(results[:len(flat_out)], out_fmt)[0] if flat_out else []
    final = results[len(flat_out):]
    return outputs, final[0] if single else final


def cond(pred: Symbol, then_func: Callable, else_func: Callable, name: str = "cond") -> Any:
    """``then_func()``'s outputs when ``pred`` (a one-element Symbol) is non-zero at run time,
    else ``else_func()``'s (a graph node holding both branches)."""
    if not isinstance(pred, Symbol):
        raise MXNetError(f"cond: pred must be a Symbol, got {type(pred).__name__}")
    flat_then, then_fmt = _flatten(then_func(), "cond then output")
    flat_else, _ = _flatten(else_func(), "cond else output")
    if len(flat_then) != len(flat_else):
        raise MXNetError(f"cond: the branches give {len(flat_then)} and {len(flat_else)} outputs")
    then_graph, else_graph = Group(flat_then), Group(flat_else)
    outer = _outer_inputs([pred, then_graph, else_graph], [])
    position = {n.name: k for k, n in enumerate(outer)}
    attrs = {"num_outputs": len(flat_then),
             "cond_input_locs": tuple(position[n.name] for n in _inputs(pred)),
             "then_input_locs": tuple(position[n.name] for n in _inputs(then_graph)),
             "else_input_locs": tuple(position[n.name] for n in _inputs(else_graph))}
    node = _node("_cond", [Symbol([(n, 0)]) for n in outer], attrs, (pred, then_graph, else_graph),
                 name, "cond")
    return _regroup([node[i] for i in range(len(flat_then))], then_fmt)[0]
