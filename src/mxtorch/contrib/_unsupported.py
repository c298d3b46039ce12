"""Stand-ins for MXNet functions mxtorch does not provide yet: importable, refusing when called."""
from __future__ import annotations

from typing import Any, Callable, NoReturn

from ..base import MXNetError


def refusing(qualname: str, instead: str) -> Callable[..., NoReturn]:
    """A function that raises :class:`MXNetError` naming ``qualname`` as not yet supported.

    Programs that merely import the module (or look the name up) keep working; the error comes
    on first use, with what to do instead.

    Parameters
    ----------
    qualname : str
        The MXNet name of the function, e.g. ``"mxnet.contrib.amp.init"``.
    instead : str
        What a user can do in mxtorch in its place.
    """
    name = qualname.rsplit(".", 1)[-1]

    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        raise MXNetError(f"{qualname} is not supported in mxtorch yet; {instead}")

    refuse.__name__ = refuse.__qualname__ = name
    refuse.__doc__ = f"Not supported in mxtorch yet: raises MXNetError. Instead, {instead}"
    return refuse
