"""Neural-network operators: dense, convolution, pooling, activations, normalisation, outputs."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..base import MXNetError
from . import _window
from .registry import Bool, Enum, Float, Int, Shape, Str, op

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def _no_bias_inputs(attrs: dict) -> tuple:
    return ("data", "weight") if attrs["no_bias"] else ("data", "weight", "bias")


# -- FullyConnected ------------------------------------------------------------------------------
@op("FullyConnected", inputs=("data", "weight", "bias"),
    attrs={"num_hidden": Int(), "no_bias": Bool(False), "flatten": Bool(True)},
    active_inputs=_no_bias_inputs)
def fully_connected(data, weight, bias=None, *, num_hidden, no_bias, flatten):
    """Applies a linear transformation: :math:`Y = XW^T + b`.

    With ``flatten`` the input is reshaped to (batch_size, -1) first; otherwise the
    transformation applies to the last axis.
    """
    if flatten and data.dim() != 2:
        data = data.reshape(data.shape[0], -1)
    return F.linear(data, weight, bias)


@fully_connected.shape
def _(attrs, data, weight=None, bias=None):
    n = attrs["num_hidden"]
    if data is None:
        return [data, weight, bias][: 2 if attrs["no_bias"] else 3], [None]
    in_units = 1
    for d in (data[1:] if attrs["flatten"] else data[-1:]):
        in_units *= d
    ins = [data, (n, in_units)] + ([] if attrs["no_bias"] else [(n,)])
    out = (data[0], n) if attrs["flatten"] else (*data[:-1], n)
    return ins, [out]


# -- Convolution -------------------------------------------------------------------------------
_CONV_ATTRS = {"kernel": Shape(), "stride": Shape(()), "dilate": Shape(()), "pad": Shape(()),
               "num_filter": Int(), "num_group": Int(1), "workspace": Int(1024),
               "no_bias": Bool(False), "cudnn_tune": Str(None), "cudnn_off": Bool(False),
               "layout": Str(None)}


def _check_layout(name: str, layout, ndim: int) -> None:
    allowed = {None, "NCW", "NCHW", "NCDHW"}
    if layout not in allowed:
        raise MXNetError(f"{name}: layout {layout!r} is not supported; use channel-first "
                         f"(NCW, NCHW, NCDHW)")


@op("Convolution", inputs=("data", "weight", "bias"), attrs=_CONV_ATTRS,
    active_inputs=_no_bias_inputs)
def convolution(data, weight, bias=None, *, kernel, stride, dilate, pad, num_filter, num_group,
                workspace, no_bias, cudnn_tune, cudnn_off, layout):
    """Compute *N*-D convolution on *(N+2)*-D input (NCW, NCHW or NCDHW)."""
    nd = len(kernel)
    _check_layout("Convolution", layout, nd)
    if data.dim() != nd + 2:
        raise MXNetError(f"Convolution: data must be {nd + 2}-D for a {nd}-D kernel, got shape "
                         f"{tuple(data.shape)}")
    return _CONV[nd](data, weight, bias, _window.expand(stride, nd, 1),
                     _window.expand(pad, nd, 0), _window.expand(dilate, nd, 1), num_group)


@convolution.shape
def _(attrs, data, weight=None, bias=None):
    k = attrs["kernel"]
    nd = len(k)
    wshape = bshape = None
    if data is not None:
        if len(data) != nd + 2:
            raise MXNetError(f"Convolution: data must be {nd + 2}-D for kernel {k}, got {data}")
        wshape = (attrs["num_filter"], data[1] // attrs["num_group"], *k)
        bshape = (attrs["num_filter"],)
    ins = [data, weight or wshape] + ([] if attrs["no_bias"] else [bias or bshape])
    if data is None:
        return ins, [None]
    stride, pad = _window.expand(attrs["stride"], nd, 1), _window.expand(attrs["pad"], nd, 0)
    dilate = _window.expand(attrs["dilate"], nd, 1)
    spatial = tuple(_window.conv_out(data[2 + i], k[i], stride[i], pad[i], dilate[i])
                    for i in range(nd))
    return ins, [(data[0], attrs["num_filter"], *spatial)]


# -- Pooling -----------------------------------------------------------------------------------
_MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


@op("Pooling", attrs={"kernel": Shape(()), "pool_type": Enum(("max", "avg", "sum", "lp"), "max"),
                      "global_pool": Bool(False), "cudnn_off": Bool(False),
                      "pooling_convention": Enum(("valid", "full", "same"), "valid"),
                      "stride": Shape(()), "pad": Shape(()), "p_value": Int(None),
                      "count_include_pad": Bool(None), "layout": Str(None)})
def pooling(data, *, kernel, pool_type, global_pool, cudnn_off, pooling_convention, stride, pad,
            p_value, count_include_pad, layout):
    """Performs pooling on the input (max, avg, sum or lp), over windows or globally."""
    nd = data.dim() - 2
    if global_pool:
        kernel, stride, pad = tuple(data.shape[2:]), (1,) * nd, (0,) * nd
    else:
        if len(kernel) != nd:
            raise MXNetError(f"Pooling: kernel {kernel} does not match {nd}-D spatial input of "
                             f"shape {tuple(data.shape)}")
        stride, pad = _window.expand(stride, nd, 1), _window.expand(pad, nd, 0)
    ceil = pooling_convention == "full" and not global_pool
    include_pad = True if count_include_pad is None else count_include_pad
    if pool_type == "max":
        return _MAX_POOL[nd](data, kernel, stride, pad, ceil_mode=ceil)
    if pool_type == "avg":
        return _AVG_POOL[nd](data, kernel, stride, pad, ceil_mode=ceil,
                             count_include_pad=include_pad)
    window = 1
    for k in kernel:
        window *= k
    if pool_type == "sum":
        return _AVG_POOL[nd](data, kernel, stride, pad, ceil_mode=ceil,
                             count_include_pad=True) * window
    p = p_value or 2
    powered = _AVG_POOL[nd](data.abs() ** p, kernel, stride, pad, ceil_mode=ceil,
                            count_include_pad=True) * window
    return powered ** (1.0 / p)


# -- Activation --------------------------------------------------------------------------------
_ACTIVATIONS = {
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softrelu": F.softplus,
    "softsign": F.softsign,
}


@op("Activation", attrs={"act_type": Enum(tuple(_ACTIVATIONS))})
def activation(data, *, act_type):
    """Applies an activation function element-wise to the input
    (relu, sigmoid, tanh, softrelu, softsign)."""
    return _ACTIVATIONS[act_type](data)


# -- Flatten and Dropout -----------------------------------------------------------------------
@op("Flatten", aliases=("flatten",))
def flatten(data):
    """Flattens the input array into a 2-D array by collapsing the higher dimensions."""
    return data.reshape(data.shape[0], -1)


@op("Dropout", attrs={"p": Float(0.5), "mode": Enum(("training", "always"), "training"),
                      "axes": Shape(()), "cudnn_off": Bool(False)}, train_aware=True)
def dropout(data, *, p, mode, axes, cudnn_off, is_train):
    """Applies dropout operation to input array: during training each element is zeroed with
    probability p and the rest are scaled by 1/(1-p); identity at prediction."""
    if not (is_train or mode == "always") or p == 0:
        return data
    if not axes:
        return F.dropout(data, p, training=True)
    mask_shape = [1 if i in axes else d for i, d in enumerate(data.shape)]
    mask = torch.empty(mask_shape, dtype=data.dtype, device=data.device).bernoulli_(1 - p)
    return data * mask / (1 - p)
