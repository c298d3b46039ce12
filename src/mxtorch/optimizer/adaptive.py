"""Per-coordinate adaptive optimizers: AdaGrad, AdaDelta, RMSProp, Ftrl."""
from __future__ import annotations

from typing import Any, Optional

import torch

from ..ndarray.ndarray import NDArray
from ..ops.optimizer_ops import fused_clip, ftrl_step, rmsprop_step
from .optimizer import Optimizer, _check_arrays, _f32, _zeros_like, register

__all__ = ["AdaGrad", "AdaDelta", "RMSProp", "Ftrl"]


@register
class AdaGrad(Optimizer):
    """AdaGrad optimizer.

    This class implements the AdaGrad optimizer described in *Adaptive Subgradient
    Methods for Online Learning and Stochastic Optimization*, and available at
    http://www.jmlr.org/papers/volume12/duchi11a/duchi11a.pdf.

    This optimizer updates each weight by::

        grad = clip(grad * rescale_grad, clip_gradient)
        history += square(grad)
        div = grad / sqrt(history + float_stable_eps)
        weight += (div + weight * wd) * -lr

    This optimizer accepts the following parameters in addition to those accepted
    by :class:`.Optimizer`.

    Parameters
    ----------
    eps: float, optional
        Initial value of the history accumulator. Avoids division by 0.

    """

    def __init__(self, eps: float = 1e-7, **kwargs: Any):
        super().__init__(**kwargs)
        self.float_stable_eps = eps

    def create_state(self, index: Any, weight: NDArray) -> NDArray:
        return _zeros_like(weight, torch.float32)  # history

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: NDArray) -> None:
        _check_arrays([weight], [grad])
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        w, history = weight._t, state._t
        with torch.no_grad():
            g = grad._t * self.rescale_grad
            if self.clip_gradient is not None:
                g = g.clamp(-self.clip_gradient, self.clip_gradient)
            history.add_(torch.square(g))
            div = g / torch.sqrt(history + self.float_stable_eps)
            w.add_((div + w * wd) * -lr)


@register
class AdaDelta(Optimizer):
    """The AdaDelta optimizer.

    This class implements AdaDelta, an optimizer described in  *ADADELTA: An adaptive
    learning rate method*, available at https://arxiv.org/abs/1212.5701.

    This optimizer updates each weight by::

        grad = clip(grad * rescale_grad + wd * weight, clip_gradient)
        acc_grad = rho * acc_grad + (1. - rho) * grad * grad
        delta = sqrt(acc_delta + epsilon) / sqrt(acc_grad + epsilon) * grad
        acc_delta = rho * acc_delta + (1. - rho) * delta * delta
        weight -= (delta + wd * weight)

    (As in MXNet, the learning rate is not used, ``wd`` enters only the last line, and the
    gradient array is rescaled in place.)

    This optimizer accepts the following parameters in addition to those accepted
    by :class:`.Optimizer`.

    Parameters
    ----------
    rho: float
        Decay rate for both squared gradients and delta.
    epsilon : float
        Small value to avoid division by 0.
    """

    def __init__(self, rho: float = 0.90, epsilon: float = 1e-5, **kwargs: Any):
        super().__init__(**kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def create_state(self, index: Any, weight: NDArray) -> tuple:
        return (_zeros_like(weight, torch.float32),  # accumulated g
                _zeros_like(weight, torch.float32))  # accumulated delta

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: tuple) -> None:
        _check_arrays([weight], [grad])
        wd = self._get_wd(index)
        self._update_count(index)
        w = weight._t
        acc_g, acc_delta = state[0]._t, state[1]._t
        with torch.no_grad():
            g = grad._t
            g.mul_(self.rescale_grad)  # MXNet writes `grad *= rescale_grad`
            if self.clip_gradient is not None:
                g = g.clamp(-self.clip_gradient, self.clip_gradient)
            acc_g.mul_(self.rho).add_((1. - self.rho) * g * g)
            current_delta = torch.sqrt(acc_delta + self.epsilon) / torch.sqrt(acc_g + self.epsilon) * g
            acc_delta.mul_(self.rho).add_((1. - self.rho) * current_delta * current_delta)
            w.sub_(current_delta + wd * w)


