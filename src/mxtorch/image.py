"""Read individual image files and perform augmentations (MXNet's ``mx.image``), on Pillow.

Decoding uses Pillow where MXNet used OpenCV: PNG decodes to the same pixels; JPEG decoders
differ by a few grey levels at most. Resizing follows OpenCV's interpolation methods (see
:func:`imresize`): float images match OpenCV to float rounding, uint8 images within one level.
"""
from __future__ import annotations

import io
import random
import warnings
from typing import Any, Optional

import numpy as np
import torch

from . import ndarray as nd
from .base import MXNetError, numeric_types
from .ndarray.ndarray import NDArray

__all__ = ["imread", "imdecode", "imresize", "scale_down", "resize_short", "fixed_crop",
           "random_crop", "center_crop", "color_normalize", "random_size_crop"]


def imread(filename: str, flag: int = 1, to_rgb: int = 1, out: Optional[NDArray] = None) -> NDArray:
    """Read and decode an image to an NDArray.

    Parameters
    ----------
    filename : str
        Name of the image file to be loaded.
    flag : {0, 1}, default 1
        1 for three channel color output. 0 for grayscale output.
    to_rgb : bool, default True
        True for RGB formatted output (MXNet default).
        False for BGR formatted output (OpenCV default).
    out : NDArray, optional
        Output buffer. Use `None` for automatic allocation.

    Returns
    -------
    NDArray
        An `NDArray` containing the image, (height, width, 3) or (height, width, 1) uint8.

    Example
    -------
    >>> mx.img.imread("flower.jpg")
    <NDArray 224x224x3 @cpu(0)>
    """
    try:
        with open(filename, "rb") as f:
            buf = f.read()
    except OSError as err:
        raise MXNetError(f"imread: cannot read image file {filename!r}: {err.strerror}") from None
    return _decode(buf, flag, to_rgb, out, source=repr(filename))


def imdecode(buf: Any, flag: int = 1, to_rgb: int = 1, out: Optional[NDArray] = None) -> NDArray:
    """Decode an image to an NDArray.

    Parameters
    ----------
    buf : str/bytes/bytearray or numpy.ndarray
        Binary image data as string or numpy ndarray.
    flag : int, optional, default=1
        1 for three channel color output. 0 for grayscale output.
    to_rgb : int, optional, default=1
        1 for RGB formatted output (MXNet default). 0 for BGR formatted output (OpenCV default).
    out : NDArray, optional
        Output buffer. Use `None` for automatic allocation.

    Returns
    -------
    NDArray
        An `NDArray` containing the image.

    Example
    -------
    >>> with open("flower.jpg", 'rb') as fp:
    ...     str_image = fp.read()
    ...
    >>> image = mx.img.imdecode(str_image)
    >>> image
    <NDArray 224x224x3 @cpu(0)>
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
    try:
        with Image.open(io.BytesIO(buf)) as img:
            _check_pixel_budget(img, source)
            if flag == 0 and img.format == "JPEG":
                img.draft("L", img.size)  # libjpeg's own grey output (the Y channel), as OpenCV's
            img.load()
            fmt = img.format
            # OpenCV applies the EXIF orientation when decoding, so MXNet's images come upright
            img = ImageOps.exif_transpose(img)
            arr = _to_gray(img, fmt) if flag == 0 else np.array(img.convert("RGB"))
    except MXNetError:
        raise
    except Image.DecompressionBombError as err:   # Pillow's refusal at open(), past twice the limit
        raise MXNetError(f"imdecode: {source} declares more pixels than PIL.Image.MAX_IMAGE_PIXELS "
                         f"({Image.MAX_IMAGE_PIXELS}) allows ({err}); raise it to decode larger "
                         "images from trusted sources") from None
    except Exception as err:  # noqa: BLE001  (Pillow's decoders fail with many exception types)
        raise MXNetError(f"imdecode: cannot decode {source} as an image "
                         f"({type(err).__name__}: {err})") from None
    arr = arr[:, :, None] if flag == 0 else (arr if to_rgb else arr[:, :, ::-1])
    result = NDArray(torch.from_numpy(np.ascontiguousarray(arr)))
    if out is not None:
        out[:] = result
        return out
    return result


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
    """Grey levels as OpenCV's decoders give them: libpng's BT.601 conversion (truncating) for
    PNG, cvtColor's rounded fixed-point conversion for other formats."""
    if img.mode == "L":
        return np.array(img)
    rgb = np.asarray(img.convert("RGB")).astype(np.uint32)
    if fmt == "PNG":
        weights, shift, bias = (9798, 19235, 3735), 15, 0
    else:
        weights, shift, bias = (4899, 9617, 1868), 14, 1 << 13
    gray = rgb[..., 0] * weights[0] + rgb[..., 1] * weights[1] + rgb[..., 2] * weights[2]
    return ((gray + bias) >> shift).astype(np.uint8)


