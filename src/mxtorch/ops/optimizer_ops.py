"""Optimizer update operators: ``sgd_update``, ``adam_update``... and their mixed-precision
(``mp_*``), multi-weight (``multi_*``) and preloaded-rate (``preloaded_multi_*``) forms, with the
helpers mixed-precision training calls (``all_finite``, ``multi_sum_sq``, ``multi_lars``,
``reset_arrays``).

As in MXNet 1.9.1, an update operator returns the updated weight as its output and updates its
optimizer states (momentum, moments, master weights) in place; the weight itself changes only when
the call passes it as ``out=`` (what MXNet's optimizers do). None of them has a gradient: the
arithmetic runs outside autograd. The scalar attributes are float32 in MXNet; the arithmetic runs in
the weight's type (float32 for the master copies of the ``mp_*`` forms).
"""
from __future__ import annotations

from typing import Callable, Optional, Sequence

import numpy as np
import torch

from ..base import MXNetError
from .nn import assign_shape
from .registry import Bool, Float, Floats, Int, op, same_shape

_RESCALE = {"rescale_grad": Float(1.0), "clip_gradient": Float(-1.0)}


def _f32(value: float) -> float:
    """A float attribute as MXNet holds it (float32)."""
    return float(np.float32(value))


def _grad(grad: torch.Tensor, rescale_grad: float, clip_gradient: float,
          weight: Optional[torch.Tensor] = None, wd: float = 0.0,
          dtype: Optional[torch.dtype] = None) -> torch.Tensor:
    """``clip(rescale_grad * grad [+ wd * weight], clip_gradient)`` as a new tensor; the bound
    applies when it is not negative. ``weight`` given, its decay is added before clipping (the
    Adam and RMSProp kernels); ``dtype`` computes in that type (the master weights' float32)."""
    g = grad.to(dtype) if dtype is not None else grad
    g = g * _f32(rescale_grad)
    if weight is not None and wd:
        g.add_(weight * _f32(wd))
    if clip_gradient >= 0:
        g.clamp_(-_f32(clip_gradient), _f32(clip_gradient))
    return g


def _check_same(name: str, tensors: Sequence[torch.Tensor], names: Sequence[str]) -> None:
    for t, n in zip(tensors[1:], names[1:]):
        if t.shape != tensors[0].shape:
            raise MXNetError(f"{name}: input '{n}' has shape {tuple(t.shape)}, expected the "
                             f"weight's {tuple(tensors[0].shape)}")


def _updater(name: str, inputs: tuple, attrs: dict, *, mp: bool = False,
             reads_out: bool = False) -> Callable:
    """Declare an element-wise update operator: its inputs share the weight's shape and the
    output has it too; in the mixed-precision forms the float32 states keep their own type."""
    untied = tuple(n for n in inputs if n not in ("weight", "grad")) if mp else ()

    def register(impl: Callable) -> Callable:
        def run(*tensors: torch.Tensor, **parsed) -> torch.Tensor:
            _check_same(name, tensors, inputs)
            with torch.no_grad():
                return impl(*tensors, **parsed)

        run.__doc__ = impl.__doc__
        entry = op(name, inputs=inputs, attrs=attrs, untied_inputs=untied, fresh_outputs=True,
                   reads_out=reads_out)(run)
        entry.shape(same_shape)
        return entry

    return register


