"""Limits on what a symbol JSON file may ask for, in one place.

Reading a file does work bounded by these numbers and by the file's size, whatever the file holds
(DESIGN.md, principle 7). Each is far beyond what any real network needs: ResNet-152 has a few
thousand nodes, the widest split in the model zoo has a few dozen outputs, and kernels, strides and
axes have at most a handful of entries. A file beyond one is refused with an MXNetError that names
the node and the limit.
"""
from __future__ import annotations

__all__ = ["MAX_NODES", "MAX_NODE_OUTPUTS", "MAX_ATTR_CHARS", "MAX_TUPLE_LEN", "MAX_NDIM",
           "MAX_INT", "MAX_ELEMENTS", "MAX_SUBGRAPH_DEPTH"]

#: Nodes in one graph (variables and operators alike); also the most heads a file may list.
MAX_NODES = 500_000

#: Levels of control-flow subgraphs inside one another (a foreach whose body holds a foreach is
#: two); real programs use one or two.
MAX_SUBGRAPH_DEPTH = 32

#: Outputs of one operator (``SliceChannel``'s ``num_outputs``, ``Concat``'s ``num_args``...).
MAX_NODE_OUTPUTS = 4096

#: Characters of one operator attribute that is parsed as a number or a tuple (``"(5, 5)"``).
MAX_ATTR_CHARS = 4096

#: Entries of one tuple attribute (``kernel``, ``axis``, ``shape``, ``pad_width``...).
MAX_TUPLE_LEN = 64

#: Dimensions of one shape (NumPy's and MXNet's numpy-mode limit).
MAX_NDIM = 32

#: The largest magnitude of an integer attribute or dimension (MXNet stores them as int64).
MAX_INT = 2**63 - 1

#: Elements of one array whose shape the graph determines: 2**48, a petabyte of float32, so that
#: its size in bytes still fits the int64 that torch and MXNet count bytes in.
MAX_ELEMENTS = 2**48
