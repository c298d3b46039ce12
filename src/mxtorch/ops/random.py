"""Random sampling operators: ``_random_*`` (scalar parameters, a shape and a context),
``_sample_*`` (one distribution per element of parameter arrays), ``_random_*_like``,
``_shuffle`` and ``_sample_multinomial``.

Samples come from torch's generators, which ``mx.random.seed`` seeds; the streams differ from
MXNet's, the distributions do not. Sampling has no gradient (``_sample_multinomial``'s log
likelihood output excepted, as in MXNet). Every entry has a shape rule, so inferring shapes never
draws numbers (which would move the generator and break seeded reproducibility).
"""
from __future__ import annotations

from typing import Callable

import torch

from ..base import MXNetError
from .registry import Bool, DType, Float, Int, Shape, Str, op
from .tensor import device_of, dtype_in

_FLOAT_DTYPES = ("float16", "float32", "float64")
def _out_dtype(name: str, dtype, allowed: tuple = _FLOAT_DTYPES,
               default: torch.dtype = torch.float32) -> torch.dtype:
    return default if dtype is None else dtype_in(name, dtype, allowed)


def _draw_dtype(dtype: torch.dtype) -> torch.dtype:
    """Draw float16 samples in float32 (not every CPU sampler has a half kernel), then cast."""
    return torch.float64 if dtype == torch.float64 else torch.float32


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise MXNetError(message)


