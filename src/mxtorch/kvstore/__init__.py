"""Key value store for synchronization of values over multiple devices and machines: ``mx.kv``.

``local`` and ``device`` (``local.py``) work inside one process. ``dist_sync``,
``dist_device_sync``, ``dist_sync_device``, ``dist_async``, ``nccl`` and ``horovod``
(``dist.py``) add the sum over the worker processes of a job started by ``torchrun`` or
``mxtorch launch``, on ``torch.distributed``.
"""
from __future__ import annotations

from ..base import MXNetError, string_types
from .dist import DistKVStore, is_distributed_type
from .local import KVStore, KVStoreBase

__all__ = ["create", "KVStoreBase", "KVStore", "DistKVStore", "is_distributed_type"]


def create(name: str = "local") -> KVStoreBase:
    """Make a key-value store of the named type.

    In one process: ``'local'`` sums on the CPU and keeps the values (and runs the optimizer)
    there; ``'device'`` does the same on the device of the values, avoiding the copies to the
    CPU. Across processes: ``'dist_sync'`` (sums on the CPU over Gloo),
    ``'dist_device_sync'``/``'dist_sync_device'`` (sums on the device, over NCCL for GPU
    values), ``'nccl'`` and ``'horovod'`` join the job described by torchrun's environment
    (``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT``); ``'dist_async'`` runs
    synchronously (see :class:`DistKVStore`). Names registered with
    :meth:`KVStoreBase.register` give an instance of that class.

    Parameters
    ----------
    name : str, default 'local'
        The type of store, one of those above or a registered name (case does not matter).

    Returns
    -------
    KVStoreBase
        The new store.

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    MXNetError
        For BytePS stores, which have no counterpart here.

    Examples
    --------
    >>> kv = mx.kv.create('local')
    >>> kv.type, kv.rank, kv.num_workers
    ('local', 0, 1)
    """
    if not isinstance(name, string_types):
        raise TypeError("name must be a string")
    name = name.lower()
    if name in KVStoreBase.kv_registry:
        return KVStoreBase.kv_registry[name]()
    if "byteps" in name:
        raise MXNetError(f"kvstore type '{name}' is not supported: BytePS has no torch.distributed "
                         "counterpart here; use 'dist_sync' (or 'dist_device_sync' on GPUs)")
    if is_distributed_type(name):
        return DistKVStore(name)
    return KVStore(name)
