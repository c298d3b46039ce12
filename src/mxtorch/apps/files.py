"""File helpers the applications share: atomic writes, their leftovers, and checksums.

Every file an app writes (a trained model, its card, a training checkpoint) goes through
:func:`atomic_output`, so a reader or an interrupted run sees the old file or the new one, never
half of one, and the new file gets the permissions the user's umask gives any new file.

A process killed in the middle of an atomic write leaves its temporary file behind:
``.NAME.PID.RANDOM.tmp`` beside ``NAME`` (``mx.nd.save`` names its own temporaries the same way,
so saving parameters into a temporary file makes ``..NAME.PID.RANDOM.tmp.PID.RANDOM.tmp``).
:func:`stale_temporaries` finds those whose process is gone, for the app to remove.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import pathlib
import re
from typing import Iterator

__all__ = ["atomic_output", "sha256_of", "stale_temporaries"]

# One level of temporary naming: ".PID.RANDOM.tmp" after the name, one "." before it.
_TEMPORARY_SUFFIX = re.compile(r"\.(\d+)\.[0-9a-f]{8}\.tmp$")


def sha256_of(path: str | os.PathLike) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[str]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one rename.

    The temporary file already exists (empty) when yielded; the caller writes to it or replaces it.
    It is created with mode ``0o666`` filtered by the umask, as ``open(path, "w")`` would create
    ``path`` (``tempfile.mkstemp`` would leave ``0o600``, unreadable by the user's group and others).
    On an exception the temporary file is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write.
    """
    tmp = _create_beside(pathlib.Path(path))
    try:
        yield str(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _sync_folder(tmp.parent)  # the rename itself survives a power cut before the next step
    finally:
        if tmp.exists():
            tmp.unlink()


def stale_temporaries(folder: str | os.PathLike) -> Iterator[tuple[pathlib.Path, str]]:
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
    while True:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:  # another writer drew the same name: draw again
            continue
