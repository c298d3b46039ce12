"""Read individual image files and perform augmentations (MXNet's ``mx.image``), on Pillow.

Decoding uses Pillow where MXNet used OpenCV (plain JPEGs go straight to libjpeg-turbo through
simplejpeg, the same decoder without Pillow's overhead): PNG decodes to the same pixels; JPEG
decoders differ by a few grey levels at most. Resizing follows OpenCV's interpolation methods (see
:func:`imresize`): float images match OpenCV to float rounding, uint8 images within one level.
"""
from __future__ import annotations

import io
import json
import logging
import os
import random
import warnings
from typing import Any, Optional

import numpy as np
import torch

from .. import ndarray as nd
from .._fileio.lst import read_lst
from ..base import MXNetError, numeric_types
from ..ndarray.ndarray import NDArray

from ..io import DataBatch, DataIter

__all__ = ["imread", "imdecode", "imresize", "scale_down", "copyMakeBorder", "resize_short",
           "fixed_crop", "random_crop", "center_crop", "color_normalize", "random_size_crop",
           "imrotate", "random_rotate",
           "Augmenter", "SequentialAug", "ResizeAug", "ForceResizeAug", "RandomCropAug",
           "RandomSizedCropAug", "CenterCropAug", "RandomOrderAug", "BrightnessJitterAug",
           "ContrastJitterAug", "SaturationJitterAug", "HueJitterAug", "ColorJitterAug",
           "LightingAug", "ColorNormalizeAug", "RandomGrayAug", "HorizontalFlipAug", "CastAug",
           "CreateAugmenter", "ImageIter"]


def imread(filename: str, flag: int = 1, to_rgb: int = 1, out: Optional[NDArray] = None) -> NDArray:
    """Load an image file and decode it into an ``(height, width, channels)`` uint8 NDArray.

    Parameters
    ----------
    filename : str
        Path of the file to read.
    flag : {0, 1}, default 1
        1 gives three colour channels, 0 a single grey channel.
    to_rgb : bool, default True
        Channel order of a colour image: RGB when true (MXNet's choice), BGR (OpenCV's) when
        false.
    out : NDArray, optional
        Where to write the decoded pixels; a new array when left out.

    Returns
    -------
    NDArray
        ``(height, width, 3)`` for colour, ``(height, width, 1)`` for grey, dtype uint8.

    Raises
    ------
    MXNetError
        The file cannot be read, or its bytes are not an image Pillow can decode.

    Example
    -------
    >>> img = mx.image.imread("cat.png")      # a 32x48 colour picture
    >>> img.shape, img.dtype
    ((32, 48, 3), <class 'numpy.uint8'>)
    """
    try:
        with open(filename, "rb") as f:
            buf = f.read()
    except OSError as err:
        raise MXNetError(f"imread: cannot read image file {filename!r}: {err.strerror}") from None
    return _decode(buf, flag, to_rgb, out, source=repr(filename))


def imdecode(buf: Any, flag: int = 1, to_rgb: int = 1, out: Optional[NDArray] = None) -> NDArray:
    """Decode the bytes of an encoded image (JPEG, PNG, ...) into an uint8 NDArray.

    Parameters
    ----------
    buf : str/bytes/bytearray or numpy.ndarray
        The encoded image: bytes, a bytearray, or a uint8 array (or NDArray) of those bytes.
        A ``str`` is refused: encode it to bytes first.
    flag : int, optional, default=1
        1 gives three colour channels, 0 a single grey channel.
    to_rgb : int, optional, default=1
        Channel order of a colour image: 1 for RGB (MXNet's choice), 0 for BGR (OpenCV's).
    out : NDArray, optional
        Where to write the decoded pixels; a new array when left out.

    Returns
    -------
    NDArray
        ``(height, width, 3)`` or ``(height, width, 1)`` uint8 pixels.

    Example
    -------
    >>> data = open("cat.png", "rb").read()    # a 32x48 colour picture
    >>> mx.image.imdecode(data, flag=0).shape
    (32, 48, 1)
    """
    if isinstance(buf, NDArray):
        buf = buf.asnumpy()
    if not isinstance(buf, (bytes, bytearray, np.ndarray)):
        raise ValueError("buf must be of type bytes, bytearray or numpy.ndarray,"
                         "if you would like to input type str, please convert to bytes")
    if isinstance(buf, np.ndarray):
        buf = buf.astype(np.uint8, copy=False).tobytes()
    return _decode(bytes(buf), flag, to_rgb, out, source="the buffer")


def _decode(buf: bytes, flag: int, to_rgb: int, out: Optional[NDArray], source: str) -> NDArray:
    from PIL import Image, ImageOps

    if flag not in (0, 1):
        raise MXNetError(f"imdecode: flag must be 1 (color) or 0 (grayscale), got {flag}")
    arr = _decode_plain_jpeg(buf, flag, source)
    if arr is not None:
        return _finish(arr, flag, to_rgb, out)
    try:
        with Image.open(io.BytesIO(buf)) as img:
            _check_pixel_budget(img, source)
            if flag == 0 and img.format == "JPEG":
                img.draft("L", img.size)  # libjpeg's own grey output (the Y channel), as OpenCV's
            img.load()
            fmt = img.format
            # OpenCV applies the EXIF orientation when decoding, so MXNet's images come upright
            # (exif_transpose copies the image even when it has nothing to do: ask first)
            if img.getexif().get(_EXIF_ORIENTATION, 1) != 1:
                img = ImageOps.exif_transpose(img)
            if flag == 0:
                arr = _to_gray(img, fmt)
            else:
                arr = np.array(img if img.mode == "RGB" else img.convert("RGB"))
    except MXNetError:
        raise
    except Image.DecompressionBombError as err:   # Pillow's refusal at open(), past twice the limit
        raise MXNetError(f"imdecode: {source} declares more pixels than PIL.Image.MAX_IMAGE_PIXELS "
                         f"({Image.MAX_IMAGE_PIXELS}) allows ({err}); raise it to decode larger "
                         "images from trusted sources") from None
    except Exception as err:  # noqa: BLE001  (Pillow's decoders fail with many exception types)
        raise MXNetError(f"imdecode: cannot decode {source} as an image "
                         f"({type(err).__name__}: {err})") from None
    return _finish(arr, flag, to_rgb, out)


def _finish(arr: np.ndarray, flag: int, to_rgb: int, out: Optional[NDArray]) -> NDArray:
    arr = arr.reshape(arr.shape[0], arr.shape[1], 1) if flag == 0 else \
        (arr if to_rgb else arr[:, :, ::-1])
    result = NDArray(torch.from_numpy(np.ascontiguousarray(arr)))
    if out is not None:
        out[:] = result
        return out
    return result


_EXIF_ORIENTATION = 0x0112
try:   # libjpeg-turbo's TurboJPEG API: the same pixels as Pillow's decoder, about 1.7x faster
    import simplejpeg as _simplejpeg
