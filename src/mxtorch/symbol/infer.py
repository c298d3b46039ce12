"""Shape and type inference over a symbolic graph, driven by the operator table's rules.

Shapes follow MXNet 1.x's legacy convention: ``None`` is an unknown shape and a 0 dimension is an
unknown dimension. Each operator's rule completes its inputs (a Convolution's weight from its data:
MXNet's backward inference) and computes its outputs. An operator is visited again whenever an
entry it reads or writes changes, until nothing changes, so a shape found late flows back to every
operator that shares the entry; as entries only ever become more known, the work is linear in the
size of the graph.
"""
from __future__ import annotations

from collections import deque
from typing import Any, Callable, Optional

import numpy as np

from ..base import MXNetError, parse_literal, short_repr
from ..ops.registry import TypeConflict
from . import limits
from .graph import Node, topo_order

__all__ = ["infer_shapes", "infer_types", "known", "check_shape", "parse_shape_attr", "DTYPE_MX_TO_NP",
           "DTYPE_NP_TO_MX"]

# MXNet's dtype codes, as stored in a variable's ``__dtype__`` attribute.
DTYPE_MX_TO_NP = {0: np.float32, 1: np.float64, 2: np.float16, 3: np.uint8, 4: np.int32, 5: np.int8,
                  6: np.int64, 7: np.bool_}
DTYPE_NP_TO_MX = {v: k for k, v in DTYPE_MX_TO_NP.items()}


def known(shape: Optional[tuple]) -> bool:
    """Whether a shape is fully known (not None or (), no 0 dimension)."""
    return bool(shape) and 0 not in shape


def _merge(old: Optional[tuple], new: Optional[tuple], where: str) -> Optional[tuple]:
    if new is None:
        return old
    new = check_shape(new, f"Error in operator {where}: inferred shape")
    if old is None:
        return new
    if len(old) == len(new) and all(o == n or o == 0 or n == 0 for o, n in zip(old, new)):
        return tuple(o or n for o, n in zip(old, new))
    raise MXNetError(f"Error in operator {where}: Shape inconsistent, Provided = {old}, "
                     f"inferred shape = {new}")


def check_shape(shape: Any, what: str) -> tuple:
    """``shape`` as a tuple of ints if it is a possible one, else MXNetError starting with ``what``.

    A possible shape has at most ``limits.MAX_NDIM`` dimensions, none negative (0 is an unknown
    dimension), and at most ``limits.MAX_ELEMENTS`` elements counting its known dimensions.
    """
    try:
        dims = tuple(shape)
    except TypeError:
        raise MXNetError(f"{what} {shape!r} is not a tuple of ints") from None
    if len(dims) > limits.MAX_NDIM:
        raise MXNetError(f"{what} has {len(dims)} dimensions, more than the {limits.MAX_NDIM} "
                         f"an array may have")
    if not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in dims):
        raise MXNetError(f"{what} {short_repr(dims)} is not a tuple of ints")
    dims = tuple(int(d) for d in dims)
    if any(d < 0 for d in dims):
        raise MXNetError(f"{what} {short_repr(dims)} has a negative dimension")
    size = 1
    for d in dims:
        size *= d or 1
        if size > limits.MAX_ELEMENTS:
            raise MXNetError(f"{what} {short_repr(dims)} has more than {limits.MAX_ELEMENTS} elements")
    return dims


def parse_shape_attr(text: str, what: str) -> tuple:
    """A variable's ``__shape__`` attribute (``"(2, 0, 28)"``) as a checked shape.

    As in MXNet, -1 also marks an unknown dimension (numpy-shape files write it); it reads as 0.
    """
    if len(text) > limits.MAX_ATTR_CHARS:
        raise MXNetError(f"{what} is {len(text)} characters long, more than "
                         f"{limits.MAX_ATTR_CHARS}")
    try:
        value = parse_literal(text)
    except (RecursionError, MemoryError):
        value = text
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (tuple, list)) or not all(isinstance(d, int) and not isinstance(d, bool)
                                                       for d in value):
        raise MXNetError(f"{what} {short_repr(text)} is not a tuple of ints")
    return check_shape(tuple(0 if d == -1 else d for d in value), what)


def _var_shape(node: Node, given: dict) -> Optional[tuple]:
    if node.name in given and given[node.name] is not None:
        return tuple(given[node.name])
    text = node.attrs.get("__shape__")
    if text is None:
        return None
    return parse_shape_attr(text, f"variable '{node.name}': __shape__")


def infer_shapes(heads: list, given: dict) -> dict:
    """Shape of every entry reachable from ``heads``: ``{(id(node), index): shape or None}``.

    ``given`` maps variable names to known shapes (overriding a variable's ``__shape__``).
    Inconsistent shapes raise MXNetError naming the operator.
    """
    shapes, ops = _start(heads, lambda node: _var_shape(node, given))
    done: set = set()  # operators whose every shape is known: no visit can change them again
    _until_stable(ops, lambda node: () if id(node) in done else _infer_node(node, shapes, done))
    return shapes


