"""Images the app tests make (numpy and the standard library only: the golden generator
tests/conformance/gen_predict.py imports this under MXNet's venv)."""
import struct
import zlib

import numpy as np

SIZES = ((300, 400), (150, 120))  # one image the ImageNet transform shrinks, one it enlarges


def pattern(height: int, width: int) -> np.ndarray:
    """A (height, width, 3) uint8 image of hashed values: every pixel differs from its neighbours,
    so the interpolation method shows in every output pixel."""
    y, x, c = np.indices((height, width, 3))
    return ((y * 7919 + x * 104729 + c * 31 + (x * y) % 97) % 251).astype(np.uint8)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A few hundred bytes of PNG whose header declares ``width`` x ``height`` 8-bit gray pixels
    (a decompression bomb when they are many)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(bytes(1000))) + _png_chunk(b"IEND", b""))
