"""The core of ``mx.io``: batch descriptions, the iterator protocol and in-memory iterators.

DataDesc, DataBatch and DataIter define what Module and the training loops consume;
NDArrayIter batches arrays in memory, ResizeIter fixes an epoch's length and PrefetchingIter
reads ahead in threads. File-backed iterators live in the sibling modules.
"""
from __future__ import annotations

import threading
from collections import OrderedDict, namedtuple
from typing import Any, Optional

import numpy as np
import torch

from ..ndarray.ndarray import NDArray, array

__all__ = ["DataDesc", "DataBatch", "DataIter", "NDArrayIter", "ResizeIter", "PrefetchingIter"]


class DataDesc(namedtuple("DataDesc", ["name", "shape"])):
    """Name and shape of one input or label array, with its dtype and layout.

    A ``(name, shape)`` named tuple, so it compares and unpacks like the plain pairs older code
    passes around; ``dtype`` and ``layout`` ride along as attributes. The layout names the axes
    of ``shape`` one letter each: ``'NCHW'`` is a batch of ``N`` images of ``C`` channels,
    ``H`` rows and ``W`` columns, and the position of ``N`` is the batch axis.

    Parameters
    ----------
    name : str
        Name the network's input variable has (``'data'``, ``'softmax_label'``...).
    shape : tuple of int
        Shape of one batch of it.
    dtype : np.dtype, optional, default np.float32
        Element type.
    layout : str, optional, default 'NCHW'
        Axis letters of ``shape``.

    Examples
    --------
    >>> desc = mx.io.DataDesc('data', (32, 3, 28, 28))
    >>> desc
    DataDesc[data,(32, 3, 28, 28),<class 'numpy.float32'>,NCHW]
    >>> mx.io.DataDesc.get_batch_axis(desc.layout)
    0
    """

    def __new__(cls, name: str, shape: tuple, dtype: Any = np.float32, layout: str = "NCHW"):
        ret = super().__new__(cls, name, shape)
        ret.dtype = dtype
        ret.layout = layout
        return ret

    def __repr__(self) -> str:
        return f"DataDesc[{self.name},{self.shape},{self.dtype},{self.layout}]"

    @staticmethod
    def get_batch_axis(layout: Optional[str]) -> int:
        """Position of ``N`` (the batch axis) in ``layout``; 0 when ``layout`` is None, -1 when it
        has no ``N``."""
        if layout is None:
            return 0
        return layout.find("N")

    @staticmethod
    def get_list(shapes: list, types: Optional[list]) -> list:
        """Build DataDescs from ``(name, shape)`` pairs, taking dtypes from ``(name, dtype)`` pairs.

        Parameters
        ----------
        shapes : list of (str, tuple)
            Name and shape of each array.
        types : list of (str, np.dtype) or None
            Dtype of each name; None leaves every dtype at float32.

        Returns
        -------
        list of DataDesc
            One per entry of ``shapes``, in its order.
        """
        dtypes = dict(types) if types is not None else None
        descs = []
        for entry in shapes:
            name, shape = entry[0], entry[1]
            descs.append(DataDesc(name, shape) if dtypes is None
                         else DataDesc(name, shape, dtypes[name]))
        return descs


