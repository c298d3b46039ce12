"""mxtorch._fileio: atomic writes (all or nothing, the umask's permissions, leftovers), IDX reading,
and the NDArray file reader, with the writers that use them."""
import gzip
import os
import pathlib
import re
import stat
import struct
import subprocess
import sys

import numpy as np
import pytest

import mxtorch as mx
from mxtorch._fileio.atomic import atomic_output, hexdigest, stale_temporaries, write_atomically
from mxtorch._fileio.idx import MAX_IDX_BYTES, decompress_idx, parse_idx, read_idx
from mxtorch._fileio.ndarray_file import encode_array
from mxtorch.base import MXNetError
from mxtorch.ndarray.utils import NDArrayFileReader

SRC = pathlib.Path(mx.__file__).resolve().parent


@pytest.fixture(params=[0o022, 0o002, 0o077])
def umask(request):
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _names(folder) -> list:
    return sorted(p.name for p in pathlib.Path(folder).iterdir())


# -- atomic writes --------------------------------------------------------------------------------
def test_atomic_output_gives_the_umask_mode(tmp_path, umask):
    path = tmp_path / "out.txt"
    with atomic_output(path) as tmp:
        with open(tmp, "w") as f:  # opening an existing file keeps its mode
            f.write("data")
    assert path.read_text() == "data"
    assert _mode(path) == 0o666 & ~umask


def test_write_atomically_gives_the_umask_mode(tmp_path, umask):
    write_atomically(tmp_path / "out.bin", b"\x00\x01")
    assert (tmp_path / "out.bin").read_bytes() == b"\x00\x01"
    assert _mode(tmp_path / "out.bin") == 0o666 & ~umask


@pytest.mark.parametrize("save", ["nd", "sym", "download"])
def test_every_writer_gives_the_umask_mode(tmp_path, umask, save):
    path = tmp_path / "out"
    if save == "nd":
        mx.nd.save(str(path), [mx.nd.ones((2,))])
    elif save == "sym":
        mx.sym.Variable("x").save(str(path))
    else:  # a download's last step
        partial = tmp_path / "out.partial"
        partial.write_bytes(b"done")
        mx.gluon.utils.replace_file(str(partial), str(path))
    assert _mode(path) == 0o666 & ~umask
    assert _names(tmp_path) == ["out"]


def test_atomic_output_leaves_the_old_file_on_error(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError), atomic_output(path) as tmp:
        with open(tmp, "w") as f:
            f.write("half")
        raise RuntimeError("interrupted")
    assert path.read_text() == "old"
    assert _names(tmp_path) == ["out.txt"]


def test_write_atomically_leaves_no_partial_file(tmp_path):
    """A write that fails half-way leaves neither a partial file nor a temporary one."""
    with pytest.raises(TypeError):
        write_atomically(tmp_path / "new.bin", "not bytes")  # type: ignore[arg-type]
    assert _names(tmp_path) == []
    (tmp_path / "old.bin").write_bytes(b"old")
    with pytest.raises(TypeError):
        mx.nd.save(str(tmp_path / "old.bin"), [mx.nd.ones((2,)), "not an array"])
    assert (tmp_path / "old.bin").read_bytes() == b"old" and _names(tmp_path) == ["old.bin"]


def test_a_failed_rename_removes_the_temporary(tmp_path, monkeypatch):
    (tmp_path / "out.bin").write_bytes(b"old")

    def refuse(src, dst):
        raise PermissionError("no")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError):
        write_atomically(tmp_path / "out.bin", b"new")
    assert (tmp_path / "out.bin").read_bytes() == b"old" and _names(tmp_path) == ["out.bin"]


