"""mx.io iterators against MXNet 1.9.1 (goldens from tests/conformance/gen_symbol.py --part io)."""
import gzip
import json

import numpy as np
import pytest

import mxtorch as mx
from mxtorch.base import MXNetError
from tests.conftest import GOLDEN

GOLD = json.loads((GOLDEN / "symbol" / "io.json").read_text())


def epochs(it, n=3):
    out = []
    for _ in range(n):
        out.append([{"data": [d.asnumpy().tolist() for d in b.data],
                     "label": [lab.asnumpy().tolist() for lab in b.label], "pad": b.pad,
                     "index": None if b.index is None else [int(i) for i in b.index]} for b in it])
        it.reset()
    return out


def descs(descs):
    return [[d.name, list(d.shape), np.dtype(d.dtype).name, d.layout] for d in descs]


X = np.arange(40, dtype=np.float32).reshape(10, 2, 2)
Y = np.arange(10, dtype=np.float32)


@pytest.mark.parametrize("key", sorted(k for k in GOLD["ndarrayiter"] if k != "dict-list"))
def test_ndarrayiter_matches_mxnet(key):
    shuffle, handle, bs = key.split("-")
    np.random.seed(0)
    it = mx.io.NDArrayIter(X, Y, int(bs), shuffle=shuffle == "True", last_batch_handle=handle)
    gold = GOLD["ndarrayiter"][key]
    assert descs(it.provide_data) == gold["provide_data"]
    assert descs(it.provide_label) == gold["provide_label"]
    assert epochs(it) == gold["epochs"]


def test_ndarrayiter_dicts_and_lists_match_mxnet():
    it = mx.io.NDArrayIter({"b": X, "a": X[:, :1]}, [Y, Y * 2], 4, label_name="lab")
    gold = GOLD["ndarrayiter"]["dict-list"]
    assert descs(it.provide_data) == gold["provide_data"]
    assert descs(it.provide_label) == gold["provide_label"]
    assert epochs(it, 1) == gold["epochs"]


def test_ndarrayiter_batches_do_not_alias_the_source():
    source = mx.nd.array(X)
    batch = next(mx.io.NDArrayIter(source, batch_size=2))
    batch.data[0][:] = -1
    assert source.asnumpy().min() == 0


def test_ndarrayiter_rejects_bad_input():
    with pytest.raises(ValueError, match="last_batch_handle"):
        mx.io.NDArrayIter(X, batch_size=2, last_batch_handle="wrap")
    with pytest.raises(ValueError, match="has 3 examples"):
        mx.io.NDArrayIter(X, Y[:3], batch_size=2)
    with pytest.raises(TypeError):
        mx.io.NDArrayIter("not data", batch_size=2)


@pytest.fixture
def csv_files(tmp_path):
    np.savetxt(tmp_path / "d.csv", np.arange(30).reshape(10, 3), delimiter=",", fmt="%g")
    np.savetxt(tmp_path / "l.csv", np.arange(10) + 100, delimiter=",", fmt="%g")
    np.savetxt(tmp_path / "l2.csv", np.arange(20).reshape(10, 2), delimiter=",", fmt="%g")
    return tmp_path


@pytest.mark.parametrize("key", sorted(GOLD["csviter"]))
def test_csviter_matches_mxnet(key, csv_files):
    gold = GOLD["csviter"][key]
    kwargs = dict(gold["kwargs"])
    if gold["label_file"] != "NULL":
        kwargs["label_csv"] = str(csv_files / gold["label_file"])
    it = mx.io.CSVIter(data_csv=str(csv_files / "d.csv"), **kwargs)
    assert descs(it.provide_data) == gold["provide_data"]
    assert descs(it.provide_label) == gold["provide_label"]
    assert epochs(it) == gold["epochs"]


def test_csviter_errors(csv_files):
    with pytest.raises(MXNetError, match="rows of 3 values"):
        mx.io.CSVIter(data_csv=str(csv_files / "d.csv"), data_shape=(4,), batch_size=2)
    with pytest.raises(TypeError):
        mx.io.CSVIter(str(csv_files / "d.csv"), (3,), batch_size=2)


