"""Samplers: the objects that decide which dataset indices a DataLoader reads, and in what order."""
from __future__ import annotations

from typing import Any, Callable, Iterator, Optional

import numpy as np

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "FilterSampler", "BatchSampler",
           "SplitSampler"]

_LAST_BATCH = ("keep", "discard", "rollover")


class Sampler:
    """Base class of samplers: an iterable of dataset indices with a known length.

    Subclasses implement ``__iter__`` (one epoch of indices) and ``__len__``.
    mxtorch's samplers may also answer ``_index_array`` with a whole epoch
    as an array, which lets :class:`BatchSampler` and the DataLoader slice
    batches without a Python step per sample.
    """

    def __iter__(self) -> Iterator:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def _index_array(self) -> Optional[np.ndarray]:
        """One epoch of indices as an int64 array, or None when the sampler must be iterated.

        Samplers that know their whole epoch up front (sequential, random) answer here, so a
        BatchSampler can cut batches with array slicing instead of one Python step per sample.
        """
        return None


class SequentialSampler(Sampler):
    """The indices ``start, start + 1, ..., start + length - 1``, in order.

    Parameters
    ----------
    length : int
        Number of indices.
    start : int, default 0
        First index.

    Examples
    --------
    >>> list(mx.gluon.data.SequentialSampler(3, start=5))
    [5, 6, 7]
    """

    def __init__(self, length: int, start: int = 0):
        self._length = length
        self._start = start

    def __iter__(self) -> Iterator[int]:
        stop = self._start + self._length
        return iter(range(self._start, stop))

    def __len__(self) -> int:
        return self._length

    def _index_array(self) -> np.ndarray:
        return np.arange(self._start, self._start + self._length, dtype=np.int64)


class RandomSampler(Sampler):
    """A fresh random permutation of ``0 .. length - 1`` each epoch.

    The shuffle draws from numpy's global random state, as MXNet's does, so
    ``np.random.seed`` makes the order repeatable.

    Parameters
    ----------
    length : int
        Number of indices.
    """

    def __init__(self, length: int):
        self._length = length

    def __iter__(self) -> Iterator[int]:
        return iter(self._index_array())

    def __len__(self) -> int:
        return self._length

    def _index_array(self) -> np.ndarray:
        indices = np.arange(self._length)
        np.random.shuffle(indices)
        return indices.astype(np.int64, copy=False)


class SplitSampler(Sampler):
    """Samples the part ``part_index`` of ``num_parts`` equal parts of [0, length), for the
    workers of a distributed job (GluonCV's and MXNet's tutorial sampler; not in MXNet itself).

    Every part has ``length // num_parts`` indices (the remainder is left out), so every worker
    makes the same number of steps, as synchronous training needs. Usually
    ``num_parts=kv.num_workers, part_index=kv.rank``.

    Parameters
    ----------
    length : int
        Length of the sequence.
    num_parts : int, default 1
        Number of parts (workers).
    part_index : int, default 0
        The part to sample, in [0, num_parts).
    shuffle : bool, default True
        Whether each epoch visits the part in a new random order (numpy's global random state,
        as RandomSampler), or in order.
    """

    def __init__(self, length: int, num_parts: int = 1, part_index: int = 0,
                 shuffle: bool = True):
        if num_parts < 1 or not 0 <= part_index < num_parts:
            raise ValueError(f"part_index {part_index} must be in [0, num_parts={num_parts}) "
                             "with num_parts >= 1")
        self._part_len = length // num_parts
        self._start = self._part_len * part_index
        self._shuffle = shuffle

    def __iter__(self) -> Iterator[int]:
        return iter(self._index_array().tolist())

    def __len__(self) -> int:
        return self._part_len

    def _index_array(self) -> np.ndarray:
        indices = np.arange(self._start, self._start + self._part_len, dtype=np.int64)
        if self._shuffle:
            np.random.shuffle(indices)
        return indices


