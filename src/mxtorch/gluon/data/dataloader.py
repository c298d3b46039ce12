"""DataLoader: mini-batches from a dataset, in this process or from worker processes/threads."""
from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import signal
from multiprocessing.pool import ThreadPool
from typing import Any, Callable, Iterator, Optional

import numpy as np
import torch

from ...context import Context
from ...ndarray.ndarray import NDArray, array
from . import sampler as _sampler
from .dataset import Gatherer, array_gatherer

__all__ = ["DataLoader"]


def default_batchify_fn(data: list) -> Any:
    """Merge a list of samples into one batch.

    NDArray samples are stacked into one NDArray; tuples are collated field by field into a
    list; anything else goes through ``numpy.asarray`` and becomes an NDArray of that dtype.
    """
    if isinstance(data[0], NDArray):
        return NDArray(torch.stack([d._t for d in data]))
    if isinstance(data[0], tuple):
        return [default_batchify_fn(list(i)) for i in zip(*data)]
    arr = np.asarray(data)
    return array(arr, dtype=arr.dtype)


# MXNet stacks worker batches into shared memory with a second function; here a worker's batch
# travels as numpy (NDArray pickles to numpy) and is rebuilt on the main side, so the same
# stacking serves both. The name stays for code that passes it explicitly.
default_mp_batchify_fn = default_batchify_fn


def _as_in_context(data: Any, ctx: Context) -> Any:
    """``data`` (an NDArray or nested lists of them) copied to ``ctx``."""
    if isinstance(data, NDArray):
        return data.as_in_context(ctx)
    if isinstance(data, (list, tuple)):
        return [_as_in_context(d, ctx) for d in data]
    return data


def _pin(data: Any) -> Any:
    """Page-lock the batch's CPU memory so a later copy to the GPU is asynchronous and faster.

    Pinning needs CUDA; without it the batch is returned as it is.
    """
    if not torch.cuda.is_available():
        return data
    if isinstance(data, NDArray):
        return NDArray(data._t.pin_memory()) if data._t.device.type == "cpu" else data
    if isinstance(data, (list, tuple)):
        return [_pin(d) for d in data]
    return data


def _fetch(dataset: Any, samples: Any, batchify_fn: Callable, gatherer: Optional[Gatherer]) -> Any:
    """One batch: gathered in one indexing operation when possible, else sample by sample."""
    if gatherer is not None:
        return gatherer(np.asarray(samples, dtype=np.int64))
    if isinstance(samples, np.ndarray):
        samples = samples.tolist()  # plain ints, as a sampler gives them
    return batchify_fn([dataset[i] for i in samples])


def _gatherer_for(dataset: Any, batchify_fn: Callable) -> Optional[Gatherer]:
    # The fast path reproduces default_batchify_fn only; a user batchify_fn sees every sample.
    return array_gatherer(dataset) if batchify_fn is default_batchify_fn else None


# -- worker processes ----------------------------------------------------------------------------
_worker_dataset: Any = None
_worker_gatherer: Any = None


def _worker_initializer(dataset: Any) -> None:
    """Runs once in each worker process: keeps the dataset as that process's global state."""
    global _worker_dataset, _worker_gatherer
    _worker_dataset = dataset
    _worker_gatherer = None
    # Workers share the machine's cores; intra-op threads in each would oversubscribe them.
    torch.set_num_threads(1)


def _worker_fn(samples: Any, batchify_fn: Callable) -> Any:
    """Build one batch inside a worker process. The batch is pickled back to the main
    process, where NDArrays (pickled as numpy) are rebuilt."""
    global _worker_gatherer
    if _worker_gatherer is None:
        _worker_gatherer = (_gatherer_for(_worker_dataset, batchify_fn),)
    return _fetch(_worker_dataset, samples, batchify_fn, _worker_gatherer[0])


def _thread_worker_fn(samples: Any, batchify_fn: Callable, dataset: Any,
                      gatherer: Optional[Gatherer]) -> Any:
    """Build one batch on a pool thread, which shares the main process's dataset."""
    return _fetch(dataset, samples, batchify_fn, gatherer)


