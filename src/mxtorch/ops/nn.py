"""Neural-network operators: dense, convolution, pooling, activations, normalisation, embedding."""
from __future__ import annotations

import math
from typing import Any, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from ..base import MXNetError
from . import _window
from .registry import Bool, Enum, Float, Int, Shape, op, same_shape, tied_types

ShapeT = Optional[tuple]


# -- shape helpers shared by the rules below -------------------------------------------------------
def assign_shape(op_name: str, input_name: str, given: ShapeT, expected: ShapeT) -> ShapeT:
    """MXNet's SHAPE_ASSIGN_CHECK: fill an unknown shape (None, or 0 for an unknown dimension) from
    the one the operator determines, or raise if a known one disagrees."""
    if expected is None:
        return given
    expected = tuple(expected)
    if given is None:
        return expected
    given = tuple(given)
    if len(given) != len(expected) or any(g and e and g != e for g, e in zip(given, expected)):
        raise MXNetError(f"{op_name}: shape inconsistent for input '{input_name}': provided "
                         f"{given}, inferred {expected}")
    return tuple(g or e for g, e in zip(given, expected))


def check_shape(op_name: str, input_name: str, tensor: torch.Tensor, expected: Sequence[int]) -> None:
    """Raise MXNetError when an input's shape is not the one the operator's attributes imply."""
    if tuple(tensor.shape) != tuple(expected):
        raise MXNetError(f"{op_name}: shape inconsistent for input '{input_name}': provided "
                         f"{tuple(tensor.shape)}, inferred {tuple(expected)}")


class _NoGradient(torch.autograd.Function):
    """``value`` as an output that depends on ``source`` but passes it a zero gradient."""

    @staticmethod
    def forward(ctx, value: torch.Tensor, source: torch.Tensor) -> torch.Tensor:
        ctx.source = (source.shape, source.dtype, source.device)
        return value.clone()

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple:
        shape, dtype, device = ctx.source
        return None, torch.zeros(shape, dtype=dtype, device=device)


def no_gradient(value: torch.Tensor, source: torch.Tensor) -> torch.Tensor:
    """``value`` (a statistic of ``source``, or ``source`` itself) as an output through which
    ``source`` gets a zero gradient, as MXNet's BlockGrad and the mean/var outputs of its
    normalisation operators do."""
    return _NoGradient.apply(value, source)


def _no_bias_inputs(attrs: dict) -> tuple:
    return ("data", "weight") if attrs["no_bias"] else ("data", "weight", "bias")


def _dims(values: Sequence[int]) -> str:
    """A shape attribute as plot_network's labels write it: ``(5, 5)`` -> ``5x5``."""
    return "x".join(str(v) for v in values)


def _hidden_mean_var(attrs: dict) -> int:
    """MXNet keeps a normalisation's mean and variance (or std) as outputs; hidden unless shown."""
    return 0 if attrs["output_mean_var"] else 2


def _fc_summary(attrs: dict, in_channels: int, out_shape: Optional[tuple]) -> int:
    # MXNet's print_summary counts (input channels + bias) * num_hidden: the size of axis 1 only,
    # so a FullyConnected on 4-D data shows fewer parameters than it has; its figures are kept
    return (in_channels + (0 if attrs["no_bias"] else 1)) * attrs["num_hidden"]


# -- FullyConnected --------------------------------------------------------------------------------
@op("FullyConnected", inputs=("data", "weight", "bias"),
    attrs={"num_hidden": Int(), "no_bias": Bool(False), "flatten": Bool(True)},
    active_inputs=_no_bias_inputs, fresh_outputs=True, learnable=("weight", "bias"),
    plot_label=lambda name, a, given: f"FullyConnected\n{a['num_hidden']}", plot_color="layer",
    summary_params=_fc_summary)
def fully_connected(data, weight, bias=None, *, num_hidden, no_bias, flatten):
    """Dense (fully connected) layer: ``out = data @ weight.T + bias``.

    With ``flatten`` (the default) the data is first reshaped to ``(batch_size, -1)``:

    - **data**: ``(batch_size, d1, ..., dk)``
    - **weight**: ``(num_hidden, d1 * ... * dk)``
    - **bias**: ``(num_hidden,)`` (absent with ``no_bias``)
    - **out**: ``(batch_size, num_hidden)``

    Without it the product is taken along the last axis only: **data** ``(d1, ..., dk, in_units)``,
    **weight** ``(num_hidden, in_units)``, **out** ``(d1, ..., dk, num_hidden)``.
    """
    if flatten:
        data = data.reshape(data.shape[0], -1)
    check_shape("FullyConnected", "weight", weight, (num_hidden, data.shape[-1]))
    if bias is not None:
        check_shape("FullyConnected", "bias", bias, (num_hidden,))
    return F.linear(data, weight, bias)


@fully_connected.shape
def _(attrs, data, weight=None, bias=None):
    n = attrs["num_hidden"]
    if data is None:  # MXNet infers nothing, not even the bias, until the data's shape is known
        return [data, weight, *([] if attrs["no_bias"] else [bias])], [None]
    biases = [] if attrs["no_bias"] else [assign_shape("FullyConnected", "bias", bias, (n,))]
    in_units = 1
    for d in (data[1:] if attrs["flatten"] else data[-1:]):
        in_units *= d
    weight = assign_shape("FullyConnected", "weight", weight, (n, in_units))
    out = (data[0], n) if attrs["flatten"] else (*data[:-1], n)
    return [data, weight, *biases], [out]


# -- Convolution and Deconvolution -----------------------------------------------------------------
_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_DECONV = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
_CHANNEL_FIRST = {1: "NCW", 2: "NCHW", 3: "NCDHW"}
_CHANNEL_LAST = {1: "NWC", 2: "NHWC", 3: "NDHWC"}
_LAYOUTS = (*_CHANNEL_FIRST.values(), *_CHANNEL_LAST.values())
_CUDNN_TUNE = ("off", "limited_workspace", "fastest")


def _conv_attrs(workspace: int, no_bias: bool, transposed: bool = False) -> dict:
    """(De)convolution attributes in MXNet's order; a Deconvolution also has adj and target_shape."""
    extra = {"adj": Shape(()), "target_shape": Shape(())} if transposed else {}
    return {"kernel": Shape(), "stride": Shape(()), "dilate": Shape(()), "pad": Shape(()), **extra,
            "num_filter": Int(), "num_group": Int(1), "workspace": Int(workspace),
            "no_bias": Bool(no_bias), "cudnn_tune": Enum(_CUDNN_TUNE, None, optional=True),
            "cudnn_off": Bool(False), "layout": Enum(_LAYOUTS, None, optional=True)}


