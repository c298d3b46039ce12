"""Random distribution generator NDArray API of MXNet: ``mx.nd.random``.

With scalar parameters a function draws ``shape`` samples (one when neither ``shape`` nor ``out``
is given) through the ``_random_*`` operators; with NDArray parameters it draws ``shape`` samples
per parameter element through the ``_sample_*`` operators, giving an array of shape
``param.shape + shape``.
"""
from __future__ import annotations

from typing import Any, Optional

from ..base import numeric_types
from ..context import Context, current_context
from . import _dispatch
from .ndarray import NDArray

__all__ = ["uniform", "normal", "randn", "poisson", "exponential", "gamma", "multinomial",
           "negative_binomial", "generalized_negative_binomial", "shuffle", "randint",
           "uniform_like", "normal_like", "poisson_like", "exponential_like", "gamma_like",
           "negative_binomial_like", "generalized_negative_binomial_like"]


def _random_helper(dist: str, params: list, shape: Any, dtype: Any, ctx: Optional[Context],
                   out: Optional[NDArray], kwargs: dict) -> NDArray:
    """Draw from ``_sample_<dist>`` (NDArray parameters) or ``_random_<dist>`` (numbers)."""
    if isinstance(params[0], NDArray):
        if dist == "randint":
            raise ValueError("randint draws from numbers low and high, not from NDArrays")
        _check_same_kind(params, NDArray)
        attrs = {"shape": () if shape is None else shape, "dtype": dtype, "out": out}
        return _dispatch.call(f"_sample_{dist}", tuple(params), {**attrs, **kwargs})
    if isinstance(params[0], numeric_types):
        _check_same_kind(params, numeric_types)
        if shape is None:
            shape = out.shape if out is not None else (1,)
        if dtype is None and out is not None:
            dtype = out.dtype
        ctx = current_context() if ctx is None else ctx
        names = _PARAMS[dist]
        attrs = dict(zip(names, params), shape=shape, dtype=dtype, ctx=str(ctx), out=out)
        return _dispatch.call(f"_random_{dist}", (), {**attrs, **kwargs})
    raise ValueError(f"Distribution parameters must be either NDArray or numbers, but got "
                     f"{type(params[0])}.")


def _check_same_kind(params: list, kind: Any) -> None:
    """All distribution parameters are NDArrays, or all are numbers (MXNet's words if not)."""
    for p in params[1:]:
        if not isinstance(p, kind):
            raise ValueError(f"Distribution parameters must all have the same type, but got "
                             f"both {type(params[0])} and {type(p)}.")

# the scalar parameter names of the _random_<dist> operators
_PARAMS = {"uniform": ("low", "high"), "normal": ("loc", "scale"), "poisson": ("lam",),
           "exponential": ("lam",), "gamma": ("alpha", "beta"), "negative_binomial": ("k", "p"),
           "generalized_negative_binomial": ("mu", "alpha"), "randint": ("low", "high")}


def uniform(low: Any = 0, high: Any = 1, shape: Any = None, dtype: Any = None,
            ctx: Optional[Context] = None, out: Optional[NDArray] = None, **kwargs: Any) -> NDArray:
    """Draw random samples from a uniform distribution.

    Samples are uniformly distributed over the half-open interval *[low, high)*
    (includes *low*, but excludes *high*).

    Parameters
    ----------
    low : float or NDArray, optional
        Lower boundary of the output interval. The default value is 0.
    high : float or NDArray, optional
        Upper boundary of the output interval. The default value is 1.0.
    shape : int or tuple of ints, optional
        The number of samples to draw. If shape is, e.g., `(m, n)` and `low` and `high` are
        scalars, output shape will be `(m, n)`. If `low` and `high` are NDArrays with shape,
        e.g., `(x, y)`, then output will have shape `(x, y, m, n)`.
    dtype : {'float16', 'float32', 'float64'}, optional
        Data type of output samples. Default is 'float32'
    ctx : Context, optional
        Device context of output. Default is current context. Overridden by `low.context`
        when `low` is an NDArray.
    out : NDArray, optional
        Store output to an existing NDArray.

    Returns
    -------
    NDArray
        An NDArray of type `dtype`.
    """
    return _random_helper("uniform", [low, high], shape, dtype, ctx, out, kwargs)


