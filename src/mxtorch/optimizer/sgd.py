"""Gradient-descent optimizers: SGD (and its old alias ccSGD), NAG, Signum, DCASGD, SGLD, LARS.

SGD and LARS hand all the weights of a call to torch's multi-tensor kernels at once; the others
step one weight at a time. Each follows the arithmetic of the MXNet 1.9.1 operator it names.
"""
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
    """Split SGD-style states into what the kernel writes: ``(weight tensors, momenta, grad dtype)``.

    Under ``multi_precision`` each state is ``(momentum or None, float32 master)``: the masters
    are the tensors stepped and gradients are cast to float32 (the returned dtype); otherwise the
    weights themselves are stepped, the states are the momenta and the dtype is None (as is).
    """
    if multi_precision:
        return [s[1]._t for s in states], [s[0] for s in states], torch.float32
    return [w._t for w in weights], list(states), None


class _MomentumOptimizer(Optimizer):
    """Common ground of SGD, NAG and LARS: their state and their multi-precision dispatch.

    The state of a weight is a zero momentum array, or None when ``momentum`` is 0. Under
    ``multi_precision`` a float16 weight's state is ``(momentum, float32 master copy)``: the
    master copy comes second here, the opposite of :class:`Optimizer`'s pairing, because that
    is the layout MXNet saves for these optimizers.
    """

    momentum = 0.0

    def create_state_multi_precision(self, index: Any, weight: NDArray) -> Any:
        if weight.dtype == np.float16:
            if self.multi_precision:
                master = weight.astype(np.float32)
                return (self.create_state(index, master), master)
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
        self._update_impl(index, weight, grad, state)

    def update_multi_precision(self, index: Any, weight: Any, grad: Any, state: Any) -> None:
        first = weight[0] if isinstance(index, (tuple, list)) else weight
        self._update_impl(index, weight, grad, state,
                          multi_precision=self.multi_precision and first.dtype == np.float16)

    def _update_impl(self, index: Any, weight: Any, grad: Any, state: Any,
                     multi_precision: bool = False) -> None:
        raise NotImplementedError()


