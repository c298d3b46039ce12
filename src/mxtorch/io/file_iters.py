"""The file-reading iterators MXNet implements in C++: MNISTIter and CSVIter.

Both hold the whole file in memory and hand out batches of views on it; they take keyword
arguments only, as MXNet's C++ iterators do, and describe their outputs as ``data`` and
``softmax_label`` unless ``data_name``/``label_name`` say otherwise.
"""
from __future__ import annotations

import logging
import os
import warnings
from typing import Any, Optional

import numpy as np
import torch

from .._fileio.idx import check_mnist_images, read_idx
from ..base import MXNetError, to_torch_dtype
from ..ndarray.ndarray import NDArray
from .io import DataBatch, DataDesc, DataIter, _BatchHolder

__all__ = ["MNISTIter", "CSVIter"]


class _ArrayBatcher(_BatchHolder):
    """Batches of in-memory (data, label) arrays with MXNet's C++ batch-loader rules.

    ``round_batch=None``: the short last batch is dropped (MNISTIter). True: it is completed with
    examples from the start and the next epoch begins after them. False: its free rows keep the
    previous batch's examples (MXNet reuses the batch buffer); ``pad`` counts them either way.
    """

    def __init__(self, data: np.ndarray, label: np.ndarray, batch_size: int,
                 round_batch: Optional[bool], dtype: Any, data_name: str, label_name: str):
        super().__init__(batch_size)
        if batch_size <= 0:
            raise MXNetError(f"batch_size must be positive, got {batch_size}")
        if len(data) == 0:
            raise MXNetError("the iterator's data is empty")
        out_dtype = to_torch_dtype(dtype) if dtype not in (None, "None") else torch.float32
        self._data = torch.from_numpy(np.ascontiguousarray(data)).to(out_dtype)
        self._label = torch.from_numpy(np.ascontiguousarray(label, dtype=np.float32))
        self._round_batch = round_batch
        self._start = 0        # where the next epoch begins (after a round-batch overflow)
        self._cursor = 0
        self._rows: Optional[np.ndarray] = None
        self.current_batch: Optional[DataBatch] = None
        self.provide_data = [DataDesc(data_name, (batch_size, *self._data.shape[1:]),
                                      np.dtype(str(out_dtype).replace("torch.", "")).type)]
        self.provide_label = [DataDesc(label_name, (batch_size, *self._label.shape[1:]), np.float32)]

    def reset(self) -> None:
        self._cursor, self._start = self._start, 0

    def iter_next(self) -> bool:
        n, bs, cur = len(self._data), self.batch_size, self._cursor
        if cur >= n or (self._round_batch is None and cur + bs > n):
            return False
        rows = np.arange(cur, min(cur + bs, n))
        pad = bs - len(rows)
        if pad and self._round_batch:
            rows = np.concatenate([rows, np.arange(pad) % n])
            self._start = pad
        elif pad:
            previous = self._rows if self._rows is not None else np.zeros(bs, np.int64)
            rows = np.concatenate([rows, previous[len(rows):]])
        self._cursor = cur + bs
        self._rows = rows
        index = torch.from_numpy(rows)
        self.current_batch = DataBatch([NDArray(self._data[index])], [NDArray(self._label[index])],
                                       pad=pad, index=rows.astype(np.uint64))
        return True

    def next(self) -> DataBatch:
        if self.iter_next():
            return self.current_batch
        raise StopIteration


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as err:
        raise MXNetError(f"cannot read {path!r}: {err}") from None


def _read_idx(path: str, ndim: int) -> np.ndarray:
    try:
        return read_idx(_read_bytes(path), ndim)
    except MXNetError as err:
        raise MXNetError(f"{path}: {err}") from None


