"""SGD and its relatives: SGD, ccSGD, NAG, Signum, DCASGD, SGLD."""
from __future__ import annotations

import math
import warnings
from typing import Any, Optional, Sequence

import numpy as np
import torch

from ..ndarray.ndarray import NDArray
from ..ops.optimizer_ops import (fused_clip, lars_rates, nag_step, sgd_kernel, signum_step,
                                 sum_squares)
from .optimizer import (Optimizer, _aggregation_size, _as_lists, _check_arrays, _f32, _zeros_like,
                        register)

__all__ = ["SGD", "ccSGD", "NAG", "Signum", "DCASGD", "SGLD", "LARS"]


def _master_weights(weights: list, states: list, multi_precision: bool) -> tuple:
    """(tensors to update, momentum tensors or None, grads dtype) for SGD-style (mom, weight32)
    states; with multi_precision the float32 master copies are updated."""
    if multi_precision:
        return [s[1]._t for s in states], [s[0] for s in states], torch.float32
    return [w._t for w in weights], list(states), None


class _MomentumOptimizer(Optimizer):
    """States shared by SGD and NAG: a momentum array (when momentum is not 0), paired with a
    float32 master copy of a float16 weight under multi_precision, in MXNet's (mom, weight32)
    order."""

    momentum = 0.0

    def create_state_multi_precision(self, index: Any, weight: NDArray) -> Any:
        if self.multi_precision and weight.dtype == np.float16:
            weight_master_copy = weight.astype(np.float32)
            return (self.create_state(index, weight_master_copy), weight_master_copy)
        if weight.dtype == np.float16 and not self.multi_precision:
            warnings.warn("Accumulating with float16 in optimizer can lead to "
                          "poor accuracy or slow convergence. "
                          "Consider using multi_precision=True option of the "
                          f"{type(self).__name__} optimizer")
        return self.create_state(index, weight)

    def create_state(self, index: Any, weight: NDArray) -> Optional[NDArray]:
        if self.momentum != 0.0:
            return _zeros_like(weight)
        return None

    def _sgd_update(self, indices: Any, weights: Any, grads: Any, states: Any,
                    multi_precision: bool) -> None:
        indices, weights, grads, states = _as_lists(indices, weights, grads, states)
        _check_arrays(weights, grads)
        self._update_count(indices)
        lrs = self._get_lrs(indices)
        wds = self._get_wds(indices)
        targets, moms, grad_dtype = _master_weights(weights, states, multi_precision)
        with torch.no_grad():
            gts = [g._t if grad_dtype is None else g._t.to(grad_dtype) for g in grads]
            mom_ts = [m._t for m in moms] if self.momentum > 0 and moms[0] is not None else None
            sgd_kernel(targets, gts, mom_ts, lrs, wds, self.momentum, self.rescale_grad,
                       fused_clip(self.clip_gradient))
            if multi_precision:
                for w, master in zip(weights, targets):
                    w._t.copy_(master)

    def update(self, index: Any, weight: Any, grad: Any, state: Any) -> None:
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index: Any, weight: Any, grad: Any, state: Any) -> None:
        first = weight[0] if isinstance(index, (tuple, list)) else weight
        self._update_impl(index, weight, grad, state,
                          multi_precision=self.multi_precision and first.dtype == np.float16)

    def _update_impl(self, index: Any, weight: Any, grad: Any, state: Any,
                     multi_precision: bool = False) -> None:
        raise NotImplementedError()


