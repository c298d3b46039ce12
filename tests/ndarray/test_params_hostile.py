"""Hostile ``.params`` files: every declared size is checked against the bytes present before anything is
allocated, sparse records are checked the way MXNet's ``check_format(full_check=True)`` checks them, and a
small file cannot make ``nd.load`` take much memory or time. Files are built with struct in MXNet's layout
(see the docstring of src/mxtorch/_fileio/ndarray_file.py)."""
from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from mxtorch import MXNetError, nd

V1, V2, V3 = 0xF993FAC8, 0xF993FAC9, 0xF993FACA
F32, I32, I64 = 0, 4, 6
CPU = (1, 0)


def _file(*records: bytes, names: "list[bytes] | None" = None) -> bytes:
    names = names or []
    return (struct.pack("<QQQ", 0x112, 0, len(records)) + b"".join(records)
            + struct.pack("<Q", len(names)) + b"".join(struct.pack("<Q", len(n)) + n for n in names))


def _shape(shape: tuple) -> bytes:
    return struct.pack(f"<i{len(shape)}q", len(shape), *shape)


def _dense(shape: tuple, data: bytes = b"", magic: int = V2, ctx: tuple = CPU, flag: int = F32) -> bytes:
    head = struct.pack("<Ii", magic, 0) if magic in (V2, V3) else struct.pack("<I", magic)
    return head + _shape(shape) + struct.pack("<iii", *ctx, flag) + data


def _row_sparse(shape: tuple, rows: list, storage: "tuple | None" = None, values: "bytes | None" = None,
                aux_shape: "tuple | None" = None, aux_flag: int = I64) -> bytes:
    storage = (len(rows), *shape[1:]) if storage is None else storage
    if values is None:
        values = np.arange(int(np.prod(storage)), dtype=np.float32).tobytes()
    aux_shape = (len(rows),) if aux_shape is None else aux_shape
    return (struct.pack("<Ii", V2, 1) + _shape(storage) + _shape(shape) + struct.pack("<iii", *CPU, F32)
            + struct.pack("<i", aux_flag) + _shape(aux_shape) + values
            + np.asarray(rows, np.int64).tobytes())


def _csr(shape: tuple, indptr: list, cols: list, nnz: "int | None" = None) -> bytes:
    nnz = len(cols) if nnz is None else nnz
    return (struct.pack("<Ii", V2, 2) + _shape((nnz,)) + _shape(shape) + struct.pack("<iii", *CPU, F32)
            + struct.pack("<i", I64) + _shape((len(indptr),)) + struct.pack("<i", I64) + _shape((len(cols),))
            + np.ones(nnz, np.float32).tobytes() + np.asarray(indptr, np.int64).tobytes()
            + np.asarray(cols, np.int64).tobytes())


def _refused(payload: bytes, match: str) -> MXNetError:
    with pytest.raises(MXNetError, match=match) as info:
        nd.load_frombuffer(payload)
    return info.value


# -- shapes ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(2 ** 32, 2 ** 32), (2 ** 62, 4, 3), (0, 2 ** 62, 2 ** 62)])
@pytest.mark.parametrize("magic", [V1, V2, V3])
def test_element_counts_that_overflow_are_refused(shape, magic):
    """np.prod wrapped these to 0 (or to nonsense) in int64; a product that does not fit in int64 is no
    shape MXNet or torch can hold, even with a zero dimension among them."""
    _refused(_file(_dense(shape, magic=magic)), "overflows")


def test_legacy_dimensions_that_overflow_are_refused():
    record = struct.pack("<I3I", 3, 2 ** 32 - 1, 2 ** 32 - 1, 2 ** 32 - 1) + struct.pack("<iii", *CPU, F32)
    _refused(_file(record), "overflows")


@pytest.mark.parametrize("ndim", [33, 1000, 2 ** 30, 2 ** 31 - 1])
def test_too_many_dimensions_are_refused(ndim):
    """MXNet arrays reach numpy with at most 32 dimensions (numpy's limit, which MXNet's asnumpy
    enforces); a larger ndim is refused before its dimensions are read."""
    record = struct.pack("<Iii", V2, 0, ndim) + struct.pack("<q", 1) * min(ndim, 40)
    err = _refused(_file(record), "at most 32")
    assert str(ndim) in str(err)


