"""The samplers of ``mx.nd.random`` and ``mx.sym.random``, written once for both front ends.

Each sampler chooses between two families of table operators by the kind of its distribution
parameters: numbers draw ``shape`` samples through ``_random_<dist>``; arrays (NDArrays eagerly,
Symbols in a graph) draw ``shape`` samples per parameter element through ``_sample_<dist>``, so the
result has shape ``parameter.shape + shape``. The ``*_like`` samplers are the table's
``_random_<dist>_like`` operators, installed as generated functions.

``make_samplers(front)`` builds the functions for one front end. Inside ``hybrid_forward``,
``F.random.uniform(...)`` is one of them whichever ``F`` is, so a block that samples hybridizes.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

from .base import numeric_types
from .context import current_context
from .ops.registry import get_op

__all__ = ["Frontend", "make_samplers"]


class Frontend(NamedTuple):
    """What a sampler needs from a front end."""

    array: type                                  # NDArray or Symbol
    call: Callable[[str, tuple, dict], Any]      # run/build the named table operator
    imperative: bool                             # True for nd: samples land on a context now
    module: str                                  # where the samplers live: mxtorch.ndarray.random


def _draw(front: Frontend, dist: str, params: list, shape: Any, dtype: Any, ctx: Any,
          out: Any, kwargs: dict) -> Any:
    if isinstance(params[0], front.array):
        if dist == "randint":
            raise ValueError("randint draws from numbers low and high, not from arrays")
        _check_same_kind(params, front.array)
        attrs = {"shape": shape, "dtype": dtype, "out": out}
        return front.call(f"_sample_{dist}", tuple(params), _given({**attrs, **kwargs}))
    if isinstance(params[0], numeric_types):
        _check_same_kind(params, numeric_types)
        if front.imperative:
            # an eager draw needs a concrete shape, dtype and device: from ``out`` if given
            if shape is None:
                shape = out.shape if out is not None else (1,)
            if dtype is None and out is not None:
                dtype = out.dtype
            ctx = current_context() if ctx is None else ctx
        attrs = dict(zip(_parameter_names(dist), params), shape=shape, dtype=dtype,
                     ctx=None if ctx is None else str(ctx), out=out)
        return front.call(f"_random_{dist}", (), _given({**attrs, **kwargs}))
    raise ValueError(f"Distribution parameters must be either NDArray or numbers, but got "
                     f"{type(params[0])}.")


def _parameter_names(dist: str) -> list:
    """The distribution parameters of ``_random_<dist>``: its attributes before ``shape``."""
    names = list(get_op(f"_random_{dist}").attrs)
    return names[:names.index("shape")]


def _given(attrs: dict) -> dict:
    """The attributes actually given: a graph node records only those (MXNet writes no
    ``dtype: None`` into symbol JSON), and leaving out None means the operator's default."""
    return {k: v for k, v in attrs.items() if v is not None}


def _check_same_kind(params: list, kind: Any) -> None:
    for p in params[1:]:
        if not isinstance(p, kind):
            raise ValueError(f"Distribution parameters must all have the same type, but got "
                             f"both {type(params[0])} and {type(p)}.")


_SHAPE_DOC = """shape : int or tuple of ints, optional
            Samples to draw: the output's shape for number parameters, appended to the
            parameters' shape for array parameters. One sample when neither ``shape`` nor ``out``
            is given."""
_COMMON_DOC = """dtype : str, optional
            The samples' type ('float32' unless ``out`` says otherwise).
        ctx : Context, optional
            Where eager samples are made (the current context by default); ignored for arrays,
            whose samples follow the parameters.
        out : NDArray, optional
            An array to write the samples into (eager calls only).

        Returns
        -------
        NDArray or Symbol
            The samples, of the front end's kind."""


