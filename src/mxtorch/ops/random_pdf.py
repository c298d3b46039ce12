"""Probability densities of the random distributions: ``random_pdf_<dist>`` (``_random_pdf_<dist>``).

Each takes an array of samples and arrays of the distribution's parameters; the parameters' shape
``S`` is a prefix of the samples' shape, and the parameters at index ``i`` of ``S`` apply to every
sample under ``i`` (``dirichlet`` keeps the last axis, the ``K`` categories, in both). The output
has the samples' shape (``dirichlet``: without the last axis) and holds the density, or its
logarithm with ``is_log``. Gradients reach the samples and the parameters (the discrete
distributions' samples are counts: their gradient is that of the formula's continuous extension).
Unlike the gamma sampler, whose ``beta`` is a scale, ``random_pdf_gamma`` reads ``beta`` as a
rate (MXNet's densities do); ``exponential``'s and ``poisson``'s ``lam`` are rates,
``negative_binomial`` counts failures before ``k`` successes of probability ``p``, and
``generalized_negative_binomial`` has mean ``mu`` and dispersion ``alpha``.
"""
from __future__ import annotations

import math
from typing import Callable

import torch

from ..base import MXNetError
from .registry import Bool, op


def _align(name: str, sample: torch.Tensor, params: tuple, keep_last: bool = False) -> tuple:
    """The parameters reshaped to broadcast over the sample's trailing axes."""
    shape = tuple(params[0].shape)
    for p in params[1:]:
        if tuple(p.shape) != shape:
            raise MXNetError(f"{name}: the parameter arrays must share one shape, got "
                             f"{[tuple(q.shape) for q in params]}")
    lead = shape[:-1] if keep_last else shape
    if tuple(sample.shape[:len(lead)]) != lead or sample.dim() < len(shape) + (1 if keep_last else 0):
        raise MXNetError(f"{name}: the parameters' shape {shape} must begin the sample's shape "
                         f"{tuple(sample.shape)}")
    extra = sample.dim() - len(shape)
    if keep_last:
        if sample.shape[-1] != shape[-1]:
            raise MXNetError(f"{name}: the sample's last axis ({sample.shape[-1]}) must match "
                             f"alpha's ({shape[-1]})")
        return tuple(p.reshape(*lead, *([1] * extra), shape[-1]) for p in params)
    return tuple(p.reshape(*shape, *([1] * extra)) for p in params)


def _log_uniform(x, low, high):
    inside = (x >= low) & (x <= high)
    return torch.where(inside, -torch.log(high - low), torch.full_like(x, -math.inf))


def _log_normal(x, mu, sigma):
    return -((x - mu) ** 2) / (2 * sigma * sigma) - torch.log(sigma) - 0.5 * math.log(2 * math.pi)


def _log_gamma(x, alpha, beta):
    return (alpha - 1) * torch.log(x) - x * beta - torch.lgamma(alpha) + alpha * torch.log(beta)


def _log_exponential(x, lam):
    return torch.log(lam) - lam * x


def _log_poisson(x, lam):
    return x * torch.log(lam) - lam - torch.lgamma(x + 1)


def _log_negative_binomial(x, k, p):
    return (torch.lgamma(x + k) - torch.lgamma(x + 1) - torch.lgamma(k)
            + k * torch.log(p) + x * torch.log1p(-p))


def _log_generalized_negative_binomial(x, mu, alpha):
    k = 1 / alpha
    return _log_negative_binomial(x, k, 1 / (1 + alpha * mu))


def _declare(dist: str, params: tuple, log_density: Callable) -> None:
    name = f"_random_pdf_{dist}"

    def pdf(sample, *arrays, is_log):
        aligned = _align(f"random_pdf_{dist}", sample, arrays)
        out = log_density(sample, *aligned)
        return out if is_log else torch.exp(out)

    pdf.__doc__ = (f"The {dist.replace('_', ' ')} distribution's density (its log with ``is_log``) "
                   f"at each sample, with parameters {', '.join(params)} (see "
                   f"``mxtorch.ops.random_pdf``).")
    entry = op(name, inputs=("sample", *params), aliases=(f"random_pdf_{dist}",),
               attrs={"is_log": Bool(False)}, fresh_outputs=True)(pdf)
    entry.shape(_pdf_shape(len(params), keep_last=False))


def _pdf_shape(n_params: int, keep_last: bool):
    def rule(attrs, sample, *params):
        params = list(params) + [None] * (n_params - len(params))
        if sample is None:
            return [sample, *params], [None]
        out = tuple(sample[:-1]) if keep_last else tuple(sample)
        return [sample, *params], [out]
    return rule


for _dist, _params, _fn in (
        ("uniform", ("low", "high"), _log_uniform),
        ("normal", ("mu", "sigma"), _log_normal),
        ("gamma", ("alpha", "beta"), _log_gamma),
        ("exponential", ("lam",), _log_exponential),
        ("poisson", ("lam",), _log_poisson),
        ("negative_binomial", ("k", "p"), _log_negative_binomial),
        ("generalized_negative_binomial", ("mu", "alpha"), _log_generalized_negative_binomial)):
    _declare(_dist, _params, _fn)


@op("_random_pdf_dirichlet", inputs=("sample", "alpha"), aliases=("random_pdf_dirichlet",),
    attrs={"is_log": Bool(False)}, fresh_outputs=True)
def pdf_dirichlet(sample, alpha, *, is_log):
    """The Dirichlet distribution's density (its log with ``is_log``) at each sample: ``alpha``
    has shape ``S + (K,)``, the samples ``S + (...) + (K,)``; the output drops the last axis."""
    (a,) = _align("random_pdf_dirichlet", sample, (alpha,), keep_last=True)
    out = (torch.sum((a - 1) * torch.log(sample), dim=-1) + torch.lgamma(a.sum(-1))
           - torch.lgamma(a).sum(-1))
    return out if is_log else torch.exp(out)


pdf_dirichlet.shape(_pdf_shape(1, keep_last=True))
