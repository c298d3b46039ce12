"""Initializers (``mx.init``): how parameters get their first values.

An initializer is called with an :class:`InitDesc` (the parameter's name and attributes) and
the array to fill. The base class looks at the name's suffix (``weight``, ``bias``, ``gamma``,
``beta``, ...) and calls the matching ``_init_*`` method; subclasses usually only define
``_init_weight``. Random fills use torch's generators (seeded by ``mx.random.seed``), so the
distributions are MXNet's but not its exact numbers.
"""
from __future__ import annotations

import json
import logging
import re
import warnings
from math import sqrt
from typing import Any, Optional, Sequence

import numpy as np
import torch

from . import registry
from .ndarray import NDArray

__all__ = ["InitDesc", "Initializer", "register", "alias", "create", "Load", "Mixed", "Zero",
           "One", "Constant", "Uniform", "Normal", "Orthogonal", "Xavier", "MSRAPrelu",
           "Bilinear", "LSTMBias"]


class InitDesc(str):
    """A parameter name (a ``str``) that also carries what an initializer needs to know.

    Parameters
    ----------
    name : str
        The parameter's name; its suffix picks the ``_init_*`` method.
    attrs : dict of str to str, optional
        The variable's attributes (``Symbol.attr_dict()``); an ``__init__`` entry names an
        initializer that takes precedence for this parameter.
    global_init : Initializer, optional
        The initializer that was asked to fill the parameter, used by per-parameter
        initializers that defer part of the work.
    """

    def __new__(cls, name: str, attrs: Optional[dict] = None,
                global_init: Optional["Initializer"] = None) -> "InitDesc":
        ret = super().__new__(cls, name)
        ret.attrs = attrs or {}
        ret.global_init = global_init
        return ret


def _fill_uniform(arr: NDArray, low: float, high: float) -> None:
    """Fill ``arr`` in place from U(low, high)."""
    with torch.no_grad():
        arr._t.uniform_(low, high)


def _fill_normal(arr: NDArray, loc: float, scale: float) -> None:
    """Fill ``arr`` in place from N(loc, scale**2)."""
    with torch.no_grad():
        arr._t.normal_(loc, scale)