def _start(heads: list, var_value: Callable[[Node], Any]) -> tuple:
    """``({(id(variable), 0): its value}, [operator nodes in topological order])``."""
    nodes = topo_order(heads)
    values = {(id(n), 0): var_value(n) for n in nodes if n.is_variable}
    return values, [n for n in nodes if not n.is_variable]


def _until_stable(ops: list, visit: Callable[[Node], list]) -> None:
    """Visit the operators in topological order, then again each operator that reads or writes an
    entry a visit changed (``visit`` returns the changed keys), until none is left to visit.

    Each entry changes a bounded number of times (unknown, then known in more dimensions), so the
    visits are bounded by the graph's edges; passes over the whole graph until one changed nothing
    could take one pass per operator, quadratic work a small file can ask for.
    """
    touching: dict = {}   # entry key -> the operators reading or writing it
    for node in ops:
        outputs = [(id(node), i) for i in range(node.num_outputs)]
        for key in [(id(n), i) for n, i in node.inputs] + outputs:
            touching.setdefault(key, []).append(node)
    queue = deque(ops)
    queued = {id(node) for node in ops}
    while queue:
        node = queue.popleft()
        queued.discard(id(node))
        for key in visit(node):
            for other in touching.get(key, ()):
                if id(other) not in queued:
                    queued.add(id(other))
                    queue.append(other)


def _infer_node(node: Node, shapes: dict, done: set) -> list:
    keys_in = [(id(n), i) for n, i in node.inputs]
    keys_out = [(id(node), i) for i in range(node.num_outputs)]
    in_shapes = [shapes.get(k) for k in keys_in]
    try:
        ins, outs = node.entry.infer_shape(node.parsed, in_shapes)
        backward = node.entry.shape_from_outputs_rule
        if backward is not None and not all(known(s) for s in ins):
            current = [o if known(o) else shapes.get(k) for o, k in zip(outs, keys_out)]
            if any(known(o) for o in current):
                ins = backward(node.parsed, list(ins), current)
    except MXNetError as err:
        raise MXNetError(f"Error in operator {node.name}: {err}") from None
    except (ValueError, TypeError, IndexError, ArithmeticError, MemoryError, RuntimeError) as err:
        raise MXNetError(f"Error in operator {node.name} ({node.op}): cannot infer shapes from "
                         f"input shapes {in_shapes}: {err}") from None
    changed = []
    names = node.input_names()
    for k, name, s in zip(keys_in, names, ins):
        merged = _merge(shapes.get(k), s, f"{node.name} (input '{name}')")
        if merged != shapes.get(k):
            shapes[k] = merged
            changed.append(k)
    for k, s in zip(keys_out, outs):
        merged = _merge(shapes.get(k), s, node.name)
        if merged != shapes.get(k):
            shapes[k] = merged
            changed.append(k)
    if all(known(shapes.get(k)) for k in keys_in + keys_out):
        done.add(id(node))
    return changed


def _var_type(node: Node, given: dict) -> Optional[type]:
    if node.name in given and given[node.name] is not None:
        return np.dtype(given[node.name]).type
    code = node.attrs.get("__dtype__")
    if code is None:
        return None
    try:
        return DTYPE_MX_TO_NP[int(code)]
    except (KeyError, ValueError):
        raise MXNetError(f"variable '{node.name}': unknown __dtype__ code {code!r}") from None


def infer_types(heads: list, given: dict) -> dict:
    """Dtype (a numpy type) of every entry reachable from ``heads``; None where unknown.

    Each operator's type rule (``OpDef.infer_type``) completes its inputs and outputs; a conflict
    raises MXNetError naming the node, as MXNet's type inference does.
    """
    types, ops = _start(heads, lambda node: _var_type(node, given))
    _until_stable(ops, lambda node: _type_node(node, types))
    return types


def _type_node(node: Node, types: dict) -> list:
    keys = [(id(n), i) for n, i in node.inputs] + [(id(node), i) for i in range(node.num_outputs)]
    n_in = len(node.inputs)
    known_types = [types.get(k) for k in keys]
    try:
        ins, outs = node.entry.infer_type(node.parsed, node.input_names(), known_types[:n_in],
                                          known_types[n_in:])
    except TypeConflict as err:
        raise MXNetError(f"Error in operator {node.name}: Incompatible attr in node {node.name} "
                         f"{err}") from None
    changed = []
    for k, old, new in zip(keys, known_types, list(ins) + list(outs)):
        if old is None and new is not None:
            types[k] = new
            changed.append(k)
    return changed
