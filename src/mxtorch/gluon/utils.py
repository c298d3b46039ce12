"""Parallelization utility optimizer."""
from __future__ import annotations

import collections
import contextlib
import ipaddress
import math
import os
import signal
import ssl
import threading
import time
import urllib.parse
import urllib.request
import uuid
import warnings
import weakref
from typing import Any, Iterator, Optional, Sequence

import numpy as np
import torch

from .. import ndarray
from .._fileio.atomic import commit, hexdigest
from ..base import MXNetError
from ..context import Context
from ..ndarray import NDArray

__all__ = ["split_data", "split_and_load", "clip_global_norm", "check_sha1", "download",
           "replace_file"]


def split_data(data: NDArray, num_slice: int, batch_axis: int = 0,
               even_split: bool = True) -> list:
    """Cut a batch into ``num_slice`` pieces along ``batch_axis``, one per device for data parallelism.

    Parameters
    ----------
    data : NDArray
        The batch.
    num_slice : int
        How many pieces to make.
    batch_axis : int, default 0
        The axis to cut along.
    even_split : bool, default True
        Require every piece to be the same size: ValueError when ``num_slice`` does not divide
        ``data.shape[batch_axis]``. With False the first pieces take one extra element each.

    Returns
    -------
    list of NDArray
        The pieces (a list even for one piece).
    """
    size = data.shape[batch_axis]
    if even_split and size % num_slice != 0:
        raise ValueError(
            f"data with shape {data.shape} cannot be evenly split into {num_slice} slices along "
            f"axis {batch_axis}. Use a batch size that's multiple of {num_slice} or set "
            "even_split=False to allow uneven partitioning of data.")
    n_each_section, extras = divmod(size, num_slice)
    section_sizes = [0] + (extras * [n_each_section + 1] + (num_slice - extras) * [n_each_section])
    div_points = np.array(section_sizes).cumsum()
    if batch_axis == 0:  # basic slicing along the first axis gives views, as MXNet's does
        return [data[int(div_points[i]):int(div_points[i + 1])] for i in range(num_slice)]
    return [NDArray(data._t.narrow(batch_axis, int(div_points[i]),
                                   int(div_points[i + 1] - div_points[i])).contiguous())
            for i in range(num_slice)]


def split_and_load(data: Any, ctx_list: Sequence[Context], batch_axis: int = 0,
                   even_split: bool = True) -> list:
    """Cut a batch with ``split_data`` into one piece per context and copy each piece to its context.

    Parameters
    ----------
    data : NDArray
        The batch (a numpy array is converted first).
    ctx_list : list of Context
        The devices, one piece each.
    batch_axis : int, default 0
        The axis to cut along.
    even_split : bool, default True
        Require the pieces to be the same size.

    Returns
    -------
    list of NDArray
        Piece ``i`` on ``ctx_list[i]``.
    """
    if not isinstance(data, NDArray):
        data = ndarray.array(data, ctx=ctx_list[0])
    if len(ctx_list) == 1:
        return [data.as_in_context(ctx_list[0])]
    pieces = split_data(data, len(ctx_list), batch_axis, even_split)
    return [piece.as_in_context(ctx) for piece, ctx in zip(pieces, ctx_list)]


