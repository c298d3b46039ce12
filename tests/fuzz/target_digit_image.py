"""Fuzz target: the digit app's upload path, image bytes to the network's 28x28 input.

``run`` calls :func:`mxtorch.apps.digits.server.decode_digit`, the function ``POST /api/predict``
hands every uploaded image to (after the data URL or multipart part is unwrapped), with the
server's default limits; the server answers its :class:`InputError` with a 4xx.
"""
from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw

from mxtorch.apps.digits.server import InputError, Limits, decode_digit

NAME = "digit_image"
REFUSALS = (InputError,)
DICTIONARY = (b"\x89PNG\r\n\x1a\n", b"IHDR", b"IDAT", b"PLTE", b"tRNS", b"IEND", b"\xff\xd8\xff\xe0",
              b"\xff\xc0", b"GIF89a", b"NETSCAPE2.0", b"BM", b"RIFF", b"WEBPVP8L")
_LIMITS = Limits()


def _seven(side: int, mode: str, ink: int | tuple, paper: int | tuple) -> Image.Image:
    image = Image.new(mode, (side, side), paper)
    stroke = [(side * 0.2, side * 0.2), (side * 0.8, side * 0.2), (side * 0.45, side * 0.85)]
    ImageDraw.Draw(image).line(stroke, fill=ink, width=max(2, side // 10))
    return image


def _one(side: int) -> Image.Image:
    image = Image.new("L", (side, side), 0)
    ImageDraw.Draw(image).line([(side // 2, side // 8), (side // 2 - 2, side * 7 // 8)], fill=255, width=3)
    return image


def seeds() -> list[bytes]:
    """Small digits in each accepted format, as the page, a phone or a scanner would send them."""
    images = [
        (_seven(40, "RGBA", (0, 0, 0, 255), (0, 0, 0, 0)), "PNG", {}),  # the page's canvas export
        (_seven(32, "L", 0, 255), "JPEG", {"quality": 90}),  # black ink on white paper
        (_one(24).convert("P"), "GIF", {}),
        (_seven(28, "RGB", (250, 250, 250), (10, 10, 10)), "BMP", {}),
        (_one(20).convert("RGB"), "WEBP", {"lossless": True}),
        (_seven(30, "LA", (0, 255), (0, 0)), "PNG", {}),
    ]
    out = []
    for image, fmt, options in images:
        buffer = io.BytesIO()
        image.save(buffer, format=fmt, **options)
        out.append(buffer.getvalue())
    return out


def run(data: bytes) -> None:
    """Decode and preprocess ``data`` as the server does; a result must be a valid network input."""
    digit = decode_digit(data, _LIMITS)
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    assert np.isfinite(digit).all() and digit.min() >= 0.0 and digit.max() <= 1.0
