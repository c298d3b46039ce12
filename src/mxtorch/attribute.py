"""Attribute scoping support for symbolic API."""
from __future__ import annotations

import threading
from typing import Optional

__all__ = ["AttrScope", "current"]


class AttrScope:
    """Attribute manager for scoping.

    User can also inherit this object to change naming behavior.

    Parameters
    ----------
    kwargs
        The attributes to set for all symbol creations in the scope.

    Examples
    --------
    >>> with mx.AttrScope(ctx_group='dev1'):
    ...     fc = mx.sym.FullyConnected(data, num_hidden=10)   # attr ctx_group='dev1'
    """

    _current = threading.local()

    def __init__(self, **kwargs: str):
        self._old_scope: Optional[AttrScope] = None
        for key, value in kwargs.items():
            if not isinstance(value, str):
                raise ValueError(f"Attributes need to be string, got {key}={value!r}")
        self._attr = kwargs

    def get(self, attr: Optional[dict]) -> dict:
        """Get the attribute dict given the attribute set by the symbol.

        Parameters
        ----------
        attr : dict of string to string
            The attribute passed in by user during symbol creation.

        Returns
        -------
        attr : dict of string to string
            Updated attributes to add other scope related attributes.
        """
        if self._attr:
            ret = self._attr.copy()
            if attr:
                ret.update(attr)
            return ret
        return dict(attr) if attr else {}

    def __enter__(self) -> "AttrScope":
        self._old_scope = current()
        attr = self._old_scope._attr.copy()
        attr.update(self._attr)
        self._attr = attr
        AttrScope._current.value = self
        return self

    def __exit__(self, *exc: object) -> None:
        AttrScope._current.value = self._old_scope


def current() -> AttrScope:
    """The attribute scope in effect on this thread (an empty one by default)."""
    scope = getattr(AttrScope._current, "value", None)
    if scope is None:
        scope = AttrScope._current.value = AttrScope()
    return scope
