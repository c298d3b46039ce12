"""MNIST / FashionMNIST / CIFAR readers: MXNet's items, offline errors, raw and gzip files."""
import gzip
import os
import shutil

import numpy as np
import pytest

import mxtorch as mx
from mxtorch.gluon.data import DataLoader, vision
from mxtorch.gluon.data.vision import datasets as vdatasets

from ...conftest import GOLDEN

MNIST_GOLDEN = np.load(GOLDEN / "data" / "mnist.npz")
TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def _no_network(*args, **kwargs):
    raise OSError("network is unreachable")


def test_mnist_items_match_mxnet(mnist_root):
    ds = vision.MNIST(root=str(mnist_root), train=False)
    image, label = ds[0]
    assert [type(image).__name__, type(label).__name__] == MNIST_GOLDEN["item_types"].tolist()
    assert [np.dtype(image.dtype).name, np.dtype(label.dtype).name] == \
        MNIST_GOLDEN["item_dtypes"].tolist()
    assert len(ds) == int(MNIST_GOLDEN["length"])
    np.testing.assert_array_equal(ds._label[:50], MNIST_GOLDEN["labels"])
    x, y = next(iter(DataLoader(ds, batch_size=5)))
    assert x.dtype == np.uint8 and y.dtype == np.int32
    np.testing.assert_array_equal(x.asnumpy(), MNIST_GOLDEN["images"])
    np.testing.assert_array_equal(y.asnumpy(), MNIST_GOLDEN["batch_labels"])


def test_mnist_transform_is_applied_per_sample(mnist_root):
    ds = vision.MNIST(root=str(mnist_root), train=False,
                      transform=lambda d, l: (d.astype("float32") / 255, l + 1))
    image, label = ds[0]
    assert image.dtype == np.float32 and float(image.asnumpy().max()) <= 1.0 and label == 8
    x, y = next(iter(DataLoader(ds, batch_size=3)))
    assert x.shape == (3, 28, 28, 1) and y.asnumpy().tolist() == [8, 3, 2]


def test_mnist_reads_uncompressed_idx_files(mnist_root, tmp_path):
    for name in TEST_FILES:
        with gzip.open(mnist_root / name) as fin:
            (tmp_path / name[:-3]).write_bytes(fin.read())
    ds = vision.MNIST(root=str(tmp_path), train=False)
    np.testing.assert_array_equal(ds[0][0].asnumpy(), MNIST_GOLDEN["images"][0])


def test_mnist_default_root_follows_mxnet_home(mnist_root, tmp_path, monkeypatch):
    folder = tmp_path / "datasets" / "mnist"
    folder.mkdir(parents=True)
    for name in TEST_FILES:
        os.symlink(mnist_root / name, folder / name)
    monkeypatch.setenv("MXNET_HOME", str(tmp_path))
    assert len(vision.MNIST(train=False)) == 10000


def test_mnist_missing_file_offline_gives_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(vdatasets, "download", _no_network)
    with pytest.raises(mx.MXNetError) as err:
        vision.MNIST(root=str(tmp_path), train=False)
    msg = str(err.value)
    assert "t10k-labels-idx1-ubyte.gz" in msg and str(tmp_path) in msg
    assert "not found" in msg and "network is unreachable" in msg and "Copy" in msg


def test_mnist_corrupt_file_is_rejected(mnist_root, tmp_path, monkeypatch):
    monkeypatch.setattr(vdatasets, "download", _no_network)
    shutil.copy(mnist_root / TEST_FILES[1], tmp_path / TEST_FILES[1])
    data = gzip.open(mnist_root / TEST_FILES[0]).read()
    (tmp_path / TEST_FILES[0]).write_bytes(gzip.compress(data[:-100], compresslevel=1))  # truncated content
    with pytest.raises(mx.MXNetError, match="t10k-images-idx3-ubyte.gz is corrupt .*declares dimensions"):
        vision.MNIST(root=str(tmp_path), train=False)
    (tmp_path / TEST_FILES[0]).write_bytes(b"\x1f\x8bnot really gzip")
    with pytest.raises(mx.MXNetError, match="t10k-images-idx3-ubyte.gz is corrupt"):
        vision.MNIST(root=str(tmp_path), train=False)


def test_mnist_downloads_missing_files_from_the_repository(mnist_root, tmp_path, monkeypatch):
    calls = []

    def fake_download(url, path=None, sha1_hash=None, retries=5):
        calls.append((url, sha1_hash))
        name = url.rsplit("/", 1)[-1]
        shutil.copy(mnist_root / name, os.path.join(path, name))
        return os.path.join(path, name)

    monkeypatch.setattr(vdatasets, "download", fake_download)
    ds = vision.MNIST(root=str(tmp_path), train=False)
    assert len(ds) == 10000
    assert calls[0] == ("https://apache-mxnet.s3-accelerate.dualstack.amazonaws.com/gluon/dataset/"
                        "mnist/t10k-labels-idx1-ubyte.gz", "763e7fa3757d93b0cdec073cef058b2004252c17")


def _write_idx(path, arr):
    header = bytes([0, 0, 8, arr.ndim]) + np.asarray(arr.shape, dtype=">u4").tobytes()
    path.write_bytes(gzip.compress(header + arr.astype(np.uint8).tobytes()))


