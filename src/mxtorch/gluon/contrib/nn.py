"""Contrib layers: ``Concurrent`` and ``HybridConcurrent`` (``Identity`` is ``gluon.nn``'s)."""
from __future__ import annotations

from typing import Any, Optional

from ... import ndarray as nd
from ..nn import HybridSequential, Identity, Sequential

__all__ = ["Concurrent", "HybridConcurrent", "Identity"]


class Concurrent(Sequential):
    """A container that runs every child on the same input and concatenates their outputs.

    Children are added with ``add``, as in ``Sequential``; their outputs must agree in every axis
    but ``axis``.

    Parameters
    ----------
    axis : int, default -1
        The axis along which the outputs are joined.
    prefix : str, optional
        Prefix of the names of the block and of its parameters.
    params : ParameterDict, optional
        Parameters to share instead of creating new ones.
    """

    def __init__(self, axis: int = -1, prefix: Optional[str] = None, params: Any = None):
        super().__init__(prefix=prefix, params=params)
        self.axis = axis

    def forward(self, x: nd.NDArray) -> nd.NDArray:
        return nd.concat(*[block(x) for block in self._children.values()], dim=self.axis)


class HybridConcurrent(HybridSequential):
    """The hybridizable ``Concurrent``: ``HybridBlock`` children on one input, outputs concatenated.

    Joined along the channel axis it builds Inception-style blocks (parallel branches) and
    DenseNet-style ones (a branch next to an ``Identity``, so the input is kept beside the new
    features).

    Parameters
    ----------
    axis : int, default -1
        The axis along which the outputs are joined.
    prefix : str, optional
        Prefix of the names of the block and of its parameters.
    params : ParameterDict, optional
        Parameters to share instead of creating new ones.

    Examples
    --------
    >>> block = gluon.contrib.nn.HybridConcurrent(axis=1)
    >>> with block.name_scope():
    ...     block.add(nn.Dense(3), nn.Identity())
    >>> block.initialize()
    >>> block(mx.nd.ones((2, 5))).shape
    (2, 8)
    """

    def __init__(self, axis: int = -1, prefix: Optional[str] = None, params: Any = None):
        super().__init__(prefix=prefix, params=params)
        self.axis = axis

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return F.concat(*[block(x) for block in self._children.values()], dim=self.axis)
