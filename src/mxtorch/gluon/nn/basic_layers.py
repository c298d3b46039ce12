"""Basic layers: containers, dense and embedding layers, dropout, normalization, lambdas."""
from __future__ import annotations

import warnings
from typing import Any, Callable, Optional

import numpy as np

from ... import ndarray as nd
from ..block import Block, HybridBlock
from ..parameter import Parameter, ParameterDict
from ..utils import _indent
from .activations import Activation

__all__ = ["Sequential", "HybridSequential", "Dense", "Dropout", "Embedding", "BatchNorm",
           "InstanceNorm", "LayerNorm", "GroupNorm", "Flatten", "Lambda", "HybridLambda",
           "Identity"]


def _sequential_repr(block: Block) -> str:
    modstr = "\n".join([f"  ({key}): {_indent(repr(child), 2)}"
                        for key, child in block._children.items()])
    return f"{block.__class__.__name__}(\n{modstr}\n)"


def _sequential_getitem(block: Block, key: Any) -> Any:
    layers = list(block._children.values())[key]
    if isinstance(layers, list):
        net = type(block)(prefix=block._prefix)
        with net.name_scope():
            net.add(*layers)
        return net
    return layers


class Sequential(Block):
    """A container that runs its children in sequence, each on the previous one's output.

    Children are added with ``add`` and run in the order added. Indexing gives a child; slicing
    gives a new ``Sequential`` (with the same prefix) holding those children, which share their
    parameters with this one. Create the children inside ``net.name_scope()`` so that their
    parameter names start with the container's prefix.

    Parameters
    ----------
    prefix : str, optional
        Prefix of the names of the block and of its parameters.
    params : ParameterDict, optional
        Parameters to share instead of creating new ones.

    Examples
    --------
    >>> net = nn.Sequential()
    >>> with net.name_scope():
    ...     net.add(nn.Dense(8, activation='relu'), nn.Dense(2))
    >>> net.initialize()
    >>> net(mx.nd.ones((4, 5))).shape
    (4, 2)
    """

    def __init__(self, prefix: Optional[str] = None, params: Optional[ParameterDict] = None):
        super().__init__(prefix=prefix, params=params)

    def add(self, *blocks: Block) -> None:
        """Appends blocks, in the given order, to the end of the sequence."""
        for block in blocks:
            self.register_child(block)

    def forward(self, x: Any) -> Any:
        for block in self._children.values():
            x = block(x)
        return x

    def __repr__(self) -> str:
        return _sequential_repr(self)

    def __getitem__(self, key: Any) -> Any:
        return _sequential_getitem(self, key)

    def __len__(self) -> int:
        return len(self._children)

    def hybridize(self, active: bool = True, **kwargs: Any) -> None:
        """Hybridizes (or un-hybridizes) the hybrid children; the container itself stays imperative.

        When every child is a ``HybridBlock`` a warning suggests ``HybridSequential``, which can be
        compiled as a whole.

        Parameters
        ----------
        active : bool, default True
            True to hybridize, False to go back to imperative execution.
        **kwargs
            Passed on to each child's ``hybridize`` (e.g. ``static_alloc``, ``static_shape``).
        """
        children = list(self._children.values())
        if children and all(isinstance(child, HybridBlock) for child in children):
            warnings.warn(f"All children of this Sequential layer '{self.prefix}' are HybridBlocks. "
                          "Consider using HybridSequential for the best performance.", stacklevel=2)
        super().hybridize(active, **kwargs)


class HybridSequential(HybridBlock):
    """The hybridizable ``Sequential``: ``HybridBlock`` children that can be compiled as one graph.

    It behaves as ``Sequential`` (``add``, indexing, slicing, ``len``); after ``hybridize()`` the
    whole chain runs as one symbol graph.

    Parameters
    ----------
    prefix : str, optional
        Prefix of the names of the block and of its parameters.
    params : ParameterDict, optional
        Parameters to share instead of creating new ones.

    Examples
    --------
    >>> net = nn.HybridSequential()
    >>> with net.name_scope():
    ...     net.add(nn.Dense(8, activation='relu'), nn.Dense(2))
    >>> net.initialize()
    >>> net.hybridize()
    >>> net(mx.nd.ones((4, 5))).shape
    (4, 2)
    """

    def __init__(self, prefix: Optional[str] = None, params: Optional[ParameterDict] = None):
        super().__init__(prefix=prefix, params=params)

    def add(self, *blocks: HybridBlock) -> None:
        """Appends blocks, in the given order, to the end of the sequence."""
        for block in blocks:
            self.register_child(block)

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        for block in self._children.values():
            x = block(x)
        return x

    def __repr__(self) -> str:
        return _sequential_repr(self)

    def __getitem__(self, key: Any) -> Any:
        return _sequential_getitem(self, key)

    def __len__(self) -> int:
        return len(self._children)


