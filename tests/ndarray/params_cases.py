"""The arrays of the ``.params`` goldens, shared by the reference generator (tests/conformance/gen_params.py,
run with MXNet 1.9.1) and the tests (tests/ndarray/test_serialization.py, run with mxtorch).

Pure Python + numpy. A case is ``(form, entries)``: form 'list', 'dict' or 'single' (one array saved
bare), entries a list of ``(name, dtype, values)``; names are None in the list forms. bfloat16 values
are given as float32 numbers that bfloat16 holds exactly.

Run with mxtorch (``.venv/bin/python -m tests.ndarray.params_cases``) to rewrite
``golden/params/mxtorch_written.params``, the file whose reading by MXNet the generator records.
"""
from __future__ import annotations

import pathlib
import struct

import numpy as np

GOLDEN_PARAMS = pathlib.Path(__file__).resolve().parents[1] / "conformance" / "golden" / "params"


def _values(shape, dtype, offset=0.0):
    size = int(np.prod(shape))
    raw = np.arange(size, dtype=np.float64) * 0.75 - size / 3 + offset
    if dtype == "bool":
        return (np.arange(size) % 3 == 0).reshape(shape)
    if np.dtype("float32" if dtype == "bfloat16" else dtype).kind in "iu":
        raw = np.round(raw) + (10 if dtype == "uint8" else 0)
    if dtype == "bfloat16":
        return raw.astype(np.float32).reshape(shape)
    return raw.astype(dtype).reshape(shape)


DTYPES = ["float32", "float64", "float16", "uint8", "int32", "int8", "int64", "bool", "bfloat16"]

# cases MXNet writes and mxtorch must write byte for byte the same
WRITTEN = {
    "list_f32": ("list", [(None, "float32", _values((2, 3), "float32")),
                          (None, "float32", _values((4,), "float32", 1.5))]),
    "dict_dtypes": ("dict", [(f"arg:{d}", d, _values((2, 3), d)) for d in DTYPES]),
    "zero_size": ("list", [(None, "float32", np.zeros((0, 3), np.float32)),
                           (None, "int32", _values((2,), "int32"))]),
    "five_dims": ("dict", [("x", "float32", _values((1, 2, 1, 3, 2), "float32"))]),
    "single": ("single", [(None, "float64", _values((3,), "float64"))]),
    "empty_list": ("list", []),
    "names_utf8": ("dict", [("conv0_wéight", "float32", _values((2,), "float32")),
                            ("aux:β", "float16", _values((1,), "float16"))]),
}

# what mxtorch writes for MXNet to read (the generator records MXNet's reading of it)
MXTORCH_WRITTEN = ("dict", [(f"p_{d}", d, _values((3, 2), d, 0.25)) for d in DTYPES]
                   + [("scalar_0d", "float32", np.array(7.5, np.float32)),
                      ("empty", "float32", np.zeros((0, 2), np.float32))])


def _shape_bytes(shape, legacy=False):
    if legacy:
        return struct.pack(f"<I{len(shape)}I", len(shape), *shape)
    return struct.pack(f"<i{len(shape)}q", len(shape), *shape)


def crafted_files() -> dict:
    """Records MXNet 1.9.1 no longer writes but still reads, built from its loader's layout
    (src/ndarray/ndarray.cc): version 1, pre-version-1 and a GPU context. Name -> (bytes, case)."""
    values = _values((2, 2), "float32")
    data = values.tobytes()
    body = struct.pack("<ii", 1, 0) + struct.pack("<i", 0) + data
    v1 = struct.pack("<I", 0xF993FAC8) + _shape_bytes((2, 2)) + body
    legacy = _shape_bytes((2, 2), legacy=True) + body
    gpu = (struct.pack("<Ii", 0xF993FAC9, 0) + _shape_bytes((2, 2)) + struct.pack("<iii", 2, 0, 0)
           + data)
    files = {}
    for name, record in (("v1", v1), ("legacy", legacy), ("gpu_ctx", gpu)):
        header = struct.pack("<QQQ", 0x112, 0, 1)
        files[name] = (header + record + struct.pack("<Q", 0), ("list", [(None, "float32", values)]))
    return files


def main() -> None:
    from mxtorch import nd

    _, entries = MXTORCH_WRITTEN
    nd.save(str(GOLDEN_PARAMS / "mxtorch_written.params"),
            {name: nd.array(v, dtype=d) for name, d, v in entries})
    print("wrote", GOLDEN_PARAMS / "mxtorch_written.params")


if __name__ == "__main__":
    main()
