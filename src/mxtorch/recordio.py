"""Sequential and indexed access to RecordIO files (MXNet's ``mx.recordio``).

The bytes on disk are exactly MXNet's (dmlc-core's) RecordIO layout, so files move between
MXNet and mxtorch in both directions:

* every record part starts with the 32-bit little-endian magic ``0xced7230a``, followed by a
  32-bit word whose upper 3 bits are a continuation flag and whose lower 29 bits are the length
  of the part's payload; the payload follows, zero-padded to a multiple of 4 bytes;
* the writer never lets the magic appear at a 4-aligned offset inside a payload: where it would,
  it ends the part there (flag 1 for the first part, 2 for a middle one), drops those 4 bytes and
  continues in a new part; the last part of a split record has flag 3, a whole record flag 0.
  The reader puts the magic back between the parts.

An image record (see :func:`pack`) starts with a 24-byte header ``IfQQ`` (flag, label, id, id2);
a positive flag says that many float32 labels follow the header.

Reading treats the file as data: each part's length is checked against the bytes left in the
file before anything is allocated, and a malformed file raises :class:`~mxtorch.base.MXNetError`
naming the file and the byte offset.
"""
from __future__ import annotations

import array
import io
import numbers
import os
import struct
from collections import namedtuple
from multiprocessing import current_process
from typing import Any, Optional, Tuple

import numpy as np

from .base import MXNetError

__all__ = ["MXRecordIO", "MXIndexedRecordIO", "IRHeader", "pack", "unpack", "pack_img", "unpack_img"]

_MAGIC = 0xCED7230A
_MAGIC_BYTES = struct.pack("<I", _MAGIC)
_LEN_BITS = 29
_LEN_MASK = (1 << _LEN_BITS) - 1
_PART_HEAD = struct.Struct("<II")
_IDX_LINE_LIMIT = 1 << 16   # an index line is a key and an offset: refuse megabyte "lines"


def _encode_lrec(cflag: int, length: int) -> int:
    return (cflag << _LEN_BITS) | length


