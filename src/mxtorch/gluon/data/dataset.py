"""Datasets: indexable collections of samples, and the views derived from them (filtered,
sharded, sampled, transformed)."""
from __future__ import annotations

import os
from typing import Any, Callable, Optional

import numpy as np
import torch

from ...base import MXNetError, to_torch_dtype
from ...context import current_context
from ...ndarray.ndarray import NDArray

__all__ = ["Dataset", "SimpleDataset", "ArrayDataset", "RecordFileDataset"]

# A gatherer maps an int64 index array to the batch `default_batchify_fn` would build from the
# samples at those indices, in one indexing operation per array instead of one step per sample.
Gatherer = Callable[[np.ndarray], Any]


class Dataset:
    """Base class of datasets: a sized collection whose ``dataset[i]`` is sample ``i``.

    A subclass defines ``__getitem__`` and ``__len__``. Wherever a dataset is expected
    (DataLoader, ArrayDataset), an NDArray, a NumPy array or a list serves as well.
    The methods below return new datasets that view this one without copying it.
    """

    def __getitem__(self, idx: int) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def _batch_gatherer(self) -> Optional[Gatherer]:
        """The function that reads a whole batch of samples at once, or None when samples must
        be read one by one (a transform is set, or the storage is not an array)."""
        return None

    def filter(self, fn: Callable[[Any], bool]) -> "Dataset":
        """The samples for which ``fn`` is true, in their order.

        ``fn`` is called once on every sample, when this method runs.

        Parameters
        ----------
        fn : callable
            Called with a sample; a false result leaves it out.

        Returns
        -------
        Dataset
            A view holding the kept samples.
        """
        from .sampler import FilterSampler
        return _SampledDataset(self, FilterSampler(fn, self))

    def shard(self, num_shards: int, index: int) -> "Dataset":
        """Shard ``index`` of ``num_shards`` contiguous, nearly equal parts.

        The first ``len(self) % num_shards`` shards hold one sample more than the others.
        In distributed training each worker takes its own shard; shard first and shuffle
        afterwards, or workers may see overlapping samples.

        Parameters
        ----------
        num_shards : int
            How many parts the dataset is cut into.
        index : int
            Which part to return, from 0 to ``num_shards - 1``.

        Returns
        -------
        Dataset
            A view of that part.
        """
        assert index < num_shards, "Shard index of out bound: %d out of %d" % (index, num_shards)
        assert num_shards > 0, "Number of shards must be greater than 0"
        assert index >= 0, "Index must be non-negative"
        length = len(self)
        shard_len, rest = divmod(length, num_shards)
        start = shard_len * index + min(index, rest)
        end = start + shard_len + (index < rest)
        from .sampler import SequentialSampler
        return _SampledDataset(self, SequentialSampler(end - start, start))

    def take(self, count: Optional[int]) -> "Dataset":
        """The first ``count`` samples.

        Parameters
        ----------
        count : int or None
            How many samples to keep; ``None``, or a number past the end, keeps them all.

        Returns
        -------
        Dataset
            A view of those samples.
        """
        if count is None or count > len(self):
            count = len(self)
        from .sampler import SequentialSampler
        return _SampledDataset(self, SequentialSampler(count))

    def sample(self, sampler: Any) -> "Dataset":
        """The samples at the indices ``sampler`` yields, in its order.

        The sampler is iterated once, when this method runs.

        Parameters
        ----------
        sampler : Sampler
            A :class:`~mxtorch.gluon.data.Sampler` whose indices pick the samples.

        Returns
        -------
        Dataset
            A view of the picked samples.

        Raises
        ------
        TypeError
            When ``sampler`` is not a Sampler.
        """
        from .sampler import Sampler
        if not isinstance(sampler, Sampler):
            raise TypeError("Invalid sampler type: %s. Expected gluon.data.Sampler instead." %
                            type(sampler))
        return _SampledDataset(self, sampler)

    def transform(self, fn: Callable, lazy: bool = True) -> "Dataset":
        """Every sample passed through ``fn``.

        A sample that is a tuple is unpacked into ``fn``'s arguments (``fn(data, label)``);
        any other sample is passed as one argument.

        Parameters
        ----------
        fn : callable
            Turns a sample into the new sample.
        lazy : bool, default True
            Call ``fn`` each time a sample is read; when false, call it on every sample now
            and keep the results. A random augmentation needs the lazy form, or every epoch
            sees the same draw.

        Returns
        -------
        Dataset
            The transformed dataset.
        """
        trans = _LazyTransformDataset(self, fn)
        if lazy:
            return trans
        return SimpleDataset([i for i in trans])

    def transform_first(self, fn: Callable, lazy: bool = True) -> "Dataset":
        """Every sample with ``fn`` applied to its first element only (the data, usually,
        leaving the label as it is).

        A DataLoader reading the result applies a batch-capable ``fn`` (``ToTensor``,
        ``Normalize``, ``Cast`` and compositions of them) once per batch instead of once per
        sample; the batches are the same.

        Parameters
        ----------
        fn : callable
            Turns the first element of a sample into its new value.
        lazy : bool, default True
            As for :meth:`transform`.

        Returns
        -------
        Dataset
            The transformed dataset.
        """
        return self.transform(_TransformFirstClosure(fn), lazy=lazy)