except ImportError:   # pragma: no cover  (Pillow decodes everything when it is absent)
    _simplejpeg = None


def _decode_plain_jpeg(buf: bytes, flag: int, source: str) -> Optional[np.ndarray]:
    """Decode a JPEG with simplejpeg when that is safe: the file is a baseline/progressive JPEG
    without EXIF (whose orientation tag Pillow's path applies), within the pixel budget. None
    sends the image to Pillow, which also reports any error."""
    if _simplejpeg is None or not buf.startswith(b"\xff\xd8") or b"Exif\x00" in buf[:65536]:
        return None
    from PIL import Image

    try:
        height, width, _, _ = _simplejpeg.decode_jpeg_header(buf)
    except ValueError:
        return None
    limit = Image.MAX_IMAGE_PIXELS
    if limit is not None and width * height > limit:
        raise MXNetError(f"imdecode: {source} declares {width}x{height} pixels, more than the "
                         f"{limit} that PIL.Image.MAX_IMAGE_PIXELS allows (raise it to decode "
                         "larger images from trusted sources)")
    try:
        return _simplejpeg.decode_jpeg(buf, colorspace="GRAY" if flag == 0 else "RGB")
    except ValueError:
        return None


def _check_pixel_budget(img: Any, source: str) -> None:
    """Refuse, before decoding, an image larger than Pillow's ``Image.MAX_IMAGE_PIXELS`` (about 89
    million pixels unless the user changed it): a few hundred bytes can declare gigapixels."""
    from PIL import Image

    limit = Image.MAX_IMAGE_PIXELS
    width, height = img.size
    if limit is not None and width * height > limit:
        raise MXNetError(f"imdecode: {source} declares {width}x{height} pixels, more than the "
                         f"{limit} that PIL.Image.MAX_IMAGE_PIXELS allows (raise it to decode "
                         "larger images from trusted sources)")


def _to_gray(img: Any, fmt: Optional[str]) -> np.ndarray:
    """Grey levels as OpenCV's decoders give them: for PNG, libpng's conversion with OpenCV's
    weights 0.299 and 0.587 as libpng stores them (floored to 1/32768ths, blue taking the rest),
    truncating; for other formats, cvtColor's rounded fixed-point conversion."""
    if img.mode == "L":
        return np.array(img)
    rgb = np.asarray(img.convert("RGB")).astype(np.uint32)
    if fmt == "PNG":
        weights, shift, bias = (9797, 19234, 3737), 15, 0
    else:
        weights, shift, bias = (4899, 9617, 1868), 14, 1 << 13
    gray = rgb[..., 0] * weights[0] + rgb[..., 1] * weights[1] + rgb[..., 2] * weights[2]
    return ((gray + bias) >> shift).astype(np.uint8)


def imresize(src: NDArray, w: int, h: int, interp: int = 1, out: Optional[NDArray] = None) -> NDArray:
    """Resize an ``(height, width, channels)`` image to ``w`` by ``h`` pixels the way OpenCV's
    ``cv2.resize`` does.

    Parameters
    ----------
    src : NDArray
        The image, channels last.
    w : int, required
        Width of the result.
    h : int, required
        Height of the result.
    interp : int, optional, default=1
        OpenCV's interpolation code: 0 nearest neighbour, 1 bilinear (the default), 2 bicubic
        on 4x4 neighbours, 3 pixel-area averaging, 4 Lanczos on 8x8 neighbours.
    out : NDArray, optional
        An array of the result's shape to write into.

    Returns
    -------
    out : NDArray
        The ``(h, w, channels)`` image. Float images match OpenCV's results to float rounding;
        uint8 images (which OpenCV computes in fixed point) are within one grey level.
    """
    return nd._cvimresize(src, w=w, h=h, interp=interp, out=out)


def scale_down(src_size: tuple, size: tuple) -> tuple:
    """Shrink a crop size, keeping its aspect ratio, until it fits inside the image.

    A crop taller than the image is first scaled to the image's height, then one still wider
    than the image to its width; the result is truncated to integers. A crop that already fits
    comes back unchanged.

    Parameters
    ----------
    src_size : tuple of int
        The image's ``(width, height)``.
    size : tuple of int
        The wanted crop's ``(width, height)``.

    Returns
    -------
    tuple of int
        The crop's ``(width, height)`` after shrinking.

    Example
    --------
    >>> mx.image.scale_down((640, 480), (720, 120))
    (640, 106)
    """
    w, h = size
    sw, sh = src_size
    if sh < h:
        w, h = float(w * sh) / h, sh
    if sw < w:
        w, h = sw, float(h * sw) / w
    return int(w), int(h)


_BORDER_MODES = {0: "constant", 1: "symmetric", 2: "reflect", 3: "edge", 4: "wrap"}


def copyMakeBorder(src: NDArray, top: int, bot: int, left: int, right: int, type: int = 0,  # noqa: N802,A002
                   value: float = 0.0, values: Any = (), out: Optional[NDArray] = None) -> NDArray:
    """Pad an image (height, width, channels) with a border, as OpenCV's ``copyMakeBorder``.

    Parameters
    ----------
    src : NDArray
        The image, (height, width, channels).
    top, bot, left, right : int
        Rows added above and below, columns added to the left and right.
    type : int, optional, default=0
        How the border is filled: 0 a constant colour (``values``), 1 the edge mirrored with the
        edge pixel repeated (``cba|abc``), 2 mirrored about the edge pixel (``cb|abc``), 3 the edge
        pixel repeated, 4 the opposite side wrapped around. OpenCV's flag 16
        (``BORDER_ISOLATED``) may be or-ed in and changes nothing for a whole image.
    value : float, optional, default=0
        The fill for every channel when ``values`` is empty (kept for old callers).
    values : tuple of float, optional
        The fill per channel (up to 4) for ``type=0``; channels past the last value get 0.
    out : NDArray, optional
        Where to write the result.

    Returns
    -------
    NDArray
        The padded image, of shape (height + top + bot, width + left + right, channels).
    """
    kind = type & ~16
    if kind not in _BORDER_MODES:
        raise MXNetError(f"copyMakeBorder: type must be 0-4 (optionally or-ed with 16), got {type}")
    if min(top, bot, left, right) < 0:
        raise MXNetError("copyMakeBorder: margins must be non-negative, got "
                         f"top={top}, bot={bot}, left={left}, right={right}")
    if len(src.shape) != 3:
        raise MXNetError(f"copyMakeBorder: expected an image (height, width, channels), got shape "
                         f"{tuple(src.shape)}")
    arr = src.asnumpy()
    widths = ((top, bot), (left, right), (0, 0))
    if kind == 0:
        channels = arr.shape[2]
        fill = (list(values) + [0.0] * channels)[:channels] if len(values) else [value] * channels
        padded = np.empty((arr.shape[0] + top + bot, arr.shape[1] + left + right, arr.shape[2]),
                          dtype=arr.dtype)
        padded[...] = np.asarray(fill, dtype=np.float64).astype(arr.dtype)
        padded[top:top + arr.shape[0], left:left + arr.shape[1]] = arr
    else:
        padded = np.pad(arr, widths, mode=_BORDER_MODES[kind])
    result = NDArray(torch.from_numpy(np.ascontiguousarray(padded)))
    if out is not None:
        out[:] = result
        return out
    return result