def normal(loc: Any = 0, scale: Any = 1, shape: Any = None, dtype: Any = None,
           ctx: Optional[Context] = None, out: Optional[NDArray] = None, **kwargs: Any) -> NDArray:
    """Draw random samples from a normal (Gaussian) distribution.

    Samples are distributed according to a normal distribution parametrized by *loc* (mean)
    and *scale* (standard deviation).

    Parameters
    ----------
    loc : float or NDArray, optional
        Mean (centre) of the distribution.
    scale : float or NDArray, optional
        Standard deviation (spread or width) of the distribution.
    shape : int or tuple of ints, optional
        The number of samples to draw (per parameter element when they are NDArrays).
    dtype : {'float16', 'float32', 'float64'}, optional
        Data type of output samples. Default is 'float32'
    ctx : Context, optional
        Device context of output. Default is current context.
    out : NDArray, optional
        Store output to an existing NDArray.

    Returns
    -------
    NDArray
        An NDArray of type `dtype`.
    """
    return _random_helper("normal", [loc, scale], shape, dtype, ctx, out, kwargs)


def randn(*shape: int, **kwargs: Any) -> NDArray:
    """Draw random samples from a normal (Gaussian) distribution: ``randn(2, 3)`` has shape
    (2, 3).

    Parameters
    ----------
    *shape : ints
        The output shape.
    loc : float or NDArray, optional
        Mean (centre) of the distribution.
    scale : float or NDArray, optional
        Standard deviation (spread or width) of the distribution.
    dtype : {'float16', 'float32', 'float64'}, optional
        Data type of output samples. Default is 'float32'
    ctx : Context, optional
        Device context of output. Default is current context.
    out : NDArray, optional
        Store output to an existing NDArray.

    Returns
    -------
    NDArray
    """
    loc = kwargs.pop("loc", 0)
    scale = kwargs.pop("scale", 1)
    dtype = kwargs.pop("dtype", None)
    ctx = kwargs.pop("ctx", None)
    out = kwargs.pop("out", None)
    return _random_helper("normal", [loc, scale], shape, dtype, ctx, out, kwargs)


def poisson(lam: Any = 1, shape: Any = None, dtype: Any = None, ctx: Optional[Context] = None,
            out: Optional[NDArray] = None, **kwargs: Any) -> NDArray:
    """Draw random samples from a Poisson distribution.

    Samples are distributed according to a Poisson distribution parametrized by *lambda*
    (rate). Samples will always be returned as a floating point data type.

    Parameters
    ----------
    lam : float or NDArray, optional
        Expectation of interval, should be >= 0.
    shape : int or tuple of ints, optional
        The number of samples to draw (per parameter element when `lam` is an NDArray).
    dtype : {'float16', 'float32', 'float64'}, optional
        Data type of output samples. Default is 'float32'
    ctx : Context, optional
        Device context of output. Default is current context.
    out : NDArray, optional
        Store output to an existing NDArray.

    Returns
    -------
    NDArray
    """
    return _random_helper("poisson", [lam], shape, dtype, ctx, out, kwargs)


def exponential(scale: Any = 1, shape: Any = None, dtype: Any = None,
                ctx: Optional[Context] = None, out: Optional[NDArray] = None,
                **kwargs: Any) -> NDArray:
    r"""Draw samples from an exponential distribution.

    Its probability density function is :math:`f(x; \frac{1}{\beta}) = \frac{1}{\beta}
    \exp(-\frac{x}{\beta})` for x > 0 and 0 elsewhere, \beta being the scale parameter, the
    inverse of the rate parameter \lambda = 1/\beta.

    Parameters
    ----------
    scale : float or NDArray, optional
        The scale parameter, \beta = 1/\lambda.
    shape : int or tuple of ints, optional
        The number of samples to draw (per parameter element when `scale` is an NDArray).
    dtype : {'float16', 'float32', 'float64'}, optional
        Data type of output samples. Default is 'float32'
    ctx : Context, optional
        Device context of output. Default is current context.
    out : NDArray, optional
        Store output to an existing NDArray.

    Returns
    -------
    NDArray
    """
    return _random_helper("exponential", [1.0 / scale], shape, dtype, ctx, out, kwargs)


