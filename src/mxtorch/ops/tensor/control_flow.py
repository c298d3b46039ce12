"""Element-wise selection (MXNet's ``control_flow_op``): where."""
from __future__ import annotations

import torch

from ...base import MXNetError
from ..registry import op
from ._common import _same_dtype


@op("where", inputs=("condition", "x", "y"), untied_inputs=("condition",))
def where(condition, x, y):
    """Returns elements from ``x`` where ``condition`` is non-zero, from ``y`` elsewhere.
    ``condition`` has the shape of ``x``, or is 1-D and selects along the first axis."""
    _same_dtype("where", x, y)
    if x.shape != y.shape:
        raise MXNetError(f"where: x and y must have the same shape, got {tuple(x.shape)} and "
                         f"{tuple(y.shape)}")
    mask = condition != 0
    if condition.shape != x.shape:
        if condition.dim() != 1 or condition.shape[0] != x.shape[0]:
            raise MXNetError(f"where: condition of shape {tuple(condition.shape)} must have the "
                             f"shape of x {tuple(x.shape)} or be 1-D of length {x.shape[0]}")
        mask = mask.reshape(-1, *(1,) * (x.dim() - 1))
    return torch.where(mask, x, y)