class FilterSampler(Sampler):
    """The indices of the samples of ``dataset`` that ``fn`` accepts, in order.

    The dataset is read once, at construction, to find them.

    Parameters
    ----------
    fn : callable
        Predicate called with each sample; a true result keeps its index.
    dataset : Dataset
        The dataset to select from.

    Examples
    --------
    >>> data = mx.gluon.data.SimpleDataset([3, 8, 1, 9])
    >>> list(mx.gluon.data.FilterSampler(lambda x: x > 2, data))
    [0, 1, 3]
    """

    def __init__(self, fn: Callable[[Any], bool], dataset: Any):
        self._fn = fn
        self._dataset = dataset
        self._indices = [index for index, item in enumerate(dataset) if fn(item)]

    def __iter__(self) -> Iterator[int]:
        return iter(self._indices)

    def __len__(self) -> int:
        return len(self._indices)

    def _index_array(self) -> np.ndarray:
        return np.asarray(self._indices, dtype=np.int64)


class BatchSampler(Sampler):
    """Group the indices of another sampler into lists of ``batch_size``.

    Parameters
    ----------
    sampler : Sampler
        Source of the indices.
    batch_size : int
        Indices per batch.
    last_batch : {'keep', 'discard', 'rollover'}, default 'keep'
        What happens to the indices left over when the epoch does not divide
        into whole batches: ``'keep'`` yields them as a shorter final batch,
        ``'discard'`` drops them, and ``'rollover'`` holds them back and puts
        them at the front of the next epoch.

    Raises
    ------
    ValueError
        For an unknown ``last_batch`` or a ``batch_size`` below 1.

    Examples
    --------
    >>> batches = mx.gluon.data.BatchSampler(mx.gluon.data.SequentialSampler(7), 3, 'rollover')
    >>> list(batches), list(batches)
    ([[0, 1, 2], [3, 4, 5]], [[6, 0, 1], [2, 3, 4]])
    """

    def __init__(self, sampler: Sampler, batch_size: int, last_batch: str = "keep"):
        if last_batch not in _LAST_BATCH:
            raise ValueError(f"last_batch must be one of 'keep', 'discard', or 'rollover', "
                             f"but got {last_batch}")
        if int(batch_size) < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
        self._sampler = sampler
        self._batch_size = int(batch_size)
        self._last_batch = last_batch
        self._prev: list = []

    def __iter__(self) -> Iterator[list]:
        for batch in self._batches():
            yield batch.tolist() if isinstance(batch, np.ndarray) else batch

    def _batches(self) -> Iterator:
        """Yields each batch: an int64 array when the sampler gives its epoch as an array
        (the DataLoader's fast path indexes with it directly), else a list."""
        indices = self._sampler._index_array() if isinstance(self._sampler, Sampler) else None
        if indices is None:
            yield from self._batches_iterated()
            return
        if self._prev:
            indices = np.concatenate([np.asarray(self._prev, dtype=np.int64), indices])
            self._prev = []
        size = self._batch_size
        full = len(indices) - len(indices) % size
        for start in range(0, full, size):
            yield indices[start:start + size]
        if full < len(indices):
            rest = indices[full:]
            if self._last_batch == "keep":
                yield rest
            elif self._last_batch == "rollover":
                self._prev = rest.tolist()

    def _batches_iterated(self) -> Iterator[list]:
        """Build batches by stepping through the source sampler one index at a time."""
        batch, self._prev = self._prev, []
        for i in self._sampler:
            batch.append(i)
            if len(batch) == self._batch_size:
                yield batch
                batch = []
        if batch:
            if self._last_batch == "keep":
                yield batch
            elif self._last_batch == "rollover":
                self._prev = batch

    def __len__(self) -> int:
        total = len(self._sampler)
        if self._last_batch == "rollover":
            total += len(self._prev)
        whole, left = divmod(total, self._batch_size)
        return whole + 1 if left and self._last_batch == "keep" else whole
