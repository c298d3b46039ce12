"""``nd.save`` / ``nd.load``: MXNet's binary NDArray file format (``.params``).

Layout (little-endian), as MXNet 1.x writes it::

    uint64 0x112 (list magic), uint64 0 (reserved)
    uint64 n, then n array records
    uint64 m (0 or n), then m names: uint64 length + UTF-8 bytes

An array record (version 2, what MXNet 1.9.1 writes) is::

    uint32 0xF993FAC9, int32 storage type (0 dense, 1 row_sparse, 2 csr)
    [sparse: storage shape]
    shape: int32 ndim, ndim x int64          (ndim 0: an empty 'none' array, nothing follows)
    context: int32 device type, int32 device id
    int32 type flag
    [sparse: per auxiliary array, int32 type flag and its shape]
    data, then [sparse] the auxiliary arrays' data

Version 3 (0xF993FACA, MXNet's numpy-shape mode) is the same for dense arrays, with 0-d arrays and ndim
-1 for 'none'. Version 1 (0xF993FAC8) has no storage type. Before version 1, the record starts directly
with the shape as uint32 ndim and uint32 dimensions.
"""
from __future__ import annotations

import os
import struct
from typing import Any, Union

import numpy as np
import torch

from ..base import MXNetError
from ..context import Context, num_gpus
from .ndarray import NDArray

__all__ = ["save", "load", "load_frombuffer"]

_LIST_MAGIC = 0x112
_V1_MAGIC = 0xF993FAC8
_V2_MAGIC = 0xF993FAC9
_V3_MAGIC = 0xF993FACA
_MAX_LEGACY_NDIM = 32  # a pre-V1 record starts with its ndim; anything larger is not one

# mshadow's type flags. bfloat16 has no numpy dtype: its bits travel as uint16.
_FLAG_TO_TORCH = {0: torch.float32, 1: torch.float64, 2: torch.float16, 3: torch.uint8,
                  4: torch.int32, 5: torch.int8, 6: torch.int64, 7: torch.bool, 12: torch.bfloat16}
_TORCH_TO_FLAG = {v: k for k, v in _FLAG_TO_TORCH.items()}
_FLAG_TO_NUMPY = {0: "<f4", 1: "<f8", 2: "<f2", 3: "u1", 4: "<i4", 5: "i1", 6: "<i8", 7: "?",
                  12: "<u2"}
_DENSE, _ROW_SPARSE, _CSR = 0, 1, 2
_NUM_AUX = {_DENSE: 0, _ROW_SPARSE: 1, _CSR: 2}

PathType = Union[str, "os.PathLike[str]"]


# -- writing ------------------------------------------------------------------------------------
def _tensor_bytes(t: torch.Tensor) -> bytes:
    t = t.detach().contiguous().cpu()
    values = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy()
    return values.astype(values.dtype.newbyteorder("<"), copy=False).tobytes()


def _encode_array(arr: NDArray) -> bytes:
    t = arr._t
    if t.dtype not in _TORCH_TO_FLAG:
        raise MXNetError(f"cannot save an array of dtype {t.dtype}: the MXNet file format has no "
                         "type flag for it")
    shape = tuple(t.shape) or (1,)  # MXNet 1.x arrays have at least one dimension
    ctx = arr.context
    header = struct.pack(f"<IiI{len(shape)}qiii", _V2_MAGIC, _DENSE, len(shape), *shape,
                         ctx.device_typeid, ctx.device_id, _TORCH_TO_FLAG[t.dtype])
    return header + _tensor_bytes(t)


def _encode(arrays: list, names: list) -> bytes:
    parts = [struct.pack("<QQQ", _LIST_MAGIC, 0, len(arrays))]
    parts += [_encode_array(a) for a in arrays]
    parts.append(struct.pack("<Q", len(names)))
    for name in names:
        raw = name.encode("utf-8")
        parts.append(struct.pack("<Q", len(raw)) + raw)
    return b"".join(parts)


