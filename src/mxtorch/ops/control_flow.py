"""Control-flow operators: ``_foreach``, ``_while_loop`` and ``_cond``, the graph nodes that
``sym.contrib.foreach``, ``while_loop`` and ``cond`` build (and that a hybridized block tracing
``F.contrib.foreach`` gets).

A node carries its subgraphs (Symbols: the loop body, the condition, the branches) as the parsed
parameter ``subgraphs``; its attributes are MXNet's: the count of inputs and outputs and, for each
subgraph, where its inputs come from among the node's. Running a node runs the subgraphs' lowered
programs (the executor's) step by step on torch tensors, so autograd differentiates through the
iterations taken. The inputs of a subgraph are ordered as MXNet orders them (``list_inputs``: its
variables in graph order), which is what the location attributes index.
"""
from __future__ import annotations

import weakref
from typing import Any, Optional

import torch

from ..base import MXNetError
from .registry import Int, Shape, op

#: How many subgraphs each control-flow operator carries (MXNet's order: foreach's body;
#: while_loop's cond and func; cond's condition, then branch and else branch).
SUBGRAPH_COUNTS = {"_foreach": 1, "_while_loop": 2, "_cond": 3}

# program -> for each of its inputs (arguments, then aux states), the position of that variable
# among the subgraph's inputs in graph order: the order the location attributes index
_PROGRAM_ORDER: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _graph_inputs(subgraph: Any) -> list:
    """The subgraph's variable nodes in graph order (``list_inputs``), which MXNet's location
    attributes index: arguments and auxiliary states interleaved as the graph reaches them."""
    from ..symbol.graph import topo_order
    return [n for n in topo_order(subgraph._outputs) if n.is_variable]


def _program(subgraph: Any) -> Any:
    from ..symbol.executor import lower  # the executor lowers graphs; ops come before it
    program = lower(subgraph)
    if program not in _PROGRAM_ORDER:
        position = {id(n): k for k, n in enumerate(_graph_inputs(subgraph))}
        args, aux = subgraph._variables()
        _PROGRAM_ORDER[program] = tuple(position[id(n)] for n in args + aux)
    return program


def _input_names(subgraph: Any) -> list:
    return [n.name for n in _graph_inputs(subgraph)]


def _run(subgraph: Any, inputs: list, is_train: bool) -> list:
    """Run the subgraph on ``inputs``, given in graph order (``list_inputs``)."""
    program = _program(subgraph)
    return program([inputs[k] for k in _PROGRAM_ORDER[program]], is_train)


def _subgraphs(attrs: dict, count: int) -> tuple:
    found = attrs.get("subgraphs", ())
    if len(found) != count:
        raise MXNetError(f"a control-flow node needs {count} subgraph(s), got {len(found)}: build it with "
                         "sym.contrib.foreach, while_loop or cond")
    return found


def _sub_shapes(subgraph: Any, given: dict) -> tuple:
    """(shapes of the subgraph's inputs by name, shapes of its outputs): None where unknown."""
    from ..symbol import infer
    names = _input_names(subgraph)
    shapes = infer.infer_shapes(subgraph._outputs, {k: v for k, v in given.items() if v is not None})
    arg_nodes, aux_nodes = subgraph._variables()
    by_name = {n.name: shapes.get((id(n), 0)) for n in arg_nodes + aux_nodes}
    return [by_name.get(n) for n in names], [shapes.get((id(n), i)) for n, i in subgraph._outputs]


def _sub_types(subgraph: Any, given: dict) -> tuple:
    from ..symbol import infer
    names = _input_names(subgraph)
    types = infer.infer_types(subgraph._outputs, {k: v for k, v in given.items() if v is not None})
    arg_nodes, aux_nodes = subgraph._variables()
    by_name = {n.name: types.get((id(n), 0)) for n in arg_nodes + aux_nodes}
    return [by_name.get(n) for n in names], [types.get((id(n), i)) for n, i in subgraph._outputs]


def _completes(old: Any, new: Any) -> bool:
    """Whether shape ``new`` tells more than ``old`` (unknown, or with unknown 0 dimensions)."""
    if new is None:
        return False
    if old is None:
        return True
    return len(old) == len(new) and any(o == 0 and n for o, n in zip(old, new))


def _fill(ins: list, locs: tuple, found: list) -> None:
    """Complete the node's input shapes ``ins`` from the subgraph's, through ``locs`` (node input
    position of each subgraph input)."""
    for position, value in zip(locs, found):
        if _completes(ins[position], value):
            ins[position] = tuple(value)