def test_mnistiter_matches_mxnet(mnist_root, tmp_path):
    gold = GOLD["mnistiter"]
    image, label = mnist_root / "t10k-images-idx3-ubyte.gz", mnist_root / "t10k-labels-idx1-ubyte.gz"
    raw = tmp_path / "labels-raw"
    raw.write_bytes(gzip.open(label).read())  # raw and gzip files both read
    it = mx.io.MNISTIter(image=str(image), label=str(raw), batch_size=128, shuffle=False)
    batches = list(it)
    assert len(batches) == gold["num_batches"]
    assert descs(it.provide_data) == gold["provide_data"]
    assert descs(it.provide_label) == gold["provide_label"]
    assert batches[0].data[0].asnumpy().sum() == pytest.approx(gold["first_data_sum"], rel=1e-6)
    assert batches[0].data[0].asnumpy().max() == gold["first_data_max"]
    assert batches[0].label[0].asnumpy().tolist() == gold["first_labels"]
    assert batches[-1].label[0].asnumpy().tolist() == gold["last_labels"]
    flat = mx.io.MNISTIter(image=str(image), label=str(label), batch_size=100, flat=True)
    assert descs(flat.provide_data) == gold["flat_provide_data"]


def test_mnistiter_shuffle_is_seeded_and_partitions(mnist_root):
    kw = dict(image=str(mnist_root / "t10k-images-idx3-ubyte.gz"),
              label=str(mnist_root / "t10k-labels-idx1-ubyte.gz"), batch_size=50, silent=True)
    a = next(mx.io.MNISTIter(seed=3, **kw)).label[0].asnumpy()
    b = next(mx.io.MNISTIter(seed=3, **kw)).label[0].asnumpy()
    c = next(mx.io.MNISTIter(seed=4, **kw)).label[0].asnumpy()
    assert (a == b).all() and not (a == c).all()
    part = mx.io.MNISTIter(num_parts=4, part_index=1, shuffle=False, **kw)
    assert sum(1 for _ in part) == 2500 // 50


def test_mnistiter_reports_bad_files(tmp_path):
    bad = tmp_path / "bad"
    bad.write_bytes(b"\x00\x00\x08\x01junk")
    with pytest.raises(MXNetError, match="bad"):
        mx.io.MNISTIter(image=str(bad), label=str(bad))
    with pytest.raises(MXNetError, match="cannot read"):
        mx.io.MNISTIter(image=str(tmp_path / "absent"), label=str(bad))


def test_resize_and_prefetching_iters():
    base = mx.io.NDArrayIter(X, Y, batch_size=4)
    resized = mx.io.ResizeIter(base, 5)
    labels = [b.label[0].asnumpy().tolist() for b in resized]
    assert len(labels) == 5 and labels[3] == [0, 1, 2, 3]
    first = mx.io.NDArrayIter({"data": X}, batch_size=5)
    second = mx.io.NDArrayIter({"data": X * 2}, batch_size=5)
    pre = mx.io.PrefetchingIter([first, second], rename_data=[{"data": "d1"}, {"data": "d2"}])
    assert [d.name for d in pre.provide_data] == ["d1", "d2"]
    for _ in range(2):
        batches = list(pre)
        assert len(batches) == 2
        np.testing.assert_array_equal(batches[1].data[1].asnumpy(), X[5:] * 2)
        pre.reset()
    pre.close()


def test_databatch_and_datadesc():
    desc = mx.io.DataDesc("data", (2, 3))
    assert desc.dtype is np.float32 and desc.layout == "NCHW"
    assert repr(desc) == "DataDesc[data,(2, 3),<class 'numpy.float32'>,NCHW]"
    assert mx.io.DataDesc.get_batch_axis("TNC") == 1
    batch = mx.io.DataBatch([mx.nd.ones((2, 3))], [mx.nd.ones((2,))])
    assert str(batch) == "DataBatch: data shapes: [(2, 3)] label shapes: [(2,)]"
    with pytest.raises(TypeError):
        mx.io.DataBatch(mx.nd.ones(2))


def test_mnistiter_ignores_keywords_it_does_not_use_with_a_warning(mnist_root):
    # MXNet 1.9.1's MNISTIter accepts input_shape (programs pass it) and any unknown keyword
    kw = dict(image=str(mnist_root / "t10k-images-idx3-ubyte.gz"),
              label=str(mnist_root / "t10k-labels-idx1-ubyte.gz"), batch_size=4, silent=True,
              flat=True)
    with pytest.warns(UserWarning, match=r"MNISTIter: ignoring arguments it does not use: \['input_shape'\]"):
        it = mx.io.MNISTIter(input_shape=(784,), **kw)
    assert it.provide_data[0].shape == (4, 784)