def _to_weight(master: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    return master.to(weight.dtype)


# -- the multi-tensor kernels (the optimizers in mxtorch.optimizer run them too) ----------------------
def group_by_rates(lrs: Sequence[float], wds: Sequence[float]) -> list:
    """Positions of the weights sharing one (learning rate, weight decay) pair, per pair.

    Multi-tensor kernels take one scalar per operation, so weights are updated one group at a
    time; a network without per-parameter multipliers is a single group.
    """
    groups: dict = {}
    for i, key in enumerate(zip(lrs, wds)):
        groups.setdefault(key, []).append(i)
    return list(groups.items())


def fused_clip(clip_gradient: Optional[float]) -> Optional[float]:
    """The bound an optimizer's ``clip_gradient`` becomes in the update operators: MXNet's
    optimizers pass it only when it is truthy, and the operators clip only when it is >= 0."""
    if clip_gradient and clip_gradient >= 0:
        return _f32(clip_gradient)
    return None


def _rescaled(grads: Sequence[torch.Tensor], rescale_grad: float,
              clip: Optional[float]) -> list:
    """``clip(rescale_grad * grad, clip)`` for each gradient, as new tensors."""
    out = torch._foreach_mul(list(grads), _f32(rescale_grad))
    if clip is not None:
        torch._foreach_clamp_min_(out, -clip)
        torch._foreach_clamp_max_(out, clip)
    return out


def sgd_kernel(weights: list, grads: list, moms: Optional[list], lrs: list, wds: list,
               momentum: float, rescale_grad: float, clip: Optional[float]) -> None:
    """``sgd_update`` / ``sgd_mom_update`` on lists of torch tensors, in place::

        mom = momentum * mom - lr * wd * weight - lr * clip(rescale_grad * grad, clip)
        weight = weight + mom

    Without ``moms`` (None) the momentum starts from 0 each step and is not kept. The weights go
    through torch's multi-tensor (``_foreach``) kernels, one call per (lr, wd) group, with the
    scalar factors folded into each operation so that no temporary arrays are made (except the
    clipped gradients when ``clip`` is not None).
    """
    for (lr, wd), index in group_by_rates(lrs, wds):
        w = [weights[i] for i in index]
        g = [grads[i] for i in index]
        scale = rescale_grad
        if clip is not None:
            g, scale = _rescaled(g, rescale_grad, clip), 1.0
        if moms:
            m = [moms[i] for i in index]
            torch._foreach_mul_(m, _f32(momentum))
            if wd:
                torch._foreach_add_(m, w, alpha=-_f32(_f32(lr) * _f32(wd)))
            torch._foreach_add_(m, g, alpha=-_f32(lr * scale))
            torch._foreach_add_(w, m)
        else:
            if wd:
                torch._foreach_mul_(w, _f32(1.0 - _f32(lr) * _f32(wd)))
            torch._foreach_add_(w, g, alpha=-_f32(lr * scale))


def adam_kernel(weights: list, grads: list, means: list, variances: list, lrs: list, wds: list,
                beta1: float, beta2: float, epsilon: float, rescale_grad: float,
                clip: Optional[float]) -> None:
    """``adam_update`` on lists of torch tensors, in place::

        g = clip(rescale_grad * grad + wd * weight, clip)
        mean = beta1 * mean + (1 - beta1) * g
        var = beta2 * var + (1 - beta2) * g**2
        weight = weight - lr * mean / (sqrt(var) + epsilon)

    Torch's multi-tensor kernels run once per (lr, wd) group; without weight decay or clipping
    ``rescale_grad`` is folded into the moment updates, so only ``sqrt(var)`` is a temporary.
    """
    beta1, beta2 = _f32(beta1), _f32(beta2)
    for (lr, wd), index in group_by_rates(lrs, wds):
        w = [weights[i] for i in index]
        g = [grads[i] for i in index]
        m = [means[i] for i in index]
        v = [variances[i] for i in index]
        scale = rescale_grad
        if wd or clip is not None:
            g, scale = torch._foreach_mul(g, _f32(rescale_grad)), 1.0
            if wd:
                torch._foreach_add_(g, w, alpha=_f32(wd))
            if clip is not None:
                torch._foreach_clamp_min_(g, -clip)
                torch._foreach_clamp_max_(g, clip)
        torch._foreach_mul_(m, beta1)
        torch._foreach_add_(m, g, alpha=_f32((1.0 - beta1) * scale))
        torch._foreach_mul_(v, beta2)
        torch._foreach_addcmul_(v, g, g, value=_f32((1.0 - beta2) * scale * scale))
        denom = torch._foreach_sqrt(v)
        torch._foreach_add_(denom, _f32(epsilon))
        torch._foreach_addcdiv_(w, m, denom, value=-_f32(lr))


def _clip_attr(clip_gradient: float) -> Optional[float]:
    """An operator's ``clip_gradient`` attribute as the kernels' bound (None: no clipping)."""
    return _f32(clip_gradient) if clip_gradient >= 0 else None


# -- SGD ----------------------------------------------------------------------------------------------
def _sgd(weight, grad, mom, *, lr, momentum, wd, rescale_grad, clip_gradient, master=False):
    """The SGD step through ``sgd_kernel``: on a copy of ``weight`` (returned), or on ``weight``
    itself when it is a master copy (``master``: the gradient is taken in its type too); ``mom``
    (None without momentum) is updated in place."""
    target = weight if master else weight.clone()
    g = grad.to(weight.dtype) if master else grad
    sgd_kernel([target], [g], None if mom is None else [mom], [lr], [wd], momentum, rescale_grad,
               _clip_attr(clip_gradient))
    return target


_SGD_ATTRS = {"lr": Float(), "wd": Float(0.0), **_RESCALE, "lazy_update": Bool(True)}
_MOM_ATTRS = {"lr": Float(), "momentum": Float(0.0), "wd": Float(0.0), **_RESCALE,
              "lazy_update": Bool(True)}
_NAG_ATTRS = {"lr": Float(), "momentum": Float(0.0), "wd": Float(0.0), **_RESCALE}


@_updater("sgd_update", ("weight", "grad"), _SGD_ATTRS)
def sgd_update(weight, grad, *, lr, wd, rescale_grad, clip_gradient, lazy_update):
    """Update function for the SGD optimizer::

        weight = (1 - lr * wd) * weight - lr * clip(rescale_grad * grad, clip_gradient)

    ``lazy_update`` concerns row-sparse gradients only; dense arrays update every row.
    """
    return _sgd(weight, grad, None, lr=lr, momentum=0.0, wd=wd, rescale_grad=rescale_grad,
                clip_gradient=clip_gradient)


@_updater("sgd_mom_update", ("weight", "grad", "mom"), _MOM_ATTRS)
def sgd_mom_update(weight, grad, mom, *, lr, momentum, wd, rescale_grad, clip_gradient, lazy_update):
    """Update function for SGD with momentum (``mom`` is updated in place)::

        mom = momentum * mom - lr * wd * weight - lr * clip(rescale_grad * grad, clip_gradient)
        weight = weight + mom
    """
    return _sgd(weight, grad, mom, lr=lr, momentum=momentum, wd=wd, rescale_grad=rescale_grad,
                clip_gradient=clip_gradient)


@_updater("mp_sgd_update", ("weight", "grad", "weight32"), _SGD_ATTRS, mp=True)
def mp_sgd_update(weight, grad, weight32, *, lr, wd, rescale_grad, clip_gradient, lazy_update):
    """``sgd_update`` for float16 weights: the float32 master copy ``weight32`` takes the step
    (in place) and the output is it cast to the weight's type."""
    _sgd(weight32, grad, None, lr=lr, momentum=0.0, wd=wd, rescale_grad=rescale_grad,
         clip_gradient=clip_gradient, master=True)
    return _to_weight(weight32, weight)


@_updater("mp_sgd_mom_update", ("weight", "grad", "mom", "weight32"), _MOM_ATTRS, mp=True)
def mp_sgd_mom_update(weight, grad, mom, weight32, *, lr, momentum, wd, rescale_grad, clip_gradient,
                      lazy_update):
    """``sgd_mom_update`` for float16 weights: the float32 momentum and master copy ``weight32``
    are updated in place; the output is the master copy cast to the weight's type."""
    _sgd(weight32, grad, mom, lr=lr, momentum=momentum, wd=wd, rescale_grad=rescale_grad,
         clip_gradient=clip_gradient, master=True)
    return _to_weight(weight32, weight)


def nag_step(weight, grad, mom, *, lr, momentum, wd, rescale_grad, clip_gradient, master=False):
    """The NAG step on torch tensors: returns the new weight, and with ``master`` also writes it
    into ``weight`` (a master copy, or the weight an optimizer updates in place); ``mom`` is
    updated in place. MXNet's kernel decays the momentum by the weight it reads after writing the
    output: the given one, or where it writes the weight itself (``out=weight``, master copies)
    the new one, which ``master`` reproduces."""
    g = _grad(grad, rescale_grad, clip_gradient, dtype=weight.dtype)
    lr, wd, momentum = _f32(lr), _f32(wd), _f32(momentum)
    mom.mul_(momentum)
    step = (g + weight * wd).mul_(lr)
    out = weight if master else weight.clone()
    out.sub_(mom).add_((mom - step).mul_(_f32(momentum + 1)))
    mom.sub_((g + out * wd).mul_(lr) if master else step)
    return out


def _same_memory(a: Optional[torch.Tensor], b: torch.Tensor) -> bool:
    return a is not None and (a is b or (a.data_ptr() == b.data_ptr() and a.shape == b.shape))


@_updater("nag_mom_update", ("weight", "grad", "mom"), _NAG_ATTRS, reads_out=True)
def nag_mom_update(weight, grad, mom, *, lr, momentum, wd, rescale_grad, clip_gradient, out=None):
    """Update function for Nesterov accelerated gradient (``mom`` updated in place)::

        step = lr * (clip(rescale_grad * grad, clip_gradient) + wd * weight)
        mom = momentum * mom
        weight = weight - mom + (momentum + 1) * (mom - step)
        mom = mom - step

    Called with ``out=weight`` (as the optimizer does), the last line's ``step`` is taken with the
    updated weight, as MXNet's kernel reads the weight after writing its output.
    """
    target = weight.clone() if _same_memory(out, weight) else weight
    return nag_step(target, grad, mom, lr=lr, momentum=momentum, wd=wd, rescale_grad=rescale_grad,
                    clip_gradient=clip_gradient, master=target is not weight)


@_updater("mp_nag_mom_update", ("weight", "grad", "mom", "weight32"), _NAG_ATTRS, mp=True)
def mp_nag_mom_update(weight, grad, mom, weight32, *, lr, momentum, wd, rescale_grad, clip_gradient):
    """``nag_mom_update`` on the float32 master copy ``weight32`` (updated in place); the output is
    it cast to the weight's type."""
    nag_step(weight32, grad, mom, lr=lr, momentum=momentum, wd=wd, rescale_grad=rescale_grad,
         clip_gradient=clip_gradient, master=True)
    return _to_weight(weight32, weight)


# -- Adam, RMSProp, FTML, FTRL, SignSGD/Signum -----------------------------------------------------------
@_updater("adam_update", ("weight", "grad", "mean", "var"),
          {"lr": Float(), "beta1": Float(0.9), "beta2": Float(0.999), "epsilon": Float(1e-8),
           "wd": Float(0.0), **_RESCALE, "lazy_update": Bool(True)})
def adam_update(weight, grad, mean, var, *, lr, beta1, beta2, epsilon, wd, rescale_grad,
                clip_gradient, lazy_update):
    """Update function for the Adam optimizer (``mean`` and ``var`` updated in place)::

        g = clip(rescale_grad * grad + wd * weight, clip_gradient)
        mean = beta1 * mean + (1 - beta1) * g
        var = beta2 * var + (1 - beta2) * g**2
        weight = weight - lr * mean / (sqrt(var) + epsilon)

    The bias correction is the caller's, folded into ``lr``.
    """
    out = weight.clone()
    adam_kernel([out], [grad], [mean], [var], [lr], [wd], beta1, beta2, epsilon, rescale_grad,
                _clip_attr(clip_gradient))
    return out


def _result(weight: torch.Tensor, in_place: bool) -> torch.Tensor:
    """Where a step writes the new weight: the weight itself (an optimizer's update) or a copy
    (the operator's output)."""
    return weight if in_place else weight.clone()


def rmsprop_step(weight, grad, n, g=None, delta=None, *, lr, gamma1, gamma2=0.9, epsilon, wd,
                 rescale_grad, clip_gradient, clip_weights, in_place=False):
    """The RMSProp step on torch tensors (``rmsprop_update``; centred, ``rmspropalex_update``,
    when ``g`` and ``delta`` are given), the states updated in place; returns the new weight,
    written into ``weight`` itself with ``in_place``. Clipping bounds apply when >= 0."""
    r = _grad(grad, rescale_grad, clip_gradient, weight, wd)
    gamma1 = _f32(gamma1)
    n.mul_(gamma1).add_(r * _f32(1 - gamma1) * r)
    out = _result(weight, in_place)
    if g is None:
        out.sub_(r.div_(torch.sqrt(n + _f32(epsilon))).mul_(_f32(lr)))
    else:
        g.mul_(gamma1).add_(r * _f32(1 - gamma1))
        delta.mul_(_f32(gamma2)).sub_(r.div_(torch.sqrt(n - g * g + _f32(epsilon))).mul_(_f32(lr)))
        out.add_(delta)
    if clip_weights >= 0:
        out.clamp_(-_f32(clip_weights), _f32(clip_weights))
    return out


_RMS_ATTRS = {"lr": Float(), "gamma1": Float(0.95), "epsilon": Float(1e-8), "wd": Float(0.0),
              **_RESCALE, "clip_weights": Float(-1.0)}


@_updater("rmsprop_update", ("weight", "grad", "n"), _RMS_ATTRS)
def rmsprop_update(weight, grad, n, **attrs):
    """Update function for RMSProp (``n`` updated in place)::

        g = clip(rescale_grad * grad + wd * weight, clip_gradient)
        n = gamma1 * n + (1 - gamma1) * g**2
        weight = clip(weight - lr * g / sqrt(n + epsilon), clip_weights)
    """
    return rmsprop_step(weight, grad, n, **attrs)


@_updater("rmspropalex_update", ("weight", "grad", "n", "g", "delta"),
          {"lr": Float(), "gamma1": Float(0.95), "gamma2": Float(0.9), "epsilon": Float(1e-8),
           "wd": Float(0.0), **_RESCALE, "clip_weights": Float(-1.0)})
def rmspropalex_update(weight, grad, n, g, delta, **attrs):
    """Update function for centred RMSProp (Graves 2013; ``n``, ``g``, ``delta`` in place)::

        r = clip(rescale_grad * grad + wd * weight, clip_gradient)
        n = gamma1 * n + (1 - gamma1) * r**2
        g = gamma1 * g + (1 - gamma1) * r
        delta = gamma2 * delta - lr * r / sqrt(n - g**2 + epsilon)
        weight = clip(weight + delta, clip_weights)
    """
    return rmsprop_step(weight, grad, n, g, delta, **attrs)


def ftml_step(weight, grad, d, v, z, *, lr, beta1, beta2, epsilon, t, wd, rescale_grad, clip_grad,
              in_place=False):
    """The FTML step on torch tensors (``ftml_update``), ``d``, ``v``, ``z`` updated in place;
    returns the new weight, written into ``weight`` itself with ``in_place``."""
    g = _grad(grad, rescale_grad, clip_grad, weight, wd)
    f32 = np.float32
    beta1, beta2 = _f32(beta1), _f32(beta2)
    v.mul_(beta2).add_(g * g * _f32(1 - beta2))
    # the scalar factors in float32, as the operator computes them
    coef = float((f32(1) - f32(beta1) ** t) / f32(lr))
    d_t = (torch.sqrt(v / float(f32(1) - f32(beta2) ** t)) + _f32(epsilon)) * coef
    z.mul_(beta1).add_(g * _f32(1 - beta1)).sub_((d_t - d * beta1) * weight)
    d.copy_(d_t)
    return torch.div(z, d_t, out=weight).neg_() if in_place else torch.div(z, d_t).neg_()


@_updater("ftml_update", ("weight", "grad", "d", "v", "z"),
          {"lr": Float(), "beta1": Float(0.6), "beta2": Float(0.999), "epsilon": Float(1e-8),
           "t": Int(), "wd": Float(0.0), "rescale_grad": Float(1.0), "clip_grad": Float(-1.0)})
def ftml_update(weight, grad, d, v, z, **attrs):
    """Update function for FTML, Follow the Moving Leader (``d``, ``v``, ``z`` in place)::

        g = clip(rescale_grad * grad + wd * weight, clip_grad)
        v = beta2 * v + (1 - beta2) * g**2
        d_t = (1 - beta1**t) / lr * (sqrt(v / (1 - beta2**t)) + epsilon)
        z = beta1 * z + (1 - beta1) * g - (d_t - beta1 * d) * weight
        d = d_t
        weight = -z / d
    """
    return ftml_step(weight, grad, d, v, z, **attrs)


def ftrl_step(weight, grad, z, n, *, lr, lamda1, beta, wd, rescale_grad, clip_gradient,
              in_place=False):
    """The FTRL step on torch tensors (``ftrl_update``), ``z`` and ``n`` updated in place; returns
    the new weight, written into ``weight`` itself with ``in_place``."""
    g = _grad(grad, rescale_grad, clip_gradient)
    lr, lamda1 = _f32(lr), _f32(lamda1)
    g2 = g * g
    z.add_(g - (torch.sqrt(n + g2) - torch.sqrt(n)) * weight / lr)
    n.add_(g2)
    denom = (torch.sqrt(n) + _f32(beta)) / lr + _f32(wd)
    new = (torch.sign(z) * lamda1 - z) / denom * (z.abs() > lamda1)
    return weight.copy_(new) if in_place else new


@_updater("ftrl_update", ("weight", "grad", "z", "n"),
          {"lr": Float(), "lamda1": Float(0.01), "beta": Float(1.0), "wd": Float(0.0), **_RESCALE})
def ftrl_update(weight, grad, z, n, **attrs):
    """Update function for FTRL (``z`` and ``n`` in place)::

        g = clip(rescale_grad * grad, clip_gradient)
        z = z + g - (sqrt(n + g**2) - sqrt(n)) * weight / lr
        n = n + g**2
        weight = (sign(z) * lamda1 - z) / ((beta + sqrt(n)) / lr + wd) * (abs(z) > lamda1)
    """
    return ftrl_step(weight, grad, z, n, **attrs)


def signum_step(weight, grad, mom=None, *, lr, momentum=0.0, wd, rescale_grad, clip_gradient,
                wd_lh=0.0, in_place=False):
    """The Signum step on torch tensors (``signum_update``; ``signsgd_update`` without ``mom``),
    ``mom`` updated in place; returns the new weight, written into ``weight`` itself with
    ``in_place``."""
    lr = _f32(lr)
    out = _result(weight, in_place)
    if mom is None:  # the rescaling and clipping leave the sign unchanged
        return out.mul_(_f32(1 - lr * _f32(wd))).sub_(torch.sign(grad) * lr)
    g = _grad(grad, rescale_grad, clip_gradient)
    momentum = _f32(momentum)
    keep = _f32(1 - momentum)
    mom.mul_(momentum).sub_(weight * _f32(keep * _f32(wd))).sub_(g.mul_(keep))
    return out.mul_(_f32(1 - lr * _f32(wd_lh))).add_(torch.sign(mom) * lr)


@_updater("signsgd_update", ("weight", "grad"),
          {"lr": Float(), "wd": Float(0.0), **_RESCALE})
def signsgd_update(weight, grad, **attrs):
    """Update function for SignSGD: ``weight = (1 - lr * wd) * weight - lr * sign(grad)`` (the
    rescaling and clipping leave the sign unchanged)."""
    return signum_step(weight, grad, **attrs)


@_updater("signum_update", ("weight", "grad", "mom"),
          {"lr": Float(), "momentum": Float(0.0), "wd": Float(0.0), **_RESCALE, "wd_lh": Float(0.0)})
def signum_update(weight, grad, mom, **attrs):
    """Update function for Signum, SIGN momentUM (``mom`` in place)::

        mom = momentum * mom - (1 - momentum) * (wd * weight + clip(rescale_grad * grad, clip_gradient))
        weight = (1 - lr * wd_lh) * weight + lr * sign(mom)
    """
    return signum_step(weight, grad, mom, **attrs)


# -- LAMB -------------------------------------------------------------------------------------------------
_LAMB1_ATTRS = {"beta1": Float(0.9), "beta2": Float(0.999), "epsilon": Float(1e-6), "t": Int(),
                "bias_correction": Bool(True), "wd": Float(), **_RESCALE}
_LAMB2_ATTRS = {"lr": Float(), "lower_bound": Float(-1.0), "upper_bound": Float(-1.0)}


def _lamb_direction(weight, grad, mean, var, *, beta1, beta2, epsilon, t, bias_correction, wd,
                    rescale_grad, clip_gradient):
    g = _grad(grad, rescale_grad, clip_gradient, dtype=weight.dtype)
    beta1, beta2 = _f32(beta1), _f32(beta2)
    mean.mul_(beta1).add_(g * _f32(1 - beta1))
    var.mul_(beta2).add_(g * g * _f32(1 - beta2))
    if bias_correction:
        mean_hat = mean / _f32(1 - beta1 ** t)
        var_hat = var / _f32(1 - beta2 ** t)
    else:
        mean_hat, var_hat = mean, var
    return mean_hat / (torch.sqrt(var_hat) + _f32(epsilon)) + weight * _f32(wd)


def _lamb_step(weight, g, r1, r2, *, lr, lower_bound, upper_bound, in_place=False):
    if lower_bound >= 0:
        r1 = r1.clamp_min(_f32(lower_bound))
    if upper_bound >= 0:
        r1 = r1.clamp_max(_f32(upper_bound))
    ratio = torch.where((r1 == 0) | (r2 == 0), torch.ones_like(r1), r1 / r2) * _f32(lr)
    return weight.sub_(g * ratio) if in_place else weight - g * ratio


def lamb_step(weight, grad, mean, var, *, lr, lower_bound, upper_bound, in_place=False,
              **phase1) -> torch.Tensor:
    """Both LAMB phases on torch tensors: ``lamb_update_phase1``'s direction, the norms of the
    weight and of the direction (kept on the device), and ``lamb_update_phase2``'s step; ``mean``
    and ``var`` are updated in place. Returns the new weight, written into ``weight`` itself with
    ``in_place``. ``phase1`` holds phase one's attributes."""
    g = _lamb_direction(weight, grad, mean, var, **phase1)
    r1, r2 = torch.linalg.vector_norm(weight), torch.linalg.vector_norm(g)
    return _lamb_step(weight, g, r1, r2, lr=lr, lower_bound=lower_bound, upper_bound=upper_bound,
                      in_place=in_place)


@_updater("lamb_update_phase1", ("weight", "grad", "mean", "var"), _LAMB1_ATTRS)
def lamb_update_phase1(weight, grad, mean, var, **attrs):
    """Phase one of LAMB (layer-wise adaptive moments, arXiv:1904.00962): updates ``mean`` and
    ``var`` in place and returns the direction ``g``::

        r = clip(rescale_grad * grad, clip_gradient)
        mean = beta1 * mean + (1 - beta1) * r
        var = beta2 * var + (1 - beta2) * r**2
        g = mean_hat / (sqrt(var_hat) + epsilon) + wd * weight

    with ``mean_hat = mean / (1 - beta1**t)`` and ``var_hat = var / (1 - beta2**t)`` when
    ``bias_correction``, else the moments themselves.
    """
    return _lamb_direction(weight, grad, mean, var, **attrs)


@_updater("mp_lamb_update_phase1", ("weight", "grad", "mean", "var", "weight32"), _LAMB1_ATTRS,
          mp=True)
def mp_lamb_update_phase1(weight, grad, mean, var, weight32, **attrs):
    """``lamb_update_phase1`` for float16 weights: the float32 direction, computed from the master
    copy ``weight32``."""
    return _lamb_direction(weight32, grad, mean, var, **attrs)


def _lamb2_shape(attrs: dict, weight, g=None, r1=None, r2=None, weight32=None) -> tuple:
    shapes = same_shape(attrs, weight, g, *([weight32] if weight32 is not None else []))[0]
    r1 = assign_shape("lamb_update_phase2", "r1", r1, (1,))
    r2 = assign_shape("lamb_update_phase2", "r2", r2, (1,))
    ins = [shapes[0], shapes[1], r1, r2] + ([shapes[2]] if weight32 is not None else [])
    return ins, [shapes[0]]


def _lamb2_entry(name: str, inputs: tuple, impl: Callable, mp: bool = False):
    untied = ("g", "r1", "r2", "weight32") if mp else ()

    def run(*tensors, **attrs):
        with torch.no_grad():
            return impl(*tensors, **attrs)

    run.__doc__ = impl.__doc__
    entry = op(name, inputs=inputs, attrs=_LAMB2_ATTRS, untied_inputs=untied, fresh_outputs=True)(run)
    entry.shape(_lamb2_shape)
    return entry


def _lamb_phase2(weight, g, r1, r2, **attrs):
    """Phase two of LAMB: the trust-ratio step::

        r1 = min(max(r1, lower_bound), upper_bound)     (each bound where it is >= 0)
        weight = weight - lr * (r1 / r2 if r1 and r2 else 1) * g

    ``r1`` and ``r2`` are the norms of the weight and of phase one's direction ``g``.
    """
    return _lamb_step(weight, g, r1, r2, **attrs)


def _mp_lamb_phase2(weight, g, r1, r2, weight32, **attrs):
    """``lamb_update_phase2`` on the float32 master copy ``weight32`` (updated in place); the
    output is it cast to the weight's type."""
    weight32.copy_(_lamb_step(weight32, g, r1, r2, **attrs))
    return _to_weight(weight32, weight)


lamb_update_phase2 = _lamb2_entry("lamb_update_phase2", ("weight", "g", "r1", "r2"), _lamb_phase2)
mp_lamb_update_phase2 = _lamb2_entry("mp_lamb_update_phase2", ("weight", "g", "r1", "r2", "weight32"),
                                     _mp_lamb_phase2, mp=True)


# -- many weights in one call -------------------------------------------------------------------------
def _groups(name: str, tensors: Sequence[torch.Tensor], num_weights: int, per: int,
            extra: int = 0) -> list:
    """The inputs of a multi-weight operator split into ``num_weights`` groups of ``per``
    (weight, grad[, mom][, weight32]), after checking the count (plus ``extra`` trailing arrays)."""
    if num_weights < 1 or len(tensors) != num_weights * per + extra:
        raise MXNetError(f"{name}: expected {per} arrays per weight for num_weights={num_weights}"
                         f"{f' and {extra} more' if extra else ''} ({num_weights * per + extra} "
                         f"inputs), got {len(tensors)}")
    groups = [list(tensors[i * per:(i + 1) * per]) for i in range(num_weights)]
    for group in groups:
        _check_same(name, group, ("weight", "grad", "state", "weight32")[:per])
    return groups


def _rates(name: str, values: Sequence[float], num_weights: int, what: str) -> list:
    if len(values) != num_weights:
        raise MXNetError(f"{name}: {what} has {len(values)} values, expected num_weights="
                         f"{num_weights}")
    return list(values)


_GROUPS = {(False, False): "weight, grad", (True, False): "weight, grad, mom",
           (False, True): "weight, grad, weight32", (True, True): "weight, grad, mom, weight32"}


def _multi_entry(name: str, per: int, with_momentum: bool, mp: bool, preloaded: bool) -> None:
    attrs = {} if preloaded else {"lrs": Floats(), "wds": Floats()}
    if with_momentum:
        attrs["momentum"] = Float(0.0)
    attrs.update(_RESCALE)
    attrs["num_weights"] = Int(1)

    def run(*tensors, num_weights, rescale_grad, clip_gradient, momentum=0.0, lrs=None, wds=None):
        groups = _groups(name, tensors, num_weights, per, 2 if preloaded else 0)
        if preloaded:
            lrs, wds = (tensors[-2].tolist(), tensors[-1].tolist())
        lrs = _rates(name, lrs, num_weights, "lrs")
        wds = _rates(name, wds, num_weights, "wds")
        outs = []
        with torch.no_grad():
            for group, lr, wd in zip(groups, lrs, wds):
                weight, grad = group[0], group[1]
                mom = group[2] if with_momentum else None
                step = dict(lr=lr, momentum=momentum, wd=wd, rescale_grad=rescale_grad,
                            clip_gradient=clip_gradient)
                if mp:
                    _sgd(group[-1], grad, mom, master=True, **step)
                    outs.append(_to_weight(group[-1], weight))
                else:
                    outs.append(_sgd(weight, grad, mom, **step))
        return tuple(outs)

    form = ("SGD with momentum" if with_momentum else "SGD") + (" on float32 master copies" if mp else "")
    rates = ("the last two inputs are arrays of the learning rates and weight decays"
             if preloaded else "``lrs`` and ``wds`` give each weight its learning rate and decay")
    run.__doc__ = (f"{form} for many weights in one call.\n\n"
                   f"The inputs are, for each of ``num_weights`` weights in turn, "
                   f"{_GROUPS[(with_momentum, mp)]}"
                   f"; {rates}. Returns the updated weights (one output each); the states update "
                   f"in place as in the single-weight operator.")
    entry = op(name, inputs=("data",), attrs=attrs, variadic="num_weights",
               num_outputs=lambda a: a["num_weights"], fresh_outputs=True,
               untied_inputs=())(run)
    entry.type_rule = _multi_types(per, mp, preloaded)
    entry.shape(_multi_shape(per, preloaded))


def _multi_shape(per: int, preloaded: bool) -> Callable:
    def rule(attrs, *shapes):
        n = attrs["num_weights"]
        outs = [shapes[i * per] if i * per < len(shapes) else None for i in range(n)]
        return list(shapes), outs
    return rule


def _multi_types(per: int, mp: bool, preloaded: bool) -> Callable:
    def rule(attrs, names, in_types, out_types):
        n = attrs["num_weights"]
        outs = [in_types[i * per] if i * per < len(in_types) else None for i in range(n)]
        return in_types, [o if o is not None else t for o, t in zip(out_types, outs)]
    return rule


for _name, _per, _mom, _mp in (("multi_sgd_update", 2, False, False),
                               ("multi_sgd_mom_update", 3, True, False),
                               ("multi_mp_sgd_update", 3, False, True),
                               ("multi_mp_sgd_mom_update", 4, True, True)):
    _multi_entry(_name, _per, _mom, _mp, preloaded=False)
    _multi_entry(f"preloaded_{_name}", _per, _mom, _mp, preloaded=True)


# -- checks and sums for mixed precision and LARS --------------------------------------------------------
def _finite(tensors: Sequence[torch.Tensor]) -> torch.Tensor:
    ok = torch.ones((1,), dtype=torch.float32, device=tensors[0].device if tensors else None)
    for t in tensors:
        ok = ok * torch.isfinite(t).all().to(torch.float32)
    return ok


def _finite_into(flag: torch.Tensor, init_output: bool, out: Optional[torch.Tensor]) -> torch.Tensor:
    """Without ``init_output`` the answer combines with the one already in ``out``: a 0 there
    stays 0 (checking many arrays in several calls)."""
    if not init_output and isinstance(out, torch.Tensor):
        return flag * out.to(flag.dtype)
    return flag


@op("all_finite", inputs=("data",), attrs={"init_output": Bool(True)}, fresh_outputs=True,
    reads_out=True)
def all_finite(data, *, init_output, out=None):
    """1 (float32, shape ``(1,)``) when every element of ``data`` is finite, else 0.

    With ``init_output=False`` the answer is combined with the one in ``out=`` (it stays 0 once
    an earlier call found a non-finite value), so many arrays can be checked in several calls."""
    with torch.no_grad():
        return _finite_into(_finite([data]), init_output, out)


@all_finite.types
def _(attrs, names, in_types, out_types):
    return in_types, [np.float32]


@all_finite.shape
def _(attrs, data):
    return [data], [(1,)]


@op("multi_all_finite", inputs=("data",), attrs={"num_arrays": Int(1), "init_output": Bool(True)},
    variadic="num_arrays", fresh_outputs=True, reads_out=True)
def multi_all_finite(*arrays, num_arrays, init_output, out=None):
    """1 (float32, shape ``(1,)``) when every element of every input is finite, else 0 (see
    ``all_finite`` on ``init_output``)."""
    with torch.no_grad():
        return _finite_into(_finite(arrays), init_output, out)


@multi_all_finite.types
def _(attrs, names, in_types, out_types):
    return in_types, [np.float32]


@multi_all_finite.shape
def _(attrs, *shapes):
    return list(shapes), [(1,)]


def sum_squares(arrays: Sequence[torch.Tensor]) -> torch.Tensor:
    """The sum of squares of each array, in float32, as one vector (on the arrays' device)."""
    return torch.stack([a.float().square().sum() for a in arrays])


@op("multi_sum_sq", inputs=("data",), attrs={"num_arrays": Int()}, variadic="num_arrays",
    fresh_outputs=True)
def multi_sum_sq(*arrays, num_arrays):
    """The sum of squares of each input, as one float32 vector of ``num_arrays`` values (what LARS
    and LAMB take the norms of)."""
    with torch.no_grad():
        return sum_squares(arrays)


@multi_sum_sq.types
def _(attrs, names, in_types, out_types):
    return in_types, [np.float32]


@multi_sum_sq.shape
def _(attrs, *shapes):
    return list(shapes), [(attrs["num_arrays"],)]


@op("multi_lars", inputs=("lrs", "weights_sum_sq", "grads_sum_sq", "wds"),
    attrs={"eta": Float(), "eps": Float(), "rescale_grad": Float(1.0)}, fresh_outputs=True)
def multi_lars(lrs, weights_sum_sq, grads_sum_sq, wds, *, eta, eps, rescale_grad):
    """Layer-wise learning rates of LARS from the weights' and gradients' sums of squares::

        w = sqrt(weights_sum_sq); g = sqrt(grads_sum_sq) * rescale_grad
        lr = lrs * eta * w / (g + wds * w + eps)     where w > 0 and g > 0, else lrs
    """
    with torch.no_grad():
        return lars_rates(lrs, weights_sum_sq, grads_sum_sq, wds, eta=eta, eps=eps,
                          rescale_grad=rescale_grad)


def lars_rates(lrs, weights_sum_sq, grads_sum_sq, wds, *, eta, eps, rescale_grad) -> torch.Tensor:
    """``multi_lars`` on torch tensors (the LARS optimizer's rates)."""
    w = torch.sqrt(weights_sum_sq)
    g = torch.sqrt(grads_sum_sq) * _f32(rescale_grad)
    scaled = lrs * _f32(eta) * w / (g + wds * w + _f32(eps))
    return torch.where((w > 0) & (g > 0), scaled, lrs)


multi_lars.shape(same_shape)


@op("reset_arrays", inputs=("data",), attrs={"num_arrays": Int()}, variadic="num_arrays", num_outputs=0)
def reset_arrays(*arrays, num_arrays):
    """Set every input to zero, in place; no output."""
    with torch.no_grad():
        for a in arrays:
            a.zero_()
    return ()


@reset_arrays.shape
def _(attrs, *shapes):
    return list(shapes), []