@register
class SGD(_MomentumOptimizer):
    """Stochastic gradient descent, with optional momentum and weight decay.

    Each step computes ``g = clip(rescale_grad * grad, clip_gradient)`` and then, with momentum,
    ``mom = momentum * mom - lr * (g + wd * weight)`` and ``weight += mom``; without it,
    ``weight -= lr * (g + wd * weight)`` (MXNet's ``sgd_mom_update`` and ``sgd_update``). The
    momentum therefore holds the negated velocity, as in MXNet, which matters when states are
    saved or loaded. All weights of one call are stepped together by torch's multi-tensor
    kernels.

    Parameters
    ----------
    momentum : float, optional, default 0.0
        Decay of the velocity; 0 keeps no momentum state at all.
    lazy_update : bool, optional, default True
        Accepted and stored for compatibility. It only changes anything for ``row_sparse``
        gradients, which mxtorch does not have, so every update is dense.
    **kwargs
        The arguments of :class:`Optimizer` (``learning_rate``, ``wd``, ``rescale_grad``,
        ``clip_gradient``, ``multi_precision``...). With ``multi_precision``, float16 weights
        are stepped through a float32 master copy.

    Examples
    --------
    >>> opt = mx.optimizer.SGD(learning_rate=0.1, momentum=0.9)
    >>> w, g = mx.nd.ones((2,)), mx.nd.ones((2,))
    >>> state = opt.create_state(0, w)
    >>> opt.update(0, w, g, state)
    >>> w.asnumpy()
    array([0.9, 0.9], dtype=float32)
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
    """Old name of :class:`SGD`, kept so that code and saved configurations using it still work."""


@register
class NAG(_MomentumOptimizer):
    """SGD with Nesterov momentum: the step looks ahead along the velocity.

    With ``step = lr * (clip(rescale_grad * grad, clip_gradient) + wd * weight)`` and the
    momentum first decayed (``mom *= momentum``), the weight moves by
    ``-mom + (1 + momentum) * (mom - step)`` and the momentum becomes ``mom - step``, as in
    MXNet's ``nag_mom_update`` (which, like this class, stores the velocity scaled by ``-lr``
    and reads the already updated weight for the momentum's decay term). With ``momentum`` 0
    this is plain :class:`SGD`.

    Parameters
    ----------
    momentum : float, optional, default 0.0
        Decay of the velocity.
    **kwargs
        The arguments of :class:`Optimizer`, ``multi_precision`` included (float16 weights
        stepped through a float32 master copy).
    """

    def __init__(self, momentum: float = 0.0, **kwargs: Any):
        super().__init__(**kwargs)
        self.momentum = momentum

    def _update_impl(self, index: Any, weight: Any, grad: Any, state: Any,
                     multi_precision: bool = False) -> None:
        mom = state[0] if multi_precision else state
        if self.momentum <= 0 or mom is None:
            # MXNet falls back to sgd_update here; so does this class.
            self._sgd_update(index, weight, grad, state, multi_precision)
            return
        _check_arrays([weight], [grad])
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        (target,), _, _ = _master_weights([weight], [state], multi_precision)
        with torch.no_grad():
            # master=True: the kernel writes into the tensor it reads, so the momentum's weight
            # decay term sees the new weight, matching MXNet's in-place nag_mom_update.
            clip = fused_clip(self.clip_gradient)
            nag_step(target, grad._t, mom._t, lr=lr, momentum=self.momentum, wd=wd,
                     rescale_grad=self.rescale_grad, clip_gradient=-1.0 if clip is None else clip,
                     master=True)
            if multi_precision:
                weight._t.copy_(target)


@register
class Signum(Optimizer):
    """Sign-based descent: every element moves by exactly ``lr``, in the direction of a sign.

    With momentum (MXNet's ``signum_update``) the momentum is kept negated:
    ``mom = momentum * mom - (1 - momentum) * (clip(rescale_grad * grad, clip_gradient) +
    wd * weight)``, then ``weight = (1 - lr * wd_lh) * weight + lr * sign(mom)``. With
    ``momentum`` 0 (``signsgd_update``) it is ``weight = (1 - lr * wd) * weight -
    lr * sign(grad)``. The method is signSGD/Signum of Bernstein et al., ICML 2018
    (https://arxiv.org/abs/1802.04434).

    Parameters
    ----------
    learning_rate : float, optional, default 0.01
        Size of each element's move.
    momentum : float, optional, default 0.9
        Decay of the averaged gradient whose sign is taken; 0 takes the gradient's own sign.
    wd_lh : float, optional, default 0.0
        Decoupled weight decay (Loshchilov & Hutter, https://arxiv.org/abs/1711.05101): the
        weight shrinks by ``lr * wd_lh`` of itself each step, outside the sign.
    **kwargs
        The other arguments of :class:`Optimizer`.
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
            # in_place: the step is written into the weight itself, as the optimizer's
            # out=weight call of the operator does in MXNet.
            signum_step(weight._t, grad._t, None if state is None else state._t, lr=lr,
                        momentum=self.momentum if self.momentum > 0 else 0.0, wd=wd,
                        rescale_grad=self.rescale_grad, clip_gradient=-1.0 if clip is None else clip,
                        wd_lh=self.wd_lh, in_place=True)


@register
class DCASGD(Optimizer):
    """SGD with delay compensation, for gradients computed on slightly stale weights.

    The step adds a correction ``lamda * g * g * (weight - previous_weight)`` to the rescaled,
    clipped gradient ``g`` (plus ``wd * weight``), approximating the gradient at the current
    weight from the one at the weight it was computed on; the state keeps that previous
    weight, and a momentum array when ``momentum`` is not 0. The method is from Zheng et al.,
    "Asynchronous Stochastic Gradient Descent with Delay Compensation" (ICML 2017,
    https://arxiv.org/abs/1609.08326).

    Parameters
    ----------
    momentum : float, optional, default 0.0
        Decay of the velocity; 0 keeps no momentum state.
    lamda : float, optional, default 0.04
        Weight of the delay-compensation term (MXNet's spelling of the name).
    **kwargs
        The other arguments of :class:`Optimizer`.
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
            # A deliberate difference: MXNet writes `if mom:`, which fails for any momentum
            # array of more than one element; testing for None gives the intended behaviour.
            if mom is not None:
                mom._t.mul_(self.momentum).add_(step)
                step = mom._t
            prev.copy_(w)
            w.add_(step)


@register
class SGLD(Optimizer):
    """Stochastic gradient Langevin dynamics: half a gradient step plus Gaussian noise.

    Each step is ``weight -= lr / 2 * (g + wd * weight)`` with ``g`` the rescaled, clipped
    gradient, followed by adding noise drawn from ``N(0, lr)``, so that the weights sample
    from the posterior rather than settle at a mode (Patterson & Teh, NIPS 2013). It keeps no
    state. The noise comes from torch's generator: :func:`mxtorch.random.seed` makes runs
    repeatable, but the draws are not MXNet's. It takes exactly the arguments of
    :class:`Optimizer`.
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
    """Layer-wise adaptive rate scaling: SGD whose step size follows each layer's norms.

    For every parameter except biases, gammas and betas (by name), the learning rate becomes
    ``lr * eta * |w| / (rescale_grad * |g| + wd * |w| + eps)``, with ``|.|`` the L2 norm, when
    both norms are positive; the update itself is then :class:`SGD`'s. The method is from
    You et al., "Large Batch Training of Convolutional Networks"
    (https://arxiv.org/abs/1708.03888).

    Parameters
    ----------
    momentum : float, optional, default 0.0
        Decay of the velocity.
    lazy_update : bool, optional, default True
        Accepted and stored for compatibility; every update is dense in mxtorch.
    eta : float, optional, default 0.001
        Trust coefficient multiplying the norm ratio.
    eps : float, optional, default 0
        Added to the denominator against vanishing gradients.
    momentum_correction : bool, optional, default True
        When the global learning rate changes (under a scheduler), scale the momentum by the
        ratio of the new rate to the previous one, as Goyal et al. propose
        (https://arxiv.org/abs/1706.02677).
    **kwargs
        The other arguments of :class:`Optimizer`.

    Notes
    -----
    MXNet documents the two arguments as ``lars_eta`` and ``lars_epsilon``, but its constructor
    takes ``eta`` and ``eps``; so does this one.
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
        # The momentum correction needs the global rate of the previous step as well.
        if self.cur_lr is not None:
            self.last_lr = self.cur_lr
        lr = self.lr_scheduler(self.num_update) if self.lr_scheduler is not None else self.lr
        if self.cur_lr is None:
            self.last_lr = lr
        self.cur_lr = lr
        return [lr * self._mult(index, self.lr_mult, "lr_mult") for index in indices]

    def set_wd_mult(self, args_wd_mult: dict) -> None:
        """Set per-parameter weight-decay multipliers, as :meth:`Optimizer.set_wd_mult` does,
        except that by default only names ending in ``_weight`` are decayed (gammas are not).

        Parameters
        ----------
        args_wd_mult : dict of string/int to float
            Multiplier per parameter name or update index, laid over the defaults.
        """
        mults = {name: 0.0 for name in self.idx2name.values() if not name.endswith("_weight")}
        mults.update(self._mults_from_sym("__wd_mult__"))
        mults.update(args_wd_mult)
        self.wd_mult = mults

    def _lars_lrs(self, indices: list, weights: list, grads: list, lrs: list,
                  wds: list) -> list:
        """The learning rates after LARS scaling (MXNet's ``multi_lars``); the rates of biases,
        gammas and betas are returned unchanged."""
        scaled = [i for i, idx in enumerate(indices)
                  if not str(self.idx2name.get(idx, idx)).endswith(_NO_LARS_SUFFIXES)]
        if not scaled:
            return lrs
        with torch.no_grad():
            # One reduction over all scaled layers at once (MXNet's multi_sum_sq).
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
