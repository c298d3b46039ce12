"""nd.save / nd.load in MXNet's .params format, against files MXNet 1.9.1 wrote and read
(goldens by tests/conformance/gen_params.py)."""
import json
import os
import struct
import tempfile

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import mxtorch as mx
from mxtorch import MXNetError, nd
from tests.ndarray import params_cases

GOLDEN = params_cases.GOLDEN_PARAMS
EXPECTED = json.loads((GOLDEN / "expected.json").read_text(encoding="utf-8"))


def _mx_arrays(entries: list) -> list:
    return [nd.array(values, dtype=dtype) for _, dtype, values in entries]


def _describe(array: nd.NDArray) -> list:
    dtype = array.dtype if isinstance(array.dtype, str) else np.dtype(array.dtype).name
    return [dtype, list(array.shape), array.asnumpy().astype(np.float64).ravel().tolist()]


def _as_expected(loaded) -> dict:
    if isinstance(loaded, dict):
        return {"form": "dict", "entries": [[k, *_describe(v)] for k, v in loaded.items()]}
    return {"form": "list", "entries": [[None, *_describe(v)] for v in loaded]}


@pytest.mark.parametrize("fname", sorted(EXPECTED))
def test_loads_what_mxnet_reads(fname):
    """Every golden, including the record layouts only older MXNet wrote, loads as MXNet loads it."""
    assert _as_expected(nd.load(str(GOLDEN / fname))) == EXPECTED[fname]


@pytest.mark.parametrize("name", sorted(params_cases.WRITTEN))
def test_writes_byte_for_byte_what_mxnet_writes(name, tmp_path):
    form, entries = params_cases.WRITTEN[name]
    arrays = _mx_arrays(entries)
    data = {n: a for (n, _, _), a in zip(entries, arrays)} if form == "dict" else \
        (arrays[0] if form == "single" else arrays)
    path = tmp_path / f"{name}.params"
    nd.save(str(path), data)
    assert path.read_bytes() == (GOLDEN / f"{name}.params").read_bytes()


def test_mxnet_reads_what_mxtorch_writes(tmp_path):
    """mxtorch_written.params is what mxtorch writes today, and MXNet 1.9.1 read back the intended
    arrays from it (a 0-d array comes back with shape (1,): MXNet 1.x has no 0-d arrays)."""
    form, entries = params_cases.MXTORCH_WRITTEN
    path = tmp_path / "w.params"
    nd.save(path, {n: a for (n, _, _), a in zip(entries, _mx_arrays(entries))})
    assert path.read_bytes() == (GOLDEN / "mxtorch_written.params").read_bytes()
    read_by_mxnet = EXPECTED["mxtorch_written.params"]
    assert read_by_mxnet["form"] == form
    for (name, dtype, values), got in zip(entries, read_by_mxnet["entries"]):
        assert got[:3] == [name, dtype, list(values.shape) or [1]]
        np.testing.assert_array_equal(got[3], values.astype(np.float64).ravel())


def test_single_array_comes_back_as_a_list(tmp_path):
    path = tmp_path / "one.params"
    nd.save(str(path), nd.array([1, 2]))
    loaded = nd.load(str(path))
    assert isinstance(loaded, list) and loaded[0].asnumpy().tolist() == [1, 2]


def test_empty_dict_loads_as_an_empty_list(tmp_path):
    path = tmp_path / "e.params"
    nd.save(str(path), {})
    assert nd.load(str(path)) == []
    assert path.read_bytes() == (GOLDEN / "empty_list.params").read_bytes()


def test_loaded_arrays_live_on_the_cpu_and_own_their_memory():
    loaded = nd.load(str(GOLDEN / "gpu_ctx.params"))[0]
    if mx.context.num_gpus() == 0:
        assert loaded.context == mx.cpu(0)
    loaded[:] = 0  # writable, not a view of a read-only buffer
    assert loaded.asnumpy().sum() == 0


def test_sparse_arrays_load_dense():
    rows, csr = nd.load(str(GOLDEN / "sparse.params"))
    assert rows.stype == "default" and rows.asnumpy().tolist() == [[1, 2], [0, 0], [3, 4]]
    assert csr.asnumpy().tolist() == [[1, 0, 2], [0, 0, 0], [0, 3, 0]]


def test_load_frombuffer():
    raw = (GOLDEN / "dict_dtypes.params").read_bytes()
    for buf in (raw, bytearray(raw), memoryview(raw)):
        loaded = nd.load_frombuffer(buf)
        assert _as_expected(loaded) == EXPECTED["dict_dtypes.params"]
    with pytest.raises(TypeError, match="bytes"):
        nd.load_frombuffer(12)


