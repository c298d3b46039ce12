"""Read MNIST's IDX files directly, so the app tests do not depend on the dataset classes."""
from __future__ import annotations

import gzip
import pathlib

import numpy as np


def read_idx(path: pathlib.Path) -> np.ndarray:
    """The array stored in an IDX file (``.gz`` or raw): uint8 images or labels."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims).copy()


def mnist_test_set(root: pathlib.Path, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``count`` MNIST test images ``(N, 28, 28)`` uint8 and their labels ``(N,)``."""
    images = read_idx(root / "t10k-images-idx3-ubyte.gz")[:count]
    labels = read_idx(root / "t10k-labels-idx1-ubyte.gz")[:count]
    return images, labels
