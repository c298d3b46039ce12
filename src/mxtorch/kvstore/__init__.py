"""Key value store for synchronization of values over multiple devices and machines: ``mx.kv``.

``local`` and ``device`` (``local.py``) work inside one process. ``dist_sync``,
``dist_device_sync``, ``dist_sync_device``, ``dist_async``, ``nccl`` and ``horovod``
(``dist.py``) add the sum over the worker processes of a job started by ``torchrun`` or
``mxtorch launch``, on ``torch.distributed``.
"""
from __future__ import annotations

import os
from typing import Any

from ..base import MXNetError, string_types
from .dist import DistKVStore, is_distributed_type
from .local import KVStore, KVStoreBase, _key_value_pairs  # noqa: F401  (shared by dist)

__all__ = ["create", "KVStoreBase", "KVStore", "DistKVStore"]


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


def _create_kvstore(kvstore: Any, num_device: int, arg_params: dict) -> tuple:
    """Create kvstore
    This function select and create a proper kvstore if given the kvstore type.

    Parameters
    ----------
    kvstore : KVStore or str
        The kvstore.
    num_device : int
        The number of devices
    arg_params : dict of str to `NDArray`.
        Model parameter, dict of name to `NDArray` of net's weights.

    Returns
    -------
    (kv, update_on_kvstore): the store (None when one device needs none) and whether the
    optimizer should run on it.
    """
    update_on_kvstore = bool(int(os.getenv("MXNET_UPDATE_ON_KVSTORE", "1")))
    if kvstore is None:
        return None, False
    if isinstance(kvstore, KVStoreBase):
        kv = kvstore
    elif not isinstance(kvstore, str):
        raise TypeError("kvstore must be KVStore, str or None")
    elif num_device == 1 and "dist" not in kvstore and not (
            is_distributed_type(kvstore.lower()) and int(os.environ.get("WORLD_SIZE", "1")) > 1):
        # one device on one machine needs no store; unlike MXNet, 'nccl' and 'horovod' are kept
        # in a torchrun job of several processes, where they are the sum over the workers
        return None, False
    else:
        kv = create(kvstore)
        # as MXNet: a 'local' store holding an array over 16M elements leaves updates to the devices
        if kvstore == "local" and max(p.size for p in arg_params.values()) > 1024 * 1024 * 16:
            update_on_kvstore = False
    return kv, update_on_kvstore and kv.is_capable(KVStoreBase.OPTIMIZER)