class MXRecordIO:
    """Read or write a RecordIO file one record after another.

    Parameters
    ----------
    uri : str
        Path to the record file.
    flag : str
        ``'w'`` to write (the file is truncated) or ``'r'`` to read.

    Examples
    --------
    >>> record = mx.recordio.MXRecordIO('tmp.rec', 'w')
    >>> for i in range(3):
    ...     record.write(b'record_%d' % i)
    >>> record.close()
    >>> record = mx.recordio.MXRecordIO('tmp.rec', 'r')
    >>> record.read()
    b'record_0'
    """

    def __init__(self, uri: str, flag: str):
        self.uri = os.fspath(uri)
        if isinstance(self.uri, bytes):
            self.uri = self.uri.decode("utf-8")
        self.flag = flag
        self.pid: Optional[int] = None
        self.is_open = False
        self.writable = False
        self._file: Optional[io.BufferedIOBase] = None
        self._size = 0
        self.open()

    # -- opening and closing -------------------------------------------------------------------
    def open(self) -> None:
        """Open the record file (``'w'`` truncates it, ``'r'`` starts at the first record)."""
        if self.flag == "w":
            mode, self.writable = "wb", True
        elif self.flag == "r":
            mode, self.writable = "rb", False
        else:
            raise ValueError("Invalid flag %s" % self.flag)
        try:
            self._file = open(self.uri, mode)  # noqa: SIM115  (held open until close())
        except OSError as err:
            raise MXNetError(f"RecordIO: cannot open {self.uri!r} for "
                             f"{'writing' if self.writable else 'reading'}: {err.strerror}") from None
        self._size = 0 if self.writable else os.fstat(self._file.fileno()).st_size
        self.pid = current_process().pid
        self.is_open = True

    def close(self) -> None:
        """Close the record file; closing twice does nothing."""
        if not getattr(self, "is_open", False):
            return
        if self._file is not None:
            self._file.close()
            self._file = None
        self.is_open = False
        self.pid = None

    def reset(self) -> None:
        """Go back to the first record (reopen). A file opened with ``'w'`` is truncated to empty."""
        self.close()
        self.open()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001  (interpreter shutdown: nothing left to report to)
            pass

    def __enter__(self) -> "MXRecordIO":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __getstate__(self) -> dict:
        """Pickle the path and mode, not the open file; the copy reopens it when unpickled."""
        is_open = self.is_open
        self.close()
        state = dict(self.__dict__)
        state["is_open"] = is_open
        state["_file"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__ = state
        was_open = state["is_open"]
        self.is_open = False
        self._file = None
        if was_open:
            self.open()

    def _check_pid(self, allow_reset: bool = False) -> None:
        """A file handle must not be shared with a forked process: reopen there when allowed."""
        if self.pid != current_process().pid:
            if not allow_reset:
                raise RuntimeError("Forbidden operation in multiple processes")
            self.reset()

    def _require_open(self) -> io.BufferedIOBase:
        if not self.is_open or self._file is None:
            raise MXNetError(f"RecordIO: {self.uri!r} is closed")
        return self._file

    # -- writing -------------------------------------------------------------------------------
    def write(self, buf: bytes) -> None:
        """Append ``buf`` (bytes) as one record.

        Parameters
        ----------
        buf : bytes
            The record's payload, less than 2**29 bytes.
        """
        assert self.writable
        self._check_pid(allow_reset=False)
        f = self._require_open()
        data = bytes(buf)
        size = len(data)
        if size >= 1 << _LEN_BITS:
            raise MXNetError(f"RecordIO: a record must be shorter than 2**29 bytes, got {size} bytes "
                             f"for {self.uri!r}")
        start = 0
        search = 0
        # a magic at a 4-aligned offset inside the payload ends a part: the reader restores it
        while True:
            hit = data.find(_MAGIC_BYTES, search, size - size % 4)
            if hit < 0:
                break
            if hit % 4:
                search = hit + 1
                continue
            f.write(_PART_HEAD.pack(_MAGIC, _encode_lrec(1 if start == 0 else 2, hit - start)))
            f.write(data[start:hit])
            start = search = hit + 4
        f.write(_PART_HEAD.pack(_MAGIC, _encode_lrec(3 if start else 0, size - start)))
        f.write(data[start:])
        pad = -size % 4
        if pad:
            f.write(b"\0" * pad)

    def tell(self) -> int:
        """Byte offset at which the next record will be written."""
        assert self.writable
        return self._require_open().tell()

    # -- reading -------------------------------------------------------------------------------
    def read(self) -> Optional[bytes]:
        """Return the next record as bytes, or ``None`` past the last record."""
        assert not self.writable
        self._check_pid(allow_reset=False)
        return self._read_record()

    def _read_record(self, peek: Optional[int] = None) -> Optional[bytes]:
        """The next record; with ``peek``, only the first ``peek`` bytes of its first part are
        read and the rest is skipped (walking a file's records without reading their payloads)."""
        f = self._require_open()
        start = f.tell()
        parts = []
        while True:
            offset = f.tell()
            head = f.read(8)
            if not head and not parts:
                return None
            if len(head) < 8:
                raise MXNetError(f"RecordIO: {self.uri!r} is truncated at byte {offset}: a record part "
                                 f"header needs 8 bytes, {len(head)} are left (record starting at byte "
                                 f"{start})")
            magic, lrec = _PART_HEAD.unpack(head)
            if magic != _MAGIC:
                raise MXNetError(f"RecordIO: {self.uri!r} is not a valid RecordIO file: expected the magic "
                                 f"0x{_MAGIC:08x} at byte {offset}, found 0x{magic:08x}")
            cflag, length = lrec >> _LEN_BITS, lrec & _LEN_MASK
            if cflag > 3:
                raise MXNetError(f"RecordIO: {self.uri!r} has an invalid continuation flag {cflag} "
                                 f"at byte {offset} (expected 0 to 3)")
            if (cflag in (0, 1)) != (not parts):
                raise MXNetError(f"RecordIO: {self.uri!r} has a record part with continuation flag "
                                 f"{cflag} at byte {offset} where "
                                 f"{'a record starts' if not parts else 'a split record continues'}")
            padded = length + (-length % 4)
            left = self._size - offset - 8
            if padded > left:
                raise MXNetError(f"RecordIO: {self.uri!r} is truncated or corrupt at byte {offset}: a "
                                 f"record part declares {length} bytes, only {max(left, 0)} are left "
                                 "in the file")
            if peek is not None:
                if not parts:
                    parts.append(f.read(min(peek, length)))
                f.seek(offset + 8 + padded)
                if cflag in (0, 3):
                    break
                continue
            payload = f.read(padded)
            if len(payload) != padded:
                raise MXNetError(f"RecordIO: {self.uri!r} ended early at byte {offset + 8 + len(payload)} "
                                 f"while reading a record part of {length} bytes")
            parts.append(payload[:length] if padded != length else payload)
            if cflag in (0, 3):
                break
            parts.append(_MAGIC_BYTES)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def _record_starts(self, peek: int = 0) -> Tuple[array.array, list]:
        """Walk the whole file from its start: the byte offset of every record (an int64 array)
        and, when ``peek`` is positive, the first ``peek`` bytes of each (payloads are skipped,
        not read; the checks are :meth:`read`'s). The position is left at the end of the file."""
        self._seek(0)
        starts, heads = array.array("q"), []
        f = self._require_open()
        while True:
            pos = f.tell()
            head = self._read_record(peek=peek)
            if head is None:
                return starts, heads
            starts.append(pos)
            if peek:
                heads.append(head)

    def _seek(self, pos: int) -> None:
        f = self._require_open()
        if not 0 <= pos <= self._size:
            raise MXNetError(f"RecordIO: cannot seek {self.uri!r} to byte {pos}: the file has "
                             f"{self._size} bytes")
        f.seek(pos)


class MXIndexedRecordIO(MXRecordIO):
    """Read or write a RecordIO file with an index file for random access.

    The index file is text, one ``key<TAB>offset`` line per record, as MXNet and ``im2rec`` write it.

    Parameters
    ----------
    idx_path : str
        Path of the text index: read when the file is opened with ``'r'``, written as records are added.
    uri : str
        Path to the record file (a seekable file).
    flag : str
        ``'w'`` to write or ``'r'`` to read.
    key_type : type
        Type of the keys (the first column of the index), ``int`` by default.

    Examples
    --------
    >>> record = mx.recordio.MXIndexedRecordIO('tmp.idx', 'tmp.rec', 'w')
    >>> for i in range(5):
    ...     record.write_idx(i, b'record_%d' % i)
    >>> record.close()
    >>> record = mx.recordio.MXIndexedRecordIO('tmp.idx', 'tmp.rec', 'r')
    >>> record.read_idx(3)
    b'record_3'
    """

    def __init__(self, idx_path: str, uri: str, flag: str, key_type: type = int):
        self.idx_path = idx_path
        self.idx: dict = {}
        self.keys: list = []
        self.key_type = key_type
        self.fidx: Optional[Any] = None
        super().__init__(uri, flag)

    def open(self) -> None:
        """Open the record file and its index; with ``'r'``, read the index into ``idx`` and ``keys``."""
        super().open()
        self.idx = {}
        self.keys = []
        try:
            self.fidx = open(self.idx_path, self.flag)  # noqa: SIM115  (held open until close())
        except OSError as err:
            super().close()
            raise MXNetError(f"RecordIO: cannot open the index file {self.idx_path!r}: "
                             f"{err.strerror}") from None
        if not self.writable:
            self._load_index()

    def _load_index(self) -> None:
        assert self.fidx is not None
        for lineno, line in enumerate(iter(lambda: self.fidx.readline(_IDX_LINE_LIMIT), ""), 1):
            if len(line) == _IDX_LINE_LIMIT and not line.endswith("\n"):
                raise MXNetError(f"RecordIO: line {lineno} of the index file {self.idx_path!r} is longer "
                                 f"than {_IDX_LINE_LIMIT} characters; expected 'key<TAB>offset' lines")
            fields = line.strip().split("\t")
            if fields == [""]:
                continue
            try:
                if len(fields) < 2:
                    raise ValueError("expected 'key<TAB>offset'")
                key = self.key_type(fields[0])
                pos = int(fields[1])
            except ValueError as err:
                raise MXNetError(f"RecordIO: line {lineno} of the index file {self.idx_path!r} is not "
                                 f"'key<TAB>offset': {line.strip()[:80]!r} ({err})") from None
            if not 0 <= pos < max(self._size, 1):
                raise MXNetError(f"RecordIO: line {lineno} of the index file {self.idx_path!r} points at "
                                 f"byte {pos}, outside {self.uri!r} ({self._size} bytes)")
            self.idx[key] = pos
            self.keys.append(key)

    def close(self) -> None:
        """Close the record file and the index file."""
        if not getattr(self, "is_open", False):
            return
        super().close()
        if self.fidx is not None:
            self.fidx.close()

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state["fidx"] = None
        return state

    def seek(self, idx: Any) -> None:
        """Move the read position to the record with key ``idx``; reopens the files first when
        called in a process forked after opening (as in DataLoader workers)."""
        assert not self.writable
        self._check_pid(allow_reset=True)
        try:
            pos = self.idx[idx]
        except KeyError:
            raise KeyError(idx) from None
        self._seek(pos)

    def tell(self) -> int:
        """Byte offset at which the next record will be written."""
        assert self.writable
        return self._require_open().tell()

    def read_idx(self, idx: Any) -> Optional[bytes]:
        """Return the record with key ``idx``."""
        self.seek(idx)
        return self.read()

    def write_idx(self, idx: Any, buf: bytes) -> None:
        """Append ``buf`` as a record under key ``idx`` and add it to the index."""
        key = self.key_type(idx)
        pos = self.tell()
        self.write(buf)
        assert self.fidx is not None
        self.fidx.write("%s\t%d\n" % (str(key), pos))
        self.idx[key] = pos
        self.keys.append(key)


IRHeader = namedtuple("HEADER", ["flag", "label", "id", "id2"])
IRHeader.__doc__ = """Header of an image record (see :func:`pack`).

Parameters
----------
flag : int
    Free for the user when ``label`` is a number; :func:`pack` sets it to the number of labels
    when ``label`` is an array.
label : float or array of float
    The record's label or labels.
id : int
    The record's id, usually unique.
id2 : int
    High-order bits of the id, normally 0.
"""

_IR_FORMAT = "IfQQ"
_IR_STRUCT = struct.Struct(_IR_FORMAT)
_IR_SIZE = _IR_STRUCT.size


def pack(header: Any, s: bytes) -> bytes:
    """Put an :class:`IRHeader` in front of a byte string (an image record).

    A numeric ``header.label`` is stored in the header with ``flag`` 0; an array label is stored
    as float32 values right after the header, with ``flag`` set to their count.

    Parameters
    ----------
    header : IRHeader
        The record's header.
    s : bytes
        The payload, usually an encoded image.

    Returns
    -------
    bytes
        The packed record.

    Examples
    --------
    >>> header = mx.recordio.IRHeader(0, [1.0, 2.0], 7, 0)
    >>> rec = mx.recordio.pack(header, b'payload')
    """
    header = IRHeader(*header)
    if isinstance(header.label, numbers.Number):
        header = header._replace(flag=0)
    else:
        # a vector label travels in front of the payload; flag counts its float32 entries
        labels = np.asarray(header.label, dtype=np.float32)
        s = labels.tobytes() + bytes(s)
        header = IRHeader(labels.size, 0, header.id, header.id2)
    return _IR_STRUCT.pack(*header) + bytes(s)


def unpack(s: bytes) -> Tuple[Any, bytes]:
    """Split an image record into its :class:`IRHeader` and payload.

    Parameters
    ----------
    s : bytes
        A record, as :meth:`MXRecordIO.read` returns it.

    Returns
    -------
    header : IRHeader
        The header; ``label`` is a float32 array when the record has ``flag`` labels.
    s : bytes
        The payload.

    Examples
    --------
    >>> header, payload = mx.recordio.unpack(record.read())
    """
    if len(s) < _IR_SIZE:
        raise MXNetError(f"unpack: an image record needs a {_IR_SIZE}-byte header, got {len(s)} bytes")
    header = IRHeader(*_IR_STRUCT.unpack_from(s, 0))
    s = s[_IR_SIZE:]
    if header.flag > 0:
        if header.flag * 4 > len(s):
            raise MXNetError(f"unpack: the record header declares {header.flag} float32 labels "
                             f"({header.flag * 4} bytes), only {len(s)} bytes follow the header")
        count = header.flag
        header = header._replace(label=np.frombuffer(s, dtype=np.float32, count=count))
        s = s[count * 4:]
    return header, s


def unpack_img(s: bytes, iscolor: int = -1) -> Tuple[Any, np.ndarray]:
    """Split an image record into its :class:`IRHeader` and the decoded image.

    The image comes as OpenCV's ``imdecode`` gives it in MXNet: a NumPy uint8 array in BGR
    channel order, ``(height, width, 3)`` for colour and ``(height, width)`` for grey.

    Parameters
    ----------
    s : bytes
        A record, as :meth:`MXRecordIO.read` returns it.
    iscolor : int
        OpenCV's decode flag: -1 keeps the image as stored (grey stays grey, an alpha channel is
        kept as BGRA), 0 converts to grey, 1 to three-channel colour.

    Returns
    -------
    header : IRHeader
        The header.
    img : numpy.ndarray
        The decoded image.

    Examples
    --------
    >>> header, img = mx.recordio.unpack_img(record.read())
    """
    header, payload = unpack(s)
    return header, _imdecode_cv(payload, iscolor)


def _imdecode_cv(buf: bytes, iscolor: int) -> np.ndarray:
    """Decode as ``cv2.imdecode(buf, iscolor)`` does, on Pillow (see :mod:`mxtorch.image`)."""
    from .image import image
    if iscolor >= 0:
        arr = image.imdecode(bytes(buf), 0 if iscolor == 0 else 1, to_rgb=0).asnumpy()
        return arr[:, :, 0] if iscolor == 0 else arr
    from PIL import Image

    try:
        with Image.open(io.BytesIO(bytes(buf))) as img:
            image._check_pixel_budget(img, "the record's image")
            img.load()
            mode = img.mode
            if mode in ("L", "I;16", "I;16B", "I;16L"):
                return np.array(img)
            if mode == "1":
                return np.array(img.convert("L"))
            has_alpha = mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in img.info)
            rgb = np.array(img.convert("RGBA" if has_alpha else "RGB"))
    except MXNetError:
        raise
    except Exception as err:  # noqa: BLE001  (Pillow's decoders fail with many exception types)
        raise MXNetError("unpack_img: cannot decode the record's image "
                         f"({type(err).__name__}: {err})") from None
    order = [2, 1, 0, 3] if rgb.shape[2] == 4 else [2, 1, 0]
    return np.ascontiguousarray(rgb[:, :, order])


