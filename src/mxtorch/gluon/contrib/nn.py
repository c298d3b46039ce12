"""Contrib layers: ``Concurrent``, ``HybridConcurrent``, ``SyncBatchNorm`` and the pixel-shuffle
upsamplers (``Identity`` is ``gluon.nn``'s)."""
from __future__ import annotations

from typing import Any, Optional

from ... import ndarray as nd
from ..block import HybridBlock
from ..nn import BatchNorm, HybridSequential, Identity, Sequential

__all__ = ["Concurrent", "HybridConcurrent", "Identity", "SyncBatchNorm", "PixelShuffle1D",
           "PixelShuffle2D", "PixelShuffle3D"]


class Concurrent(Sequential):
    """A container that runs every child on the same input and concatenates their outputs.

    Children are added with ``add``, as in ``Sequential``; their outputs must agree in every axis
    but ``axis``.

    Parameters
    ----------
    axis : int, default -1
        The axis along which the outputs are joined.
    prefix : str, optional
        Prefix of the names of the block and of its parameters.
    params : ParameterDict, optional
        Parameters to share instead of creating new ones.
    """

    def __init__(self, axis: int = -1, prefix: Optional[str] = None, params: Any = None):
        super().__init__(prefix=prefix, params=params)
        self.axis = axis

    def forward(self, x: nd.NDArray) -> nd.NDArray:
        return nd.concat(*[block(x) for block in self._children.values()], dim=self.axis)


class HybridConcurrent(HybridSequential):
    """The hybridizable ``Concurrent``: ``HybridBlock`` children on one input, outputs concatenated.

    Joined along the channel axis it builds Inception-style blocks (parallel branches) and
    DenseNet-style ones (a branch next to an ``Identity``, so the input is kept beside the new
    features).

    Parameters
    ----------
    axis : int, default -1
        The axis along which the outputs are joined.
    prefix : str, optional
        Prefix of the names of the block and of its parameters.
    params : ParameterDict, optional
        Parameters to share instead of creating new ones.

    Examples
    --------
    >>> block = gluon.contrib.nn.HybridConcurrent(axis=1)
    >>> with block.name_scope():
    ...     block.add(nn.Dense(3), nn.Identity())
    >>> block.initialize()
    >>> block(mx.nd.ones((2, 5))).shape
    (2, 8)
    """

    def __init__(self, axis: int = -1, prefix: Optional[str] = None, params: Any = None):
        super().__init__(prefix=prefix, params=params)
        self.axis = axis

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return F.concat(*[block(x) for block in self._children.values()], dim=self.axis)


class SyncBatchNorm(BatchNorm):
    """Batch normalization whose training statistics are those of the whole batch spread over
    ``num_devices`` devices, not of each device's share (``F.contrib.SyncBatchNorm``).

    In mxtorch each device is one process of a torch.distributed group (``torchrun``, ``mxtorch
    launch``): the per-channel sums are all-reduced across it. Parameters and running statistics
    are ``BatchNorm``'s, over channel axis 1.

    Parameters
    ----------
    in_channels : int, default 0
        Number of channels; 0 leaves it to the first forward pass to infer.
    num_devices : int, optional
        How many devices share the batch; by default the size of the torch.distributed group
        (1 without one), with a warning, as MXNet warns when it counts the GPUs itself.
    momentum, epsilon, center, scale, use_global_stats : see ``BatchNorm``
    beta_initializer, gamma_initializer, running_mean_initializer, running_variance_initializer :
        Initializers of the parameters, as for ``BatchNorm``.

    Notes
    -----
    Input ``(N, C, ...)``; the output has its shape.
    """

    def __init__(self, in_channels: int = 0, num_devices: Optional[int] = None, momentum: float = 0.9,
                 epsilon: float = 1e-5, center: bool = True, scale: bool = True,
                 use_global_stats: bool = False, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", running_mean_initializer: Any = "zeros",
                 running_variance_initializer: Any = "ones", **kwargs: Any):
        super().__init__(axis=1, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
                         use_global_stats=use_global_stats, beta_initializer=beta_initializer,
                         gamma_initializer=gamma_initializer,
                         running_mean_initializer=running_mean_initializer,
                         running_variance_initializer=running_variance_initializer,
                         in_channels=in_channels, **kwargs)
        if num_devices is None:
            num_devices = self._get_num_devices()
        self._kwargs = {"eps": epsilon, "momentum": momentum, "fix_gamma": not scale,
                        "use_global_stats": use_global_stats, "ndev": num_devices, "key": self.prefix}

    def _get_num_devices(self) -> int:
        import warnings

        import torch.distributed as dist
        warnings.warn("SyncBatchNorm: num_devices not given; using the size of the torch.distributed "
                      "group (1 without one): set it if not every process shares the batch",
                      UserWarning, stacklevel=3)
        return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1

    def hybrid_forward(self, F: Any, x: Any, gamma: Any, beta: Any, running_mean: Any,
                       running_var: Any) -> Any:
        return F.contrib.SyncBatchNorm(x, gamma, beta, running_mean, running_var, name="fwd",
                                       **self._kwargs)


