"""The graph a Symbol stands for: nodes (variables and operator calls) and their output entries.

A node is a variable (``op is None``) or one call of an operator-table entry. Its ``attrs`` are the
strings MXNet keeps (operator parameters as the user wrote them, plus hidden ``__key__``
attributes such as ``__lr_mult__``); the parsed parameters are computed once and cached. An output
entry is a ``(node, index)`` pair. Symbols, shape/type inference, JSON and the executor all work on
this one form.
"""
from __future__ import annotations

from typing import Iterable, Optional

from ..base import MXNetError
from ..ops.registry import OpDef

__all__ = ["Node", "topo_order", "is_hidden", "HIDDEN_KEYS"]

# Attributes MXNet stores as ``__key__`` and reports under both spellings (``lr_mult`` too).
HIDDEN_KEYS = ("ctx_group", "lr_mult", "wd_mult", "force_mirroring", "mirror_stage", "profiler_scope")


def is_hidden(key: str) -> bool:
    """Whether ``key`` is a hidden attribute (``__key__``) rather than an operator parameter."""
    return len(key) > 4 and key.startswith("__") and key.endswith("__")


class Node:
    """One node of a symbolic graph: a variable or an operator call."""

    __slots__ = ("op", "entry", "name", "attrs", "inputs", "_parsed", "subgraphs")

    def __init__(self, op: Optional[str], name: str, attrs: Optional[dict] = None,
                 inputs: Optional[list] = None, entry: Optional[OpDef] = None,
                 subgraphs: tuple = ()):
        self.op = op              # operator name as written in JSON; None for a variable
        self.entry = entry        # the operator-table entry; None for a variable
        self.name = name
        self.attrs = dict(attrs or {})
        self.inputs = list(inputs or [])   # [(Node, output index)]
        self._parsed: Optional[dict] = None
        # the Symbols a control-flow node runs (foreach's body, while_loop's cond and func...):
        # its operator receives them as the parsed parameter ``subgraphs``
        self.subgraphs = tuple(subgraphs)

    @property
    def is_variable(self) -> bool:
        """Whether the node is a variable (an argument or auxiliary state), not an operator call."""
        return self.op is None

    # -- operator parameters ------------------------------------------------------------------
    def params(self) -> dict:
        """Operator parameters: the attributes that are not hidden ``__key__`` ones."""
        return {k: v for k, v in self.attrs.items() if not is_hidden(k)}

    @property
    def parsed(self) -> dict:
        """Parsed operator parameters (defaults filled in), computed once."""
        if self._parsed is None:
            try:
                parsed = self.entry.parse_attrs(self.params())
                self._parsed = {**parsed, "subgraphs": self.subgraphs} if self.subgraphs else parsed
            except MXNetError as err:
                raise MXNetError(f"{err}, in operator {self.op}(name=\"{self.name}\")") from None
        return self._parsed

    def set_attr(self, key: str, value: str) -> None:
        """Set one attribute; an operator parameter is validated now and left unchanged if bad."""
        old = self.attrs.get(key)
        self.attrs[key] = value
        self._parsed = None
        if self.entry is None or is_hidden(key):
            return
        try:
            self.parsed  # noqa: B018
        except MXNetError:
            if old is None:
                del self.attrs[key]
            else:
                self.attrs[key] = old
            self._parsed = None
            raise

    # -- inputs and outputs -------------------------------------------------------------------
    def input_names(self) -> list:
        """Names of this operator's inputs (``data``, ``weight``...), one per entry of ``inputs``."""
        if self.entry.variadic is not None:
            return self.entry.input_names(self.parsed, num_args=len(self.inputs))
        return self.entry.input_names(self.parsed)

    def aux_positions(self) -> tuple:
        """Indices of the inputs that are auxiliary states (BatchNorm's moving statistics)."""
        if self.is_variable or not self.entry.aux:
            return ()
        aux = self.entry.aux_inputs(self.parsed)
        return tuple(i for i, n in enumerate(self.input_names()) if n in aux)

    @property
    def num_outputs(self) -> int:
        """The outputs a Symbol can reach; MXNet's hidden ones (a BatchNorm's saved mean...) are not
        among them (json_format counts those for ``node_row_ptr``)."""
        return 1 if self.is_variable else self.entry.n_outputs(self.parsed)

    def output_names(self) -> list:
        """Output names as ``list_outputs`` reports them (``fc1_output``, ``bn_mean``...)."""
        if self.is_variable:
            return [self.name]
        return [f"{self.name}_{o}" for o in self.entry.list_outputs(self.parsed)]

    def clone(self, inputs: list) -> "Node":
        """A copy of this node reading from ``inputs``, sharing the parsed parameters."""
        node = Node(self.op, self.name, self.attrs, inputs, self.entry, self.subgraphs)
        node._parsed = self._parsed
        return node

    def __repr__(self) -> str:
        return f"<Node {self.op or 'null'} {self.name}>"


def topo_order(heads: Iterable) -> list:
    """Nodes reachable from the ``(node, index)`` heads in depth-first post-order (inputs in order).

    This is MXNet's node order: the order of ``list_arguments``, ``get_internals`` and the JSON.
    """
    order: list = []
    seen: set = set()
    for head, _ in heads:
        if id(head) in seen:
            continue
        stack = [(head, 0)]
        seen.add(id(head))
        while stack:
            node, i = stack.pop()
            if i < len(node.inputs):
                stack.append((node, i + 1))
                child = node.inputs[i][0]
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append((child, 0))
            else:
                order.append(node)
    return order


def copy_graph(heads: list, replace: Optional[dict] = None) -> list:
    """Copy the graph under ``heads``; variables whose name is in ``replace`` become those entries.

    Returns the new heads. Variable nodes not replaced are copied too, so attributes set on the copy
    do not leak into the original (MXNet's symbol copy is deep).
    """
    replace = replace or {}
    new: dict = {}  # id(old node) -> the entry replacing a variable, or the copied operator node

    def remap(node: Node, index: int) -> tuple:
        return new[id(node)] if node.is_variable else (new[id(node)], index)

    for node in topo_order(heads):
        if node.is_variable:
            new[id(node)] = replace.get(node.name) or (node.clone([]), 0)
        else:
            new[id(node)] = node.clone([remap(n, i) for n, i in node.inputs])
    return [remap(n, i) for n, i in heads]