def _get_interp_method(interp: int, sizes: tuple = ()) -> int:
    """Get the interpolation method for resize functions: 9 picks cubic to enlarge, area to
    shrink and bilinear otherwise (cubic without sizes); 10 picks one of 0-4 at random."""
    if interp == 9:
        if sizes:
            assert len(sizes) == 4
            oh, ow, nh, nw = sizes
            if nh > oh and nw > ow:
                return 2
            if nh < oh and nw < ow:
                return 3
            return 1
        return 2
    if interp == 10:
        return random.randint(0, 4)
    if interp not in (0, 1, 2, 3, 4):
        raise ValueError("Unknown interp method %d" % interp)
    return interp


def resize_short(src: NDArray, size: int, interp: int = 2) -> NDArray:
    """Resize an image so that its shorter side becomes ``size`` pixels.

    The longer side is scaled by the same factor (rounded down), so the aspect ratio is kept.

    Parameters
    ----------
    src : NDArray
        The ``(height, width, channels)`` image.
    size : int
        The new length of the shorter side.
    interp : int, optional, default=2
        Interpolation method used for resizing the image (see :func:`imresize`; 9 chooses by the
        direction of resizing, 10 at random).

    Returns
    -------
    NDArray
        The resized image, channels last.
    """
    h, w, _ = src.shape
    if h > w:
        new_h, new_w = size * h // w, size
    else:
        new_h, new_w = size, size * w // h
    return imresize(src, new_w, new_h, interp=_get_interp_method(interp, (h, w, new_h, new_w)))


def fixed_crop(src: NDArray, x0: int, y0: int, w: int, h: int, size: Optional[tuple] = None,
               interp: int = 2) -> NDArray:
    """Cut the ``w`` by ``h`` rectangle whose top-left corner is ``(x0, y0)`` out of an image,
    then resize it to ``size`` if one is given.

    Parameters
    ----------
    src : NDArray
        The ``(height, width, channels)`` image.
    x0 : int
        Column of the rectangle's left edge.
    y0 : int
        Row of the rectangle's top edge.
    w : int
        The rectangle's width.
    h : int
        The rectangle's height.
    size : tuple of (w, h)
        When given and different from ``(w, h)``, the ``(width, height)`` to resize the cut to.
    interp : int, optional, default=2
        Interpolation for that resize, with the codes of :func:`resize_short`.

    Returns
    -------
    NDArray
        The cut (and possibly resized) image.
    """
    out = src[y0:y0 + h, x0:x0 + w]
    if size is not None and (w, h) != tuple(size):
        sizes = (h, w, size[1], size[0])
        out = imresize(out, *size, interp=_get_interp_method(interp, sizes))
    return out


def random_crop(src: NDArray, size: tuple, interp: int = 2) -> tuple:
    """Cut a region of ``size`` (width, height) at a uniformly random place of ``src``.

    When the image is smaller than ``size``, the region is first shrunk to fit (see
    :func:`scale_down`) and the cut is resized up to ``size``.

    Parameters
    ----------
    src : NDArray
        The ``(height, width, channels)`` image.
    size : tuple of (int, int)
        The ``(width, height)`` of the output.
    interp : int, optional, default=2
        Interpolation for a resize, with the codes of :func:`resize_short`.

    Returns
    -------
    NDArray
        The cropped image.
    tuple
        ``(x, y, width, height)``: where the region starts in ``src`` and how large it was
        there, before any resize.
    """
    h, w, _ = src.shape
    new_w, new_h = scale_down((w, h), size)
    x0 = random.randint(0, w - new_w)
    y0 = random.randint(0, h - new_h)
    box = (x0, y0, new_w, new_h)
    return fixed_crop(src, *box, size, interp), box


def center_crop(src: NDArray, size: tuple, interp: int = 2) -> tuple:
    """Cut a region of ``size`` (width, height) from the middle of ``src``, trimming the same
    amount from opposite sides.

    When the image is smaller than ``size``, the region is first shrunk to fit (see
    :func:`scale_down`) and the cut is resized up to ``size``.

    Parameters
    ----------
    src : NDArray
        The ``(height, width, channels)`` image.
    size : list or tuple of int
        The ``(width, height)`` of the output.
    interp : int, optional, default=2
        Interpolation for a resize, with the codes of :func:`resize_short`.

    Returns
    -------
    NDArray
        The cropped image.
    tuple
        ``(x, y, width, height)``: where the region starts in ``src`` and how large it was
        there, before any resize.

    Example
    -------
    >>> out, box = mx.image.center_crop(mx.nd.zeros((480, 640, 3)), (200, 100))
    >>> out.shape, box
    ((100, 200, 3), (220, 190, 200, 100))
    """
    h, w, _ = src.shape
    new_w, new_h = scale_down((w, h), size)
    x0 = int((w - new_w) / 2)
    y0 = int((h - new_h) / 2)
    box = (x0, y0, new_w, new_h)
    return fixed_crop(src, *box, size, interp), box


def color_normalize(src: NDArray, mean: Any, std: Any = None) -> NDArray:
    """Subtract ``mean`` from an image and divide it by ``std``, in place (as MXNet does), and
    return it.

    Parameters
    ----------
    src : NDArray
        The image, channels last; it is modified.
    mean : NDArray
        Per-channel values to subtract, or None to skip the subtraction.
    std : NDArray
        Per-channel values to divide by, or None to skip the division.

    Returns
    -------
    NDArray
        ``src`` itself, normalised.
    """
    if mean is not None:
        src -= mean
    if std is not None:
        src /= std
    return src


