"""Optimizers that scale each coordinate's step by its own gradient history.

AdaGrad, AdaDelta, RMSProp and Ftrl step one weight at a time; RMSProp and Ftrl go through the
torch kernels of MXNet's ``rmsprop_update``/``rmspropalex_update`` and ``ftrl_update`` operators,
so that the optimizer and the operator cannot drift apart.
"""
from __future__ import annotations

from typing import Any, Optional

import torch

from ..ndarray.ndarray import NDArray
from ..ops.optimizer_ops import fused_clip, ftrl_step, rmsprop_step
from .optimizer import Optimizer, _check_arrays, _f32, _zeros_like, register

__all__ = ["AdaGrad", "AdaDelta", "RMSProp", "Ftrl"]


@register
class AdaGrad(Optimizer):
    """AdaGrad: steps shrink with the sum of all past squared gradients of a coordinate.

    With ``g = clip(rescale_grad * grad, clip_gradient)`` the history grows by ``g**2`` and the
    weight moves by ``-lr * (g / sqrt(history + eps) + wd * weight)``. Coordinates that have
    seen large gradients get small steps from then on (Duchi, Hazan & Singer, JMLR 2011). The
    state is the float32 history, starting at 0.

    Parameters
    ----------
    eps : float, optional, default 1e-7
        Added to the history under the square root, so that the first steps stay finite.
    **kwargs
        The arguments of :class:`Optimizer`.
    """

    def __init__(self, eps: float = 1e-7, **kwargs: Any):
        super().__init__(**kwargs)
        self.float_stable_eps = eps

    def create_state(self, index: Any, weight: NDArray) -> NDArray:
        return _zeros_like(weight, torch.float32)

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
    """AdaDelta: a step size made from running averages, with no learning rate.

    Two float32 averages are kept per weight: of squared gradients and of squared updates.
    With ``g = clip(rescale_grad * grad, clip_gradient)``::

        acc_g = rho * acc_g + (1 - rho) * g**2
        delta = sqrt(acc_delta + epsilon) / sqrt(acc_g + epsilon) * g
        acc_delta = rho * acc_delta + (1 - rho) * delta**2
        weight -= delta + wd * weight

    so the step has the units of the weight (Zeiler 2012, https://arxiv.org/abs/1212.5701).
    As MXNet does, this class ignores ``learning_rate``, applies ``wd`` only in the last
    line, and multiplies the caller's gradient array by ``rescale_grad`` in place.

    Parameters
    ----------
    rho : float, optional, default 0.90
        Decay of both running averages.
    epsilon : float, optional, default 1e-5
        Added under both square roots.
    **kwargs
        The arguments of :class:`Optimizer`.
    """

    def __init__(self, rho: float = 0.90, epsilon: float = 1e-5, **kwargs: Any):
        super().__init__(**kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def create_state(self, index: Any, weight: NDArray) -> tuple:
        # (average of squared gradients, average of squared updates)
        return (_zeros_like(weight, torch.float32), _zeros_like(weight, torch.float32))

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: tuple) -> None:
        _check_arrays([weight], [grad])
        wd = self._get_wd(index)
        self._update_count(index)
        w = weight._t
        acc_g, acc_delta = state[0]._t, state[1]._t
        with torch.no_grad():
            g = grad._t
            # In place on purpose: MXNet rescales the caller's gradient array too.
            g.mul_(self.rescale_grad)
            if self.clip_gradient is not None:
                g = g.clamp(-self.clip_gradient, self.clip_gradient)
            acc_g.mul_(self.rho).add_((1. - self.rho) * g * g)
            current_delta = torch.sqrt(acc_delta + self.epsilon) / torch.sqrt(acc_g + self.epsilon) * g
            acc_delta.mul_(self.rho).add_((1. - self.rho) * current_delta * current_delta)
            w.sub_(current_delta + wd * w)


