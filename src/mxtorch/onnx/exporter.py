"""Writing a Symbol and its parameters as an ONNX model.

The graph is walked once in MXNet's node order. Each variable becomes a graph input (the data the
caller feeds), an initializer (a parameter found in ``params``) or nothing (a loss layer's label);
each operator node is handed to its converter (``CONVERTERS`` in :mod:`mxtorch.ops.onnx_rules`,
beside the operator table), which emits one or more ONNX nodes that end in the tensor names the
graph expects. Shapes and dtypes come from mxtorch's own
inference (:mod:`mxtorch.symbol.infer`), run once for the whole graph, so converters that need a
static shape (``Reshape`` with MXNet's special codes, a non-global ``sum`` pooling) can read it.
"""
from __future__ import annotations

import logging
from typing import Any, Iterable, Optional, Sequence

import numpy as np

from ..base import MXNetError
from ..symbol import infer
from ..ops.onnx_rules import (CONVERTERS, export_error, label_variables, output_tensor_name,
                              tensor_type, unit_gammas)
from ..symbol.graph import Node, topo_order
from ._deps import OPSET, require_onnx

__all__ = ["build_model", "get_operator_support"]


def get_operator_support(opset_version: Optional[int] = None) -> list:
    """Names of the MXNet operators that :func:`export_model` can write, sorted.

    Parameters
    ----------
    opset_version : int, optional
        Accepted for MXNet's signature. mxtorch always writes operator set 13, so the list is the
        same whatever is asked; a version below 13 is refused.

    Returns
    -------
    list of str
        The operator names, as they appear in ``-symbol.json`` files.
    """
    if opset_version is not None and int(opset_version) < OPSET:
        raise MXNetError(f"mxtorch writes ONNX operator set {OPSET}; operator set {opset_version} "
                         "is not supported")
    return sorted(CONVERTERS)



class Builder:
    """The ONNX graph under construction, and what converters may ask about the MXNet graph."""

    def __init__(self, onnx: Any, shapes: dict, types: dict, dynamic: bool):
        self.onnx = onnx
        self.helper = onnx.helper
        self.shapes = shapes      # {(id(node), index): shape}
        self.types = types        # {(id(node), index): numpy type}
        self.dynamic = dynamic
        self.nodes: list = []
        self.initializers: list = []
        self.used: set = set()
        # ids of gamma variables read only by fix_gamma BatchNorms: written as ones
        self.unit_gammas: set = set()

    # -- names ------------------------------------------------------------------------------------
    def claim(self, name: str) -> str:
        """Reserve ``name`` as a tensor name; a taken name gets a numeric suffix."""
        candidate, k = name, 0
        while candidate in self.used:
            k += 1
            candidate = f"{name}__{k}"
        self.used.add(candidate)
        return candidate

    # -- what converters read ---------------------------------------------------------------------
    def in_shape(self, node: Node, k: int = 0) -> tuple:
        """Inferred shape of the ``k``-th input of ``node``."""
        src, i = node.inputs[k]
        shape = self.shapes.get((id(src), i))
        if shape is None or not infer.known(shape):
            raise export_error(node, f"needs the shape of its input {k}, which could not be inferred")
        return tuple(shape)

    def out_shape(self, node: Node, k: int = 0) -> tuple:
        """Inferred shape of output ``k`` of ``node``."""
        shape = self.shapes.get((id(node), k))
        if shape is None or not infer.known(shape):
            raise export_error(node, f"needs the shape of its output {k}, which could not be inferred")
        return tuple(shape)

    def in_type(self, node: Node, k: int = 0) -> np.dtype:
        """Inferred dtype of the ``k``-th input of ``node`` (float32 when unknown)."""
        src, i = node.inputs[k]
        found = self.types.get((id(src), i))
        return np.dtype(found if found is not None else np.float32)

    def rank(self, node: Node, k: int = 0) -> int:
        """Number of dimensions of the ``k``-th input of ``node``."""
        return len(self.in_shape(node, k))

    # -- what converters write --------------------------------------------------------------------
    def const(self, hint: str, value: Any, dtype: Any = None) -> str:
        """Add a constant tensor (an initializer) and return its name."""
        array = np.asarray(value, dtype=dtype)
        name = self.claim(hint)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def ints(self, hint: str, values: Iterable[int]) -> str:
        """Add a 1-D int64 constant (shapes, axes, pads) and return its name."""
        return self.const(hint, [int(v) for v in values], np.int64)

    def scalar(self, hint: str, value: float, like: np.dtype) -> str:
        """Add a 0-d constant of dtype ``like`` and return its name."""
        return self.const(hint, np.array(value, dtype=like))

    def add(self, op_type: str, inputs: Sequence[str], outputs: Any = None, *,
            name: Optional[str] = None, **attrs: Any) -> list:
        """Append one ONNX node; ``outputs`` are tensor names or a hint for a single new one.

        Returns the node's output names.
        """
        if outputs is None or isinstance(outputs, str):
            outputs = [self.claim(outputs or f"{name or op_type}_out")]
        node_name = self.claim(name or outputs[0])
        attrs = {k: v for k, v in attrs.items() if v is not None}
        self.nodes.append(self.helper.make_node(op_type, list(inputs), list(outputs), name=node_name,
                                                **attrs))
        return list(outputs)

    def temp(self, node: Node, suffix: str) -> str:
        """The name hint for an intermediate result of ``node``; :meth:`add` makes it unique."""
        return f"{node.name}_{suffix}"



