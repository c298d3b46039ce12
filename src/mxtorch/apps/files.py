"""File helpers the applications share: atomic writes and checksums.

Every file an app writes (a trained model, its card, a training checkpoint) goes through
:func:`atomic_output`, so a reader or an interrupted run sees the old file or the new one, never
half of one, and the new file gets the permissions the user's umask gives any new file.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import pathlib
from typing import Iterator

__all__ = ["atomic_output", "sha256_of"]


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
    finally:
        if tmp.exists():
            tmp.unlink()


def _create_beside(path: pathlib.Path) -> pathlib.Path:
    """Create a new, empty, uniquely named hidden file in ``path``'s folder."""
    while True:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:  # another writer drew the same name: draw again
            continue