class Dense(HybridBlock):
    """Fully connected layer: ``activation(x @ weight.T + bias)``.

    ``weight`` has shape ``(units, in_units)`` and ``bias`` ``(units,)``; the layer calls the
    ``FullyConnected`` operator.

    Parameters
    ----------
    units : int
        Number of outputs.
    activation : str, optional
        Name of an ``Activation`` (e.g. 'relu') applied to the output; none by default.
    use_bias : bool, default True
        Whether to add the learned ``bias``.
    flatten : bool, default True
        True: the input is reshaped to ``(batch_size, -1)`` first, so ``in_units`` is the product
        of all its axes but the first. False: the layer acts on the last axis only and keeps the
        others.
    dtype : str or np.dtype, default 'float32'
        Data type of the parameters.
    weight_initializer : str or Initializer, optional
        Initializer of ``weight``; by default the one given to ``initialize``.
    bias_initializer : str or Initializer, default 'zeros'
        Initializer of ``bias``.
    in_units : int, default 0
        Number of inputs; 0 leaves it to the first forward pass to infer, and defers the
        parameters' initialization until then.
    prefix : str, optional
        Prefix of the names of the block and of its parameters.
    params : ParameterDict, optional
        Parameters to share instead of creating new ones.

    Notes
    -----
    With ``flatten=True``, input ``(N, d1, ..., dk)`` gives output ``(N, units)``; with
    ``flatten=False``, input ``(d1, ..., dk, in_units)`` gives ``(d1, ..., dk, units)``.

    Examples
    --------
    >>> dense = nn.Dense(3, flatten=False)
    >>> dense.initialize()
    >>> dense(mx.nd.ones((2, 4, 5))).shape
    (2, 4, 3)
    """

    def __init__(self, units: int, activation: Optional[str] = None, use_bias: bool = True,
                 flatten: bool = True, dtype: Any = "float32", weight_initializer: Any = None,
                 bias_initializer: Any = "zeros", in_units: int = 0, **kwargs: Any):
        super().__init__(**kwargs)
        self._flatten = flatten
        with self.name_scope():
            self._units = units
            self._in_units = in_units
            self.weight = self.params.get("weight", shape=(units, in_units),
                                          init=weight_initializer, dtype=dtype,
                                          allow_deferred_init=True)
            if use_bias:
                self.bias = self.params.get("bias", shape=(units,), init=bias_initializer,
                                            dtype=dtype, allow_deferred_init=True)
            else:
                self.bias = None
            if activation is not None:
                self.act = Activation(activation, prefix=activation + "_")
            else:
                self.act = None

    def hybrid_forward(self, F: Any, x: Any, weight: Any, bias: Any = None) -> Any:
        act = F.FullyConnected(x, weight, bias, no_bias=bias is None, num_hidden=self._units,
                               flatten=self._flatten, name="fwd")
        if self.act is not None:
            act = self.act(act)
        return act

    def __repr__(self) -> str:
        shape = self.weight.shape
        layout = f"{shape[1] if shape[1] else None} -> {shape[0]}"
        return f"{self.__class__.__name__}({layout}, {self.act if self.act else 'linear'})"