@register
class RMSProp(Optimizer):
    """RMSProp: gradients divided by a running root mean square of their recent values.

    With ``r = clip(rescale_grad * grad + wd * weight, clip_gradient)`` and
    ``n = gamma1 * n + (1 - gamma1) * r**2``:

    - plain (``centered=False``, Tieleman & Hinton's lecture 6e, 2012; MXNet's
      ``rmsprop_update``): ``weight -= lr * r / sqrt(n + epsilon)``;
    - centered (Graves, https://arxiv.org/abs/1308.0850, eqs. 38-45; ``rmspropalex_update``):
      also ``g = gamma1 * g + (1 - gamma1) * r`` and
      ``delta = gamma2 * delta - lr * r / sqrt(n - g**2 + epsilon)``, then ``weight += delta``.

    Either way the new weight is then clipped to ``[-clip_weights, clip_weights]`` if that is
    set. The state is ``(n,)`` or, centered, ``(n, g, delta)``, all float32.

    Parameters
    ----------
    learning_rate : float, optional, default 0.001
        Step size.
    gamma1 : float, optional, default 0.9
        Decay of the running averages of ``r**2`` (and of ``r``, centered).
    gamma2 : float, optional, default 0.9
        Momentum of ``delta``; used only when ``centered``.
    epsilon : float, optional, default 1e-8
        Added under the square root.
    centered : bool, optional, default False
        Use Graves's centered form, which divides by an estimate of the variance rather than of
        the raw second moment.
    clip_weights : float, optional, default None
        Bound on the absolute value of every weight after the step.
    **kwargs
        The other arguments of :class:`Optimizer`.
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
        count = 3 if self.centered else 1
        return tuple(_zeros_like(weight, torch.float32) for _ in range(count))

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: tuple) -> None:
        _check_arrays([weight], [grad])
        self._update_count(index)
        lr, wd = _f32(self._get_lr(index)), _f32(self._get_wd(index))
        clip = fused_clip(self.clip_gradient)
        clip_w = fused_clip(self.clip_weights)
        centred = (state[1]._t, state[2]._t) if self.centered else ()
        with torch.no_grad():
            # in_place: written into the weight, as MXNet's out=weight operator call does.
            rmsprop_step(weight._t, grad._t, state[0]._t, *centred, lr=lr, gamma1=self.gamma1,
                         gamma2=self.gamma2, epsilon=self.epsilon, wd=wd,
                         rescale_grad=self.rescale_grad,
                         clip_gradient=-1.0 if clip is None else clip,
                         clip_weights=-1.0 if clip_w is None else clip_w, in_place=True)


@register
class Ftrl(Optimizer):
    """FTRL-Proximal: per-coordinate rates with L1 regularisation that yields exact zeros.

    The state is two float32 arrays, ``z`` and ``n``. With
    ``g = clip(rescale_grad * grad, clip_gradient)``::

        z += g - (sqrt(n + g**2) - sqrt(n)) * weight / lr
        n += g**2
        weight = (sign(z) * lamda1 - z) / ((beta + sqrt(n)) / lr + wd)  where |z| > lamda1, else 0

    so each coordinate's effective rate is ``lr / (beta + sqrt(n))``. The method is from
    McMahan et al., "Ad Click Prediction: a View from the Trenches" (KDD 2013); the arithmetic
    is MXNet's ``ftrl_update``.

    Parameters
    ----------
    lamda1 : float, optional, default 0.01
        L1 strength: coordinates whose ``|z|`` stays below it are set to 0.
    learning_rate : float, optional, default 0.1
        Step size ``lr`` above.
    beta : float, optional, default 1
        Added to ``sqrt(n)`` in the rate's denominator, so early steps are bounded.
    **kwargs
        The other arguments of :class:`Optimizer`.
    """

    def __init__(self, lamda1: float = 0.01, learning_rate: float = 0.1, beta: float = 1,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.lamda1 = lamda1
        self.beta = beta
        self.lr = learning_rate

    def create_state(self, index: Any, weight: NDArray) -> tuple:
        return (_zeros_like(weight, torch.float32), _zeros_like(weight, torch.float32))

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: tuple) -> None:
        _check_arrays([weight], [grad])
        self._update_count(index)
        wd, lr = _f32(self._get_wd(index)), _f32(self._get_lr(index))
        clip = fused_clip(self.clip_gradient)
        with torch.no_grad():
            # in_place: written into the weight, as MXNet's out=weight operator call does.
            ftrl_step(weight._t, grad._t, state[0]._t, state[1]._t, lr=lr, lamda1=self.lamda1,
                      beta=self.beta, wd=wd, rescale_grad=self.rescale_grad,
                      clip_gradient=-1.0 if clip is None else clip, in_place=True)