def imresize(src: NDArray, w: int, h: int, interp: int = 1, out: Optional[NDArray] = None) -> NDArray:
    r"""Resize image with OpenCV's interpolation methods.

    Parameters
    ----------
    src : NDArray
        source image, (height, width, channels)
    w : int, required
        Width of resized image.
    h : int, required
        Height of resized image.
    interp : int, optional, default=1
        Interpolation method (default=cv2.INTER_LINEAR).
        Possible values:
        0: Nearest Neighbors Interpolation.
        1: Bilinear interpolation.
        2: Bicubic interpolation over 4x4 pixel neighborhood.
        3: Area-based (resampling using pixel area relation).
        4: Lanczos interpolation over 8x8 pixel neighborhood.
    out : NDArray, optional
        The output NDArray to hold the result.

    Returns
    -------
    out : NDArray
        The resized image. Float images match OpenCV's results to float rounding; uint8 images
        (which OpenCV computes in fixed point) are within one grey level.
    """
    return nd._cvimresize(src, w=w, h=h, interp=interp, out=out)


def scale_down(src_size: tuple, size: tuple) -> tuple:
    """Scales down crop size if it's larger than image size.

    If width/height of the crop is larger than the width/height of the image,
    sets the width/height to the width/height of the image.

    Parameters
    ----------
    src_size : tuple of int
        Size of the image in (width, height) format.
    size : tuple of int
        Size of the crop in (width, height) format.

    Returns
    -------
    tuple of int
        A tuple containing the scaled crop size in (width, height) format.

    Example
    --------
    >>> src_size = (640,480)
    >>> size = (720,120)
    >>> new_size = mx.img.scale_down(src_size, size)
    >>> new_size
    (640,106)
    """
    w, h = size
    sw, sh = src_size
    if sh < h:
        w, h = float(w * sh) / h, sh
    if sw < w:
        w, h = sw, float(h * sw) / w
    return int(w), int(h)


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
    """Resizes shorter edge to size.

    Resizes the original image by setting the shorter edge to size
    and setting the longer edge accordingly.

    Parameters
    ----------
    src : NDArray
        The original image.
    size : int
        The length to be set for the shorter edge.
    interp : int, optional, default=2
        Interpolation method used for resizing the image (see :func:`imresize`; 9 chooses by the
        direction of resizing, 10 at random).

    Returns
    -------
    NDArray
        An 'NDArray' containing the resized image.
    """
    h, w, _ = src.shape
    if h > w:
        new_h, new_w = size * h // w, size
    else:
        new_h, new_w = size, size * w // h
    return imresize(src, new_w, new_h, interp=_get_interp_method(interp, (h, w, new_h, new_w)))


def fixed_crop(src: NDArray, x0: int, y0: int, w: int, h: int, size: Optional[tuple] = None,
               interp: int = 2) -> NDArray:
    """Crop src at fixed location, and (optionally) resize it to size.

    Parameters
    ----------
    src : NDArray
        Input image
    x0 : int
        Left boundary of the cropping area
    y0 : int
        Top boundary of the cropping area
    w : int
        Width of the cropping area
    h : int
        Height of the cropping area
    size : tuple of (w, h)
        Optional, resize to new size after cropping
    interp : int, optional, default=2
        Interpolation method. See resize_short for details.

    Returns
    -------
    NDArray
        An `NDArray` containing the cropped image.
    """
    out = src[y0:y0 + h, x0:x0 + w]
    if size is not None and (w, h) != tuple(size):
        sizes = (h, w, size[1], size[0])
        out = imresize(out, *size, interp=_get_interp_method(interp, sizes))
    return out


