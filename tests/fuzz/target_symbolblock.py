"""Fuzz target: an exported model (``-symbol.json`` and ``.params``) read by ``SymbolBlock.imports``
and run on a small batch.

An input is a 4-byte little-endian length, that many bytes of symbol JSON, then the ``.params`` file.
"""
from __future__ import annotations

import os
import struct
import tempfile

import mxtorch as mx
from mxtorch import gluon
from mxtorch.base import MXNetError
from tests.conftest import GOLDEN

NAME = "symbolblock"
REFUSALS = (MXNetError,)
DICTIONARY = (b'"op": "null"', b'"__shape__": "(', b'"kernel": "(', b'"num_hidden": "',
              b'"num_filter": "', b'"pad": "(', b'"stride": "(', b'"heads": [[', b"arg:", b"aux:",
              b"_weight", b"_bias", b"_running_mean")
_WORKDIR = tempfile.mkdtemp(prefix="mxtorch-fuzz-symbolblock-")
_SYMBOL = os.path.join(_WORKDIR, "net-symbol.json")
_PARAMS = os.path.join(_WORKDIR, "net-0000.params")
DATA_SHAPE = (2, 1, 28, 28)
# The forward pass runs only when every array of the graph, on the small batch, stays below this
# many elements: a file may describe a network too large for memory, which is no fault of the reader.
_MAX_FORWARD_ELEMENTS = 1 << 20
_GOLDEN_MODEL = "hybridize/mx_lenet5"   # written by MXNet 1.9.1


def pack(symbol_json: bytes, params: bytes) -> bytes:
    """One fuzz input from a symbol file and a parameter file."""
    return struct.pack("<I", len(symbol_json)) + symbol_json + params


def seeds() -> list:
    found = [pack((GOLDEN / f"{_GOLDEN_MODEL}-symbol.json").read_bytes(),
                  (GOLDEN / f"{_GOLDEN_MODEL}-0000.params").read_bytes())]
    return found + [_exported_resnet_block()]


def _exported_resnet_block() -> bytes:
    """The tiny residual block of the symbol_json target, exported by mxtorch with its parameters."""
    from tests.fuzz.target_symbol_json import _resnet_block

    out = _resnet_block().get_internals()["fc_output"]
    block = gluon.SymbolBlock(out, mx.sym.var("data"))
    block.initialize(mx.init.Normal(0.1))
    block.hybridize()
    block(mx.nd.ones(DATA_SHAPE))
    prefix = os.path.join(_WORKDIR, "resnet")
    block.export(prefix)
    with open(f"{prefix}-symbol.json", "rb") as f, open(f"{prefix}-0000.params", "rb") as g:
        return pack(f.read(), g.read())


def _fits(block: gluon.SymbolBlock) -> bool:
    internals = block._cached_graph[1].get_internals()
    _, shapes, _ = internals.infer_shape_partial(data=DATA_SHAPE)
    return all(_size(shape) <= _MAX_FORWARD_ELEMENTS for shape in shapes)


def _size(shape: tuple) -> int:
    size = 1
    for d in shape:
        size *= d
    return size


def run(data: bytes) -> None:
    if len(data) < 4:
        return
    (length,) = struct.unpack("<I", data[:4])
    with open(_SYMBOL, "wb") as f:
        f.write(data[4:4 + length])
    with open(_PARAMS, "wb") as f:
        f.write(data[4 + length:])
    block = gluon.SymbolBlock.imports(_SYMBOL, ["data"], _PARAMS)
    if _fits(block):
        block(mx.nd.ones(DATA_SHAPE))