class _ConvGeometry:
    """Kernel, stride, dilate and pad of a (de)convolution, checked against the data's rank."""

    def __init__(self, name: str, data_shape: Sequence[int], attrs: dict):
        kernel = tuple(attrs["kernel"])
        nd = len(kernel)
        if nd not in _CONV:
            raise MXNetError(f"{name}: kernel {kernel} must be 1-D, 2-D or 3-D")
        layout = attrs["layout"]
        if layout not in (None, _CHANNEL_FIRST[nd]):
            raise MXNetError(f"{name}: layout {layout!r} is not supported for a {nd}-D kernel; use "
                             f"{_CHANNEL_FIRST[nd]} (channel-last layouts are GPU-only in MXNet)")
        if len(data_shape) != nd + 2:
            raise MXNetError(f"{name}: data must be {nd + 2}-D ({_CHANNEL_FIRST[nd]}) for kernel "
                             f"{kernel}, got shape {tuple(data_shape)}")
        group = attrs["num_group"]
        if group < 1 or data_shape[1] % group or attrs["num_filter"] % group:
            raise MXNetError(f"{name}: num_group {group} must divide the input channels "
                             f"{data_shape[1]} and num_filter {attrs['num_filter']}")
        self.nd, self.kernel = nd, kernel
        self.stride = _window.expand(attrs["stride"], nd, 1, name, "stride")
        self.dilate = _window.expand(attrs["dilate"], nd, 1, name, "dilate")
        self.pad = _window.expand(attrs["pad"], nd, 0, name, "pad")
        for what, value, least in (("kernel", kernel, 1), ("stride", self.stride, 1),
                                   ("dilate", self.dilate, 1), ("pad", self.pad, 0)):
            if min(value) < least:
                raise MXNetError(f"{name}: incorrect {what} size {value}: every entry must be at "
                                 f"least {least}")

    def conv_out(self, data_shape: Sequence[int]) -> tuple:
        """The spatial sizes of a convolution's output for data of ``data_shape``."""
        return tuple(_window.conv_out(data_shape[2 + i], self.kernel[i], self.stride[i], self.pad[i],
                                      self.dilate[i]) for i in range(self.nd))

    def check_fits(self, name: str, data_shape: Sequence[int]) -> None:
        """MXNet refuses a dilated kernel larger than the padded input at shape inference."""
        for i in range(self.nd):
            size, dilated = data_shape[2 + i], self.dilate[i] * (self.kernel[i] - 1) + 1
            if size and dilated > size + 2 * self.pad[i]:
                raise MXNetError(f"{name}: kernel size exceed input: the dilated kernel spans {dilated} "
                                 f"along axis {2 + i}, the padded input {size + 2 * self.pad[i]}")


def _conv_label(name: str, attrs: dict, given: Any) -> str:
    stride = _dims(attrs["stride"]) if "stride" in given else "1"
    return f"Convolution\n{_dims(attrs['kernel'])}/{stride}, {attrs['num_filter']}"


def _conv_summary(attrs: dict, in_channels: int, out_shape: Optional[tuple]) -> int:
    count = in_channels * attrs["num_filter"] // attrs["num_group"] * math.prod(attrs["kernel"])
    return count + (0 if attrs["no_bias"] else attrs["num_filter"])


@op("Convolution", inputs=("data", "weight", "bias"), attrs=_conv_attrs(1024, False),
    active_inputs=_no_bias_inputs, fresh_outputs=True, learnable=("weight", "bias"),
    plot_label=_conv_label, plot_color="layer", summary_params=_conv_summary)
