"""Spatial and vision operators: Crop, Correlation, GridGenerator, BilinearSampler,
SpatialTransformer, ROIPooling, im2col, col2im and CTCLoss.

Images are NCHW. Sampling grids hold normalised (x, y) coordinates in channels 0 and 1, -1 and 1
being the centres of the first and last pixels (torch's ``align_corners=True``); points outside
the image read zeros. Gradients are torch autograd's through the same computation.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence

import torch
import torch.nn.functional as F

from ..base import MXNetError
from .nn import assign_shape
from .registry import Bool, Enum, Float, Int, Shape, op


# -- Crop --------------------------------------------------------------------------------------------
@op("Crop", inputs=("data",), variadic="num_args",
    attrs={"num_args": Int(), "offset": Shape((0, 0)), "h_w": Shape((0, 0)), "center_crop": Bool(False)})
def crop(*arrays, num_args, offset, h_w, center_crop):
    """Crop the height and width (axes 2 and 3) of the first input to ``h_w``, or to those of a
    second input when one is given, starting at ``offset`` = (y, x) or centred with
    ``center_crop``. Deprecated in MXNet in favour of ``slice``."""
    data = arrays[0]
    (top, left), (height, width) = _crop_window(num_args, tuple(data.shape),
                                                tuple(arrays[1].shape) if num_args > 1 else None,
                                                offset, h_w, center_crop)
    return data[:, :, top:top + height, left:left + width]


def _crop_window(num_args: int, shape: tuple, like: Optional[tuple], offset: tuple, h_w: tuple,
                 center_crop: bool) -> tuple:
    if num_args not in (1, 2):
        raise MXNetError(f"Crop: expected 1 or 2 inputs (data and optionally crop_like), got {num_args}")
    if len(shape) != 4 or (like is not None and len(like) != 4):
        raise MXNetError(f"Crop: expected 4-dimensional (NCHW) inputs, got {shape}"
                         + (f" and {like}" if like is not None else ""))
    if len(offset) != 2 or len(h_w) != 2:
        raise MXNetError(f"Crop: offset and h_w are (y, x) and (h, w) pairs, got {offset} and {h_w}")
    height, width = like[2:] if like is not None else h_w
    if center_crop:
        top, left = (shape[2] - height) // 2, (shape[3] - width) // 2
    else:
        top, left = offset
    if not (0 <= top and top + height <= shape[2] and 0 <= left and left + width <= shape[3]
            and height > 0 and width > 0):
        raise MXNetError(f"Crop: the window {height}x{width} at (y, x) = ({top}, {left}) does not fit "
                         f"in the input's {shape[2]}x{shape[3]}")
    return (top, left), (height, width)


@crop.shape
def _(attrs, data, like=None):
    if data is None or (attrs["num_args"] > 1 and like is None):
        return [data, like][:attrs["num_args"]], [None]
    _, (height, width) = _crop_window(attrs["num_args"], tuple(data), like and tuple(like),
                                      attrs["offset"], attrs["h_w"], attrs["center_crop"])
    return [data, like][:attrs["num_args"]], [(data[0], data[1], height, width)]


# -- Correlation -------------------------------------------------------------------------------------
def _correlation_geometry(shape: Sequence[int], attrs: dict) -> tuple:
    """(output height, width, grid radius, grid width) of a Correlation on ``shape`` (NCHW)."""
    kernel, displacement = attrs["kernel_size"], attrs["max_displacement"]
    stride1, stride2, pad = attrs["stride1"], attrs["stride2"], attrs["pad_size"]
    if kernel % 2 == 0 or stride1 < 1 or stride2 < 1:
        raise MXNetError(f"Correlation: kernel_size must be odd and the strides positive, got "
                         f"kernel_size={kernel}, stride1={stride1}, stride2={stride2}")
    border = displacement + (kernel - 1) // 2
    padded = [shape[2] + 2 * pad, shape[3] + 2 * pad]
    height, width = (math.ceil((p - 2 * border) / stride1) for p in padded)
    if height < 1 or width < 1:
        raise MXNetError(f"Correlation: the input of height and width {tuple(shape[2:])} (padded by "
                         f"{pad}) is smaller than the {2 * border + 1} pixels the displacement and "
                         f"kernel need")
    radius = displacement // stride2
    return height, width, radius, 2 * radius + 1


@op("Correlation", inputs=("data1", "data2"), hidden_outputs=2,
    attrs={"kernel_size": Int(1), "max_displacement": Int(1), "stride1": Int(1), "stride2": Int(1),
           "pad_size": Int(0), "is_multiply": Bool(True)})
def correlation(data1, data2, **attrs):
    """The correlation layer of FlowNet: for each displacement (dy, dx) within
    ``max_displacement`` (in steps of ``stride2``), the mean over channels and a
    ``kernel_size`` window of ``data1 * data2`` shifted by it (or of ``|data1 - data2|`` when
    ``is_multiply`` is off), at every ``stride1``-th position; one output channel per
    displacement, row by row."""
    if data1.shape != data2.shape or data1.dim() != 4:
        raise MXNetError(f"Correlation: expected two NCHW inputs of one shape, got "
                         f"{tuple(data1.shape)} and {tuple(data2.shape)}")
    height, width, radius, _ = _correlation_geometry(data1.shape, attrs)
    kernel, stride1, stride2 = attrs["kernel_size"], attrs["stride1"], attrs["stride2"]
    start, pad = attrs["max_displacement"], attrs["pad_size"]
    first = F.pad(data1, (pad, pad, pad, pad))
    second = F.pad(data2, (pad, pad, pad, pad))
    span_h, span_w = (height - 1) * stride1 + kernel, (width - 1) * stride1 + kernel
    window = first[:, :, start:start + span_h, start:start + span_w]
    channels = []
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            y, x = start + dy * stride2, start + dx * stride2
            shifted = second[:, :, y:y + span_h, x:x + span_w]
            both = window * shifted if attrs["is_multiply"] else (window - shifted).abs()
            channels.append(both.sum(1, keepdim=True))
    stacked = torch.cat(channels, 1)
    return F.avg_pool2d(stacked, kernel, stride1) / data1.shape[1]


@correlation.shape
def _(attrs, data1, data2=None):
    shape = data1 if data1 is not None else data2
    if shape is None:
        return [data1, data2], [None]
    height, width, _, grid = _correlation_geometry(shape, attrs)
    return [shape, shape], [(shape[0], grid * grid, height, width)]


# -- sampling grids ------------------------------------------------------------------------------------
def _affine_grid(theta: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """(N, 2, height, width) source coordinates ``theta @ (x, y, 1)`` of the target pixels."""
    theta = theta.reshape(-1, 2, 3)
    ys = torch.linspace(-1, 1, height, dtype=theta.dtype, device=theta.device)
    xs = torch.linspace(-1, 1, width, dtype=theta.dtype, device=theta.device)
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    target = torch.stack([gx, gy, torch.ones_like(gx)]).reshape(3, -1)
    return torch.matmul(theta, target).reshape(-1, 2, height, width)


@op("GridGenerator", inputs=("data",), hidden_outputs=1,
    attrs={"transform_type": Enum(("affine", "warp")), "target_shape": Shape((0, 0))})
def grid_generator(data, *, transform_type, target_shape):
    """A sampling grid for BilinearSampler: from affine transforms (``data`` of shape (N, 6), the
    rows of 2x3 matrices) over a ``target_shape`` = (h, w) output, or from an optical flow
    (``data`` of shape (N, 2, H, W), in pixels) added to each pixel's own position."""
    if transform_type == "affine":
        if data.dim() != 2 or data.shape[1] != 6:
            raise MXNetError(f"GridGenerator: an affine transform is an (N, 6) input, got "
                             f"{tuple(data.shape)}")
        if len(target_shape) != 2 or min(target_shape) < 1:
            raise MXNetError(f"GridGenerator: target_shape must be a positive (h, w), got {target_shape}")
        return _affine_grid(data, *target_shape)
    if data.dim() != 4 or data.shape[1] != 2:
        raise MXNetError(f"GridGenerator: a warp flow is an (N, 2, H, W) input, got {tuple(data.shape)}")
    height, width = data.shape[2:]
    ys = torch.arange(height, dtype=data.dtype, device=data.device).view(-1, 1).expand(height, width)
    xs = torch.arange(width, dtype=data.dtype, device=data.device).view(1, -1).expand(height, width)
    scale = torch.tensor([max(width - 1, 1) / 2, max(height - 1, 1) / 2], dtype=data.dtype,
                         device=data.device).view(1, 2, 1, 1)
    return (data + torch.stack([xs, ys])) / scale - 1


