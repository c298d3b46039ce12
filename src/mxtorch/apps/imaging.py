"""Image helpers the applications share."""
from __future__ import annotations

import numpy as np
from PIL import Image

__all__ = ["to_8_bit"]

_16_BIT_GRAY = ("I", "I;16", "I;16B", "I;16L", "I;16N")


def to_8_bit(image: Image.Image) -> Image.Image:
    """A 16-bit grayscale image (as a 16-bit PNG opens) as 8-bit ``L``; other images unchanged.

    Pillow's own conversion from these modes to ``L`` or ``RGB`` clips at 255 instead of scaling,
    which turns every level above 1/256 white.
    """
    if image.mode not in _16_BIT_GRAY:
        return image
    levels = np.asarray(image, dtype=np.float64) / 257.0  # 65535 -> 255
    return Image.fromarray(np.clip(np.round(levels), 0, 255).astype(np.uint8), "L")