def _write_atomically(fname: str, payload: bytes) -> None:
    """Write to a temporary file next to ``fname``, then rename it into place: a crash leaves either
    the old file or the new one, never half of one."""
    directory = os.path.dirname(os.path.abspath(fname))
    tmp = os.path.join(directory, f".{os.path.basename(fname)}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    # mode 0o666 filtered by the umask, as a plain open() would create the file
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, fname)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def save(fname: PathType, data: Any) -> None:
    """Saves a list of arrays or a dict of str->array to file.

    The file is MXNet's binary NDArray format: MXNet 1.x loads it and mxtorch loads files MXNet wrote.
    It is written to a temporary file first and renamed into place.

    Parameters
    ----------
    fname : str
        The filename.
    data : NDArray, or list of NDArray, or dict of str to NDArray
        The data to save. A single NDArray is saved as a list of one. A 0-d array is saved with
        shape (1,), as MXNet 1.x reads no 0-d arrays.

    Examples
    --------
    >>> x = mx.nd.zeros((2,3))
    >>> y = mx.nd.ones((1,4))
    >>> mx.nd.save('my_list', [x,y])
    >>> mx.nd.save('my_dict', {'x':x, 'y':y})
    >>> mx.nd.load('my_list')
    [<NDArray 2x3 @cpu(0)>, <NDArray 1x4 @cpu(0)>]
    >>> mx.nd.load('my_dict')
    {'x': <NDArray 2x3 @cpu(0)>, 'y': <NDArray 1x4 @cpu(0)>}
    """
    if isinstance(data, NDArray):
        data = [data]
    if isinstance(data, dict):
        if any(not isinstance(k, str) for k in data) or \
                any(not isinstance(v, NDArray) for v in data.values()):
            raise TypeError("save only accept dict str->NDArray or list of NDArray")
        names, arrays = list(data.keys()), list(data.values())
    elif isinstance(data, list):
        if any(not isinstance(v, NDArray) for v in data):
            raise TypeError("save only accept dict str->NDArray or list of NDArray")
        names, arrays = [], data
    else:
        raise ValueError("data needs to either be a NDArray, dict of str, NDArray pairs "
                         "or a list of NDarrays.")
    _write_atomically(os.fspath(fname), _encode(arrays, names))


# -- reading ------------------------------------------------------------------------------------
class _Reader:
    """Reads the format's fields from a buffer; every shortfall is an MXNetError naming the source."""

    def __init__(self, buf: bytes, source: str):
        self.buf = memoryview(buf)
        self.pos = 0
        self.source = source

    def fail(self, what: str) -> MXNetError:
        return MXNetError(f"{self.source}: invalid NDArray file: {what}")

    def take(self, n: int, what: str) -> memoryview:
        if n < 0 or self.pos + n > len(self.buf):
            raise self.fail(f"truncated while reading {what} at byte {self.pos} (needs {n} bytes, "
                            f"{len(self.buf) - self.pos} left)")
        chunk = self.buf[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def unpack(self, fmt: str, what: str) -> tuple:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt), what))

    def shape(self, what: str) -> tuple:
        """A shape as versions 1-3 store it: int32 ndim, then int64 dimensions; None for 'none'."""
        (ndim,) = self.unpack("<i", what)
        if ndim < 0:
            return None
        dims = self.unpack(f"<{ndim}q", what)
        if any(d < 0 for d in dims):
            raise self.fail(f"negative dimension in {what} {dims}")
        return dims

    def legacy_shape(self, ndim: int, what: str) -> tuple:
        return self.unpack(f"<{ndim}I", what)

    def data(self, flag: int, shape: tuple, what: str) -> torch.Tensor:
        if flag not in _FLAG_TO_NUMPY:
            raise self.fail(f"{what} has type flag {flag}, which mxtorch does not support "
                            f"(supported: {sorted(_FLAG_TO_NUMPY)})")
        dtype = np.dtype(_FLAG_TO_NUMPY[flag])
        count = int(np.prod(shape, dtype=np.int64))
        raw = self.take(count * dtype.itemsize, f"the data of {what}")
        values = np.frombuffer(raw, dtype=dtype, count=count).reshape(shape)
        tensor = torch.from_numpy(values.astype(dtype.newbyteorder("="), copy=True))
        return tensor.view(torch.bfloat16) if flag == 12 else tensor

    def context(self, what: str) -> Context:
        dev_type, dev_id = self.unpack("<ii", f"the context of {what}")
        if dev_type not in Context.devtype2str:
            raise self.fail(f"{what} has unknown device type {dev_type}")
        return Context(Context.devtype2str[dev_type], dev_id)


def _read_dense(r: _Reader, shape: tuple, what: str) -> tuple:
    ctx = r.context(what)
    (flag,) = r.unpack("<i", f"the type flag of {what}")
    return r.data(flag, shape, what), ctx


