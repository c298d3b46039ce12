"""gluon.data.RecordFileDataset, vision.ImageRecordDataset and ImageListDataset on MXNet 1.9.1's
RecordIO and im2rec goldens (tests/conformance/gen_recordio.py)."""
import json
import pickle
import shutil

import numpy as np
import pytest

import mxtorch as mx
from mxtorch import gluon
from tests.conformance.conftest import GOLDEN

G = GOLDEN / "recordio"
IMAGES = json.loads((G / "images.json").read_text())
RAW = json.loads((G / "raw.json").read_text())


def _pixels(path, flag):
    stem = path.replace("/", "_").rsplit(".", 1)[0]
    return np.load(G / "pixels" / f"{stem}_{'color' if flag else 'gray'}.npy", allow_pickle=False)


def _tol(path):
    return 2 if path.endswith((".jpg", ".jpeg")) else 0


def test_record_file_dataset():
    ds = gluon.data.RecordFileDataset(str(G / "raw.rec"))
    assert len(ds) == len(RAW["payloads"])
    assert [ds[i] for i in range(len(ds))] == [bytes.fromhex(p) for p in RAW["payloads"]]
    assert ds.idx_file.endswith("raw.idx")


@pytest.mark.parametrize("flag", [1, 0])
def test_image_record_dataset(flag):
    ds = gluon.data.vision.ImageRecordDataset(str(G / "images.rec"), flag=flag)
    assert len(ds) == len(IMAGES)
    for i, expected in enumerate(IMAGES):
        img, label = ds[i]
        assert isinstance(img, mx.nd.NDArray) and img.dtype == np.uint8
        want = _pixels(expected["path"], flag)
        assert img.shape == want.shape
        assert np.abs(img.asnumpy().astype(int) - want).max() <= _tol(expected["path"])
        if isinstance(expected["label"], list):
            assert isinstance(label, np.ndarray) and label.dtype == np.float32
            np.testing.assert_array_equal(label, expected["label"])
        else:
            assert label == expected["label"]


def test_image_record_dataset_transform_and_loader():
    ds = gluon.data.vision.ImageRecordDataset(
        str(G / "im2rec.rec"), transform=lambda d, y: (mx.image.imresize(d, 4, 4).astype("float32") / 255, y))
    loader = gluon.data.DataLoader(ds, batch_size=3, shuffle=False, last_batch="keep")
    batches = list(loader)
    assert [b[0].shape for b in batches] == [(3, 4, 4, 3), (3, 4, 4, 3), (1, 4, 4, 3)]
    labels = [float(line.split("\t")[1]) for line in (G / "im2rec.lst").read_text().splitlines()]
    np.testing.assert_array_equal(np.concatenate([b[1].asnumpy() for b in batches]), labels)
    assert float(batches[0][0].max().asscalar()) <= 1.0


def test_image_record_dataset_survives_pickling():
    ds = gluon.data.vision.ImageRecordDataset(str(G / "images.rec"))
    copy = pickle.loads(pickle.dumps(ds))
    np.testing.assert_array_equal(copy[2][0].asnumpy(), ds[2][0].asnumpy())


def test_image_record_dataset_workers():
    ds = gluon.data.vision.ImageRecordDataset(str(G / "images.rec"), flag=0,
                                              transform=lambda d, y: (mx.image.imresize(d, 3, 3), 1.0))
    batches = list(gluon.data.DataLoader(ds, batch_size=7, num_workers=2))
    assert batches[0][0].shape == (7, 3, 3, 1)


def test_image_list_dataset_reads_im2rec_lists(tmp_path):
    root = tmp_path / "tree"
    shutil.copytree(G / "tree", root)
    shutil.copy(G / "im2rec_multi.lst", root / "multi.lst")
    ds = gluon.data.vision.ImageListDataset(str(root), "multi.lst")
    lines = (G / "im2rec_multi.lst").read_text().splitlines()
    assert len(ds) == len(lines)
    for i, line in enumerate(lines):
        fields = line.split("\t")
        img, label = ds[i]
        np.testing.assert_array_equal(label.asnumpy(), [float(v) for v in fields[1:-1]])
        assert np.abs(img.asnumpy().astype(int) - _pixels(fields[-1], 1)).max() <= _tol(fields[-1])


def test_missing_index_is_an_error(tmp_path):
    shutil.copy(G / "raw.rec", tmp_path / "x.rec")
    with pytest.raises(mx.MXNetError, match="x.idx"):
        gluon.data.RecordFileDataset(str(tmp_path / "x.rec"))
