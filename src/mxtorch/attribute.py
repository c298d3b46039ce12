"""Attributes that every symbol created inside a ``with`` block receives (``mx.AttrScope``)."""
from __future__ import annotations

import threading
from typing import Optional

__all__ = ["AttrScope", "current"]


class AttrScope:
    """A set of string attributes attached to every symbol created while the scope is active.

    Scopes nest: entering one inside another combines both sets, the inner one winning on
    equal keys. Attributes given to a symbol explicitly win over the scope's. Subclasses may
    override :meth:`get` to decide differently.

    Parameters
    ----------
    **kwargs : str
        The attributes, each value a string (``ctx_group='dev1'``, ``lr_mult='0.1'``, ...).

    Raises
    ------
    ValueError
        When a value is not a string.

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
        """The scope's attributes combined with those given to one symbol.

        Parameters
        ----------
        attr : dict of str to str, or None
            Attributes given explicitly when the symbol is created; they take precedence.

        Returns
        -------
        dict of str to str
            A new dict holding both.
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