class Dropout(HybridBlock):
    """Randomly zeroes elements while training, and scales the rest by ``1 / (1 - rate)``.

    Each element is dropped with probability ``rate``. Outside training mode (no
    ``autograd.record()``, or ``record(train_mode=False)``) the layer passes its input through
    unchanged; the scaling keeps the expected value the same in both.
    ``rate=0`` makes it the identity in every mode.

    Parameters
    ----------
    rate : float
        Probability of dropping an element, in ``[0, 1)``.
    axes : tuple of int, default ()
        Axes along which one random mask is shared (e.g. ``(2, 3)`` drops whole feature maps of
        ``NCHW`` data); empty draws every element independently.

    Notes
    -----
    The output has the input's shape. The technique is from Srivastava et al., "Dropout: A Simple
    Way to Prevent Neural Networks from Overfitting" (JMLR, 2014).
    """

    def __init__(self, rate: float, axes: tuple = (), **kwargs: Any):
        super().__init__(**kwargs)
        self._rate = rate
        self._axes = axes

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        if self._rate > 0:
            return F.Dropout(x, p=self._rate, axes=self._axes, name="fwd", cudnn_off=False)
        return F.identity(x)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(p = {self._rate}, axes={self._axes})"


def _gamma_beta(block: HybridBlock, channels: int, scale: bool, center: bool,
                gamma_initializer: Any, beta_initializer: Any, lock_off: bool = False) -> tuple:
    """The ``gamma`` (scale) and ``beta`` (shift) parameters of a normalization layer, of shape
    ``(channels,)`` (0: inferred at the first forward). One switched off by ``scale``/``center``
    gets ``grad_req='null'``; with ``lock_off`` (BatchNorm) it can never be switched back on."""
    def get(name: str, on: bool, init: Any) -> Parameter:
        extra = {"differentiable": on} if lock_off else {}
        return block.params.get(name, grad_req="write" if on else "null", shape=(channels,),
                                init=init, allow_deferred_init=True, **extra)
    return get("gamma", scale, gamma_initializer), get("beta", center, beta_initializer)


class _BatchNorm(HybridBlock):
    """What ``BatchNorm`` and its variants share: ``gamma``, ``beta`` and the running statistics
    (no gradient), which stay float32 when the block is cast to float16.
    """

    def __init__(self, axis: int = 1, momentum: float = 0.9, epsilon: float = 1e-5,
                 center: bool = True, scale: bool = True, use_global_stats: bool = False,
                 beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 running_mean_initializer: Any = "zeros", running_variance_initializer: Any = "ones",
                 in_channels: int = 0, **kwargs: Any):
        super().__init__(**kwargs)
        self._kwargs = {"axis": axis, "eps": epsilon, "momentum": momentum,
                        "fix_gamma": not scale, "use_global_stats": use_global_stats}
        if in_channels != 0:
            self.in_channels = in_channels
        self.gamma, self.beta = _gamma_beta(self, in_channels, scale, center, gamma_initializer,
                                            beta_initializer, lock_off=True)
        self.running_mean = self.params.get("running_mean", grad_req="null", shape=(in_channels,),
                                            init=running_mean_initializer,
                                            allow_deferred_init=True, differentiable=False)
        self.running_var = self.params.get("running_var", grad_req="null", shape=(in_channels,),
                                           init=running_variance_initializer,
                                           allow_deferred_init=True, differentiable=False)

    def cast(self, dtype: Any) -> None:
        if np.dtype(dtype).name == "float16":  # BatchNorm keeps its statistics in float32
            dtype = "float32"
        super().cast(dtype)

    def hybrid_forward(self, F: Any, x: Any, gamma: Any, beta: Any, running_mean: Any,
                       running_var: Any) -> Any:
        return F.BatchNorm(x, gamma, beta, running_mean, running_var, name="fwd", **self._kwargs)

    def __repr__(self) -> str:
        in_channels = self.gamma.shape[0]
        content = ", ".join([f"{k}={v!r}" for k, v in self._kwargs.items()])
        return f"{self.__class__.__name__}({content}, in_channels={in_channels or None})"