def pack_img(header: Any, img: np.ndarray, quality: int = 95, img_fmt: str = ".jpg") -> bytes:
    """Encode an image and pack it with a header into an image record.

    Parameters
    ----------
    header : IRHeader
        The record's header (see :func:`pack`).
    img : numpy.ndarray
        The image in OpenCV's convention: uint8, ``(height, width)`` grey, ``(height, width, 3)``
        BGR or ``(height, width, 4)`` BGRA.
    quality : int
        JPEG quality (1 to 100) for ``.jpg``; the zlib compression level (0 to 9) for ``.png``.
    img_fmt : str
        The encoding, by file extension: ``'.jpg'``, ``'.jpeg'``, ``'.png'``, ...

    Returns
    -------
    bytes
        The packed record.

    Examples
    --------
    >>> rec = mx.recordio.pack_img(mx.recordio.IRHeader(0, 3.0, 1, 0), img, quality=90)
    """
    return pack(header, _imencode_cv(img, quality, img_fmt))


def _imencode_cv(img: Any, quality: int, img_fmt: str) -> bytes:
    """Encode a BGR/grey uint8 array as ``cv2.imencode`` does, with Pillow."""
    from PIL import Image

    if hasattr(img, "asnumpy"):
        img = img.asnumpy()
    arr = np.asarray(img)
    if arr.dtype != np.uint8:
        raise MXNetError(f"pack_img: the image must be uint8, got {arr.dtype}")
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim == 2:
        pil = Image.fromarray(np.ascontiguousarray(arr), "L")
    elif arr.ndim == 3 and arr.shape[2] in (3, 4):
        order = [2, 1, 0] if arr.shape[2] == 3 else [2, 1, 0, 3]
        pil = Image.fromarray(np.ascontiguousarray(arr[:, :, order]), "RGB" if arr.shape[2] == 3 else "RGBA")
    else:
        raise MXNetError(f"pack_img: expected a (height, width), (height, width, 3) or (height, width, 4) "
                         f"image, got shape {arr.shape}")
    fmt = img_fmt.upper().lstrip(".")
    out = io.BytesIO()
    if fmt in ("JPG", "JPEG"):
        if pil.mode == "RGBA":
            pil = pil.convert("RGB")
        pil.save(out, format="JPEG", quality=int(min(max(quality, 0), 100)), subsampling="4:2:0")
    elif fmt == "PNG":
        pil.save(out, format="PNG", compress_level=int(min(max(quality, 0), 9)))
    else:
        Image.init()
        pil_fmt = Image.EXTENSION.get("." + fmt.lower())
        if pil_fmt is None:
            raise MXNetError(f"pack_img: unknown image format {img_fmt!r} (expected '.jpg', '.png', ...)")
        pil.save(out, format=pil_fmt)
    return out.getvalue()