@register
class SGD(_MomentumOptimizer):
    """The SGD optimizer with momentum and weight decay.

    Standard updates are applied by::

        rescaled_grad = lr * (rescale_grad * clip(grad, clip_gradient) + wd * weight)
        state = momentum * state + rescaled_grad
        weight = weight - state

    (MXNet keeps the momentum with the opposite sign, ``state = momentum * state -
    rescaled_grad`` and ``weight = weight + state``; so does this class.) All weights handed to
    one update call are updated together by torch's multi-tensor kernels.

    For details of the update algorithm see
    :class:`~mxnet.ndarray.sgd_update` and :class:`~mxnet.ndarray.sgd_mom_update`.

    This optimizer accepts the following parameters in addition to those accepted
    by :class:`.Optimizer`.

    Parameters
    ----------
    momentum : float, optional
        The momentum value.
    lazy_update : bool, optional
        Default is True. Lazy updates concern only ``row_sparse`` gradients, which mxtorch
        does not have: dense updates are always applied.
    multi_precision: bool, optional
        Flag to control the internal precision of the optimizer.
        False: results in using the same precision as the weights (default),
        True: makes internal 32-bit copy of the weights and applies gradients
        in 32-bit precision even if actual weights used in the model have lower precision.
        Turning this on can improve convergence and accuracy when training with float16.
    """

    def __init__(self, momentum: float = 0.0, lazy_update: bool = True, **kwargs: Any):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.lazy_update = lazy_update
        self.aggregate_num = _aggregation_size("65536")

    def _update_impl(self, index: Any, weight: Any, grad: Any, state: Any,
                     multi_precision: bool = False) -> None:
        self._sgd_update(index, weight, grad, state, multi_precision)


@register
class ccSGD(SGD):  # noqa: N801 - MXNet's name
    """[DEPRECATED] Same as `SGD`. Left here for backward compatibility."""


@register
class NAG(_MomentumOptimizer):
    """Nesterov accelerated gradient.

    This optimizer updates each weight by::

        state = momentum * state + grad + wd * weight
        weight = weight - (lr * (grad + momentum * state))

    (MXNet's operator keeps ``-lr * state`` as the momentum array; so does this class.)

    Parameters
    ----------
    momentum : float, optional
       The momentum value.
    multi_precision: bool, optional
        Flag to control the internal precision of the optimizer.
        False: results in using the same precision as the weights (default),
        True: makes internal 32-bit copy of the weights and applies gradients
        in 32-bit precision even if actual weights used in the model have lower precision.
        Turning this on can improve convergence and accuracy when training with float16.
    """

    def __init__(self, momentum: float = 0.0, **kwargs: Any):
        super().__init__(**kwargs)
        self.momentum = momentum

    def _update_impl(self, index: Any, weight: Any, grad: Any, state: Any,
                     multi_precision: bool = False) -> None:
        mom = state[0] if multi_precision else state
        if self.momentum <= 0 or mom is None:
            # without momentum NAG is plain SGD (MXNet calls sgd_update)
            self._sgd_update(index, weight, grad, state, multi_precision)
            return
        _check_arrays([weight], [grad])
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        (target,), _, _ = _master_weights([weight], [state], multi_precision)
        with torch.no_grad():
            # nag_mom_update with out=weight (the master copy under multi_precision): the momentum
            # decays by the updated weight, as MXNet's kernel reads it after writing
            clip = fused_clip(self.clip_gradient)
            nag_step(target, grad._t, mom._t, lr=lr, momentum=self.momentum, wd=wd,
                     rescale_grad=self.rescale_grad, clip_gradient=-1.0 if clip is None else clip,
                     master=True)
            if multi_precision:
                weight._t.copy_(target)


@register
class Signum(Optimizer):
    r"""The Signum optimizer that takes the sign of gradient or momentum.

    The optimizer updates the weight by::

        rescaled_grad = rescale_grad * clip(grad, clip_gradient) + wd * weight
        state = momentum * state + (1-momentum)*rescaled_grad
        weight = (1 - lr * wd_lh) * weight - lr * sign(state)

    References
    ----------
    Jeremy Bernstein, Yu-Xiang Wang, Kamyar Azizzadenesheli & Anima Anandkumar. (2018).
    signSGD: Compressed Optimisation for Non-Convex Problems. In ICML'18.

    See: https://arxiv.org/abs/1802.04434

    For details of the update algorithm see
    :class:`~mxnet.ndarray.signsgd_update` and :class:`~mxnet.ndarray.signum_update`.

    This optimizer accepts the following parameters in addition to those accepted
    by :class:`.Optimizer`.

    Parameters
    ----------
    momentum : float, optional
       The momentum value.
    wd_lh : float, optional
       The amount of decoupled weight decay regularization, see details in the original paper at:\
       https://arxiv.org/abs/1711.05101
    """

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.9, wd_lh: float = 0.0,
                 **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = momentum
        self.wd_lh = wd_lh

    def create_state(self, index: Any, weight: NDArray) -> Optional[NDArray]:
        return _zeros_like(weight) if self.momentum != 0.0 else None

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: Any) -> None:
        _check_arrays([weight], [grad])
        self._update_count(index)
        lr, wd = _f32(self._get_lr(index)), _f32(self._get_wd(index))
        clip = fused_clip(self.clip_gradient)
        with torch.no_grad():
            # signsgd_update (no state) / signum_update with out=weight
            signum_step(weight._t, grad._t, None if state is None else state._t, lr=lr,
                        momentum=self.momentum if self.momentum > 0 else 0.0, wd=wd,
                        rescale_grad=self.rescale_grad, clip_gradient=-1.0 if clip is None else clip,
                        wd_lh=self.wd_lh, in_place=True)