def random_size_crop(src: NDArray, size: tuple, area: Any, ratio: tuple, interp: int = 2,
                     **kwargs: Any) -> tuple:
    """Cut a region of random area and random aspect ratio out of ``src`` and resize it to
    ``size`` (the "random resized crop" of Inception-style training).

    Up to ten times, an area is drawn uniformly from ``area`` (as a share of the image's area)
    and an aspect ratio log-uniformly from ``ratio``; the first region that fits inside the
    image is cut at a random place. When none fits, :func:`center_crop` is used instead.

    Parameters
    ----------
    src : NDArray
        The ``(height, width, channels)`` image.
    size : tuple of (int, int)
        The ``(width, height)`` of the output.
    area : float in (0, 1] or tuple of (float, float)
        The range of the region's share of the image's area; a single number is the lower end
        of the range, whose upper end is then 1.
    ratio : tuple of (float, float)
        The lowest and highest aspect ratio (width / height) of the region.
    interp : int, optional, default=2
        Interpolation for the resize, with the codes of :func:`resize_short`.

    Returns
    -------
    NDArray
        The cropped and resized image.
    tuple
        ``(x, y, width, height)``: where the region starts in ``src`` and how large it was
        there, before the resize.
    """
    h, w, _ = src.shape
    src_area = h * w
    if "min_area" in kwargs:
        warnings.warn("`min_area` is deprecated. Please use `area` instead.", DeprecationWarning)
        area = kwargs.pop("min_area")
    assert not kwargs, "unexpected keyword arguments for `random_size_crop`."
    if isinstance(area, numeric_types):
        area = (area, 1.0)
    for _ in range(10):
        target_area = src_area * random.uniform(area[0], area[1])
        log_ratio = (np.log(ratio[0]), np.log(ratio[1]))
        new_ratio = np.exp(random.uniform(*log_ratio))
        new_w, new_h = (int(round(np.sqrt(v))) for v in (target_area * new_ratio,
                                                        target_area / new_ratio))
        if new_w <= w and new_h <= h:
            x0 = random.randint(0, w - new_w)
            y0 = random.randint(0, h - new_h)
            box = (x0, y0, new_w, new_h)
            return fixed_crop(src, *box, size, interp), box
    # fall back to center_crop
    return center_crop(src, size, interp)


def imrotate(src: NDArray, rotation_degrees: Any, zoom_in: bool = False,
             zoom_out: bool = False) -> NDArray:
    """Rotate an image (channels, height, width) or a batch (N, channels, height, width) about
    its centre, counter-clockwise by ``rotation_degrees``, with bilinear sampling; pixels from
    outside the image are 0.

    Parameters
    ----------
    src : NDArray
        float32 image in CHW layout, or a batch in NCHW.
    rotation_degrees : scalar or NDArray
        The angle in degrees: a scalar, or for a batch one angle per image.
    zoom_in : bool
        Enlarge so that no outside (0) pixels show.
    zoom_out : bool
        Shrink so that the whole rotated image is visible.

    Returns
    -------
    NDArray
        The rotated image(s), same shape as ``src``.
    """
    if zoom_in and zoom_out:
        raise ValueError("`zoom_in` and `zoom_out` cannot be both True")
    if src.dtype is not np.float32:
        raise TypeError("Only `float32` images are supported by this function")
    single = src.ndim == 3
    if single:
        if not isinstance(rotation_degrees, numeric_types):
            raise TypeError("When a single image is passed the rotation angle is "
                            "required to be a scalar.")
        src = src.expand_dims(axis=0)
    elif src.ndim != 4:
        raise ValueError("Only 3D and 4D are supported by this function")
    if isinstance(rotation_degrees, numeric_types):
        angles = np.full(len(src), float(rotation_degrees))
    else:
        angles = np.asarray(rotation_degrees.asnumpy() if isinstance(rotation_degrees, NDArray)
                            else rotation_degrees, dtype=np.float64).reshape(-1)
    if len(angles) != len(src):
        raise ValueError("The number of images must be equal to the number of rotation angles")
    _, _, h, w = src.shape
    half_h, half_w = (h - 1) / 2.0, (w - 1) / 2.0
    rad = (np.pi * angles.astype(np.float32) / 180).astype(np.float32).reshape(-1, 1, 1)
    ys = (np.arange(h, dtype=np.float32) - half_h).reshape(1, h, 1)
    xs = (np.arange(w, dtype=np.float32) - half_w).reshape(1, 1, w)
    cos, sin = np.cos(rad), np.sin(rad)
    # where each output pixel samples the input, in the sampler's [-1, 1] coordinates (the
    # division comes after the rotation, so the aspect ratio is kept)
    grid_x = (xs * cos - ys * sin) / np.float32(half_w)
    grid_y = (xs * sin + ys * cos) / np.float32(half_h)
    scale = np.ones((len(src), 1, 1), dtype=np.float32)
    if zoom_in or zoom_out:
        radius = np.float32(np.sqrt(h * h + w * w))
        corner = np.float32(np.arctan(np.float32(h) / np.float32(w)))
        turn = np.abs(rad)
        max_x = np.maximum(np.abs(radius * np.cos(corner + turn)), np.abs(radius * np.cos(corner - turn)))
        max_y = np.maximum(np.abs(radius * np.sin(corner + turn)), np.abs(radius * np.sin(corner - turn)))
        scale = (np.maximum(max_x / w, max_y / h) if zoom_out
                 else np.minimum(w / max_x, h / max_y)).astype(np.float32)
    grid = np.stack([grid_x * scale, grid_y * scale], axis=1).astype(np.float32)
    rotated = nd.BilinearSampler(src, nd.array(grid, ctx=src.context))
    return rotated[0] if single else rotated


def random_rotate(src: NDArray, angle_limits: tuple, zoom_in: bool = False,
                  zoom_out: bool = False) -> NDArray:
    """Rotate ``src`` by a random angle drawn uniformly from ``angle_limits`` (degrees, NumPy's
    global generator; one angle per image of a batch). See :func:`imrotate`.

    Parameters
    ----------
    src : NDArray
        float32 image in CHW layout, or a batch in NCHW.
    angle_limits : tuple of 2 floats
        Lower and upper limit of the angle in degrees.
    zoom_in, zoom_out : bool
        As for :func:`imrotate`.

    Returns
    -------
    NDArray
        The rotated image(s).
    """
    if src.ndim == 3:
        angle = np.random.uniform(*angle_limits)
    else:
        angle = np.random.uniform(*angle_limits, size=src.shape[0])
    return imrotate(src, angle, zoom_in=zoom_in, zoom_out=zoom_out)


# -- augmenters ----------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """A JSON-friendly copy of an augmenter argument: arrays become nested lists."""
    if isinstance(value, NDArray):
        value = value.asnumpy()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


class Augmenter:
    """Base class of the image augmenters: an augmenter is called on one image (an NDArray of
    shape (height, width, channels)) and returns the augmented image.

    Parameters
    ----------
    **kwargs
        The settings that describe the augmenter; :meth:`dumps` writes them out.
    """

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = {key: _plain(value) for key, value in kwargs.items()}

    def dumps(self) -> Any:
        """Describe the augmenter as a JSON string: ``[class name in lower case, settings]``.

        Returns
        -------
        str
            The JSON description.
        """
        return json.dumps([self.__class__.__name__.lower(), self._kwargs])

    def __call__(self, src: NDArray) -> NDArray:
        raise NotImplementedError("Must override implementation.")