class DataBatch:
    """One batch as an iterator hands it out: input arrays, label arrays and bookkeeping.

    Parameters
    ----------
    data : list of NDArray
        The input arrays, each holding ``batch_size`` examples along its batch axis.
    label : list of NDArray, optional
        The label arrays, in the same order as the iterator's ``provide_label``.
    pad : int, optional
        How many examples at the end of the batch are filler, repeated from the start of the
        data to complete a short last batch; prediction drops them.
    index : numpy.ndarray, optional
        Indices of the batch's examples in the data set.
    bucket_key : int, optional
        Which bucket the batch belongs to, for :class:`mx.mod.BucketingModule`.
    provide_data : list of DataDesc, optional
        Descriptions of ``data``, when they differ from the iterator's.
    provide_label : list of DataDesc, optional
        Descriptions of ``label``, when they differ from the iterator's.

    Raises
    ------
    TypeError
        If ``data`` or ``label`` is given but is not a list or tuple.
    """

    def __init__(self, data: Optional[list], label: Optional[list] = None, pad: Optional[int] = None,
                 index: Any = None, bucket_key: Any = None, provide_data: Optional[list] = None,
                 provide_label: Optional[list] = None):
        if data is not None and not isinstance(data, (list, tuple)):
            raise TypeError("Data must be list of NDArrays")
        if label is not None and not isinstance(label, (list, tuple)):
            raise TypeError("Label must be list of NDArrays")
        self.data = data
        self.label = label
        self.pad = pad
        self.index = index
        self.bucket_key = bucket_key
        self.provide_data = provide_data
        self.provide_label = provide_label

    def __str__(self) -> str:
        data_shapes = [d.shape for d in self.data]
        label_shapes = [lab.shape for lab in self.label] if self.label else None
        return f"{type(self).__name__}: data shapes: {data_shapes} label shapes: {label_shapes}"


class DataIter:
    """Base of the data iterators: a Python iterator of :class:`DataBatch` that can be reset.

    A subclass either overrides :meth:`next`, or implements :meth:`iter_next` (advance; say
    whether there was a batch) together with :meth:`getdata`, :meth:`getlabel` and
    :meth:`getpad`, from which the default :meth:`next` assembles the batch. Iterators also
    describe what they yield through ``provide_data`` and ``provide_label`` (lists of
    :class:`DataDesc`), which Module reads to bind its executors. An epoch ends with
    ``StopIteration``; :meth:`reset` starts the next one.

    Parameters
    ----------
    batch_size : int, optional, default 0
        Examples per batch.
    """

    def __init__(self, batch_size: int = 0):
        self.batch_size = batch_size

    def __iter__(self) -> "DataIter":
        return self

    def reset(self) -> None:
        """Start a new epoch from the first batch; the base class has nothing to rewind."""

    def next(self) -> DataBatch:
        """The next batch, built from :meth:`iter_next` and the ``get*`` accessors.

        Returns
        -------
        DataBatch
            The batch.

        Raises
        ------
        StopIteration
            When the epoch is over.
        """
        if self.iter_next():
            return DataBatch(data=self.getdata(), label=self.getlabel(), pad=self.getpad(),
                             index=self.getindex())
        raise StopIteration

    def __next__(self) -> DataBatch:
        return self.next()

    def iter_next(self) -> bool:
        """Advance to the next batch; False when the epoch has no more."""
        raise NotImplementedError(f"{type(self).__name__} must implement iter_next or next")

    def getdata(self) -> list:
        """The input arrays of the current batch (a list of NDArray)."""
        raise NotImplementedError(f"{type(self).__name__} must implement getdata or next")

    def getlabel(self) -> list:
        """The label arrays of the current batch (a list of NDArray)."""
        raise NotImplementedError(f"{type(self).__name__} must implement getlabel or next")

    def getindex(self) -> Any:
        """The example indices of the current batch (a numpy array), or None if not known."""
        return None

    def getpad(self) -> int:
        """How many examples at the end of the current batch are filler."""
        raise NotImplementedError(f"{type(self).__name__} must implement getpad or next")


class _BatchHolder(DataIter):
    """An iterator whose ``iter_next`` leaves the whole batch in ``current_batch``; the ``get*``
    accessors read from it."""

    current_batch: Optional[DataBatch] = None

    def getdata(self) -> list:
        return self.current_batch.data

    def getlabel(self) -> list:
        return self.current_batch.label

    def getindex(self) -> Any:
        return self.current_batch.index

    def getpad(self) -> int:
        return self.current_batch.pad


