"""Names for symbols and Gluon blocks created without one (``mx.name``)."""
from __future__ import annotations

import threading
from typing import Optional

__all__ = ["NameManager", "Prefix", "current"]


class NameManager:
    """Gives unnamed symbols and blocks names made from a hint and a counter.

    When no name is given, a name is generated from a hint by appending a counter
    (``fullyconnected0``, ``dense1``...). Counters are per manager, and the current manager is
    per thread. Use it with ``with`` to start fresh counters::

        with mx.name.NameManager():
            net = gluon.nn.Dense(10)   # named dense0 whatever was created before
    """

    _current = threading.local()

    def __init__(self) -> None:
        self._counter: dict = {}
        self._old_manager: Optional[NameManager] = None

    def get(self, name: Optional[str], hint: str) -> str:
        """The name to use: ``name`` when one is given, otherwise ``hint`` and a counter.

        Parameters
        ----------
        name : str or None
            A name the user chose; returned unchanged when not empty.
        hint : str
            Stem of a generated name, usually the lower-cased operator or block kind.

        Returns
        -------
        str
            ``name``, or ``hint`` followed by how many names this manager made from it before.
        """
        if name:
            return name
        count = self._counter.get(hint, 0)
        self._counter[hint] = count + 1
        return f"{hint}{count}"

    def __enter__(self) -> "NameManager":
        self._old_manager = current()
        NameManager._current.value = self
        return self

    def __exit__(self, *exc: object) -> None:
        NameManager._current.value = self._old_manager


class Prefix(NameManager):
    """A :class:`NameManager` that puts ``prefix`` in front of every name, given or generated.

    Parameters
    ----------
    prefix : str
        Text put in front of each name.

    Examples
    --------
    >>> data = mx.symbol.Variable('data')
    >>> with mx.name.Prefix('mynet_'):
    ...     net = mx.symbol.FullyConnected(data, num_hidden=10, name='fc1')
    >>> net.list_arguments()
    ['data', 'mynet_fc1_weight', 'mynet_fc1_bias']
    """

    def __init__(self, prefix: str):
        super().__init__()
        self._prefix = prefix

    def get(self, name: Optional[str], hint: str) -> str:
        """The canonical name (given or generated from ``hint``) with the prefix in front."""
        return self._prefix + super().get(name, hint)


def current() -> NameManager:
    """The name manager in effect on this thread (a default one is created per thread)."""
    manager = getattr(NameManager._current, "value", None)
    if manager is None:
        manager = NameManager._current.value = NameManager()
    return manager
