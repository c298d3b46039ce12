"""Image operators: MXNet's ``nd.image.*`` (``_image_*``) and ``_cvimresize`` (``mx.image.imresize``).

Images are (H, W, C) arrays, batches (N, H, W, C), as in MXNet; ``to_tensor`` turns them into
(C, H, W) / (N, C, H, W) float32 in [0, 1], which ``normalize`` expects.

Resizing follows OpenCV's ``cv::resize`` (which MXNet calls): nearest, bilinear and bicubic are
torch's ``interpolate`` (the same half-pixel sampling, exact for float images); area and Lanczos-4
are applied as OpenCV's separable tap tables. Integer images are resampled in float32 and rounded,
where OpenCV uses fixed-point arithmetic: results agree within one grey level.

Colour operators reproduce MXNet 1.9.1's kernels (``src/operator/image/image_random-inl.h``),
including their value conventions: computation in float32, uint8 results clamped to [0, 255] and
truncated, float results not clamped.
"""
from __future__ import annotations

import math
from typing import Optional

import torch
import torch.nn.functional as F

from ..base import MXNetError
from .registry import Bool, Float, Floats, Int, Shape, op, same_shape

NEAREST, LINEAR, CUBIC, AREA, LANCZOS4 = 0, 1, 2, 3, 4
_GRAY_COEF = (0.299, 0.587, 0.114)
# AlexNet's PCA lighting: eigenvectors scaled by eigenvalues, rows R, G, B (MXNet's constants).
_LIGHTING_EIG = ((55.46 * -0.5675, 4.794 * 0.7192, 1.148 * 0.4009),
                 (55.46 * -0.5808, 4.794 * -0.0045, 1.148 * -0.8140),
                 (55.46 * -0.5836, 4.794 * -0.6948, 1.148 * 0.4203))


# -- resizing ------------------------------------------------------------------------------------
def resize_hwc(x: torch.Tensor, w: int, h: int, interp: int = LINEAR, fast: bool = False) -> torch.Tensor:
    """Resize an (H, W, C) image or an (N, H, W, C) batch to width ``w`` and height ``h`` with
    OpenCV's interpolation code ``interp`` (0 nearest, 1 bilinear, 2 bicubic, 3 area, 4 Lanczos-4).

    ``fast`` lets a uint8 bilinear resize use torch's fixed-point uint8 kernel, 3-4x faster: still
    within one grey level of OpenCV, but off by one on about twice as many pixels (data pipelines
    use it; the operators keep the closer float path)."""
    if interp not in (NEAREST, LINEAR, CUBIC, AREA, LANCZOS4):
        raise MXNetError(f"unknown interpolation method {interp}; expected 0 (nearest), "
                         "1 (bilinear), 2 (bicubic), 3 (area) or 4 (lanczos)")
    if w <= 0 or h <= 0:
        raise MXNetError(f"resize: output size must be positive, got width {w} and height {h}")
    nchw = (x if x.dim() == 4 else x.unsqueeze(0)).permute(0, 3, 1, 2)
    src_h, src_w = nchw.shape[2], nchw.shape[3]
    if (src_h, src_w) == (h, w):  # OpenCV copies the image unchanged
        return x.clone()
    if interp == NEAREST:
        out = F.interpolate(nchw, size=(h, w), mode="nearest")
    elif fast and interp == LINEAR and nchw.dtype == torch.uint8:
        out = F.interpolate(nchw, size=(h, w), mode="bilinear", align_corners=False)
    else:
        work = nchw if nchw.dtype in (torch.float32, torch.float64) else nchw.float()
        if interp in (LINEAR, CUBIC):
            mode = "bilinear" if interp == LINEAR else "bicubic"
            out = F.interpolate(work, size=(h, w), mode=mode, align_corners=False)
        else:
            out = _resample(work, 2, _taps(src_h, h, interp, src_w >= w and src_h >= h))
            out = _resample(out, 3, _taps(src_w, w, interp, src_w >= w and src_h >= h))
        out = _round_to(out, x.dtype)
    out = out.permute(0, 2, 3, 1).contiguous()
    return out if x.dim() == 4 else out[0]


