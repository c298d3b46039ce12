"""Fuzz target: a detection RecordIO file read through ``mx.io.ImageDetRecordIter`` (the record
walk, the label counts, the detection labels and the images)."""
from __future__ import annotations

import os
import tempfile

from PIL import Image

import mxtorch as mx
from mxtorch.base import MXNetError
from tests.conftest import GOLDEN

NAME = "detrec"
REFUSALS = (MXNetError,)
DICTIONARY = (b"\x0a\x23\xd7\xce", b"\x00\x00\xa0\x40", b"\x00\x00\x00\x40", b"\xff\xd8\xff",
              b"\x89PNG\r\n\x1a\n")
_WORKDIR = tempfile.mkdtemp(prefix="mxtorch-fuzz-detrec-")
_PIXEL_LIMIT = 4_000_000   # as target_imdecode: a hostile header may declare gigapixels


def seeds() -> list:
    whole = (GOLDEN / "image_det_record" / "det.rec").read_bytes()
    return [whole]


def run(data: bytes) -> None:
    path = os.path.join(_WORKDIR, "det.rec")
    with open(path, "wb") as f:
        f.write(data)
    previous, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, _PIXEL_LIMIT
    it = None
    try:
        it = mx.io.ImageDetRecordIter(path_imgrec=path, data_shape=(3, 8, 8), batch_size=4,
                                      preprocess_threads=1, prefetch_buffer=1)
        width = it.provide_label[0].shape[1]
        for batch in it:
            assert batch.data[0].shape == (4, 3, 8, 8) and batch.label[0].shape == (4, width)
    finally:
        if it is not None:
            it.close()
        Image.MAX_IMAGE_PIXELS = previous