class _AugmenterList(Augmenter):
    """An augmenter made of other augmenters (``ts``); it describes itself with theirs."""

    def __init__(self, ts: list) -> None:
        super().__init__()
        self.ts = ts

    def dumps(self) -> Any:
        """Describe the augmenter and, in a nested list, each of its members."""
        return [self.__class__.__name__.lower(), [aug.dumps() for aug in self.ts]]

    def __call__(self, src: NDArray) -> NDArray:
        for aug in self.ts:
            src = aug(src)
        return src


class SequentialAug(_AugmenterList):
    """Apply a list of augmenters one after the other.

    Parameters
    ----------
    ts : list of Augmenter
        The augmenters, in the order they are applied.
    """


class RandomOrderAug(_AugmenterList):
    """Apply a list of augmenters in a new random order (Python's ``random``) on every call.

    Parameters
    ----------
    ts : list of Augmenter
        The augmenters to apply.
    """

    def __call__(self, src: NDArray) -> NDArray:
        random.shuffle(self.ts)
        return super().__call__(src)


class ResizeAug(Augmenter):
    """Resize the image so that its shorter edge is ``size`` (see :func:`resize_short`).

    Parameters
    ----------
    size : int
        The new length of the shorter edge.
    interp : int, optional, default=2
        Interpolation method, as for :func:`resize_short`.
    """

    def __init__(self, size: int, interp: int = 2) -> None:
        super().__init__(size=size, interp=interp)
        self.size = size
        self.interp = interp

    def __call__(self, src: NDArray) -> NDArray:
        return resize_short(src, self.size, self.interp)


class ForceResizeAug(Augmenter):
    """Resize the image to exactly ``size``, whatever its aspect ratio.

    Parameters
    ----------
    size : tuple of (int, int)
        The new size as (width, height).
    interp : int, optional, default=2
        Interpolation method, as for :func:`resize_short`.
    """

    def __init__(self, size: tuple, interp: int = 2) -> None:
        super().__init__(size=size, interp=interp)
        self.size = size
        self.interp = interp

    def __call__(self, src: NDArray) -> NDArray:
        sizes = (src.shape[0], src.shape[1], self.size[1], self.size[0])
        return imresize(src, *self.size, interp=_get_interp_method(self.interp, sizes))


class RandomCropAug(Augmenter):
    """Crop ``size`` at a random place (see :func:`random_crop`).

    Parameters
    ----------
    size : tuple of (int, int)
        The crop size as (width, height).
    interp : int, optional, default=2
        Interpolation method for an image smaller than the crop.
    """

    def __init__(self, size: tuple, interp: int = 2) -> None:
        super().__init__(size=size, interp=interp)
        self.size = size
        self.interp = interp

    def __call__(self, src: NDArray) -> NDArray:
        return random_crop(src, self.size, self.interp)[0]


class RandomSizedCropAug(Augmenter):
    """Crop a random area of random aspect ratio and resize it to ``size`` (see
    :func:`random_size_crop`).

    Parameters
    ----------
    size : tuple of (int, int)
        The output size as (width, height).
    area : float in (0, 1] or tuple of (float, float)
        The range of the crop's share of the image area; one number is its minimum (the
        maximum is then 1).
    ratio : tuple of (float, float)
        The range of the crop's aspect ratio (width / height).
    interp : int, optional, default=2
        Interpolation method, as for :func:`resize_short`.
    """

    def __init__(self, size: tuple, area: Any, ratio: tuple, interp: int = 2, **kwargs: Any) -> None:
        super().__init__(size=size, area=area, ratio=ratio, interp=interp)
        self.size = size
        if "min_area" in kwargs:
            warnings.warn("`min_area` is deprecated. Please use `area` instead.", DeprecationWarning)
            area = kwargs.pop("min_area")
        assert not kwargs, "unexpected keyword arguments for `RandomSizedCropAug`."
        self.area = area
        self.ratio = ratio
        self.interp = interp

    def __call__(self, src: NDArray) -> NDArray:
        return random_size_crop(src, self.size, self.area, self.ratio, self.interp)[0]


class CenterCropAug(Augmenter):
    """Crop ``size`` from the middle of the image (see :func:`center_crop`).

    Parameters
    ----------
    size : tuple of (int, int)
        The crop size as (width, height).
    interp : int, optional, default=2
        Interpolation method for an image smaller than the crop.
    """

    def __init__(self, size: tuple, interp: int = 2) -> None:
        super().__init__(size=size, interp=interp)
        self.size = size
        self.interp = interp

    def __call__(self, src: NDArray) -> NDArray:
        return center_crop(src, self.size, self.interp)[0]


_LUMA = (0.299, 0.587, 0.114)   # the grey weights the colour jitters use


class BrightnessJitterAug(Augmenter):
    """Scale all pixels by a random factor in ``[1 - brightness, 1 + brightness]`` (in place;
    the image must be floating point).

    Parameters
    ----------
    brightness : float
        The jitter range, in [0, 1].
    """

    def __init__(self, brightness: float) -> None:
        super().__init__(brightness=brightness)
        self.brightness = brightness

    def __call__(self, src: NDArray) -> NDArray:
        alpha = random.uniform(-self.brightness, self.brightness) + 1.0
        src *= alpha
        return src


class ContrastJitterAug(Augmenter):
    """Blend the image with its mean grey level by a random factor in
    ``[1 - contrast, 1 + contrast]`` (in place; floating point images).

    Parameters
    ----------
    contrast : float
        The jitter range, in [0, 1].
    """

    def __init__(self, contrast: float) -> None:
        super().__init__(contrast=contrast)
        self.contrast = contrast
        self.coef = nd.array([[_LUMA]])

    def __call__(self, src: NDArray) -> NDArray:
        alpha = random.uniform(-self.contrast, self.contrast) + 1.0
        weighted = src * self.coef
        # the mean grey level is sum(weighted) / (pixels), and weighted.size is 3 * pixels
        gray = (3.0 * (1.0 - alpha) / weighted.size) * nd.sum(weighted)
        src *= alpha
        src += gray
        return src


class SaturationJitterAug(Augmenter):
    """Blend each pixel with its own grey level by a random factor in
    ``[1 - saturation, 1 + saturation]`` (in place; floating point images).

    Parameters
    ----------
    saturation : float
        The jitter range, in [0, 1].
    """

    def __init__(self, saturation: float) -> None:
        super().__init__(saturation=saturation)
        self.saturation = saturation
        self.coef = nd.array([[_LUMA]])

    def __call__(self, src: NDArray) -> NDArray:
        alpha = random.uniform(-self.saturation, self.saturation) + 1.0
        gray = nd.sum(src * self.coef, axis=2, keepdims=True)
        gray *= (1.0 - alpha)
        src *= alpha
        src += gray
        return src