class ResizeIter(_BatchHolder):
    """Make an epoch exactly ``size`` batches long, whatever the wrapped iterator's length.

    When the wrapped iterator runs out within an epoch it is reset and read on, so a short
    iterator is repeated and a long one cut; with ``reset_internal`` False, a reset of this
    iterator does not rewind the wrapped one, so successive epochs continue through its data.

    Parameters
    ----------
    data_iter : DataIter
        The iterator to read batches from.
    size : int
        Batches per epoch.
    reset_internal : bool, optional, default True
        Whether :meth:`reset` also resets ``data_iter``.

    Examples
    --------
    Six examples in batches of four make two batches; resized, an epoch has three:

    >>> six = mx.io.NDArrayIter(mx.nd.ones((6, 2)), batch_size=4)
    >>> [batch.pad for batch in mx.io.ResizeIter(six, 3)]
    [0, 2, 0]
    """

    def __init__(self, data_iter: DataIter, size: int, reset_internal: bool = True):
        super().__init__()
        self.data_iter = data_iter
        self.size = size
        self.reset_internal = reset_internal
        self.cur = 0
        self.current_batch: Optional[DataBatch] = None
        self.provide_data = data_iter.provide_data
        self.provide_label = data_iter.provide_label
        self.batch_size = data_iter.batch_size
        if hasattr(data_iter, "default_bucket_key"):
            self.default_bucket_key = data_iter.default_bucket_key

    def reset(self) -> None:
        self.cur = 0
        if self.reset_internal:
            self.data_iter.reset()

    def iter_next(self) -> bool:
        if self.cur == self.size:
            return False
        try:
            self.current_batch = self.data_iter.next()
        except StopIteration:
            self.data_iter.reset()
            self.current_batch = self.data_iter.next()
        self.cur += 1
        return True


class PrefetchingIter(_BatchHolder):
    """Read the next batch of one or more iterators in background threads.

    One daemon thread per wrapped iterator fetches its next batch while the current one is in
    use, which hides the cost of loading behind training at the price of one batch of extra
    memory per iterator. The batches of all iterators are joined into one (their data lists,
    then their label lists, concatenated); they must agree on padding and on length.
    :meth:`close` stops the threads.

    Parameters
    ----------
    iters : DataIter or list of DataIter
        The iterators to read ahead.
    rename_data : list of dict, optional
        For each iterator, a map from its ``provide_data`` names to the names to provide
        instead; every name of that iterator must be in its map.
    rename_label : list of dict, optional
        The same for ``provide_label``.

    Raises
    ------
    ValueError
        If ``iters`` is empty, or, while iterating, if the iterators end at different batches
        or pad differently.
    """

    def __init__(self, iters: Any, rename_data: Optional[list] = None,
                 rename_label: Optional[list] = None):
        super().__init__()
        if not isinstance(iters, list):
            iters = [iters]
        if not iters:
            raise ValueError("PrefetchingIter needs at least one iterator")
        self.n_iter = len(iters)
        self.iters = iters
        self.rename_data = rename_data
        self.rename_label = rename_label
        self.batch_size = self.provide_data[0][1][0]
        self.data_ready = [threading.Event() for _ in range(self.n_iter)]
        self.data_taken = [threading.Event() for _ in range(self.n_iter)]
        for event in self.data_taken:
            event.set()
        self.started = True
        self.current_batch: Optional[DataBatch] = None
        self.next_batch: list = [None] * self.n_iter
        self.prefetch_threads = [threading.Thread(target=self._prefetch, args=(i,), daemon=True)
                                 for i in range(self.n_iter)]
        for thread in self.prefetch_threads:
            thread.start()

    def _prefetch(self, i: int) -> None:
        while True:
            self.data_taken[i].wait()
            if not self.started:
                break
            try:
                self.next_batch[i] = self.iters[i].next()
            except StopIteration:
                self.next_batch[i] = None
            self.data_taken[i].clear()
            self.data_ready[i].set()

    def close(self) -> None:
        """Stop the background threads and wait for them; harmless when called again."""
        if not getattr(self, "started", False):
            return
        self.started = False
        for event in self.data_taken:
            event.set()
        for thread in self.prefetch_threads:
            thread.join()

    def __del__(self) -> None:
        self.close()

    def _renamed(self, attr: str, renames: Optional[list]) -> list:
        if renames is None:
            return sum([getattr(i, attr) for i in self.iters], [])
        return sum([[DataDesc(r[x.name], x.shape, x.dtype) if isinstance(x, DataDesc)
                     else DataDesc(*x) for x in getattr(i, attr)]
                    for r, i in zip(renames, self.iters)], [])

    @property
    def provide_data(self) -> list:
        return self._renamed("provide_data", self.rename_data)

    @property
    def provide_label(self) -> list:
        return self._renamed("provide_label", self.rename_label)

    def reset(self) -> None:
        for event in self.data_ready:
            event.wait()
        for it in self.iters:
            it.reset()
        for event in self.data_ready:
            event.clear()
        for event in self.data_taken:
            event.set()

    def iter_next(self) -> bool:
        for event in self.data_ready:
            event.wait()
        if self.next_batch[0] is None:
            if any(b is not None for b in self.next_batch):
                raise ValueError("Number of entry mismatches between iterators")
            return False
        if any(b.pad != self.next_batch[0].pad for b in self.next_batch):
            raise ValueError("Number of entry mismatches between iterators")
        self.current_batch = DataBatch(sum([b.data for b in self.next_batch], []),
                                       sum([b.label for b in self.next_batch], []),
                                       self.next_batch[0].pad, self.next_batch[0].index,
                                       provide_data=self.provide_data,
                                       provide_label=self.provide_label)
        for event in self.data_ready:
            event.clear()
        for event in self.data_taken:
            event.set()
        return True

    def next(self) -> DataBatch:
        if self.iter_next():
            return self.current_batch
        raise StopIteration