@pytest.mark.parametrize("ndim", [-2, -7, -(2 ** 31)])
def test_negative_ndim_below_unknown_is_refused(ndim):
    _refused(_file(struct.pack("<Iii", V2, 0, ndim) + struct.pack("<iii", *CPU, F32)), "ndim")


def test_version_3_unknown_shape_is_a_none_array():
    """In numpy-shape mode MXNet writes an unknown dimension as -1 and loads such a record as 'none'."""
    none = struct.pack("<Ii", V3, 0) + _shape((2, -1))  # nothing follows a 'none' record's shape
    loaded = nd.load_frombuffer(_file(none, names=[b"w"]))
    assert list(loaded) == ["w"] and loaded["w"].shape == (0,)
    _refused(_file(_dense((2, -3), magic=V3)), "negative dimension")


# -- contexts -------------------------------------------------------------------------------------
@pytest.mark.parametrize("ctx", [(1, -1), (2, -5), (1, 17), (2, 2 ** 31 - 1), (5, -(2 ** 31))])
def test_device_ids_outside_mxnets_range_are_refused(ctx):
    data = np.ones(2, np.float32).tobytes()
    err = _refused(_file(_dense((2,), data, ctx=ctx)), "device id")
    assert str(ctx[1]) in str(err) and "0 to 16" in str(err)


def test_every_valid_device_id_loads():
    data = np.ones(2, np.float32).tobytes()
    for dev_type in (1, 2, 3, 5):
        for dev_id in (0, 16):
            assert nd.load_frombuffer(_file(_dense((2,), data, ctx=(dev_type, dev_id))))[0].shape == (2,)


# -- counts and names -----------------------------------------------------------------------------
def test_more_arrays_than_a_file_may_hold_are_refused():
    """70,000 'none' records of 4 bytes each: a 280 KB file that would cost tens of MB in array objects."""
    count = 70_000
    payload = struct.pack("<QQQ", 0x112, 0, count) + bytes(4 * count) + struct.pack("<Q", 0)
    err = _refused(payload, "70000 arrays")
    assert "65536" in str(err)


def test_array_count_is_checked_against_the_bytes_left():
    """Each record takes at least 4 bytes; the count is refused before any record is read."""
    payload = struct.pack("<QQQ", 0x112, 0, 200) + bytes(400)
    _refused(payload, "200 arrays")


@pytest.mark.parametrize("names_part,message", [
    (struct.pack("<QQ", 1, 2 ** 64 - 1), "truncated"),
    (struct.pack("<QQ", 1, 2 ** 40) + b"ab", "truncated"),
    (struct.pack("<Q", 2 ** 63), "names for 1 arrays"),
])
def test_name_counts_and_lengths_are_checked_against_the_bytes(names_part, message):
    record = _dense((1,), np.ones(1, np.float32).tobytes())
    _refused(struct.pack("<QQQ", 0x112, 0, 1) + record + names_part, message)


# -- type flags -----------------------------------------------------------------------------------
@pytest.mark.parametrize("aux_flag", [0, 1, 2, 7, 12, 99])
def test_sparse_index_types_must_be_integers(aux_flag):
    _refused(_file(_row_sparse((4, 2), [0, 3], aux_flag=aux_flag)), "index type")


# -- row_sparse -----------------------------------------------------------------------------------
@pytest.mark.parametrize("rows,message", [
    ([3, 0], "strictly increasing"),
    ([1, 1], "strictly increasing"),
    ([0, 9], r"row index 9 .*4 rows"),
    ([-1, 2], r"row index -1"),
])
def test_row_sparse_indices_are_checked(rows, message):
    """MXNet loads these without a word and then answers garbage (or crashes); its check_format refuses."""
    _refused(_file(_row_sparse((4, 2), rows)), message)


@pytest.mark.parametrize("storage,aux_shape,message", [
    ((2, 1), None, r"storage shape \(2, 1\).*\(2, 2\)"),
    ((2, 3), None, r"storage shape \(2, 3\).*\(2, 2\)"),
    ((2, 2), (3,), r"index shape \(3,\)"),
    ((2, 2), (2, 1), r"index shape \(2, 1\)"),
    ((5, 2), (5,), "5 stored rows"),
])
def test_row_sparse_shapes_must_agree(storage, aux_shape, message):
    rows = list(range(aux_shape[0] if aux_shape else 2))
    _refused(_file(_row_sparse((4, 2), rows, storage=storage, aux_shape=aux_shape)), message)


