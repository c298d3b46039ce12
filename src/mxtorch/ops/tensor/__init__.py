"""Tensor operators, one module per family as MXNet's ``src/operator/tensor/`` groups them.

``elemwise_unary`` and ``elemwise_binary`` (with the scalar and broadcast forms), ``broadcast_reduce``,
``dot``, ``matrix`` (reshape, transpose, slicing), ``join_split``, ``indexing``, ``control_flow``
(where), ``ordering`` (sort, topk), ``histogram``, ``init`` (creation) and ``cast``. Importing the
package declares them all.
"""
from . import (  # noqa: F401
               broadcast_reduce,
               cast,
               control_flow,
               dot,
               elemwise_binary,
               elemwise_unary,
               histogram,
               indexing,
               init,
               join_split,
               matrix,
               ordering,
)
from ._common import dtype_in
from .broadcast_reduce import reduce_axes
from .init import device_of
from .matrix import infer_reshape

__all__ = ["device_of", "dtype_in", "infer_reshape", "reduce_axes"]