def clip_global_norm(arrays: Sequence[NDArray], max_norm: float,
                     check_isfinite: bool = True) -> Any:
    """Scale arrays in place so that their joint L2 norm is at most ``max_norm``.

    The joint norm is ``sqrt(sum of squares over all arrays)``; every array is multiplied by
    ``min(1, max_norm / (norm + 1e-8))``, which leaves arrays within the limit unchanged.

    Parameters
    ----------
    arrays : list of NDArray
        The arrays (typically gradients), changed in place.
    max_norm : float
        The largest joint norm allowed.
    check_isfinite : bool, default True
        Warn when the norm is NaN or infinite; this reads the norm back to the host (a sync).

    Returns
    -------
    NDArray or float
        The joint norm before scaling: a float when ``check_isfinite`` is True, else an NDArray
        of shape (1,).
    """
    if len(arrays) == 0:
        raise ValueError("clip_global_norm needs at least one array")
    device = arrays[0]._t.device
    with torch.no_grad():
        squares = [torch.sum(a._t.float() ** 2).to(device) for a in arrays]
        total_norm = torch.sqrt(torch.stack(squares).sum()).reshape(1)
        if check_isfinite and not bool(torch.isfinite(total_norm)):
            warnings.warn(UserWarning("nan or inf is detected. Clipping results will be undefined."),
                          stacklevel=2)
        scale = torch.clamp(max_norm / (total_norm + 1e-8), max=1.0)
        for arr in arrays:
            arr._t.mul_(scale.to(arr._t.device, arr._t.dtype))
    if check_isfinite:
        return float(total_norm)
    return NDArray(total_norm)


def _indent(s_: str, numSpaces: int) -> str:
    """``s_`` with every line after the first indented by ``numSpaces`` spaces."""
    s = s_.split("\n")
    if len(s) == 1:
        return s_
    first = s.pop(0)
    return "\n".join([first] + [(numSpaces * " ") + line for line in s])


def check_sha1(filename: str, sha1_hash: str) -> bool:
    """Whether the SHA-1 digest of a file's bytes equals ``sha1_hash``.

    Parameters
    ----------
    filename : str
        The file to hash.
    sha1_hash : str
        The expected digest as hex digits.

    Returns
    -------
    bool
        True on a match.
    """
    return hexdigest(filename, "sha1") == sha1_hash


def replace_file(src: str, dst: str) -> None:
    """Move ``src`` to ``dst`` in one atomic rename, after syncing ``src`` to disk.

    The folder is synced after the rename, so the new ``dst`` survives a power cut. On failure
    ``src`` is removed and an ``OSError`` asks to retry the download.

    Parameters
    ----------
    src : source file path (in the same folder as ``dst``)
    dst : destination file path
    """
    try:
        commit(src, dst)
    except OSError:
        try:
            os.remove(src)
        except OSError:
            pass
        raise OSError(f"Moving downloaded temp file - {src}, to {dst} failed. Please retry the "
                      "download.") from None


_DEFAULT_MAX_BYTES = 1 << 30
_DEFAULT_TOTAL_TIMEOUT = 3600.0
_CHUNK = 1 << 16
_warned_plain_http: set = set()


class _Refused(MXNetError):
    """A download refused for crossing a size or time limit: trying again would not help."""


class _Terminated(BaseException):
    """SIGTERM arrived during a download; raised so that partial files are removed on the way out."""


def _limit(value: Optional[float], name: str, var: str, default: float,
           kind: type) -> tuple:
    """A positive limit and where it came from: the argument, the environment, or the default."""
    noun = "integer number of bytes" if kind is int else "number of seconds"
    if value is not None:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and \
            math.isfinite(value) and value > 0 and (kind is float or value == int(value))
        if not ok:
            raise MXNetError(f"download: {name}={value!r} is not a valid limit; expected a "
                             f"positive {noun}")
        return kind(value), name
    raw = os.environ.get(var, "").strip()
    if not raw:
        return kind(default), f"the default; set {var} to change it"
    try:
        parsed = kind(raw)
    except ValueError:
        parsed = None
    if parsed is None or not math.isfinite(parsed) or parsed <= 0:
        raise MXNetError(f"{var}={raw!r} is not a valid limit; expected a positive {noun}")
    return parsed, var


def _max_download_bytes(max_bytes: Optional[int] = None) -> tuple:
    """The download size cap in bytes and where it came from (``max_bytes``, the environment
    variable ``MXTORCH_DOWNLOAD_MAX_BYTES``, or the 1 GiB default)."""
    return _limit(max_bytes, "max_bytes", "MXTORCH_DOWNLOAD_MAX_BYTES", _DEFAULT_MAX_BYTES, int)


