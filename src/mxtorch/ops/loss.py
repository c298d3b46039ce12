"""Output and loss operators: SoftmaxOutput, the regression outputs, MakeLoss, BlockGrad,
softmax_cross_entropy.

The output layers follow MXNet's gradient semantics: their backward ignores the gradient arriving at
their output (the head gradient) and sends the gradient of the loss they stand for to ``data``. The
label receives no gradient.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Optional

import torch

from ..base import MXNetError
from .nn import assign_shape, no_gradient
from .registry import Bool, Enum, Float, op


class _OutputLayer(torch.autograd.Function):
    """``forward_fn(data)`` forward; backward sends ``grad_fn(output, label)`` to data, whatever the
    head gradient."""

    @staticmethod
    def forward(ctx: Any, data: torch.Tensor, label: Optional[torch.Tensor], forward_fn: Callable,
                grad_fn: Callable) -> torch.Tensor:
        out = forward_fn(data)
        ctx.save_for_backward(out, label)
        ctx.grad_fn = grad_fn
        return out

    @staticmethod
    def backward(ctx: Any, head: torch.Tensor) -> tuple:
        out, label = ctx.saved_tensors
        return ctx.grad_fn(out, label), None, None, None


def _output_layer(data: torch.Tensor, label: Optional[torch.Tensor], forward_fn: Callable,
                  grad_fn: Callable) -> torch.Tensor:
    return _OutputLayer.apply(data, label, forward_fn, grad_fn)


# -- SoftmaxOutput ---------------------------------------------------------------------------------
def _softmax_target(label: torch.Tensor, classes: int, smooth_alpha: float,
                    dtype: torch.dtype) -> torch.Tensor:
    """One-hot rows (a label outside [0, classes) matches nothing), smoothed as MXNet does:
    1 - alpha for the label, alpha / (classes - 1) elsewhere."""
    match = torch.arange(classes, device=label.device) == label.to(torch.int64).unsqueeze(-1)
    if smooth_alpha:
        return torch.where(match, 1.0 - smooth_alpha, smooth_alpha / (classes - 1)).to(dtype)
    return match.to(dtype)


def _softmax_output_grad(out: torch.Tensor, label: torch.Tensor, *,
                         grad_scale: float, ignore_label: float, multi_output: bool,
                         use_ignore: bool, preserve_shape: bool, normalization: str, out_grad: bool,
                         smooth_alpha: float) -> torch.Tensor:
    if label.shape == out.shape:  # the label is a probability distribution
        grad = (out - label) * grad_scale
        return grad * out if out_grad else grad
    n = out.shape[0]
    if multi_output:  # (n, k, positions), one label per instance and position
        rows = out.reshape(n, out.shape[1], -1).transpose(1, 2)
    else:
        rows = out.reshape(-1, out.shape[-1]) if preserve_shape else out.reshape(n, -1)
    if label.numel() != rows.shape[:-1].numel():
        raise MXNetError(f"SoftmaxOutput: label of shape {tuple(label.shape)} does not give one "
                         f"label per softmax row of output {tuple(out.shape)}")
    labels = label.reshape(rows.shape[:-1])
    grad = rows - _softmax_target(labels, rows.shape[-1], smooth_alpha, rows.dtype)
    ignored = labels.to(torch.int64) == int(ignore_label)
    if use_ignore:
        grad = grad.masked_fill(ignored.unsqueeze(-1), 0)
    if normalization == "valid":  # a tensor: no device-to-host copy of the count
        scale = grad_scale / (~ignored).sum().clamp(min=1).to(grad.dtype)
    else:
        count = labels.shape[0] if normalization == "batch" else 1
        positions = labels.shape[1] if multi_output else 1
        scale = grad_scale / positions / count
    if multi_output:
        grad = grad.transpose(1, 2)
    grad = (grad * scale).reshape(out.shape)
    return grad * out if out_grad else grad


def _softmax_forward(multi_output: bool, preserve_shape: bool) -> Callable:
    def forward(data: torch.Tensor) -> torch.Tensor:
        if multi_output:
            return torch.softmax(data, 1)
        if preserve_shape:
            return torch.softmax(data, -1)
        return torch.softmax(data.reshape(data.shape[0], -1), 1).reshape(data.shape)
    return forward


@op("SoftmaxOutput", inputs=("data", "label"), aliases=("Softmax",),
    attrs={"grad_scale": Float(1.0), "ignore_label": Float(-1.0), "multi_output": Bool(False),
           "use_ignore": Bool(False), "preserve_shape": Bool(False),
           "normalization": Enum(("batch", "null", "valid"), "null"), "out_grad": Bool(False),
           "smooth_alpha": Float(0.0)},
    grad_note="out_grad=True multiplies the gradient by the output, not by the head gradient: "
              "MXNet 1.9.1 documents the head gradient but its backward reads the output's buffer.")
def softmax_output(data, label, **attrs):
    """Softmax output layer: a softmax forward, the cross-entropy gradient backward.

    The forward pass is a softmax over each instance (all axes after the first, flattened), over
    axis 1 at every position (``multi_output``), or over the last axis (``preserve_shape``). The
    backward pass ignores the head gradient and gives data the gradient of the cross-entropy loss
    with respect to the softmax's input, ``output - one_hot(label)``, times ``grad_scale``:

    - ``use_ignore``: instances whose label is ``ignore_label`` get no gradient;
    - ``normalization``: 'null' (none; with ``multi_output``, divided by the number of positions),
      'batch' (also divided by the batch size), 'valid' (divided by the number of labels that are
      not ``ignore_label``);
    - ``smooth_alpha``: the target is ``1 - alpha`` for the label and ``alpha / (classes - 1)``
      elsewhere;
    - a label of the same shape as data is taken as a probability distribution;
    - ``out_grad``: see the gradient note.
    """
    grad_fn = lambda out, lab: _softmax_output_grad(out, lab, **attrs)  # noqa: E731
    return _output_layer(data, label, _softmax_forward(attrs["multi_output"], attrs["preserve_shape"]),
                         grad_fn)


@softmax_output.shape
def _(attrs, data, label=None):
    if data is None:
        return [data, label], [None]
    if label is not None and tuple(label) == tuple(data):
        return [data, label], [data]
    if attrs["multi_output"]:
        flat = (data[0], math.prod(data[2:]))
        accepted = (flat, (data[0], *data[2:]), (data[0], 1, *data[2:]))
        if label is not None and tuple(label) not in accepted:
            raise MXNetError(f"SoftmaxOutput: label shape {tuple(label)} should be one of "
                             f"{list(accepted)} for multi_output data {tuple(data)}")
        return [data, label or flat], [data]
    return [data, assign_shape("SoftmaxOutput", "label", label, data[:-1])], [data]


# -- regression outputs ----------------------------------------------------------------------------
def _regression_grad(diff: Callable, grad_scale: float) -> Callable:
    """``diff(out, label)`` times grad_scale, divided by the number of outputs per instance."""
    def grad_fn(out: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        per_instance = label.numel() // label.shape[0] if label.dim() else 1
        return diff(out, label.reshape(out.shape)) * (grad_scale / per_instance)
    return grad_fn


def _check_label(name: str, data: torch.Tensor, label: torch.Tensor) -> None:
    if label.dim() == 0 or label.shape[0] != data.shape[0] or label.numel() != data.numel():
        raise MXNetError(f"{name}: label of shape {tuple(label.shape)} does not match data of "
                         f"shape {tuple(data.shape)}")


def _declare_regression(name: str, forward_fn: Callable, diff: Callable, doc: str) -> None:
    def regression(data, label, *, grad_scale):
        _check_label(name, data, label)
        return _output_layer(data, label, forward_fn, _regression_grad(diff, grad_scale))

    def shape_rule(attrs, data, label=None):
        if data is None:
            return [data, label], [None]
        if label is None:
            label = (data[0],) if len(data) == 2 and data[1] == 1 else tuple(data)
        elif label[0] != data[0] or math.prod(label) != math.prod(data):
            raise MXNetError(f"{name}: label shape {tuple(label)} does not match data {tuple(data)}")
        return [data, label], [data]

    regression.__doc__ = doc
    entry = op(name, inputs=("data", "label"), attrs={"grad_scale": Float(1.0)})(regression)
    entry.shape(shape_rule)


_declare_regression(
    "LinearRegressionOutput", torch.clone, torch.sub,
    """Output layer of a least-squares regression: outputs ``data`` unchanged.

    The gradient is ``(output - label) * grad_scale / m``, m being the number of outputs per
    instance; the head gradient is ignored.
    """)
_declare_regression(
    "LogisticRegressionOutput", torch.sigmoid, torch.sub,
    """Output layer of a logistic regression: outputs ``sigmoid(data)``.

    The gradient is that of the binary cross-entropy loss with respect to ``data``,
    ``(output - label) * grad_scale / m``, m being the number of outputs per instance; the head
    gradient is ignored.
    """)
_declare_regression(
    "MAERegressionOutput", torch.clone, lambda out, label: torch.sign(out - label),
    """Output layer of a regression on the absolute error: outputs ``data`` unchanged.

    The gradient is ``sign(output - label) * grad_scale / m``, m being the number of outputs per
    instance; the head gradient is ignored.
    """)


# -- MakeLoss, make_loss, BlockGrad ----------------------------------------------------------------
@op("MakeLoss", attrs={"grad_scale": Float(1.0), "valid_thresh": Float(0.0),
                       "normalization": Enum(("batch", "null", "valid"), "null")})
def make_loss_op(data, *, grad_scale, valid_thresh, normalization):
    """Marks ``data`` as a loss: the output is ``data``, and its gradient starts the backward pass.

    In backward the gradient of every element is ``grad_scale``, divided by the batch size
    (``normalization='batch'``) or by the number of elements greater than ``valid_thresh``
    (``'valid'``, at least 1); the head gradient is ignored.
    """
    def grad_fn(out: torch.Tensor, label: None) -> torch.Tensor:
        if normalization == "batch":
            scale = grad_scale / out.shape[0]
        elif normalization == "valid":  # a tensor: no device-to-host copy of the count
            scale = grad_scale / (out > valid_thresh).sum().clamp(min=1).to(out.dtype)
        else:
            scale = grad_scale
        return torch.ones_like(out) * scale
    return _output_layer(data, None, torch.clone, grad_fn)


@op("make_loss")
def make_loss(data):
    """Marks ``data`` as a loss: the output is ``data`` and its gradient is 1 everywhere, whatever
    the head gradient.
    """
    return _output_layer(data, None, torch.clone, lambda out, label: torch.ones_like(out))


@op("BlockGrad", aliases=("stop_gradient",))
def block_grad(data):
    """Passes ``data`` through unchanged forward and stops the gradient: ``data`` receives 0."""
    return no_gradient(data, data)


# -- softmax_cross_entropy -------------------------------------------------------------------------
@op("softmax_cross_entropy", inputs=("data", "label"))
def softmax_cross_entropy(data, label):
    """Cross-entropy of the softmax of each row against integer class labels, summed over the batch.

    - **data**: ``(batch_size, num_classes)``; **label**: ``(batch_size,)`` class indices.
    - **out**: ``(1,)``, the sum over rows of ``-log(softmax(data[i])[label[i]])``.
    """
    if data.dim() != 2 or label.dim() != 1 or label.shape[0] != data.shape[0]:
        raise MXNetError(f"softmax_cross_entropy: expects 2-D data and a 1-D label of the same batch "
                         f"size, got {tuple(data.shape)} and {tuple(label.shape)}")
    index = label.detach().to(torch.int64).unsqueeze(1)
    return -torch.log_softmax(data, 1).gather(1, index).sum().reshape(1)


@softmax_cross_entropy.shape
def _(attrs, data, label=None):
    if data is None:
        return [data, label], [None]
    return [data, assign_shape("softmax_cross_entropy", "label", label, data[:1])], [(1,)]