class SimpleDataset(Dataset):
    """A dataset over an existing sequence: a list, an array or anything with ``len`` and
    indexing.

    Parameters
    ----------
    data : dataset-like object
        The sequence; ``dataset[i]`` is ``data[i]``.
    """

    def __init__(self, data: Any):
        self._data = data

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, idx: int) -> Any:
        return self._data[idx]

    def _batch_gatherer(self) -> Optional[Gatherer]:
        return array_gatherer(self._data)


class _LazyTransformDataset(Dataset):
    """Lazily transformed dataset."""

    def __init__(self, data: Any, fn: Callable):
        self._data = data
        self._fn = fn

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, idx: int) -> Any:
        item = self._data[idx]
        if isinstance(item, tuple):
            return self._fn(*item)
        return self._fn(item)

    def _batch_gatherer(self) -> Optional[Gatherer]:
        # transform_first with a transform that can take a whole batch (ToTensor, Normalize,
        # Cast and compositions of them): gather the raw batch, transform it once.
        fn = self._fn._fn if isinstance(self._fn, _TransformFirstClosure) else None
        batch_transform = getattr(fn, "_batch_transform", None)
        inner = array_gatherer(self._data) if batch_transform is not None else None
        if inner is None:
            return None

        def gather(indices: np.ndarray) -> Any:
            batch = inner(indices)
            raw = batch[0] if isinstance(batch, list) else batch
            first = batch_transform(raw) if isinstance(raw, NDArray) else None
            if first is None:  # these samples are not a batch the transform understands
                from .dataloader import default_batchify_fn
                return default_batchify_fn([self[i] for i in indices.tolist()])
            return [first] + batch[1:] if isinstance(batch, list) else first
        return gather


class _TransformFirstClosure:
    """``fn`` applied to a sample's first element; a class rather than a closure so that
    worker processes can receive it by pickling."""

    def __init__(self, fn: Callable):
        self._fn = fn

    def __call__(self, x: Any, *args: Any) -> Any:
        if args:
            return (self._fn(x),) + args
        return self._fn(x)


class _SampledDataset(Dataset):
    """A view of a dataset through the indices a sampler gave."""

    def __init__(self, dataset: Any, sampler: Any):
        self._dataset = dataset
        self._sampler = sampler
        self._indices = list(iter(sampler))

    def __len__(self) -> int:
        return len(self._sampler)

    def __getitem__(self, idx: int) -> Any:
        return self._dataset[self._indices[idx]]

    def _batch_gatherer(self) -> Optional[Gatherer]:
        inner = array_gatherer(self._dataset)
        if inner is None:
            return None
        mapping = np.asarray(self._indices, dtype=np.int64)
        return lambda indices: inner(mapping[indices])


class ArrayDataset(Dataset):
    """Several equally long sequences read side by side: sample ``i`` is
    ``(a[i], b[i], ...)``, or ``a[i]`` alone when there is one sequence.

    One-dimensional NDArrays are kept as NumPy arrays, so their samples are scalars (as in
    MXNet).

    Parameters
    ----------
    *args : one or more dataset-like objects
        Datasets, lists or arrays, all of the same length.
    """

    def __init__(self, *args: Any):
        assert len(args) > 0, "Needs at least 1 arrays"
        self._length = len(args[0])
        self._data = []
        for i, data in enumerate(args):
            # MXNet's message, numbering the offending array from 1
            assert len(data) == self._length, (
                f"All arrays must have the same length; array[0] has length {self._length} "
                f"while array[{i + 1}] has {len(data)}.")
            if isinstance(data, NDArray) and len(data.shape) == 1:
                data = data.asnumpy()
            self._data.append(data)

    def __getitem__(self, idx: int) -> Any:
        if len(self._data) == 1:
            return self._data[0][idx]
        return tuple(data[idx] for data in self._data)

    def __len__(self) -> int:
        return self._length

    def _batch_gatherer(self) -> Optional[Gatherer]:
        gatherers = [array_gatherer(data) for data in self._data]
        if any(g is None for g in gatherers):
            return None
        if len(gatherers) == 1:
            return gatherers[0]
        return lambda indices: [g(indices) for g in gatherers]