@register
class DCASGD(Optimizer):
    """The DCASGD optimizer.

    This class implements the optimizer described in *Asynchronous Stochastic Gradient Descent
    with Delay Compensation for Distributed Deep Learning*,
    available at https://arxiv.org/abs/1609.08326.

    This optimizer accepts the following parameters in addition to those accepted
    by :class:`.Optimizer`.

    Parameters
    ----------
    momentum : float, optional
       The momentum value.

    lamda : float, optional
       Scale DC value.
    """

    def __init__(self, momentum: float = 0.0, lamda: float = 0.04, **kwargs: Any):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.weight_previous: dict = {}
        self.lamda = lamda

    def create_state(self, index: Any, weight: NDArray) -> tuple:
        mom = None if self.momentum == 0.0 else _zeros_like(weight)
        return (mom, weight.copy())  # momentum, previous weight

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: tuple) -> None:
        _check_arrays([weight], [grad])
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        mom, previous_weight = state
        w, prev = weight._t, previous_weight._t
        with torch.no_grad():
            g = grad._t * self.rescale_grad
            if self.clip_gradient is not None:
                g = g.clamp(-self.clip_gradient, self.clip_gradient)
            step = -lr * (g + wd * w + self.lamda * g * g * (w - prev))
            # MXNet tests `if mom:` on the momentum array, which raises for any array of more
            # than one element; an explicit None test gives the documented momentum behaviour.
            if mom is not None:
                mom._t.mul_(self.momentum).add_(step)
                step = mom._t
            prev.copy_(w)
            w.add_(step)


@register
class SGLD(Optimizer):
    """Stochastic Gradient Riemannian Langevin Dynamics.

    This class implements the optimizer described in the paper *Stochastic Gradient
    Riemannian Langevin Dynamics on the Probability Simplex*, available at
    https://papers.nips.cc/paper/4883-stochastic-gradient-riemannian-langevin-dynamics-on-the-probability-simplex.pdf.

    """

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: Any) -> None:
        _check_arrays([weight], [grad])
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        w = weight._t
        with torch.no_grad():
            g = grad._t * self.rescale_grad
            if self.clip_gradient is not None:
                g = g.clamp(-self.clip_gradient, self.clip_gradient)
            w.add_((g + wd * w) * (-lr / 2))
            w.add_(torch.randn_like(w) * math.sqrt(lr))


_NO_LARS_SUFFIXES = ("gamma", "beta", "bias")


