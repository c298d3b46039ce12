"""Contrib optimizers."""
from __future__ import annotations

from typing import Any

import torch

from ..base import MXNetError
from ..ndarray.ndarray import NDArray
from .optimizer import Optimizer, _check_arrays, register

__all__ = ["GroupAdaGrad"]


@register
class GroupAdaGrad(Optimizer):
    """Adagrad optimizer with row-wise learning rates.

    This class implements the AdaGrad optimizer described in *Adaptive
    Subgradient Methods for Online Learning and Stochastic Optimization*, and
    available at http://www.jmlr.org/papers/volume12/duchi11a/duchi11a.pdf but
    uses only a single learning rate for every row of the parameter array.

    This optimizer updates each weight by::

        grad = clip(grad * rescale_grad, clip_gradient)
        history += mean(square(grad), axis=1, keepdims=True)
        div = grad / sqrt(history + float_stable_eps)
        weight -= div * lr

    For details of the update algorithm see
    :class:`~mxnet.ndarray.contrib.group_adagrad_update`.

    This optimizer accepts the following parameters in addition to those
    accepted by :class:`.Optimizer`. Weight decay is not supported.

    Parameters
    ----------
    eps: float, optional
        Initial value of the history accumulator. Avoids division by 0.
    """

    def __init__(self, eps: float = 1e-5, **kwargs: Any):
        super().__init__(**kwargs)
        self.float_stable_eps = eps

    def create_state(self, index: Any, weight: NDArray) -> NDArray:
        if len(weight.shape) != 2:
            raise MXNetError(f"GroupAdaGrad needs 2-D weights (one rate per row), got shape "
                             f"{weight.shape}")
        return NDArray(torch.zeros((weight.shape[0], 1), device=weight._t.device))  # history

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: NDArray) -> None:
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
