"""The single-process key-value stores: ``local`` and ``device``.

They sum the values pushed for a key over the devices of this process and, when an optimizer is
set, update the stored weight with that sum. The distributed stores (``dist.py``) add the sum over
the worker processes to the same steps.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable, Optional

import torch

from .._fileio.atomic import write_atomically
from ..base import MXNetError, string_types
from ..context import cpu
from ..ndarray.ndarray import NDArray

__all__ = ["KVStoreBase", "KVStore"]


def _key_value_pairs(keys: Any, vals: Any, what: str) -> list:
    """Pair each key with its list of arrays, as MXNet's ``_ctype_key_value`` reads them:
    one key with an NDArray or a list of NDArrays (one per device), or a list of keys with
    one such value each."""
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
    merged: dict = {}
    for key, arrays in pairs:
        merged.setdefault(key, []).extend(arrays)
    return list(merged.items())


class KVStoreBase:
    """An abstract key-value store interface for data parallel training."""

    OPTIMIZER = "optimizer"
    kv_registry: dict = {}

    def broadcast(self, key: Any, value: Any, out: Any, priority: int = 0) -> None:
        """ Broadcast the `value` NDArray at rank 0 to all ranks,
        and store the result in `out`.

        Parameters
        ----------
        key : str or int
            The key.

        value : NDArray
            The value corresponding to the key to broadcast

        out : NDArray, or list of NDArray
            Values corresponding to the key to store the result

        priority : int, optional
            The priority of the operation.
            Higher priority operations are likely to be executed before other actions.
        """
        raise NotImplementedError()

    def pushpull(self, key: Any, value: Any, out: Any = None, priority: int = 0) -> None:
        """ Performs push and pull a single value from the store.
        This function is coalesced form of push and pull operations.

        `value` is pushed to the kvstore server for the specified keys and the aggregated
        values are pulled from the server to `out`. If `out` is not specified the pulled
        values are written to `value`.

        Parameters
        ----------
        key : str or int
            The key.

        value : NDArray, or list of NDArray
            Values corresponding to the key.

        out: NDArray, or list of NDArray
            Values corresponding to the key.

        priority : int, optional
            The priority of the operation.
            Higher priority operations are likely to be executed before other actions.
        """
        raise NotImplementedError()

    def set_optimizer(self, optimizer: Any) -> None:
        """ Registers an optimizer with the kvstore.

        When using a single machine, this function updates the local optimizer.

        Parameters
        ----------
        optimizer : KVStoreBase
            The new optimizer for the store
        """
        raise NotImplementedError()

    def is_capable(self, capability: str) -> bool:
        """Queries if the KVStore type supports certain capability, such as optimizer algorithm,
        gradient compression, sparsity, etc.

        Parameters
        ----------
        capability: str
            The capability to query

        Returns
        -------
        result : bool
            Whether the capability is supported or not.
        """
        raise NotImplementedError()

    def save_optimizer_states(self, fname: str, dump_optimizer: bool = False) -> None:
        """Saves the optimizer (updater) state to a file. This is often used when checkpointing
        the model during training.

        Parameters
        ----------
        fname : str
            Path to the output states file.
        dump_optimizer : bool, default False
            Whether to also save the optimizer itself. This would also save optimizer
            information such as learning rate and weight decay schedules.
        """
        raise NotImplementedError()

    def load_optimizer_states(self, fname: str) -> None:
        """Loads the optimizer (updater) state from the file.

        Parameters
        ----------
        fname : str
            Path to input states file.
        """
        raise NotImplementedError()

    @property
    def type(self) -> str:
        """ Returns the type of this kvstore backend.

        Returns
        -------
        type : str
            the string type
        """
        raise NotImplementedError()

    @property
    def rank(self) -> int:
        """ Returns the index of the current process in the MPI group.

        Returns
        -------
        rank : int
            The rank of this node, which is in range [0, num_workers())
        """
        raise NotImplementedError()

    @property
    def num_workers(self) -> int:
        """Returns the number of worker nodes.

        Returns
        -------
        size :int
            The number of worker nodes.
        """
        raise NotImplementedError()

    @staticmethod
    def register(klass: type) -> type:
        """Registers a new KVStore.
        Once a kvstore is registered, we can create an instance of this
        kvstore with `create` later.

        Examples
        --------
        >>> @mx.kvstore.KVStoreBase.register
        ... class MyKVStore(mx.kvstore.KVStoreBase):
        ...     pass
        >>> kv = mx.kv.create('MyKVStore')
        >>> print(type(kv))
        <class '__main__.MyKVStore'>
        """
        if not isinstance(klass, type):
            raise TypeError(f"register expects a KVStoreBase class, got {klass!r}")
        name = klass.__name__.lower()
        if name in KVStoreBase.kv_registry:
            old = KVStoreBase.kv_registry[name]
            warnings.warn(f"WARNING: New kvstore {klass.__module__}.{klass.__name__} is overriding "
                          f"existing kvstore {old.__module__}.{old.__name__}")
        KVStoreBase.kv_registry[name] = klass
        return klass


class KVStore(KVStoreBase):
    """A key-value store for synchronization of values, over multiple devices.

    Values pushed for a key are summed; with an optimizer set (``set_optimizer``), the sum is
    the gradient that updates the stored weight, otherwise it replaces the stored value.
    ``local`` keeps the stored values in CPU memory, ``device`` on the device of the value
    the key was initialized with.
    """

    def __init__(self, kv_type: str = "local"):
        self._type = kv_type
        self._store: dict = {}
        self._key_is_str: Optional[bool] = None
        self._updater: Optional[Callable] = None

    # -- properties -----------------------------------------------------------------------------
    @property
    def type(self) -> str:
        """ Returns the type of this kvstore.

        Returns
        -------
        type : str
            the string type
        """
        return self._type

    @property
    def rank(self) -> int:
        """ Returns the rank of this worker node.

        Returns
        -------
        rank : int
            The rank of this node, which is in range [0, num_workers())
        """
        return 0

    @property
    def num_workers(self) -> int:
        """Returns the number of worker nodes.

        Returns
        -------
        size :int
            The number of worker nodes.
        """
        return 1

    def is_capable(self, capability: str) -> bool:
        """Queries if the KVStore type supports certain capability, such as optimizer algorithm,
        gradient compression, sparsity, etc.

        Parameters
        ----------
        capability: str
            The capability to query

        Returns
        -------
        result : bool
            Whether the capability is supported or not.
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
        """ Initializes a single or a sequence of key-value pairs into the store.

        For each key, one must `init` it before calling `push` or `pull`.

        Parameters
        ----------
        key : str, int, or sequence of str or int
            The keys.
        value : NDArray or sequence of NDArray
            Values corresponding to the keys.

        Examples
        --------
        >>> # init a single key-value pair
        >>> shape = (2,3)
        >>> kv = mx.kv.create('local')
        >>> kv.init('3', mx.nd.ones(shape)*2)
        >>> a = mx.nd.zeros(shape)
        >>> kv.pull('3', out=a)
        >>> print a.asnumpy()
        [[ 2.  2.  2.]
        [ 2.  2.  2.]]
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
        """ Pushes a single or a sequence of key-value pairs into the store.

        The values pushed for one key (one per device) are summed. With an optimizer set
        (``set_optimizer``) the sum updates the stored value as a gradient; otherwise it
        replaces it.

        Parameters
        ----------
        key : str, int, or sequence of str or int
            Keys.
        value : NDArray, list of NDArray, or list of list of NDArray
            Values corresponding to the keys.
        priority : int, optional
            Accepted for MXNet compatibility; operations run in call order.

        Examples
        --------
        >>> # push a single key-value pair
        >>> kv.push('3', mx.nd.ones(shape)*8)
        >>> kv.pull('3', out=a) # pull out the value
        >>> print a.asnumpy()
        [[ 8.  8.  8.]
        [ 8.  8.  8.]]
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
        """ Pulls a single value or a sequence of values from the store.

        The returned values are the latest values in the store.

        Parameters
        ----------
        key : str, int, or sequence of str or int
            Keys.
        out: NDArray or list of NDArray or list of list of NDArray
            Values corresponding to the keys.
        priority : int, optional
            Accepted for MXNet compatibility; operations run in call order.
        ignore_sparse: bool, optional, default True
            Accepted for MXNet compatibility (all arrays are dense).

        Examples
        --------
        >>> # pull a single key-value pair
        >>> a = mx.nd.zeros(shape)
        >>> kv.pull('3', out=a)
        >>> print a.asnumpy()
        [[ 2.  2.  2.]
        [ 2.  2.  2.]]
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
        """ Performs push and pull a single value or a sequence of values from the store.

        This function is coalesced form of push and pull operations. `value` is pushed to the
        store for the specified keys and the updated values are pulled from the store to `out`.
        If `out` is not specified the pulled values are written to `value`.

        Parameters
        ----------
        key : str, int, or sequence of str or int
            Keys.
        value : NDArray, list of NDArray, or list of list of NDArray
            Values corresponding to the keys.
        out: NDArray or list of NDArray or list of list of NDArray, optional
            Outputs corresponding to the keys.
        priority : int, optional
            Accepted for MXNet compatibility; operations run in call order.

        Examples
        --------
        >>> # pushpull a single key-value pair
        >>> kv.pushpull('3', mx.nd.ones(shape)*8, out=a)
        >>> print a.asnumpy()
        [[ 8.  8.  8.]
        [ 8.  8.  8.]]
        """
        self.push(key, value, priority)
        self.pull(key, value if out is None else out, priority)

    def broadcast(self, key: Any, value: Any, out: Any, priority: int = 0) -> None:
        """ Broadcast the `value` NDArray at rank 0 to all ranks,
        and store the result in `out`.

        Note that the native KVStore does not support broadcasting the same key more than once.

        Parameters
        ----------
        key : str, or int
            The key.
        value : NDArray, list of NDArray, or list of list of NDArray
            Values corresponding to the keys.
        out: NDArray or list of NDArray or list of list of NDArray
            Outputs corresponding to the keys.
        priority : int, optional
            Accepted for MXNet compatibility; operations run in call order.

        Examples
        --------
        >>> # broadcast a single key-value pair
        >>> shape = (2,3)
        >>> kv = mx.kv.create('local')
        >>> a = mx.nd.zeros(shape)
        >>> kv.broadcast('3', mx.nd.ones(shape)*2, out=a)
        >>> print a.asnumpy()
        [[ 2.  2.  2.]
        [ 2.  2.  2.]]
        """
        self.init(key, value)
        self.pull(key, out, priority)

    def row_sparse_pull(self, key: Any, out: Any = None, priority: int = 0,
                        row_ids: Any = None) -> None:
        """ Pulls a single RowSparseNDArray value or a sequence of RowSparseNDArray values
        from the store with specified row_ids.

        mxtorch has no row_sparse storage, so this always raises.
        """
        raise MXNetError("row_sparse_pull: row_sparse storage is not supported by mxtorch; "
                         "use pull for dense arrays")

    def set_gradient_compression(self, compression_params: dict) -> None:
        """ Specifies type of low-bit quantization for gradient compression
        and additional arguments depending on the type of compression being used.

        Gradient compression is not implemented by mxtorch's stores; this raises.

        Parameters
        ----------
        compression_params : dict
            A dictionary specifying the type and parameters for gradient compression.
        """
        if not isinstance(compression_params, dict):
            raise TypeError(f"unexpected type for compression_params: {type(compression_params)}")
        raise MXNetError(f"gradient compression ({compression_params.get('type')!r}) is not "
                         f"supported by mxtorch's '{self._type}' kvstore")

    # -- optimizer ------------------------------------------------------------------------------
    def set_optimizer(self, optimizer: Any) -> None:
        """ Registers an optimizer with the kvstore.

        When using a single machine, this function updates the local optimizer.

        Parameters
        ----------
        optimizer : Optimizer
            The new optimizer for the store

        Examples
        --------

        >>> kv = mx.kv.create()
        >>> shape = (2, 2)
        >>> weight = mx.nd.zeros(shape)
        >>> kv.init(3, weight)
        >>> # set the optimizer for kvstore as the default SGD optimizer
        >>> kv.set_optimizer(mx.optimizer.SGD())
        >>> grad = mx.nd.ones(shape)
        >>> kv.push(3, grad)
        >>> kv.pull(3, out = weight)
        >>> # weight is updated via gradient descent
        >>> weight.asnumpy()
        array([[-0.01, -0.01],
               [-0.01, -0.01]], dtype=float32)
        """
        from .. import optimizer as opt

        self._set_updater(opt.get_updater(optimizer))

    def _set_updater(self, updater: Callable) -> None:
        """Sets a push updater into the store: ``updater(key, merged_value, stored_value)``.

        Examples
        --------
        >>> def update(key, input, stored):
        ...     print "update on key: %d" % key
        ...     stored += input * 2
        >>> kv._set_updater(update)
        """
        self._updater = updater

    def save_optimizer_states(self, fname: str, dump_optimizer: bool = False) -> None:
        """Saves the optimizer (updater) state to a file. This is often used when checkpointing
        the model during training.

        Parameters
        ----------
        fname : str
            Path to the output states file.
        dump_optimizer : bool, default False
            Whether to also save the optimizer itself. This would also save optimizer
            information such as learning rate and weight decay schedules.
        """
        if self._updater is None:
            raise MXNetError("Cannot save optimizer states: no optimizer is set on this kvstore")
        write_atomically(fname, self._updater.get_states(dump_optimizer))

    def load_optimizer_states(self, fname: str) -> None:
        """Loads the optimizer (updater) state from the file.

        Parameters
        ----------
        fname : str
            Path to input states file.
        """
        if self._updater is None:
            raise MXNetError("Cannot load optimizer states: no optimizer is set on this kvstore")
        self._updater._load_states_file(fname)

    def _barrier(self) -> None:
        """Invokes global barrier among all worker nodes (a no-op for one process)."""