def test_the_new_file_replaces_the_old_in_one_rename(tmp_path):
    """Until the rename the old file is whole; after it, a reader of the old file still has it all."""
    path = tmp_path / "out.bin"
    path.write_bytes(b"old" * 1000)
    old_inode = os.stat(path).st_ino
    with atomic_output(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(b"new")
        assert path.read_bytes() == b"old" * 1000  # still the old file while the new one is written
    assert path.read_bytes() == b"new" and os.stat(path).st_ino != old_inode
    assert _names(tmp_path) == ["out.bin"]


def test_a_writer_holding_the_old_file_sees_it_whole(tmp_path):
    path = tmp_path / "out.bin"
    path.write_bytes(b"old" * 1000)
    with open(path, "rb") as reader:
        write_atomically(path, b"new")
        assert reader.read() == b"old" * 1000
    assert path.read_bytes() == b"new"


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="names open files by /proc/self/fd")
def test_atomic_output_syncs_the_file_and_its_folder(tmp_path, monkeypatch):
    synced, fsync = [], os.fsync

    def recorded(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        fsync(fd)

    monkeypatch.setattr(os, "fsync", recorded)
    with atomic_output(tmp_path / "out.txt") as tmp:
        with open(tmp, "w") as f:
            f.write("data")
    assert synced[-1] == str(tmp_path)  # after the rename: the folder entry is durable too
    assert synced[-2].startswith(str(tmp_path / ".out.txt."))


def test_a_relative_path_is_written_in_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_atomically("rel.bin", b"x")
    assert (tmp_path / "rel.bin").read_bytes() == b"x" and _names(tmp_path) == ["rel.bin"]


def test_stale_temporaries_are_those_of_dead_writers(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    dead, alive = int(gone.stdout), os.getpid()
    names = {f".out.params.{dead}.0123abcd.tmp": "out.params",  # atomic_output's
             f"..out.params.{dead}.0123abcd.tmp.{dead}.89abcdef.tmp": "out.params",  # mx.nd.save's inside it
             f".out.json.{alive}.0123abcd.tmp": None,  # this process: a write in progress
             ".notes.tmp": None, f"out.params.{dead}.0123abcd.tmp": None, "out.params": None}
    for name in names:
        (tmp_path / name).write_text("x")
    found = {path.name: target for path, target in stale_temporaries(tmp_path)}
    assert found == {name: target for name, target in names.items() if target}
    assert list(stale_temporaries(tmp_path / "missing")) == []


def test_hexdigest(tmp_path):
    path = tmp_path / "abc"
    path.write_bytes(b"abc")
    assert hexdigest(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert hexdigest(path, "sha1") == "a9993e364706816aba3e25717850c26c9cd0d89d"
    assert mx.gluon.utils.check_sha1(str(path), "a9993e364706816aba3e25717850c26c9cd0d89d")


# -- IDX ------------------------------------------------------------------------------------------
def _idx(dims, payload=None) -> bytes:
    header = bytes([0, 0, 8, len(dims)]) + struct.pack(f">{len(dims)}I", *dims)
    return header + (payload if payload is not None else bytes(int(np.prod(dims))))


def test_read_idx_raw_gzip_and_multi_member():
    raw = _idx((2, 3), bytes(range(6)))
    expected = np.arange(6, dtype=np.uint8).reshape(2, 3)
    for blob in (raw, gzip.compress(raw), gzip.compress(raw[:5]) + gzip.compress(raw[5:])):
        np.testing.assert_array_equal(read_idx(blob, 2), expected)
    assert decompress_idx(gzip.compress(raw), 2) == raw
    np.testing.assert_array_equal(parse_idx(raw, 2), expected)


@pytest.mark.parametrize("blob, match", [
    (_idx((2, 3), bytes(5)), "holds only 5"),
    (_idx((2, 3), bytes(7)), "holds more"),
    (_idx((2,), bytes(2)), "not an IDX file of 2-D"),
    (gzip.compress(_idx((2, 3), bytes(6)))[:-12], "truncated gzip|holds only"),
    (b"\x1f\x8b" + bytes(20), "corrupt gzip"),
    (_idx((MAX_IDX_BYTES, 2), b""), "more than the"),
])
def test_read_idx_refuses_bad_files(blob, match):
    with pytest.raises(MXNetError, match=match):
        read_idx(blob, 2)


def test_a_gzip_bomb_is_not_inflated_past_its_header():
    header = _idx((2, 3), b"")
    bomb = gzip.compress(header + bytes(64 << 20))  # 64 MiB of zeros after a header declaring 6 bytes
    with pytest.raises(MXNetError, match="holds more"):
        decompress_idx(bomb, 2)


# -- the NDArray file reader ----------------------------------------------------------------------
def test_the_reader_is_public_in_nd_utils():
    assert "NDArrayFileReader" in mx.nd.utils.__all__
    assert mx.nd.utils.NDArrayFileReader is NDArrayFileReader
    assert NDArrayFileReader.__doc__ and "Parameters" in NDArrayFileReader.__doc__


def test_the_reader_reads_what_nd_save_wrote(tmp_path):
    arrays = {"w": mx.nd.array([[1, 2], [3, 4]]), "b": mx.nd.array([5], dtype="int32")}
    mx.nd.save(str(tmp_path / "named.params"), arrays)
    mx.nd.save(str(tmp_path / "listed.params"), list(arrays.values()))
    reader = NDArrayFileReader((tmp_path / "named.params").read_bytes(), "named.params")
    named = reader.read_file()
    assert reader.remaining == 0 and reader.offset == (tmp_path / "named.params").stat().st_size
    assert list(named) == ["w", "b"] and named["b"].dtype == np.int32
    np.testing.assert_array_equal(named["w"].asnumpy(), [[1, 2], [3, 4]])
    listed = NDArrayFileReader((tmp_path / "listed.params").read_bytes()).read_file()
    assert isinstance(listed, list) and [a.shape for a in listed] == [(2, 2), (1,)]


def test_the_reader_reads_records_one_by_one():
    first, second = mx.nd.ones((2, 3)), mx.nd.arange(4)
    blob = encode_array(first) + encode_array(second) + struct.pack("<Ii", 0xF993FAC9, 0) + \
        struct.pack("<i", 0)  # a 'none' record: version 2, dense, ndim 0
    reader = NDArrayFileReader(blob, "records")
    np.testing.assert_array_equal(reader.read_array().asnumpy(), first.asnumpy())
    np.testing.assert_array_equal(reader.read_array().asnumpy(), second.asnumpy())
    assert reader.read_array() is None and reader.remaining == 0
    with pytest.raises(MXNetError, match=r"^records: invalid NDArray file: truncated while reading the "
                                         r"header of array 3"):
        reader.read_array()


def test_the_reader_names_its_source_in_errors():
    with pytest.raises(MXNetError, match=r"^my\.params: invalid NDArray file: the file starts with magic"):
        NDArrayFileReader(struct.pack("<QQQ", 0x113, 0, 0), "my.params").read_file()


# -- one home ------------------------------------------------------------------------------------
def test_no_module_reaches_into_another_for_file_io():
    """The helpers that once lived in ndarray, gluon and apps are gone; what other packages take from
    _fileio are its public names."""
    retired = re.compile(r"\b(_write_atomically|_parse_idx|_idx_content|_mnist_images|_gunzip_prefix|"
                         r"_read_array|_Reader|_placed|_encode_array|sha256_of)\b|apps\.files")
    imported = re.compile(r"from (?:mxtorch\.|\.+)_fileio\.\w+ import ([\w, ]+)")
    for path in SRC.rglob("*.py"):
        if path.parent.name == "_fileio":
            continue
        text = path.read_text(encoding="utf-8")
        assert not retired.search(text), f"{path}: {retired.search(text)}"
        names = [name.strip() for found in imported.findall(text) for name in found.split(",")]
        assert not [name for name in names if name.startswith("_")], path
