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

Version 3 (0xF993FACA, MXNet's numpy-shape mode) is the same for dense arrays, with 0-d arrays, and
ndim -1 or a dimension of -1 (unknown) for 'none'. Version 1 (0xF993FAC8) has no storage type. Before
version 1, the record starts directly with the shape as uint32 ndim and uint32 dimensions.
"""
from __future__ import annotations

import math
import os
import struct
from typing import Any, Optional, Union

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
# Limits on what a file may declare. Every one is checked before the memory it implies is allocated.
_MAX_NDIM = 32  # numpy's limit in the numpy < 1.24 MXNet 1.9.1 runs with; MXNet's asnumpy enforces it
_MAX_DEV_ID = 16  # MXNet's Context::kMaxDevID: its storage keeps one allocator per id 0..16
# MXNet model files hold a few thousand arrays at most, and each array costs a few hundred bytes of
# bookkeeping however small its record: the cap keeps a small file from costing much memory.
_MAX_ARRAYS = 65536
_MIN_RECORD_BYTES = 4  # the smallest record: a pre-version-1 'none' array (uint32 ndim 0)
_INT64_MAX = 2 ** 63 - 1
_INDEX_FLAGS = (3, 4, 5, 6)  # integer type flags: uint8, int32, int8, int64
_FLAG_NAMES = {flag: str(dtype).replace("torch.", "") for flag, dtype in _FLAG_TO_TORCH.items()}
# Sparse arrays load dense, which can make a record of a hundred bytes declare terabytes. The dense forms
# of one file's sparse arrays may take this many bytes together, by default the larger of the floor and
# the factor times the file's size; the environment variable sets the limit in bytes instead.
_SPARSE_LIMIT_ENV = "MXTORCH_SPARSE_LOAD_MAX_BYTES"
_SPARSE_LIMIT_FLOOR = 32 * 2 ** 20
_SPARSE_LIMIT_FACTOR = 32


def _nonzero_count(shape: tuple) -> int:
    """The product of the non-zero dimensions: what strides and byte sizes are computed from, even for
    an array with no elements."""
    return math.prod(d for d in shape if d)


def _sparse_dense_limit(file_bytes: int) -> int:
    raw = os.environ.get(_SPARSE_LIMIT_ENV)
    if raw is None:
        return max(_SPARSE_LIMIT_FLOOR, _SPARSE_LIMIT_FACTOR * file_bytes)
    try:
        value = int(raw.strip())
    except ValueError:
        value = -1
    if value < 0:
        raise MXNetError(f"{_SPARSE_LIMIT_ENV} is {raw!r}; expected a whole number of bytes (0 or more)")
    return value


class _Reader:
    """Reads the format's fields from a buffer; every shortfall is an MXNetError naming the source.

    It also keeps the account of the bytes the dense forms of the buffer's sparse arrays take, against
    the limit that ``load`` documents."""

    def __init__(self, buf: bytes, source: str):
        self.buf = memoryview(buf)
        self.pos = 0
        self.source = source
        self.dense_limit: Optional[int] = None  # read when the first sparse array needs it
        self.dense_bytes = 0

    def fail(self, what: str) -> MXNetError:
        return MXNetError(f"{self.source}: invalid NDArray file: {what}")

    @property
    def left(self) -> int:
        return len(self.buf) - self.pos

    def need(self, n: int, what: str) -> None:
        """Refuse before reading (or allocating for) ``what`` unless ``n`` bytes are left."""
        if n < 0 or n > self.left:
            raise self.fail(f"truncated while reading {what} at byte {self.pos} (needs {n} bytes, "
                            f"{self.left} left)")

    def take(self, n: int, what: str) -> memoryview:
        self.need(n, what)
        chunk = self.buf[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def unpack(self, fmt: str, what: str) -> tuple:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt), what))

    def checked(self, dims: tuple, what: str) -> tuple:
        if any(d < 0 for d in dims):
            raise self.fail(f"negative dimension in {what} {dims}")
        if _nonzero_count(dims) > _INT64_MAX:
            raise self.fail(f"{what} {dims} overflows: its element count does not fit in 64 bits")
        return dims

    def shape(self, what: str, numpy_shape: bool = False) -> Optional[tuple]:
        """A shape as versions 1-3 store it: int32 ndim, then int64 dimensions; None for 'none'.

        With ``numpy_shape`` (version 3) a dimension of -1 is unknown and makes the array 'none', as
        MXNet's numpy-shape mode has it."""
        (ndim,) = self.unpack("<i", what)
        if ndim > _MAX_NDIM:
            raise self.fail(f"{what} has {ndim} dimensions; MXNet arrays have at most {_MAX_NDIM}")
        if ndim < -1:
            raise self.fail(f"{what} has ndim {ndim}; expected -1 (unknown) or 0 to {_MAX_NDIM}")
        if ndim == -1:
            return None
        dims = self.unpack(f"<{ndim}q", what)
        if numpy_shape and -1 in dims:
            return None
        return self.checked(dims, what)

    def legacy_shape(self, ndim: int, what: str) -> tuple:
        return self.checked(self.unpack(f"<{ndim}I", what), what)

    def itemsize(self, flag: int, what: str) -> int:
        if flag not in _FLAG_TO_NUMPY:
            raise self.fail(f"{what} has type flag {flag}, which mxtorch does not support "
                            f"(supported: {sorted(_FLAG_TO_NUMPY)})")
        return np.dtype(_FLAG_TO_NUMPY[flag]).itemsize

    def nbytes(self, flag: int, shape: tuple, what: str) -> int:
        """The bytes of an array's data, refused if its byte size (even with no elements, which numpy
        and torch still compute strides for) does not fit in 64 bits."""
        itemsize = self.itemsize(flag, what)
        if _nonzero_count(shape) * itemsize > _INT64_MAX:
            raise self.fail(f"the shape {shape} of {what} overflows: its size in bytes does not fit "
                            "in 64 bits")
        return math.prod(shape) * itemsize

    def data(self, flag: int, shape: tuple, what: str) -> torch.Tensor:
        raw = self.take(self.nbytes(flag, shape, what), f"the data of {what}")
        dtype = np.dtype(_FLAG_TO_NUMPY[flag])
        values = np.frombuffer(raw, dtype=dtype, count=math.prod(shape)).reshape(shape)
        tensor = torch.from_numpy(values.astype(dtype.newbyteorder("="), copy=True))
        return tensor.view(torch.bfloat16) if flag == 12 else tensor

    def context(self, what: str) -> Context:
        dev_type, dev_id = self.unpack("<ii", f"the context of {what}")
        if dev_type not in Context.devtype2str:
            raise self.fail(f"{what} has unknown device type {dev_type}")
        if not 0 <= dev_id <= _MAX_DEV_ID:
            raise self.fail(f"{what} was saved on device id {dev_id}; MXNet's device ids run from 0 to "
                            f"{_MAX_DEV_ID}")
        return Context(Context.devtype2str[dev_type], dev_id)

    def reserve_dense(self, shape: tuple, flag: int, what: str) -> None:
        """Count the dense form of a sparse array against the limit, before it is allocated."""
        if self.dense_limit is None:
            self.dense_limit = _sparse_dense_limit(len(self.buf))
        nbytes = self.nbytes(flag, shape, what)
        total = self.dense_bytes + nbytes
        if total > self.dense_limit:
            raise self.fail(
                f"{what} is sparse and loads as a dense {_FLAG_NAMES[flag]} array of shape {shape}, "
                f"{nbytes} bytes; the dense forms of this file's sparse arrays would take {total} bytes, "
                f"past the limit of {self.dense_limit} bytes. If the file is trusted, set the "
                f"environment variable {_SPARSE_LIMIT_ENV} to a larger number of bytes")
        self.dense_bytes = total


def _read_dense(r: _Reader, shape: tuple, what: str) -> tuple:
    ctx = r.context(what)
    (flag,) = r.unpack("<i", f"the type flag of {what}")
    return r.data(flag, shape, what), ctx


def _check_sparse_shapes(r: _Reader, stype: int, shape: tuple, storage: Optional[tuple], aux: list,
                         what: str) -> None:
    """The shapes of a sparse record must agree with each other as MXNet's ``check_format`` requires."""
    if storage is None:
        raise r.fail(f"{what} is sparse but its storage shape is unknown")
    if stype == _ROW_SPARSE:
        expected = (storage[0] if storage else 0, *shape[1:])
        if storage != expected:
            raise r.fail(f"the storage shape {storage} of row_sparse {what} does not fit its shape "
                         f"{shape}: expected {expected}")
        nnz = storage[0]
        if aux[0][1] != (nnz,):
            raise r.fail(f"the row index shape {aux[0][1]} of {what} does not fit its storage shape "
                         f"{storage}: expected ({nnz},)")
        if nnz > shape[0]:
            raise r.fail(f"row_sparse {what} has {nnz} stored rows but only {shape[0]} rows")
        return
    if len(shape) != 2:
        raise r.fail(f"csr {what} has shape {shape}; a csr array has 2 dimensions")
    if len(storage) != 1:
        raise r.fail(f"csr {what} has storage shape {storage}; expected one dimension (the number "
                     "of stored values)")
    (_, indptr_shape), (_, index_shape) = aux
    if indptr_shape != (shape[0] + 1,):
        raise r.fail(f"the indptr shape {indptr_shape} of csr {what} does not fit its {shape[0]} "
                     f"rows: expected ({shape[0] + 1},)")
    if index_shape != storage:
        raise r.fail(f"the column indices of csr {what} have shape {index_shape}, but its storage "
                     f"shape {storage} says {storage[0]} stored values")


def _row_sparse_dense(r: _Reader, shape: tuple, values: torch.Tensor, rows: torch.Tensor,
                      what: str) -> torch.Tensor:
    bad = (rows < 0) | (rows >= shape[0])
    if bad.any():
        row = int(rows[bad][0])
        raise r.fail(f"row index {row} of row_sparse {what} is out of range for its {shape[0]} rows")
    if (rows[1:] <= rows[:-1]).any():
        raise r.fail(f"the row indices of row_sparse {what} are not strictly increasing")
    dense = torch.zeros(shape, dtype=values.dtype)
    dense[rows] = values
    return dense


def _csr_dense(r: _Reader, shape: tuple, values: torch.Tensor, indptr: torch.Tensor, cols: torch.Tensor,
               what: str) -> torch.Tensor:
    nnz = cols.numel()
    if int(indptr[0]) != 0:
        raise r.fail(f"the indptr of csr {what} must start at 0, not {int(indptr[0])}")
    steps = indptr[1:] - indptr[:-1]
    if (steps < 0).any():
        raise r.fail(f"the indptr of csr {what} must be non-decreasing")
    if int(indptr[-1]) != nnz:
        raise r.fail(f"the indptr of csr {what} must end at {nnz}, its number of stored values, not "
                     f"{int(indptr[-1])}")
    bad = (cols < 0) | (cols >= shape[1])
    if bad.any():
        raise r.fail(f"column index {int(cols[bad][0])} of csr {what} is out of range for its "
                     f"{shape[1]} columns")
    # the indptr is now known to be sane, so the row of each stored value takes nnz entries
    rows = torch.repeat_interleave(torch.arange(shape[0]), steps)
    if ((rows[1:] == rows[:-1]) & (cols[1:] <= cols[:-1])).any():
        raise r.fail(f"the column indices within a row of csr {what} are not strictly increasing")
    dense = torch.zeros(shape, dtype=values.dtype)
    dense[rows, cols] = values
    return dense


def _read_sparse(r: _Reader, stype: int, what: str) -> Any:
    storage = r.shape(f"the storage shape of {what}")
    shape = r.shape(f"the shape of {what}")
    if not shape:
        return None
    ctx = r.context(what)
    (flag,) = r.unpack("<i", f"the type flag of {what}")
    r.itemsize(flag, what)
    aux = []
    for _ in range(_NUM_AUX[stype]):
        (aux_flag,) = r.unpack("<i", f"the index type of {what}")
        if aux_flag not in _INDEX_FLAGS:
            raise r.fail(f"the index type of {what} is type flag {aux_flag}; indices are integers "
                         f"(type flags {', '.join(map(str, _INDEX_FLAGS))})")
        aux.append((aux_flag, r.shape(f"the index shape of {what}")))
    _check_sparse_shapes(r, stype, shape, storage, aux, what)
    # every byte the record declares must be there before the dense form is counted or allocated
    r.need(r.nbytes(flag, storage, what) + sum(r.nbytes(f, s, what) for f, s in aux),
           f"the data of {what}")
    r.reserve_dense(shape, flag, what)
    values = r.data(flag, storage, what)
    indices = [r.data(f, s, f"the indices of {what}").long() for f, s in aux]
    if stype == _ROW_SPARSE:
        return _row_sparse_dense(r, shape, values, indices[0], what), ctx
    return _csr_dense(r, shape, values, indices[0], indices[1], what), ctx


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
        shape = r.shape(f"the shape of {what}", numpy_shape=magic == _V3_MAGIC)
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
    if count > _MAX_ARRAYS:
        raise r.fail(f"the header claims {count} arrays; a file may hold at most {_MAX_ARRAYS}")
    if count * _MIN_RECORD_BYTES > r.left:
        raise r.fail(f"truncated: the header claims {count} arrays, but the {r.left} bytes left hold at most "
                     f"{r.left // _MIN_RECORD_BYTES} records")
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

    The file is data from anywhere: every size it declares is checked against the bytes it holds
    before memory is allocated for it, and a file that breaks the format is refused with an
    ``MXNetError`` saying what was wrong. Beyond the format itself, a file is refused when

    - it holds more than 65536 arrays, or an array of more than 32 dimensions (numpy's limit,
      which MXNet's ``asnumpy`` shares), or a shape whose size does not fit in 64 bits;
    - an array was saved on a device id outside 0 to 16 (MXNet's range);
    - a sparse array is malformed as MXNet's ``check_format(full_check=True)`` sees it (shapes that
      disagree, indices out of range or not strictly increasing, a csr indptr that does not run
      from 0 up to the number of stored values);
    - the dense forms of its sparse arrays would take more bytes together than the limit: by
      default 32 MiB or 32 times the file's size, whichever is larger. A small sparse record can
      declare a dense shape of terabytes; set the environment variable
      ``MXTORCH_SPARSE_LOAD_MAX_BYTES`` to a number of bytes to load larger trusted files.

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

    See more details in ``save``; the buffer is checked as ``load`` checks a file, with the same
    limits.

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