class HueJitterAug(Augmenter):
    """Rotate the hue by a random angle in ``[-hue, hue]`` half-turns, a linear map through the
    YIQ colour space (an approximation of a rotation in HSV).

    Parameters
    ----------
    hue : float
        The jitter range, in [0, 1].
    """

    def __init__(self, hue: float) -> None:
        super().__init__(hue=hue)
        self.hue = hue
        self.tyiq = np.array([[0.299, 0.587, 0.114],
                              [0.596, -0.274, -0.321],
                              [0.211, -0.523, 0.311]])
        self.ityiq = np.array([[1.0, 0.956, 0.621],
                               [1.0, -0.272, -0.647],
                               [1.0, -1.107, 1.705]])

    def __call__(self, src: NDArray) -> NDArray:
        angle = random.uniform(-self.hue, self.hue) * np.pi
        cos, sin = np.cos(angle), np.sin(angle)
        rotate_iq = np.array([[1.0, 0.0, 0.0], [0.0, cos, -sin], [0.0, sin, cos]])
        mix = (self.ityiq @ rotate_iq @ self.tyiq).T   # pixels are rows: rgb' = rgb @ mix
        return nd.dot(src, nd.array(mix))


class ColorJitterAug(RandomOrderAug):
    """Brightness, contrast and saturation jitter, applied in a random order.

    Parameters
    ----------
    brightness : float
        The brightness jitter range, in [0, 1] (0 leaves brightness alone).
    contrast : float
        The contrast jitter range, in [0, 1].
    saturation : float
        The saturation jitter range, in [0, 1].
    """

    def __init__(self, brightness: float, contrast: float, saturation: float) -> None:
        augs = []
        if brightness > 0:
            augs.append(BrightnessJitterAug(brightness))
        if contrast > 0:
            augs.append(ContrastJitterAug(contrast))
        if saturation > 0:
            augs.append(SaturationJitterAug(saturation))
        super().__init__(augs)


class LightingAug(Augmenter):
    """AlexNet-style PCA lighting noise: add ``eigvec @ (alpha * eigval)`` to every pixel, with
    ``alpha`` drawn from ``N(0, alphastd)`` (NumPy's global generator) per call.

    Parameters
    ----------
    alphastd : float
        Standard deviation of the noise.
    eigval : array of 3
        Eigenvalues of the RGB covariance.
    eigvec : array of (3, 3)
        Its eigenvectors, as columns.
    """

    def __init__(self, alphastd: float, eigval: Any, eigvec: Any) -> None:
        super().__init__(alphastd=alphastd, eigval=eigval, eigvec=eigvec)
        self.alphastd = alphastd
        self.eigval = eigval
        self.eigvec = eigvec

    def __call__(self, src: NDArray) -> NDArray:
        alpha = np.random.normal(0, self.alphastd, size=(3,))
        rgb = np.dot(self.eigvec * alpha, self.eigval)
        src += nd.array(rgb)
        return src


class ColorNormalizeAug(Augmenter):
    """Subtract ``mean`` and divide by ``std`` (see :func:`color_normalize`).

    Parameters
    ----------
    mean : NDArray or array-like or None
        Per-channel mean.
    std : NDArray or array-like or None
        Per-channel standard deviation.
    """

    def __init__(self, mean: Any, std: Any) -> None:
        super().__init__(mean=mean, std=std)
        self.mean = mean if mean is None or isinstance(mean, NDArray) else nd.array(mean)
        self.std = std if std is None or isinstance(std, NDArray) else nd.array(std)

    def __call__(self, src: NDArray) -> NDArray:
        return color_normalize(src, self.mean, self.std)


class RandomGrayAug(Augmenter):
    """With probability ``p``, replace every channel by the pixel's grey level (weights 0.21,
    0.72, 0.07); the image keeps its three channels.

    Parameters
    ----------
    p : float
        Probability of turning the image grey.
    """

    def __init__(self, p: float) -> None:
        super().__init__(p=p)
        self.p = p
        self.mat = nd.array([[0.21] * 3, [0.72] * 3, [0.07] * 3])

    def __call__(self, src: NDArray) -> NDArray:
        if random.random() < self.p:
            src = nd.dot(src, self.mat)
        return src


class HorizontalFlipAug(Augmenter):
    """Mirror the image left to right with probability ``p``.

    Parameters
    ----------
    p : float
        Probability of flipping.
    """

    def __init__(self, p: float) -> None:
        super().__init__(p=p)
        self.p = p

    def __call__(self, src: NDArray) -> NDArray:
        if random.random() < self.p:
            src = nd.flip(src, axis=1)
        return src


class CastAug(Augmenter):
    """Convert the image to another data type (float32 by default).

    Parameters
    ----------
    typ : str, optional, default='float32'
        The target data type.
    """

    def __init__(self, typ: str = "float32") -> None:
        super().__init__(type=typ)
        self.typ = typ

    def __call__(self, src: NDArray) -> NDArray:
        return src.astype(self.typ)


_PCA_EIGVAL = np.array([55.46, 4.794, 1.148])   # ImageNet RGB covariance, as MXNet uses it
_PCA_EIGVEC = np.array([[-0.5675, 0.7192, 0.4009],
                        [-0.5808, -0.0045, -0.8140],
                        [-0.5836, -0.6948, 0.4203]])
_DEFAULT_MEAN = (123.68, 116.28, 103.53)         # ImageNet RGB mean and std, for mean/std=True
_DEFAULT_STD = (58.395, 57.12, 57.375)


def _color_augmenters(brightness: float, contrast: float, saturation: float, hue: float,
                      pca_noise: float, rand_gray: float) -> list:
    """The colour part of an augmenter list, shared by CreateAugmenter and CreateDetAugmenter."""
    augs: list = []
    if brightness or contrast or saturation:
        augs.append(ColorJitterAug(brightness, contrast, saturation))
    if hue:
        augs.append(HueJitterAug(hue))
    if pca_noise > 0:
        augs.append(LightingAug(pca_noise, _PCA_EIGVAL, _PCA_EIGVEC))
    if rand_gray > 0:
        augs.append(RandomGrayAug(rand_gray))
    return augs


def _mean_std(mean: Any, std: Any, array_fn: Any) -> tuple:
    """Resolve ``mean``/``std`` arguments: True means ImageNet's values, arrays must have 1 or 3
    entries."""
    if mean is True:
        mean = array_fn(_DEFAULT_MEAN)
    elif mean is not None:
        assert isinstance(mean, (np.ndarray, NDArray)) and mean.shape[0] in [1, 3]
    if std is True:
        std = array_fn(_DEFAULT_STD)
    elif std is not None:
        assert isinstance(std, (np.ndarray, NDArray)) and std.shape[0] in [1, 3]
    return mean, std


