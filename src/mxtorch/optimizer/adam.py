"""Optimizers built on running first and second moments of the gradient.

Adam, Adamax, Nadam, FTML and LAMB. Adam steps all the weights of a call together with torch's
multi-tensor kernels; FTML and LAMB share their torch kernels with MXNet's ``ftml_update`` and
``lamb_update_phase1``/``phase2`` operators.
"""
from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np
import torch

from ..ndarray.ndarray import NDArray
from ..ops.optimizer_ops import adam_kernel, ftml_step, fused_clip, lamb_step
from .optimizer import (Optimizer, _aggregation_size, _as_lists, _check_arrays, _f32, _zeros_like,
                        register)

__all__ = ["Adam", "Adamax", "Nadam", "FTML", "LAMB"]


@register
class Adam(Optimizer):
    """Adam: momentum on the gradient, scaled by a running estimate of its magnitude.

    With ``g = clip(rescale_grad * grad + wd * weight, clip_gradient)`` and ``t`` the number of
    updates of this weight::

        mean = beta1 * mean + (1 - beta1) * g
        var = beta2 * var + (1 - beta2) * g**2
        weight -= lr * sqrt(1 - beta2**t) / (1 - beta1**t) * mean / (sqrt(var) + epsilon)

    The bias correction is folded into the learning rate, and ``epsilon`` is added outside the
    square root, as in MXNet's ``adam_update`` (Kingma & Ba, https://arxiv.org/abs/1412.6980).
    The state is ``(mean, var)``, shaped and typed like the weight.

    Parameters
    ----------
    learning_rate : float, optional, default 0.001
        Step size before bias correction.
    beta1 : float, optional, default 0.9
        Decay of the running mean of the gradient.
    beta2 : float, optional, default 0.999
        Decay of the running mean of its square.
    epsilon : float, optional, default 1e-8
        Added to ``sqrt(var)`` so the division stays finite.
    lazy_update : bool, optional, default True
        Accepted and stored for compatibility. It only changes anything for ``row_sparse``
        gradients, which mxtorch does not have, so every update is dense.
    **kwargs
        The other arguments of :class:`Optimizer`.

    Examples
    --------
    >>> opt = mx.optimizer.Adam(learning_rate=0.1)
    >>> w, g = mx.nd.ones((2,)), mx.nd.ones((2,))
    >>> opt.update(0, w, g, opt.create_state(0, w))
    >>> w.asnumpy().round(4)
    array([0.9, 0.9], dtype=float32)
    """

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8, lazy_update: bool = True, **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lazy_update = lazy_update
        # Aggregation is safe: no weight's step reads another's, so stepping them together
        # with multi-tensor kernels gives what MXNet's one-at-a-time updates give.
        self.aggregate_num = _aggregation_size("65536")

    def create_state(self, index: Any, weight: NDArray) -> tuple:
        return (_zeros_like(weight), _zeros_like(weight))

    def update(self, index: Any, weight: Any, grad: Any, state: Any) -> None:
        indices, weights, grads, states = _as_lists(index, weight, grad, state)
        _check_arrays(weights, grads)
        self._update_count(indices)
        lrs = self._get_lrs(indices)
        wds = self._get_wds(indices)
        counts = self._index_update_count
        for pos, idx in enumerate(indices):
            t = counts[idx]
            lrs[pos] *= math.sqrt(1. - self.beta2 ** t) / (1. - self.beta1 ** t)
        with torch.no_grad():
            adam_kernel([w._t for w in weights], [g._t for g in grads],
                        [s[0]._t for s in states], [s[1]._t for s in states], lrs, wds,
                        self.beta1, self.beta2, self.epsilon, self.rescale_grad,
                        fused_clip(self.clip_gradient))

    def update_multi_precision(self, index: Any, weight: Any, grad: Any, state: Any) -> None:
        if not isinstance(index, (list, tuple)):
            super().update_multi_precision(index, weight, grad, state)
        elif self.multi_precision and weight[0].dtype == np.float16:
            for i, w, g, s in zip(index, weight, grad, state):
                super().update_multi_precision(i, w, g, s)
        else:
            self.update(index, weight, grad, state)


