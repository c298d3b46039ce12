"""The single-process key-value stores: ``local`` and ``device``.

They sum the values pushed for a key over the devices of this process and, when an optimizer is
set, update the stored weight with that sum. The distributed stores (``dist.py``) add the sum over
the worker processes to the same steps.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

import torch

from .._fileio.atomic import write_atomically
from ..base import MXNetError, string_types
from ..context import cpu
from ..ndarray.ndarray import NDArray
from ..registry import register_by_class_name

__all__ = ["KVStoreBase", "KVStore"]


def _key_value_pairs(keys: Any, vals: Any, what: str) -> list:
    """Pair each key with its list of arrays (one per device), merging repeated keys.

    Accepts what MXNet's stores accept: one key with an NDArray or a list of them, or a list of
    keys with one such value each. Raises ``MXNetError`` when the counts disagree or int and str
    keys are mixed, ``TypeError`` for other types.
    """
    if isinstance(keys, (tuple, list)):
        if isinstance(vals, NDArray) or len(keys) != len(vals):
            count = 1 if isinstance(vals, NDArray) else len(vals)
            raise MXNetError(f"{what}: {len(keys)} keys but {count} values")
        pairs = [pair for k, v in zip(keys, vals) for pair in _key_value_pairs(k, v, what)]
        if len({isinstance(k, str) for k, _ in pairs}) > 1:
            raise MXNetError(f"{what}: inconsistent types of keys detected (int and str)")
        return _merge_same_keys(pairs)
    if not isinstance(keys, (int,) + string_types):
        raise TypeError(f"{what}: unexpected type for keys: {type(keys)}")
    arrays = [vals] if isinstance(vals, NDArray) else list(vals)
    for value in arrays:
        if not isinstance(value, NDArray):
            raise TypeError(f"{what}: values must be NDArrays, got {type(value).__name__}")
    return [(keys, arrays)]


def _merge_same_keys(pairs: list) -> list:
    """Join the array lists of pairs that name the same key, in first-seen key order."""
    merged: dict = {}
    for key, arrays in pairs:
        merged.setdefault(key, []).extend(arrays)
    return list(merged.items())


class KVStoreBase:
    """The interface of a key-value store, as Trainer, Module and FeedForward use it.

    A store keeps one value per key; workers ``push`` gradients (summed over devices and
    processes) and ``pull`` the result, or do both with ``pushpull``. New stores subclass this,
    implement the methods and make themselves known to :func:`mxtorch.kvstore.create` with
    :meth:`register`.
    """

    OPTIMIZER = "optimizer"
    kv_registry: dict = {}

    def broadcast(self, key: Any, value: Any, out: Any, priority: int = 0) -> None:
        """Send rank 0's ``value`` for ``key`` to every worker, written into ``out``.

        Parameters
        ----------
        key : str or int
            The key.
        value : NDArray
            The value to broadcast (rank 0's is the one kept).
        out : NDArray or list of NDArray
            Arrays that receive it (one per device).
        priority : int, default 0
            Scheduling hint; work with higher priority may run first.
        """
        raise NotImplementedError()

    def pushpull(self, key: Any, value: Any, out: Any = None, priority: int = 0) -> None:
        """Push ``value`` for ``key`` and pull the reduced result, in one call.

        Parameters
        ----------
        key : str or int
            The key.
        value : NDArray or list of NDArray
            The values pushed (one per device).
        out : NDArray or list of NDArray, default None
            Where the result goes; ``None`` writes it back into ``value``.
        priority : int, default 0
            Scheduling hint; work with higher priority may run first.
        """
        raise NotImplementedError()

    def set_optimizer(self, optimizer: Any) -> None:
        """Have the store apply ``optimizer`` to its values with the gradients pushed to it.

        Parameters
        ----------
        optimizer : Optimizer
            The optimizer the store runs on push.
        """
        raise NotImplementedError()

    def is_capable(self, capability: str) -> bool:
        """Whether the store supports a feature, named by a capability such as ``KVStoreBase.OPTIMIZER``.

        Parameters
        ----------
        capability : str
            The feature asked about.

        Returns
        -------
        bool
            True when supported.
        """
        raise NotImplementedError()

    def save_optimizer_states(self, fname: str, dump_optimizer: bool = False) -> None:
        """Write the state of the store's optimizer (momenta and the like) to ``fname``, for a
        checkpoint to resume from.

        Parameters
        ----------
        fname : str
            Path of the ``.states`` file.
        dump_optimizer : bool, default False
            Save the optimizer's settings too (learning rate, schedules), not only its state.
        """
        raise NotImplementedError()

    def load_optimizer_states(self, fname: str) -> None:
        """Restore the store's optimizer state from a file written by :meth:`save_optimizer_states`.

        Parameters
        ----------
        fname : str
            Path of the ``.states`` file.
        """
        raise NotImplementedError()

    @property
    def type(self) -> str:
        """The store's type name, e.g. ``'local'`` or ``'dist_sync'``."""
        raise NotImplementedError()

    @property
    def rank(self) -> int:
        """This worker's number among the store's workers, from 0 to ``num_workers - 1``."""
        raise NotImplementedError()

    @property
    def num_workers(self) -> int:
        """How many worker processes share the store."""
        raise NotImplementedError()

    @staticmethod
    def register(klass: type) -> type:
        """Make a store class available to :func:`mxtorch.kvstore.create` under its lower-cased name.

        Usable as a decorator; registering a second class of the same name replaces the first,
        with a warning.

        Parameters
        ----------
        klass : type
            The store class.

        Returns
        -------
        type
            ``klass`` itself.

        Examples
        --------
        >>> @mx.kvstore.KVStoreBase.register
        ... class EchoStore(mx.kvstore.KVStoreBase):
        ...     pass
        >>> type(mx.kv.create('echostore')).__name__
        'EchoStore'
        """
        return register_by_class_name(KVStoreBase.kv_registry, klass, "kvstore",
                                      "a KVStoreBase class")


class KVStore(KVStoreBase):
    """The store of a single process, summing the values of a key over this process's devices.

    Values pushed for a key are summed; with an optimizer set (``set_optimizer``), the sum is
    the gradient that updates the stored weight, otherwise it replaces the stored value.
    ``local`` keeps the stored values in CPU memory, ``device`` on the device of the value
    the key was initialized with.

    Parameters
    ----------
    kv_type : str, default 'local'
        ``'local'`` or ``'device'``.
    """

    def __init__(self, kv_type: str = "local"):
        self._type = kv_type
        self._store: dict = {}
        self._key_is_str: Optional[bool] = None
        self._updater: Optional[Callable] = None

    # -- properties -----------------------------------------------------------------------------
    @property
    def type(self) -> str:
        """The type this store was created with (``'local'`` or ``'device'``)."""
        return self._type

    @property
    def rank(self) -> int:
        """Always 0: one process."""
        return 0

    @property
    def num_workers(self) -> int:
        """Always 1: one process."""
        return 1

    def is_capable(self, capability: str) -> bool:
        """True for ``KVStoreBase.OPTIMIZER`` (this store can run an optimizer); any other capability
        raises ``ValueError``, as MXNet's local store does.
        """
        if capability.lower() == KVStoreBase.OPTIMIZER:
            return True
        raise ValueError("Unknown capability: {}".format(capability))

    # -- data -----------------------------------------------------------------------------------
    def _check_key_type(self, key: Any) -> None:
        is_str = isinstance(key, str)
        if self._key_is_str is None:
            self._key_is_str = is_str
        elif self._key_is_str != is_str:
            raise MXNetError("Mixed key types are not allowed: this store's keys are "
                             f"{'str' if self._key_is_str else 'int'}, got {key!r}")

    def _stored(self, key: Any) -> NDArray:
        self._check_key_type(key)
        stored = self._store.get(key)
        if stored is None:
            raise MXNetError(f"key {key} has not been inited")
        return stored

    def init(self, key: Any, value: Any) -> None:
        """Enter keys with their first values; a key must be initialized once before it is pushed or pulled.

        Parameters
        ----------
        key : str, int, or sequence of str or int
            The key or keys (all of one type, str or int, for the life of the store).
        value : NDArray or sequence of NDArray
            The value of each key; from a list of per-device arrays, the first is stored.

        Raises
        ------
        MXNetError
            If a key is initialized twice.

        Examples
        --------
        >>> kv = mx.kv.create('local')
        >>> kv.init('w', mx.nd.full((2, 3), 2))
        >>> out = mx.nd.zeros((2, 3))
        >>> kv.pull('w', out=out)
        >>> out.asnumpy()
        array([[2., 2., 2.],
               [2., 2., 2.]], dtype=float32)
        """
        for k, arrays in _key_value_pairs(key, value, "init"):
            self._check_key_type(k)
            if k in self._store:
                raise MXNetError(f"duplicate init of key {k}. Please double check if you called "
                                 "kv.init or kv.broadcast with this key multiple times")
            source = arrays[0]._t.detach()
            self._store[k] = NDArray(source.to(self._store_device(source), copy=True))

    def _store_device(self, source: torch.Tensor) -> torch.device:
        """Where the stored copy of a key lives: the CPU for ``local``, the value's device for
        ``device``."""
        return source.device if "device" in self._type else cpu().torch_device

    def push(self, key: Any, value: Any, priority: int = 0) -> None:
        """Push values for one or more keys; the values of one key (one per device) are summed.

        With an optimizer set (``set_optimizer``) the sum updates the stored value as a gradient;
        otherwise it replaces it.

        Parameters
        ----------
        key : str, int, or sequence of str or int
            The key or keys.
        value : NDArray, list of NDArray, or list of list of NDArray
            Per key, one array or one per device.
        priority : int, default 0
            Accepted for MXNet compatibility; operations run in call order.

        Examples
        --------
        >>> kv = mx.kv.create('local')
        >>> kv.init('w', mx.nd.zeros((2, 3)))
        >>> kv.push('w', [mx.nd.ones((2, 3)), mx.nd.ones((2, 3)) * 3])
        >>> out = mx.nd.zeros((2, 3))
        >>> kv.pull('w', out=out)
        >>> out.asnumpy()
        array([[4., 4., 4.],
               [4., 4., 4.]], dtype=float32)
        """
        for k, arrays in _key_value_pairs(key, value, "push"):
            stored = self._stored(k)
            merged = self._merge(k, arrays, stored)
            if self._updater is not None:
                self._updater(k, NDArray(merged), stored)
            else:
                with torch.no_grad():
                    stored._t.copy_(merged)

    def _merge(self, key: Any, arrays: list, stored: NDArray) -> torch.Tensor:
        """The sum of the values pushed for ``key``: over this process's devices here."""
        return self._reduce(key, arrays, stored)

    @staticmethod
    def _reduce(key: Any, arrays: list, stored: NDArray) -> torch.Tensor:
        target = stored._t
        for a in arrays:
            if a.shape != stored.shape:
                raise MXNetError(f"push: the value for key {key} has shape {a.shape}, but the "
                                 f"stored value has shape {stored.shape}")
        with torch.no_grad():
            merged = arrays[0]._t.detach().to(target.device, target.dtype, copy=True)
            for a in arrays[1:]:
                merged.add_(a._t.detach().to(target.device, target.dtype))
        return merged

    def pull(self, key: Any, out: Any = None, priority: int = 0, ignore_sparse: bool = True) -> None:
        """Copy the stored value of each key into the given arrays.

        Parameters
        ----------
        key : str, int, or sequence of str or int
            The key or keys.
        out : NDArray, list of NDArray, or list of list of NDArray
            Per key, the array or arrays (one per device) to write; required.
        priority : int, default 0
            Accepted for MXNet compatibility; operations run in call order.
        ignore_sparse : bool, default True
            Accepted for MXNet compatibility (all arrays are dense).
        """
        if out is None:
            raise MXNetError("pull: out must be given (the arrays to write the values to)")
        for k, arrays in _key_value_pairs(key, out, "pull"):
            stored = self._stored(k)
            with torch.no_grad():
                for a in arrays:
                    if a.shape != stored.shape:
                        raise MXNetError(f"pull: out has shape {a.shape}, but the value of key "
                                         f"{k} has shape {stored.shape}")
                    a._t.copy_(stored._t)

    def pushpull(self, key: Any, value: Any, out: Any = None, priority: int = 0) -> None:
        """:meth:`push` the values, then :meth:`pull` the stored result into ``out``.

        Parameters
        ----------
        key : str, int, or sequence of str or int
            The key or keys.
        value : NDArray, list of NDArray, or list of list of NDArray
            The values pushed.
        out : NDArray, list of NDArray, or list of list of NDArray, default None
            Where the result goes; ``None`` writes it back into ``value``.
        priority : int, default 0
            Accepted for MXNet compatibility; operations run in call order.

        Examples
        --------
        >>> kv = mx.kv.create('local')
        >>> kv.init(0, mx.nd.zeros((2,)))
        >>> grads = [mx.nd.ones((2,)), mx.nd.ones((2,))]
        >>> kv.pushpull(0, grads)
        >>> grads[0].asnumpy()
        array([2., 2.], dtype=float32)
        """
        self.push(key, value, priority)
        self.pull(key, value if out is None else out, priority)

    def broadcast(self, key: Any, value: Any, out: Any, priority: int = 0) -> None:
        """Initialize ``key`` with ``value`` and pull it into ``out``: in one process, broadcasting is
        ``init`` followed by ``pull``, so a key can be broadcast only once.

        Parameters
        ----------
        key : str or int
            The key (or a list of keys, with a value and an output each).
        value : NDArray, list of NDArray, or list of list of NDArray
            The value to store.
        out : NDArray, list of NDArray, or list of list of NDArray
            Arrays that receive it.
        priority : int, default 0
            Accepted for MXNet compatibility; operations run in call order.
        """
        self.init(key, value)
        self.pull(key, out, priority)

    def row_sparse_pull(self, key: Any, out: Any = None, priority: int = 0,
                        row_ids: Any = None) -> None:
        """Refused: pulling selected rows needs row-sparse arrays, which mxtorch does not have; use
        :meth:`pull`. Always raises ``MXNetError``.
        """
        raise MXNetError("row_sparse_pull: row_sparse storage is not supported by mxtorch; "
                         "use pull for dense arrays")

    def set_gradient_compression(self, compression_params: dict) -> None:
        """Refused: mxtorch's stores do not compress gradients. Raises ``MXNetError`` (``TypeError``
        when ``compression_params`` is not a dict).

        Parameters
        ----------
        compression_params : dict
            MXNet's compression settings, e.g. ``{'type': '2bit', 'threshold': 0.5}``.
        """
        if not isinstance(compression_params, dict):
            raise TypeError(f"unexpected type for compression_params: {type(compression_params)}")
        raise MXNetError(f"gradient compression ({compression_params.get('type')!r}) is not "
                         f"supported by mxtorch's '{self._type}' kvstore")

    # -- optimizer ------------------------------------------------------------------------------
    def set_optimizer(self, optimizer: Any) -> None:
        """Run ``optimizer`` inside the store: each push then updates the stored weight with the
        summed gradient, and a pull returns the updated weight.

        Parameters
        ----------
        optimizer : Optimizer
            The optimizer; its updater keeps one state per key.

        Examples
        --------
        >>> kv = mx.kv.create('local')
        >>> kv.init(3, mx.nd.zeros((2, 2)))
        >>> kv.set_optimizer(mx.optimizer.SGD(learning_rate=0.1))
        >>> kv.push(3, mx.nd.ones((2, 2)))
        >>> w = mx.nd.zeros((2, 2))
        >>> kv.pull(3, out=w)
        >>> w.asnumpy()
        array([[-0.1, -0.1],
               [-0.1, -0.1]], dtype=float32)
        """
        from .. import optimizer as opt

        self._set_updater(opt.get_updater(optimizer))

    def _set_updater(self, updater: Callable) -> None:
        """Install ``updater(key, summed_value, stored_value)``, called on every push instead of
        overwriting the stored value (``set_optimizer`` installs an optimizer's updater).
        """
        self._updater = updater

    def save_optimizer_states(self, fname: str, dump_optimizer: bool = False) -> None:
        """Write the state of the optimizer set on this store to ``fname`` (atomically); raises
        ``MXNetError`` when no optimizer is set. ``dump_optimizer`` also saves its settings.
        """
        if self._updater is None:
            raise MXNetError("Cannot save optimizer states: no optimizer is set on this kvstore")
        write_atomically(fname, self._updater.get_states(dump_optimizer))

    def load_optimizer_states(self, fname: str) -> None:
        """Restore the optimizer state of this store from ``fname``; raises ``MXNetError`` when no
        optimizer is set.
        """
        if self._updater is None:
            raise MXNetError("Cannot load optimizer states: no optimizer is set on this kvstore")
        self._updater._load_states_file(fname)

    def _barrier(self) -> None:
        """Wait for every worker; with one process there is no one to wait for."""