class Initializer:
    """Common base of the initializers: dispatch on the parameter name, serialisation, logging.

    Parameters
    ----------
    **kwargs
        The subclass's constructor arguments, kept for :meth:`dumps`, ``repr`` and ``==``.
    """

    def __init__(self, **kwargs: Any):
        self._kwargs = kwargs
        self._verbose = False
        self._print_func = None

    def set_verbosity(self, verbose: bool = False, print_func: Any = None) -> "Initializer":
        """Log a statistic of every array this initializer fills (or stop doing so).

        Parameters
        ----------
        verbose : bool, default False
            Whether to log.
        print_func : callable, optional
            ``print_func(arr) -> str``, the statistic to log; by default the array's L2 norm
            divided by the square root of its size.

        Returns
        -------
        Initializer
            ``self``, so the call can be chained.
        """
        self._verbose = verbose
        if print_func is None:
            def asum_stat(x: NDArray) -> str:
                """Root mean square of ``x``, as text."""
                return str(float(torch.linalg.vector_norm(x._t.float())) / sqrt(x.size))
            print_func = asum_stat
        self._print_func = print_func
        return self

    def _verbose_print(self, desc: str, init: str, arr: NDArray) -> None:
        if self._verbose and self._print_func:
            logging.info("Initialized %s as %s: %s", desc, init, self._print_func(arr))

    def dumps(self) -> str:
        """The initializer as JSON: ``[lower-cased class name, constructor arguments]``.

        Variables store this in their ``__init__`` attribute, and :func:`create` turns it
        back into an initializer.

        Returns
        -------
        str
            The JSON text.

        Examples
        --------
        >>> init = mx.init.Normal(0.5)
        >>> init.dumps()
        '["normal", {"sigma": 0.5}]'
        """
        return json.dumps([type(self).__name__.lower(), self._kwargs])

    def __call__(self, desc: "InitDesc | str", arr: NDArray) -> None:
        """Fill ``arr`` for the parameter described by ``desc``.

        An initializer named in ``desc.attrs['__init__']`` wins; otherwise the name's suffix
        picks the method (``weight``, ``bias``, ``gamma``, ``beta``, ``min``, ``max`` and the
        quantized variants). A plain string ``desc`` takes MXNet's older, deprecated path.

        Parameters
        ----------
        desc : InitDesc or str
            The parameter's name and attributes.
        arr : NDArray
            The array to fill, in place.

        Raises
        ------
        ValueError
            When no rule applies to the name.
        """
        if not isinstance(desc, InitDesc):
            self._legacy_init(desc, arr)
            return
        if desc.global_init is None:
            desc.global_init = self
        init = desc.attrs.get("__init__", "")
        if init:
            # the variable carries its own initializer (Parameter.init, sym.var(init=...))
            create(init)._init_weight(desc, arr)
            self._verbose_print(desc, str(init), arr)
            return
        for suffix, method in self._PATTERNS:
            if desc.endswith(suffix):
                getattr(self, method)(desc, arr)
                self._verbose_print(desc, suffix, arr)
                return
        self._init_default(desc, arr)

    # the name suffixes MXNet's Initializer.__call__ dispatches on, in its order
    _PATTERNS = (("weight", "_init_weight"), ("bias", "_init_bias"), ("gamma", "_init_gamma"),
                 ("beta", "_init_beta"), ("min", "_init_zero"), ("max", "_init_one"),
                 ("weight_quantize", "_init_quantized_weight"),
                 ("bias_quantize", "_init_quantized_bias"))

    # the legacy (name-string) dispatch of MXNet's Initializer._legacy_init, in its order
    _LEGACY_PATTERNS = (("bias", "_init_bias"), ("gamma", "_init_gamma"), ("beta", "_init_beta"),
                        ("weight", "_init_weight"), ("moving_mean", "_init_zero"),
                        ("moving_var", "_init_one"), ("moving_inv_var", "_init_zero"),
                        ("moving_avg", "_init_zero"), ("min", "_init_zero"), ("max", "_init_one"))

    def _legacy_init(self, name: str, arr: NDArray) -> None:
        """Fill ``arr`` by the older name rules (``upsampling*``, ``stn_loc*``, suffixes)."""
        warnings.warn("Calling initializer with init(str, NDArray) has been deprecated."
                      "please use init(mx.init.InitDesc(...), NDArray) instead.",
                      DeprecationWarning, stacklevel=3)
        if not isinstance(name, str):
            raise TypeError("name must be string")
        if not isinstance(arr, NDArray):
            raise TypeError("arr must be NDArray")
        if name.startswith("upsampling"):
            self._init_bilinear(name, arr)
        elif name.startswith("stn_loc") and name.endswith("weight"):
            self._init_zero(name, arr)
        elif name.startswith("stn_loc") and name.endswith("bias"):
            self._init_loc_bias(name, arr)
        else:
            for suffix, method in self._LEGACY_PATTERNS:
                if name.endswith(suffix):
                    getattr(self, method)(name, arr)
                    return
            self._init_default(name, arr)

    def _init_bilinear(self, _: str, arr: NDArray) -> None:
        arr[:] = _bilinear_kernel(arr.shape)

    def _init_loc_bias(self, _: str, arr: NDArray) -> None:
        if arr.shape[0] != 6:
            raise ValueError(f"stn_loc bias must have 6 elements, got shape {arr.shape}")
        arr[:] = np.array([1.0, 0, 0, 0, 1.0, 0])

    def _init_zero(self, _: str, arr: NDArray) -> None:
        arr[:] = 0.0

    def _init_one(self, _: str, arr: NDArray) -> None:
        arr[:] = 1.0

    def _init_bias(self, _: str, arr: NDArray) -> None:
        arr[:] = 0.0

    def _init_quantized_bias(self, _: str, arr: NDArray) -> None:
        arr[:] = 0

    def _init_gamma(self, _: str, arr: NDArray) -> None:
        arr[:] = 1.0

    def _init_beta(self, _: str, arr: NDArray) -> None:
        arr[:] = 0.0

    def _init_weight(self, name: str, arr: NDArray) -> None:
        """Fill a weight; every concrete initializer defines it."""
        raise NotImplementedError("Must override it")

    def _init_quantized_weight(self, _: str, arr: NDArray) -> None:
        arr[:] = torch.randint(-127, 127, arr.shape, dtype=torch.int32)

    def _init_default(self, name: str, _: NDArray) -> None:
        raise ValueError(
            f"Unknown initialization pattern for {name}. Default initialization is now limited to "
            '"weight", "bias", "gamma" (1.0), and "beta" (0.0).'
            "Please use mx.sym.Variable(init=mx.init.*) to set initialization pattern")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Initializer):
            return NotImplemented
        if type(self) is not type(other):
            return False
        return self._kwargs == other._kwargs

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self._kwargs.items())})"