# -- csr ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,indptr,cols,message", [
    ((3, 3), [0, 2, 1, 3], [0, 1, 2], "indptr.*non-decreasing"),
    ((3, 3), [1, 1, 2, 3], [0, 1, 2], "indptr.*start at 0"),
    ((3, 3), [0, 1, 1, 2], [0, 0, 2], r"indptr.*end at 3"),
    ((3, 3), [0, 1, 1, 3], [0, 2, 0], "strictly increasing"),
    ((3, 3), [0, 2, 2, 3], [1, 1, 2], "strictly increasing"),
    ((3, 3), [0, 1, 1, 3], [0, 0, 7], r"column index 7 .*3 columns"),
    ((3, 3), [0, 1, 3], [0, 0, 2], r"indptr shape \(3,\).*\(4,\)"),
    ((3, 3, 1), [0, 1, 1, 3], [0, 0, 2], "2 dimensions"),
])
def test_csr_structure_is_checked(shape, indptr, cols, message):
    _refused(_file(_csr(shape, indptr, cols)), message)


def test_csr_data_and_indices_must_agree():
    _refused(_file(_csr((3, 3), [0, 1, 1, 3], [0, 0, 2], nnz=4)), r"storage shape \(4,\)")


def test_valid_sparse_records_load_dense():
    rows, csr = nd.load_frombuffer(_file(_row_sparse((4, 2), [0, 3]), _csr((3, 3), [0, 1, 1, 3], [0, 0, 2])))
    assert rows.asnumpy().tolist() == [[0, 1], [0, 0], [0, 0], [2, 3]]
    assert csr.asnumpy().tolist() == [[1, 0, 0], [0, 0, 0], [1, 0, 1]]


# -- dense expansion of sparse records ------------------------------------------------------------
@pytest.mark.parametrize("record", [
    _row_sparse((2 ** 40, 2 ** 20), []),
    _row_sparse((2 ** 26, 16), [0, 1]),
    _csr((4, 2 ** 40), [0] * 5, []),
])
def test_sparse_records_may_not_expand_past_the_limit(record, monkeypatch):
    """A sparse record of a hundred bytes can declare a dense shape of terabytes: the dense form is
    refused, before it is allocated, past the limit (which the message names, with how to raise it)."""
    monkeypatch.delenv("MXTORCH_SPARSE_LOAD_MAX_BYTES", raising=False)
    _refused(_file(record), "MXTORCH_SPARSE_LOAD_MAX_BYTES")


def test_csr_indptr_must_have_a_row_more_than_the_array():
    _refused(_file(_csr((2 ** 31, 4), [0, 0], [], nnz=0)), r"indptr shape \(2,\).*\(2147483649,\)")


def test_sparse_bytes_are_checked_before_the_limit():
    """Declared storage of 2**30 rows with no bytes behind it: refused for the missing bytes, naming them."""
    record = _row_sparse((2 ** 40, 4), [], storage=(2 ** 30, 4), aux_shape=(2 ** 30,), values=b"")
    _refused(_file(record), "needs 25769803776 bytes")


def test_the_limit_counts_every_sparse_record_of_a_file(monkeypatch):
    monkeypatch.setenv("MXTORCH_SPARSE_LOAD_MAX_BYTES", str(3 * 1024 * 4))
    one = _row_sparse((1024, 1), [0])  # 4 KiB dense
    assert len(nd.load_frombuffer(_file(one, one, one))) == 3
    err = _refused(_file(one, one, one, one), "MXTORCH_SPARSE_LOAD_MAX_BYTES")
    assert "16384" in str(err) and "12288" in str(err)


def test_the_limit_can_be_raised(monkeypatch):
    big = _row_sparse((2 ** 21, 8), [5])  # 64 MiB dense from a 100-byte record
    monkeypatch.delenv("MXTORCH_SPARSE_LOAD_MAX_BYTES", raising=False)
    _refused(_file(big), "MXTORCH_SPARSE_LOAD_MAX_BYTES")
    monkeypatch.setenv("MXTORCH_SPARSE_LOAD_MAX_BYTES", str(2 ** 27))
    loaded = nd.load_frombuffer(_file(big))[0]
    assert loaded.shape == (2 ** 21, 8) and float(loaded[5].sum().asscalar()) == 28.0