def _warn_plain_http(url: str, what: str = "download URL") -> None:
    """Warn, once per host, that ``url`` is fetched over unencrypted http.

    Loopback hosts (``localhost``, 127.0.0.0/8, ::1) are exempt: their traffic never leaves
    the machine, which is what a local mirror or a test server is.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() != "http":
        return
    host = (parts.hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    if host in _warned_plain_http:
        return
    _warned_plain_http.add(host)
    warnings.warn(f"{what} {url} uses plain http: anyone on the network path can read or replace "
                  "what is downloaded, and only a SHA-1 check (where there is one) would notice. "
                  "Use an https:// address.", stacklevel=3)


@contextlib.contextmanager
def _sigterm_removes_partial_files() -> Iterator[None]:
    """Turn SIGTERM into an exception for the duration of the block, so that ``finally`` clauses
    remove partial files; then end the process as SIGTERM would have.

    Installed only in the main thread and only where SIGTERM has its default action: a program's
    own handler (or an ignored SIGTERM) is left alone, and so is an enclosing block's.
    """
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def terminate(signum: int, frame: Any) -> None:
        raise _Terminated()

    signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    except _Terminated:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.raise_signal(signal.SIGTERM)
        raise
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _time_left(url: str, deadline: float, total: tuple) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Refused(f"downloading {url} did not finish within the total time limit of "
                       f"{total[0]:g} s ({total[1]}); the partial file was removed")
    return left


def _fetch(url: str, target: str, verify_ssl: bool, timeout: float = 60.0,
           cap: tuple = (_DEFAULT_MAX_BYTES, "the default"),
           deadline: float = math.inf, total: tuple = (math.inf, "none")) -> None:
    """Stream ``url`` into ``target``: at most ``cap[0]`` bytes, each read waiting at most
    ``timeout`` seconds and all of them ending by ``deadline`` (``time.monotonic()``)."""
    context = None
    if url.startswith("https") and not verify_ssl:
        context = ssl._create_unverified_context()
    left = _time_left(url, deadline, total)
    with urllib.request.urlopen(url, timeout=min(timeout, left), context=context) as r:
        if getattr(r, "status", 200) != 200:
            raise RuntimeError(f"Failed downloading url {url}")
        if r.geturl() != url:  # redirected
            _warn_plain_http(r.geturl())
        declared = r.headers.get("Content-Length")
        length = None
        if declared is not None:
            if not declared.strip().isdigit():
                raise _Refused(f"{url} declares a Content-Length of {declared!r}; expected a "
                               "byte count")
            length = int(declared)
            if length > cap[0]:
                raise _Refused(f"{url} declares {length} bytes, more than the limit of {cap[0]} "
                               f"bytes ({cap[1]}); refused before reading")
        # the socket, to bound each read by what is left of the total time as well
        sock = getattr(getattr(getattr(r, "fp", None), "raw", None), "_sock", None)
        received = 0
        with open(target, "wb") as f:
            while length is None or received < length:
                left = _time_left(url, deadline, total)
                if sock is not None and not r.isclosed():
                    try:
                        sock.settimeout(min(timeout, left))
                    except OSError:  # the connection is already closed: the read ends the body
                        pass
                try:
                    chunk = r.read1(min(_CHUNK, cap[0] - received + 1))
                except TimeoutError:
                    _time_left(url, deadline, total)
                    raise
                if not chunk:
                    break
                received += len(chunk)
                if received > cap[0]:
                    raise _Refused(f"{url} sent more than the limit of {cap[0]} bytes ({cap[1]}); "
                                   "the transfer was cut off and the partial file removed")
                f.write(chunk)
    if length is not None and received != length:
        raise MXNetError(f"{url} ended after {received} of the {length} bytes it declared")


def download(url: str, path: Optional[str] = None, overwrite: bool = False,
             sha1_hash: Optional[str] = None, retries: int = 5, verify_ssl: bool = True, *,
             max_bytes: Optional[int] = None, timeout: float = 60.0,
             total_timeout: Optional[float] = None, label: Optional[str] = None) -> str:
    """Fetch ``url`` into a local file and return its path.

    The file is written to a temporary name beside its destination and moved into place only
    when complete; the temporary file is removed on every failure, on ``KeyboardInterrupt`` and,
    when the download runs in the main thread of a program that leaves SIGTERM at its default
    action, on SIGTERM (the process then still ends as SIGTERM ends it).

    A refusal for size or time raises ``MXNetError`` at once, without further attempts. A plain
    ``http://`` URL to a host other than this machine draws a warning (once per host).

    Parameters
    ----------
    url : str
        Where to fetch from.
    path : str, optional
        The destination file, or a directory to put it in; by default the last part of the URL
        in the current directory.
    overwrite : bool, optional
        Fetch again even when the destination exists.
    sha1_hash : str, optional
        Expected SHA-1 digest (hex). An existing file that does not match it is fetched again,
        and a fetched file that does not match it fails the attempt.
    retries : integer, default 5
        How many more attempts to make after a failed one (network error, non-200 status).
    verify_ssl : bool, default True
        Check the server's TLS certificate.
    max_bytes : int, optional (keyword only)
        The most bytes accepted. A server that declares a larger Content-Length is refused before
        the body is read; a body that grows past the limit is cut off and refused. Defaults to
        ``$MXTORCH_DOWNLOAD_MAX_BYTES``, else 1 GiB (the model zoo's largest file, VGG-19 with batch
        normalization, is about 0.55 GiB).
    timeout : float, default 60 (keyword only)
        Seconds to wait for the connection and for each read.
    total_timeout : float, optional (keyword only)
        Seconds for the whole download, all attempts together, however steadily the server
        trickles. Defaults to ``$MXTORCH_DOWNLOAD_TOTAL_TIMEOUT``, else 3600.
    label : str, optional (keyword only)
        The name the "Downloading ..." line shows instead of the destination path (the model
        store names the file a user asked for, not the temporary it downloads into).

    Returns
    -------
    str
        The path of the downloaded (or already present) file.
    """
    if path is None:
        fname = url.split("/")[-1]
        if not fname:
            raise ValueError("Can't construct file-name from this URL. Please set the `path` "
                             "option manually.")
    else:
        path = os.path.expanduser(path)
        fname = os.path.join(path, url.split("/")[-1]) if os.path.isdir(path) else path
    if retries < 0:
        raise ValueError(f"Number of retries should be at least 0, currently it's {retries}")
    cap = _max_download_bytes(max_bytes)
    total = _limit(total_timeout, "total_timeout", "MXTORCH_DOWNLOAD_TOTAL_TIMEOUT",
                   _DEFAULT_TOTAL_TIMEOUT, float)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or \
            not math.isfinite(timeout) or timeout <= 0:
        raise MXNetError(f"download: timeout={timeout!r} is not valid; expected a positive "
                         "number of seconds")
    if not verify_ssl:
        warnings.warn("Unverified HTTPS request is being made (verify_ssl=False). "
                      "Adding certificate verification is strongly advised.")
    _warn_plain_http(url)
    def usable() -> bool:  # a file already at ``fname`` that passes the hash check, if any
        return os.path.exists(fname) and (not sha1_hash or check_sha1(fname, sha1_hash))

    if not overwrite and usable():
        return fname
    os.makedirs(os.path.split(os.path.abspath(os.path.expanduser(fname)))[0], exist_ok=True)
    deadline = time.monotonic() + total[0]
    with _sigterm_removes_partial_files():
        while retries + 1 > 0:
            # streamed into its own temporary and committed by replace_file (not atomic_output):
            # a download is kept only after its checks, and the model store's purge knows this name
            tmp = f"{fname}.{uuid.uuid4()}"
            try:
                print(f"Downloading {label or fname} from {url}...")
                _fetch(url, tmp, verify_ssl, timeout, cap, deadline, total)
                # another process may have finished the same file meanwhile: keep theirs if valid
                if not usable():
                    replace_file(tmp, fname)
                else:
                    os.remove(tmp)
                    warnings.warn(f"File {fname} exists in file system so the downloaded file is "
                                  "deleted")
                if sha1_hash and not check_sha1(fname, sha1_hash):
                    raise UserWarning(f"File {fname} is downloaded but the content hash does not "
                                      "match. The repo may be outdated or download may be "
                                      "incomplete. If the \"repo_url\" is overridden, consider "
                                      "switching to the default repo.")
                break
            except Exception as e:
                retries -= 1
                if isinstance(e, _Refused):
                    raise
                _time_left(url, deadline, total)
                if retries <= 0:
                    raise e
                print(f"download failed due to {e!r}, retrying, {retries} attempt"
                      f"{'s' if retries > 1 else ''} left")
            finally:
                if os.path.exists(tmp):
                    os.remove(tmp)
    return fname


def _get_repo_url() -> str:
    """Return the base URL for Gluon dataset and model repository (``$MXNET_GLUON_REPO``);
    warns once when it is a plain-http address of another machine."""
    default_repo = "https://apache-mxnet.s3-accelerate.dualstack.amazonaws.com/"
    repo_url = os.environ.get("MXNET_GLUON_REPO", default_repo)
    _warn_plain_http(repo_url, "MXNET_GLUON_REPO")
    return repo_url if repo_url.endswith("/") else repo_url + "/"


def _get_repo_file_url(namespace: str, filename: str) -> str:
    """The address of ``filename`` under ``namespace`` in the Gluon file repository."""
    return f"{_get_repo_url()}{namespace}/{filename}"


def _brief_print_list(lst: Any, limit: int = 7) -> str:
    """``lst`` quoted and comma-separated, its middle elided when it holds more than ``limit``."""
    lst = list(lst)
    if len(lst) > limit:
        return _brief_print_list(lst[:limit // 2], limit) + ", ..., " + \
            _brief_print_list(lst[-limit // 2:], limit)
    return ", ".join([f"'{i}'" for i in lst])


class HookHandle:
    """What registering a hook returns: ``detach()``, or leaving its ``with`` scope, removes it."""

    def __init__(self) -> None:
        self._hooks_dict_ref = None
        self._id: Optional[int] = None

    def attach(self, hooks_dict: dict, hook: Any) -> None:
        if self._hooks_dict_ref is not None:
            raise RuntimeError("The same handle cannot be attached twice.")
        self._id = id(hook)
        hooks_dict[self._id] = hook
        self._hooks_dict_ref = weakref.ref(hooks_dict)

    def detach(self) -> None:
        hooks_dict = self._hooks_dict_ref()
        if hooks_dict is not None:
            hooks_dict.pop(self._id, None)

    def __getstate__(self) -> tuple:
        return (self._hooks_dict_ref(), self._id)

    def __setstate__(self, state: tuple) -> None:
        # an unpickled handle whose dictionary is gone gets a dead reference, as in MXNet
        hooks = collections.OrderedDict() if state[0] is None else state[0]
        self._hooks_dict_ref = weakref.ref(hooks)
        self._id = state[1]

    def __enter__(self) -> "HookHandle":
        return self

    def __exit__(self, *exc: object) -> None:
        self.detach()


def shape_is_known(shape: Optional[Sequence[int]]) -> bool:
    """True when ``shape`` has dimensions and none is 0 (MXNet's "unknown"); negatives raise."""
    if shape is None or len(shape) == 0:  # MXNet's legacy shapes have no 0-d (scalar) case
        return False
    for dim_size in shape:
        if dim_size == 0:
            return False
        if dim_size < 0:
            raise ValueError(f"shape dimension size cannot be less than 0, while received {dim_size}")
    return True