@register
class LARS(_MomentumOptimizer):
    """the LARS optimizer from 'Large Batch Training of Convolution Networks' \\
    (https://arxiv.org/abs/1708.03888)

    Behave mostly like SGD with momentum and weight decay but is scaling \\
    adaptively the learning for each layer (except bias and batch norm parameters):
    w_norm = L2norm(weights)
    g_norm = L2norm(gradients)
    if w_norm > 0 and g_norm > 0:
        lr_layer = lr * lr_mult * eta * w_norm / (g_norm + weight_decay * w_norm + eps)
    else:
        lr_layer = lr * lr_mult

    Parameters
    ----------
    momentum : float, optional
        The momentum value.
    lazy_update : bool, optional
        Default is True. Lazy updates concern only ``row_sparse`` gradients, which mxtorch
        does not have: dense updates are always applied.
    lars_eta : float, optional
        LARS coefficient used to scale the learning rate. Default set to 0.001.
    lars_epsilon : float, optional
        Optional epsilon in case of very small gradients. Default set to 0.
    momentum_correction : bool, optional
        If True scale momentum w.r.t global learning rate change (with an lr_scheduler) \\
        as indicated in 'Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour` \\
        (https://arxiv.org/pdf/1706.02677.pdf)
        Default set to True.
    """

    def __init__(self, momentum: float = 0.0, lazy_update: bool = True, eta: float = 0.001,
                 eps: float = 0, momentum_correction: bool = True, **kwargs: Any):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.momentum_correction = momentum_correction
        self.lazy_update = lazy_update
        self.aggregate_num = _aggregation_size("65536")
        self.eta = eta
        self.eps = eps
        self.skip = 0
        self.last_lr: Optional[float] = None
        self.cur_lr: Optional[float] = None

    def _get_lrs(self, indices: Sequence[Any]) -> list:
        # remembers the previous global rate for the momentum correction
        if self.cur_lr is not None:
            self.last_lr = self.cur_lr
        lr = self.lr_scheduler(self.num_update) if self.lr_scheduler is not None else self.lr
        if self.cur_lr is None:
            self.last_lr = lr
        self.cur_lr = lr
        return [lr * self._mult(index, self.lr_mult, "lr_mult") for index in indices]

    def set_wd_mult(self, args_wd_mult: dict) -> None:
        """Sets an individual weight decay multiplier for each parameter: as
        :meth:`Optimizer.set_wd_mult`, except that only names ending with ``_weight`` keep
        the weight decay by default."""
        self.wd_mult = {n: 0.0 for n in self.idx2name.values() if not n.endswith("_weight")}
        if self.sym_info:
            attr, arg_names = self.sym_info
            for name in arg_names:
                if name in attr and "__wd_mult__" in attr[name]:
                    self.wd_mult[name] = float(attr[name]["__wd_mult__"])
        self.wd_mult.update(args_wd_mult)

    def _lars_lrs(self, indices: list, weights: list, grads: list, lrs: list,
                  wds: list) -> list:
        """``multi_lars``: each layer's rate scaled by eta * |w| / (|g| * rescale + wd * |w| +
        eps), except for biases, gammas and betas."""
        scaled = [i for i, idx in enumerate(indices)
                  if not str(self.idx2name.get(idx, idx)).endswith(_NO_LARS_SUFFIXES)]
        if not scaled:
            return lrs
        with torch.no_grad():
            # multi_sum_sq of the weights and of the gradients, then multi_lars
            w_sq = sum_squares([weights[i]._t for i in scaled])
            g_sq = sum_squares([grads[i]._t for i in scaled])
            lr = torch.tensor([lrs[i] for i in scaled], dtype=torch.float32, device=w_sq.device)
            wd = torch.tensor([wds[i] for i in scaled], dtype=torch.float32, device=w_sq.device)
            new = lars_rates(lr, w_sq, g_sq, wd, eta=self.eta, eps=self.eps,
                             rescale_grad=self.rescale_grad).tolist()
        out = list(lrs)
        for i, value in zip(scaled, new):
            out[i] = value
        return out

    def _update_impl(self, index: Any, weight: Any, grad: Any, state: Any,
                     multi_precision: bool = False) -> None:
        indices, weights, grads, states = _as_lists(index, weight, grad, state)
        _check_arrays(weights, grads)
        self._update_count(indices)
        wds = self._get_wds(indices)
        lrs = self._lars_lrs(indices, weights, grads, self._get_lrs(indices), wds)
        momentum = self.momentum
        if momentum > 0 and self.momentum_correction and self.last_lr != 0:
            momentum = self.momentum * (self.cur_lr / self.last_lr)
        targets, moms, grad_dtype = _master_weights(weights, states, multi_precision)
        with torch.no_grad():
            gts = [g._t if grad_dtype is None else g._t.to(grad_dtype) for g in grads]
            mom_ts = [m._t for m in moms] if self.momentum > 0 and moms[0] is not None else None
            sgd_kernel(targets, gts, mom_ts, lrs, wds, momentum, self.rescale_grad,
                       fused_clip(self.clip_gradient))
            if multi_precision:
                for w, master in zip(weights, targets):
                    w._t.copy_(master)