def mutated_inputs(op_name: str, attrs: dict) -> set:
    """The positions of the node inputs that feed a subgraph's auxiliary state (a BatchNorm's
    moving statistics inside a loop body): MXNet's symbol files mark them as inputs the node
    mutates."""
    graphs = _subgraphs(attrs, SUBGRAPH_COUNTS[op_name])
    if op_name == "_foreach":
        per_graph = [_foreach_locs(attrs)]
    elif op_name == "_while_loop":
        per_graph = [attrs["cond_input_locs"], attrs["func_input_locs"]]
    else:
        per_graph = [attrs["cond_input_locs"], attrs["then_input_locs"], attrs["else_input_locs"]]
    found = set()
    for graph, locs in zip(graphs, per_graph):
        aux = {id(n) for n in graph._variables()[1]}
        found.update(loc for loc, n in zip(locs, _graph_inputs(graph)) if id(n) in aux)
    return found


def check_node(op_name: str, attrs: dict, n_inputs: int) -> None:
    """Check that a control-flow node's subgraphs fit its attributes and its ``n_inputs`` inputs
    (a node read from a file): the count of subgraphs, their input and output counts, and every
    location inside its range. Raises MXNetError naming what does not fit."""
    graphs = _subgraphs(attrs, SUBGRAPH_COUNTS[op_name])
    n_sub = [len(_graph_inputs(g)) for g in graphs]
    n_out = [len(g._outputs) for g in graphs]
    total = attrs["num_outputs"]
    if not 0 <= attrs.get("num_out_data", 0) <= total:
        raise MXNetError(f"num_out_data={attrs['num_out_data']} must lie between 0 and "
                         f"num_outputs={total}")

    def within(what: str, locs: tuple, bound: int, of: str) -> None:
        bad = [v for v in locs if not 0 <= v < bound]
        if bad:
            raise MXNetError(f"{what} {tuple(locs)} has location(s) {bad} outside the {bound} {of}")

    def sized(what: str, locs: tuple, count: int, of: str) -> None:
        if len(locs) != count:
            raise MXNetError(f"{what} has {len(locs)} entries, but {of} has {count} inputs")

    if op_name == "_foreach":
        locs = tuple(attrs["in_data_locs"]) + tuple(attrs["in_state_locs"]) + tuple(attrs["remain_locs"])
        if sorted(locs) != list(range(n_sub[0])) or len(locs) != n_inputs:
            raise MXNetError(f"in_data_locs, in_state_locs and remain_locs {locs} must place each of the "
                             f"node's {n_inputs} inputs at a distinct input of the body, which has "
                             f"{n_sub[0]}")
        if len(attrs["in_state_locs"]) != total - attrs["num_out_data"]:
            raise MXNetError(f"the body carries {len(attrs['in_state_locs'])} states but the node gives "
                             f"{total - attrs['num_out_data']} (num_outputs - num_out_data)")
        expected_out = [total]
    elif op_name == "_while_loop":
        n_vars = total - attrs["num_out_data"]
        if n_vars > n_inputs:
            raise MXNetError(f"{n_vars} loop variables, but the node has {n_inputs} inputs")
        sized("cond_input_locs", attrs["cond_input_locs"], n_sub[0], "the cond subgraph")
        sized("func_input_locs", attrs["func_input_locs"], n_sub[1], "the func subgraph")
        within("cond_input_locs", attrs["cond_input_locs"], n_inputs, "node inputs")
        within("func_input_locs", attrs["func_input_locs"], n_inputs, "node inputs")
        if len(attrs["func_var_locs"]) != n_vars:
            raise MXNetError(f"func_var_locs has {len(attrs['func_var_locs'])} entries for {n_vars} "
                             f"loop variables")
        within("func_var_locs", attrs["func_var_locs"], n_sub[1], "inputs of the func subgraph")
        expected_out = [1, total]
    else:
        for k, key in enumerate(("cond_input_locs", "then_input_locs", "else_input_locs")):
            sized(key, attrs[key], n_sub[k], f"subgraph {k}")
            within(key, attrs[key], n_inputs, "node inputs")
        expected_out = [1, total, total]
    for k, (got, want) in enumerate(zip(n_out, expected_out)):
        if got != want:
            raise MXNetError(f"subgraph {k} gives {got} output(s), expected {want}")


# -- foreach ---------------------------------------------------------------------------------------
def _foreach_locs(attrs: dict) -> tuple:
    """For each subgraph input, the node input it reads (data slices, states, the rest)."""
    data, states, remain = attrs["in_data_locs"], attrs["in_state_locs"], attrs["remain_locs"]
    n_in = len(data) + len(states) + len(remain)
    locs = [0] * n_in
    for k, loc in enumerate(tuple(data) + tuple(states) + tuple(remain)):
        locs[loc] = k
    return tuple(locs)