class _MultiWorkerIter:
    """One epoch of a DataLoader with workers: keeps ``prefetch`` batches in flight and
    returns them in sampler order."""

    def __init__(self, worker_pool: Any, batchify_fn: Callable, batch_sampler: Any,
                 pin_memory: bool = False, prefetch: int = 0, dataset: Any = None,
                 gatherer: Optional[Gatherer] = None, timeout: float = 120):
        self._worker_pool = worker_pool
        self._batchify_fn = batchify_fn
        self._batch_sampler = batch_sampler
        self._data_buffer: dict = {}
        self._rcvd_idx = 0
        self._sent_idx = 0
        self._iter = iter(_batches_of(batch_sampler))
        self._pin_memory = pin_memory
        self._dataset = dataset  # set for a thread pool only: processes hold their own copy
        self._gatherer = gatherer
        self._timeout = timeout
        for _ in range(prefetch):
            self._push_next()

    def __len__(self) -> int:
        return len(self._batch_sampler)

    def _push_next(self) -> None:
        """Hand the sampler's next batch of indices to the pool, if any is left."""
        r = next(self._iter, None)
        if r is None:
            return
        if self._dataset is None:
            args = (r, self._batchify_fn)
            fn = _worker_fn
        else:
            args = (r, self._batchify_fn, self._dataset, self._gatherer)
            fn = _thread_worker_fn
        self._data_buffer[self._sent_idx] = self._worker_pool.apply_async(fn, args)
        self._sent_idx += 1

    def __next__(self) -> Any:
        self._push_next()
        if self._rcvd_idx == self._sent_idx:
            # everything sent has been received: nothing may still be pending
            assert not self._data_buffer, f"{len(self._data_buffer)} batches left unclaimed"
            raise StopIteration
        ret = self._data_buffer.pop(self._rcvd_idx)
        try:
            batch = ret.get(self._timeout)
        except multiprocessing.TimeoutError:
            msg = (f"Worker timed out after {self._timeout} seconds. This might be caused by a "
                   "slow transform: increase `timeout` to allow slower data loading in each worker.")
            raise multiprocessing.TimeoutError(msg) from None
        except Exception:
            self._worker_pool.terminate()
            raise
        if self._pin_memory:
            batch = _pin(batch)
        self._rcvd_idx += 1
        return batch

    def next(self) -> Any:
        return self.__next__()

    def __iter__(self) -> "_MultiWorkerIter":
        return self


def _batches_of(batch_sampler: Any) -> Iterator:
    """The batches of a batch sampler; index arrays where a BatchSampler can give them."""
    if isinstance(batch_sampler, _sampler.BatchSampler):
        return batch_sampler._batches()
    return iter(batch_sampler)


