"""Turn a drawing into the 28x28 input LeNet was trained on, the way MNIST itself was made.

MNIST's digits were size-normalised to fit a 20x20 box keeping their aspect ratio (with
anti-aliasing), then placed in a 28x28 field so that their centre of mass sits at the centre.
:func:`preprocess` repeats those steps on any drawing, so a digit drawn small, off-centre, thick
or thin reaches the network looking like the digits it learnt from.
"""
from __future__ import annotations

import numpy as np
from PIL import Image

from ..imaging import to_8_bit

__all__ = ["BlankImageError", "preprocess", "FIELD", "BOX"]

FIELD = 28  # side of the network's input
BOX = 20  # the longer side of a digit inside the field, as in MNIST
# Pixels fainter than this fraction of the brightest ink do not widen the bounding box: they are
# the faint anti-aliased halo or background noise, not the digit.
_INK_FRACTION = 0.02
# A drawing whose brightest ink is below this (on a 0..1 scale) holds no digit.
_BLANK_LEVEL = 0.1


class BlankImageError(ValueError):
    """The image holds no ink: nothing was drawn."""


def preprocess(image: Image.Image | np.ndarray) -> np.ndarray:
    """Turn a drawing into a 28x28 MNIST-style digit.

    Steps, as MNIST was made: grayscale, white ink on black; crop to the ink's bounding box;
    scale the longer side to 20 pixels keeping the aspect ratio, with anti-aliasing; paste into a
    28x28 field so that the centre of mass sits at the centre; scale to [0, 1].

    Parameters
    ----------
    image : PIL.Image.Image or numpy.ndarray
        The drawing. With an alpha channel that is not fully opaque (a canvas export), the alpha
        channel is the ink. Otherwise the luminance is used, inverted when the background (the
        image's border) is light, so black-on-white and white-on-black drawings both work.
        A numpy array is read as grayscale ``(H, W)`` or ``(H, W, C)`` with values in 0..255.

    Returns
    -------
    numpy.ndarray
        ``float32`` array of shape ``(28, 28)``, values in [0, 1], white digit on black.

    Raises
    ------
    BlankImageError
        When the image holds no ink.
    """
    ink = _ink(image)
    peak = float(ink.max()) if ink.size else 0.0
    if peak < _BLANK_LEVEL:
        raise BlankImageError("the image is blank: no ink was found (draw a digit first)")
    digit = _fit_box(_crop_to_ink(ink, peak))
    field = _centre_by_mass(digit)
    return np.clip(field / field.max(), 0.0, 1.0).astype(np.float32)


def _ink(image: Image.Image | np.ndarray) -> np.ndarray:
    """Ink intensity in [0, 1] as a float32 (H, W) array: white ink, black background."""
    if isinstance(image, np.ndarray):
        image = _array_to_image(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        alpha = np.asarray(rgba.getchannel("A"), dtype=np.float32) / 255.0
        if alpha.size and alpha.min() < 1.0:
            # A canvas export: transparent background, the strokes are where alpha is.
            return alpha
        image = rgba.convert("RGB")
    gray = np.asarray(to_8_bit(image).convert("L"), dtype=np.float32) / 255.0
    if gray.size and _border_mean(gray) > 0.5:
        gray = 1.0 - gray  # dark ink on a light background
    return gray


def _array_to_image(array: np.ndarray) -> Image.Image:
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise ValueError(f"expected an image array of shape (H, W), (H, W, 3) or (H, W, 4), "
                         f"got shape {array.shape}")
    return Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))


def _border_mean(gray: np.ndarray) -> float:
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    return float(border.mean())


def _crop_to_ink(ink: np.ndarray, peak: float) -> np.ndarray:
    mask = ink > _INK_FRACTION * peak
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def _fit_box(digit: np.ndarray) -> np.ndarray:
    """Scale so the longer side is BOX pixels, keeping the aspect ratio (anti-aliased)."""
    height, width = digit.shape
    scale = BOX / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if size == (width, height):
        return digit
    # Lanczos on a float image: anti-aliased when shrinking, sharp when enlarging, no 8-bit rounding.
    source = Image.fromarray(np.ascontiguousarray(digit, dtype=np.float32))
    resized = source.resize(size, Image.Resampling.LANCZOS)
    return np.clip(np.asarray(resized, dtype=np.float32), 0.0, None)


def _centre_by_mass(digit: np.ndarray) -> np.ndarray:
    """Paste into a FIELD x FIELD image so that the centre of mass lands on the centre.

    The shift is whole pixels (no resampling blur), as in MNIST, whose digits' centres of mass
    lie within half a pixel of (14, 14). It is clamped so that the whole digit stays in the field.
    """
    height, width = digit.shape
    mass = float(digit.sum())
    rows, cols = np.indices(digit.shape)
    com_y = float((digit * rows).sum()) / mass
    com_x = float((digit * cols).sum()) / mass
    top = min(max(round(FIELD / 2 - com_y), 0), FIELD - height)
    left = min(max(round(FIELD / 2 - com_x), 0), FIELD - width)
    field = np.zeros((FIELD, FIELD), dtype=np.float32)
    field[top:top + height, left:left + width] = digit
    return field
