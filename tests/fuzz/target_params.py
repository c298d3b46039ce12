"""Fuzz target: MXNet's binary NDArray files (``nd.load``, ``nd.load_frombuffer``).

The bytes go to ``nd.load_frombuffer``, the reader behind ``nd.load``, ``Block.load_parameters``,
``load_checkpoint`` and the arrays inside MXNet-pickled optimizer states. Seeds are small goldens MXNet
1.9.1 wrote (dense of every dtype, named and unnamed, row_sparse and csr) and records in the layouts
it only reads now (version 1, before version 1, version 3), built here with struct.
"""
from __future__ import annotations

import pathlib
import struct

from mxtorch import nd
from mxtorch.base import MXNetError

NAME = "params"
REFUSALS = (MXNetError,)
DICTIONARY = (struct.pack("<Q", 0x112), struct.pack("<I", 0xF993FAC8), struct.pack("<I", 0xF993FAC9),
              struct.pack("<I", 0xF993FACA), struct.pack("<i", -1), struct.pack("<q", -1),
              struct.pack("<q", 2 ** 62), struct.pack("<i", 1), struct.pack("<i", 2), struct.pack("<i", 12))
_GOLDEN = pathlib.Path(__file__).resolve().parents[1] / "conformance" / "golden" / "params"
_GOLDENS = ("list_f32", "dict_dtypes", "sparse", "names_utf8", "five_dims", "zero_size", "empty_list",
            "np_v3", "v1", "legacy", "gpu_ctx")


def _file(records: list, names: list) -> bytes:
    return (struct.pack("<QQQ", 0x112, 0, len(records)) + b"".join(records) + struct.pack("<Q", len(names))
            + b"".join(struct.pack("<Q", len(n)) + n for n in names))


def _crafted() -> list:
    """Layouts the goldens do not cover: a version-3 0-d array and a 'none' record of each version,
    named, and a version-2 bfloat16 array with an int64 one."""
    scalar = struct.pack("<Iii", 0xF993FACA, 0, 0) + struct.pack("<iii", 1, 0, 0) + struct.pack("<f", 2.5)
    nones = [struct.pack("<Iii", 0xF993FACA, 0, -1), struct.pack("<Iii", 0xF993FAC9, 0, 0),
             struct.pack("<Ii", 0xF993FAC8, 0), struct.pack("<I", 0)]
    bf16 = struct.pack("<Iiiqiii", 0xF993FAC9, 0, 1, 2, 1, 0, 12) + struct.pack("<HH", 0x3F80, 0xC000)
    i64 = struct.pack("<Iiiqiii", 0xF993FAC9, 0, 1, 1, 2, 1, 6) + struct.pack("<q", -3)
    return [_file([scalar, *nones], [b"s", b"n3", b"n2", b"n1", b"n0"]), _file([bf16, i64], [])]


def seeds() -> list:
    return [(_GOLDEN / f"{stem}.params").read_bytes() for stem in _GOLDENS] + _crafted()


def run(data: bytes) -> None:
    loaded = nd.load_frombuffer(data)
    for array in (loaded.values() if isinstance(loaded, dict) else loaded):
        array.asnumpy()
