"""MXNet's image list (``.lst``) files, read within bounds.

A line is ``index<TAB>label[<TAB>label...]<TAB>relative/path``: an integer index, one or more
numeric labels and the image's path relative to a root folder. ``im2rec`` writes these files,
``ImageIter``, ``ImageListDataset`` and ``im2rec`` itself read them, all through :func:`read_lst`.
Blank lines are skipped; any other line that does not parse is an :class:`~mxtorch.base.MXNetError`
naming the file and line, and no line is read past :data:`MAX_LST_LINE` characters.
"""
from __future__ import annotations

from typing import Callable, Iterator, List, Optional, TextIO, Tuple

from ..base import MXNetError

__all__ = ["MAX_LST_LINE", "read_lst"]

# The longest line read: room for tens of thousands of labels (a detection list packs five per
# object), while a file without newlines cannot make the reader hold more than this.
MAX_LST_LINE = 1 << 20

LstEntry = Tuple[int, List[float], str]


def read_lst(path: str,
             on_error: Optional[Callable[[str, MXNetError], None]] = None) -> Iterator[LstEntry]:
    """Yield ``(index, labels, relative path)`` for each line of the ``.lst`` file ``path``.

    Parameters
    ----------
    path : str
        The list file.
    on_error : callable, optional
        Without it a malformed line raises. With it, ``on_error(line, error)`` is called with the
        line's text (stripped, cut to 200 characters) and the error, and reading goes on
        with the next line (``im2rec`` reports and skips such lines, as MXNet's does).

    Raises
    ------
    MXNetError
        A line with fewer than three tab-separated fields, an index that is not an integer, a
        label that is not a number, or a line longer than :data:`MAX_LST_LINE` characters.
    """
    with open(path) as fin:
        lineno = 0
        while True:
            line = fin.readline(MAX_LST_LINE + 1)
            if not line:
                return
            lineno += 1
            too_long = len(line) > MAX_LST_LINE and not line.endswith("\n")
            if too_long:
                _skip_rest_of_line(fin)
            elif not line.strip():
                continue
            try:
                if too_long:
                    raise MXNetError(f"{path}:{lineno}: the line is longer than {MAX_LST_LINE} "
                                     "characters; expected 'index<TAB>label(s)<TAB>path'")
                entry = _parse_line(path, lineno, line)
            except MXNetError as err:
                if on_error is None:
                    raise
                on_error(_shown(line), err)
                continue
            yield entry


def _parse_line(path: str, lineno: int, line: str) -> LstEntry:
    fields = line.strip().split("\t")
    if len(fields) < 3:
        raise MXNetError(f"{path}:{lineno}: expected 'index<TAB>label(s)<TAB>path', "
                         f"got {_shown(line)!r}")
    try:
        index = int(fields[0])
        labels = [float(v) for v in fields[1:-1]]
    except ValueError:
        raise MXNetError(f"{path}:{lineno}: the index must be an integer and the labels numbers, "
                         f"got {_shown(line)!r}") from None
    return index, labels, fields[-1]


def _shown(line: str) -> str:
    """The line as messages quote it: stripped, and cut to 200 characters."""
    line = line.strip()
    return line if len(line) <= 200 else line[:200] + "..."


def _skip_rest_of_line(fin: TextIO) -> None:
    """Read past the end of an over-long line, a bounded piece at a time."""
    while True:
        piece = fin.readline(MAX_LST_LINE)
        if not piece or piece.endswith("\n"):
            return
