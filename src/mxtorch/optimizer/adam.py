"""Adam and its relatives: Adam, Adamax, Nadam, FTML, LAMB."""
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
    """The Adam optimizer.

    This class implements the optimizer described in *Adam: A Method for
    Stochastic Optimization*, available at http://arxiv.org/abs/1412.6980.

    Updates at step t are applied by::

        rescaled_grad = clip(grad * rescale_grad + wd * weight, clip_gradient)
        m = beta1 * m + (1 - beta1) * rescaled_grad
        v = beta2 * v + (1 - beta2) * (rescaled_grad**2)
        lr = learning_rate * sqrt(1 - beta1**t) / (1 - beta2**t)
        w = w - lr * m / (sqrt(v) + epsilon)

    (The code applies ``sqrt(1 - beta2**t) / (1 - beta1**t)``, as MXNet does.) All weights
    handed to one update call are updated together by torch's multi-tensor kernels.

    This optimizer accepts the following parameters in addition to those accepted
    by :class:`.Optimizer`.

    For details of the update algorithm, see :class:`~mxnet.ndarray.adam_update`.

    Parameters
    ----------
    beta1 : float, optional
        Exponential decay rate for the first moment estimates.
    beta2 : float, optional
        Exponential decay rate for the second moment estimates.
    epsilon : float, optional
        Small value to avoid division by 0.
    lazy_update : bool, optional
       Default is True. Lazy updates concern only ``row_sparse`` gradients, which mxtorch
       does not have: dense updates are always applied.
    """

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8, lazy_update: bool = True, **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lazy_update = lazy_update
        # The per-weight rule does not depend on the other weights, so aggregated calls
        # (a torch multi-tensor update) give the same result as MXNet's one-by-one updates.
        self.aggregate_num = _aggregation_size("65536")

    def create_state(self, index: Any, weight: NDArray) -> tuple:
        return (_zeros_like(weight),  # mean
                _zeros_like(weight))  # variance

    def update(self, index: Any, weight: Any, grad: Any, state: Any) -> None:
        indices, weights, grads, states = _as_lists(index, weight, grad, state)
        _check_arrays(weights, grads)
        self._update_count(indices)
        lrs = self._get_lrs(indices)
        wds = self._get_wds(indices)
        for i, idx in enumerate(indices):
            t = self._index_update_count[idx]
            coef1 = 1. - self.beta1 ** t
            coef2 = 1. - self.beta2 ** t
            lrs[i] *= math.sqrt(coef2) / coef1
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
    """The AdaMax optimizer.

    It is a variant of Adam based on the infinity norm
    available at http://arxiv.org/abs/1412.6980 Section 7.

    The optimizer updates the weight by::

        grad = clip(grad * rescale_grad + wd * weight, clip_gradient)
        m = beta1 * m_t + (1 - beta1) * grad
        u = maximum(beta2 * u, abs(grad))
        weight -= lr / (1 - beta1**t) * m / u

    This optimizer accepts the following parameters in addition to those accepted
    by :class:`.Optimizer`.

    Parameters
    ----------
    beta1 : float, optional
        Exponential decay rate for the first moment estimates.
    beta2 : float, optional
        Exponential decay rate for the second moment estimates.
    """

    def __init__(self, learning_rate: float = 0.002, beta1: float = 0.9, beta2: float = 0.999,
                 **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2

    def create_state(self, index: Any, weight: NDArray) -> tuple:
        return (_zeros_like(weight),  # mean
                _zeros_like(weight))  # variance

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
    """The Nesterov Adam optimizer.

    Much like Adam is essentially RMSprop with momentum,
    Nadam is Adam RMSprop with Nesterov momentum available
    at http://cs229.stanford.edu/proj2015/054_report.pdf.

    This optimizer accepts the following parameters in addition to those accepted
    by :class:`.Optimizer`.

    Parameters
    ----------
    beta1 : float, optional
        Exponential decay rate for the first moment estimates.
    beta2 : float, optional
        Exponential decay rate for the second moment estimates.
    epsilon : float, optional
        Small value to avoid division by 0.
    schedule_decay : float, optional
        Exponential decay rate for the momentum schedule
    """

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8, schedule_decay: float = 0.004, **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.schedule_decay = schedule_decay
        # One schedule for the whole optimizer, advanced by every update (as in MXNet).
        self.m_schedule = 1.

    def create_state(self, index: Any, weight: NDArray) -> tuple:
        return (_zeros_like(weight),  # mean
                _zeros_like(weight))  # variance

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
            # warming momentum schedule
            momentum_t = self.beta1 * (1. - 0.5 * (pow(0.96, t * self.schedule_decay)))
            momentum_t_1 = self.beta1 * (1. - 0.5 * (pow(0.96, (t + 1) * self.schedule_decay)))
            self.m_schedule = self.m_schedule * momentum_t
            m_schedule_next = self.m_schedule * momentum_t_1
            m_t.mul_(self.beta1).add_((1. - self.beta1) * g)
            v_t.mul_(self.beta2).add_((1. - self.beta2) * g * g)
            grad_prime = g / (1. - self.m_schedule)
            m_t_prime = m_t / (1. - m_schedule_next)
            v_t_prime = v_t / (1. - pow(self.beta2, t))
            m_t_bar = (1. - momentum_t) * grad_prime + momentum_t_1 * m_t_prime
            w.sub_(lr * m_t_bar / (torch.sqrt(v_t_prime) + self.epsilon))


@register
class FTML(Optimizer):
    """The FTML optimizer.

    This class implements the optimizer described in
    *FTML - Follow the Moving Leader in Deep Learning*,
    available at http://proceedings.mlr.press/v70/zheng17a/zheng17a.pdf.

    Denote time step by t. The optimizer updates the weight by::

        rescaled_grad = clip(grad * rescale_grad + wd * weight, clip_gradient)
        v = beta2 * v + (1 - beta2) * square(rescaled_grad)
        d_t = (1 - power(beta1, t)) / lr * square_root(v / (1 - power(beta2, t))) + epsilon)
        z = beta1 * z + (1 - beta1) * rescaled_grad - (d_t - beta1 * d_(t-1)) * weight
        weight = - z / d_t

    For details of the update algorithm, see :class:`~mxnet.ndarray.ftml_update`.

    This optimizer accepts the following parameters in addition to those accepted
    by :class:`.Optimizer`.

    Parameters
    ----------
    beta1 : float, optional
        0 < beta1 < 1. Generally close to 0.5.
    beta2 : float, optional
        0 < beta2 < 1. Generally close to 1.
    epsilon : float, optional
        Small value to avoid division by 0.
    """

    def __init__(self, beta1: float = 0.6, beta2: float = 0.999, epsilon: float = 1e-8,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon

    def create_state(self, index: Any, weight: NDArray) -> tuple:
        return (_zeros_like(weight),  # d_0
                _zeros_like(weight),  # v_0
                _zeros_like(weight))  # z_0

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: tuple) -> None:
        _check_arrays([weight], [grad])
        self._update_count(index)
        lr, wd = _f32(self._get_lr(index)), _f32(self._get_wd(index))
        t = self._index_update_count[index]
        clip = fused_clip(self.clip_gradient)
        with torch.no_grad():
            # ftml_update with out=weight
            ftml_step(weight._t, grad._t, *(s._t for s in state), lr=lr, beta1=self.beta1,
                      beta2=self.beta2, epsilon=self.epsilon, t=t, wd=wd,
                      rescale_grad=self.rescale_grad, clip_grad=-1.0 if clip is None else clip,
                      in_place=True)


@register
class LAMB(Optimizer):
    """LAMB Optimizer.

    Layer-wise adaptive moments (https://arxiv.org/pdf/1904.00962.pdf); for each weight::

        grad = clip(grad * rescale_grad, clip_gradient)
        mean = beta1 * mean + (1 - beta1) * grad
        var = beta2 * var + (1 - beta2) * grad**2
        g = mean_hat / (sqrt(var_hat) + epsilon) + wd * weight     (bias-corrected if asked)
        r1 = min(max(norm(weight), lower_bound), upper_bound); r2 = norm(g)
        weight = weight - lr * (r1 / r2 if r1 and r2 else 1) * g
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
        self._update_impl(index, weight, grad, state, multi_precision=False)

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
        # lamb_update_phase1, the norms, lamb_update_phase2 with out=weight; MXNet's optimizer
        # passes a bound only when it is set (not None, not 0)
        clip = fused_clip(self.clip_gradient)
        lamb_step(w, grad, mean, var, lr=lr, lower_bound=self.lower_bound or -1.0,
                  upper_bound=self.upper_bound or -1.0, in_place=True, beta1=self.beta1,
                  beta2=self.beta2, epsilon=self.epsilon, t=t, bias_correction=self.bias_correction,
                  wd=wd, rescale_grad=self.rescale_grad, clip_gradient=-1.0 if clip is None else clip)
