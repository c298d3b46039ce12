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
    """Creates a new KVStore.

    For single machine training, there are two commonly used types:

    ``local``: Copies all gradients to CPU memory and updates weights there.

    ``device``: Aggregates gradients and updates weights on GPUs. With this setting,
    the KVStore also attempts to use GPU peer-to-peer communication,
    potentially accelerating the communication.

    For distributed training, ``dist_sync`` (sums on the CPU, over Gloo),
    ``dist_device_sync`` / ``dist_sync_device`` (sums on the device, over NCCL when the values
    are on a GPU), ``nccl`` and ``horovod`` join the job described by torchrun's environment
    (``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT``); ``dist_async`` runs
    synchronously (see :class:`DistKVStore`).

    Parameters
    ----------
    name : {'local', 'device', 'nccl', 'dist_sync', 'dist_device_sync', 'dist_async', 'horovod'}
        The type of KVStore.

    Returns
    -------
    kv : KVStoreBase
        The created KVStore.
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
