"""mx.recordio against MXNet 1.9.1's files (tests/conformance/gen_recordio.py) and hostile input."""
import json
import pickle
import struct
import time
import tracemalloc

import numpy as np
import pytest

import mxtorch as mx
from mxtorch.recordio import IRHeader, MXIndexedRecordIO, MXRecordIO, pack, pack_img, unpack, unpack_img
from tests.conformance.conftest import GOLDEN

G = GOLDEN / "recordio"
RAW = json.loads((G / "raw.json").read_text())
PAYLOADS = [bytes.fromhex(p) for p in RAW["payloads"]]
IMAGES = json.loads((G / "images.json").read_text())
MAGIC = struct.pack("<I", 0xCED7230A)


def _stem(path: str) -> str:
    return path.replace("/", "_").rsplit(".", 1)[0]


def test_namespace():
    assert mx.recordio.MXRecordIO is MXRecordIO
    assert IRHeader._fields == ("flag", "label", "id", "id2")


def test_reads_mxnet_raw_records_sequentially_and_by_key():
    rec = MXRecordIO(str(G / "raw.rec"), "r")
    assert [rec.read() for _ in PAYLOADS] == PAYLOADS
    assert rec.read() is None
    rec.reset()
    assert rec.read() == PAYLOADS[0]
    rec.close()
    idx = MXIndexedRecordIO(str(G / "raw.idx"), str(G / "raw.rec"), "r")
    assert idx.keys == RAW["keys"]
    for key, payload in reversed(list(zip(RAW["keys"], PAYLOADS))):
        assert idx.read_idx(key) == payload
    with pytest.raises(KeyError):
        idx.read_idx(2)
    idx.close()
    idx.close()   # twice is fine


def test_writes_mxnet_raw_bytes(tmp_path):
    rec = MXIndexedRecordIO(str(tmp_path / "raw.idx"), str(tmp_path / "raw.rec"), "w")
    positions = []
    for key, payload in zip(RAW["keys"], PAYLOADS):
        positions.append(rec.tell())
        rec.write_idx(key, payload)
    rec.close()
    assert (tmp_path / "raw.rec").read_bytes() == (G / "raw.rec").read_bytes()
    assert (tmp_path / "raw.idx").read_bytes() == (G / "raw.idx").read_bytes()
    assert positions[0] == 0 and positions == sorted(positions)


def test_magic_inside_a_payload_splits_the_record(tmp_path):
    path = str(tmp_path / "m.rec")
    with MXRecordIO(path, "w") as rec:
        rec.write(b"abcd" + MAGIC + b"e")
    data = (tmp_path / "m.rec").read_bytes()
    # part 1: flag 1, 4 bytes; part 2: flag 3, 1 byte padded to 4
    assert data == (MAGIC + struct.pack("<I", (1 << 29) | 4) + b"abcd"
                    + MAGIC + struct.pack("<I", (3 << 29) | 1) + b"e\0\0\0")
    assert MXRecordIO(path, "r").read() == b"abcd" + MAGIC + b"e"


def test_headers_and_labels_of_mxnet_image_records():
    rec = MXIndexedRecordIO(str(G / "images.idx"), str(G / "images.rec"), "r")
    for i, expected in enumerate(IMAGES):
        header, payload = unpack(rec.read_idx(i))
        assert (header.id, header.id2) == (expected["id"], expected["id2"])
        if isinstance(expected["label"], list):
            assert header.flag == len(expected["label"])
            assert header.label.dtype == np.float32
            np.testing.assert_array_equal(header.label, expected["label"])
        else:
            assert header.flag == 0 and header.label == expected["label"]
        assert payload == (G / "tree" / expected["path"]).read_bytes()


def test_pack_gives_mxnet_bytes(tmp_path):
    rec = MXIndexedRecordIO(str(tmp_path / "i.idx"), str(tmp_path / "i.rec"), "w")
    for i, expected in enumerate(IMAGES):
        header = IRHeader(99, expected["label"], expected["id"], expected["id2"])
        rec.write_idx(i, pack(header, (G / "tree" / expected["path"]).read_bytes()))
    rec.close()
    assert (tmp_path / "i.rec").read_bytes() == (G / "images.rec").read_bytes()
    assert (tmp_path / "i.idx").read_bytes() == (G / "images.idx").read_bytes()


@pytest.mark.parametrize("i", range(len(IMAGES)))
def test_unpack_img_pixels_match_mxnet(i):
    expected = IMAGES[i]
    rec = MXIndexedRecordIO(str(G / "images.idx"), str(G / "images.rec"), "r")
    record = rec.read_idx(i)
    color = np.load(G / "pixels" / f"{_stem(expected['path'])}_color.npy", allow_pickle=False)
    gray = np.load(G / "pixels" / f"{_stem(expected['path'])}_gray.npy", allow_pickle=False)
    _, bgr = unpack_img(record, 1)
    _, grey = unpack_img(record, 0)
    _, as_stored = unpack_img(record)
    assert bgr.dtype == np.uint8 and bgr.shape == color.shape and grey.shape == gray.shape[:2]
    # same decoders family (libjpeg); PNG is lossless
    tol = 2 if expected["path"].endswith((".jpg", ".jpeg")) else 0
    assert np.abs(bgr[:, :, ::-1].astype(int) - color).max() <= tol
    assert np.abs(grey.astype(int) - gray[:, :, 0]).max() <= tol
    if expected["path"] == "bee/b1.png":        # RGBA: -1 keeps alpha, BGRA order
        assert as_stored.shape == color.shape[:2] + (4,)
        np.testing.assert_array_equal(as_stored[:, :, :3], bgr)
    elif expected["path"] == "ant/a1.png":      # grey PNG stays 2-D
        assert as_stored.shape == color.shape[:2]
    else:
        assert as_stored.shape == color.shape