@grid_generator.shape
def _(attrs, data):
    if data is None:
        return [None], [None]
    if attrs["transform_type"] == "affine":
        return [data], [(data[0], 2, *attrs["target_shape"])]
    return [data], [tuple(data)]


def _bilinear_sample(data: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
    if data.dim() != 4 or grid.dim() != 4 or grid.shape[1] != 2 or grid.shape[0] != data.shape[0]:
        raise MXNetError(f"BilinearSampler: expected data (N, C, H, W) and grid (N, 2, h, w), got "
                         f"{tuple(data.shape)} and {tuple(grid.shape)}")
    return F.grid_sample(data, grid.permute(0, 2, 3, 1), mode="bilinear", padding_mode="zeros",
                         align_corners=True)


@op("BilinearSampler", inputs=("data", "grid"), hidden_outputs=1,
    attrs={"cudnn_off": Bool(None)})
def bilinear_sampler(data, grid, *, cudnn_off):
    """Sample ``data`` (N, C, H, W) bilinearly at the normalised (x, y) positions of ``grid``
    (N, 2, h, w); positions outside the image read zeros. Output (N, C, h, w)."""
    return _bilinear_sample(data, grid)


@bilinear_sampler.shape
def _(attrs, data, grid=None):
    if data is None or grid is None:
        return [data, grid], [None]
    return [data, grid], [(data[0], data[1], grid[2], grid[3])]


@op("SpatialTransformer", inputs=("data", "loc"), hidden_outputs=2,
    attrs={"target_shape": Shape((0, 0)), "transform_type": Enum(("affine",)),
           "sampler_type": Enum(("bilinear",)), "cudnn_off": Bool(None)})
def spatial_transformer(data, loc, *, target_shape, transform_type, sampler_type, cudnn_off):
    """Warp ``data`` (N, C, H, W) by the affine transforms ``loc`` (N, 6): the output (N, C, h, w),
    (h, w) = ``target_shape``, samples ``data`` bilinearly where each transform sends its pixels."""
    if loc.dim() != 2 or loc.shape[1] != 6 or loc.shape[0] != data.shape[0]:
        raise MXNetError(f"SpatialTransformer: loc must hold one affine transform (6 numbers) per "
                         f"image, got {tuple(loc.shape)} for data {tuple(data.shape)}")
    if len(target_shape) != 2 or min(target_shape) < 1:
        raise MXNetError(f"SpatialTransformer: target_shape must be a positive (h, w), got {target_shape}")
    return _bilinear_sample(data, _affine_grid(loc, *target_shape))


@spatial_transformer.shape
def _(attrs, data, loc=None):
    if data is None:
        return [data, loc], [None]
    loc = assign_shape("SpatialTransformer", "loc", loc, (data[0], 6))
    return [data, loc], [(data[0], data[1], *attrs["target_shape"])]


# -- ROIPooling ----------------------------------------------------------------------------------------
def _c_round(value: float) -> int:
    """C's round(): halves away from zero."""
    return int(math.floor(abs(value) + 0.5)) * (1 if value >= 0 else -1)


@op("ROIPooling", inputs=("data", "rois"), hidden_outputs=1, untied_inputs=("rois",),
    attrs={"pooled_size": Shape(), "spatial_scale": Float()})
def roi_pooling(data, rois, *, pooled_size, spatial_scale):
    """Max pooling of regions of interest: each row (batch index, x1, y1, x2, y2) of ``rois``, in
    input-image coordinates scaled by ``spatial_scale`` and rounded, is divided into
    ``pooled_size`` = (h, w) bins, each giving the maximum of ``data`` over its pixels (0 for a bin
    with no pixel inside the feature map; every bin of a row whose batch index is negative).
    Output (R, C, h, w); ``rois`` get no gradient."""
    if data.dim() != 4 or rois.dim() != 2 or rois.shape[1] != 5:
        raise MXNetError(f"ROIPooling: expected data (N, C, H, W) and rois (R, 5), got "
                         f"{tuple(data.shape)} and {tuple(rois.shape)}")
    if len(pooled_size) != 2 or min(pooled_size) < 1:
        raise MXNetError(f"ROIPooling: pooled_size must be a positive (h, w), got {pooled_size}")
    height, width = data.shape[2:]
    outs = []
    for index, *box in rois.detach().double().cpu().tolist():
        n = int(index)
        if n < 0:  # MXNet's mark of an unused row: its output is 0
            outs.append(data.new_zeros((1, data.shape[1], *pooled_size)))
            continue
        if n >= data.shape[0]:
            raise MXNetError(f"ROIPooling: a region names batch index {n}, the data has "
                             f"{data.shape[0]} images")
        x1, y1, x2, y2 = (_c_round(v * spatial_scale) for v in box)
        roi_h, roi_w = max(y2 - y1 + 1, 1), max(x2 - x1 + 1, 1)
        # the region padded with -inf where it leaves the feature map, then MXNet's bins
        # (floor(i * size / pooled) to ceil((i + 1) * size / pooled)) are adaptive pooling's
        top, left = max(y1, 0), max(x1, 0)
        bottom, right = min(y1 + roi_h, height), min(x1 + roi_w, width)
        if (top, left, bottom, right) == (y1, x1, y1 + roi_h, x1 + roi_w):  # inside the map
            outs.append(F.adaptive_max_pool2d(data[n:n + 1, :, top:bottom, left:right], pooled_size))
            continue
        if top < bottom and left < right:
            inside = data[n, :, top:bottom, left:right]
            region = F.pad(inside, (left - x1, x1 + roi_w - right, top - y1, y1 + roi_h - bottom),
                           value=-math.inf)
        else:
            region = data.new_full((data.shape[1], roi_h, roi_w), -math.inf)
        pooled = F.adaptive_max_pool2d(region.unsqueeze(0), pooled_size)
        outs.append(torch.where(torch.isinf(pooled), torch.zeros_like(pooled), pooled))
    if not outs:
        return data.new_zeros((0, data.shape[1], *pooled_size))
    return torch.cat(outs)


@roi_pooling.shape
def _(attrs, data, rois=None):
    if data is None or rois is None:
        return [data, rois], [None]
    return [data, rois], [(rois[0], data[1], *attrs["pooled_size"])]


# -- im2col / col2im -----------------------------------------------------------------------------------
def _unfold_geometry(name: str, kernel: tuple, stride: tuple, dilate: tuple, pad: tuple) -> tuple:
    """kernel, stride, dilate and pad as 2-d tuples (MXNet's empty tuples are 1s and 0s); the 1-d
    case is the 2-d one with a height of 1."""
    if len(kernel) not in (1, 2):
        raise MXNetError(f"{name}: only 1-d and 2-d kernels are supported, got kernel={kernel}")
    dims = len(kernel)
    stride, dilate, pad = stride or (1,) * dims, dilate or (1,) * dims, pad or (0,) * dims
    if not len(stride) == len(dilate) == len(pad) == dims:
        raise MXNetError(f"{name}: kernel, stride, dilate and pad must have {dims} entries, got "
                         f"{kernel}, {stride}, {dilate}, {pad}")
    lift = (lambda t, fill: (fill, *t)) if dims == 1 else (lambda t, fill: tuple(t))
    return lift(kernel, 1), lift(stride, 1), lift(dilate, 1), lift(pad, 0), dims


def _blocks(size: int, kernel: int, stride: int, dilate: int, pad: int) -> int:
    return (size + 2 * pad - dilate * (kernel - 1) - 1) // stride + 1


@op("im2col", inputs=("data",),
    attrs={"kernel": Shape(), "stride": Shape(()), "dilate": Shape(()), "pad": Shape(())})
def im2col(data, *, kernel, stride, dilate, pad):
    """The sliding ``kernel`` windows of images (N, C, H, W) as columns: output
    (N, C * kh * kw, number of windows), each column one window, channel-major."""
    k, s, d, p, dims = _unfold_geometry("im2col", kernel, stride, dilate, pad)
    if data.dim() != dims + 2:
        raise MXNetError(f"im2col: a {dims}-d kernel needs a {dims + 2}-d input, got {tuple(data.shape)}")
    images = data.unsqueeze(2) if dims == 1 else data
    return F.unfold(images, k, dilation=d, padding=p, stride=s)


@im2col.shape
def _(attrs, data):
    if data is None:
        return [None], [None]
    k, s, d, p, dims = _unfold_geometry("im2col", attrs["kernel"], attrs["stride"], attrs["dilate"],
                                        attrs["pad"])
    spatial = (1, *data[2:]) if dims == 1 else data[2:]
    count = math.prod(_blocks(*args) for args in zip(spatial, k, s, d, p))
    return [data], [(data[0], data[1] * math.prod(k), count)]


@op("col2im", inputs=("data",),
    attrs={"output_size": Shape(), "kernel": Shape(), "stride": Shape(()), "dilate": Shape(()),
           "pad": Shape(())})
def col2im(data, *, output_size, kernel, stride, dilate, pad):
    """The inverse arrangement of im2col: columns (N, C * kh * kw, number of windows) summed back
    into images (N, C, *output_size), overlapping windows adding up."""
    k, s, d, p, dims = _unfold_geometry("col2im", kernel, stride, dilate, pad)
    if len(output_size) != dims:
        raise MXNetError(f"col2im: output_size must have {dims} entries, got {output_size}")
    size = (1, *output_size) if dims == 1 else tuple(output_size)
    windows = math.prod(_blocks(*args) for args in zip(size, k, s, d, p))
    if data.dim() != 3 or data.shape[1] % math.prod(k) or data.shape[2] != windows:
        raise MXNetError(f"col2im: expected columns (N, C * {math.prod(k)}, {windows}) for output_size "
                         f"{output_size}, got {tuple(data.shape)}")
    out = F.fold(data, size, k, dilation=d, padding=p, stride=s)
    return out.squeeze(2) if dims == 1 else out


@col2im.shape
def _(attrs, data):
    if data is None:
        return [None], [None]
    channels = data[1] // math.prod(attrs["kernel"])
    return [data], [(data[0], channels, *attrs["output_size"])]


# -- CTCLoss -------------------------------------------------------------------------------------------
def _ctc_inputs(attrs: dict) -> tuple:
    names = ["data", "label"]
    if attrs["use_data_lengths"]:
        names.append("data_lengths")
    if attrs["use_label_lengths"]:
        names.append("label_lengths")
    return tuple(names)


@op("CTCLoss", inputs=("data", "label", "data_lengths", "label_lengths"),
    aliases=("ctc_loss", "_contrib_CTCLoss", "_contrib_ctc_loss"), active_inputs=_ctc_inputs,
    hidden_outputs=1, output_names=lambda attrs: ["output0"],
    untied_inputs=("label", "data_lengths", "label_lengths"),
    attrs={"use_data_lengths": Bool(False), "use_label_lengths": Bool(False),
           "blank_label": Enum(("first", "last"), "first")})
def ctc_loss(data, label, data_lengths=None, label_lengths=None, *, use_data_lengths,
             use_label_lengths, blank_label):
    """Connectionist Temporal Classification loss of unnormalised scores ``data`` (T, N, C)
    (a softmax over C is applied inside) against label sequences ``label`` (N, L): one loss per
    sequence, shape (N,). With ``blank_label='first'`` class 0 is the blank and labels are
    1..C-1, padded with 0; with ``'last'`` class C-1 is the blank and labels 0..C-2, padded with
    -1. ``data_lengths`` (N,) and ``label_lengths`` (N,) give the lengths instead of the full T and
    the padding when ``use_data_lengths`` / ``use_label_lengths`` are on. A label no alignment
    fits in its sequence (too long, or too many repeats) has loss 0 and no gradient, as in MXNet."""
    if data.dim() != 3 or label.dim() != 2 or label.shape[0] != data.shape[1]:
        raise MXNetError(f"CTCLoss: expected data (T, N, C) and label (N, L), got "
                         f"{tuple(data.shape)} and {tuple(label.shape)}")
    steps, batch, classes = data.shape
    blank = 0 if blank_label == "first" else classes - 1
    labels = label.detach().to(torch.int64)
    if use_label_lengths:
        target_lengths = label_lengths.detach().to(torch.int64).reshape(batch)
    else:
        padding = labels == (0 if blank_label == "first" else -1)
        # a sequence ends at its first padding value
        ended = padding.cumsum(1) > 0
        target_lengths = (~ended).sum(1)
    if use_data_lengths:
        input_lengths = data_lengths.detach().to(torch.int64).reshape(batch)
    else:
        input_lengths = torch.full((batch,), steps, dtype=torch.int64, device=data.device)
    positions = torch.arange(labels.shape[1], device=labels.device)
    targets = torch.where(positions < target_lengths.unsqueeze(1), labels,
                          torch.full_like(labels, (blank + 1) % classes))
    log_probs = F.log_softmax(data, dim=-1)
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=blank,
                      reduction="none", zero_infinity=True).to(data.dtype)


@ctc_loss.shape
def _(attrs, data, label=None, *lengths):
    if data is None:
        return [data, label, *lengths], [None]
    lengths = [assign_shape("CTCLoss", "lengths", s, (data[1],)) for s in lengths]
    return [data, label, *lengths], [(data[1],)]
