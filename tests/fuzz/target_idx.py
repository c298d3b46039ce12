"""Fuzz target: MNIST's IDX files (raw or gzip) through ``mx.io.MNISTIter``, as a user's download is read."""
from __future__ import annotations

import gzip
import os
import struct
import tempfile

import numpy as np

import mxtorch as mx
from mxtorch.base import MXNetError

NAME = "idx"
REFUSALS = (MXNetError,)
DICTIONARY = (b"\x00\x00\x08\x03", b"\x00\x00\x08\x01", b"\x1f\x8b\x08\x00", struct.pack(">I", 28))
_COUNT = 6
_WORKDIR = tempfile.mkdtemp(prefix="mxtorch-fuzz-idx-")
_LABELS = os.path.join(_WORKDIR, "labels-idx1-ubyte")
with open(_LABELS, "wb") as f:
    f.write(bytes([0, 0, 8, 1]) + struct.pack(">I", _COUNT) + bytes(range(_COUNT)))


def _images() -> bytes:
    pixels = np.random.RandomState(0).randint(0, 256, (_COUNT, 28, 28)).astype(np.uint8)
    return bytes([0, 0, 8, 3]) + struct.pack(">3I", _COUNT, 28, 28) + pixels.tobytes()


def seeds() -> list:
    raw = _images()
    return [raw, gzip.compress(raw), gzip.compress(raw[:100]) + gzip.compress(raw[100:])]


def run(data: bytes) -> None:
    path = os.path.join(_WORKDIR, "images-idx3-ubyte")
    with open(path, "wb") as f:
        f.write(data)
    it = mx.io.MNISTIter(image=path, label=_LABELS, batch_size=2, shuffle=False, silent=True)
    batch = next(iter(it))
    assert batch.data[0].shape == (2, 1, 28, 28)
