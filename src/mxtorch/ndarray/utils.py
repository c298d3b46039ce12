"""``nd.save`` / ``nd.load``: MXNet's binary NDArray file format (``.params``).

The format itself, both ways, is in ``mxtorch._fileio.ndarray_file`` (described there), shared with
the optimizer's ``.states`` files; its reader is public here as :class:`NDArrayFileReader`.
"""
from __future__ import annotations

import os
from typing import Any, Union

from .ndarray import NDArray  # before the format module, which needs it while this package loads
from .._fileio.atomic import write_atomically
from .._fileio.ndarray_file import NDArrayFileReader, encode_arrays
from ..base import MXNetError

__all__ = ["save", "load", "load_frombuffer", "NDArrayFileReader"]

PathType = Union[str, "os.PathLike[str]"]


def save(fname: PathType, data: Any) -> None:
    """Write arrays (one, a list, or a dict by name) to ``fname``.

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
    >>> w, b = mx.nd.ones((4, 2)), mx.nd.zeros((4,))
    >>> mx.nd.save('fc.params', {'weight': w, 'bias': b})
    >>> sorted(mx.nd.load('fc.params'))
    ['bias', 'weight']
    >>> mx.nd.save('pair.nd', [w, b])
    >>> [a.shape for a in mx.nd.load('pair.nd')]
    [(4, 2), (4,)]
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
    write_atomically(os.fspath(fname), encode_arrays(arrays, names))


def load(fname: PathType) -> Any:
    """Read the arrays of a file ``save`` (or MXNet) wrote.

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
    return NDArrayFileReader(buf, repr(path)).read_file()


def load_frombuffer(buf: Any) -> Any:
    """Read arrays from bytes holding a ``save`` file, as ``load`` reads a file.

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
    return NDArrayFileReader(buf, "buffer").read_file()
