"""Atomic file writes, the leftovers of interrupted ones, and file digests.

Every file mxtorch writes in one piece (``nd.save``, ``sym.save``, a finished download, the apps'
models, cards and checkpoints) goes through here, so that a reader, or a run that was killed,
finds the old file or the new one and never half of one. The new file is written to a temporary
file beside it, flushed to disk, and renamed over it; the folder is then synced so that the rename
itself survives a power cut. The new file gets the permissions the user's umask gives any new file
(``tempfile.mkstemp`` would leave ``0o600``, unreadable by the user's group and others).

A process killed in the middle of a write leaves its temporary file behind, named
``.NAME.PID.RANDOM.tmp`` beside ``NAME``. Writing a file atomically into such a temporary (as the
apps do when ``nd.save`` writes into :func:`atomic_output`'s file) nests the names:
``..NAME.PID.RANDOM.tmp.PID.RANDOM.tmp``. :func:`stale_temporaries` finds those whose process is
gone.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import pathlib
import re
from typing import Iterator, Union

__all__ = ["atomic_output", "write_atomically", "commit", "stale_temporaries", "hexdigest"]

PathType = Union[str, "os.PathLike[str]"]

# One level of temporary naming: ".PID.RANDOM.tmp" after the name, one "." before it.
_TEMPORARY_SUFFIX = re.compile(r"\.(\d+)\.[0-9a-f]{8}\.tmp$")


@contextlib.contextmanager
def atomic_output(path: PathType) -> Iterator[str]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one rename.

    The temporary file already exists (empty) when yielded; the caller writes to it, or replaces
    it with another file. It is created with mode ``0o666`` filtered by the umask, as
    ``open(path, "w")`` would create ``path``. When the block ends, the file's data is synced to
    disk, the file is renamed to ``path`` and the folder is synced. On an exception (a
    ``KeyboardInterrupt`` included) the temporary file is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write.
    """
    tmp = _create_beside(pathlib.Path(path))
    try:
        yield str(tmp)
        commit(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_atomically(path: PathType, payload: bytes) -> None:
    """Write ``payload`` to ``path`` through :func:`atomic_output`.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write.
    payload : bytes
        Its whole content.
    """
    with atomic_output(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(payload)


def commit(tmp: PathType, path: PathType) -> None:
    """Sync the finished file ``tmp`` to disk, rename it to ``path`` and sync the folder.

    The last step of every atomic write; for a writer that creates its own temporary file (a
    download streams into one) and removes it itself if this fails.

    Parameters
    ----------
    tmp : str or os.PathLike
        The complete new file, in the same folder as ``path`` (a rename across file systems is not
        atomic).
    path : str or os.PathLike
        The file it replaces.
    """
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _sync_folder(pathlib.Path(os.path.abspath(path)).parent)


def stale_temporaries(folder: PathType) -> Iterator[tuple[pathlib.Path, str]]:
    """The temporary files of interrupted atomic writes in ``folder``, whose writers are gone.

    Yields ``(temporary, name)``: the leftover file and the name of the file it was meant to
    replace, for the caller to decide which of those names are its own. A temporary is stale when
    no process with any of the ids in its name is running (this process counts as running: its
    own writes in progress are never reported).

    Parameters
    ----------
    folder : str or os.PathLike
        The folder to look in (not its subfolders). A missing folder has no temporaries.
    """
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        name, pids = entry.name, []
        while (match := _TEMPORARY_SUFFIX.search(name)) and name.startswith("."):
            pids.append(int(match.group(1)))
            name = name[1:match.start()]
        if pids and name and not name.startswith(".") and entry.is_file() and not entry.is_symlink() \
                and not any(_running(pid) for pid in pids):
            yield entry, name


def hexdigest(path: PathType, algorithm: str = "sha256") -> str:
    """The hex digest of a file's bytes (read in 1 MiB chunks) with a ``hashlib`` algorithm.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    algorithm : str, default "sha256"
        A name ``hashlib.new`` accepts, e.g. ``"sha1"`` for MXNet's published checksums.
    """
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _running(pid: int) -> bool:
    """Whether a process with this id exists (True when that cannot be told)."""
    if pid == os.getpid() or os.name != "posix":  # on Windows, os.kill would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: it exists, owned by someone else
        return True
    return True


def _sync_folder(folder: pathlib.Path) -> None:
    """fsync a folder, making the renames in it durable (where the platform can open folders)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open a folder; its renames are journaled by NTFS
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse fsync on a folder
        pass
    finally:
        os.close(fd)


def _create_beside(path: pathlib.Path) -> pathlib.Path:
    """Create a new, empty, uniquely named hidden file in ``path``'s folder."""
    if not path.name:
        raise IsADirectoryError(f"cannot write {os.fspath(path)!r}: it names no file")
    while True:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
        try:
            # 0o666 filtered by the umask: the mode open(path, "w") gives a new file
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:  # another writer drew the same name: draw again
            continue
