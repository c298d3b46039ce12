"""MNIST's IDX files, raw or gzip-compressed, read within bounds.

An IDX file of unsigned bytes is the magic ``00 00 08 NDIM``, NDIM big-endian uint32 dimensions,
then the data, one byte per element. The files come from downloads and users' folders, so every
size is checked before it is trusted: a gzip file is decompressed only as far as its header says
it reaches (a few MB that inflate to gigabytes cost nothing), and the data must be exactly as long
as the header declares.
"""
from __future__ import annotations

import math
import zlib

import numpy as np

from ..base import MXNetError

__all__ = ["MAX_IDX_BYTES", "decompress_idx", "parse_idx", "read_idx", "check_mnist_images"]

# The largest IDX content read (after decompression): several times EMNIST's biggest file, yet a
# gzip member of a few MB cannot make the reader hold more than this.
MAX_IDX_BYTES = 1 << 30


def read_idx(blob: bytes, ndim: int) -> np.ndarray:
    """The uint8 array in an IDX file's bytes (gzip-compressed or raw) of ``ndim`` dimensions.

    Parameters
    ----------
    blob : bytes
        The file's bytes.
    ndim : int
        The number of dimensions the file must have (3 for images, 1 for labels).

    Returns
    -------
    numpy.ndarray
        A read-only uint8 view of the decompressed bytes.
    """
    return parse_idx(decompress_idx(blob, ndim), ndim)


def decompress_idx(blob: bytes, ndim: int) -> bytes:
    """The bytes of an IDX file of ``ndim`` dimensions, decompressed if ``blob`` is gzip, checked
    against the sizes its header declares before more than the header is decompressed."""
    if blob[:2] != b"\x1f\x8b":
        return blob
    header_size = 4 + 4 * ndim
    dims = _idx_dims(_gunzip_prefix(blob, header_size), ndim)
    needed = header_size + math.prod(dims)
    content = _gunzip_prefix(blob, needed + 1)
    _check_idx_size(dims, len(content) - header_size)
    return content


def parse_idx(content: bytes, ndim: int) -> np.ndarray:
    """The uint8 array of an uncompressed IDX file (magic 0x0000080<ndim>, big-endian dimensions)."""
    dims = _idx_dims(content, ndim)
    header = 4 + 4 * ndim
    _check_idx_size(dims, len(content) - header)
    return np.frombuffer(content, dtype=np.uint8, offset=header).reshape(dims)


def check_mnist_images(images: np.ndarray, source: str) -> np.ndarray:
    """``images`` (read from an IDX file) if they are 28x28, as every MNIST-style set's are."""
    if images.shape[1:] != (28, 28):
        raise MXNetError(f"{source} holds images of {images.shape[1:]} pixels; MNIST-style images "
                         "are 28x28")
    return images


def _gunzip_prefix(blob: bytes, max_bytes: int) -> bytes:
    """The first ``max_bytes`` of the gzip stream in ``blob`` (fewer when the stream is shorter),
    decompressing no further than that."""
    parts, total, data = [], 0, blob
    while data and total < max_bytes:
        member = zlib.decompressobj(wbits=31)
        try:
            chunk = member.decompress(data, max_bytes - total)
        except zlib.error as err:
            raise MXNetError(f"corrupt gzip data ({err})") from None
        parts.append(chunk)
        total += len(chunk)
        if not member.eof:
            if total >= max_bytes:
                break
            raise MXNetError("truncated gzip data (the stream ends inside a member)")
        data = member.unused_data      # gzip allows several members one after another
    return b"".join(parts)


def _check_idx_size(dims: tuple, found: int) -> None:
    """``found`` data bytes (after the header) must be what ``dims`` declare, no more, no fewer."""
    declared = math.prod(dims)
    if found != declared:
        holds = f"only {found}" if found < declared else "more"
        raise MXNetError(f"IDX file's header declares dimensions {dims} ({declared} data bytes), "
                         f"but the file holds {holds}")


def _idx_dims(content: bytes, ndim: int) -> tuple:
    header = 4 + 4 * ndim
    if len(content) < header or content[:4] != bytes([0, 0, 8, ndim]):
        raise MXNetError(f"not an IDX file of {ndim}-D unsigned bytes (magic "
                         f"{content[:4].hex() or 'missing'}, expected 0000080{ndim})")
    dims = tuple(int(d) for d in np.frombuffer(content[4:header], dtype=">u4"))
    # zero-length axes make the data empty, yet an array cannot span 2**64 entries even so
    if math.prod(d for d in dims if d) > MAX_IDX_BYTES:
        raise MXNetError(f"IDX header declares dimensions {dims}, more than the {MAX_IDX_BYTES} "
                         "bytes mxtorch reads from one IDX file")
    return dims