def _partition(n: int, num_parts: int, part_index: int) -> slice:
    if not 0 <= part_index < num_parts:
        raise MXNetError(f"part_index {part_index} must be in [0, num_parts={num_parts})")
    return slice(n * part_index // num_parts, n * (part_index + 1) // num_parts)


def ignore_unknown(iterator: str, kwargs: dict) -> None:
    """MXNet's C++ iterators accepted any keyword and ignored those they did not know (programs
    pass ``input_shape`` to MNISTIter, for one); mxtorch's do too, but say so once per call, as a
    misspelt option otherwise goes unnoticed."""
    if kwargs:
        warnings.warn(f"{iterator}: ignoring arguments it does not use: {sorted(kwargs)}",
                      stacklevel=3)


def MNISTIter(*, image: str = "./train-images-idx3-ubyte", label: str = "./train-labels-idx1-ubyte",
              batch_size: int = 128, shuffle: bool = True, flat: bool = False, seed: int = 0,
              silent: bool = False, num_parts: int = 1, part_index: int = 0,
              prefetch_buffer: int = 4, ctx: str = "gpu", dtype: Any = None,
              data_name: str = "data", label_name: str = "softmax_label", **kwargs: Any) -> DataIter:
    """An iterator over MNIST's IDX files, in batches of ``(batch_size, 1, 28, 28)`` images.

    The files may be raw or gzip-compressed. Pixel values are divided by 256, as MXNet's reader
    did, and only whole batches come out. With ``shuffle`` the examples are put in a random order
    once, drawn from ``seed``, so two iterators with the same seed agree.

    Parameters
    ----------
    image : str, default './train-images-idx3-ubyte'
        Path of the images file.
    label : str, default './train-labels-idx1-ubyte'
        Path of the labels file.
    batch_size : int, default 128
        Examples per batch.
    shuffle : bool, default True
        Whether to put the examples in a random order (once, from ``seed``).
    flat : bool, default False
        Give each image as a vector of 784 values instead of ``(1, 28, 28)``.
    seed : int, default 0
        Seed of the shuffling order.
    silent : bool, default False
        Do not log the number of images loaded.
    num_parts : int, default 1
        Split the examples into this many equal parts (one per worker of a distributed job).
    part_index : int, default 0
        The part this iterator reads.
    prefetch_buffer : int, default 4
        Accepted for compatibility; the whole file is read at once.
    ctx : {'cpu', 'gpu'}, default 'gpu'
        Accepted for compatibility; batches are made on the CPU.
    dtype : str, optional
        Data type of the batches; float32 when None.
    **kwargs
        Other keywords are ignored with a warning, as MXNet ignored them (``input_shape``).

    Returns
    -------
    DataIter
        The result iterator.
    """
    ignore_unknown("MNISTIter", kwargs)
    images = check_mnist_images(_read_idx(image, 3), image)
    labels = _read_idx(label, 1)
    if len(images) != len(labels):
        raise MXNetError(f"MNISTIter: {image} holds {len(images)} images but {label} holds "
                         f"{len(labels)} labels")
    part = _partition(len(images), num_parts, part_index)
    images, labels = images[part], labels[part]
    if shuffle:
        order = np.random.RandomState(seed).permutation(len(images))
        images, labels = images[order], labels[order]
    data = images.astype(np.float32) * (1.0 / 256)
    data = data.reshape(len(data), -1) if flat else data.reshape(len(data), 1, 28, 28)
    if not silent:
        logging.info("MNISTIter: load %d images, shuffle=%d, shape=%s", len(data), int(shuffle),
                     (batch_size, *data.shape[1:]))
    return _ArrayBatcher(data, labels.astype(np.float32), batch_size, None, dtype, data_name,
                         label_name)


def _read_csv(path: str, row_size: int, what: str) -> np.ndarray:
    files = sorted(os.path.join(path, f) for f in os.listdir(path)) if os.path.isdir(path) else [path]
    rows = []
    for fname in files:
        try:
            table = np.loadtxt(fname, delimiter=",", dtype=np.float32, ndmin=2)
        except (OSError, ValueError) as err:
            raise MXNetError(f"CSVIter: cannot read {what} file {fname!r}: {err}") from None
        if table.size and table.shape[1] != row_size:
            raise MXNetError(f"CSVIter: {fname} has rows of {table.shape[1]} values, but the "
                             f"{what} shape needs {row_size}")
        rows.append(table)
    return np.concatenate(rows) if rows else np.zeros((0, row_size), np.float32)


def CSVIter(*, data_csv: str, data_shape: tuple, label_csv: str = "NULL",
            label_shape: tuple = (1,), batch_size: int, round_batch: bool = True,
            prefetch_buffer: int = 4, ctx: str = "gpu", dtype: Any = None,
            data_name: str = "data", label_name: str = "softmax_label", **kwargs: Any) -> DataIter:
    """Returns the CSV file iterator.

    In this function, the `data_shape` parameter is used to set the shape of each line of the
    input data. If a row in an input file is `1,2,3,4,5,6`` and `data_shape` is (3,2), that row
    will be reshaped, yielding an array of shape (3,2). By default, the `CSVIter` has
    `round_batch` parameter set to ``True``: the last batch is completed with examples from the
    start, and the next epoch begins after them.

    Parameters
    ----------
    data_csv : string, required
        The input CSV file or a directory path.
    data_shape : Shape(tuple), required
        The shape of one example.
    label_csv : string, optional, default='NULL'
        The input CSV file or a directory path. If NULL, all labels will be returned as 0.
    label_shape : Shape(tuple), optional, default=[1]
        The shape of one label.
    batch_size : int (non-negative), required
        Batch size.
    round_batch : boolean, optional, default=1
        Whether to use round robin to handle overflow batch or not.
    dtype : {None, 'float16', 'float32', 'float64', 'int32', 'int64', 'int8', 'uint8'}, optional
        Output data type. ``None`` means no change.
    **kwargs
        Other keywords are ignored with a warning, as MXNet ignored them.

    Returns
    -------
    DataIter
        The result iterator.
    """
    ignore_unknown("CSVIter", kwargs)
    data_shape = tuple(data_shape)
    label_shape = tuple(label_shape)
    data = _read_csv(data_csv, int(np.prod(data_shape)), "data").reshape(-1, *data_shape)
    if label_csv in (None, "NULL"):
        label = np.zeros((len(data), *label_shape), np.float32)
    else:
        label = _read_csv(label_csv, int(np.prod(label_shape)), "label").reshape(-1, *label_shape)
        if len(label) != len(data):
            raise MXNetError(f"CSVIter: {data_csv} has {len(data)} rows but {label_csv} has "
                             f"{len(label)}")
    if label_shape == (1,):  # MXNet gives labels of shape (batch,) then
        label = label.reshape(-1)
    return _ArrayBatcher(data, label, batch_size, bool(round_batch), dtype, data_name, label_name)