@register
class Adamax(Optimizer):
    """AdaMax: Adam with the second moment replaced by a decaying maximum of ``|g|``.

    With ``g = clip(rescale_grad * grad + wd * weight, clip_gradient)``::

        mean = beta1 * mean + (1 - beta1) * g
        u = maximum(beta2 * u, abs(g))
        weight -= lr / (1 - beta1**t) * mean / u

    (Kingma & Ba, https://arxiv.org/abs/1412.6980, section 7). The state is ``(mean, u)``.

    Parameters
    ----------
    learning_rate : float, optional, default 0.002
        Step size before bias correction.
    beta1 : float, optional, default 0.9
        Decay of the running mean of the gradient.
    beta2 : float, optional, default 0.999
        Decay applied to the running maximum before it meets the new ``|g|``.
    **kwargs
        The other arguments of :class:`Optimizer`.
    """

    def __init__(self, learning_rate: float = 0.002, beta1: float = 0.9, beta2: float = 0.999,
                 **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2

    def create_state(self, index: Any, weight: NDArray) -> tuple:
        return (_zeros_like(weight), _zeros_like(weight))

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: tuple) -> None:
        _check_arrays([weight], [grad])
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        t = self._index_update_count[index]
        lr /= (1. - self.beta1 ** t)
        w = weight._t
        m_t, u_t = state[0]._t, state[1]._t
        with torch.no_grad():
            g = grad._t * self.rescale_grad + wd * w
            if self.clip_gradient is not None:
                g = g.clamp(-self.clip_gradient, self.clip_gradient)
            m_t.mul_(self.beta1).add_((1. - self.beta1) * g)
            torch.maximum(self.beta2 * u_t, g.abs(), out=u_t)
            w.sub_(lr * m_t / u_t)


@register
class Nadam(Optimizer):
    """Nadam: Adam with Nesterov momentum and a warming momentum schedule.

    The momentum coefficient of step ``t`` is ``mu_t = beta1 * (1 - 0.5 * 0.96**(t *
    schedule_decay))``, rising towards ``beta1``; the running product of these coefficients
    corrects the bias of the mean, and the step mixes the corrected current gradient with the
    corrected mean of the next step (Dozat, "Incorporating Nesterov Momentum into Adam",
    2016). As in MXNet, one schedule product is kept for the whole optimizer and advances with
    every update of every weight. The state is ``(mean, var)``.

    Parameters
    ----------
    learning_rate : float, optional, default 0.001
        Step size.
    beta1 : float, optional, default 0.9
        Limit of the momentum schedule.
    beta2 : float, optional, default 0.999
        Decay of the running mean of the squared gradient.
    epsilon : float, optional, default 1e-8
        Added to the root of the corrected second moment.
    schedule_decay : float, optional, default 0.004
        How fast the momentum coefficient warms up to ``beta1``.
    **kwargs
        The other arguments of :class:`Optimizer`.
    """

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8, schedule_decay: float = 0.004, **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.schedule_decay = schedule_decay
        # Shared by all weights and advanced by each update, which is MXNet's behaviour (and
        # part of its saved optimizer state).
        self.m_schedule = 1.

    def create_state(self, index: Any, weight: NDArray) -> tuple:
        return (_zeros_like(weight), _zeros_like(weight))

    def _momentum_at(self, step: int) -> float:
        """The scheduled momentum coefficient of update number ``step``."""
        return self.beta1 * (1. - 0.5 * 0.96 ** (step * self.schedule_decay))

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: tuple) -> None:
        _check_arrays([weight], [grad])
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        t = self._index_update_count[index]
        w = weight._t
        m_t, v_t = state[0]._t, state[1]._t
        with torch.no_grad():
            g = grad._t * self.rescale_grad + wd * w
            if self.clip_gradient is not None:
                g = g.clamp(-self.clip_gradient, self.clip_gradient)
            mu_now, mu_next = self._momentum_at(t), self._momentum_at(t + 1)
            self.m_schedule = self.m_schedule * mu_now
            product_next = self.m_schedule * mu_next
            m_t.mul_(self.beta1).add_((1. - self.beta1) * g)
            v_t.mul_(self.beta2).add_((1. - self.beta2) * g * g)
            g_hat = g / (1. - self.m_schedule)
            mean_hat = m_t / (1. - product_next)
            var_hat = v_t / (1. - self.beta2 ** t)
            direction = (1. - mu_now) * g_hat + mu_next * mean_hat
            w.sub_(lr * direction / (torch.sqrt(var_hat) + self.epsilon))


@register
class FTML(Optimizer):
    """FTML (follow the moving leader): Adam-like moments with a closed-form weight.

    With ``g = clip(rescale_grad * grad + wd * weight, clip_gradient)`` and ``t`` the number of
    updates of this weight::

        v = beta2 * v + (1 - beta2) * g**2
        d_new = (1 - beta1**t) / lr * (sqrt(v / (1 - beta2**t)) + epsilon)
        z = beta1 * z + (1 - beta1) * g - (d_new - beta1 * d) * weight
        d = d_new
        weight = -z / d

    as in MXNet's ``ftml_update`` (Zheng & Kwok, ICML 2017). The state is ``(d, v, z)``.

    Parameters
    ----------
    beta1 : float, optional, default 0.6
        Decay of ``z``; between 0 and 1, typically near 0.5.
    beta2 : float, optional, default 0.999
        Decay of ``v``; between 0 and 1, typically near 1.
    epsilon : float, optional, default 1e-8
        Added to the root in ``d``.
    **kwargs
        The arguments of :class:`Optimizer` (``learning_rate`` defaults to 0.01 there).
    """

    def __init__(self, beta1: float = 0.6, beta2: float = 0.999, epsilon: float = 1e-8,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon

    def create_state(self, index: Any, weight: NDArray) -> tuple:
        return tuple(_zeros_like(weight) for _ in "dvz")

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: tuple) -> None:
        _check_arrays([weight], [grad])
        self._update_count(index)
        lr, wd = _f32(self._get_lr(index)), _f32(self._get_wd(index))
        t = self._index_update_count[index]
        clip = fused_clip(self.clip_gradient)
        with torch.no_grad():
            # in_place: written into the weight, as MXNet's out=weight operator call does.
            ftml_step(weight._t, grad._t, *(s._t for s in state), lr=lr, beta1=self.beta1,
                      beta2=self.beta2, epsilon=self.epsilon, t=t, wd=wd,
                      rescale_grad=self.rescale_grad, clip_grad=-1.0 if clip is None else clip,
                      in_place=True)