def build_model(heads: list, params: dict, in_shapes: list, in_types: list, *, dynamic: bool = False,
                dynamic_input_shapes: Optional[list] = None, verbose: bool = False) -> Any:
    """Convert the graph under ``heads`` into an ONNX ``ModelProto``.

    Parameters
    ----------
    heads : list of (Node, int)
        The symbol's outputs.
    params : dict of str to numpy.ndarray
        Parameter values by variable name; they become the model's initializers.
    in_shapes : list of tuple
        Shapes of the remaining (data) inputs, in ``list_inputs`` order.
    in_types : list of numpy dtype
        Their dtypes.
    dynamic : bool
        Write every input dimension (or those None in ``dynamic_input_shapes``) as unknown.
    dynamic_input_shapes : list of tuple, optional
        The input shapes to declare when ``dynamic`` is set, None marking an unknown dimension.
    verbose : bool
        Log each node as it is converted.

    Returns
    -------
    onnx.ModelProto
    """
    onnx = require_onnx()
    helper = onnx.helper
    nodes = topo_order(heads)
    labels = label_variables(nodes, params)
    data_vars = [n for n in nodes if n.is_variable and n.name not in params and id(n) not in labels]
    if len(data_vars) != len(in_shapes):
        raise MXNetError(f"ONNX export: the symbol has {len(data_vars)} input(s) not given in params "
                         f"{[n.name for n in data_vars]}, but in_shapes lists {len(in_shapes)} shape(s)")
    if len(in_types) != len(in_shapes):
        raise MXNetError(f"ONNX export: in_types lists {len(in_types)} type(s) for {len(in_shapes)} "
                         "input shape(s)")
    given_shapes = {n.name: tuple(int(d) for d in s) for n, s in zip(data_vars, in_shapes)}
    given_types = {n.name: np.dtype(t).type for n, t in zip(data_vars, in_types)}
    for n in nodes:
        if n.is_variable and n.name in params:
            given_shapes[n.name] = tuple(params[n.name].shape)
            given_types[n.name] = params[n.name].dtype.type
    shapes = infer.infer_shapes(heads, given_shapes)
    types = infer.infer_types(heads, given_types)

    if dynamic:
        if dynamic_input_shapes is None:
            declared = [[None] * len(s) for s in in_shapes]
        else:
            if len(dynamic_input_shapes) != len(in_shapes) or any(
                    len(d) != len(s) for d, s in zip(dynamic_input_shapes, in_shapes)):
                raise MXNetError("ONNX export: dynamic_input_shapes must give one shape of the same "
                                 "rank for each of in_shapes")
            declared = [list(d) for d in dynamic_input_shapes]
    elif dynamic_input_shapes is not None:
        raise MXNetError("ONNX export: dynamic_input_shapes is given but dynamic is False; pass "
                         "dynamic=True to declare unknown input dimensions")
    else:
        declared = [list(s) for s in in_shapes]

    b = Builder(onnx, shapes, types, dynamic)
    b.unit_gammas = unit_gammas(nodes)
    names: dict = {}           # (id(node), index) -> ONNX tensor name
    graph_inputs: list = []
    seen_names: set = set()
    for position, node in enumerate(nodes):
        if node.is_variable:
            if id(node) in labels:
                continue
            name = b.claim(node.name)
            names[(id(node), 0)] = name
            if node.name in params:
                value = params[node.name]
                if id(node) in b.unit_gammas:
                    value = np.ones_like(value)
                b.initializers.append(onnx.numpy_helper.from_array(np.ascontiguousarray(value), name))
            else:
                k = data_vars.index(node)
                graph_inputs.append(helper.make_tensor_value_info(
                    name, tensor_type(b, in_types[k]), declared[k]))
            continue
        converter = CONVERTERS.get(node.entry.name)
        if converter is None:
            raise MXNetError(f"ONNX export: no conversion for operator {node.op} (node '{node.name}'); "
                             f"mxtorch exports {len(CONVERTERS)} operators, listed by "
                             "mx.onnx.get_operator_support()")
        if verbose:
            logging.info("ONNX export: converting node %d, %s '%s'", position, node.op, node.name)
        # a loss layer's label has no tensor (converters of loss layers read their data only)
        ins = [names.get((id(src), i), "") for src, i in node.inputs]
        base = node.name if node.name not in seen_names else f"idx_{position}_{node.name}"
        seen_names.add(node.name)
        outs = [b.claim(output_tensor_name(base + o[len(node.name):])) for o in node.output_names()]
        converter(b, node, ins, outs)
        for i, out in enumerate(outs):
            names[(id(node), i)] = out

    graph_outputs = []
    for node, i in heads:
        name = names[(id(node), i)]
        if name in {o.name for o in graph_outputs} or name in {x.name for x in graph_inputs}:
            name = b.add("Identity", [name], f"{name}_out")[0]
        shape = shapes.get((id(node), i))
        dims = [None] * len(shape) if (dynamic and shape is not None) else shape
        dtype = types.get((id(node), i)) or np.float32
        graph_outputs.append(helper.make_tensor_value_info(name, tensor_type(b, dtype),
                                                           None if dims is None else list(dims)))
    graph = helper.make_graph(b.nodes, "mxtorch_graph", graph_inputs, graph_outputs, b.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="mxtorch")
    model.ir_version = min(model.ir_version, 7)  # what operator set 13 came with
    return model