def random_crop(src: NDArray, size: tuple, interp: int = 2) -> tuple:
    """Randomly crop `src` with `size` (width, height).
    Upsample result if `src` is smaller than `size`.

    Parameters
    ----------
    src: Source image `NDArray`
    size: Size of the crop formatted as (width, height). If the `size` is larger
           than the image, then the source image is upsampled to `size` and returned.
    interp: int, optional, default=2
        Interpolation method. See resize_short for details.

    Returns
    -------
    NDArray
        An `NDArray` containing the cropped image.
    Tuple
        A tuple (x, y, width, height) where (x, y) is top-left position of the crop in the
        original image and (width, height) are the dimensions of the cropped image.
    """
    h, w, _ = src.shape
    new_w, new_h = scale_down((w, h), size)
    x0 = random.randint(0, w - new_w)
    y0 = random.randint(0, h - new_h)
    out = fixed_crop(src, x0, y0, new_w, new_h, size, interp)
    return out, (x0, y0, new_w, new_h)


def center_crop(src: NDArray, size: tuple, interp: int = 2) -> tuple:
    """Crops the image `src` to the given `size` by trimming on all four
    sides and preserving the center of the image. Upsamples if `src` is smaller
    than `size`.

    Parameters
    ----------
    src : NDArray
        Binary source image data.
    size : list or tuple of int
        The desired output image size.
    interp : int, optional, default=2
        Interpolation method. See resize_short for details.

    Returns
    -------
    NDArray
        The cropped image.
    Tuple
        (x, y, width, height) where x, y are the positions of the crop in the
        original image and width, height the dimensions of the crop.

    Example
    -------
    >>> cropped_image, (x, y, width, height) = mx.image.center_crop(image, (1000, 500))
    >>> cropped_image
    <NDArray 500x1000x3 @cpu(0)>
    """
    h, w, _ = src.shape
    new_w, new_h = scale_down((w, h), size)
    x0 = int((w - new_w) / 2)
    y0 = int((h - new_h) / 2)
    out = fixed_crop(src, x0, y0, new_w, new_h, size, interp)
    return out, (x0, y0, new_w, new_h)


def color_normalize(src: NDArray, mean: Any, std: Any = None) -> NDArray:
    """Normalize src with mean and std (in place, as MXNet).

    Parameters
    ----------
    src : NDArray
        Input image
    mean : NDArray
        RGB mean to be subtracted
    std : NDArray
        RGB standard deviation to be divided

    Returns
    -------
    NDArray
        An `NDArray` containing the normalized image.
    """
    if mean is not None:
        src -= mean
    if std is not None:
        src /= std
    return src


def random_size_crop(src: NDArray, size: tuple, area: Any, ratio: tuple, interp: int = 2,
                     **kwargs: Any) -> tuple:
    """Randomly crop src with size. Randomize area and aspect ratio.

    Parameters
    ----------
    src : NDArray
        Input image
    size : tuple of (int, int)
        Size of the crop formatted as (width, height).
    area : float in (0, 1] or tuple of (float, float)
        If tuple, minimum area and maximum area to be maintained after cropping
        If float, minimum area to be maintained after cropping, maximum area is set to 1.0
    ratio : tuple of (float, float)
        Aspect ratio range as (min_aspect_ratio, max_aspect_ratio)
    interp: int, optional, default=2
        Interpolation method. See resize_short for details.

    Returns
    -------
    NDArray
        An `NDArray` containing the cropped image.
    Tuple
        A tuple (x, y, width, height) where (x, y) is top-left position of the crop in the
        original image and (width, height) are the dimensions of the cropped image.
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
        target_area = random.uniform(area[0], area[1]) * src_area
        log_ratio = (np.log(ratio[0]), np.log(ratio[1]))
        new_ratio = np.exp(random.uniform(*log_ratio))
        new_w = int(round(np.sqrt(target_area * new_ratio)))
        new_h = int(round(np.sqrt(target_area / new_ratio)))
        if new_w <= w and new_h <= h:
            x0 = random.randint(0, w - new_w)
            y0 = random.randint(0, h - new_h)
            out = fixed_crop(src, x0, y0, new_w, new_h, size, interp)
            return out, (x0, y0, new_w, new_h)
    # fall back to center_crop
    return center_crop(src, size, interp)