def CreateAugmenter(data_shape: tuple, resize: int = 0, rand_crop: bool = False,  # noqa: N802
                    rand_resize: bool = False, rand_mirror: bool = False, mean: Any = None,
                    std: Any = None, brightness: float = 0, contrast: float = 0,
                    saturation: float = 0, hue: float = 0, pca_noise: float = 0,
                    rand_gray: float = 0, inter_method: int = 2) -> list:
    """Build the augmenter list of a classification pipeline.

    The list resizes (when ``resize > 0``), crops to ``data_shape`` (randomly sized, random or
    centred), mirrors, casts to float32, jitters colour and lighting, greys, and normalises, in
    that order.

    Parameters
    ----------
    data_shape : tuple of int
        Output shape (channels, height, width).
    resize : int
        When positive, first resize the shorter edge to this length.
    rand_crop : bool
        Crop at a random place instead of the centre.
    rand_resize : bool
        Crop a random area and aspect ratio (8% to 100% of the area, ratio 3/4 to 4/3) and resize
        it; needs ``rand_crop``.
    rand_mirror : bool
        Mirror left to right with probability 0.5.
    mean : np.ndarray, NDArray, True or None
        Per-channel mean to subtract (True: ImageNet's).
    std : np.ndarray, NDArray, True or None
        Per-channel standard deviation to divide by (True: ImageNet's).
    brightness, contrast, saturation, hue : float
        Colour jitter ranges, 0 for none.
    pca_noise : float
        Standard deviation of the PCA lighting noise, 0 for none.
    rand_gray : float
        Probability of turning an image grey (it keeps three channels).
    inter_method : int, default=2
        Interpolation method for every resize (see :func:`imresize`; 9 chooses by direction, 10
        at random).

    Returns
    -------
    list of Augmenter

    Examples
    --------
    >>> augs = mx.image.CreateAugmenter(data_shape=(3, 224, 224), rand_crop=True,
    ...                                 rand_mirror=True, mean=True, std=True)
    >>> [aug.dumps() for aug in augs]
    """
    augs: list = []
    if resize > 0:
        augs.append(ResizeAug(resize, inter_method))
    crop_size = (data_shape[2], data_shape[1])
    if rand_resize:
        assert rand_crop
        augs.append(RandomSizedCropAug(crop_size, 0.08, (3.0 / 4.0, 4.0 / 3.0), inter_method))
    elif rand_crop:
        augs.append(RandomCropAug(crop_size, inter_method))
    else:
        augs.append(CenterCropAug(crop_size, inter_method))
    if rand_mirror:
        augs.append(HorizontalFlipAug(0.5))
    augs.append(CastAug())
    augs.extend(_color_augmenters(brightness, contrast, saturation, hue, pca_noise, rand_gray))
    mean, std = _mean_std(mean, std, nd.array)
    if mean is not None or std is not None:
        augs.append(ColorNormalizeAug(mean, std))
    return augs


# -- ImageIter -----------------------------------------------------------------------------------
_LAST_BATCH_HANDLES = ("pad", "discard", "roll_over")


def _read_image_list(path: str, dtype: str) -> tuple:
    """Read an ``.lst`` file into ``({index: (label NDArray, path)}, [index, ...])``."""
    imglist: dict = {}
    keys: list = []
    for key, labels, relpath in read_lst(path):
        imglist[key] = (nd.array(labels, dtype=dtype), relpath)
        keys.append(key)
    return imglist, keys