def _pixel_shuffle(F: Any, x: Any, factors: tuple) -> Any:
    """(N, C * f1 * ... * fd, S1, ..., Sd) -> (N, C, S1 * f1, ..., Sd * fd), with the factors
    taken from the channel axis in the order C, f1, ..., fd (the last varies fastest)."""
    d = len(factors)
    block = 1
    for f in factors:
        block *= f
    keep = (0,) * d
    x = F.reshape(x, (0, -4, -1, block) + keep)                 # (N, C, f1*...*fd, S...)
    for k, f in enumerate(factors[:-1]):                        # split off f1, f2, ... in turn
        block //= f
        x = F.reshape(x, (0, 0) + (0,) * k + (-4, f, block) + keep)
    # (N, C, f1, ..., fd, S1, ..., Sd) -> (N, C, S1, f1, ..., Sd, fd): each size beside its factor
    axes = (0, 1) + tuple(a for i in range(d) for a in (2 + d + i, 2 + i))
    return F.reshape(F.transpose(x, axes), (0, 0) + (-3,) * d)


def _factors(factor: Any, dims: int) -> tuple:
    try:
        return (int(factor),) * dims
    except TypeError:
        factors = tuple(int(f) for f in factor)
        if len(factors) != dims:
            raise ValueError(f"PixelShuffle{dims}D: expected {dims} factors, got {len(factors)}") from None
        return factors


class PixelShuffle1D(HybridBlock):
    """Upsampling by moving channels into the width: (N, C * f, W) becomes (N, C, W * f), the
    ``f`` channels of each output channel interleaved along the width.

    Parameters
    ----------
    factor : int
        The upsampling factor ``f``; the input's channel count must be a multiple of it.

    Examples
    --------
    >>> gluon.contrib.nn.PixelShuffle1D(2)(mx.nd.arange(8).reshape((1, 4, 2))).asnumpy().tolist()
    [[[0.0, 2.0, 1.0, 3.0], [4.0, 6.0, 5.0, 7.0]]]
    """

    def __init__(self, factor: int):
        super().__init__()
        self._factor = int(factor)

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return _pixel_shuffle(F, x, (self._factor,))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._factor})"


class PixelShuffle2D(HybridBlock):
    """Upsampling by moving channels into height and width (sub-pixel convolution's last step):
    (N, C * f1 * f2, H, W) becomes (N, C, H * f1, W * f2).

    Parameters
    ----------
    factor : int or (int, int)
        The factors ``(f1, f2)`` for height and width; one int serves both.

    Examples
    --------
    >>> gluon.contrib.nn.PixelShuffle2D((2, 3))(mx.nd.zeros((1, 12, 4, 5))).shape
    (1, 2, 8, 15)
    """

    def __init__(self, factor: Any):
        super().__init__()
        self._factors = _factors(factor, 2)

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return _pixel_shuffle(F, x, self._factors)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._factors})"


class PixelShuffle3D(HybridBlock):
    """Upsampling by moving channels into depth, height and width: (N, C * f1 * f2 * f3, D, H, W)
    becomes (N, C, D * f1, H * f2, W * f3).

    Parameters
    ----------
    factor : int or (int, int, int)
        The factors for depth, height and width; one int serves all three.

    Examples
    --------
    >>> gluon.contrib.nn.PixelShuffle3D(2)(mx.nd.zeros((1, 16, 2, 3, 4))).shape
    (1, 2, 4, 6, 8)
    """

    def __init__(self, factor: Any):
        super().__init__()
        self._factors = _factors(factor, 3)

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return _pixel_shuffle(F, x, self._factors)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._factors})"