@register
class LAMB(Optimizer):
    """LAMB: Adam's direction with a per-layer trust ratio, for large-batch training.

    With ``r = clip(rescale_grad * grad, clip_gradient)`` the moments are updated as in Adam,
    the direction is ``u = mean_hat / (sqrt(var_hat) + epsilon) + wd * weight`` (``_hat``:
    bias-corrected when ``bias_correction``), and the step is
    ``weight -= lr * ratio * u`` with ``ratio = r1 / r2``, ``r1 = ||weight||`` clamped to
    ``[lower_bound, upper_bound]`` where set and ``r2 = ||u||``; the ratio is 1 when either norm
    is 0 (You et al., https://arxiv.org/abs/1904.00962). The state is ``(mean, var)``; under
    ``multi_precision`` float16 weights are stepped through a float32 master copy.

    Parameters
    ----------
    learning_rate : float, optional, default 0.001
        Step size.
    beta1 : float, optional, default 0.9
        Decay of the running mean of the gradient.
    beta2 : float, optional, default 0.999
        Decay of the running mean of its square.
    epsilon : float, optional, default 1e-6
        Added to ``sqrt(var_hat)``.
    lower_bound : float, optional, default None
        Smallest value ``r1`` may take; None (or 0) leaves it unbounded.
    upper_bound : float, optional, default None
        Largest value ``r1`` may take; None (or 0) leaves it unbounded.
    bias_correction : bool, optional, default True
        Divide the moments by ``1 - beta**t`` before use.
    **kwargs
        The other arguments of :class:`Optimizer`.
    """

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-6, lower_bound: Optional[float] = None,
                 upper_bound: Optional[float] = None, bias_correction: bool = True,
                 **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound
        self.bias_correction = bias_correction
        self.aggregate_num = max(1, min(45, _aggregation_size("45")))

    def create_state(self, index: Any, weight: NDArray) -> tuple:
        return (_zeros_like(weight), _zeros_like(weight))

    def update(self, index: Any, weight: Any, grad: Any, state: Any) -> None:
        self._update_impl(index, weight, grad, state, False)

    def update_multi_precision(self, index: Any, weight: Any, grad: Any, state: Any) -> None:
        first = weight[0] if isinstance(index, (tuple, list)) else weight
        self._update_impl(index, weight, grad, state,
                          multi_precision=self.multi_precision and first.dtype == np.float16)

    def _update_impl(self, index: Any, weight: Any, grad: Any, state: Any,
                     multi_precision: bool) -> None:
        indices, weights, grads, states = _as_lists(index, weight, grad, state)
        _check_arrays(weights, grads)
        with torch.no_grad():
            for idx, w, g, s in zip(indices, weights, grads, states):
                self._update_count(idx)
                lr, wd = _f32(self._get_lr(idx)), _f32(self._get_wd(idx))
                t = self._index_update_count[idx]
                if multi_precision:
                    target, (mean, var), gt = s[0]._t, s[1], g._t.float()
                else:
                    target, (mean, var), gt = w._t, s, g._t
                self._lamb_step(target, gt, mean._t, var._t, lr, wd, t)
                if multi_precision:
                    w._t.copy_(target)

    def _lamb_step(self, w: torch.Tensor, grad: torch.Tensor, mean: torch.Tensor,
                   var: torch.Tensor, lr: float, wd: float, t: int) -> None:
        # Both operator phases in one kernel call. A bound of None or 0 means unset (-1 to the
        # kernel), because MXNet's optimizer only forwards bounds that are truthy.
        clip = fused_clip(self.clip_gradient)
        lamb_step(w, grad, mean, var, lr=lr, lower_bound=self.lower_bound or -1.0,
                  upper_bound=self.upper_bound or -1.0, in_place=True, beta1=self.beta1,
                  beta2=self.beta2, epsilon=self.epsilon, t=t, bias_correction=self.bias_correction,
                  wd=wd, rescale_grad=self.rescale_grad, clip_gradient=-1.0 if clip is None else clip)