@pytest.mark.parametrize("value", ["lots", "-1", "1.5"])
def test_a_bad_limit_is_an_error(value, monkeypatch):
    monkeypatch.setenv("MXTORCH_SPARSE_LOAD_MAX_BYTES", value)
    _refused(_file(_row_sparse((4, 2), [0])), "MXTORCH_SPARSE_LOAD_MAX_BYTES")


# -- pickled records (optimizer states) use the same reader -----------------------------------------
def test_pickled_records_are_checked_too():
    from mxtorch.ndarray.utils import NDArrayFileReader

    with pytest.raises(MXNetError, match="overflows"):
        NDArrayFileReader(_dense((2 ** 32, 2 ** 32)), "pickled MXNet NDArray").read_array()
    with pytest.raises(MXNetError, match="MXTORCH_SPARSE_LOAD_MAX_BYTES"):
        NDArrayFileReader(_row_sparse((2 ** 40, 4), []), "pickled MXNet NDArray").read_array()


# -- memory and time ------------------------------------------------------------------------------
def _hostile_files() -> "list[bytes]":
    many = 65_536  # as many arrays as a file may hold, each a 4-byte 'none' record
    return [
        _file(_row_sparse((2 ** 21, 4), [7])),             # 32 MiB dense: the most the default allows
        _file(_row_sparse((2 ** 26, 2), [])),             # 512 MiB dense from 100 bytes
        _file(_row_sparse((2 ** 22, 64), [0, 1])),        # 1 GiB dense
        _file(_csr((2 ** 14, 2 ** 40), [0] * (2 ** 14 + 1), [])),  # 128 KiB indptr, 64 PiB dense
        _file(*[_row_sparse((2 ** 20, 4), [0])] * 64),   # 64 x 16 MiB
        _file(_dense((2 ** 32, 2 ** 32))),
        _file(_dense((2 ** 28,), magic=V1)),
        struct.pack("<QQQ", 0x112, 0, many) + bytes(4 * many) + struct.pack("<Q", 0),
        struct.pack("<QQQ", 0x112, 0, 2 ** 62) + bytes(64),
        _file(_dense((1,), np.ones(1, np.float32).tobytes())) [:-8] + struct.pack("<QQ", 1, 2 ** 62),
    ]


def test_hostile_files_take_little_memory_and_time(tmp_path):
    """Each file is under 1 MB; loading them all in a fresh process grows its peak memory by less than
    64 MB and takes seconds, not minutes."""
    files = [f for f in _hostile_files() if len(f) < 2 ** 20]
    assert len(files) == len(_hostile_files())
    for i, payload in enumerate(files):
        (tmp_path / f"{i}.params").write_bytes(payload)
    script = textwrap.dedent("""
        import json, resource, sys, time
        import mxtorch as mx
        warm = mx.nd.load(sys.argv[1])  # the sparse golden: every code path imported and used once
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start, outcomes = time.perf_counter(), []
        for path in sys.argv[2:]:
            try:
                loaded = mx.nd.load(path)
                outcomes.append('loaded %d' % len(loaded))
                del loaded
            except mx.MXNetError as err:
                outcomes.append('refused: ' + str(err).split('invalid NDArray file: ')[-1])
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({'growth_kb': after - before, 'seconds': time.perf_counter() - start,
                          'outcomes': outcomes}))
    """)
    golden = os.path.join(os.path.dirname(__file__), "..", "conformance", "golden", "params", "sparse.params")
    paths = [str(tmp_path / f"{i}.params") for i in range(len(files))]
    env = {k: v for k, v in os.environ.items() if k != "MXTORCH_SPARSE_LOAD_MAX_BYTES"}
    proc = subprocess.run([sys.executable, "-c", script, golden, *paths], capture_output=True, text=True,
                          timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["growth_kb"] < 64 * 1024, report
    assert report["seconds"] < 10, report
    outcomes = report["outcomes"]
    assert outcomes[0] == "loaded 1" and outcomes[7] == "loaded 65536", outcomes
    refusals = outcomes[1:7] + outcomes[8:]
    assert all(o.startswith("refused: ") for o in refusals), outcomes
    assert sum("MXTORCH_SPARSE_LOAD_MAX_BYTES" in o for o in refusals) == 4, outcomes