_dtypes = st.sampled_from(params_cases.DTYPES)
_shapes = st.lists(st.integers(0, 3), min_size=1, max_size=4).map(tuple)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(_dtypes, _shapes), min_size=1, max_size=4), st.booleans())
def test_round_trip(specs, as_dict):
    arrays = [nd.array(params_cases._values(shape, d), dtype=d) for d, shape in specs]
    data = {f"p{i}": a for i, a in enumerate(arrays)} if as_dict else arrays
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "r.params")
        nd.save(path, data)
        loaded = nd.load(path)
    if as_dict:
        assert list(loaded) == list(data)
        loaded = list(loaded.values())
    for a, b in zip(arrays, loaded):
        assert (a.dtype, a.shape) == (b.dtype, b.shape)
        np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())


# -- bad files ------------------------------------------------------------------------------------
def test_every_truncation_is_an_error(tmp_path):
    raw = (GOLDEN / "dict_dtypes.params").read_bytes()
    for size in range(len(raw)):
        with pytest.raises(MXNetError, match="truncated"):
            nd.load_frombuffer(raw[:size])
    path = tmp_path / "cut.params"
    for size in (0, 20, 40, len(raw) // 2, len(raw) - 1):
        path.write_bytes(raw[:size])
        with pytest.raises(MXNetError, match=r"cut\.params.*truncated"):
            nd.load(str(path))


def _one_record_file(record: bytes, names: bytes = struct.pack("<Q", 0)) -> bytes:
    return struct.pack("<QQQ", 0x112, 0, 1) + record + names


_GOOD_RECORD = (struct.pack("<IiI2qiii", 0xF993FAC9, 0, 2, 1, 2, 1, 0, 0)
                + np.array([1, 2], np.float32).tobytes())


@pytest.mark.parametrize("payload,message", [
    (b"PK\x03\x04" + bytes(40), "magic 0x"),
    (_one_record_file(struct.pack("<I", 0xDEADBEEF) + bytes(40)), "no NDArray record magic"),
    (_one_record_file(_GOOD_RECORD.replace(struct.pack("<iii", 1, 0, 0), struct.pack("<iii", 1, 0, 9))),
     "type flag 9"),
    (_one_record_file(_GOOD_RECORD.replace(struct.pack("<iii", 1, 0, 0), struct.pack("<iii", 7, 0, 0))),
     "unknown device type 7"),
    (_one_record_file(_GOOD_RECORD.replace(struct.pack("<Ii", 0xF993FAC9, 0),
                                           struct.pack("<Ii", 0xF993FAC9, 4))), "storage type 4"),
    (_one_record_file(_GOOD_RECORD.replace(struct.pack("<2q", 1, 2), struct.pack("<2q", 1, -2))),
     "negative dimension"),
    (_one_record_file(_GOOD_RECORD, struct.pack("<Q", 2)), "2 names for 1 arrays"),
    (_one_record_file(_GOOD_RECORD, struct.pack("<QQ", 1, 2) + b"\xff\xfe"), "not UTF-8"),
    (struct.pack("<QQQ", 0x112, 0, 2 ** 40), "claims"),
])
def test_corrupted_files_are_errors(tmp_path, payload, message):
    path = tmp_path / "bad.params"
    path.write_bytes(payload)
    with pytest.raises(MXNetError, match=message) as info:
        nd.load(str(path))
    assert "bad.params" in str(info.value)


def test_crafted_good_record_loads():
    assert nd.load_frombuffer(_one_record_file(_GOOD_RECORD))[0].asnumpy().tolist() == [[1, 2]]


def test_missing_file(tmp_path):
    with pytest.raises(MXNetError, match="nothere.params"):
        nd.load(str(tmp_path / "nothere.params"))


def test_argument_errors(tmp_path):
    path = str(tmp_path / "x.params")
    with pytest.raises(ValueError, match="data needs to either be"):
        nd.save(path, (nd.ones((1,)),))
    with pytest.raises(TypeError, match="dict str->NDArray"):
        nd.save(path, {1: nd.ones((1,))})
    with pytest.raises(TypeError, match="list of NDArray"):
        nd.save(path, [np.ones(1)])
    with pytest.raises(TypeError, match="fname"):
        nd.load(3)
    assert not os.path.exists(path)


# -- crash safety ---------------------------------------------------------------------------------
def test_write_replaces_atomically_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "model.params"
    nd.save(str(path), [nd.ones((2,))])
    nd.save(str(path), [nd.zeros((3,))])
    assert nd.load(str(path))[0].shape == (3,)
    assert os.listdir(tmp_path) == ["model.params"]
    umask = os.umask(0)
    os.umask(umask)
    assert (path.stat().st_mode & 0o777) == (0o666 & ~umask)


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.params"
    nd.save(str(path), [nd.ones((2,))])
    before = path.read_bytes()

    def crash(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        nd.save(str(path), [nd.zeros((1000,))])
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.params"]


def test_bfloat16_bits_survive(tmp_path):
    values = torch.tensor([1.0, -2.0, 0.5, 3.0], dtype=torch.bfloat16)
    path = tmp_path / "bf.params"
    nd.save(str(path), [nd.NDArray(values)])
    back = nd.load(str(path))[0]
    assert back.dtype == "bfloat16" and torch.equal(back._t, values)
