"""Less common layer operators: ``L2Normalization``, ``SVMOutput``, ``IdentityAttachKLSparseReg``,
``fill_element_0index``, ``cumsum``, and the legacy ``BatchNorm_v1``, ``Convolution_v1`` and
``Pooling_v1``, which run the current operators' implementations under their older attribute sets.
"""
from __future__ import annotations

import math
from typing import Any

import torch

from ..base import MXNetError
from .loss import _output_layer
from .nn import (_conv_attrs, _hidden_mean_var, _no_bias_inputs, assign_shape, batch_norm,
                 convolution, pooling)
from .registry import Bool, DType, Enum, Float, Int, Shape, numpy_type, op, same_shape
from .tensor import dtype_in


# -- L2Normalization -----------------------------------------------------------------------------------
@op("L2Normalization", attrs={"eps": Float(1e-10),
                              "mode": Enum(("channel", "instance", "spatial"), "instance")},
    hidden_outputs=1, fresh_outputs=True)
def l2_normalization(data, *, eps, mode):
    """Divide the input by its L2 norm, ``out = data / sqrt(sum(data**2) + eps)``, the sum taken
    over each instance (``mode='instance'``: every axis but the first), each channel of each
    instance (``'channel'``: axis 1) or each position across the channels (``'spatial'``: the
    axes after the second)."""
    if mode == "instance":
        dims = tuple(range(1, data.dim()))
    elif data.dim() < 3 and mode == "spatial" or data.dim() < 2:
        raise MXNetError(f"L2Normalization: mode '{mode}' needs data of at least "
                         f"{3 if mode == 'spatial' else 2} dimensions, got shape {tuple(data.shape)}")
    elif mode == "channel":
        dims = (1,)
    else:
        dims = tuple(range(2, data.dim()))
    if not dims:  # 1-D data: one norm over all
        dims = (0,)
    norm = torch.sqrt(torch.sum(data * data, dim=dims, keepdim=True) + eps)
    return data / norm


l2_normalization.shape(same_shape)