def gamma(alpha: Any = 1, beta: Any = 1, shape: Any = None, dtype: Any = None,
          ctx: Optional[Context] = None, out: Optional[NDArray] = None, **kwargs: Any) -> NDArray:
    """Draw random samples from a gamma distribution.

    Samples are distributed according to a gamma distribution parametrized by *alpha* (shape)
    and *beta* (scale).

    Parameters
    ----------
    alpha : float or NDArray, optional
        The shape of the gamma distribution. Should be greater than zero.
    beta : float or NDArray, optional
        The scale of the gamma distribution. Should be greater than zero. Default is equal to 1.
    shape : int or tuple of ints, optional
        The number of samples to draw (per parameter element when they are NDArrays).
    dtype : {'float16', 'float32', 'float64'}, optional
        Data type of output samples. Default is 'float32'
    ctx : Context, optional
        Device context of output. Default is current context.
    out : NDArray, optional
        Store output to an existing NDArray.

    Returns
    -------
    NDArray
    """
    return _random_helper("gamma", [alpha, beta], shape, dtype, ctx, out, kwargs)


def negative_binomial(k: Any = 1, p: Any = 1, shape: Any = None, dtype: Any = None,
                      ctx: Optional[Context] = None, out: Optional[NDArray] = None,
                      **kwargs: Any) -> NDArray:
    """Draw random samples from a negative binomial distribution: the number of failures
    before *k* successes, each trial succeeding with probability *p*.

    Parameters
    ----------
    k : int or NDArray, optional
        Limit of unsuccessful experiments, > 0.
    p : float or NDArray, optional
        Failure probability in each experiment, >= 0 and <=1.
    shape : int or tuple of ints, optional
        The number of samples to draw (per parameter element when they are NDArrays).
    dtype : {'float16', 'float32', 'float64'}, optional
        Data type of output samples. Default is 'float32'
    ctx : Context, optional
        Device context of output. Default is current context.
    out : NDArray, optional
        Store output to an existing NDArray.

    Returns
    -------
    NDArray
    """
    return _random_helper("negative_binomial", [k, p], shape, dtype, ctx, out, kwargs)


def generalized_negative_binomial(mu: Any = 1, alpha: Any = 1, shape: Any = None,
                                  dtype: Any = None, ctx: Optional[Context] = None,
                                  out: Optional[NDArray] = None, **kwargs: Any) -> NDArray:
    """Draw random samples from a generalized negative binomial distribution of mean *mu* and
    dispersion *alpha* (alpha = 0 is a Poisson distribution of mean *mu*).

    Parameters
    ----------
    mu : float or NDArray, optional
        Mean of the negative binomial distribution.
    alpha : float or NDArray, optional
        Alpha (dispersion) parameter of the negative binomial distribution.
    shape : int or tuple of ints, optional
        The number of samples to draw (per parameter element when they are NDArrays).
    dtype : {'float16', 'float32', 'float64'}, optional
        Data type of output samples. Default is 'float32'
    ctx : Context, optional
        Device context of output. Default is current context.
    out : NDArray, optional
        Store output to an existing NDArray.

    Returns
    -------
    NDArray
    """
    return _random_helper("generalized_negative_binomial", [mu, alpha], shape, dtype, ctx, out,
                          kwargs)