@op("_foreach", inputs=("fn", "data"), variadic="num_args",
    attrs={"num_args": Int(), "num_outputs": Int(), "num_out_data": Int(), "in_state_locs": Shape(),
           "in_data_locs": Shape(), "remain_locs": Shape()},
    num_outputs=lambda attrs: attrs["num_outputs"], train_aware=True)
def foreach(*tensors, is_train=False, num_args, num_outputs, num_out_data, in_state_locs, in_data_locs,
            remain_locs, subgraphs=()):
    """Runs the body subgraph once per slice of the data inputs along axis 0, carrying the states:
    the node's inputs are the data arrays, the initial states and the body's other inputs; its
    outputs the body's per-step outputs stacked on a new first axis, then the final states."""
    (body,) = _subgraphs({"subgraphs": subgraphs}, 1)
    n_data, n_state = len(in_data_locs), len(in_state_locs)
    data, states = tensors[:n_data], list(tensors[n_data:n_data + n_state])
    slots: list = [None] * len(tensors)
    for loc, value in zip(remain_locs, tensors[n_data + n_state:]):
        slots[loc] = value
    steps = data[0].shape[0] if data else 0
    collected: list = []
    for t in range(steps):
        for loc, d in zip(in_data_locs, data):
            slots[loc] = d[t]
        for loc, s in zip(in_state_locs, states):
            slots[loc] = s
        result = _run(body, slots, is_train)
        collected.append(result[:num_out_data])
        states = result[num_out_data:]
    if not collected:
        raise MXNetError("foreach: the data have no steps (a first dimension of 0)")
    return [torch.stack(items) for items in zip(*collected)] + list(states)


@foreach.shape
def _foreach_shape(attrs, *shapes):
    (body,) = _subgraphs(attrs, 1)
    n_data = len(attrs["in_data_locs"])
    names = _input_names(body)
    locs = _foreach_locs(attrs)  # subgraph input k reads node input locs[k]
    given = {}
    for k, name in enumerate(names):
        s = shapes[locs[k]]
        if s is not None:
            given[name] = tuple(s[1:]) if locs[k] < n_data else tuple(s)
    found, outs = _sub_shapes(body, given)
    ins = list(shapes)
    for k, s in enumerate(found):
        if locs[k] >= n_data and _completes(ins[locs[k]], s):
            ins[locs[k]] = tuple(s)
    steps = shapes[0][0] if n_data and shapes[0] is not None else None
    data_outs = [None if o is None or steps is None else (steps,) + tuple(o)
                 for o in outs[:attrs["num_out_data"]]]
    state_outs = [None if o is None else tuple(o) for o in outs[attrs["num_out_data"]:]]
    for j, o in enumerate(state_outs):  # a state keeps its shape from step to step
        if _completes(ins[n_data + j], o):
            ins[n_data + j] = o
    return ins, data_outs + state_outs


@foreach.types
def _foreach_types(attrs, names, in_types, out_types):
    (body,) = _subgraphs(attrs, 1)
    locs = _foreach_locs(attrs)
    given = {name: in_types[locs[k]] for k, name in enumerate(_input_names(body))}
    _, outs = _sub_types(body, given)
    return in_types, [o if o is not None else t for o, t in zip(outs, out_types)]


# -- while_loop ------------------------------------------------------------------------------------
@op("_while_loop", inputs=("cond", "func", "data"), variadic="num_args",
    attrs={"num_args": Int(), "num_outputs": Int(), "num_out_data": Int(), "max_iterations": Int(),
           "cond_input_locs": Shape(), "func_input_locs": Shape(), "func_var_locs": Shape()},
    num_outputs=lambda attrs: attrs["num_outputs"], train_aware=True)
def while_loop(*tensors, is_train=False, num_args, num_outputs, num_out_data, max_iterations,
               cond_input_locs, func_input_locs, func_var_locs, subgraphs=()):
    """Runs the func subgraph while the cond subgraph gives non-zero, at most ``max_iterations``
    times. The node's inputs are the loop variables (the first ``num_outputs - num_out_data``) and
    the subgraphs' other inputs; its outputs the per-step outputs stacked to ``max_iterations``
    rows (zeros past the last step), then the final loop variables."""
    cond_graph, func_graph = _subgraphs({"subgraphs": subgraphs}, 2)
    values = list(tensors)
    n_vars = num_outputs - num_out_data
    collected: list = []
    for _ in range(max_iterations):
        pred = _run(cond_graph, [values[i] for i in cond_input_locs], is_train)[0]
        if pred.numel() != 1:
            raise MXNetError(f"while_loop: cond must give one element, got shape {tuple(pred.shape)}")
        if not bool(pred.reshape(())):
            break
        result = _run(func_graph, [values[i] for i in func_input_locs], is_train)
        collected.append(result[:num_out_data])
        for j, value in enumerate(result[num_out_data:num_out_data + n_vars]):
            values[func_input_locs[func_var_locs[j]]] = value
    outputs = []
    if num_out_data and not collected:
        raise MXNetError("while_loop: the loop ran no step, so its outputs have no shape")
    for items in zip(*collected):
        stacked = torch.stack(items)
        pad = max_iterations - stacked.shape[0]
        if pad:
            stacked = torch.cat((stacked, stacked.new_zeros((pad,) + tuple(stacked.shape[1:]))))
        outputs.append(stacked)
    return outputs + [values[func_input_locs[loc]] for loc in func_var_locs]