def convolution(data, weight, bias=None, **attrs):
    """1-D, 2-D or 3-D convolution of channel-first data, the kernel's length choosing which.

    - **data**: ``(batch_size, channels, *spatial)``, with 1, 2 or 3 spatial axes
    - **weight**: ``(num_filter, channels // num_group, *kernel)``
    - **bias**: ``(num_filter,)`` (absent with ``no_bias``)
    - **out**: ``(batch_size, num_filter, *out_spatial)``; along each spatial axis a size ``x``
      becomes ``floor((x + 2*pad - dilate*(kernel - 1) - 1) / stride) + 1``.

    ``num_group`` splits the channels and the filters into that many groups, filter group *i*
    seeing channel group *i* only. Channel-last ``layout`` values are refused (MXNet ran them on GPU
    only).
    """
    g = _ConvGeometry("Convolution", data.shape, attrs)
    check_shape("Convolution", "weight", weight,
                (attrs["num_filter"], data.shape[1] // attrs["num_group"], *g.kernel))
    if bias is not None:
        check_shape("Convolution", "bias", bias, (attrs["num_filter"],))
    if _small_compiled_inference(data, weight, g, attrs["num_group"]):
        return _conv2d_as_matmul(data, weight, bias, g)
    return _CONV[g.nd](data, weight, bias, g.stride, g.pad, g.dilate, attrs["num_group"])


# Below these sizes a compiled CPU prediction computes a 2-D convolution as unfold + matmul: at
# LeNet's size for one image, oneDNN's convolution spends about 75 µs per call (mostly preparing
# the weights), the matmul form under a tenth of it.
_MATMUL_CONV_POSITIONS = 4096      # batch size x output positions
_MATMUL_CONV_WEIGHTS = 65536       # weight elements


def _small_compiled_inference(data: torch.Tensor, weight: torch.Tensor, g: _ConvGeometry,
                              groups: int) -> bool:
    if g.nd != 2 or groups != 1 or data.device.type != "cpu" or torch.is_grad_enabled():
        return False
    if not torch.compiler.is_compiling():   # the eager path keeps torch's own convolution
        return False
    out = g.conv_out(data.shape)
    return (data.shape[0] * out[0] * out[1] <= _MATMUL_CONV_POSITIONS
            and weight.numel() <= _MATMUL_CONV_WEIGHTS)


def _conv2d_as_matmul(data: torch.Tensor, weight: torch.Tensor, bias: Optional[torch.Tensor],
                      g: _ConvGeometry) -> torch.Tensor:
    """A 2-D convolution as a matrix product of the filters with the unfolded input windows."""
    n, filters = data.shape[0], weight.shape[0]
    windows = F.unfold(data, g.kernel, dilation=g.dilate, padding=g.pad, stride=g.stride)
    result = weight.reshape(filters, -1) @ windows            # (N, filters, positions)
    if bias is not None:
        result = result + bias.view(1, filters, 1)
    return result.view(n, filters, *g.conv_out(data.shape))


@convolution.shape
def _(attrs, data, weight=None, bias=None):
    n = attrs["num_filter"]
    biases = [] if attrs["no_bias"] else [assign_shape("Convolution", "bias", bias, (n,))]
    if data is None:
        return [data, weight, *biases], [None]
    g = _ConvGeometry("Convolution", data, attrs)
    g.check_fits("Convolution", data)
    weight = assign_shape("Convolution", "weight", weight,
                          (n, data[1] // attrs["num_group"], *g.kernel))
    return [data, weight, *biases], [(data[0], n, *g.conv_out(data))]


def _deconv_pad_adj(g: _ConvGeometry, spatial: Sequence[int], attrs: dict) -> tuple:
    """The padding and output adjustment of a Deconvolution (from ``target_shape`` when set)."""
    target = tuple(attrs["target_shape"])
    if any(target):
        target = _window.expand(target, g.nd, 0, "Deconvolution", "target_shape")
        pairs = [_window.deconv_pad_adj(spatial[i], g.kernel[i], g.stride[i], g.dilate[i], target[i])
                 for i in range(g.nd)]
        pad, adj = tuple(p for p, _ in pairs), tuple(a for _, a in pairs)
    else:
        pad, adj = g.pad, _window.expand(attrs["adj"], g.nd, 0, "Deconvolution", "adj")
    for a, s in zip(adj, g.stride):
        if a >= s:
            raise MXNetError(f"Deconvolution: adj {adj} must be smaller than stride {g.stride}")
    return pad, adj


@op("Deconvolution", inputs=("data", "weight", "bias"),
    attrs=_conv_attrs(512, True, transposed=True),
    active_inputs=_no_bias_inputs, fresh_outputs=True, learnable=("weight", "bias"))
def deconvolution(data, weight, bias=None, **attrs):
    """Transposed convolution (also called fractionally strided): the input gradient of the
    Convolution with the same attributes, used to upsample.

    - **data**: ``(batch_size, channels, *spatial)``, with 1, 2 or 3 spatial axes
    - **weight**: ``(channels, num_filter // num_group, *kernel)``
    - **bias**: ``(num_filter,)`` (only when ``no_bias`` is false, which is not the default)
    - **out**: ``(batch_size, num_filter, *out_spatial)``; along each spatial axis a size ``x``
      becomes ``stride*(x - 1) + dilate*(kernel - 1) + 1 - 2*pad + adj``.

    With ``target_shape`` set, ``pad`` and ``adj`` are derived so that the output has that spatial
    shape.
    """
    g = _ConvGeometry("Deconvolution", data.shape, attrs)
    group = attrs["num_group"]
    check_shape("Deconvolution", "weight", weight,
                (data.shape[1], attrs["num_filter"] // group, *g.kernel))
    if bias is not None:
        check_shape("Deconvolution", "bias", bias, (attrs["num_filter"],))
    pad, adj = _deconv_pad_adj(g, data.shape[2:], attrs)
    return _DECONV[g.nd](data, weight, bias, g.stride, pad, adj, group, g.dilate)


@deconvolution.shape
def _(attrs, data, weight=None, bias=None):
    n = attrs["num_filter"]
    biases = [] if attrs["no_bias"] else [assign_shape("Deconvolution", "bias", bias, (n,))]
    if data is None:
        return [data, weight, *biases], [None]
    g = _ConvGeometry("Deconvolution", data, attrs)
    weight = assign_shape("Deconvolution", "weight", weight,
                          (data[1], n // attrs["num_group"], *g.kernel))
    pad, adj = _deconv_pad_adj(g, data[2:], attrs)
    spatial = tuple(_window.deconv_out(data[2 + i], g.kernel[i], g.stride[i], pad[i], g.dilate[i],
                                       adj[i]) for i in range(g.nd))
    return [data, weight, *biases], [(data[0], n, *spatial)]


# -- Pooling ---------------------------------------------------------------------------------------
_MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


def _sum_pool(data: torch.Tensor, kernel: tuple, stride: tuple) -> torch.Tensor:
    """Exact window sums (no padding): average pooling with a divisor of 1."""
    if len(kernel) == 1:  # avg_pool1d has no divisor_override
        return F.avg_pool2d(data.unsqueeze(-2), (1, *kernel), (1, *stride),
                            divisor_override=1).squeeze(-2)
    return _AVG_POOL[len(kernel)](data, kernel, stride, divisor_override=1)


def _lp_pool(data: torch.Tensor, kernel: tuple, stride: tuple, p: int) -> torch.Tensor:
    """MXNet's Lp pooling: the p-th root of the window sum of x**p (no absolute value)."""
    if p == 1:
        return _sum_pool(data, kernel, stride)
    if p == 2:
        return _sum_pool(data * data, kernel, stride).sqrt()
    powered = _sum_pool(data * data * data, kernel, stride)
    return powered.sign() * powered.abs().pow(1.0 / 3)


def _avg_divisor(spatial: Sequence[int], kernel: tuple, stride: tuple, pad: tuple, out: Sequence[int],
                 include_pad: bool, like: torch.Tensor) -> torch.Tensor:
    """The per-window divisor of average pooling, as a tensor broadcasting over (N, C)."""
    divisor = torch.ones((1, 1) + (1,) * len(kernel), dtype=like.dtype, device=like.device)
    for i, size in enumerate(spatial):
        counts = _window.pool_window_counts(size, kernel[i], stride[i], pad[i], out[i], include_pad)
        shape = [1] * (len(kernel) + 2)
        shape[2 + i] = len(counts)
        divisor = divisor * torch.tensor(counts, dtype=like.dtype, device=like.device).reshape(shape)
    return divisor


def _pool_channel_first(data, kernel, stride, pad, convention, pool_type, p_value, count_include_pad):
    nd = len(kernel)
    spatial = tuple(data.shape[2:])
    out = [_window.pool_out(spatial[i], kernel[i], stride[i], pad[i], convention) for i in range(nd)]
    # explicit padding: left ``pad``, right whatever the convention's last window reaches
    right = [(out[i] - 1) * stride[i] + kernel[i] - spatial[i] - pad[i] for i in range(nd)]
    padded = any(pad) or any(r > 0 for r in right)
    widths = [w for i in reversed(range(nd)) for w in (pad[i], right[i])]
    if pool_type == "max":
        if padded:
            fill = torch.finfo(data.dtype).min if data.is_floating_point() else torch.iinfo(data.dtype).min
            data = F.pad(data, widths, value=fill)
        return _MAX_POOL[nd](data, kernel, stride)
    if padded:
        data = F.pad(data, widths)
    if pool_type == "lp":
        return _lp_pool(data, kernel, stride, p_value)
    if pool_type == "sum":
        return _sum_pool(data, kernel, stride)
    if not padded:
        return _AVG_POOL[nd](data, kernel, stride)
    include = True if count_include_pad is None else count_include_pad
    return _sum_pool(data, kernel, stride) / _avg_divisor(spatial, kernel, stride, pad, out, include,
                                                          data)


def _pool_label(name: str, attrs: dict, given: Any) -> str:
    kernel = _dims(attrs["kernel"]) if "kernel" in given else "[]"
    stride = _dims(attrs["stride"]) if "stride" in given else "1"
    # MXNet's label reads pool_type from the call and fails when it was left to its default
    return f"Pooling\n{attrs['pool_type']}, {kernel}/{stride}"


def _pool_workspace(attrs: dict) -> int:
    """MXNet's oneDNN max pooling (1-3 spatial dims, channels first) keeps a workspace output."""
    return int(attrs["pool_type"] == "max" and 1 <= len(attrs["kernel"]) <= 3
               and attrs["layout"] in (None, *_CHANNEL_FIRST.values()))


@op("Pooling", attrs={"kernel": Shape(()), "pool_type": Enum(("avg", "lp", "max", "sum"), "max"),
                      "global_pool": Bool(False), "cudnn_off": Bool(False),
                      "pooling_convention": Enum(("full", "same", "valid"), "valid"),
                      "stride": Shape(()), "pad": Shape(()), "p_value": Int(None, optional=True),
                      "count_include_pad": Bool(None, optional=True),
                      "layout": Enum(_LAYOUTS, None, optional=True)}, fresh_outputs=True,
    hidden_outputs=_pool_workspace, plot_label=_pool_label, plot_color="pooling")
def pooling(data, *, kernel, pool_type, global_pool, cudnn_off, pooling_convention, stride, pad,
            p_value, count_include_pad, layout):
    """Max, average, sum or Lp pooling over windows of 1, 2 or 3 spatial axes.

    - **data** and **out**: ``(batch_size, channels, *spatial)`` for the channel-first layouts
      (the default), ``(batch_size, *spatial, channels)`` for ``NWC``, ``NHWC``, ``NDHWC``.

    Along each spatial axis a size ``x`` becomes, by ``pooling_convention``: **valid** (the
    default) ``floor((x + 2*pad - kernel) / stride) + 1``; **full** (Caffe's)
    ``ceil((x + 2*pad - kernel) / stride) + 1``; **same** ``ceil(x / stride)``. ``global_pool``
    reduces each feature map to one value, whatever ``kernel``.

    ``pool_type``: **max**; **avg**, where ``count_include_pad`` (default true) decides whether
    padded positions count in the divisor; **sum**; **lp**, the ``p_value``-th root of the window's
    sum of ``x ** p_value`` (``p_value`` 1, 2 or 3, no absolute value taken, as in MXNet).
    """
    nd = data.dim() - 2
    if nd not in _MAX_POOL:
        raise MXNetError(f"Pooling: data must be 3-D, 4-D or 5-D (batch, channel, spatial...), got "
                         f"shape {tuple(data.shape)}")
    if layout is not None and layout not in (_CHANNEL_FIRST[nd], _CHANNEL_LAST[nd]):
        raise MXNetError(f"Pooling: layout {layout!r} does not match {nd + 2}-D data; use "
                         f"{_CHANNEL_FIRST[nd]} or {_CHANNEL_LAST[nd]}")
    channel_last = layout == _CHANNEL_LAST[nd]
    if channel_last:
        data = torch.movedim(data, -1, 1)
    if global_pool:
        kernel, stride, pad, pooling_convention = tuple(data.shape[2:]), (1,) * nd, (0,) * nd, "valid"
    else:
        if len(kernel) != nd:
            raise MXNetError(f"Pooling: kernel {tuple(kernel)} does not match the {nd}-D spatial "
                             f"shape of data {tuple(data.shape)}")
        stride = _window.expand(stride, nd, 1, "Pooling", "stride")
        pad = _window.expand(pad, nd, 0, "Pooling", "pad")
        if any(p >= k for p, k in zip(pad, kernel)):
            raise MXNetError(f"Pooling: pad {pad} must be smaller than kernel {tuple(kernel)}")
        if pooling_convention == "same" and any(pad):
            raise MXNetError("Pooling: the 'same' pooling convention disables the use of pad")
    if pool_type == "lp" and p_value not in (1, 2, 3):
        raise MXNetError(f"Pooling: lp pooling needs p_value 1, 2 or 3, got {p_value}")
    out = _pool_channel_first(data, tuple(kernel), stride, pad, pooling_convention, pool_type,
                              p_value, count_include_pad)
    return torch.movedim(out, 1, -1) if channel_last else out


# -- Activation and LeakyReLU ----------------------------------------------------------------------
_ACTIVATIONS = {
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "softrelu": F.softplus,
    "softsign": F.softsign,
    "tanh": torch.tanh,
}


@op("Activation", attrs={"act_type": Enum(tuple(_ACTIVATIONS))}, fresh_outputs=True,
    plot_label=lambda name, a, given: f"Activation\n{a['act_type']}", plot_color="activation")
def activation(data, *, act_type):
    """Element-wise activation function chosen by ``act_type``.

    - **relu**: ``max(x, 0)``
    - **sigmoid**: ``1 / (1 + exp(-x))``
    - **tanh**: the hyperbolic tangent
    - **softrelu** (softplus): ``log(1 + exp(x))``
    - **softsign**: ``x / (1 + |x|)``
    """
    if not data.is_floating_point():
        raise MXNetError(f"Activation: only floating point types are supported, not {data.dtype}")
    return _ACTIVATIONS[act_type](data)


activation.shape(same_shape)


def _prelu_gamma_shape(gamma: Sequence[int], data: Sequence[int]) -> list:
    """Where PReLU's gamma sits in data's shape (MXNet's expand_shape): its dimensions align from
    the right with the channel axis (1) and the batch axis (0); size-1 dimensions broadcast."""
    result = [1] * len(data)
    s = len(gamma) - 1
    for i in reversed(range(len(data))):
        if s >= 0 and i <= 1 and (data[i] == gamma[s] or gamma[s] == 1):
            result[i] = gamma[s]
            s -= 1
    if s != -1:
        raise MXNetError(f"LeakyReLU: cannot broadcast gamma {tuple(gamma)} to data {tuple(data)}; "
                         f"gamma is one value per channel (axis 1) or a single value")
    return result


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_LAMBDA = 1.0507009873554804934193349852946


class _MXNetSELU(torch.autograd.Function):
    """SELU with MXNet 1.9.1's backward, which for x <= 0 computes lambda * (y + alpha) from the
    output y instead of the derivative y + lambda * alpha."""

    @staticmethod
    def forward(ctx, data: torch.Tensor) -> torch.Tensor:
        out = F.selu(data)
        ctx.save_for_backward(data, out)
        return out

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        data, out = ctx.saved_tensors
        slope = torch.where(data > 0, torch.ones_like(out), out + _SELU_ALPHA)
        return grad * slope * _SELU_LAMBDA


def _rrelu(data: torch.Tensor, lower: float, upper: float, is_train: bool) -> tuple:
    if is_train:
        slope = torch.empty_like(data).uniform_(lower, upper)
    else:
        slope = torch.full_like(data, (lower + upper) / 2)
    return torch.where(data > 0, data, data * slope), slope


@op("LeakyReLU", inputs=("data", "gamma"),
    attrs={"act_type": Enum(("elu", "gelu", "leaky", "prelu", "rrelu", "selu"), "leaky"),
           "slope": Float(0.25), "lower_bound": Float(0.125), "upper_bound": Float(0.334)},
    active_inputs=lambda a: ("data", "gamma") if a["act_type"] == "prelu" else ("data",),
    num_outputs=lambda a: 2 if a["act_type"] == "rrelu" else 1,
    output_names=lambda a: ("output", "mask") if a["act_type"] == "rrelu" else ("output",),
    input_init={"gamma": '["Constant", {"value": 0.25}]'},
    train_aware=True, learnable=("gamma",), plot_color="activation",
    # MXNet writes "Leaky" when the call leaves act_type to its default
    plot_label=lambda name, a, given: f"LeakyReLU\n{a['act_type'] if 'act_type' in given else 'Leaky'}",
    grad_note="act_type='selu' has MXNet 1.9.1's backward: lambda * (y + alpha) for x <= 0, from the "
              "output y, where the derivative is y + lambda * alpha.")
def leaky_relu(data, gamma=None, *, act_type, slope, lower_bound, upper_bound, is_train):
    """The ReLU variants that keep a response for negative inputs, chosen by ``act_type``.

    - **leaky**: ``x`` for ``x > 0``, else ``slope * x``
    - **prelu**: as *leaky*, with the learned slopes ``gamma`` (one, or one per channel)
    - **rrelu**: as *leaky*, with a slope drawn uniformly from ``[lower_bound, upper_bound)`` per
      element in training and their mean otherwise; the drawn slopes are a second output
    - **elu**: ``x`` for ``x > 0``, else ``slope * (exp(x) - 1)``
    - **selu**: ``lambda * x`` for ``x > 0``, else ``lambda * alpha * (exp(x) - 1)``, with the fixed
      constants ``lambda ~ 1.0507`` and ``alpha ~ 1.6733``
    - **gelu**: ``x * Phi(x)`` with ``Phi`` the standard normal distribution function (exact, by
      ``erf``)
    """
    if act_type == "leaky":
        return F.leaky_relu(data, slope)
    if act_type == "prelu":
        gamma = gamma.reshape(_prelu_gamma_shape(gamma.shape, data.shape))
        return torch.where(data > 0, data, gamma * data)
    if act_type == "elu":
        return F.elu(data, slope)
    if act_type == "selu":
        return _MXNetSELU.apply(data)
    if act_type == "gelu":
        return F.gelu(data)
    return _rrelu(data, lower_bound, upper_bound, is_train)


@leaky_relu.shape
def _(attrs, data, gamma=None):
    rrelu = attrs["act_type"] == "rrelu"
    outs = [data, data] if rrelu else [data]
    if attrs["act_type"] != "prelu":
        return [data], outs
    if data is not None:
        if len(data) < 2:
            raise MXNetError(f"LeakyReLU: prelu needs data with a channel axis, got shape {data}")
        gamma = gamma or (data[1],)
        _prelu_gamma_shape(gamma, data)
    return [data, gamma], outs


# -- Flatten and Dropout ---------------------------------------------------------------------------
@op("Flatten", aliases=("flatten",), plot_color="shape")
def flatten(data):
    """Collapses every axis after the first into one: ``(d1, d2, ..., dk)`` becomes
    ``(d1, d2 * ... * dk)``.
    """
    return data.reshape(data.shape[0], -1)


@op("Dropout", attrs={"p": Float(0.5), "mode": Enum(("always", "training"), "training"),
                      "axes": Shape(()), "cudnn_off": Bool(False, optional=True)}, train_aware=True,
    hidden_outputs=1)  # the mask
def dropout(data, *, p, mode, axes, cudnn_off, is_train):
    """Randomly zeroes elements with probability ``p`` and scales the others by ``1 / (1 - p)``.

    The scaling keeps each element's expected value. With ``mode='training'`` (the default) this
    happens only in training mode and the operator is the identity otherwise; ``mode='always'``
    drops in both. ``axes`` lists axes along which one random decision is shared (e.g. whole
    feature maps, or one mask for every time step).
    """
    if not (is_train or mode == "always") or p == 0:
        return data
    if not axes:
        return F.dropout(data, p, training=True)
    if any(not -data.dim() <= a < data.dim() for a in axes):
        raise MXNetError(f"Dropout: axes {tuple(axes)} out of range for data of shape "
                         f"{tuple(data.shape)}")
    shared = {a % data.dim() for a in axes}
    mask_shape = [1 if i in shared else d for i, d in enumerate(data.shape)]
    mask = torch.empty(mask_shape, dtype=data.dtype, device=data.device).bernoulli_(1 - p)
    return data * mask / (1 - p)


# -- normalisation ---------------------------------------------------------------------------------
def _channel_view(vec: torch.Tensor, ndim: int, axis: int = 1) -> torch.Tensor:
    """A per-channel vector shaped to broadcast along ``axis`` of an ``ndim``-D array."""
    shape = [1] * ndim
    shape[axis] = -1
    return vec.reshape(shape)


def _batch_stats(x: torch.Tensor, gamma, beta, eps: float) -> tuple:
    """Training-mode batch normalisation over every axis but 1: (output, mean, biased variance)."""
    channels = x.shape[1]
    mean, var = torch.zeros_like(gamma), torch.ones_like(gamma)
    # momentum 1 makes torch write the batch statistics into mean/var (var unbiased)
    out = torch.batch_norm(x, gamma, beta, mean, var, True, 1.0, eps, torch.backends.cudnn.enabled)
    n = x.numel() // max(channels, 1)
    var = var * ((n - 1) / n) if n > 1 else torch.zeros_like(var)
    return out, mean, var


@op("BatchNorm", inputs=("data", "gamma", "beta", "moving_mean", "moving_var"),
    aux=("moving_mean", "moving_var"),
    attrs={"eps": Float(1e-3), "momentum": Float(0.9), "fix_gamma": Bool(True),
           "use_global_stats": Bool(False), "output_mean_var": Bool(False), "axis": Int(1),
           "cudnn_off": Bool(False), "min_calib_range": Float(None, optional=True),
           "max_calib_range": Float(None, optional=True)},
    num_outputs=lambda a: 3 if a["output_mean_var"] else 1,
    output_names=lambda a: ("output", "mean", "var") if a["output_mean_var"] else ("output",),
    input_init={"moving_mean": '["zero", {}]', "moving_var": '["one", {}]'},
    train_aware=True, learnable=("gamma", "beta"), hidden_outputs=_hidden_mean_var,
    plot_color="normalization",
    # MXNet's print_summary counts gamma and beta from the output's channels, and only with shapes
    summary_params=lambda a, in_channels, out: 2 * out[1] if out is not None else 0)
def batch_norm(data, gamma, beta, moving_mean, moving_var, *, eps, momentum, fix_gamma,
               use_global_stats, output_mean_var, axis, cudnn_off, min_calib_range,
               max_calib_range, is_train):
    """Batch normalization: each channel normalized, then scaled by ``gamma`` and shifted by ``beta``.

    ``out = (data - mean) / sqrt(var + eps) * gamma + beta``, per index of the channel axis
    ``axis``. In training, unless ``use_global_stats``, ``mean`` and ``var`` are the batch's (the
    variance biased, divided by the count) and the auxiliary states are updated in place:
    ``moving = moving * momentum + batch * (1 - momentum)`` for the mean and the variance. Otherwise
    ``moving_mean`` and ``moving_var`` are used.

    With ``fix_gamma`` gamma is set to 1 in place (as MXNet does) and gets a zero gradient.
    ``output_mean_var`` adds two outputs, the mean and the inverse standard deviation
    ``1 / sqrt(var + eps)``, through which no gradient flows.
    """
    ndim = data.dim()
    if not -ndim <= axis < ndim or ndim < 2:
        raise MXNetError(f"BatchNorm: channel axis {axis} is out of range for data of shape "
                         f"{tuple(data.shape)}")
    axis %= ndim
    x = data if axis == 1 else torch.movedim(data, axis, 1)
    for name, vec in (("gamma", gamma), ("beta", beta), ("moving_mean", moving_mean),
                      ("moving_var", moving_var)):
        check_shape("BatchNorm", name, vec, (x.shape[1],))
    if fix_gamma and is_train:  # MXNet sets a fixed gamma to 1 in place, in training only
        with torch.no_grad():
            gamma.fill_(1)
    weight = no_gradient(torch.ones_like(gamma), gamma) if fix_gamma else gamma
    if is_train and not use_global_stats:
        out, mean, var = _batch_stats(x, weight, beta, eps)
        with torch.no_grad():
            moving_mean.mul_(momentum).add_(mean, alpha=1 - momentum)
            moving_var.mul_(momentum).add_(var, alpha=1 - momentum)
    else:
        out = torch.batch_norm(x, weight, beta, moving_mean, moving_var, False, 0.0, eps,
                               torch.backends.cudnn.enabled)
        mean, var = moving_mean, moving_var
    if axis != 1:
        out = torch.movedim(out, 1, axis)
    if not output_mean_var:
        return out
    return out, no_gradient(mean, data), no_gradient(torch.rsqrt(var + eps), data)


@batch_norm.shape
def _(attrs, data, gamma=None, beta=None, moving_mean=None, moving_var=None):
    n_out = 3 if attrs["output_mean_var"] else 1
    params = [gamma, beta, moving_mean, moving_var]
    if data is None:
        return [data, *params], [None] * n_out
    axis = attrs["axis"]
    if not -len(data) <= axis < len(data) or len(data) < 2:
        raise MXNetError(f"BatchNorm: channel axis {axis} is out of range for data shape {data}")
    c = (data[axis],)
    names = ("gamma", "beta", "moving_mean", "moving_var")
    params = [assign_shape("BatchNorm", name, s, c) for name, s in zip(names, params)]
    return [data, *params], [data, c, c][:n_out]


@batch_norm.types
def _(attrs, names, in_types, out_types):
    # float16 data keeps float32 gamma, beta and moving statistics (MXNet's accumulation type)
    def expected(name: str, shared: Any) -> Any:
        return np.float32 if name != "data" and shared == np.float16 else shared

    return tied_types(names, in_types, out_types, expected=expected)


def _gamma_beta_rule(op_name: str, param_shape, n_stats: int = 0, stat_shape=None):
    """Shape rule for a normalisation whose gamma and beta have a shape determined by data."""
    def rule(attrs, data, gamma=None, beta=None):
        n_out = 1 + (n_stats if attrs.get("output_mean_var") else 0)
        if data is None:
            return [data, gamma, beta], [None] * n_out
        p = param_shape(attrs, data)
        gamma = assign_shape(op_name, "gamma", gamma, p)
        beta = assign_shape(op_name, "beta", beta, p)
        stats = [stat_shape(attrs, data)] * (n_out - 1) if n_out > 1 else []
        return [data, gamma, beta], [data, *stats]
    return rule


def _norm_axis(op_name: str, axis: int, ndim: int) -> int:
    if not -ndim <= axis < ndim:
        raise MXNetError(f"{op_name}: axis {axis} is out of range for {ndim}-D data")
    return axis % ndim


@op("LayerNorm", inputs=("data", "gamma", "beta"),
    attrs={"axis": Int(-1), "eps": Float(1e-5), "output_mean_var": Bool(False)},
    num_outputs=lambda a: 3 if a["output_mean_var"] else 1,
    output_names=lambda a: ("output", "mean", "std") if a["output_mean_var"] else ("output",),
    hidden_outputs=_hidden_mean_var, learnable=("gamma", "beta"))
def layer_norm(data, gamma, beta, *, axis, eps, output_mean_var):
    """Layer normalization: the input normalized along one axis, then scaled and shifted.

    ``out = (data - mean) / sqrt(var + eps) * gamma + beta``, with the mean and variance taken along
    ``axis`` (default the last) for every position of the other axes; ``gamma`` and ``beta`` have
    that axis's length. ``output_mean_var`` adds the mean and ``sqrt(var + eps)`` as outputs (with
    ``axis`` kept at size 1), through which no gradient flows.
    """
    axis = _norm_axis("LayerNorm", axis, data.dim())
    for name, vec in (("gamma", gamma), ("beta", beta)):
        check_shape("LayerNorm", name, vec, (data.shape[axis],))
    x = data if axis == data.dim() - 1 else torch.movedim(data, axis, -1)
    out = F.layer_norm(x, (x.shape[-1],), gamma, beta, eps)
    if axis != data.dim() - 1:
        out = torch.movedim(out, -1, axis)
    if not output_mean_var:
        return out
    with torch.no_grad():
        var, mean = torch.var_mean(data, dim=axis, keepdim=True, correction=0)
    return out, no_gradient(mean, data), no_gradient((var + eps).sqrt(), data)


layer_norm.shape(_gamma_beta_rule(
    "LayerNorm", lambda a, d: (d[_norm_axis("LayerNorm", a["axis"], len(d))],), 2,
    lambda a, d: tuple(1 if i == _norm_axis("LayerNorm", a["axis"], len(d)) else s
                       for i, s in enumerate(d))))


@op("InstanceNorm", inputs=("data", "gamma", "beta"), attrs={"eps": Float(1e-3)},
    hidden_outputs=2, learnable=("gamma", "beta"))  # MXNet keeps the mean and std
def instance_norm(data, gamma, beta, *, eps):
    """Instance normalization: each channel of each sample normalized over its spatial axes.

    ``out = (x - mean) / sqrt(var + eps) * gamma + beta``, the statistics taken over the axes after
    the first two of data of rank 3 or more; ``gamma`` and ``beta`` have one entry per channel
    (axis 1).
    """
    if data.dim() < 3:
        raise MXNetError(f"InstanceNorm only supports input tensors of rank >= 3, got shape "
                         f"{tuple(data.shape)}")
    for name, vec in (("gamma", gamma), ("beta", beta)):
        check_shape("InstanceNorm", name, vec, (data.shape[1],))
    return F.instance_norm(data, weight=gamma, bias=beta, eps=eps)


instance_norm.shape(_gamma_beta_rule("InstanceNorm", lambda a, d: (d[1],)))


@op("GroupNorm", inputs=("data", "gamma", "beta"),
    attrs={"num_groups": Int(1), "eps": Float(1e-5), "output_mean_var": Bool(False)},
    num_outputs=lambda a: 3 if a["output_mean_var"] else 1,
    output_names=lambda a: ("output", "mean", "std") if a["output_mean_var"] else ("output",),
    hidden_outputs=_hidden_mean_var, learnable=("gamma", "beta"))
def group_norm(data, gamma, beta, *, num_groups, eps, output_mean_var):
    """Group normalization: channels normalized in groups, per sample.

    The channels (axis 1) are split into ``num_groups`` equal groups; each group of each sample is
    normalized by the mean and variance of its channels over all spatial positions, then scaled by
    ``gamma`` and shifted by ``beta``, which have one entry per group, shape ``(num_groups,)``, as
    in MXNet 1.x. ``output_mean_var`` adds the per-group mean and ``sqrt(var + eps)``, shape
    ``(batch_size, num_groups)``, as outputs through which no gradient flows.
    """
    channels = data.shape[1] if data.dim() >= 2 else 0
    if data.dim() < 2 or num_groups < 1 or channels % num_groups:
        raise MXNetError(f"GroupNorm: num_groups {num_groups} must divide the channels (axis 1) of "
                         f"data of shape {tuple(data.shape)}")
    for name, vec in (("gamma", gamma), ("beta", beta)):
        check_shape("GroupNorm", name, vec, (num_groups,))
    per_group = channels // num_groups
    out = F.group_norm(data, num_groups, gamma.repeat_interleave(per_group),
                       beta.repeat_interleave(per_group), eps)
    if not output_mean_var:
        return out
    with torch.no_grad():
        var, mean = torch.var_mean(data.reshape(data.shape[0], num_groups, -1), dim=-1,
                                   correction=0)
    return out, no_gradient(mean, data), no_gradient((var + eps).sqrt(), data)


group_norm.shape(_gamma_beta_rule("GroupNorm", lambda a, d: (a["num_groups"],), 2,
                                  lambda a, d: (d[0], a["num_groups"])))


# -- softmax family --------------------------------------------------------------------------------
_SOFTMAX_DTYPES = ("float16", "float32", "float64")
_SOFTMAX_ATTRS = {"axis": Int(-1), "temperature": Float(None, optional=True),
                  "dtype": Enum(_SOFTMAX_DTYPES, None, optional=True),
                  "use_length": Bool(False, optional=True)}


def _scaled(data: torch.Tensor, temperature, dtype) -> torch.Tensor:
    if dtype is not None:
        data = data.to(getattr(torch, dtype))
    if temperature is not None and temperature != 1.0:
        data = data / temperature
    return data


def _length_mask(data: torch.Tensor, length: torch.Tensor, axis: int) -> torch.Tensor:
    """True where a position along ``axis`` lies within its row's ``length``."""
    axis %= data.dim()
    if length.is_floating_point():
        raise MXNetError(f"softmax: length must have an integer type, not {length.dtype}")
    if tuple(length.shape) != tuple(data.shape[:axis] + data.shape[axis + 1:]):
        raise MXNetError(f"softmax: length of shape {tuple(length.shape)} must have data's shape "
                         f"{tuple(data.shape)} without axis {axis}")
    positions = _channel_view(torch.arange(data.shape[axis], device=data.device), data.dim(), axis)
    return positions < length.unsqueeze(axis).to(torch.int64)


@op("softmax", inputs=("data", "length"), attrs=_SOFTMAX_ATTRS,
    active_inputs=lambda a: ("data", "length") if a["use_length"] else ("data",),
    untied_inputs=("length",))
def softmax(data, length=None, *, axis, temperature, dtype, use_length):
    """Softmax along ``axis``: ``exp(x / t)`` normalized to sum to 1, so every output is in (0, 1).

    ``t`` is ``temperature`` (1 when not given); ``dtype`` sets the type of the result and of the
    computation. With ``use_length`` only the first ``length`` positions of each slice along
    ``axis`` take part and the others output 0.
    """
    x = _scaled(data, temperature, dtype)
    if length is None:
        return torch.softmax(x, axis)
    mask = _length_mask(x, length, axis)
    return torch.softmax(x.masked_fill(~mask, float("-inf")), axis).masked_fill(~mask, 0)


@softmax.shape
def _(attrs, data, length=None):
    if data is None or not attrs["use_length"]:
        return [data, length][: 2 if attrs["use_length"] else 1], [data]
    axis = _norm_axis("softmax", attrs["axis"], len(data))
    return [data, assign_shape("softmax", "length", length, data[:axis] + data[axis + 1:])], [data]


@op("log_softmax", attrs=_SOFTMAX_ATTRS)
def log_softmax(data, *, axis, temperature, dtype, use_length):
    """The logarithm of the softmax along ``axis``, computed in one stable step.

    ``temperature`` and ``dtype`` act as in softmax.
    """
    if use_length:
        raise MXNetError("log_softmax: use_length is not supported (log_softmax takes no length "
                         "input)")
    return torch.log_softmax(_scaled(data, temperature, dtype), axis)


@op("softmin", attrs=_SOFTMAX_ATTRS)
def softmin(data, *, axis, temperature, dtype, use_length):
    """Softmin along ``axis``: the softmax of ``-x``, so that the smallest inputs weigh most.

    ``temperature`` and ``dtype`` act as in softmax.
    """
    if use_length:
        raise MXNetError("softmin: use_length is not supported (softmin takes no length input)")
    return torch.softmax(-_scaled(data, temperature, dtype), axis)


class _InstanceSoftmax(torch.autograd.Function):
    """Softmax over the last axis with MXNet's SoftmaxActivation backward, which always reduces
    over axis 1 (the two agree on 2-D input)."""

    @staticmethod
    def forward(ctx, data: torch.Tensor) -> torch.Tensor:
        out = torch.softmax(data, -1)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        out, = ctx.saved_tensors
        return out * (grad - (grad * out).sum(1, keepdim=True))


@op("SoftmaxActivation", attrs={"mode": Enum(("channel", "instance"), "instance")})
def softmax_activation(data, *, mode):
    """Softmax as a layer (MXNet's legacy SoftmaxActivation; ``softmax`` is the general form).

    With ``mode='instance'`` (the default) the softmax is over the last axis, MXNet flattening the
    input to 2-D first; with ``mode='channel'`` it is over axis 1 at every position. As in MXNet,
    the backward pass always reduces over axis 1 (the same thing for 2-D input).
    """
    if mode == "channel":
        if data.dim() < 3:
            raise MXNetError(f"SoftmaxActivation: channel mode needs data of rank >= 3, got shape "
                             f"{tuple(data.shape)}")
        return torch.softmax(data, 1)
    return _InstanceSoftmax.apply(data) if data.dim() > 2 else torch.softmax(data, -1)


# -- Embedding -------------------------------------------------------------------------------------
_EMBED_DTYPES = ("bfloat16", "float16", "float32", "float64", "int32", "int64", "int8", "uint8")


@op("Embedding", inputs=("data", "weight"),
    attrs={"input_dim": Int(), "output_dim": Int(), "dtype": Enum(_EMBED_DTYPES, "float32"),
           "sparse_grad": Bool(False)},
    untied_inputs=("data",), learnable=("weight",),
    summary_params=lambda a, in_channels, out: a["input_dim"] * a["output_dim"])
def embedding(data, weight, *, input_dim, output_dim, dtype, sparse_grad):
    """Looks up rows of ``weight``: index ``i`` becomes the vector ``weight[i]``.

    - **data**: ``(d1, ..., dK)`` indices, of any dtype; out-of-range indices are clipped
    - **weight**: ``(input_dim, output_dim)``
    - **out**: ``(d1, ..., dK, output_dim)``

    Only ``weight`` receives a gradient. ``sparse_grad`` asks for a row-sparse gradient as in MXNet;
    mxtorch accepts it and computes the gradient densely.
    """
    check_shape("Embedding", "weight", weight, (input_dim, output_dim))
    index = data.detach().to(torch.int64).clamp_(0, input_dim - 1)
    return F.embedding(index, weight)


@embedding.shape
def _(attrs, data, weight=None):
    weight = assign_shape("Embedding", "weight", weight, (attrs["input_dim"], attrs["output_dim"]))
    return [data, weight], [None if data is None else (*data, attrs["output_dim"])]


# -- UpSampling, Pad and LRN -----------------------------------------------------------------------
def _bilinear_attrs(scale: int, channels: int) -> dict:
    """The Deconvolution that MXNet's bilinear UpSampling is: a grouped, per-channel kernel."""
    return {"kernel": (2 * scale - scale % 2,) * 2, "stride": (scale, scale),
            "pad": (scale // 2,) * 2, "dilate": (), "adj": (), "target_shape": (),
            "num_filter": channels, "num_group": channels, "workspace": 512, "no_bias": True,
            "cudnn_tune": None, "cudnn_off": False, "layout": None}


@op("UpSampling", attrs={"scale": Int(), "num_filter": Int(0),
                         "sample_type": Enum(("bilinear", "nearest")),
                         "multi_input_mode": Enum(("concat", "sum"), "concat"), "num_args": Int(),
                         "workspace": Int(512)},
    variadic="num_args")
def upsampling(*data, scale, num_filter, sample_type, multi_input_mode, num_args, workspace):
    """Enlarges the spatial axes of NCHW data by the integer factor ``scale``.

    ``sample_type`` picks the method:

    - **nearest**: each input is repeated ``scale`` times along height and width (to the first
      input's size times ``scale``); several inputs are concatenated along the channels
      (``multi_input_mode='concat'``) or summed.
    - **bilinear**: the inputs are ``data`` and a ``weight`` of shape
      ``(num_filter, 1, 2*scale - scale % 2, 2*scale - scale % 2)``, usually set by
      ``init.Bilinear``; the output is a per-channel Deconvolution with stride ``scale``, and
      ``num_filter`` must equal the data's channels.
    """
    if len(data) != num_args:
        raise MXNetError(f"UpSampling: num_args is {num_args} but {len(data)} inputs were given")
    for x in data:
        if x.dim() != 4:
            raise MXNetError(f"UpSampling: inputs must be 4-D (NCHW), got shape {tuple(x.shape)}")
    if sample_type == "bilinear":
        if num_args != 2:
            raise MXNetError("UpSampling: bilinear takes two inputs, data and weight")
        return deconvolution(data[0], data[1], **_bilinear_attrs(scale, num_filter))
    height, width = data[0].shape[2] * scale, data[0].shape[3] * scale
    outs = []
    for x in data:
        if height % x.shape[2] or width % x.shape[3] or height // x.shape[2] != width // x.shape[3]:
            raise MXNetError(f"UpSampling: input of shape {tuple(x.shape)} cannot be upsampled to "
                             f"{height}x{width} by an integer scale")
        factor = height // x.shape[2]
        outs.append(x.repeat_interleave(factor, 2).repeat_interleave(factor, 3))
    if multi_input_mode == "sum":
        return torch.stack(outs).sum(0) if len(outs) > 1 else outs[0]
    return torch.cat(outs, 1) if len(outs) > 1 else outs[0]


@upsampling.shape
def _(attrs, *shapes):
    shapes = list(shapes)
    if not shapes or shapes[0] is None:
        return shapes, [None]
    data, scale = shapes[0], attrs["scale"]
    if attrs["sample_type"] == "bilinear":
        kernel = 2 * scale - scale % 2
        shapes[1] = assign_shape("UpSampling", "weight", shapes[1],
                                 (attrs["num_filter"], 1, kernel, kernel))
        return shapes, [(data[0], data[1], data[2] * scale, data[3] * scale)]
    if any(s is None for s in shapes):
        return shapes, [None]
    channels = data[1] if attrs["multi_input_mode"] == "sum" else sum(s[1] for s in shapes)
    return shapes, [(data[0], channels, data[2] * scale, data[3] * scale)]


_PAD_MODES = {"constant": "constant", "edge": "replicate", "reflect": "reflect"}


@op("Pad", aliases=("pad",),
    attrs={"mode": Enum(tuple(_PAD_MODES)), "pad_width": Shape(), "constant_value": Float(0.0)})
def pad(data, *, mode, pad_width, constant_value):
    """Pads the spatial axes of 4-D or 5-D data with a constant, the edge values or their mirror.

    ``pad_width`` holds, for every axis in order, the count added before and after it:
    ``(before_1, after_1, ..., before_N, after_N)``; the pairs of the first two axes (batch and
    channel) must be zero. ``mode`` is **constant** (filled with ``constant_value``), **edge** (the
    border value repeated) or **reflect** (the values next to the border, mirrored).
    """
    ndim = data.dim()
    if ndim not in (4, 5):
        raise MXNetError(f"Pad: only 4-D and 5-D input arrays are supported, got shape "
                         f"{tuple(data.shape)}")
    if len(pad_width) != 2 * ndim or any(pad_width[:4]):
        raise MXNetError(f"Pad: pad_width {tuple(pad_width)} must have {2 * ndim} entries (two per "
                         f"axis) and not pad the first two axes")
    widths = [w for axis in reversed(range(2, ndim)) for w in pad_width[2 * axis: 2 * axis + 2]]
    if mode == "reflect" and any(max(pad_width[2 * a: 2 * a + 2]) >= data.shape[a] for a in range(ndim)):
        raise MXNetError(f"Pad: reflection padding {tuple(pad_width)} must be smaller than the input "
                         f"size {tuple(data.shape)} along each axis")
    if mode == "constant":
        return F.pad(data, widths, value=constant_value)
    return F.pad(data, widths, mode=_PAD_MODES[mode])


@op("LRN", attrs={"alpha": Float(1e-4), "beta": Float(0.75), "knorm": Float(2.0), "nsize": Int()},
    hidden_outputs=1)  # the normalising sums
def lrn(data, *, alpha, beta, knorm, nsize):
    """Local response normalization across channels (the AlexNet layer).

    Each value is divided by a power of the activity of its neighbouring channels at the same
    position: ``out = x / (knorm + alpha / nsize * S) ** beta``, where ``S`` is the sum of the
    squares over the ``nsize`` channels centred on the value's own.
    """
    return F.local_response_norm(data, nsize, alpha, beta, knorm)
