"""``mxtorch im2rec`` against MXNet 1.9.1's tools/im2rec.py (goldens: tests/conformance/gen_recordio.py)."""
import shutil

import numpy as np
import pytest
import torch

import mxtorch as mx
from mxtorch.cli import main
from tests.conformance.conftest import GOLDEN

G = GOLDEN / "recordio"


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "tree"
    shutil.copytree(G / "tree", root)
    return root


def _records(prefix):
    rec = mx.recordio.MXIndexedRecordIO(f"{prefix}.idx", f"{prefix}.rec", "r")
    return [mx.recordio.unpack(rec.read_idx(k)) for k in rec.keys], rec.keys


def test_list_recursive_shuffled_is_mxnets(tmp_path, tree, capsys):
    assert main(["im2rec", "--list", "--recursive", str(tmp_path / "im2rec"), str(tree)]) == 0
    assert (tmp_path / "im2rec.lst").read_bytes() == (G / "im2rec.lst").read_bytes()
    assert "bee/sub 3" in capsys.readouterr().out


def test_split_lists_are_mxnets(tmp_path, tree):
    assert main(["im2rec", "--list", "--recursive", "--no-shuffle", "--train-ratio", "0.5",
                 "--test-ratio", "0.25", str(tmp_path / "im2rec_split"), str(tree)]) == 0
    for part in ("train", "test", "val"):
        name = f"im2rec_split_{part}.lst"
        assert (tmp_path / name).read_bytes() == (G / name).read_bytes()


def test_list_chunks_and_flat_folder(tmp_path, tree):
    assert main(["im2rec", "--list", "--chunks", "2", str(tmp_path / "c"), str(tree), "--exts", ".png"]) == 0
    assert (tmp_path / "c_0.lst").read_text() == "0\t0.000000\ttop.png\n"
    assert (tmp_path / "c_1.lst").read_text() == ""


def test_pass_through_records_are_mxnets(tmp_path, tree):
    shutil.copy(G / "im2rec.lst", tmp_path / "im2rec.lst")
    assert main(["im2rec", "--pass-through", str(tmp_path / "im2rec"), str(tree)]) == 0
    assert (tmp_path / "im2rec.rec").read_bytes() == (G / "im2rec.rec").read_bytes()
    assert (tmp_path / "im2rec.idx").read_bytes() == (G / "im2rec.idx").read_bytes()


def test_pack_label_records_are_mxnets(tmp_path, tree):
    shutil.copy(G / "im2rec_multi.lst", tmp_path / "im2rec_multi.lst")
    assert main(["im2rec", "--pass-through", "--pack-label", str(tmp_path / "im2rec_multi"), str(tree)]) == 0
    assert (tmp_path / "im2rec_multi.rec").read_bytes() == (G / "im2rec_multi.rec").read_bytes()
    assert (tmp_path / "im2rec_multi.idx").read_bytes() == (G / "im2rec_multi.idx").read_bytes()
    (header, _), *_ = _records(tmp_path / "im2rec_multi")[0]
    assert header.flag == 3 and header.id == 10


def _expected(path, color, crop, resize, interp=1):
    stem = path.replace("/", "_").rsplit(".", 1)[0]
    img = np.load(G / "pixels" / f"{stem}_{'color' if color else 'gray'}.npy", allow_pickle=False)
    if crop:
        h, w = img.shape[:2]
        m = abs(h - w) // 2
        img = img[m:m + w] if h > w else img[:, m:m + h]
    if resize:
        h, w = img.shape[:2]
        size = (resize, h * resize // w) if h > w else (w * resize // h, resize)
        img = mx.image.imresize(mx.nd.NDArray(torch.from_numpy(np.ascontiguousarray(img))), *size,
                                interp=interp).asnumpy()
    return img


@pytest.mark.parametrize("color, crop, resize", [(1, False, 0), (1, True, 4), (0, False, 5), (1, False, 3)])
def test_reencoded_png_pixels(tmp_path, tree, color, crop, resize):
    shutil.copy(G / "im2rec.lst", tmp_path / "im2rec.lst")
    args = ["im2rec", "--encoding", ".png", "--color", str(color), str(tmp_path / "im2rec"), str(tree)]
    args += ["--center-crop"] * crop + ["--resize", str(resize)]
    assert main(args) == 0
    lines = [line.split("\t") for line in (G / "im2rec.lst").read_text().splitlines()]
    rec = mx.recordio.MXIndexedRecordIO(str(tmp_path / "im2rec.idx"), str(tmp_path / "im2rec.rec"), "r")
    assert rec.keys == [int(fields[0]) for fields in lines]
    for fields in lines:
        header, img = mx.recordio.unpack_img(rec.read_idx(int(fields[0])))
        assert header.label == float(fields[1]) and header.id == int(fields[0])
        expected = _expected(fields[2], color, crop, resize)
        got = img[:, :, ::-1] if color else img[:, :, None]
        if got.shape[2] == 4:       # not reached with --color 1/0, which drop alpha
            got = got[:, :, 1:]
        assert got.shape == expected.shape
        jpeg_source = fields[2].endswith((".jpg", ".jpeg"))
        tol = (2 if jpeg_source else 0) + (1 if resize else 0)
        assert np.abs(got.astype(int) - expected).max() <= tol


def test_jpeg_encoding_and_threads_agree(tmp_path, tree):
    shutil.copy(G / "im2rec.lst", tmp_path / "one.lst")
    shutil.copy(G / "im2rec.lst", tmp_path / "two.lst")
    assert main(["im2rec", "--quality", "90", "--resize", "6", str(tmp_path / "one"), str(tree)]) == 0
    assert main(["im2rec", "--quality", "90", "--resize", "6", "--num-thread", "2",
                 str(tmp_path / "two"), str(tree)]) == 0
    assert (tmp_path / "one.rec").read_bytes() == (tmp_path / "two.rec").read_bytes()
    assert (tmp_path / "one.idx").read_bytes() == (tmp_path / "two.idx").read_bytes()
    records, keys = _records(tmp_path / "one")
    for (header, payload), key in zip(records, keys):
        assert payload[:2] == b"\xff\xd8" and header.id == key


def test_bad_image_is_skipped(tmp_path, tree, capsys):
    (tree / "broken.png").write_bytes(b"\x89PNG not really")
    (tmp_path / "b.lst").write_text("0\t1.000000\tbroken.png\n1\t2.000000\ttop.png\nbad line\n")
    assert main(["im2rec", str(tmp_path / "b"), str(tree)]) == 1
    records, keys = _records(tmp_path / "b")
    assert keys == [1] and records[0][0].label == 2.0
    err = capsys.readouterr()
    assert "broken.png" in err.err and "skipping list line 'bad line'" in err.out


def test_missing_list_and_folder(tmp_path, capsys):
    assert main(["im2rec", str(tmp_path / "nothing"), str(tmp_path)]) == 1
    assert "no .lst file" in capsys.readouterr().out
    assert main(["im2rec", "--list", str(tmp_path / "x"), str(tmp_path / "absent")]) == 1
    assert "does not exist" in capsys.readouterr().err