class DataLoader:
    """Iterate over a dataset in mini-batches.

    Each iteration is one epoch: the batch sampler (built from ``batch_size``, ``shuffle``,
    ``sampler`` and ``last_batch`` unless given) yields lists of indices, the samples at those
    indices are read and ``batchify_fn`` merges them into a batch. With ``num_workers > 0``
    batches are built by a pool of worker processes (or threads, ``thread_pool=True``) and
    returned in order.

    With the default ``batchify_fn``, a dataset of in-memory arrays without a per-sample
    transform (ArrayDataset, MNIST...) is batched by indexing its arrays once per batch rather
    than sample by sample; the batches are the same.

    Parameters
    ----------
    dataset : Dataset
        Where the samples come from; an NDArray, a NumPy array or a list serves too.
    batch_size : int
        Samples per batch.
    shuffle : bool
        Draw the samples in a new random order each epoch (exclusive with ``sampler``).
    sampler : Sampler
        Gives the order of the sample indices; exclusive with ``shuffle``.
    last_batch : {'keep', 'discard', 'rollover'}
        What happens to the samples left over when ``batch_size`` does not divide the
        dataset's length: ``'keep'`` returns them as a smaller last batch, ``'discard'``
        drops them, ``'rollover'`` puts them at the start of the next epoch's first batch.
    batch_sampler : Sampler
        Gives whole batches of indices; with it, ``batch_size``, ``shuffle``, ``sampler``
        and ``last_batch`` must be left unset.
    batchify_fn : callable
        Merges a list of samples into a batch. The default, ``default_batchify_fn``, stacks
        NDArrays, merges tuples field by field into a list, and turns anything else into an
        NDArray through ``numpy.asarray``.
    num_workers : int, default 0
        Worker processes (or threads) building batches; 0 builds them in this process.
    pin_memory : boolean, default False
        Return batches in page-locked CPU memory, which copies to a GPU faster (needs CUDA;
        otherwise ignored).
    pin_device_id : int, default 0
        GPU the page-locked memory is meant for (accepted for MXNet compatibility).
    prefetch : int, default is `num_workers * 2`
        Batches requested ahead from the workers; only used when ``num_workers > 0``.
    thread_pool : bool, default False
        Use a pool of threads instead of processes for the workers.
    timeout : int, default is 120
        Seconds to wait for a worker's batch before raising ``multiprocessing.TimeoutError``.
    auto_reload : bool, default is False
        Start the next epoch's prefetching as soon as an epoch ends (and at construction).

    Raises
    ------
    ValueError
        When the batching arguments conflict (see ``batch_sampler`` and ``sampler``) or
        ``batch_size`` is missing.
    """

    def __init__(self, dataset: Any, batch_size: Optional[int] = None, shuffle: bool = False,
                 sampler: Any = None, last_batch: Optional[str] = None, batch_sampler: Any = None,
                 batchify_fn: Optional[Callable] = None, num_workers: int = 0,
                 pin_memory: bool = False, pin_device_id: int = 0, prefetch: Optional[int] = None,
                 thread_pool: bool = False, timeout: float = 120, auto_reload: bool = False):
        self._dataset = dataset
        self._pin_memory = pin_memory
        self._pin_device_id = pin_device_id
        self._thread_pool = thread_pool
        self._timeout = timeout
        assert timeout > 0, f"timeout must be positive, given {timeout}"
        self._batch_sampler = self._make_batch_sampler(batch_size, shuffle, sampler, last_batch,
                                                       batch_sampler)
        self._num_workers = max(num_workers, 0)
        ahead = 2 * self._num_workers if prefetch is None else int(prefetch)
        self._prefetch = max(ahead, 0)
        self._batchify_fn = default_batchify_fn if batchify_fn is None else batchify_fn
        self._worker_pool: Any = None
        if self._num_workers > 0:
            self._worker_pool = self._make_pool()
        self._iter: Any = None
        self.auto_reload = auto_reload
        if self.auto_reload:
            self.refresh()

    def _make_batch_sampler(self, batch_size: Optional[int], shuffle: bool, sampler: Any,
                            last_batch: Optional[str], batch_sampler: Any) -> Any:
        if batch_sampler is not None:
            if batch_size is not None or shuffle or sampler is not None or last_batch is not None:
                raise ValueError("batch_size, shuffle, sampler and last_batch must "
                                 "not be specified if batch_sampler is specified.")
            return batch_sampler
        if batch_size is None:
            raise ValueError("batch_size must be specified unless batch_sampler is specified")
        if sampler is None:
            sampler = (_sampler.RandomSampler if shuffle else _sampler.SequentialSampler)(
                len(self._dataset))
        elif shuffle:
            raise ValueError("shuffle must not be specified if sampler is specified")
        return _sampler.BatchSampler(sampler, batch_size, last_batch if last_batch else "keep")

    def _make_pool(self) -> Any:
        if self._thread_pool:
            return ThreadPool(self._num_workers)
        # Forked workers inherit the dataset without pickling it; elsewhere it is pickled.
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
        # Workers ignore Ctrl-C: the main process handles it and terminates the pool.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            return ctx.Pool(self._num_workers, initializer=_worker_initializer,
                            initargs=(self._dataset,))
        finally:
            signal.signal(signal.SIGINT, previous)

    def __iter__(self) -> Iterator:
        if self._iter is None:
            self.refresh()
        epoch, self._iter = self._iter, None  # a prefetched epoch is consumed once
        yield from epoch
        if self._iter is None and self.auto_reload:
            # refresh() may have been called during the epoch; keep what it prefetched
            self.refresh()

    def _prefetch_iter(self) -> Iterator:
        gatherer = _gatherer_for(self._dataset, self._batchify_fn)
        if self._num_workers == 0:
            return self._same_process_iter(gatherer)
        shared = self._dataset if self._thread_pool else None  # processes hold their own
        return _MultiWorkerIter(self._worker_pool, self._batchify_fn, self._batch_sampler,
                                pin_memory=self._pin_memory, prefetch=self._prefetch,
                                dataset=shared, gatherer=gatherer, timeout=self._timeout)

    def _same_process_iter(self, gatherer: Optional[Gatherer]) -> Iterator:
        dataset, batchify_fn, pin = self._dataset, self._batchify_fn, self._pin_memory
        for batch in _batches_of(self._batch_sampler):
            ret = _fetch(dataset, batch, batchify_fn, gatherer)
            yield _pin(ret) if pin else ret

    def __len__(self) -> int:
        return len(self._batch_sampler)

    def __del__(self) -> None:
        pool = getattr(self, "_worker_pool", None)
        if pool is not None:
            # a pool is not terminated when collected (https://bugs.python.org/issue34172)
            pool.terminate()

    def refresh(self) -> None:
        """Start a new epoch now: with workers, its first batches begin loading at once."""
        self._iter = self._prefetch_iter()

    def clean(self) -> None:
        """Drop the prepared epoch; the next ``iter()`` prepares a fresh one."""
        self._iter = None