class BatchNorm(_BatchNorm):
    """Batch normalization (Ioffe and Szegedy, 2015): per channel, with running statistics.

    While training (under ``autograd.record()``) each channel is normalized by its batch mean and
    variance, and the running statistics move towards them:
    ``running = momentum * running + (1 - momentum) * batch``. In inference, and always with
    ``use_global_stats``, the running statistics are used instead. The output is
    ``(x - mean) / sqrt(var + epsilon) * gamma + beta``.

    Parameters
    ----------
    axis : int, default 1
        The channel axis, whose entries are normalized separately (1 for ``NCHW`` data, 3 for
        ``NHWC``).
    momentum : float, default 0.9
        Weight of the old value in the running statistics' update.
    epsilon : float, default 1e-5
        Added to the variance before its square root.
    center : bool, default True
        Whether to add the learned shift ``beta``; False fixes it at its initial value.
    scale : bool, default True
        Whether to multiply by the learned ``gamma``; False uses 1 instead (MXNet's
        ``fix_gamma``), e.g. when a linear layer follows that can scale by itself.
    use_global_stats : bool, default False
        Whether to normalize with the running statistics while training too.
    beta_initializer : str or Initializer, default 'zeros'
        Initializer of ``beta``.
    gamma_initializer : str or Initializer, default 'ones'
        Initializer of ``gamma``.
    running_mean_initializer : str or Initializer, default 'zeros'
        Initializer of ``running_mean``.
    running_variance_initializer : str or Initializer, default 'ones'
        Initializer of ``running_var``.
    in_channels : int, default 0
        Number of channels; 0 leaves it to the first forward pass to infer.

    Notes
    -----
    The output has the input's shape; ``gamma``, ``beta``, ``running_mean`` and ``running_var``
    have shape ``(in_channels,)``.
    """


