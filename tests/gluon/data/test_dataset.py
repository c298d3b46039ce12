"""Dataset containers and samplers behave as MXNet 1.9.1's."""
import numpy as np
import pytest

import mxtorch as mx
from mxtorch.gluon import data as gdata


def test_array_dataset_items_and_length_check():
    ds = gdata.ArrayDataset(mx.nd.arange(6).reshape((3, 2)), mx.nd.arange(3), [7, 8, 9])
    x, y, z = ds[1]
    assert isinstance(x, mx.nd.NDArray) and x.asnumpy().tolist() == [2, 3]
    # a 1-D NDArray is kept as numpy, so its samples are numpy scalars (as MXNet)
    assert isinstance(y, np.float32) and y == 1 and z == 8
    assert len(ds) == 3
    assert gdata.ArrayDataset(np.arange(3))[2] == 2  # one array: the sample itself, no tuple
    with pytest.raises(AssertionError, match="All arrays must have the same length"):
        gdata.ArrayDataset(np.arange(3), np.arange(4))


def test_shard_take_filter_sample():
    ds = gdata.SimpleDataset(list(range(10)))
    assert [list(ds.shard(3, i)) for i in range(3)] == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert list(ds.take(3)) == [0, 1, 2] and len(ds.take(None)) == 10 and len(ds.take(99)) == 10
    assert list(ds.filter(lambda x: x % 4 == 0)) == [0, 4, 8]
    assert list(ds.sample(gdata.SequentialSampler(3, 5))) == [5, 6, 7]
    with pytest.raises(TypeError, match="Expected gluon.data.Sampler"):
        ds.sample([1, 2])
    with pytest.raises(AssertionError, match="Shard index of out bound"):
        ds.shard(2, 2)


def test_transform_and_transform_first():
    ds = gdata.ArrayDataset(np.arange(3), np.arange(3) * 10)
    assert ds.transform(lambda x, y: x + y)[2] == 22
    assert ds.transform_first(lambda x: -x)[2] == (-2, 20)
    eager = ds.transform(lambda x, y: (y, x), lazy=False)
    assert isinstance(eager, gdata.SimpleDataset) and eager[1] == (10, 1)
    assert gdata.SimpleDataset([1, 2]).transform_first(lambda x: x * 3)[1] == 6


def test_batch_sampler_last_batch_modes():
    seq = gdata.SequentialSampler(10)
    assert list(gdata.BatchSampler(seq, 3, "keep")) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert list(gdata.BatchSampler(seq, 3, "discard")) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    roll = gdata.BatchSampler(seq, 3, "rollover")
    assert list(roll) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]] and len(roll) == 3
    assert list(roll) == [[9, 0, 1], [2, 3, 4], [5, 6, 7]] and len(roll) == 4  # 8, 9 wait
    assert [len(gdata.BatchSampler(seq, 3, m)) for m in ("keep", "discard")] == [4, 3]


def test_batch_sampler_over_an_iterated_sampler():
    class Evens(gdata.Sampler):
        def __iter__(self):
            return iter(range(0, 10, 2))

        def __len__(self):
            return 5

    assert list(gdata.BatchSampler(Evens(), 2, "keep")) == [[0, 2], [4, 6], [8]]
    roll = gdata.BatchSampler(Evens(), 2, "rollover")
    assert list(roll) == [[0, 2], [4, 6]] and list(roll)[0] == [8, 0]


def test_random_and_filter_samplers():
    perm = list(gdata.RandomSampler(20))
    assert sorted(perm) == list(range(20)) and len(gdata.RandomSampler(20)) == 20
    fs = gdata.FilterSampler(lambda x: x > 1, [0, 3, 1, 5])
    assert list(fs) == [1, 3] and len(fs) == 2
    assert list(gdata.SequentialSampler(3, start=2)) == [2, 3, 4]
