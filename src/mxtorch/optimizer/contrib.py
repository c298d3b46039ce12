"""Optimizers of ``mx.optimizer.contrib``."""
from __future__ import annotations

from typing import Any

import torch

from ..base import MXNetError
from ..ndarray.ndarray import NDArray
from .optimizer import Optimizer, _check_arrays, register

__all__ = ["GroupAdaGrad"]


@register
class GroupAdaGrad(Optimizer):
    """AdaGrad with one adaptive rate per row of a 2-D weight (``'groupadagrad'``).

    Where AdaGrad keeps a squared-gradient history per element, this keeps one per row (the
    mean of the row's squared gradients), which suits embedding tables: a row is scaled as
    a whole. Each update does::

        g = clip(rescale_grad * grad, clip_gradient)
        history += mean(g ** 2, axis=1, keepdims=True)
        weight -= lr * g / sqrt(history + eps)

    Weight decay is refused. Other arguments are :class:`Optimizer`'s.

    Parameters
    ----------
    eps : float, default 1e-5
        Added to the history under the square root, so that a zero history does not divide
        by zero.
    **kwargs
        Passed to :class:`Optimizer` (``learning_rate``, ``rescale_grad``,
        ``clip_gradient``, ...).
    """

    def __init__(self, eps: float = 1e-5, **kwargs: Any):
        super().__init__(**kwargs)
        self.float_stable_eps = eps

    def create_state(self, index: Any, weight: NDArray) -> NDArray:
        """A zero history of shape ``(rows, 1)`` for a 2-D weight."""
        if len(weight.shape) != 2:
            raise MXNetError(f"GroupAdaGrad needs 2-D weights (one rate per row), got shape "
                             f"{weight.shape}")
        return NDArray(torch.zeros((weight.shape[0], 1), device=weight._t.device))  # history

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: NDArray) -> None:
        """Apply one step to ``weight`` in place, growing the row history ``state``."""
        _check_arrays([weight], [grad])
        self._update_count(index)
        lr = self._get_lr(index)
        wd = self._get_wd(index)
        if wd != 0:
            raise MXNetError("Weight decay is not supported for GroupAdaGrad")
        history = state._t
        with torch.no_grad():
            g = grad._t * self.rescale_grad
            if self.clip_gradient is not None:
                g = g.clamp(-self.clip_gradient, self.clip_gradient)
            history.add_(torch.square(g).mean(dim=1, keepdim=True))
            weight._t.sub_(lr * g / torch.sqrt(history + self.float_stable_eps))