_register = registry.get_register_func(Initializer, "initializer")
alias = registry.get_alias_func(Initializer, "initializer")
create = registry.get_create_func(Initializer, "initializer")


def register(klass: type) -> type:
    """Make an :class:`Initializer` subclass known to :func:`create` by its lower-cased name.

    A custom initializer subclasses :class:`Initializer` and defines ``_init_weight`` (and
    ``_init_bias`` and the others where the defaults do not suit); once registered it can be
    named in strings such as ``init='myinit'`` and in saved ``__init__`` attributes.

    Parameters
    ----------
    klass : type
        The subclass to register.

    Returns
    -------
    type
        ``klass`` itself, so this works as a decorator.

    Examples
    --------
    >>> @mx.init.register
    ... @alias('myinit')
    ... class CustomInit(mx.init.Initializer):
    ...   def _init_weight(self, _, arr):
    ...     arr[:] = 0.1
    """
    return _register(klass)


def _bilinear_kernel(shape: Sequence[int]) -> np.ndarray:
    """The bilinear upsampling kernel MXNet fills (weight[i] over the flat index i)."""
    f = np.ceil(shape[3] / 2.0)
    c = (2 * f - 1 - f % 2) / (2.0 * f)
    i = np.arange(int(np.prod(shape)))
    x = i % shape[3]
    y = (i // shape[3]) % shape[2]
    weight = (1 - np.abs(x / f - c)) * (1 - np.abs(y / f - c))
    return weight.astype(np.float32).reshape(shape)


class Load:
    """Fill parameters from saved arrays, by name, with a fallback for the others.

    Names in the source lose an ``arg:`` or ``aux:`` prefix (as ``.params`` files write
    them) before matching.

    Parameters
    ----------
    param : str or dict of str to NDArray
        A ``.params`` file, or the arrays by name.
    default_init : Initializer, optional
        Used for names not found in ``param``; without it such a name is an error.
    verbose : bool, default False
        Log where each parameter's value came from.
    """

    def __init__(self, param: Any, default_init: Optional[Initializer] = None,
                 verbose: bool = False):
        if isinstance(param, str):
            from .ndarray import load
            param = load(param)
        if not isinstance(param, dict):
            raise TypeError(f"Load expects a file name or a dict of arrays, got {type(param)}")
        self.param = {(name[4:] if name.startswith(("arg:", "aux:")) else name): arr
                      for name, arr in param.items()}
        self.default_init = default_init
        self.verbose = verbose

    def __call__(self, name: str, arr: NDArray) -> None:
        """Copy the saved array named ``name`` into ``arr`` (shapes must agree), or defer to
        ``default_init``."""
        if name in self.param:
            if arr.shape != self.param[name].shape:
                raise AssertionError(f"Parameter {name} cannot be initialized from loading. Shape "
                                     f"mismatch, target {arr.shape} vs loaded "
                                     f"{self.param[name].shape}")
            arr[:] = self.param[name]
            if self.verbose:
                logging.info("Initialized %s by loading", name)
        else:
            if self.default_init is None:
                raise AssertionError(f"Cannot Initialize {name}. Not found in loaded param and no "
                                     "default Initializer is provided.")
            self.default_init(name, arr)
            if self.verbose:
                logging.info("Initialized %s by default", name)


class Mixed:
    """Choose an initializer per parameter by regular expression.

    The first pattern that matches the start of the name (``re.match``) wins, so a final
    ``'.*'`` works as a catch-all.

    Parameters
    ----------
    patterns : list of str
        Regular expressions, tried in order.
    initializers : list of Initializer
        One initializer per pattern.

    Examples
    --------
    >>> init = mx.init.Mixed(['bias', '.*'], [mx.init.Zero(), mx.init.Uniform(0.1)])
    >>> module.init_params(init)  # doctest: +SKIP
    """

    def __init__(self, patterns: Sequence[str], initializers: Sequence[Any]):
        if len(patterns) != len(initializers):
            raise ValueError(f"Mixed needs one initializer per pattern, got {len(patterns)} "
                             f"patterns and {len(initializers)} initializers")
        self.map = [(re.compile(pattern), init) for pattern, init in zip(patterns, initializers)]

    def __call__(self, name: str, arr: NDArray) -> None:
        """Fill ``arr`` with the initializer of the first pattern that matches ``name``."""
        for prog, init in self.map:
            if prog.match(name):
                init(name, arr)
                return
        raise ValueError(f"Parameter name {name} did not match any pattern. Consider add a \".*\" "
                         "pattern at the and with default Initializer.")


@register
@alias("zeros")
class Zero(Initializer):
    """Fill weights with 0 (registered also as ``'zeros'``)."""

    def __init__(self) -> None:
        super().__init__()

    def _init_weight(self, _: str, arr: NDArray) -> None:
        arr[:] = 0


@register
@alias("ones")
class One(Initializer):
    """Fill weights with 1 (registered also as ``'ones'``)."""

    def __init__(self) -> None:
        super().__init__()

    def _init_weight(self, _: str, arr: NDArray) -> None:
        arr[:] = 1


@register
class Constant(Initializer):
    """Fill weights with ``value``: a number, or an array broadcast to the weight's shape.

    Parameters
    ----------
    value : float or NDArray
        What every weight receives.
    """

    def __init__(self, value: Any):
        super().__init__(value=value)
        self.value = value

    def _init_weight(self, _: str, arr: NDArray) -> None:
        arr[:] = self.value

    def dumps(self) -> str:
        """The initializer as JSON, an array ``value`` written as nested lists."""
        value = self._kwargs["value"]
        if not np.isscalar(value):
            host = value if isinstance(value, np.ndarray) else value.asnumpy()
            self._kwargs["value"] = host.tolist()
        return super().dumps()


@register
class Uniform(Initializer):
    """Fill weights with independent draws from U(-scale, scale).

    Parameters
    ----------
    scale : float, default 0.07
        Half-width of the interval.
    """

    def __init__(self, scale: float = 0.07):
        super().__init__(scale=scale)
        self.scale = scale

    def _init_weight(self, _: str, arr: NDArray) -> None:
        _fill_uniform(arr, -self.scale, self.scale)


@register
class Normal(Initializer):
    """Fill weights with independent draws from N(0, sigma**2).

    Parameters
    ----------
    sigma : float, default 0.01
        Standard deviation.
    """

    def __init__(self, sigma: float = 0.01):
        super().__init__(sigma=sigma)
        self.sigma = sigma

    def _init_weight(self, _: str, arr: NDArray) -> None:
        _fill_normal(arr, 0.0, self.sigma)


@register
class Orthogonal(Initializer):
    """Fill a weight with a scaled orthogonal matrix (Saxe et al., 2013, arXiv:1312.6120).

    The weight is seen as a matrix ``(shape[0], prod(shape[1:]))``; a random matrix of that
    shape is drawn and the orthonormal factor of its SVD with the same shape is used, times
    ``scale``.

    Parameters
    ----------
    scale : float, default 1.414
        Multiplier of the orthogonal matrix (about sqrt(2), suited to ReLU networks).
    rand_type : str, default 'uniform'
        Distribution of the random matrix: ``'uniform'`` on [-1, 1] or ``'normal'``.
    """

    def __init__(self, scale: float = 1.414, rand_type: str = "uniform"):
        super().__init__(scale=scale, rand_type=rand_type)
        self.scale = scale
        self.rand_type = rand_type

    def _init_weight(self, _: str, arr: NDArray) -> None:
        nout = arr.shape[0]
        nin = int(np.prod(arr.shape[1:]))
        if self.rand_type == "uniform":
            tmp = torch.empty(nout, nin, dtype=torch.float64).uniform_(-1.0, 1.0).numpy()
        elif self.rand_type == "normal":
            tmp = torch.empty(nout, nin, dtype=torch.float64).normal_(0.0, 1.0).numpy()
        else:
            raise ValueError(f"Orthogonal: rand_type must be 'uniform' or 'normal', got "
                             f"{self.rand_type!r}")
        u, _, v = np.linalg.svd(tmp, full_matrices=False)
        res = u if u.shape == tmp.shape else v
        arr[:] = (self.scale * res.reshape(arr.shape)).astype(np.float32)


@register
class Xavier(Initializer):
    """Glorot/Xavier initialization: a spread scaled to the number of connections.

    For a weight of shape ``(out, in, *kernel)`` let ``fan_in = in * prod(kernel)`` and
    ``fan_out = out * prod(kernel)``; ``n`` is their mean (``factor_type='avg'``), ``fan_in``
    (``'in'``) or ``fan_out`` (``'out'``). Values are drawn from U(-s, s) (``'uniform'``) or
    N(0, s**2) (``'gaussian'``) with ``s = sqrt(magnitude / n)``, which keeps the variance
    of activations and gradients roughly constant from layer to layer. Weights need at least
    two dimensions.

    Parameters
    ----------
    rnd_type : str, default 'uniform'
        ``'uniform'`` or ``'gaussian'``.
    factor_type : str, default 'avg'
        ``'avg'``, ``'in'`` or ``'out'``: which fan sets the scale.
    magnitude : float, default 3
        Numerator of the scale (3 makes the uniform case have variance 1/n).
    """

    def __init__(self, rnd_type: str = "uniform", factor_type: str = "avg", magnitude: float = 3):
        super().__init__(rnd_type=rnd_type, factor_type=factor_type, magnitude=magnitude)
        self.rnd_type = rnd_type
        self.factor_type = factor_type
        self.magnitude = float(magnitude)

    def _init_weight(self, name: str, arr: NDArray) -> None:
        shape = arr.shape
        if len(shape) < 2:
            raise ValueError(f"Xavier initializer cannot be applied to vector {name}. It requires at"
                             " least 2D.")
        hw_scale = float(np.prod(shape[2:])) if len(shape) > 2 else 1.0
        fan_in = shape[1] * hw_scale
        fan_out = shape[0] * hw_scale
        if self.factor_type == "avg":
            factor = (fan_in + fan_out) / 2.0
        elif self.factor_type == "in":
            factor = fan_in
        elif self.factor_type == "out":
            factor = fan_out
        else:
            raise ValueError("Incorrect factor type")
        scale = float(np.sqrt(self.magnitude / factor))
        if self.rnd_type == "uniform":
            _fill_uniform(arr, -scale, scale)
        elif self.rnd_type == "gaussian":
            _fill_normal(arr, 0.0, scale)
        else:
            raise ValueError("Unknown random type")


@register
class MSRAPrelu(Xavier):
    """He/MSRA initialization for rectifier networks (He et al., 2015, arXiv:1502.01852).

    :class:`Xavier` with Gaussian draws and ``magnitude = 2 / (1 + slope**2)``: the variance
    that keeps signals steady through ReLU (``slope=0``) or PReLU/leaky ReLU layers.

    Parameters
    ----------
    factor_type : str, default 'avg'
        ``'avg'``, ``'in'`` or ``'out'``: which fan sets the scale.
    slope : float, default 0.25
        Negative-side slope of the (P)ReLU the weights feed.
    """

    def __init__(self, factor_type: str = "avg", slope: float = 0.25):
        magnitude = 2.0 / (1 + slope ** 2)
        super().__init__("gaussian", factor_type, magnitude)
        self._kwargs = {"factor_type": factor_type, "slope": slope}


@register
class Bilinear(Initializer):
    """Fill a 4-D weight with a bilinear interpolation kernel, as upsampling by
    ``Deconvolution`` expects."""

    def __init__(self) -> None:
        super().__init__()

    def _init_weight(self, _: str, arr: NDArray) -> None:
        arr[:] = _bilinear_kernel(arr.shape)


@register
class LSTMBias(Initializer):
    """Zero an LSTM's bias except for the forget gate's part, set to ``forget_bias``.

    The bias holds the four gates one after the other (input, forget, cell, output); a
    positive forget bias makes the cell keep its memory early in training (Jozefowicz et
    al., 2015, suggest 1.0).

    Parameters
    ----------
    forget_bias : float, default 1.0
        Value of the forget gate's bias.
    """

    def __init__(self, forget_bias: float = 1.0):
        super().__init__(forget_bias=forget_bias)
        self.forget_bias = forget_bias

    def _init_weight(self, name: str, arr: NDArray) -> None:
        arr[:] = 0.0
        # gates are stacked input, forget, cell, output: the forget rows are the second quarter
        num_hidden = int(arr.shape[0] / 4)
        arr[num_hidden:2 * num_hidden] = self.forget_bias