def test_pack_img_round_trip():
    rng = np.random.RandomState(3)
    img = rng.randint(0, 256, (10, 14, 3)).astype(np.uint8)
    header = IRHeader(0, [1.0, 2.0], 5, 0)
    h, back = unpack_img(pack_img(header, img, img_fmt=".png"))
    np.testing.assert_array_equal(back, img)
    np.testing.assert_array_equal(h.label, [1.0, 2.0])
    assert h.flag == 2
    smooth = np.repeat(np.linspace(0, 255, 16).astype(np.uint8)[None, :, None], 12, 0).repeat(3, 2)
    _, jpg = unpack_img(pack_img(IRHeader(0, 1.0, 0, 0), smooth, quality=95), 1)
    assert jpg.shape == smooth.shape and np.abs(jpg.astype(int) - smooth).max() <= 8
    _, grey = unpack_img(pack_img(IRHeader(0, 1.0, 0, 0), img[:, :, 0], img_fmt=".png"))
    np.testing.assert_array_equal(grey, img[:, :, 0])
    with pytest.raises(mx.MXNetError, match="uint8"):
        pack_img(header, img.astype(np.float32))
    with pytest.raises(mx.MXNetError, match="unknown image format"):
        pack_img(header, img, img_fmt=".nope")


def test_pack_numeric_label_sets_flag_zero():
    header, payload = unpack(pack(IRHeader(7, 3.5, 2, 1), b"xyz"))
    assert header == IRHeader(0, 3.5, 2, 1) and payload == b"xyz"


def test_reopens_after_fork_and_pickles(tmp_path):
    rec = MXIndexedRecordIO(str(G / "raw.idx"), str(G / "raw.rec"), "r")
    rec.pid = -1                      # as seen from a forked child
    with pytest.raises(RuntimeError, match="multiple processes"):
        rec.read()
    assert rec.read_idx(RAW["keys"][3]) == PAYLOADS[3]   # seek reopens in the new process
    copy = pickle.loads(pickle.dumps(rec))
    assert copy.read_idx(RAW["keys"][1]) == PAYLOADS[1]
    assert copy.keys == RAW["keys"]


def test_writer_reset_truncates(tmp_path):
    path = str(tmp_path / "w.rec")
    rec = MXRecordIO(path, "w")
    rec.write(b"abc")
    rec.reset()
    rec.write(b"z")
    rec.close()
    assert MXRecordIO(path, "r").read() == b"z"
    with pytest.raises(ValueError):
        MXRecordIO(path, "a")
    with pytest.raises(mx.MXNetError, match="cannot open"):
        MXRecordIO(str(tmp_path / "missing.rec"), "r")


# -- hostile input ---------------------------------------------------------------------------------
def _read_all(path):
    rec = MXRecordIO(str(path), "r")
    while rec.read() is not None:
        pass


@pytest.mark.parametrize("cut", [3, 9, 11, 30, 101, -1])
def test_truncated_file(tmp_path, cut):
    data = (G / "raw.rec").read_bytes()
    path = tmp_path / "cut.rec"
    path.write_bytes(data[:cut])
    with pytest.raises(mx.MXNetError, match=r"cut\.rec.*byte \d+"):
        _read_all(path)


def test_bad_magic(tmp_path):
    path = tmp_path / "bad.rec"
    path.write_bytes(b"\0" * 16)
    with pytest.raises(mx.MXNetError, match=r"bad\.rec.*magic 0xced7230a at byte 0"):
        _read_all(path)


@pytest.mark.parametrize("cflag", [0, 1, 2, 3, 7])
def test_huge_length_fails_fast_without_allocating(tmp_path, cflag):
    path = tmp_path / "huge.rec"
    path.write_bytes(MAGIC + struct.pack("<I", (cflag << 29) | ((1 << 29) - 1)) + b"x" * 16)
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(mx.MXNetError, match=r"huge\.rec.*byte 0"):
        _read_all(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert time.perf_counter() - start < 1 and peak < 1 << 20


def test_split_record_cut_after_first_part(tmp_path):
    path = tmp_path / "part.rec"
    path.write_bytes(MAGIC + struct.pack("<I", (1 << 29) | 4) + b"abcd")
    with pytest.raises(mx.MXNetError, match=r"part\.rec' is truncated at byte 12"):
        _read_all(path)
    path.write_bytes(MAGIC + struct.pack("<I", (2 << 29) | 0))
    with pytest.raises(mx.MXNetError, match="continuation flag 2 at byte 0"):
        _read_all(path)


@pytest.mark.parametrize("flag", [1, 0xFFFFFFFF, 0x7FFFFFFF])
def test_absurd_label_count(flag):
    record = struct.pack("IfQQ", flag, 0.0, 1, 0)
    with pytest.raises(mx.MXNetError, match=f"declares {flag} float32 labels"):
        unpack(record)
    with pytest.raises(mx.MXNetError, match="24-byte header"):
        unpack(b"short")


def test_corrupt_image_payload():
    with pytest.raises(mx.MXNetError, match="cannot decode"):
        unpack_img(pack(IRHeader(0, 1.0, 0, 0), b"not an image"))


@pytest.mark.parametrize("line, match", [("1\n", "not 'key<TAB>offset'"), ("x\t0\n", "line 1"),
                                         ("0\t999999\n", "outside"), ("7" * 70000, "longer than")])
def test_bad_index_file(tmp_path, line, match):
    (tmp_path / "r.rec").write_bytes((G / "raw.rec").read_bytes())
    (tmp_path / "r.idx").write_text(line)
    with pytest.raises(mx.MXNetError, match=match):
        MXIndexedRecordIO(str(tmp_path / "r.idx"), str(tmp_path / "r.rec"), "r")