# -- NDArrayIter ----------------------------------------------------------------------------------
def _init_data(data: Any, allow_empty: bool, default_name: str) -> list:
    """Normalise an iterator's ``data`` or ``label`` argument to ``[(name, NDArray), ...]``.

    One array gets ``default_name``; a list of several gets ``_<i>_<default_name>``; a dict keeps
    its keys. numpy arrays are converted. The result is sorted by name, which fixes the order of
    ``provide_data`` whatever order the dict had.
    """
    if data is None:
        if not allow_empty:
            raise ValueError("data must be given")
        data = []
    if isinstance(data, (np.ndarray, NDArray)):
        data = [data]
    if isinstance(data, list):
        if not allow_empty and not data:
            raise ValueError("data must not be empty")
        if len(data) == 1:
            data = OrderedDict([(default_name, data[0])])
        else:
            data = OrderedDict([(f"_{i}_{default_name}", d) for i, d in enumerate(data)])
    if not isinstance(data, dict):
        raise TypeError("Input must be NDArray, numpy.ndarray, a list of them or dict with them as "
                        "values")
    out = {}
    for k, v in data.items():
        if isinstance(v, NDArray):
            out[k] = v
            continue
        try:
            out[k] = array(v)
        except (TypeError, ValueError):
            raise TypeError(f"Invalid type '{type(v)}' for {k}, should be NDArray or "
                            "numpy.ndarray") from None
    return sorted(out.items())


