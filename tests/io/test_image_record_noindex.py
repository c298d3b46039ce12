"""mx.io.ImageRecordIter without an index (shuffle, num_parts) and with labels from an image list
(path_imglist), against MXNet 1.9.1 (goldens from tests/conformance/gen_image_det_record.py)."""
import numpy as np
import pytest

import mxtorch as mx
from mxtorch import recordio
from mxtorch.base import MXNetError
from tests.conftest import GOLDEN

REC = str(GOLDEN / "image_iter" / "images.rec")
IDX = str(GOLDEN / "image_iter" / "images.idx")
G = GOLDEN / "image_det_record"


@pytest.fixture(scope="module")
def golden():
    return np.load(G / "batches.npz")


def labels_of(it):
    out = []
    for batch in it:
        label = batch.label[0].asnumpy()
        out.append(label[:len(label) - batch.pad])
    return np.concatenate(out)


@pytest.mark.parametrize("parts", [2, 3])
def test_parts_without_index_are_mxnet_byte_ranges(golden, parts):
    """MXNet cuts the file's bytes into equal spans; a part holds the records starting in its
    span (so the parts differ in size from the index's equal counts)."""
    seen = []
    for i in range(parts):
        it = mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=2,
                                   resize=20, num_parts=parts, part_index=i)
        got = labels_of(it)
        np.testing.assert_array_equal(got, golden[f"part_{parts}_{i}"])
        seen.append(len(got))
    assert sum(seen) == 12


def test_shuffle_without_index_covers_every_record_and_follows_the_seed():
    def run(seed):
        it = mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=4,
                                   resize=20, shuffle=True, seed=seed, dtype="uint8")
        batches = list(it)
        it.reset()
        second = np.concatenate([b.data[0].asnumpy() for b in it])
        return np.concatenate([b.data[0].asnumpy() for b in batches]), \
            np.concatenate([b.label[0].asnumpy() for b in batches]), second

    plain = mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=12,
                                  resize=20, dtype="uint8").next().data[0].asnumpy()
    data, label, second = run(1)
    assert sorted(label.tolist()) == sorted(i % 4 for i in range(12))
    rows = {row.tobytes() for row in plain}
    assert {row.tobytes() for row in data} == rows and not np.array_equal(data, plain)
    assert {row.tobytes() for row in second} == rows and not np.array_equal(data, second)
    again, label2, _ = run(1)
    np.testing.assert_array_equal(data, again)
    np.testing.assert_array_equal(label, label2)
    assert not np.array_equal(run(2)[0], data)


def test_shuffled_part_without_index_is_the_same_set_as_in_order(golden):
    it = mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=2, resize=20,
                               num_parts=3, part_index=1, shuffle=True, seed=5)
    assert sorted(labels_of(it).tolist()) == sorted(golden["part_3_1"].tolist())


def test_labels_from_image_list(golden):
    it = mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=4, resize=20,
                               path_imglist=str(G / "rec.lst"), label_width=2)
    assert it.provide_label[0].shape == (4, 2)
    np.testing.assert_array_equal(labels_of(it), golden["lst_label"])
    one = mx.io.ImageRecordIter(path_imgrec=REC, path_imgidx=IDX, data_shape=(3, 16, 16),
                                batch_size=4, resize=20, path_imglist=str(G / "rec.lst"))
    np.testing.assert_array_equal(labels_of(one), golden["lst_label"][:, 0])


def test_image_list_refusals(tmp_path):
    short = tmp_path / "short.lst"
    short.write_text("".join(f"{i}\t{i}\timg{i}.jpg\n" for i in range(12)))
    with pytest.raises(MXNetError, match="fewer than label_width=2"):
        mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=4,
                              path_imglist=str(short), label_width=2)
    partial = tmp_path / "partial.lst"
    partial.write_text("".join(f"{i}\t{i}\timg{i}.jpg\n" for i in range(5)))
    it = mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=4,
                               resize=20, path_imglist=str(partial))
    it.next()
    with pytest.raises(MXNetError, match="record id 5 has no line in path_imglist"):
        it.next()
    it.close()


def test_scanning_a_corrupt_file_is_refused(tmp_path):
    data = bytearray(open(REC, "rb").read())
    bad = tmp_path / "bad.rec"
    bad.write_bytes(bytes(data[:len(data) // 2]))   # cut in the middle of a record
    with pytest.raises(MXNetError, match="truncated"):
        mx.io.ImageRecordIter(path_imgrec=str(bad), data_shape=(3, 16, 16), batch_size=4,
                              shuffle=True)
    starts, _ = recordio.MXRecordIO(REC, "r")._record_starts()
    data[starts[3]:starts[3] + 4] = b"\0\0\0\0"          # a record without its magic
    bad.write_bytes(bytes(data))
    with pytest.raises(MXNetError, match="magic"):
        mx.io.ImageRecordIter(path_imgrec=str(bad), data_shape=(3, 16, 16), batch_size=4,
                              num_parts=2)


def test_record_starts_match_the_index():
    rec = recordio.MXIndexedRecordIO(IDX, REC, "r")
    starts, heads = recordio.MXRecordIO(REC, "r")._record_starts(peek=4)
    assert list(starts) == [rec.idx[k] for k in rec.keys]
    assert len(heads) == len(starts) and all(len(h) == 4 for h in heads)
    assert recordio.MXRecordIO(REC, "r")._record_starts() == (starts, [])


def test_record_starts_walk_split_records(tmp_path):
    """A payload holding the magic at a 4-aligned offset is written in several parts; the walk
    steps over all of them and peeks into the first."""
    path = str(tmp_path / "split.rec")
    payloads = [b"abcd" + recordio._MAGIC_BYTES + b"efgh" + recordio._MAGIC_BYTES + b"ij", b"xyz"]
    writer = recordio.MXRecordIO(path, "w")
    starts_written = []
    for p in payloads:
        starts_written.append(writer.tell())
        writer.write(p)
    writer.close()
    starts, heads = recordio.MXRecordIO(path, "r")._record_starts(peek=6)
    assert list(starts) == starts_written and heads == [b"abcd", b"xyz"]
    reader = recordio.MXRecordIO(path, "r")
    assert [reader.read(), reader.read(), reader.read()] == payloads + [None]