@register
class RMSProp(Optimizer):
    """The RMSProp optimizer.

    Two versions of RMSProp are implemented:

    If ``centered=False``, we follow
    http://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf by
    Tieleman & Hinton, 2012.
    For details of the update algorithm see :class:`~mxnet.ndarray.rmsprop_update`.

    If ``centered=True``, we follow http://arxiv.org/pdf/1308.0850v5.pdf (38)-(45)
    by Alex Graves, 2013.
    For details of the update algorithm see :class:`~mxnet.ndarray.rmspropalex_update`.

    This optimizer accepts the following parameters in addition to those accepted
    by :class:`.Optimizer`.

    Parameters
    ----------
    gamma1: float, optional
        A decay factor of moving average over past squared gradient.
    gamma2: float, optional
        A "momentum" factor. Only used if `centered`=``True``.
    epsilon : float, optional
        Small value to avoid division by 0.
    centered : bool, optional
        Flag to control which version of RMSProp to use.::

            True: will use Graves's version of `RMSProp`,
            False: will use Tieleman & Hinton's version of `RMSProp`.

    clip_weights : float, optional
        Clips weights into range ``[-clip_weights, clip_weights]``.
    """

    def __init__(self, learning_rate: float = 0.001, gamma1: float = 0.9, gamma2: float = 0.9,
                 epsilon: float = 1e-8, centered: bool = False,
                 clip_weights: Optional[float] = None, **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.gamma1 = gamma1
        self.gamma2 = gamma2
        self.centered = centered
        self.epsilon = epsilon
        self.clip_weights = clip_weights

    def create_state(self, index: Any, weight: NDArray) -> tuple:
        count = 3 if self.centered else 1  # (n, g, delta) or (n,)
        return tuple(_zeros_like(weight, torch.float32) for _ in range(count))

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: tuple) -> None:
        _check_arrays([weight], [grad])
        self._update_count(index)
        lr, wd = _f32(self._get_lr(index)), _f32(self._get_wd(index))
        clip = fused_clip(self.clip_gradient)
        clip_w = fused_clip(self.clip_weights)
        centred = (state[1]._t, state[2]._t) if self.centered else ()
        with torch.no_grad():
            # rmsprop_update / rmspropalex_update with out=weight
            rmsprop_step(weight._t, grad._t, state[0]._t, *centred, lr=lr, gamma1=self.gamma1,
                         gamma2=self.gamma2, epsilon=self.epsilon, wd=wd,
                         rescale_grad=self.rescale_grad,
                         clip_gradient=-1.0 if clip is None else clip,
                         clip_weights=-1.0 if clip_w is None else clip_w, in_place=True)


@register
class Ftrl(Optimizer):
    """The Ftrl optimizer.

    Referenced from *Ad Click Prediction: a View from the Trenches*, available at
    http://dl.acm.org/citation.cfm?id=2488200.

    eta :
        .. math::
           \\eta_{t,i} = \\frac{learningrate}{\\beta+\\sqrt{\\sum_{s=1}^tg_{s,i}^2}}

    The optimizer updates the weight by::

        rescaled_grad = clip(grad * rescale_grad, clip_gradient)
        z += rescaled_grad - (sqrt(n + rescaled_grad**2) - sqrt(n)) * weight / learning_rate
        n += rescaled_grad**2
        w = (sign(z) * lamda1 - z) / ((beta + sqrt(n)) / learning_rate + wd) * (abs(z) > lamda1)

    For details of the update algorithm, see :class:`~mxnet.ndarray.ftrl_update`.

    This optimizer accepts the following parameters in addition to those accepted
    by :class:`.Optimizer`.

    Parameters
    ----------
    lamda1 : float, optional
        L1 regularization coefficient.
    learning_rate : float, optional
        The initial learning rate.
    beta : float, optional
        Per-coordinate learning rate correlation parameter.
    """

    def __init__(self, lamda1: float = 0.01, learning_rate: float = 0.1, beta: float = 1,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.lamda1 = lamda1
        self.beta = beta
        self.lr = learning_rate

    def create_state(self, index: Any, weight: NDArray) -> tuple:
        return (_zeros_like(weight, torch.float32),  # z
                _zeros_like(weight, torch.float32))  # n

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: tuple) -> None:
        _check_arrays([weight], [grad])
        self._update_count(index)
        wd, lr = _f32(self._get_wd(index)), _f32(self._get_lr(index))
        clip = fused_clip(self.clip_gradient)
        with torch.no_grad():
            # ftrl_update with out=weight
            ftrl_step(weight._t, grad._t, state[0]._t, state[1]._t, lr=lr, lamda1=self.lamda1,
                      beta=self.beta, wd=wd, rescale_grad=self.rescale_grad,
                      clip_gradient=-1.0 if clip is None else clip, in_place=True)