class RecordFileDataset(Dataset):
    """A dataset over the records of a RecordIO file: item ``i`` is the raw bytes of the record
    with the ``i``-th key of its index.

    Parameters
    ----------
    filename : str
        Path to the ``.rec`` file; its index is the ``.idx`` file of the same name.
    """

    def __init__(self, filename: str):
        from ... import recordio

        self.idx_file = os.path.splitext(filename)[0] + ".idx"
        self.filename = filename
        self._record = recordio.MXIndexedRecordIO(self.idx_file, self.filename, "r")

    def __getitem__(self, idx: int) -> bytes:
        record = self._record
        return record.read_idx(record.keys[idx])

    def __len__(self) -> int:
        return len(self._record.keys)


class _DownloadedDataset(Dataset):
    """Base class for MNIST, cifar10, etc.: images in one NDArray, labels in a numpy array."""

    def __init__(self, root: str, transform: Optional[Callable]):
        super().__init__()
        self._transform = transform
        self._data: Any = None
        self._label: Any = None
        self._root = root
        self._get_data()

    def __getitem__(self, idx: int) -> Any:
        sample = (self._data[idx], self._label[idx])
        return sample if self._transform is None else self._transform(*sample)

    def __len__(self) -> int:
        return len(self._label)

    def _get_data(self) -> None:
        raise NotImplementedError

    def _batch_gatherer(self) -> Optional[Gatherer]:
        if self._transform is not None:
            return None
        data, label = array_gatherer(self._data), array_gatherer(self._label)
        if data is None or label is None:
            return None
        return lambda indices: [data(indices), label(indices)]


# -- batch gathering ------------------------------------------------------------------------------
def array_gatherer(source: Any) -> Optional[Gatherer]:
    """The gatherer of one dataset-like object, or None when it has none.

    The batch it returns equals ``default_batchify_fn([source[i] for i in indices])``: an NDArray
    of stacked samples with the samples' dtype (a 1-D NDArray's samples have shape (1,)), and for
    numpy arrays or lists of numbers the dtype ``numpy.asarray`` gives the samples.
    """
    if isinstance(source, Dataset):
        return source._batch_gatherer() if _gatherer_matches_getitem(type(source)) else None
    if isinstance(source, NDArray):
        return _tensor_gatherer(source._t)
    if isinstance(source, (list, tuple)):
        source = _numbers_as_array(source)
    if isinstance(source, np.ndarray) and source.ndim >= 1 and _supported(source.dtype):
        return _numpy_gatherer(source)
    return None


def _gatherer_matches_getitem(cls: type) -> bool:
    """False when a subclass overrides ``__getitem__`` below the class that defines the
    gatherer: that gatherer would bypass the subclass's own sample logic."""
    owner = {}
    for name in ("__getitem__", "_batch_gatherer"):
        owner[name] = next(k for k in cls.__mro__ if name in vars(k))
    return issubclass(owner["_batch_gatherer"], owner["__getitem__"])


def _supported(dtype: np.dtype) -> bool:
    try:
        to_torch_dtype(dtype)
    except MXNetError:
        return False
    return True


def _numbers_as_array(items: Any) -> Optional[np.ndarray]:
    """A list of plain numbers of one type as an array (its batches have that array's dtype);
    None for anything else, whose batches depend on which items they hold."""
    if not items:
        return None
    kind = type(items[0])
    if not (kind in (int, float, bool) or issubclass(kind, np.generic)):
        return None
    if any(type(v) is not kind for v in items):
        return None
    return np.asarray(items)


def _tensor_gatherer(tensor: torch.Tensor) -> Gatherer:
    def gather(indices: np.ndarray) -> NDArray:
        out = tensor.index_select(0, torch.from_numpy(indices).to(tensor.device))
        return NDArray(out.unsqueeze(1) if tensor.dim() == 1 else out)
    return gather


def _numpy_gatherer(array: np.ndarray) -> Gatherer:
    def gather(indices: np.ndarray) -> NDArray:
        # on the current context, where nd.array would put the per-sample batch
        return NDArray(torch.from_numpy(array[indices]).to(current_context().torch_device))
    return gather