def test_fashion_mnist_checks_structure_without_content_checksum(tmp_path, monkeypatch):
    monkeypatch.setattr(vdatasets, "download", _no_network)
    rng = np.random.RandomState(0)
    _write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", rng.randint(0, 255, (4, 28, 28)))
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.arange(4))
    ds = vision.FashionMNIST(root=str(tmp_path), train=False)
    assert len(ds) == 4 and ds[3][1] == 3 and ds[0][0].shape == (28, 28, 1)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"\0\0\x08\x01\0\0\0\x09"))
    with pytest.raises(mx.MXNetError, match="declares dimensions .* holds only"):
        vision.FashionMNIST(root=str(tmp_path), train=False)


def _write_cifar(path, n, label_bytes, seed):
    rng = np.random.RandomState(seed)
    records = rng.randint(0, 255, (n, label_bytes + 3072)).astype(np.uint8)
    path.write_bytes(records.tobytes())
    return records


def test_cifar10_and_cifar100_binary_readers(tmp_path, monkeypatch):
    monkeypatch.setattr(vdatasets, "check_sha1", lambda *a: True)  # fake files, real layout
    rec = _write_cifar(tmp_path / "test_batch.bin", 3, 1, 0)
    for i in range(1, 6):
        _write_cifar(tmp_path / f"data_batch_{i}.bin", 2, 1, i)
    test = vision.CIFAR10(root=str(tmp_path), train=False)
    image, label = test[1]
    assert image.shape == (32, 32, 3) and image.dtype == np.uint8
    assert isinstance(label, np.int32) and label == rec[1, 0]
    np.testing.assert_array_equal(image.asnumpy(),
                                  rec[1, 1:].reshape(3, 32, 32).transpose(1, 2, 0))
    assert len(vision.CIFAR10(root=str(tmp_path), train=True)) == 10
    rec = _write_cifar(tmp_path / "test.bin", 2, 2, 7)
    _write_cifar(tmp_path / "train.bin", 2, 2, 8)
    coarse = vision.CIFAR100(root=str(tmp_path), train=False)
    fine = vision.CIFAR100(root=str(tmp_path), train=False, fine_label=True)
    assert coarse[0][1] == rec[0, 0] and fine[0][1] == rec[0, 1]
    np.testing.assert_array_equal(fine[0][0].asnumpy(),
                                  rec[0, 2:].reshape(3, 32, 32).transpose(1, 2, 0))


def test_cifar_missing_offline_error(tmp_path, monkeypatch):
    monkeypatch.setattr(vdatasets, "download", _no_network)
    with pytest.raises(mx.MXNetError, match=r"cifar-10-binary.tar.gz failed .*Extract"):
        vision.CIFAR10(root=str(tmp_path))


def _save_png(path, arr):
    from PIL import Image
    Image.fromarray(arr).save(path)


def test_image_folder_dataset(tmp_path):
    rng = np.random.RandomState(0)
    images = {}
    for cls in ("bus", "car"):
        (tmp_path / cls).mkdir()
        for i in range(2):
            arr = rng.randint(0, 256, (4, 5, 3)).astype(np.uint8)
            _save_png(tmp_path / cls / f"{i}.png", arr)
            images[(cls, i)] = arr
    (tmp_path / "car" / "notes.txt").write_text("not an image")
    (tmp_path / "readme.md").write_text("not a folder")
    with pytest.warns(UserWarning, match="Ignoring"):
        ds = vision.ImageFolderDataset(str(tmp_path))
    assert ds.synsets == ["bus", "car"] and len(ds) == 4
    img, label = ds[2]
    assert label == 1 and img.dtype == np.uint8
    np.testing.assert_array_equal(img.asnumpy(), images[("car", 0)])
    with pytest.warns(UserWarning):
        gray = vision.ImageFolderDataset(str(tmp_path), flag=0,
                                         transform=lambda d, l: (d.astype("float32"), l * 10))
    img, label = gray[3]
    assert img.shape == (4, 5, 1) and img.dtype == np.float32 and label == 10
    with pytest.raises(mx.MXNetError, match="is not a directory"):
        vision.ImageFolderDataset(str(tmp_path / "missing"))


def test_image_list_dataset_from_file_and_list(tmp_path):
    arr = np.random.RandomState(1).randint(0, 256, (3, 4, 3)).astype(np.uint8)
    (tmp_path / "imgs").mkdir()
    _save_png(tmp_path / "imgs" / "a.png", arr)
    (tmp_path / "data.lst").write_text("0\t2\timgs/a.png\n1\t1.5\t3\timgs/a.png\n\n")
    ds = vision.ImageListDataset(str(tmp_path), "data.lst")
    assert len(ds) == 2
    img, label = ds[0]
    np.testing.assert_array_equal(img.asnumpy(), arr)
    assert label.dtype == np.float32 and label.asnumpy().tolist() == [2.0]
    assert ds[1][1].asnumpy().tolist() == [1.5, 3.0]
    listed = vision.ImageListDataset(str(tmp_path), [[4, "imgs/a.png"], [1, 2, "imgs/a.png"]], flag=0)
    assert listed[0][1].asnumpy().tolist() == [4.0] and listed[1][1].shape == (2,)
    assert listed[0][0].shape == (3, 4, 1)
    x, y = next(iter(DataLoader(listed, batch_size=1)))
    assert x.shape == (1, 3, 4, 1) and y.shape == (1, 1)
    (tmp_path / "bad.lst").write_text("0\timgs/a.png\n")
    with pytest.raises(mx.MXNetError, match="bad.lst:1: expected"):
        vision.ImageListDataset(str(tmp_path), "bad.lst")
    with pytest.raises(ValueError, match="imglist must be"):
        vision.ImageListDataset(str(tmp_path), None)