def _read_sparse(r: _Reader, stype: int, what: str) -> Any:
    storage_shape = r.shape(f"the storage shape of {what}")
    shape = r.shape(f"the shape of {what}")
    if not shape:
        return None
    ctx = r.context(what)
    (flag,) = r.unpack("<i", f"the type flag of {what}")
    aux = []
    for k in range(_NUM_AUX[stype]):
        (aux_flag,) = r.unpack("<i", f"the index type of {what}")
        aux.append((aux_flag, r.shape(f"the index shape of {what}")))
    values = r.data(flag, storage_shape, what)
    indices = [r.data(f, s, f"the indices of {what}").long() for f, s in aux]
    dense = torch.zeros(shape, dtype=values.dtype)
    try:
        if stype == _ROW_SPARSE:
            dense[indices[0]] = values
        else:
            indptr, cols = indices
            rows = torch.repeat_interleave(torch.arange(shape[0]), indptr[1:] - indptr[:-1])
            dense[rows, cols] = values
    except (IndexError, RuntimeError) as err:
        raise r.fail(f"inconsistent sparse indices in {what}: {err}") from None
    return dense, ctx


def _read_array(r: _Reader, i: int) -> Any:
    """One array record as (tensor, saved context), or None for a 'none' record."""
    what = f"array {i}"
    (magic,) = r.unpack("<I", f"the header of {what}")
    if magic in (_V2_MAGIC, _V3_MAGIC):
        (stype,) = r.unpack("<i", f"the storage type of {what}")
        if stype not in _NUM_AUX or (magic == _V3_MAGIC and stype != _DENSE):
            raise r.fail(f"{what} has unknown storage type {stype}")
        if stype != _DENSE:
            return _read_sparse(r, stype, what)
        shape = r.shape(f"the shape of {what}")
        # version 2 (MXNet's legacy shapes) has no 0-d arrays: ndim 0 is a 'none' array
        if shape is None or (magic == _V2_MAGIC and not shape):
            return None
    elif magic == _V1_MAGIC:
        shape = r.shape(f"the shape of {what}")
        if not shape:
            return None
    elif magic <= _MAX_LEGACY_NDIM:
        shape = r.legacy_shape(magic, f"the shape of {what}")
        if not shape:
            return None
    else:
        raise r.fail(f"{what} starts with 0x{magic:08X}, which is no NDArray record magic")
    return _read_dense(r, shape, what)


def _decode(buf: bytes, source: str) -> Any:
    r = _Reader(buf, source)
    magic, _reserved = r.unpack("<QQ", "the file header")
    if magic != _LIST_MAGIC:
        raise r.fail(f"the file starts with magic 0x{magic:X}, expected 0x{_LIST_MAGIC:X}")
    (count,) = r.unpack("<Q", "the number of arrays")
    if count > len(buf):  # every record takes at least one byte
        raise r.fail(f"the header claims {count} arrays in {len(buf)} bytes")
    tensors = [_read_array(r, i) for i in range(count)]
    (n_names,) = r.unpack("<Q", "the number of names")
    if n_names not in (0, count):
        raise r.fail(f"{n_names} names for {count} arrays")
    names = []
    for k in range(n_names):
        (length,) = r.unpack("<Q", f"the length of name {k}")
        raw = r.take(length, f"name {k}")
        try:
            names.append(bytes(raw).decode("utf-8"))
        except UnicodeDecodeError:
            raise r.fail(f"name {k} is not UTF-8") from None
    arrays = [_placed(record) for record in tensors]
    return dict(zip(names, arrays)) if names else arrays


def _placed(record: Any) -> NDArray:
    """An array on the GPU it was saved from when this machine has that GPU (as MXNet loads), else
    on the CPU. A record without data (MXNet's 'none' array) loads as an empty float32 array."""
    if record is None:
        return NDArray(torch.empty(0))
    tensor, ctx = record
    if ctx.device_type == "gpu" and ctx.device_id < num_gpus():
        return NDArray(tensor.to(ctx.torch_device), ctx)
    return NDArray(tensor)


def load(fname: PathType) -> Any:
    """Loads an array from file.

    See more details in ``save``. Reads files in every version of MXNet's format (records of version
    1, 2 and 3 and the ones before version 1); sparse arrays load as dense ones.

    Parameters
    ----------
    fname : str
        The filename.

    Returns
    -------
    list of NDArray or dict of str to NDArray
        Loaded data.
    """
    if not isinstance(fname, (str, os.PathLike)):
        raise TypeError("fname required to be a string")
    path = os.fspath(fname)
    try:
        with open(path, "rb") as f:
            buf = f.read()
    except OSError as err:
        raise MXNetError(f"cannot open {path!r}: {err.strerror}") from err
    return _decode(buf, repr(path))


def load_frombuffer(buf: Any) -> Any:
    """Loads an array dictionary or list from a buffer

    See more details in ``save``.

    Parameters
    ----------
    buf : bytes
        Buffer containing contents of a file as bytes.

    Returns
    -------
    list of NDArray or dict of str to NDArray
        Loaded data.
    """
    if not isinstance(buf, (bytes, bytearray, memoryview)):
        raise TypeError("buf required to be a string or bytes")
    return _decode(bytes(buf), "buffer")