class NDArrayIter(DataIter):
    """Iterate in batches over arrays held in memory (NDArray or numpy).

    Batches are taken along the batch axis (the ``N`` of ``layout``) of every data and label
    array; all of them must have the same number of examples there. When that number is not a
    multiple of ``batch_size``, ``last_batch_handle`` says what the last batch becomes:

    - ``'pad'``: filled up with examples from the start, and ``pad`` says how many;
    - ``'discard'``: dropped;
    - ``'roll_over'``: kept back and completed with the first examples of the next epoch
      (after :meth:`reset`), so that no example is lost over training; not meant for
      prediction, where the batch order matters.

    Parameters
    ----------
    data : array, list of arrays or dict of str to array
        The inputs. A dict names them; otherwise see ``data_name``.
    label : array, list of arrays or dict of str to array, optional
        The labels, named the same way with ``label_name``.
    batch_size : int, optional, default 1
        Examples per batch.
    shuffle : bool, optional, default False
        Permute the examples at construction and at every reset, with numpy's global random
        state (so ``np.random.seed`` makes the order repeatable).
    last_batch_handle : str, optional, default 'pad'
        ``'pad'``, ``'discard'`` or ``'roll_over'``, as above.
    data_name : str, optional, default 'data'
        Name of a single data array; several get ``_0_data``, ``_1_data``...
    label_name : str, optional, default 'softmax_label'
        Name of a single label array, likewise.
    layout : str, optional, default 'NCHW'
        Axis letters of the arrays; the position of ``N`` is the batch axis.

    Raises
    ------
    ValueError
        For an unknown ``last_batch_handle`` or arrays of different example counts.
    TypeError
        For data that is not an array, list or dict of arrays.

    Examples
    --------
    >>> it = mx.io.NDArrayIter(np.arange(10).reshape(5, 2), np.arange(5), batch_size=2)
    >>> [batch.pad for batch in it]
    [0, 0, 1]
    >>> it.provide_data
    [DataDesc[data,(2, 2),<class 'numpy.float32'>,NCHW]]
    """

    def __init__(self, data: Any, label: Any = None, batch_size: int = 1, shuffle: bool = False,
                 last_batch_handle: str = "pad", data_name: str = "data",
                 label_name: str = "softmax_label", layout: str = "NCHW"):
        super().__init__(batch_size)
        if last_batch_handle not in ("pad", "discard", "roll_over"):
            raise ValueError(f"last_batch_handle must be 'pad', 'discard' or 'roll_over', got "
                             f"{last_batch_handle!r}")
        self.data = _init_data(data, allow_empty=False, default_name=data_name)
        self.label = _init_data(label, allow_empty=True, default_name=label_name)
        self.layout = layout
        self._axis = layout.find("N")
        num = self.data[0][1].shape[self._axis]
        for name, arr in self.data + self.label:
            if arr.shape[self._axis] != num:
                raise ValueError(f"NDArrayIter: '{name}' has {arr.shape[self._axis]} examples, "
                                 f"'{self.data[0][0]}' has {num}")
        self.idx = np.arange(num)
        self.shuffle = shuffle
        self.last_batch_handle = last_batch_handle
        self.cursor = -batch_size
        self.num_data = num
        self._cache_data: Optional[list] = None
        self._cache_label: Optional[list] = None
        self.reset()
        self.data_list = [arr for _, arr in self.data + self.label]
        self.num_source = len(self.data_list)

    def _descs(self, sources: list) -> list:
        return [DataDesc(k, tuple(v.shape[:self._axis]) + (self.batch_size,) +
                         tuple(v.shape[self._axis + 1:]), v.dtype, layout=self.layout)
                for k, v in sources]

    @property
    def provide_data(self) -> list:
        """Descriptions of the data arrays of each batch (shape with ``batch_size`` on the batch
        axis)."""
        return self._descs(self.data)

    @property
    def provide_label(self) -> list:
        """Descriptions of the label arrays of each batch."""
        return self._descs(self.label)

    def hard_reset(self) -> None:
        """Start again from the first example, dropping any batch kept back by ``'roll_over'``."""
        if self.shuffle:
            self._shuffle_data()
        self.cursor = -self.batch_size
        self._cache_data = None
        self._cache_label = None

    def reset(self) -> None:
        """Start a new epoch (reshuffled with ``shuffle``); under ``'roll_over'`` the kept-back
        examples open it."""
        if self.shuffle:
            self._shuffle_data()
        if (self.last_batch_handle == "roll_over"
                and self.num_data - self.batch_size < self.cursor < self.num_data):
            # A cursor in (-batch_size, 0) marks a batch completed from the previous epoch.
            self.cursor -= self.num_data + self.batch_size
        else:
            self.cursor = -self.batch_size

    def iter_next(self) -> bool:
        """Advance by one batch; False once the data is exhausted."""
        self.cursor += self.batch_size
        return self.cursor < self.num_data

    def next(self) -> DataBatch:
        """The next batch; a short last batch under ``'discard'`` or ``'roll_over'`` ends the epoch
        instead (and is kept for the next one)."""
        if not self.iter_next():
            raise StopIteration
        data = self.getdata()
        label = self.getlabel()
        if data[0].shape[self._axis] != self.batch_size:
            # Under 'roll_over' the next epoch's first batch is completed from this cache;
            # under 'discard' nothing reads it.
            self._cache_data = data
            self._cache_label = label
            raise StopIteration
        return DataBatch(data=data, label=label, pad=self.getpad(), index=None)

    def _getdata(self, sources: list, start: Optional[int] = None, end: Optional[int] = None) -> list:
        start = 0 if start is None else start
        end = (sources[0][1].shape[self._axis] if sources else 0) if end is None else end
        index = [slice(None)] * self._axis + [slice(start, end)]
        return [NDArray(v._t[tuple(index)].clone()) for _, v in sources]

    def _concat(self, first: list, second: list) -> list:
        if not first or not second:
            return first if first else second
        return [NDArray(torch.cat([a._t, b._t], dim=self._axis)) for a, b in zip(first, second)]

    def _tile(self, data: list, repeats: int) -> list:
        out = []
        for d in data:
            reps = [1] * d.ndim
            reps[0] = repeats
            out.append(NDArray(d._t.repeat(*reps)))
        return out

    def _batchify(self, sources: list) -> list:
        if self.cursor >= self.num_data:
            raise ValueError("DataIter needs reset.")
        if self.last_batch_handle == "roll_over" and -self.batch_size < self.cursor < 0:
            cache = self._cache_data if self._cache_data is not None else self._cache_label
            if cache is None:
                raise ValueError("next epoch should have cached data")
            second = self._getdata(sources, end=self.cursor + self.batch_size)
            if self._cache_data is not None:
                self._cache_data = None
            else:
                self._cache_label = None
            return self._concat(cache, second)
        if self.last_batch_handle == "pad" and self.cursor + self.batch_size > self.num_data:
            pad = self.getpad()
            first = self._getdata(sources, start=self.cursor)
            if pad > self.num_data:
                second = self._tile(self._getdata(sources, end=self.num_data), pad // self.num_data)
                if pad % self.num_data:
                    second = self._concat(second, self._getdata(sources, end=pad % self.num_data))
            else:
                second = self._getdata(sources, end=pad)
            return self._concat(first, second)
        end = min(self.cursor + self.batch_size, self.num_data)
        return self._getdata(sources, self.cursor, end)

    def getdata(self) -> list:
        """The data arrays of the current batch."""
        return self._batchify(self.data)

    def getlabel(self) -> list:
        """The label arrays of the current batch."""
        return self._batchify(self.label)

    def getpad(self) -> int:
        """How many examples of the current batch are filler (``'pad'``) or came from the
        previous epoch (``'roll_over'``)."""
        overshoot = self.cursor + self.batch_size - self.num_data
        if self.last_batch_handle == "pad" and overshoot > 0:
            return overshoot
        if self.last_batch_handle == "roll_over" and -self.batch_size < self.cursor < 0:
            return -self.cursor
        return 0

    def _shuffle_data(self) -> None:
        """Permute the examples with numpy's global random state, as MXNet does (so the same
        seed gives the same order in both)."""
        np.random.shuffle(self.idx)
        index = torch.from_numpy(self.idx)
        self.data = [(k, NDArray(v._t[index.to(v._t.device)])) for k, v in self.data]
        self.label = [(k, NDArray(v._t[index.to(v._t.device)])) for k, v in self.label]