def make_samplers(front: Frontend) -> dict:
    """The sampler functions of one front end, by name."""

    def uniform(low: Any = 0, high: Any = 1, shape: Any = None, dtype: Any = None,
                ctx: Any = None, out: Any = None, **kwargs: Any) -> Any:
        """Samples from the uniform distribution on [low, high).

        Parameters
        ----------
        low, high : float or array, optional
            The interval's ends (0 and 1).
        {shape}
        {common}
        """
        return _draw(front, "uniform", [low, high], shape, dtype, ctx, out, kwargs)

    def normal(loc: Any = 0, scale: Any = 1, shape: Any = None, dtype: Any = None,
               ctx: Any = None, out: Any = None, **kwargs: Any) -> Any:
        """Samples from the normal distribution of mean ``loc`` and standard deviation
        ``scale``.

        Parameters
        ----------
        loc, scale : float or array, optional
            Mean and standard deviation (0 and 1).
        {shape}
        {common}
        """
        return _draw(front, "normal", [loc, scale], shape, dtype, ctx, out, kwargs)

    def randn(*shape: int, **kwargs: Any) -> Any:
        """Samples from a normal distribution, the shape given as separate integers:
        ``randn(2, 3)`` has shape (2, 3). ``loc``, ``scale``, ``dtype``, ``ctx`` and ``out`` are
        keywords as for :func:`normal`."""
        loc, scale = kwargs.pop("loc", 0), kwargs.pop("scale", 1)
        dtype, ctx, out = kwargs.pop("dtype", None), kwargs.pop("ctx", None), kwargs.pop("out", None)
        return _draw(front, "normal", [loc, scale], shape, dtype, ctx, out, kwargs)

    def poisson(lam: Any = 1, shape: Any = None, dtype: Any = None, ctx: Any = None,
                out: Any = None, **kwargs: Any) -> Any:
        """Samples from the Poisson distribution of rate ``lam`` (as floating-point numbers).

        Parameters
        ----------
        lam : float or array, optional
            The rate (1).
        {shape}
        {common}
        """
        return _draw(front, "poisson", [lam], shape, dtype, ctx, out, kwargs)

    def exponential(scale: Any = 1, shape: Any = None, dtype: Any = None, ctx: Any = None,
                    out: Any = None, **kwargs: Any) -> Any:
        """Samples from the exponential distribution of scale ``scale`` (the rate's inverse).

        Parameters
        ----------
        scale : float or array, optional
            The scale, 1 / rate (1).
        {shape}
        {common}
        """
        # the operators take the rate; the function, like numpy's, the scale
        return _draw(front, "exponential", [1.0 / scale], shape, dtype, ctx, out, kwargs)

    def gamma(alpha: Any = 1, beta: Any = 1, shape: Any = None, dtype: Any = None,
              ctx: Any = None, out: Any = None, **kwargs: Any) -> Any:
        """Samples from the gamma distribution of shape ``alpha`` and scale ``beta``.

        Parameters
        ----------
        alpha, beta : float or array, optional
            Shape and scale (1 and 1).
        {shape}
        {common}
        """
        return _draw(front, "gamma", [alpha, beta], shape, dtype, ctx, out, kwargs)

    def negative_binomial(k: Any = 1, p: Any = 1, shape: Any = None, dtype: Any = None,
                          ctx: Any = None, out: Any = None, **kwargs: Any) -> Any:
        """Samples the number of failures before ``k`` successes, each trial succeeding with
        probability ``p``.

        Parameters
        ----------
        k : int or array, optional
            Successes to wait for (1).
        p : float or array, optional
            Probability of success of one trial (1).
        {shape}
        {common}
        """
        return _draw(front, "negative_binomial", [k, p], shape, dtype, ctx, out, kwargs)

    def generalized_negative_binomial(mu: Any = 1, alpha: Any = 1, shape: Any = None,
                                      dtype: Any = None, ctx: Any = None, out: Any = None,
                                      **kwargs: Any) -> Any:
        """Samples from the negative binomial distribution of mean ``mu`` and dispersion
        ``alpha`` (``alpha = 0`` is a Poisson distribution of mean ``mu``).

        Parameters
        ----------
        mu, alpha : float or array, optional
            Mean and dispersion (1 and 1).
        {shape}
        {common}
        """
        return _draw(front, "generalized_negative_binomial", [mu, alpha], shape, dtype, ctx, out,
                     kwargs)

    def multinomial(data: Any, shape: Any = None, get_prob: bool = False, out: Any = None,
                    dtype: Any = "int32", **kwargs: Any) -> Any:
        """Draws category indices from the categorical distributions in ``data``.

        Parameters
        ----------
        data : NDArray or Symbol
            Probabilities over the last axis (each row sums to 1).
        shape : int or tuple of ints, optional
            Draws per distribution; the result has shape ``data.shape[:-1] + shape``.
        get_prob : bool
            Also return the log-probability of each draw, whose gradient reaches ``data``
            (REINFORCE). False for ``nd.random``, True for ``sym.random``, as in MXNet.
        out : NDArray, optional
            An array to write the draws into (eager calls only).
        dtype : str, optional
            The draws' integer type ('int32').
        """
        attrs = {"shape": shape, "get_prob": get_prob, "dtype": dtype, "out": out}
        return front.call("_sample_multinomial", (data,), _given({**attrs, **kwargs}))

    def shuffle(data: Any, **kwargs: Any) -> Any:
        """A copy of ``data`` with its rows (first axis) in random order."""
        return front.call("_shuffle", (data,), kwargs)

    def randint(low: int, high: int, shape: Any = None, dtype: Any = None, ctx: Any = None,
                out: Any = None, **kwargs: Any) -> Any:
        """Samples integers uniformly from [low, high).

        Parameters
        ----------
        low, high : int
            The interval's ends.
        {shape}
        {common}
        """
        return _draw(front, "randint", [low, high], shape, dtype, ctx, out, kwargs)

    if not front.imperative:  # MXNet's symbolic multinomial returns the log-likelihood too
        multinomial.__defaults__ = (None, True, None, "int32")
    functions = {f.__name__: f for f in (uniform, normal, randn, poisson, exponential, gamma,
                                         negative_binomial, generalized_negative_binomial,
                                         multinomial, shuffle, randint)}
    for name, function in functions.items():
        function.__doc__ = function.__doc__.format(shape=_SHAPE_DOC, common=_COMMON_DOC)
        function.__qualname__ = name
        function.__module__ = front.module
    return functions