def multinomial(data: NDArray, shape: Any = None, get_prob: bool = False,
                out: Optional[NDArray] = None, dtype: Any = "int32", **kwargs: Any) -> Any:
    """Concurrent sampling from multiple multinomial distributions.

    .. note:: The input distribution must be normalized, i.e. `data` must sum to
              1 along its last dimension.

    Parameters
    ----------
    data : NDArray
        An *n* dimensional array whose last dimension has length `k`, where `k` is the number
        of possible outcomes of each multinomial distribution.
    shape : int or tuple of ints, optional
        The number of samples to draw from each distribution. If shape is empty one sample
        will be drawn from each distribution.
    get_prob : bool, optional
        If true, a second array containing log likelihood of the drawn samples will also be
        returned. The gradient of that array reaches `data`, for REINFORCE-style estimators.
    out : NDArray, optional
        Store output to an existing NDArray.
    dtype : str or numpy.dtype, optional
        Data type of the sample output array. The default is int32.

    Returns
    -------
    List, or NDArray
        For input `data` of shape `(d1, ..., dn-1, k)` and `shape` `(s1, ..., sx)`, an NDArray
        of shape `(d1, ..., dn-1, s1, ..., sx)`; with `get_prob`, the list
        `[ndarray_output, log_likelihood_output]`.
    """
    attrs = {"shape": () if shape is None else shape, "get_prob": get_prob, "dtype": dtype,
             "out": out}
    return _dispatch.call("_sample_multinomial", (data,), {**attrs, **kwargs})


def shuffle(data: NDArray, **kwargs: Any) -> NDArray:
    """Shuffle the elements randomly.

    This shuffles the array along the first axis. The order of the elements in each subarray
    does not change. For example, if a 2D array is given, the order of the rows randomly
    changes, but the order of the elements in each row does not change.

    Parameters
    ----------
    data : NDArray
        Input data array.
    out : NDArray, optional
        Array to store the result.

    Returns
    -------
    NDArray
        A new NDArray with the same shape and type as input `data`, but with items in the first
        axis of the returned NDArray shuffled randomly. The original input `data` is not
        modified.
    """
    return _dispatch.call("_shuffle", (data,), kwargs)


def randint(low: int, high: int, shape: Any = None, dtype: Any = None,
            ctx: Optional[Context] = None, out: Optional[NDArray] = None, **kwargs: Any) -> NDArray:
    """Draw random samples from a discrete uniform distribution.

    Samples are uniformly distributed over the half-open interval *[low, high)*
    (includes *low*, but excludes *high*).

    Parameters
    ----------
    low : int, required
        Lower boundary of the output interval.
    high : int, required
        Upper boundary of the output interval.
    shape : int or tuple of ints, optional
        The number of samples to draw.
    dtype : {'int32', 'int64'}, optional
        Data type of output samples. Default is 'int32'
    ctx : Context, optional
        Device context of output. Default is current context.
    out : NDArray, optional
        Store output to an existing NDArray.

    Returns
    -------
    NDArray
        An NDArray of type `dtype` holding samples from the interval `[low, high)`.
    """
    return _random_helper("randint", [low, high], shape, dtype, ctx, out, kwargs)


def _like(dist: str):
    names = _PARAMS[dist]

    def sample_like(data: NDArray, *params: Any, out: Optional[NDArray] = None,
                    **kwargs: Any) -> NDArray:
        attrs = dict(zip(names, params), out=out)
        return _dispatch.call(f"_random_{dist}_like", (data,), {**attrs, **kwargs})

    sample_like.__name__ = f"{dist}_like"
    sample_like.__doc__ = (f"Draw samples from a {dist.replace('_', ' ')} distribution with "
                           f"parameters {', '.join(names)}, with the shape, dtype and context of "
                           "`data`.\n\nParameters\n----------\ndata : NDArray\n    The array "
                           "whose shape, dtype and context the output takes.\n\nReturns\n"
                           "-------\nNDArray")
    return sample_like


uniform_like = _like("uniform")
normal_like = _like("normal")
poisson_like = _like("poisson")
exponential_like = _like("exponential")
gamma_like = _like("gamma")
negative_binomial_like = _like("negative_binomial")
generalized_negative_binomial_like = _like("generalized_negative_binomial")
