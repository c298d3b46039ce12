"""MXNet's binary NDArray format: what ``nd.save`` writes and ``nd.load`` reads (``.params`` files),
and what a pickled NDArray in a ``.states`` file carries (one record).

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
from typing import Optional, Union

import numpy as np
import torch

from ..base import MXNetError
from ..context import Context, num_gpus
from ..ndarray.ndarray import NDArray

__all__ = ["NDArrayFileReader", "encode_array", "encode_arrays", "SPARSE_LIMIT_ENV"]

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

Record = Optional[tuple]  # (tensor, the context it was saved from), or None for a 'none' array


# -- writing ------------------------------------------------------------------------------------
def _tensor_bytes(t: torch.Tensor) -> bytes:
    t = t.detach().contiguous().cpu()
    values = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy()
    return values.astype(values.dtype.newbyteorder("<"), copy=False).tobytes()


def encode_array(arr: NDArray) -> bytes:
    """One dense version-2 record of ``arr``, as MXNet 1.9.1 writes it (a 0-d array as shape (1,))."""
    t = arr._t
    if t.dtype not in _TORCH_TO_FLAG:
        raise MXNetError(f"cannot save an array of dtype {t.dtype}: the MXNet file format has no "
                         "type flag for it")
    shape = tuple(t.shape) or (1,)  # MXNet 1.x arrays have at least one dimension
    ctx = arr.context
    header = struct.pack(f"<IiI{len(shape)}qiii", _V2_MAGIC, _DENSE, len(shape), *shape,
                         ctx.device_typeid, ctx.device_id, _TORCH_TO_FLAG[t.dtype])
    return header + _tensor_bytes(t)


def encode_arrays(arrays: list, names: list) -> bytes:
    """A whole file: ``arrays`` and, when ``names`` is not empty, one name for each."""
    parts = [struct.pack("<QQQ", _LIST_MAGIC, 0, len(arrays))]
    parts += [encode_array(a) for a in arrays]
    parts.append(struct.pack("<Q", len(names)))
    for name in names:
        raw = name.encode("utf-8")
        parts.append(struct.pack("<Q", len(raw)) + raw)
    return b"".join(parts)


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
SPARSE_LIMIT_ENV = "MXTORCH_SPARSE_LOAD_MAX_BYTES"
_SPARSE_LIMIT_FLOOR = 32 * 2 ** 20
_SPARSE_LIMIT_FACTOR = 32


def _nonzero_count(shape: tuple) -> int:
    """The product of the non-zero dimensions: what strides and byte sizes are computed from, even for
    an array with no elements."""
    return math.prod(d for d in shape if d)


def _sparse_dense_limit(file_bytes: int) -> int:
    raw = os.environ.get(SPARSE_LIMIT_ENV)
    if raw is None:
        return max(_SPARSE_LIMIT_FLOOR, _SPARSE_LIMIT_FACTOR * file_bytes)
    try:
        value = int(raw.strip())
    except ValueError:
        value = -1
    if value < 0:
        raise MXNetError(f"{SPARSE_LIMIT_ENV} is {raw!r}; expected a whole number of bytes (0 or more)")
    return value


class NDArrayFileReader:
    """Reads MXNet's binary NDArray format from bytes, checking every size before trusting it.

    This is the format of the ``.params`` files ``nd.save``, ``save_parameters`` and
    ``save_checkpoint`` write, in MXNet 1.x and in mxtorch alike: a header (the list magic
    ``0x112``, a reserved word, the number of arrays), one record per array, then the arrays'
    names, if any. A record holds an array's shape, the device it was saved from, a type flag and
    the raw little-endian data. Every record version MXNet has written is read: version 2 (what
    MXNet 1.9.1 writes), version 3 (numpy-shape mode, with 0-d arrays), version 1, and the records
    from before version 1. Sparse records (``row_sparse`` and ``csr``) are read into dense arrays.
    A pickled NDArray inside an optimizer's ``.states`` file carries one such record alone, which
    :meth:`read_array` reads.

    The bytes may come from anywhere, so the reader refuses, with an ``MXNetError`` that names the
    source and says what is wrong, before allocating anything for it:

    - a field or an array's data that runs past the end of the bytes;
    - a wrong magic number, an unknown storage type, device type or type flag;
    - more than 65536 arrays, more than 32 dimensions (numpy's limit), a negative dimension, or a
      shape whose size in bytes does not fit in 64 bits;
    - a device id outside 0 to 16 (MXNet's range);
    - a sparse record whose shapes disagree, whose indices are out of range or not strictly
      increasing, or whose csr ``indptr`` does not run from 0 up to the number of stored values;
    - sparse arrays whose dense forms would take more bytes together than the limit: the larger of
      32 MiB and 32 times the size of the bytes, or the number of bytes in the environment variable
      ``MXTORCH_SPARSE_LOAD_MAX_BYTES``;
    - a number of names other than 0 or the number of arrays, or a name that is not UTF-8.

    Arrays saved from a GPU are placed on that GPU when this machine has it (as MXNet loads them),
    on the CPU otherwise.

    Parameters
    ----------
    data : bytes, bytearray or memoryview
        The bytes to read: a whole file for :meth:`read_file`, or records for :meth:`read_array`.
    source : str, default "buffer"
        What the bytes are, for error messages (a file name, say).

    Examples
    --------
    >>> mx.nd.save('arrays.params', {'w': mx.nd.ones((2, 3))})
    >>> with open('arrays.params', 'rb') as f:
    ...     mx.nd.utils.NDArrayFileReader(f.read(), 'arrays.params').read_file()
    {'w': <NDArray 2x3 @cpu(0)>}
    """

    def __init__(self, data: Union[bytes, bytearray, memoryview], source: str = "buffer"):
        self._buf = memoryview(bytes(data))
        self._pos = 0
        self._records = 0
        self.source = source
        self._dense_limit: Optional[int] = None  # read when the first sparse array needs it
        self._dense_bytes = 0

    @property
    def offset(self) -> int:
        """How many bytes have been read so far."""
        return self._pos

    @property
    def remaining(self) -> int:
        """How many bytes are left to read."""
        return len(self._buf) - self._pos

    def read_file(self) -> Union[list, dict]:
        """Read a whole file: its header, every array and the names.

        Returns
        -------
        list of NDArray or dict of str to NDArray
            A dict when the file names its arrays, else a list. A 'none' record (an array MXNet
            saved without data) reads as an empty float32 array.
        """
        magic, _reserved = self._unpack("<QQ", "the file header")
        if magic != _LIST_MAGIC:
            raise self._fail(f"the file starts with magic 0x{magic:X}, expected 0x{_LIST_MAGIC:X}")
        (count,) = self._unpack("<Q", "the number of arrays")
        if count > _MAX_ARRAYS:
            raise self._fail(f"the header claims {count} arrays; a file may hold at most {_MAX_ARRAYS}")
        if count * _MIN_RECORD_BYTES > self.remaining:
            raise self._fail(f"truncated: the header claims {count} arrays, but the {self.remaining} bytes "
                             f"left hold at most {self.remaining // _MIN_RECORD_BYTES} records")
        records = [self._record() for _ in range(count)]
        (n_names,) = self._unpack("<Q", "the number of names")
        if n_names not in (0, count):
            raise self._fail(f"{n_names} names for {count} arrays")
        names = []
        for k in range(n_names):
            (length,) = self._unpack("<Q", f"the length of name {k}")
            raw = self._take(length, f"name {k}")
            try:
                names.append(bytes(raw).decode("utf-8"))
            except UnicodeDecodeError:
                raise self._fail(f"name {k} is not UTF-8") from None
        # placed only now: nothing goes to a GPU for a file that is refused
        arrays = [_placed(record) if record is not None else NDArray(torch.empty(0))
                  for record in records]
        return dict(zip(names, arrays)) if names else arrays

    def read_array(self) -> Optional[NDArray]:
        """Read the next array record.

        Returns
        -------
        NDArray or None
            The array, or None for a 'none' record (an array saved without data).
        """
        record = self._record()
        return _placed(record) if record is not None else None

    # -- the format's fields; every shortfall is an MXNetError naming the source ----------------
    def _fail(self, what: str) -> MXNetError:
        return MXNetError(f"{self.source}: invalid NDArray file: {what}")

    def _need(self, n: int, what: str) -> None:
        """Refuse before reading (or allocating for) ``what`` unless ``n`` bytes are left."""
        if n < 0 or n > self.remaining:
            raise self._fail(f"truncated while reading {what} at byte {self._pos} (needs {n} bytes, "
                             f"{self.remaining} left)")

    def _take(self, n: int, what: str) -> memoryview:
        self._need(n, what)
        chunk = self._buf[self._pos:self._pos + n]
        self._pos += n
        return chunk

    def _unpack(self, fmt: str, what: str) -> tuple:
        return struct.unpack(fmt, self._take(struct.calcsize(fmt), what))

    def _checked(self, dims: tuple, what: str) -> tuple:
        if any(d < 0 for d in dims):
            raise self._fail(f"negative dimension in {what} {dims}")
        if _nonzero_count(dims) > _INT64_MAX:
            raise self._fail(f"{what} {dims} overflows: its element count does not fit in 64 bits")
        return dims

    def _shape(self, what: str, numpy_shape: bool = False) -> Optional[tuple]:
        """A shape as versions 1-3 store it: int32 ndim, then int64 dimensions; None for 'none'.

        With ``numpy_shape`` (version 3) a dimension of -1 is unknown and makes the array 'none', as
        MXNet's numpy-shape mode has it."""
        (ndim,) = self._unpack("<i", what)
        if ndim > _MAX_NDIM:
            raise self._fail(f"{what} has {ndim} dimensions; MXNet arrays have at most {_MAX_NDIM}")
        if ndim < -1:
            raise self._fail(f"{what} has ndim {ndim}; expected -1 (unknown) or 0 to {_MAX_NDIM}")
        if ndim == -1:
            return None
        dims = self._unpack(f"<{ndim}q", what)
        if numpy_shape and -1 in dims:
            return None
        return self._checked(dims, what)

    def _itemsize(self, flag: int, what: str) -> int:
        if flag not in _FLAG_TO_NUMPY:
            raise self._fail(f"{what} has type flag {flag}, which mxtorch does not support "
                             f"(supported: {sorted(_FLAG_TO_NUMPY)})")
        return np.dtype(_FLAG_TO_NUMPY[flag]).itemsize

    def _nbytes(self, flag: int, shape: tuple, what: str) -> int:
        """The bytes of an array's data, refused if its byte size (even with no elements, which numpy
        and torch still compute strides for) does not fit in 64 bits."""
        itemsize = self._itemsize(flag, what)
        if _nonzero_count(shape) * itemsize > _INT64_MAX:
            raise self._fail(f"the shape {shape} of {what} overflows: its size in bytes does not fit "
                             "in 64 bits")
        return math.prod(shape) * itemsize

    def _data(self, flag: int, shape: tuple, what: str) -> torch.Tensor:
        raw = self._take(self._nbytes(flag, shape, what), f"the data of {what}")
        dtype = np.dtype(_FLAG_TO_NUMPY[flag])
        values = np.frombuffer(raw, dtype=dtype, count=math.prod(shape)).reshape(shape)
        tensor = torch.from_numpy(values.astype(dtype.newbyteorder("="), copy=True))
        return tensor.view(torch.bfloat16) if flag == 12 else tensor

    def _context(self, what: str) -> Context:
        dev_type, dev_id = self._unpack("<ii", f"the context of {what}")
        if dev_type not in Context.devtype2str:
            raise self._fail(f"{what} has unknown device type {dev_type}")
        if not 0 <= dev_id <= _MAX_DEV_ID:
            raise self._fail(f"{what} was saved on device id {dev_id}; MXNet's device ids run from 0 to "
                             f"{_MAX_DEV_ID}")
        return Context(Context.devtype2str[dev_type], dev_id)

    def _reserve_dense(self, shape: tuple, flag: int, what: str) -> None:
        """Count the dense form of a sparse array against the limit, before it is allocated."""
        if self._dense_limit is None:
            self._dense_limit = _sparse_dense_limit(len(self._buf))
        nbytes = self._nbytes(flag, shape, what)
        total = self._dense_bytes + nbytes
        if total > self._dense_limit:
            raise self._fail(
                f"{what} is sparse and loads as a dense {_FLAG_NAMES[flag]} array of shape {shape}, "
                f"{nbytes} bytes; the dense forms of this file's sparse arrays would take {total} bytes, "
                f"past the limit of {self._dense_limit} bytes. If the file is trusted, set the "
                f"environment variable {SPARSE_LIMIT_ENV} to a larger number of bytes")
        self._dense_bytes = total

    # -- records ------------------------------------------------------------------------------------
    def _record(self) -> Record:
        """The next array record as (tensor, saved context), or None for a 'none' record."""
        what = f"array {self._records}"
        self._records += 1
        (magic,) = self._unpack("<I", f"the header of {what}")
        if magic in (_V2_MAGIC, _V3_MAGIC):
            (stype,) = self._unpack("<i", f"the storage type of {what}")
            if stype not in _NUM_AUX or (magic == _V3_MAGIC and stype != _DENSE):
                raise self._fail(f"{what} has unknown storage type {stype}")
            if stype != _DENSE:
                return self._sparse(stype, what)
            shape = self._shape(f"the shape of {what}", numpy_shape=magic == _V3_MAGIC)
            # version 2 (MXNet's legacy shapes) has no 0-d arrays: ndim 0 is a 'none' array
            if shape is None or (magic == _V2_MAGIC and not shape):
                return None
        elif magic == _V1_MAGIC:
            shape = self._shape(f"the shape of {what}")
            if not shape:
                return None
        elif magic <= _MAX_LEGACY_NDIM:
            shape = self._checked(self._unpack(f"<{magic}I", f"the shape of {what}"), f"the shape of {what}")
            if not shape:
                return None
        else:
            raise self._fail(f"{what} starts with 0x{magic:08X}, which is no NDArray record magic")
        ctx = self._context(what)
        (flag,) = self._unpack("<i", f"the type flag of {what}")
        return self._data(flag, shape, what), ctx

    def _sparse(self, stype: int, what: str) -> Record:
        storage = self._shape(f"the storage shape of {what}")
        shape = self._shape(f"the shape of {what}")
        if not shape:
            return None
        ctx = self._context(what)
        (flag,) = self._unpack("<i", f"the type flag of {what}")
        self._itemsize(flag, what)
        aux = []
        for _ in range(_NUM_AUX[stype]):
            (aux_flag,) = self._unpack("<i", f"the index type of {what}")
            if aux_flag not in _INDEX_FLAGS:
                raise self._fail(f"the index type of {what} is type flag {aux_flag}; indices are integers "
                                 f"(type flags {', '.join(map(str, _INDEX_FLAGS))})")
            aux.append((aux_flag, self._shape(f"the index shape of {what}")))
        self._check_sparse_shapes(stype, shape, storage, aux, what)
        # every byte the record declares must be there before the dense form is counted or allocated
        self._need(self._nbytes(flag, storage, what) + sum(self._nbytes(f, s, what) for f, s in aux),
                   f"the data of {what}")
        self._reserve_dense(shape, flag, what)
        values = self._data(flag, storage, what)
        indices = [self._data(f, s, f"the indices of {what}").long() for f, s in aux]
        if stype == _ROW_SPARSE:
            return self._row_sparse_dense(shape, values, indices[0], what), ctx
        return self._csr_dense(shape, values, indices[0], indices[1], what), ctx

    def _check_sparse_shapes(self, stype: int, shape: tuple, storage: Optional[tuple], aux: list,
                             what: str) -> None:
        """The shapes of a sparse record must agree with each other as MXNet's ``check_format`` requires."""
        if storage is None:
            raise self._fail(f"{what} is sparse but its storage shape is unknown")
        if stype == _ROW_SPARSE:
            expected = (storage[0] if storage else 0, *shape[1:])
            if storage != expected:
                raise self._fail(f"the storage shape {storage} of row_sparse {what} does not fit its shape "
                                 f"{shape}: expected {expected}")
            nnz = storage[0]
            if aux[0][1] != (nnz,):
                raise self._fail(f"the row index shape {aux[0][1]} of {what} does not fit its storage shape "
                                 f"{storage}: expected ({nnz},)")
            if nnz > shape[0]:
                raise self._fail(f"row_sparse {what} has {nnz} stored rows but only {shape[0]} rows")
            return
        if len(shape) != 2:
            raise self._fail(f"csr {what} has shape {shape}; a csr array has 2 dimensions")
        if len(storage) != 1:
            raise self._fail(f"csr {what} has storage shape {storage}; expected one dimension (the number "
                             "of stored values)")
        (_, indptr_shape), (_, index_shape) = aux
        if indptr_shape != (shape[0] + 1,):
            raise self._fail(f"the indptr shape {indptr_shape} of csr {what} does not fit its {shape[0]} "
                             f"rows: expected ({shape[0] + 1},)")
        if index_shape != storage:
            raise self._fail(f"the column indices of csr {what} have shape {index_shape}, but its storage "
                             f"shape {storage} says {storage[0]} stored values")

    def _row_sparse_dense(self, shape: tuple, values: torch.Tensor, rows: torch.Tensor,
                          what: str) -> torch.Tensor:
        bad = (rows < 0) | (rows >= shape[0])
        if bad.any():
            row = int(rows[bad][0])
            raise self._fail(f"row index {row} of row_sparse {what} is out of range for its {shape[0]} rows")
        if (rows[1:] <= rows[:-1]).any():
            raise self._fail(f"the row indices of row_sparse {what} are not strictly increasing")
        dense = torch.zeros(shape, dtype=values.dtype)
        dense[rows] = values
        return dense

    def _csr_dense(self, shape: tuple, values: torch.Tensor, indptr: torch.Tensor, cols: torch.Tensor,
                   what: str) -> torch.Tensor:
        nnz = cols.numel()
        if int(indptr[0]) != 0:
            raise self._fail(f"the indptr of csr {what} must start at 0, not {int(indptr[0])}")
        steps = indptr[1:] - indptr[:-1]
        if (steps < 0).any():
            raise self._fail(f"the indptr of csr {what} must be non-decreasing")
        if int(indptr[-1]) != nnz:
            raise self._fail(f"the indptr of csr {what} must end at {nnz}, its number of stored values, not "
                             f"{int(indptr[-1])}")
        bad = (cols < 0) | (cols >= shape[1])
        if bad.any():
            raise self._fail(f"column index {int(cols[bad][0])} of csr {what} is out of range for its "
                             f"{shape[1]} columns")
        # the indptr is now known to be sane, so the row of each stored value takes nnz entries
        rows = torch.repeat_interleave(torch.arange(shape[0]), steps)
        if ((rows[1:] == rows[:-1]) & (cols[1:] <= cols[:-1])).any():
            raise self._fail(f"the column indices within a row of csr {what} are not strictly increasing")
        dense = torch.zeros(shape, dtype=values.dtype)
        dense[rows, cols] = values
        return dense


def _placed(record: tuple) -> NDArray:
    """An array on the GPU it was saved from when this machine has that GPU (as MXNet loads), else
    on the CPU."""
    tensor, ctx = record
    if ctx.device_type == "gpu" and ctx.device_id < num_gpus():
        return NDArray(tensor.to(ctx.torch_device), ctx)
    return NDArray(tensor)