def _round_to(t: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """OpenCV's saturate_cast: round half to even and clamp for integer types."""
    if dtype.is_floating_point:
        return t.to(dtype)
    info = torch.iinfo(dtype)
    return t.round().clamp(info.min, info.max).to(dtype)


def _resample(t: torch.Tensor, dim: int, taps: tuple) -> torch.Tensor:
    """Apply per-output tap tables (indices, weights), each of shape (out, K), along ``dim``."""
    idx, wts = taps
    out, k = idx.shape
    gathered = t.index_select(dim, idx.reshape(-1).to(t.device))
    shape = list(t.shape)
    shape[dim:dim + 1] = [out, k]
    wshape = [1] * len(shape)
    wshape[dim:dim + 2] = [out, k]
    return (gathered.reshape(shape) * wts.to(t.device, t.dtype).reshape(wshape)).sum(dim + 1)


def _taps(src: int, dst: int, interp: int, shrinking: bool) -> tuple:
    """OpenCV's tap tables for one axis: area (exact pixel coverage when the image shrinks in
    both directions, else its linear variant) or Lanczos-4 (8 taps, replicated border)."""
    scale = src / dst
    rows = []
    for d in range(dst):
        if interp == AREA and shrinking:
            rows.append(_area_row(d, scale, src))
        elif interp == AREA:
            s = math.floor(d * scale)
            f = (d + 1) - (s + 1) / scale
            f = 0.0 if f <= 0 else f - math.floor(f)
            if s >= src - 1:
                s, f = src - 1, 0.0
            rows.append([(s, 1.0 - f), (min(s + 1, src - 1), f)])
        else:
            fx = (d + 0.5) * scale - 0.5
            s = math.floor(fx)
            coeffs = _lanczos4(fx - s)
            rows.append([(min(max(s - 3 + i, 0), src - 1), c) for i, c in enumerate(coeffs)])
    k = max(len(r) for r in rows)
    idx = torch.tensor([[i for i, _ in r] + [0] * (k - len(r)) for r in rows], dtype=torch.long)
    wts = torch.tensor([[c for _, c in r] + [0.0] * (k - len(r)) for r in rows],
                       dtype=torch.float32)
    return idx, wts


def _area_row(d: int, scale: float, src: int) -> list:
    """OpenCV's computeResizeAreaTab for output pixel ``d``."""
    fs1 = d * scale
    fs2 = fs1 + scale
    cell = min(scale, src - fs1)
    s2 = min(math.floor(fs2), src - 1)
    s1 = min(math.ceil(fs1), s2)
    row = []
    if s1 - fs1 > 1e-3:
        row.append((s1 - 1, (s1 - fs1) / cell))
    row += [(s, 1.0 / cell) for s in range(s1, s2)]
    if fs2 - s2 > 1e-3:
        row.append((s2, min(fs2 - s2, 1.0, cell) / cell))
    return row


def _lanczos4(x: float) -> list:
    """OpenCV's interpolateLanczos4: normalised 8-tap Lanczos (a=4) weights at offset ``x``."""
    if x < 1.1920929e-07:
        return [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    s45 = math.sqrt(0.5)
    cs = ((1, 0), (-s45, -s45), (0, 1), (s45, -s45), (-1, 0), (s45, s45), (0, -1), (-s45, s45))
    y0 = -(x + 3) * math.pi * 0.25
    s0, c0 = math.sin(y0), math.cos(y0)
    coeffs = []
    for i in range(8):
        y = -(x + 3 - i) * math.pi * 0.25
        coeffs.append((cs[i][0] * s0 + cs[i][1] * c0) / (y * y))
    total = sum(coeffs)
    return [c / total for c in coeffs]


def resized_size(height: int, width: int, size: tuple, keep_ratio: bool) -> tuple:
    """(new_w, new_h) of ``_image_resize``: ``size`` is (w, h), or one int for both sides (or
    for the short side with ``keep_ratio``, the long side scaled with integer division)."""
    if len(size) == 2:
        return size[0], size[1]
    if len(size) != 1 or size[0] <= 0:
        raise MXNetError(f"resize: size must be one positive int or (width, height), got {size}")
    if not keep_ratio:
        return size[0], size[0]
    if height > width:
        return size[0], height * size[0] // width
    return width * size[0] // height, size[0]


def _image_input(name: str, data: torch.Tensor, batch_ok: bool) -> None:
    dims = (3, 4) if batch_ok else (3,)
    if data.dim() not in dims:
        layout = "(H, W, C) or (N, H, W, C)" if batch_ok else "(height, width, channels)"
        raise MXNetError(f"{name}: input image must have shape {layout}, got {tuple(data.shape)}")


@op("_image_resize", attrs={"size": Shape(()), "keep_ratio": Bool(False), "interp": Int(1)})
def image_resize(data, *, size, keep_ratio, interp):
    """Scales an ``(H, W, C)`` image or ``(N, H, W, C)`` batch to a new size.

    ``size`` is ``(width, height)``, or one int for both sides; with ``keep_ratio`` one int sets the
    short side and the long side keeps the aspect ratio. ``interp`` is OpenCV's code (0 nearest,
    1 bilinear, 2 bicubic, 3 area, 4 Lanczos-4).
    """
    _image_input("resize", data, batch_ok=True)
    w, h = resized_size(data.shape[-3], data.shape[-2], size, keep_ratio)
    return resize_hwc(data, w, h, interp)


@op("_cvimresize", inputs=("src",), attrs={"w": Int(), "h": Int(), "interp": Int(1)})
def cvimresize(src, *, w, h, interp):
    """Scales an ``(H, W, C)`` image to width ``w`` and height ``h`` (``mx.image.imresize``), with
    OpenCV's interpolation code ``interp``.
    """
    _image_input("imresize", src, batch_ok=False)
    return resize_hwc(src, w, h, interp)


@op("_image_crop", attrs={"x": Int(), "y": Int(), "width": Int(), "height": Int()})
def image_crop(data, *, x, y, width, height):
    """Cuts the ``width`` x ``height`` rectangle whose top-left corner is ``(x, y)`` out of an
    ``(H, W, C)`` image or ``(N, H, W, C)`` batch; it must lie inside the image.
    """
    _image_input("crop", data, batch_ok=True)
    img_h, img_w = data.shape[-3], data.shape[-2]
    if x < 0 or y < 0 or width <= 0 or height <= 0 or x + width > img_w or y + height > img_h:
        raise MXNetError(f"crop: area x={x}, y={y}, width={width}, height={height} does not fit "
                         f"in an image of width {img_w} and height {img_h}")
    return data[..., y:y + height, x:x + width, :].contiguous()


# -- tensor conversion ---------------------------------------------------------------------------
@op("_image_to_tensor")
def image_to_tensor(data):
    """Turns ``(H, W, C)`` images (or ``(N, H, W, C)`` batches) with values in [0, 255] into
    float32 ``(C, H, W)`` (``(N, C, H, W)``) tensors with values in [0, 1].
    """
    _image_input("to_tensor", data, batch_ok=True)
    perm = (2, 0, 1) if data.dim() == 3 else (0, 3, 1, 2)
    out = data.permute(*perm).to(torch.float32, memory_format=torch.contiguous_format)
    return out.div_(255.0)


@op("_image_normalize", attrs={"mean": Floats((0.0, 0.0, 0.0, 0.0)),
                               "std": Floats((1.0, 1.0, 1.0, 1.0))})
def image_normalize(data, *, mean, std):
    """Standardizes a ``(C, H, W)`` tensor or ``(N, C, H, W)`` batch channel by channel:
    ``(x[c] - mean[c]) / std[c]``.

    ``mean`` and ``std`` hold one value per channel (1 or 3 channels), or a single value for all.
    """
    if data.dim() not in (3, 4):
        raise MXNetError(f"normalize: input must have shape (C, H, W) or (N, C, H, W), got "
                         f"{tuple(data.shape)}")
    channels = data.shape[-3]
    if channels not in (1, 3):
        raise MXNetError(f"normalize: the channel dimension must have 1 or 3 elements, got input "
                         f"of shape {tuple(data.shape)}")
    for name, values in (("mean", mean), ("std", std)):
        if len(values) not in (1, channels):
            raise MXNetError(f"normalize: invalid {name} {values} for input of shape "
                             f"{tuple(data.shape)}: it must have 1 or {channels} elements")
    work = torch.float64 if data.dtype == torch.float64 else torch.float32
    shape = (-1, 1, 1)
    m = torch.tensor(mean, dtype=work, device=data.device).reshape(shape)
    s = torch.tensor(std, dtype=work, device=data.device).reshape(shape)
    out = (data.to(work) - m) / s
    return out if data.dtype == work else _truncate_to(out, data.dtype)


# -- flips ---------------------------------------------------------------------------------------
def _flip_ops(direction: str, axis: int) -> tuple:
    """``_image_flip_<direction>`` and ``_image_random_flip_<direction>`` (probability 0.5)."""
    where = "from " + direction.replace("_", " to ")  # "from left to right"

    @op(f"_image_flip_{direction}",
        grad_note="The gradient is the head gradient flipped back, the operator's derivative; "
                  "MXNet 1.9.1 passes the head gradient through unflipped.")
    def flip(data):
        _image_input(f"flip_{direction}", data, batch_ok=False)
        return data.flip(axis)

    @op(f"_image_random_flip_{direction}")
    def random_flip(data):
        _image_input(f"random_flip_{direction}", data, batch_ok=False)
        return data.flip(axis) if _uniform(0.0, 1.0) < 0.5 else data.clone()

    flip.doc = f"Flip an (H x W x C) image {where}."
    random_flip.doc = f"Flip an (H x W x C) image {where} with probability 0.5."
    # a declared rule: shape inference must not run the implementation, which draws a number
    for entry in (flip, random_flip):
        entry.shape(same_shape)
    return flip, random_flip


image_flip_left_right, image_random_flip_left_right = _flip_ops("left_right", 1)
image_flip_top_bottom, image_random_flip_top_bottom = _flip_ops("top_bottom", 0)


# -- colour --------------------------------------------------------------------------------------
def _uniform(low: float, high: float) -> float:
    """A float drawn from torch's generator (``mx.random.seed`` seeds it)."""
    return low + (high - low) * float(torch.rand(()))


def _truncate_to(t: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """MXNet's saturate_cast of the image kernels: uint8 clamps to [0, 255] and truncates,
    other integer types truncate, floating types keep the value."""
    if dtype == torch.uint8:
        t = t.clamp(0.0, 255.0)
    return t.to(dtype)


def _color_input(name: str, data: torch.Tensor) -> None:
    _image_input(name, data, batch_ok=False)
    if data.shape[2] not in (1, 3):
        raise MXNetError(f"{name}: the last dimension of the input image must be the channel "
                         f"dimension with 1 or 3 elements, got shape {tuple(data.shape)}")


def adjust_brightness(x: torch.Tensor, alpha: float) -> torch.Tensor:
    return _truncate_to(x.float() * alpha, x.dtype)


def adjust_contrast(x: torch.Tensor, alpha: float) -> torch.Tensor:
    xf = x.float()
    pixels = x.shape[0] * x.shape[1]
    if x.shape[2] == 3:
        gray_sum = (xf * xf.new_tensor(_GRAY_COEF)).sum()
    else:
        gray_sum = xf.sum()
    beta = (1.0 - alpha) * float(gray_sum) / pixels
    return _truncate_to(xf * alpha + beta, x.dtype)


def adjust_saturation(x: torch.Tensor, alpha: float) -> torch.Tensor:
    if x.shape[2] == 1:
        return x.clone()
    xf = x.float()
    # MXNet 1.9.1 assigns instead of accumulating the grey value, so only the blue channel's
    # term (0.114 * B) survives; reproduced so augmentations match MXNet's.
    gray = xf[:, :, 2:3] * _GRAY_COEF[2] * (1.0 - alpha)
    return _truncate_to(gray + xf * alpha, x.dtype)


def adjust_hue(x: torch.Tensor, alpha: float) -> torch.Tensor:
    """Rotate the hue by ``alpha`` turns in HLS space, MXNet's RGB <-> HLS conversion."""
    if x.shape[2] == 1:
        return x.clone()
    h, l, s = _rgb_to_hls(x.float())
    return _truncate_to(_hls_to_rgb(h + alpha * 360.0, l, s), x.dtype)


def _rgb_to_hls(x: torch.Tensor) -> tuple:
    r, g, b = (x[..., i] / 255.0 for i in range(3))
    vmax = torch.maximum(torch.maximum(r, g), b)
    vmin = torch.minimum(torch.minimum(r, g), b)
    diff = vmax - vmin
    l = (vmax + vmin) * 0.5
    chroma = diff > torch.finfo(torch.float32).eps
    safe = torch.where(chroma, diff, torch.ones_like(diff))
    s = torch.where(l < 0.5, diff / torch.where(chroma, vmax + vmin, 1.0),
                    diff / torch.where(chroma, 2.0 - vmax - vmin, 1.0))
    d = 60.0 / safe
    h = torch.where(vmax == r, (g - b) * d,
                    torch.where(vmax == g, (b - r) * d + 120.0, (r - g) * d + 240.0))
    h = torch.where(h < 0, h + 360.0, h)
    zero = torch.zeros_like(h)
    return torch.where(chroma, h, zero), l, torch.where(chroma, s, zero)


_HLS_SECTORS = ((1, 3, 0), (1, 0, 2), (3, 0, 1), (0, 2, 1), (0, 1, 3), (2, 1, 0))


def _hls_to_rgb(h: torch.Tensor, l: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    p2 = torch.where(l <= 0.5, l * (1 + s), l + s - l * s)
    p1 = 2 * l - p2
    h = torch.remainder(h / 60.0, 6.0)
    sector = h.floor().long().clamp(0, 5)
    h = h - sector
    tab = torch.stack([p2, p1, p1 + (p2 - p1) * (1 - h), p1 + (p2 - p1) * h], -1)
    pick = torch.tensor(_HLS_SECTORS, device=h.device)[sector]  # (..., 3): b, g, r columns
    bgr = tab.gather(-1, pick)
    return bgr.flip(-1) * 255.0


def adjust_lighting(x: torch.Tensor, alpha: tuple) -> torch.Tensor:
    if x.shape[2] == 1:
        return x.clone()
    eig = torch.tensor(_LIGHTING_EIG, dtype=torch.float32)
    pca = (eig @ torch.tensor(alpha, dtype=torch.float32)).to(x.device)
    return _truncate_to(x.float() + pca, x.dtype)


def _factor_op(name: str, adjust):
    @op(f"_image_random_{name}", attrs={"min_factor": Float(), "max_factor": Float()})
    def random_op(data, *, min_factor, max_factor):
        _color_input(f"random_{name}", data)
        return adjust(data, _uniform(min_factor, max_factor))

    random_op.doc = (f"Randomly adjust the {name} of an (H x W x C) image with a factor drawn "
                     "uniformly from [min_factor, max_factor].")
    random_op.shape(same_shape)
    return random_op


image_random_brightness = _factor_op("brightness", adjust_brightness)
image_random_contrast = _factor_op("contrast", adjust_contrast)
image_random_saturation = _factor_op("saturation", adjust_saturation)
image_random_hue = _factor_op("hue", adjust_hue)


@op("_image_random_color_jitter", attrs={"brightness": Float(), "contrast": Float(),
                                         "saturation": Float(), "hue": Float()})
def image_random_color_jitter(data, *, brightness, contrast, saturation, hue):
    """Changes the brightness, contrast, saturation and hue of an ``(H, W, C)`` image by random
    amounts, the four in a random order.

    Each factor bounds its change: brightness, contrast and saturation are scaled by a factor drawn
    from ``[1 - f, 1 + f]``, the hue rotated by a draw from ``[-f, f]`` turns; 0 leaves the property
    alone.
    """
    _color_input("random_color_jitter", data)
    out: Optional[torch.Tensor] = None
    for which in torch.randperm(4).tolist():
        amount = (brightness, contrast, saturation, hue)[which]
        if amount <= 0:
            continue
        src = data if out is None else out
        if which == 3:
            out = adjust_hue(src, _uniform(-amount, amount))
        else:
            adjust = (adjust_brightness, adjust_contrast, adjust_saturation)[which]
            out = adjust(src, 1.0 + _uniform(-amount, amount))
    return data.clone() if out is None else out


@op("_image_adjust_lighting", attrs={"alpha": Floats()})
def image_adjust_lighting(data, *, alpha):
    """Shifts the colours of an ``(H, W, C)`` RGB image along the principal components of ImageNet's
    pixel colours, the PCA lighting of AlexNet; ``alpha`` holds the three components' weights.
    """
    _color_input("adjust_lighting", data)
    if len(alpha) != 3:
        raise MXNetError(f"adjust_lighting: alpha must hold 3 values (R, G, B), got {alpha}")
    return adjust_lighting(data, alpha)


@op("_image_random_lighting", attrs={"alpha_std": Float(0.05)})
def image_random_lighting(data, *, alpha_std):
    """AlexNet's PCA lighting noise: ``image_adjust_lighting`` with weights drawn from a normal
    distribution of standard deviation ``alpha_std``.
    """
    _color_input("random_lighting", data)
    alpha = (torch.randn(3) * alpha_std).tolist()
    return adjust_lighting(data, tuple(alpha))


for _entry in (image_random_color_jitter, image_adjust_lighting, image_random_lighting):
    _entry.shape(same_shape)