@while_loop.shape
def _while_loop_shape(attrs, *shapes):
    cond_graph, func_graph = _subgraphs(attrs, 2)
    locs = attrs["func_input_locs"]
    given = {name: shapes[locs[k]] for k, name in enumerate(_input_names(func_graph))}
    found, outs = _sub_shapes(func_graph, given)
    ins = list(shapes)
    _fill(ins, locs, found)
    cond_locs = attrs["cond_input_locs"]
    found, _ = _sub_shapes(cond_graph, {name: ins[cond_locs[k]]
                                        for k, name in enumerate(_input_names(cond_graph))})
    _fill(ins, cond_locs, found)
    n_data = attrs["num_out_data"]
    data_outs = [None if o is None else (attrs["max_iterations"],) + tuple(o) for o in outs[:n_data]]
    var_outs = [ins[locs[v]] for v in attrs["func_var_locs"]]
    return ins, data_outs + var_outs


@while_loop.types
def _while_loop_types(attrs, names, in_types, out_types):
    _, func_graph = _subgraphs(attrs, 2)
    locs = attrs["func_input_locs"]
    _, outs = _sub_types(func_graph, {name: in_types[locs[k]]
                                      for k, name in enumerate(_input_names(func_graph))})
    return in_types, [o if o is not None else t for o, t in zip(outs, out_types)]


# -- cond ------------------------------------------------------------------------------------------
@op("_cond", inputs=("cond", "then_branch", "else_branch", "data"), variadic="num_args",
    attrs={"num_args": Int(), "num_outputs": Int(), "cond_input_locs": Shape(),
           "then_input_locs": Shape(), "else_input_locs": Shape()},
    num_outputs=lambda attrs: attrs["num_outputs"], train_aware=True)
def cond(*tensors, is_train=False, num_args, num_outputs, cond_input_locs, then_input_locs,
         else_input_locs, subgraphs=()):
    """Runs the then subgraph when the cond subgraph gives non-zero, else the else subgraph; the
    node's inputs are those the three subgraphs read, its outputs the chosen branch's."""
    cond_graph, then_graph, else_graph = _subgraphs({"subgraphs": subgraphs}, 3)
    pred = _run(cond_graph, [tensors[i] for i in cond_input_locs], is_train)[0]
    if pred.numel() != 1:
        raise MXNetError(f"cond: the condition must give one element, got shape {tuple(pred.shape)}")
    graph, locs = (then_graph, then_input_locs) if bool(pred.reshape(())) else (else_graph, else_input_locs)
    return list(_run(graph, [tensors[i] for i in locs], is_train))


@cond.shape
def _cond_shape(attrs, *shapes):
    _, then_graph, else_graph = _subgraphs(attrs, 3)
    ins = list(shapes)
    result: Optional[list] = None
    for graph, locs in ((then_graph, attrs["then_input_locs"]), (else_graph, attrs["else_input_locs"])):
        found, outs = _sub_shapes(graph, {name: ins[locs[k]] for k, name in enumerate(_input_names(graph))})
        _fill(ins, locs, found)
        if result is None:
            result = [None if o is None else tuple(o) for o in outs]
        else:
            for k, o in enumerate(outs):
                if o is not None and result[k] is not None and tuple(o) != result[k]:
                    raise MXNetError(f"cond: output {k} has shape {result[k]} in the then branch and "
                                     f"{tuple(o)} in the else branch")
                if result[k] is None and o is not None:
                    result[k] = tuple(o)
    return ins, result


@cond.types
def _cond_types(attrs, names, in_types, out_types):
    _, then_graph, _ = _subgraphs(attrs, 3)
    locs = attrs["then_input_locs"]
    _, outs = _sub_types(then_graph, {name: in_types[locs[k]]
                                      for k, name in enumerate(_input_names(then_graph))})
    return in_types, [o if o is not None else t for o, t in zip(outs, out_types)]