# -- SVMOutput -------------------------------------------------------------------------------------------
def _svm_grad(margin: float, coef: float, linear: bool):
    def grad(out: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        x = out.reshape(out.shape[0], -1)
        is_label = torch.arange(x.shape[1], device=x.device) == label.reshape(-1, 1).to(torch.int64)
        # the signed score: the label's own, the others' negated; the hinge is active below margin
        signed = torch.where(is_label, x, -x)
        active = (margin > signed).to(x.dtype)
        sign = torch.where(is_label, -1.0, 1.0).to(x.dtype)
        slope = active if linear else 2 * (margin - signed) * active
        return (sign * slope * coef).reshape(out.shape)
    return grad


@op("SVMOutput", inputs=("data", "label"),
    attrs={"margin": Float(1.0), "regularization_coefficient": Float(1.0), "use_linear": Bool(False)},
    untied_inputs=("label",), plot_color="other",
    grad_note="as an output layer, the gradient ignores the head gradient: data receives the "
              "hinge loss's gradient (squared hinge unless use_linear), label none")
def svm_output(data, label, *, margin, regularization_coefficient, use_linear):
    """Support vector machine output layer: forward passes ``data`` (``(batch, classes)``)
    through; backward sends the gradient of the one-vs-all hinge loss at ``margin`` to data,
    scaled by ``regularization_coefficient`` (L1-SVM with ``use_linear``, else L2-SVM)."""
    if label.numel() != data.shape[0]:
        raise MXNetError(f"SVMOutput: label must hold one class per row of data "
                         f"{tuple(data.shape)}, got shape {tuple(label.shape)}")
    return _output_layer(data, label, lambda x: x.clone(),
                         _svm_grad(margin, regularization_coefficient, use_linear))


@svm_output.shape
def _(attrs, data, label=None):
    if data is None:
        return [data, label], [None]
    return [data, assign_shape("SVMOutput", "label", label, (data[0],))], [data]


# -- IdentityAttachKLSparseReg ---------------------------------------------------------------------------
class _KLSparseReg(torch.autograd.Function):
    """Identity forward; backward updates the moving average of the mean activation and adds the
    KL sparseness penalty's gradient to the head gradient."""

    @staticmethod
    def forward(ctx: Any, data: torch.Tensor, moving_avg: torch.Tensor, target: float, penalty: float,
                momentum: float) -> torch.Tensor:
        ctx.save_for_backward(data)
        ctx.moving_avg, ctx.params = moving_avg, (target, penalty, momentum)
        return data.clone()

    @staticmethod
    def backward(ctx: Any, head: torch.Tensor) -> tuple:
        (data,) = ctx.saved_tensors
        target, penalty, momentum = ctx.params
        avg = ctx.moving_avg
        with torch.no_grad():
            dims = [d for d in range(data.dim()) if d != 1]
            avg.mul_(momentum).add_(data.mean(dim=dims), alpha=1 - momentum)
            shape = [1] * data.dim()
            shape[1] = -1
            a = avg.reshape(shape)
            grad = head + penalty * (-target / a + (1 - target) / (1 - a))
        return grad, None, None, None, None


@op("IdentityAttachKLSparseReg", inputs=("data", "moving_avg"),
    attrs={"sparseness_target": Float(0.1), "penalty": Float(0.001), "momentum": Float(0.9)},
    aux=("moving_avg",), input_init={"moving_avg": '["zero", {}]'}, fresh_outputs=True,
    grad_note="the backward pass, not the forward, updates moving_avg (the running mean "
              "activation per channel, axis 1) and adds penalty * (-target / avg + (1 - target) / "
              "(1 - avg)) to the head gradient, as MXNet does")
def identity_attach_kl_sparse_reg(data, moving_avg, *, sparseness_target, penalty, momentum):
    """Identity, with a KL-divergence sparseness regulariser for the output of a sigmoid attached
    to the backward pass: the mean activation of each channel (axis 1), kept as the auxiliary
    state ``moving_avg`` with ``momentum``, is pulled towards ``sparseness_target``."""
    if data.dim() < 2 or tuple(moving_avg.shape) != (data.shape[1],):
        raise MXNetError(f"IdentityAttachKLSparseReg: moving_avg must have shape "
                         f"({data.shape[1] if data.dim() > 1 else '?'},) for data of shape "
                         f"{tuple(data.shape)}, got {tuple(moving_avg.shape)}")
    return _KLSparseReg.apply(data, moving_avg, sparseness_target, penalty, momentum)


@identity_attach_kl_sparse_reg.shape
def _(attrs, data, moving_avg=None):
    if data is None:
        return [data, moving_avg], [None]
    avg = assign_shape("IdentityAttachKLSparseReg", "moving_avg", moving_avg, (data[1],))
    return [data, avg], [data]


# -- fill_element_0index and cumsum ----------------------------------------------------------------------
@op("fill_element_0index", inputs=("lhs", "mhs", "rhs"), untied_inputs=("rhs",),
    fresh_outputs=True)
def fill_element_0index(lhs, mhs, rhs):
    """A copy of the matrix ``lhs`` with one element of each row replaced: row ``i``'s column
    ``rhs[i]`` (0-based) takes ``mhs[i]``. Not differentiable, as in MXNet."""
    if lhs.dim() != 2 or tuple(mhs.shape) != (lhs.shape[0],) or tuple(rhs.shape) != (lhs.shape[0],):
        raise MXNetError(f"fill_element_0index: expected lhs (n, m) with mhs and rhs of shape (n,), "
                         f"got {tuple(lhs.shape)}, {tuple(mhs.shape)}, {tuple(rhs.shape)}")
    columns = rhs.detach().to(torch.int64)
    if bool(((columns < 0) | (columns >= lhs.shape[1])).any()):
        raise MXNetError(f"fill_element_0index: indices {columns.tolist()} out of range for "
                         f"{lhs.shape[1]} columns")
    with torch.no_grad():
        out = lhs.detach().clone()
        out[torch.arange(lhs.shape[0], device=lhs.device), columns] = mhs.detach().to(lhs.dtype)
    return out


@fill_element_0index.shape
def _(attrs, lhs, mhs=None, rhs=None):
    if lhs is None:
        return [lhs, mhs, rhs], [None]
    n = (lhs[0],)
    return [lhs, assign_shape("fill_element_0index", "mhs", mhs, n),
            assign_shape("fill_element_0index", "rhs", rhs, n)], [lhs]


_CUMSUM_TYPES = ("float16", "float32", "float64", "int32", "int64", "int8")


@op("_np_cumsum", inputs=("a",), aliases=("cumsum",),
    attrs={"axis": Int(None, optional=True), "dtype": DType(None)}, fresh_outputs=True)
def cumsum(a, *, axis, dtype):
    """The cumulative sum of the elements along ``axis`` (of the flattened array when ``axis`` is
    None), accumulated and returned in ``dtype`` (default: the input's type)."""
    out_type = a.dtype if dtype is None else dtype_in("cumsum", dtype, _CUMSUM_TYPES)
    if axis is None:
        a, axis = a.reshape(-1), 0
    elif not -a.dim() <= axis < max(a.dim(), 1):
        raise MXNetError(f"cumsum: axis {axis} is out of range for {a.dim()}-D data")
    return torch.cumsum(a, dim=axis, dtype=out_type)


@cumsum.shape
def _(attrs, a):
    if a is None:
        return [a], [None]
    return [a], [tuple(a) if attrs["axis"] is not None else (math.prod(a),)]


@cumsum.types
def _(attrs, names, in_types, out_types):
    out = numpy_type(attrs["dtype"]) if attrs["dtype"] is not None else in_types[0]
    return in_types, [out if out_types[0] is None else out_types[0]]


# -- the legacy operators --------------------------------------------------------------------------------
_BN_V1_ATTRS = {"eps": Float(1e-3), "momentum": Float(0.9), "fix_gamma": Bool(True),
                "use_global_stats": Bool(False), "output_mean_var": Bool(False)}


@op("BatchNorm_v1", inputs=("data", "gamma", "beta", "moving_mean", "moving_var"),
    attrs=_BN_V1_ATTRS, aux=("moving_mean", "moving_var"),
    num_outputs=lambda a: 3 if a["output_mean_var"] else 1,
    output_names=lambda a: ("output", "mean", "var") if a["output_mean_var"] else ("output",),
    input_init={"moving_mean": '["zero", {}]', "moving_var": '["one", {}]'},
    train_aware=True, learnable=("gamma", "beta"), hidden_outputs=_hidden_mean_var,
    plot_color="normalization")
def batch_norm_v1(data, gamma, beta, moving_mean, moving_var, *, eps, momentum, fix_gamma,
                  use_global_stats, output_mean_var, is_train):
    """Batch normalization, the operator's first version: ``BatchNorm`` over channel axis 1 with
    a larger default ``eps`` (1e-3) and without ``axis``, ``cudnn_off`` or the calibration
    ranges. A fixed gamma is set to 1 in place in inference too."""
    if fix_gamma:
        with torch.no_grad():
            gamma.fill_(1)
    return batch_norm.impl(data, gamma, beta, moving_mean, moving_var, eps=eps, momentum=momentum,
                           fix_gamma=fix_gamma, use_global_stats=use_global_stats,
                           output_mean_var=output_mean_var, axis=1, cudnn_off=False,
                           min_calib_range=None, max_calib_range=None, is_train=is_train)


batch_norm_v1.shape(lambda attrs, *shapes: batch_norm.shape_rule({**attrs, "axis": 1}, *shapes))
batch_norm_v1.types(lambda attrs, *rest: batch_norm.type_rule(attrs, *rest))


@op("Convolution_v1", inputs=("data", "weight", "bias"), attrs=_conv_attrs(1024, False),
    active_inputs=_no_bias_inputs, fresh_outputs=True, learnable=("weight", "bias"),
    plot_label=convolution.plot_label, plot_color="layer", summary_params=convolution.summary_params)
def convolution_v1(data, weight, bias=None, **attrs):
    """Convolution, the operator's first version: ``Convolution`` under the same attributes, for
    2-D and 3-D kernels only."""
    _v1_kernel(attrs["kernel"])
    return convolution.impl(data, weight, bias, **attrs)


def _v1_kernel(kernel: tuple) -> None:
    if len(kernel) not in (2, 3):
        raise MXNetError(f"Convolution_v1: kernel {tuple(kernel)} must be 2-D or 3-D (1-D "
                         f"convolution is not supported by the first version)")


@convolution_v1.shape
def _(attrs, *shapes):
    _v1_kernel(attrs["kernel"])
    return convolution.shape_rule(attrs, *shapes)


@op("Pooling_v1", attrs={"kernel": Shape(()), "pool_type": Enum(("avg", "max", "sum"), "max"),
                         "global_pool": Bool(False),
                         "pooling_convention": Enum(("full", "valid"), "valid"),
                         "stride": Shape(()), "pad": Shape(())},
    fresh_outputs=True, plot_label=pooling.plot_label, plot_color="pooling")
def pooling_v1(data, *, kernel, pool_type, global_pool, pooling_convention, stride, pad):
    """Pooling, the operator's first version: ``Pooling`` without the ``lp`` type, the ``same``
    convention, ``count_include_pad`` (padding always counts in an average) or layouts."""
    return pooling.impl(data, kernel=kernel, pool_type=pool_type, global_pool=global_pool,
                        cudnn_off=False, pooling_convention=pooling_convention, stride=stride,
                        pad=pad, p_value=None, count_include_pad=None, layout=None)


def _pool_v1_attrs(attrs: dict) -> dict:
    return {**attrs, "cudnn_off": False, "p_value": None, "count_include_pad": None, "layout": None}


pooling_v1.shape(lambda attrs, *shapes: pooling.infer_shape(_pool_v1_attrs(attrs), list(shapes)))

