"""Fuzz target: ``mx.image.imdecode`` on the image formats Pillow reads (colour and grey)."""
from __future__ import annotations

import io

import numpy as np
from PIL import Image

import mxtorch as mx
from mxtorch.base import MXNetError

NAME = "imdecode"
REFUSALS = (MXNetError,)
DICTIONARY = (b"\x89PNG\r\n\x1a\n", b"IHDR", b"IDAT", b"\xff\xd8\xff", b"GIF89a", b"BM", b"RIFF", b"WEBP")


def seeds() -> list:
    pixels = (np.indices((12, 10)).sum(axis=0) * 9 % 256).astype(np.uint8)
    colour = Image.fromarray(np.stack([pixels, pixels[::-1], 255 - pixels], axis=-1))
    out = []
    for image, fmt in ((colour, "PNG"), (colour, "JPEG"), (colour.convert("P"), "GIF"), (colour, "BMP"),
                       (colour, "WEBP"), (Image.fromarray(pixels), "PNG"), (colour.convert("RGBA"), "PNG")):
        buf = io.BytesIO()
        image.save(buf, fmt)
        out.append(buf.getvalue())
    return out


# A service decoding untrusted images lowers Pillow's pixel limit so; the default (89 Mpixels) is
# for a user's own photos, and decoding that many takes longer than the harness allows one input.
_PIXEL_LIMIT = 4_000_000


def run(data: bytes) -> None:
    previous, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, _PIXEL_LIMIT
    try:
        for flag in (1, 0):
            image = mx.image.imdecode(data, flag=flag)
            assert image.ndim == 3 and image.shape[2] == (3 if flag else 1)
    finally:
        Image.MAX_IMAGE_PIXELS = previous
