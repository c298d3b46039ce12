"""Element-wise unary operators (MXNet's ``elemwise_unary_op_*``): math functions, copy,
clipping and the piecewise-linear activations."""
from __future__ import annotations

from typing import Callable

import torch

from ..registry import Float, op, same_shape


# -- unary elementwise ---------------------------------------------------------------------------
class _Cbrt(torch.autograd.Function):
    """Cube root with MXNet's derivative 1 / (3 cbrt(x)^2), infinite (not NaN) at zero."""

    @staticmethod
    def forward(ctx, x):
        y = torch.sign(x) * x.abs().double().pow(1.0 / 3.0).to(x.dtype)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad / (3 * y * y)


def _cbrt(x: torch.Tensor) -> torch.Tensor:
    return _Cbrt.apply(x)


def _round_half_away(x: torch.Tensor) -> torch.Tensor:
    # MXNet's round() rounds halves away from zero (torch.round rounds them to even).
    t = torch.trunc(x)
    return torch.where((x - t).abs() >= 0.5, t + torch.sign(x), t)


def _rint(x: torch.Tensor) -> torch.Tensor:
    # MXNet's rint picks the floor on ties: rint(2.5) = 2, rint(-2.5) = -3.
    lo, hi = torch.floor(x), torch.ceil(x)
    return torch.where(x - lo <= hi - x, lo, hi)


def _gamma(x: torch.Tensor) -> torch.Tensor:
    # Gamma(x) = sign * exp(lgamma(x)); negative non-integers alternate in sign.
    x64 = x.double()
    negative = (x64 < 0) & (torch.floor(x64).remainder(2) == 1)
    sign = 1.0 - 2.0 * negative.to(x64.dtype)
    return (sign * torch.exp(torch.lgamma(x64))).to(x.dtype)


def _softsign(x: torch.Tensor) -> torch.Tensor:
    return x / (1 + x.abs())


def _logical_not(x: torch.Tensor) -> torch.Tensor:
    return (x == 0).to(x.dtype)


# name: (torch function, exact on integer arrays, aliases). Functions that are not exact on
# integers run in float64 and cast back, truncating as MXNet does (sqrt of int 5 is 2).
_UNARY: dict = {
    "abs": (torch.abs, True, ()), "negative": (torch.neg, True, ()),
    "sign": (torch.sign, True, ()), "square": (torch.square, True, ()),
    "relu": (torch.relu, True, ()), "floor": (torch.floor, True, ()),
    "ceil": (torch.ceil, True, ()), "trunc": (torch.trunc, True, ()),
    "fix": (torch.trunc, True, ()), "round": (_round_half_away, True, ()),
    "rint": (_rint, True, ()), "logical_not": (_logical_not, True, ()),
    "exp": (torch.exp, False, ()), "expm1": (torch.expm1, False, ()),
    "log": (torch.log, False, ()), "log1p": (torch.log1p, False, ()),
    "log2": (torch.log2, False, ()), "log10": (torch.log10, False, ()),
    "sqrt": (torch.sqrt, False, ()), "rsqrt": (torch.rsqrt, False, ()),
    "cbrt": (_cbrt, False, ()), "rcbrt": (lambda x: 1 / _cbrt(x), False, ()),
    "reciprocal": (torch.reciprocal, False, ()),
    "sigmoid": (torch.sigmoid, False, ()), "tanh": (torch.tanh, False, ()),
    "softsign": (_softsign, False, ()),
    "sin": (torch.sin, False, ()), "cos": (torch.cos, False, ()), "tan": (torch.tan, False, ()),
    "arcsin": (torch.asin, False, ()), "arccos": (torch.acos, False, ()),
    "arctan": (torch.atan, False, ()), "sinh": (torch.sinh, False, ()),
    "cosh": (torch.cosh, False, ()), "arcsinh": (torch.asinh, False, ()),
    "arccosh": (torch.acosh, False, ()), "arctanh": (torch.atanh, False, ()),
    "degrees": (torch.rad2deg, False, ()), "radians": (torch.deg2rad, False, ()),
    "gamma": (_gamma, False, ()), "gammaln": (torch.lgamma, False, ()),
    "erf": (torch.erf, False, ()), "erfinv": (torch.erfinv, False, ()),
}


def _declare_unary(name: str, fn: Callable, exact_int: bool, aliases: tuple) -> None:
    def unary(data):
        if data.is_floating_point() or exact_int:
            return fn(data)
        return fn(data.double()).to(data.dtype)

    unary.__doc__ = f"Returns element-wise {name} of the input."
    op(name, aliases=aliases, fresh_outputs=True)(unary).shape(same_shape)


for _name, (_fn, _exact, _aliases) in _UNARY.items():
    _declare_unary(_name, _fn, _exact, _aliases)


@op("_copy", aliases=("identity",))
def copy(data):
    """Returns a copy of the input."""
    return data.clone()


@op("clip", attrs={"a_min": Float(), "a_max": Float()})
def clip(data, *, a_min, a_max):
    """Clips (limits) the values in an array: values below ``a_min`` become ``a_min``, values
    above ``a_max`` become ``a_max``. The gradient passes where ``a_min <= x <= a_max``."""
    if not data.is_floating_point():
        a_min, a_max = int(a_min), int(a_max)
    return torch.clamp(data, a_min, a_max)


@op("smooth_l1", attrs={"scalar": Float(1.0)})
def smooth_l1(data, *, scalar):
    """Calculate Smooth L1 Loss(lhs, scalar) elementwise:
    ``0.5 (sigma x)^2`` where ``|x| < 1 / sigma^2``, ``|x| - 0.5 / sigma^2`` elsewhere."""
    s2 = scalar * scalar
    absx = data.abs()
    return torch.where(absx < 1.0 / s2, 0.5 * s2 * data * data, absx - 0.5 / s2)


@op("hard_sigmoid", attrs={"alpha": Float(0.2), "beta": Float(0.5)})
def hard_sigmoid(data, *, alpha, beta):
    """Computes hard sigmoid: ``max(0, min(1, alpha * x + beta))`` element-wise; the gradient
    passes only strictly inside (0, 1), as in MXNet."""
    z = alpha * data + beta
    return torch.where((z > 0) & (z < 1), z, torch.clamp(z.detach(), 0.0, 1.0))