class ImageIter(DataIter):
    """An image iterator with a choice of augmentations, reading a RecordIO file (``.rec``,
    optionally with its ``.idx``) or image files listed in an ``.lst`` file or a Python list.

    Images are decoded and augmented one at a time on the calling thread, as MXNet's ImageIter
    does (:class:`mxtorch.io.ImageRecordIter` is the parallel pipeline). Shuffling and
    partitioning a RecordIO file need its index (``path_imgidx``).

    Parameters
    ----------
    batch_size : int
        Number of images in a batch.
    data_shape : tuple
        Shape of one image (channels, height, width); channels must be 3.
    label_width : int, optional
        Number of labels per image (1 by default).
    path_imgrec : str
        A RecordIO file (``.rec``) written by im2rec or :mod:`mxtorch.recordio`.
    path_imglist : str
        An image list (``.lst``): tab-separated integer index, labels, and path relative to
        ``path_root``. With ``path_imgrec`` it replaces the labels stored in the records.
    imglist : list
        Images as a list of ``[label or labels, path]``.
    path_root : str
        Folder the listed image paths are relative to.
    path_imgidx : str
        The RecordIO index file (``.idx``).
    shuffle : bool
        Shuffle the images at every reset (Python's ``random``).
    part_index : int
        Which part of the data this iterator reads.
    num_parts : int
        Into how many equal parts the data is split.
    aug_list : list of Augmenter
        The augmenters; by default ``CreateAugmenter(data_shape, **kwargs)``.
    data_name : str
        Name of the data in ``provide_data``.
    label_name : str
        Name of the label in ``provide_label``.
    dtype : str
        Data type of labels read from a list: float32 (default), int32, int64 or float64.
    last_batch_handle : str, optional
        What to do with a last, incomplete batch: 'pad' (default) fills it with images from the
        start, 'discard' drops it, 'roll_over' carries its images into the next epoch's first
        batch.
    kwargs : ...
        Arguments for :func:`CreateAugmenter`.
    """

    def __init__(self, batch_size: int, data_shape: tuple, label_width: int = 1,
                 path_imgrec: Optional[str] = None, path_imglist: Optional[str] = None,
                 path_root: Optional[str] = None, path_imgidx: Optional[str] = None,
                 shuffle: bool = False, part_index: int = 0, num_parts: int = 1,
                 aug_list: Optional[list] = None, imglist: Optional[list] = None,
                 data_name: str = "data", label_name: str = "softmax_label",
                 dtype: str = "float32", last_batch_handle: str = "pad", **kwargs: Any) -> None:
        super().__init__()
        assert path_imgrec or path_imglist or isinstance(imglist, list)
        assert dtype in ["int32", "float32", "int64", "float64"], dtype + " label not supported"
        if last_batch_handle not in _LAST_BATCH_HANDLES:
            raise MXNetError(f"ImageIter: last_batch_handle must be one of {_LAST_BATCH_HANDLES}, "
                             f"got {last_batch_handle!r}")
        name = self.__class__.__name__
        if path_imgrec:
            from .. import recordio

            logging.info("%s: loading recordio %s...", name, path_imgrec)
            if path_imgidx:
                self.imgrec = recordio.MXIndexedRecordIO(path_imgidx, path_imgrec, "r")
                self.imgidx = list(self.imgrec.keys)
            else:
                self.imgrec = recordio.MXRecordIO(path_imgrec, "r")
                self.imgidx = None
        else:
            self.imgrec = None

        keys: list = []
        if path_imglist:
            logging.info("%s: loading image list %s...", name, path_imglist)
            self.imglist, keys = _read_image_list(path_imglist, dtype)
        elif isinstance(imglist, list):
            logging.info("%s: loading image list...", name)
            self.imglist = {}
            for index, item in enumerate(imglist, 1):
                if len(item) > 2:
                    label = nd.array(item[:-1], dtype=dtype)
                elif isinstance(item[0], numeric_types):
                    label = nd.array([item[0]], dtype=dtype)
                else:
                    label = nd.array(item[0], dtype=dtype)
                self.imglist[str(index)] = (label, item[-1])
                keys.append(str(index))
        else:
            self.imglist = None
        self.path_root = path_root

        self.check_data_shape(data_shape)
        self.provide_data = [(data_name, (batch_size,) + tuple(data_shape))]
        if label_width > 1:
            self.provide_label = [(label_name, (batch_size, label_width))]
        else:
            self.provide_label = [(label_name, (batch_size,))]
        self.batch_size = batch_size
        self.data_shape = tuple(data_shape)
        self.label_width = label_width
        self.shuffle = shuffle

        if self.imgrec is None:
            self.seq: Optional[list] = keys
        elif shuffle or num_parts > 1 or path_imgidx:
            assert self.imgidx is not None, "shuffle and num_parts > 1 need path_imgidx"
            self.seq = self.imgidx
        else:
            self.seq = None
        if num_parts > 1:
            assert part_index < num_parts
            per_part = len(self.seq) // num_parts
            self.seq = self.seq[part_index * per_part:(part_index + 1) * per_part]

        self.auglist = CreateAugmenter(data_shape, **kwargs) if aug_list is None else aug_list
        self.cur = 0
        self._allow_read = True
        self.last_batch_handle = last_batch_handle
        self.num_image = len(self.seq) if self.seq is not None else None
        self._cache_data: Optional[NDArray] = None
        self._cache_label: Optional[NDArray] = None
        self._cache_idx: Optional[int] = None
        self.reset()

    def reset(self) -> None:
        """Go back to the first image (reshuffling when ``shuffle``); with 'roll_over' the images
        left over from the last batch are kept for the next one."""
        if self.seq is not None and self.shuffle:
            random.shuffle(self.seq)
        if self.last_batch_handle != "roll_over" or self._cache_data is None:
            if self.imgrec is not None:
                self.imgrec.reset()
            self.cur = 0
            self._allow_read = True

    def hard_reset(self) -> None:
        """Go back to the first image and drop any rolled-over images."""
        if self.seq is not None and self.shuffle:
            random.shuffle(self.seq)
        if self.imgrec is not None:
            self.imgrec.reset()
        self.cur = 0
        self._allow_read = True
        self._cache_data = None
        self._cache_label = None
        self._cache_idx = None

    def next_sample(self) -> tuple:
        """Read the next image: returns ``(label, encoded image bytes)``."""
        from .. import recordio

        if not self._allow_read:
            raise StopIteration
        if self.seq is None:
            record = self.imgrec.read()
            if record is None:
                if self.last_batch_handle != "discard":
                    self.imgrec.reset()
                raise StopIteration
            header, img = recordio.unpack(record)
            return header.label, img
        if self.cur >= self.num_image:
            if self.last_batch_handle != "discard":
                self.cur = 0
            raise StopIteration
        idx = self.seq[self.cur]
        self.cur += 1
        if self.imgrec is not None:
            header, img = recordio.unpack(self.imgrec.read_idx(idx))
            if self.imglist is None:
                return header.label, img
            return self.imglist[idx][0], img
        label, fname = self.imglist[idx]
        return label, self.read_image(fname)

    def _batchify(self, batch_data: NDArray, batch_label: NDArray, start: int = 0) -> int:
        """Fill ``batch_data``/``batch_label`` from row ``start``; returns the rows filled."""
        i = start
        try:
            while i < self.batch_size:
                label, encoded = self.next_sample()
                data = self.imdecode(encoded)
                try:
                    self.check_valid_image(data)
                except RuntimeError as err:
                    logging.debug("Invalid image, skipping:  %s", err)
                    continue
                data = self.augmentation_transform(data)
                batch_data[i] = self.postprocess_data(data)
                batch_label[i] = label
                i += 1
        except StopIteration:
            if not i:
                raise
        return i

    def next(self) -> DataBatch:
        """The next batch; its ``pad`` counts the rows that repeat earlier images."""
        c, h, w = self.data_shape
        if self._cache_data is not None:
            batch_data, batch_label, i = self._cache_data, self._cache_label, self._cache_idx
        else:
            batch_data = nd.zeros((self.batch_size, c, h, w))
            batch_label = self._empty_label()
            i = self._batchify(batch_data, batch_label)
        pad = self.batch_size - i
        if pad:
            if self.last_batch_handle == "discard":
                raise StopIteration
            if self.last_batch_handle == "roll_over" and self._cache_data is None:
                self._cache_data, self._cache_label, self._cache_idx = batch_data, batch_label, i
                raise StopIteration
            self._batchify(batch_data, batch_label, i)
            if self.last_batch_handle == "pad":
                self._allow_read = False
            else:
                self._cache_data = self._cache_label = self._cache_idx = None
        return DataBatch([batch_data], [batch_label], pad=pad)

    def _empty_label(self) -> NDArray:
        """A new batch label for :meth:`next` to fill."""
        return nd.empty(self.provide_label[0][1])

    def check_data_shape(self, data_shape: tuple) -> None:
        """Check that ``data_shape`` is (3, height, width)."""
        if not len(data_shape) == 3:
            raise ValueError("data_shape should have length 3, with dimensions CxHxW")
        if not data_shape[0] == 3:
            raise ValueError("This iterator expects inputs to have 3 channels.")

    def check_valid_image(self, data: Any) -> None:
        """Raise RuntimeError for a decoded image without a shape."""
        if len(data[0].shape) == 0:
            raise RuntimeError("Data shape is wrong")

    def imdecode(self, s: bytes) -> NDArray:
        """Decode one image (see :func:`imdecode`); a failure names the image."""
        try:
            return imdecode(s)
        except Exception as err:  # noqa: BLE001  (reported with the image it came from)
            if self.seq is not None:
                idx = self.seq[(self.cur % self.num_image) - 1]
                where = (f"filename: {self.imglist[idx][1]}" if self.imglist is not None
                         else f"index: {idx}")
            else:
                where = "the record just read"
            raise RuntimeError(f"Broken image {where}, {err}") from None

    def read_image(self, fname: str) -> bytes:
        """The encoded bytes of the listed image ``fname`` (relative to ``path_root``)."""
        with open(os.path.join(self.path_root or "", fname), "rb") as fin:
            return fin.read()

    def augmentation_transform(self, data: NDArray) -> NDArray:
        """Apply the augmenters in turn."""
        for aug in self.auglist:
            data = aug(data)
        return data

    def postprocess_data(self, datum: NDArray) -> NDArray:
        """The last step before an image enters the batch: (height, width, channels) to
        (channels, height, width)."""
        return nd.transpose(datum, axes=(2, 0, 1))
