"""DataLoader batches match MXNet's (goldens), on the fast path, sample by sample and in workers."""
import json
import multiprocessing
import time

import numpy as np
import pytest

import mxtorch as mx
from mxtorch.gluon import data as gdata
from mxtorch.gluon.data.dataloader import default_batchify_fn

from . import cases
from ...conftest import GOLDEN

LOADER = np.load(GOLDEN / "data" / "loader.npz")
INDEX = json.loads(str(LOADER["index"]))
SAMPLER = np.load(GOLDEN / "data" / "sampler.npz")


def _check_against_golden(name, batches):
    expected_paths = INDEX[name]
    assert len(batches) == len(expected_paths), name
    for bi, (batch, paths) in enumerate(zip(batches, expected_paths)):
        leaves = cases.flatten(batch)
        assert [p for p, _ in leaves] == paths, (name, bi)
        for path, value in leaves:
            key = f"{name}/{bi}/{path}"
            assert type(value).__name__ == str(LOADER[key + "/type"]), key
            got, want = value.asnumpy(), LOADER[key]
            assert got.dtype == want.dtype, (key, got.dtype, want.dtype)
            np.testing.assert_array_equal(got, want, err_msg=key)


def _slow(data):
    # not `default_batchify_fn` itself: forces the sample-by-sample path
    return default_batchify_fn(data)


@pytest.mark.parametrize("name", sorted(INDEX))
@pytest.mark.parametrize("path", ["fast", "per_sample"])
def test_batches_match_mxnet(name, path):
    dataset, kwargs = cases.loader_cases(mx)[name]
    if path == "per_sample":
        kwargs = dict(kwargs, batchify_fn=_slow)
    loader = gdata.DataLoader(dataset, **kwargs)
    _check_against_golden(name, [b for _ in range(2) for b in loader])


@pytest.mark.parametrize("name", ["np_f64_and_int_list", "rollover", "mixed_list"])
def test_thread_pool_workers_match_mxnet(name):
    dataset, kwargs = cases.loader_cases(mx)[name]
    loader = gdata.DataLoader(dataset, num_workers=2, thread_pool=True, **kwargs)
    _check_against_golden(name, [b for _ in range(2) for b in loader])


def test_process_workers_match_mxnet():
    # one process pool test: forking costs ~0.1 s per worker
    name = "np_f64_and_int_list"
    dataset, kwargs = cases.loader_cases(mx)[name]
    loader = gdata.DataLoader(dataset, num_workers=2, prefetch=1, **kwargs)
    _check_against_golden(name, [b for _ in range(2) for b in loader])
    slow = gdata.DataLoader(gdata.ArrayDataset(np.arange(6.0)).transform(lambda x: x + 1),
                            batch_size=4, num_workers=1)
    assert [b.asnumpy().tolist() for b in slow] == [[1, 2, 3, 4], [5, 6]]


def _boom(x):
    raise KeyError("bad sample")


def test_worker_errors_reach_the_caller():
    loader = gdata.DataLoader(gdata.SimpleDataset([1, 2]).transform(_boom), batch_size=1,
                              num_workers=1, thread_pool=True)
    with pytest.raises(KeyError, match="bad sample"):
        next(iter(loader))


def _sleepy(x):
    time.sleep(0.5)
    return x


def test_worker_timeout():
    loader = gdata.DataLoader(gdata.SimpleDataset([1, 2]).transform(_sleepy), batch_size=1,
                              num_workers=1, thread_pool=True, timeout=0.05)
    with pytest.raises(multiprocessing.TimeoutError, match="timed out after 0.05 seconds"):
        next(iter(loader))


def test_shuffle_follows_numpy_seed_like_mxnet():
    np.random.seed(0)
    np.testing.assert_array_equal(list(gdata.RandomSampler(10)), SAMPLER["random_sampler_seed0"])
    np.random.seed(1)
    loader = gdata.DataLoader(gdata.ArrayDataset(np.arange(10, dtype=np.float32)), batch_size=4,
                              shuffle=True, last_batch="discard")
    np.testing.assert_array_equal(np.stack([b.asnumpy() for b in loader]),
                                  SAMPLER["shuffled_loader_seed1"])


def test_argument_errors():
    ds = gdata.ArrayDataset(np.arange(4))
    with pytest.raises(ValueError, match="batch_size must be specified"):
        gdata.DataLoader(ds)
    with pytest.raises(ValueError, match="shuffle must not be specified"):
        gdata.DataLoader(ds, batch_size=2, shuffle=True, sampler=gdata.SequentialSampler(4))
    with pytest.raises(ValueError, match="must not be specified if batch_sampler"):
        gdata.DataLoader(ds, batch_size=2,
                         batch_sampler=gdata.BatchSampler(gdata.SequentialSampler(4), 2))
    with pytest.raises(ValueError, match="last_batch must be one of"):
        gdata.DataLoader(ds, batch_size=2, last_batch="drop")


def test_len_and_batch_sampler():
    ds = gdata.ArrayDataset(np.arange(10, dtype=np.float32))
    assert len(gdata.DataLoader(ds, batch_size=3)) == 4
    assert len(gdata.DataLoader(ds, batch_size=3, last_batch="discard")) == 3
    bs = gdata.BatchSampler(gdata.SequentialSampler(10), 4, "keep")
    out = [b.asnumpy().tolist() for b in gdata.DataLoader(ds, batch_sampler=bs)]
    assert out == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


class _Doubled(gdata.ArrayDataset):
    def __getitem__(self, idx):
        return super().__getitem__(idx) * 2


def test_subclass_overriding_getitem_is_read_per_sample():
    loader = gdata.DataLoader(_Doubled(np.arange(4, dtype=np.float32)), batch_size=4)
    assert next(iter(loader)).asnumpy().tolist() == [0, 2, 4, 6]


def test_fast_path_reads_no_sample_individually(monkeypatch):
    ds = gdata.ArrayDataset(mx.nd.zeros((10, 2)), np.arange(10, dtype=np.int32))
    calls = []
    orig = type(ds).__getitem__
    monkeypatch.setattr(type(ds), "__getitem__", lambda self, i: calls.append(i) or orig(self, i))
    # the patched __getitem__ sits on the class that defines the gatherer: fast path applies
    x, y = next(iter(gdata.DataLoader(ds, batch_size=4)))
    assert calls == [] and x.shape == (4, 2) and y.dtype == np.int32


def test_auto_reload_prefetches_and_iterates_again():
    ds = gdata.ArrayDataset(np.arange(4, dtype=np.float32))
    loader = gdata.DataLoader(ds, batch_size=2, auto_reload=True)
    assert loader._iter is not None
    assert [len(list(loader)) for _ in range(2)] == [2, 2]


def test_pin_memory_keeps_values():
    ds = gdata.ArrayDataset(np.arange(4, dtype=np.float32), np.arange(4))
    x, y = next(iter(gdata.DataLoader(ds, batch_size=4, pin_memory=True)))
    assert x.asnumpy().tolist() == [0, 1, 2, 3] and y.dtype == np.int64
