"""IDX files (MNIST's format) from untrusted sources: bounded work, MXNetError for every refusal."""
from __future__ import annotations

import gzip
import json
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest

import mxtorch as mx
from mxtorch.base import MXNetError

from tests.conftest import ROOT


def _idx(dims, payload=None) -> bytes:
    header = bytes([0, 0, 8, len(dims)]) + struct.pack(f">{len(dims)}I", *dims)
    return header + (payload if payload is not None else bytes(int(np.prod(dims))))


def _write_pair(tmp_path, images: bytes, labels: bytes):
    image_path, label_path = tmp_path / "images-idx3-ubyte", tmp_path / "labels-idx1-ubyte"
    image_path.write_bytes(images)
    label_path.write_bytes(labels)
    return str(image_path), str(label_path)


def _gzip_bomb(header: bytes, inflated_mb: int) -> bytes:
    """A gzip member starting with ``header`` and then ``inflated_mb`` MB of zeros, built in chunks."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [packer.compress(header)]
    zeros = bytes(1 << 20)
    parts += [packer.compress(zeros) for _ in range(inflated_mb)]
    return b"".join(parts) + packer.flush()


def test_gzip_bomb_is_refused_without_inflating_it(tmp_path):
    # 256 MB of zeros behind a header declaring six images: about 250 KB on disk.
    bomb = _gzip_bomb(bytes([0, 0, 8, 3]) + struct.pack(">3I", 6, 28, 28), 256)
    assert len(bomb) < 1 << 20
    image_path, label_path = _write_pair(tmp_path, bomb, _idx((6,)))
    script = f"""
import json, resource, mxtorch as mx
from mxtorch.base import MXNetError
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    mx.io.MNISTIter(image={image_path!r}, label={label_path!r}, batch_size=2, silent=True)
    outcome = "accepted"
except MXNetError as err:
    outcome = str(err)
print(json.dumps([outcome, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before]))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    outcome, growth_kb = json.loads(out.stdout.strip().splitlines()[-1])
    assert "declares dimensions (6, 28, 28)" in outcome
    assert growth_kb < 64 * 1024, f"reading a 250 KB file grew the process by {growth_kb} KB"


def test_declared_size_over_the_limit_is_refused_before_reading(tmp_path):
    huge = gzip.compress(bytes([0, 0, 8, 3]) + struct.pack(">3I", 2**32 - 1, 28, 28))
    image_path, label_path = _write_pair(tmp_path, huge, _idx((6,)))
    with pytest.raises(MXNetError, match="more than the .* bytes mxtorch reads"):
        mx.io.MNISTIter(image=image_path, label=label_path, batch_size=2, silent=True)


@pytest.mark.parametrize("compress", [False, True])
def test_images_that_are_not_28x28_are_refused(tmp_path, compress):
    images = _idx((6, 27, 29))
    image_path, label_path = _write_pair(tmp_path, gzip.compress(images) if compress else images,
                                         _idx((6,)))
    with pytest.raises(MXNetError, match="28x28"):
        mx.io.MNISTIter(image=image_path, label=label_path, batch_size=2, silent=True)


@pytest.mark.parametrize("damage", ["truncated", "corrupt"])
def test_damaged_gzip_is_an_mxnet_error(tmp_path, damage):
    blob = gzip.compress(_idx((6, 28, 28)))
    blob = blob[:len(blob) // 2] if damage == "truncated" else blob[:12] + b"\xff" * 20 + blob[32:]
    image_path, label_path = _write_pair(tmp_path, blob, _idx((6,)))
    with pytest.raises(MXNetError, match="gzip|IDX"):
        mx.io.MNISTIter(image=image_path, label=label_path, batch_size=2, silent=True)


def test_multi_member_gzip_still_reads(tmp_path):
    images = _idx((6, 28, 28), bytes(range(256)) * 18 + bytes(range(96)))
    image_path, label_path = _write_pair(tmp_path, gzip.compress(images[:50]) + gzip.compress(images[50:]),
                                         _idx((6,)))
    it = mx.io.MNISTIter(image=image_path, label=label_path, batch_size=6, shuffle=False, silent=True)
    expected = np.frombuffer(images[16:], np.uint8).reshape(6, 1, 28, 28) / 256
    np.testing.assert_allclose(next(iter(it)).data[0].asnumpy(), expected, rtol=1e-6)