class Embedding(HybridBlock):
    """Maps integer indices (e.g. token ids) to learned dense vectors.

    Row ``i`` of ``weight`` is the vector of index ``i``.

    Parameters
    ----------
    input_dim : int
        Number of indices (vocabulary size); valid inputs are ``0 .. input_dim - 1``.
    output_dim : int
        Length of each vector.
    dtype : str or np.dtype, default 'float32'
        Data type of ``weight`` and of the output.
    weight_initializer : str or Initializer, optional
        Initializer of ``weight``; by default the one given to ``initialize``.
    sparse_grad : bool, default False
        Asks for a row-sparse gradient of ``weight``, as in MXNet; mxtorch accepts the flag and keeps
        the gradient dense (the values are the same).

    Notes
    -----
    Input of any shape ``S`` holding indices; output ``S + (output_dim,)``.
    ``weight`` has shape ``(input_dim, output_dim)``.

    Examples
    --------
    >>> emb = nn.Embedding(10, 4)
    >>> emb.initialize()
    >>> emb(mx.nd.array([[1, 2, 3]])).shape
    (1, 3, 4)
    """

    def __init__(self, input_dim: int, output_dim: int, dtype: Any = "float32",
                 weight_initializer: Any = None, sparse_grad: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        grad_stype = "row_sparse" if sparse_grad else "default"
        self._kwargs = {"input_dim": input_dim, "output_dim": output_dim, "dtype": dtype,
                        "sparse_grad": sparse_grad}
        self.weight = self.params.get("weight", shape=(input_dim, output_dim),
                                      init=weight_initializer, dtype=dtype,
                                      allow_deferred_init=True, grad_stype=grad_stype)

    def hybrid_forward(self, F: Any, x: Any, weight: Any) -> Any:
        return F.Embedding(x, weight, name="fwd", **self._kwargs)

    def __repr__(self) -> str:
        return "{block_name}({input_dim} -> {output_dim}, {dtype})".format(
            block_name=self.__class__.__name__, **self._kwargs)


class Flatten(HybridBlock):
    """Reshapes input ``(N, d1, ..., dk)`` to two dimensions, ``(N, d1 * ... * dk)``."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return F.flatten(x)

    def __repr__(self) -> str:
        return self.__class__.__name__


def _norm_repr(block: HybridBlock) -> str:
    content = ", ".join([f"{k}={v!r}" for k, v in block._kwargs.items()])
    return f"{block.__class__.__name__}({content}, in_channels={block.gamma.shape[0]})"


class InstanceNorm(HybridBlock):
    """Instance normalization (Ulyanov et al., 2016): each channel of each sample on its own.

    For every sample and channel, ``out = (x - mean) / sqrt(var + epsilon) * gamma + beta``,
    the mean and variance taken over all axes but the batch axis (0) and ``axis``. There are no
    running statistics: training and inference compute the same thing.

    Parameters
    ----------
    axis : int, default 1
        The channel axis (1 for ``NCHW`` data, 3 for ``NHWC``); ``gamma`` and ``beta`` have one
        entry per channel.
    epsilon : float, default 1e-5
        Added to the variance before its square root.
    center : bool, default True
        Whether ``beta`` is learned; False keeps it at its initial value.
    scale : bool, default False
        Whether ``gamma`` is learned; False (the default) keeps it at its initial value.
    beta_initializer : str or Initializer, default 'zeros'
        Initializer of ``beta``.
    gamma_initializer : str or Initializer, default 'ones'
        Initializer of ``gamma``.
    in_channels : int, default 0
        Number of channels; 0 leaves it to the first forward pass to infer.

    Notes
    -----
    Input of rank 3 or more; the output has its shape.
    """

    def __init__(self, axis: int = 1, epsilon: float = 1e-5, center: bool = True,
                 scale: bool = False, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", in_channels: int = 0, **kwargs: Any):
        super().__init__(**kwargs)
        self._kwargs = {"eps": epsilon, "axis": axis, "center": center, "scale": scale}
        self._axis = axis
        self._epsilon = epsilon
        self.gamma, self.beta = _gamma_beta(self, in_channels, scale, center, gamma_initializer,
                                            beta_initializer)

    def hybrid_forward(self, F: Any, x: Any, gamma: Any, beta: Any) -> Any:
        if self._axis == 1:
            return F.InstanceNorm(x, gamma, beta, name="fwd", eps=self._epsilon)
        x = x.swapaxes(1, self._axis)
        return F.InstanceNorm(x, gamma, beta, name="fwd",
                              eps=self._epsilon).swapaxes(1, self._axis)

    def __repr__(self) -> str:
        return _norm_repr(self)


class LayerNorm(HybridBlock):
    """Layer normalization (Ba et al., 2016): normalizes each position along one axis.

    ``out = (x - mean) / sqrt(var + epsilon) * gamma + beta``, the mean and variance taken along
    ``axis`` separately for every position of the other axes, so that each sample is normalized on
    its own. ``gamma`` and ``beta`` have one entry per index of ``axis``.

    Parameters
    ----------
    axis : int, default -1
        The axis normalized over.
    epsilon : float, default 1e-5
        Added to the variance before its square root.
    center : bool, default True
        Whether ``beta`` is learned; False keeps it at its initial value.
    scale : bool, default True
        Whether ``gamma`` is learned; False keeps it at its initial value.
    beta_initializer : str or Initializer, default 'zeros'
        Initializer of ``beta``.
    gamma_initializer : str or Initializer, default 'ones'
        Initializer of ``gamma``.
    in_channels : int, default 0
        Size of ``axis``; 0 leaves it to the first forward pass to infer.
    prefix : str, optional
        Prefix of the names of the block and of its parameters.
    params : ParameterDict, optional
        Parameters to share instead of creating new ones.

    Notes
    -----
    The output has the input's shape.
    """

    def __init__(self, axis: int = -1, epsilon: float = 1e-5, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", in_channels: int = 0,
                 prefix: Optional[str] = None, params: Optional[ParameterDict] = None):
        super().__init__(prefix=prefix, params=params)
        self._kwargs = {"eps": epsilon, "axis": axis, "center": center, "scale": scale}
        self._axis = axis
        self._epsilon = epsilon
        self.gamma, self.beta = _gamma_beta(self, in_channels, scale, center, gamma_initializer,
                                            beta_initializer)

    def hybrid_forward(self, F: Any, data: Any, gamma: Any, beta: Any) -> Any:
        return F.LayerNorm(data, gamma=gamma, beta=beta, axis=self._axis, eps=self._epsilon)

    def __repr__(self) -> str:
        return _norm_repr(self)


class GroupNorm(HybridBlock):
    """Group normalization (Wu and He, 2018): normalizes groups of channels of each sample.

    The channels (axis 1) are split into ``num_groups`` equal groups; each group of each sample is
    normalized by the mean and variance over its channels and all spatial positions, then scaled by
    ``gamma`` and shifted by ``beta``. As in MXNet 1.x, ``gamma`` and ``beta`` have one entry per
    *group*, shape ``(num_groups,)``, not one per channel.

    Parameters
    ----------
    num_groups : int, default 1
        Number of groups; it must divide the number of channels.
    epsilon : float, default 1e-5
        Added to the variance before its square root.
    center : bool, default True
        Whether ``beta`` is learned; False keeps it at its initial value.
    scale : bool, default True
        Whether ``gamma`` is learned; False keeps it at its initial value.
    beta_initializer : str or Initializer, default 'zeros'
        Initializer of ``beta``.
    gamma_initializer : str or Initializer, default 'ones'
        Initializer of ``gamma``.
    prefix : str, optional
        Prefix of the names of the block and of its parameters.
    params : ParameterDict, optional
        Parameters to share instead of creating new ones.

    Notes
    -----
    Input ``(N, C, ...)``; the output has its shape.
    """

    def __init__(self, num_groups: int = 1, epsilon: float = 1e-5, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", prefix: Optional[str] = None,
                 params: Optional[ParameterDict] = None):
        super().__init__(prefix=prefix, params=params)
        self._kwargs = {"eps": epsilon, "num_groups": num_groups, "center": center,
                        "scale": scale}
        self._num_groups = num_groups
        self._epsilon = epsilon
        self.gamma, self.beta = _gamma_beta(self, num_groups, scale, center, gamma_initializer,
                                            beta_initializer)

    def hybrid_forward(self, F: Any, data: Any, gamma: Any, beta: Any) -> Any:
        return F.GroupNorm(data, gamma=gamma, beta=beta, num_groups=self._num_groups,
                           eps=self._epsilon)

    def __repr__(self) -> str:
        content = ", ".join([f"{k}={v!r}" for k, v in self._kwargs.items()])
        return f"{self.__class__.__name__}({content})"


class Lambda(Block):
    """Turns a function, or the name of an ``nd`` operator, into a ``Block``.

    Parameters
    ----------
    function : str or callable
        The name of a function of ``mx.nd`` (e.g. ``'tanh'``), or any callable taking the block's
        inputs as positional arguments (``lambda x: nd.LeakyReLU(x, slope=0.1)``). An unknown name
        raises ``AssertionError``, as in MXNet.
    prefix : str, optional
        Prefix of the block's name.

    Notes
    -----
    The block's outputs are whatever the function returns for its inputs.
    """

    def __init__(self, function: "str | Callable", prefix: Optional[str] = None):
        super().__init__(prefix=prefix)
        if isinstance(function, str):
            if not hasattr(nd, function):
                raise AssertionError(f"Function name {function} is not found in ndarray.")
            self._func_impl = getattr(nd, function)
        elif callable(function):
            self._func_impl = function
        else:
            raise ValueError(f"Unrecognized function in lambda: {function} of type "
                             f"{type(function)}")

    def forward(self, *args: Any) -> Any:
        return self._func_impl(*args)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self._func_impl.__name__})"


class HybridLambda(HybridBlock):
    """Turns a function, or the name of an operator, into a ``HybridBlock`` that can be hybridized.

    Parameters
    ----------
    function : str or callable
        The name of an operator of ``mx.nd`` and ``mx.sym`` (e.g. ``'tanh'``), or a
        callable ``function(F, x, *args)`` that computes with ``F`` (``nd`` or ``sym``), e.g.
        ``lambda F, x: F.LeakyReLU(x, slope=0.1)``. An unknown name raises ``AssertionError``, as
        in MXNet.
    prefix : str, optional
        Prefix of the block's name.

    Notes
    -----
    The first input must be an NDArray (or a Symbol while tracing); the outputs are whatever the
    function returns.
    """

    def __init__(self, function: "str | Callable", prefix: Optional[str] = None):
        super().__init__(prefix=prefix)
        if isinstance(function, str):
            if not hasattr(nd, function):
                raise AssertionError(f"Function name {function} is not found in symbol/ndarray.")
            self._func = lambda F, *args: getattr(F, function)(*args)
            self._func_name = function
        elif callable(function):
            self._func = function
            self._func_name = function.__name__
        else:
            raise ValueError(f"Unrecognized function in lambda: {function} of type "
                             f"{type(function)}")

    def hybrid_forward(self, F: Any, x: Any, *args: Any) -> Any:
        return self._func(F, x, *args)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self._func_name})"


class Identity(HybridBlock):
    """A block that returns its input unchanged.

    Useful as the shortcut branch of a residual block (next to the main branch in a
    ``HybridConcurrent``) or as a placeholder where a layer is optional.
    """

    def __init__(self, prefix: Optional[str] = None, params: Optional[ParameterDict] = None):
        super().__init__(prefix=prefix, params=params)

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return x