# -- scalar-parameter samplers: _random_<dist>(params..., shape, ctx, dtype) ---------------------
def _gamma_draw(alpha: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return torch._standard_gamma(alpha) * scale


def _poisson_of_gamma(shape_k: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Negative binomial draws as a gamma mixture of Poissons (zero scale: all zeros)."""
    rate = _gamma_draw(shape_k, scale)
    return torch.poisson(rate)


def _uniform(low, high, size, device, dtype):
    return torch.rand(size, device=device, dtype=dtype) * (high - low) + low


def _normal(loc, scale, size, device, dtype):
    return torch.randn(size, device=device, dtype=dtype) * scale + loc


def _full(value, size, device) -> torch.Tensor:
    return torch.full(size, float(value), device=device, dtype=torch.float64)


_SAMPLERS: dict = {
    # name: (parameters {name: default}, draw(params..., size, device, dtype), validity check)
    "uniform": ({"low": 0.0, "high": 1.0}, _uniform,
                lambda p: (p["high"] >= p["low"], "low must be less or equal to high")),
    "normal": ({"loc": 0.0, "scale": 1.0}, _normal,
               lambda p: (p["scale"] > 0, "scale (standard deviation) must be positive")),
    "poisson": ({"lam": 1.0},
                lambda lam, size, dev, dt: torch.poisson(_full(lam, size, dev)).to(dt),
                lambda p: (p["lam"] >= 0, "lam must be non-negative")),
    "exponential": ({"lam": 1.0},
                    lambda lam, size, dev, dt: torch.empty(size, device=dev, dtype=dt)
                    .exponential_(lam),
                    lambda p: (p["lam"] > 0, "lam (the rate) must be positive")),
    "gamma": ({"alpha": 1.0, "beta": 1.0},
              lambda a, b, size, dev, dt: _gamma_draw(_full(a, size, dev), b).to(dt),
              lambda p: (p["alpha"] > 0 and p["beta"] > 0, "alpha and beta must be positive")),
    "negative_binomial": ({"k": 1, "p": 1.0},
                          lambda k, p, size, dev, dt: _poisson_of_gamma(
                              _full(k, size, dev), (1 - p) / p).to(dt),
                          lambda p: (p["k"] > 0 and 0 < p["p"] <= 1,
                                     "k must be positive and p in (0, 1]")),
    "generalized_negative_binomial": (
        {"mu": 1.0, "alpha": 1.0},
        lambda mu, alpha, size, dev, dt: (
            _poisson_of_gamma(_full(1 / alpha, size, dev), mu * alpha) if alpha > 0
            else torch.poisson(_full(mu, size, dev))).to(dt),
        lambda p: (p["mu"] >= 0 and p["alpha"] >= 0, "mu and alpha must be non-negative")),
}


def _size(name: str, shape) -> tuple:
    if shape is None:
        raise MXNetError(f"{name}: the output shape is required (shape=...)")
    return tuple(shape)


def _declare_random(dist: str, params: dict, draw: Callable, check: Callable) -> None:
    name = f"_random_{dist}"
    attrs = {p: (Int(d) if isinstance(d, int) else Float(d)) for p, d in params.items()}
    attrs.update({"shape": Shape(None, optional=True), "ctx": Str(""),
                  "dtype": DType(None, optional=True)})

    def sample(*, shape, ctx, dtype, **values):
        ok, message = check(values)
        _check(ok, f"{name}: {message}, got {values}")
        out_dtype = _out_dtype(name, dtype)
        with torch.no_grad():
            return draw(*values.values(), _size(name, shape), device_of(ctx),
                        _draw_dtype(out_dtype)).to(out_dtype)

    sample.__doc__ = (f"Draws random samples from a {dist.replace('_', ' ')} distribution "
                      f"with parameters {', '.join(params)}.")
    entry = op(name, inputs=(), attrs=attrs, aliases=(f"random_{dist}",) + (
        (dist,) if dist in ("uniform", "normal") else ()))(sample)
    entry.shape(lambda attrs: ([], [_size(name, attrs["shape"])]))

    def sample_like(data, **values):
        ok, message = check(values)
        _check(ok, f"{name}_like: {message}, got {values}")
        with torch.no_grad():
            return draw(*values.values(), tuple(data.shape), data.device,
                        _draw_dtype(data.dtype)).to(data.dtype)

    sample_like.__doc__ = (f"Draws samples from a {dist.replace('_', ' ')} distribution with "
                           "the shape, dtype and context of the input.")
    like = op(f"{name}_like", attrs={p: attrs[p] for p in params})(sample_like)
    like.shape(lambda attrs, data: ([data], [data]))


for _dist, (_params, _draw, _ok) in _SAMPLERS.items():
    _declare_random(_dist, _params, _draw, _ok)


@op("_random_randint", inputs=(), attrs={"low": Int(), "high": Int(),
                                         "shape": Shape(None, optional=True), "ctx": Str(""),
                                         "dtype": DType(None, optional=True)},
    aliases=("random_randint",))
def random_randint(*, low, high, shape, ctx, dtype):
    """Draws random integers uniformly from the half-open interval [low, high)."""
    _check(high > low, f"_random_randint: high ({high}) must be greater than low ({low})")
    size = _size("_random_randint", shape)
    return torch.randint(low, high, size, device=device_of(ctx),
                         dtype=_out_dtype("_random_randint", dtype, ("int32", "int64"),
                                          torch.int32))


random_randint.shape(lambda attrs: ([], [_size("_random_randint", attrs["shape"])]))


# -- per-element samplers: _sample_<dist>(param arrays..., shape, dtype) --------------------------
_SAMPLE_INPUTS = {"uniform": ("low", "high"), "normal": ("mu", "sigma"), "poisson": ("lam",),
                  "exponential": ("lam",), "gamma": ("alpha", "beta"),
                  "negative_binomial": ("k", "p"), "generalized_negative_binomial": ("mu", "alpha")}


def _per_element(dist: str, params: list, size: tuple) -> torch.Tensor:
    """One batch of ``size`` draws per parameter element, float64, shape params.shape + size."""
    p = [t.detach().double().reshape(*t.shape, *(1,) * len(size)).expand(*t.shape, *size)
         for t in params]
    if dist == "uniform":
        return torch.rand(p[0].shape, device=p[0].device, dtype=torch.float64) * (p[1] - p[0]) + p[0]
    if dist == "normal":
        return torch.randn(p[0].shape, device=p[0].device, dtype=torch.float64) * p[1] + p[0]
    if dist == "poisson":
        return torch.poisson(p[0].contiguous())
    if dist == "exponential":
        return torch.empty(p[0].shape, device=p[0].device, dtype=torch.float64).exponential_() / p[0]
    if dist == "gamma":
        return _gamma_draw(p[0].contiguous(), p[1])
    if dist == "negative_binomial":
        return _poisson_of_gamma(p[0].contiguous(), (1 - p[1]) / p[1])
    mu, alpha = p  # generalized negative binomial; alpha == 0 is a Poisson of mean mu
    mixed = _poisson_of_gamma((1 / alpha.clamp_min(1e-30)).contiguous(), mu * alpha)
    return torch.where(alpha > 0, mixed, torch.poisson(mu.contiguous()))


def _declare_sample(dist: str, inputs: tuple) -> None:
    name = f"_sample_{dist}"

    def sample(*params, shape, dtype):
        for p in params[1:]:
            _check(p.shape == params[0].shape, f"{name}: parameter arrays must have the same "
                   f"shape, got {[tuple(t.shape) for t in params]}")
        with torch.no_grad():
            return _per_element(dist, list(params), tuple(shape)).to(_out_dtype(name, dtype))

    sample.__doc__ = (f"Concurrent sampling from multiple {dist.replace('_', ' ')} distributions: "
                      "output shape is the parameters' shape followed by ``shape``.")
    entry = op(name, inputs=inputs, attrs={"shape": Shape(()),
                                           "dtype": DType(None, optional=True)},
               aliases=(f"sample_{dist}",))(sample)
    entry.shape(lambda attrs, first, *rest: ([first, *([first] * len(rest))],
                                             [None if first is None else
                                              (*first, *attrs["shape"])]))


for _dist, _inputs in _SAMPLE_INPUTS.items():
    _declare_sample(_dist, _inputs)


def _multinomial_outputs(attrs: dict) -> int:
    return 2 if attrs["get_prob"] else 1


@op("_sample_multinomial", attrs={"shape": Shape(()), "get_prob": Bool(False),
                                  "dtype": DType("int32")},
    aliases=("sample_multinomial",), num_outputs=_multinomial_outputs)
def sample_multinomial(data, *, shape, get_prob, dtype):
    """Concurrent sampling from multiple multinomial distributions: ``data`` (..., k) holds
    the probabilities of k outcomes; the output (..., *shape) holds the drawn outcomes, and with
    ``get_prob`` a second output their log likelihood (differentiable: the gradient of the
    log likelihood reaches ``data`` as head / probability at the drawn outcomes)."""
    k = data.shape[-1]
    count = 1
    for s in shape:
        count *= s
    probs = data.detach().reshape(-1, k).double()
    drawn = torch.multinomial(probs, count, replacement=True)
    out_shape = (*data.shape[:-1], *shape) or (1,)
    samples = drawn.reshape(out_shape).to(dtype_in("_sample_multinomial", dtype,
                                                   ("float16", "float32", "float64", "int32",
                                                    "uint8")))
    if not get_prob:
        return samples
    picked = torch.gather(data.reshape(-1, k), 1, drawn)
    return samples, torch.log(picked).reshape(out_shape)


@sample_multinomial.shape
def _(attrs, data):
    if data is None:
        return [data], [None] * _multinomial_outputs(attrs)
    out = (*data[:-1], *attrs["shape"]) or (1,)
    return [data], [out] * _multinomial_outputs(attrs)


@op("_shuffle", aliases=("shuffle",))
def shuffle(data):
    """Randomly shuffles the elements along the first axis (rows keep their contents)."""
    return data[torch.randperm(data.shape[0], device=data.device)]


shuffle.shape(lambda attrs, data: ([data], [data]))
