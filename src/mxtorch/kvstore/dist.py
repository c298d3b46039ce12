"""Distributed key-value stores on ``torch.distributed``: ``dist_sync`` and its relatives.

MXNet's distributed stores keep the weights on parameter servers: workers push gradients, the
servers sum them over the workers, apply the optimizer, and workers pull the new weights. Here
every worker keeps its own copy of each stored value instead, and a push is an allreduce (sum)
over the workers: every worker then holds the same summed gradient and applies the same
optimizer step to the same weight, so the copies stay identical and no server process exists.
What a program observes (``rank``, ``num_workers``, ``init`` taking rank 0's value, pushes
summed over devices and workers, updates on the store) is MXNet's.

The job comes from torchrun's environment (``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``,
``MASTER_PORT``, ``LOCAL_RANK``), which ``torchrun`` and ``mxtorch launch`` set. The DMLC_*
variables of MXNet's own launcher are read when torchrun's are absent (``DMLC_NUM_WORKER`` as the
number of workers, ``DMLC_PS_ROOT_URI``/``DMLC_PS_ROOT_PORT`` as the rendezvous address,
``DMLC_WORKER_ID`` or ``DMLC_TASK_ID`` as the rank); the ``server`` and ``scheduler`` roles are
refused, since there are no servers. Without either environment the store is a job of one worker.

Every wait is bounded: joining the job and every collective give up after
``MXTORCH_DIST_TIMEOUT`` seconds (default 300), and a worker that dies makes the collectives of
the others fail; both end in an ``MXNetError`` that names the operation, the key and the rank.
"""
from __future__ import annotations

import atexit
import datetime
import os
import warnings
import zlib
from typing import Any, Callable

import torch

from ..base import MXNetError
from ..ndarray.ndarray import NDArray
from .local import KVStore, _key_value_pairs

__all__ = ["DistKVStore", "is_distributed_type", "DEFAULT_TIMEOUT"]

#: seconds a worker waits to join the job, or for one collective, before giving up
DEFAULT_TIMEOUT = 300.0
_MAX_NDIM = 32
_DTYPE_CODES = {torch.float32: 0, torch.float64: 1, torch.float16: 2, torch.bfloat16: 3,
                torch.uint8: 4, torch.int8: 5, torch.int32: 6, torch.int64: 7, torch.bool: 8}
_warned_async = False


def is_distributed_type(name: str) -> bool:
    """Whether the kvstore type ``name`` (lower case) is one of the stores over several workers."""
    return "dist" in name or name in ("nccl", "horovod")


def _timeout() -> float:
    text = os.environ.get("MXTORCH_DIST_TIMEOUT", "")
    if not text:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise MXNetError(f"MXTORCH_DIST_TIMEOUT={text!r}: expected a positive number of seconds")
    return seconds


def _env_int(env: dict, name: str) -> int:
    try:
        return int(env[name])
    except ValueError:
        raise MXNetError(f"{name}={env[name]!r}: expected an integer") from None


def _job_from_env(env: dict) -> tuple[int, int, str, str]:
    """(rank, world_size, master_addr, master_port) of this worker, from torchrun's variables or
    else MXNet's DMLC_* ones; (0, 1, '', '') when the process was started alone."""
    role = env.get("DMLC_ROLE", "worker")
    if role != "worker":
        raise MXNetError(f"DMLC_ROLE={role!r}: mxtorch's distributed kvstores have no parameter "
                         "servers or scheduler (every worker sums with the others over "
                         "torch.distributed); start only the workers, with torchrun or "
                         "'mxtorch launch'")
    if "WORLD_SIZE" in env or "RANK" in env:
        missing = [n for n in ("RANK", "WORLD_SIZE") if n not in env]
        if missing:
            raise MXNetError(f"{' and '.join(missing)} not set while "
                             f"{'RANK' if 'RANK' in env else 'WORLD_SIZE'} is: start the workers "
                             "with torchrun or 'mxtorch launch'")
        rank, world = _env_int(env, "RANK"), _env_int(env, "WORLD_SIZE")
        addr, port = env.get("MASTER_ADDR", ""), env.get("MASTER_PORT", "")
    elif "DMLC_NUM_WORKER" in env:
        world = _env_int(env, "DMLC_NUM_WORKER")
        id_name = next((n for n in ("DMLC_WORKER_ID", "DMLC_TASK_ID") if n in env), None)
        if id_name is None:
            raise MXNetError("DMLC_NUM_WORKER is set but no worker rank (DMLC_WORKER_ID, "
                             "DMLC_TASK_ID or RANK): without MXNet's scheduler the ranks must be "
                             "given; start the workers with torchrun or 'mxtorch launch'")
        rank = _env_int(env, id_name)
        addr, port = env.get("DMLC_PS_ROOT_URI", ""), env.get("DMLC_PS_ROOT_PORT", "")
    else:
        return 0, 1, "", ""
    if world < 1 or not 0 <= rank < world:
        raise MXNetError(f"rank {rank} of {world} workers: expected 0 <= rank < world size >= 1")
    if world > 1 and not (addr and port):
        raise MXNetError(f"a job of {world} workers needs the rendezvous address: set "
                         "MASTER_ADDR and MASTER_PORT (torchrun and 'mxtorch launch' do)")
    return rank, world, addr, port


def _destroy_group() -> None:
    import torch.distributed as dist

    if dist.is_initialized():
        dist.destroy_process_group()


def _join_job(kv_type: str) -> tuple[int, int]:
    """Joins (once per process) the torch.distributed job of the environment; (rank, size)."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    rank, world, addr, port = _job_from_env(dict(os.environ))
    if world == 1:
        return 0, 1
    if not dist.is_available():
        raise MXNetError(f"kvstore '{kv_type}': this torch build has no torch.distributed")
    timeout = _timeout()
    # CPU tensors always go over Gloo; CUDA tensors over NCCL when the build has it
    backend = "cpu:gloo,cuda:nccl" if torch.cuda.is_available() and dist.is_nccl_available() \
        else "gloo"
    try:
        dist.init_process_group(backend=backend, init_method=f"tcp://{addr}:{port}", rank=rank,
                                world_size=world, timeout=datetime.timedelta(seconds=timeout))
    except Exception as err:  # torch raises RuntimeError, DistError, TimeoutError, ValueError
        raise MXNetError(f"kvstore '{kv_type}': rank {rank} could not join the job of {world} "
                         f"workers at {addr}:{port} within {timeout:g}s (MXTORCH_DIST_TIMEOUT); "
                         f"did every worker start? ({type(err).__name__}: {err})") from err
    atexit.register(_destroy_group)
    return rank, world


def _key_text(key: Any) -> str:
    return repr(key) if isinstance(key, str) else str(key)


class DistKVStore(KVStore):
    """A key-value store shared by the workers of a distributed job, on ``torch.distributed``.

    Values pushed for a key are summed over this worker's devices and then over all workers
    (an allreduce). With an optimizer set (``set_optimizer``) the sum is the gradient that
    updates the stored weight; since every worker holds the same weight and the same summed
    gradient, each applies the same update locally and the weights stay identical: the
    parameter servers of MXNet are not needed. ``init`` (and ``broadcast``) store rank 0's value
    on every worker. The optimizer state lives on every worker, so ``save_optimizer_states``
    works on any of them (MXNet keeps it on the servers).

    ``dist_sync`` keeps the stored values on the CPU and sums over Gloo; ``dist_device_sync``,
    ``dist_sync_device``, ``nccl`` and ``horovod`` keep them on the device of the value a key was
    initialized with, summing over NCCL for CUDA values. ``horovod`` leaves optimizer updates to
    the workers (``is_capable('optimizer')`` is False), as MXNet's Horovod store does.

    ``dist_async`` has no counterpart in an allreduce: it runs synchronously (every push waits
    for all workers), which a warning says once. A program written for it still trains, with the
    gradients of all workers applied together rather than one worker at a time.
    """

    def __init__(self, kv_type: str = "dist_sync"):
        super().__init__(kv_type)
        self._threshold: float = 0.0  # 2-bit compression's threshold; 0 when off
        self._residuals: dict = {}
        global _warned_async
        if "_async" in kv_type and not _warned_async:
            _warned_async = True
            warnings.warn(f"kvstore '{kv_type}': mxtorch has no asynchronous parameter servers; "
                          "pushes are summed over all workers synchronously, as 'dist_sync' "
                          "does", stacklevel=3)
        self._rank, self._num_workers = _join_job(kv_type)

    @property
    def rank(self) -> int:
        """This worker's index in the job, from 0 to ``num_workers - 1`` (torchrun's ``RANK``)."""
        return self._rank

    @property
    def num_workers(self) -> int:
        """How many workers the job has (torchrun's ``WORLD_SIZE``); 1 for a process alone."""
        return self._num_workers

    def is_capable(self, capability: str) -> bool:
        """Whether this store offers ``capability``: ``'optimizer'`` (updates on the store) is
        offered by every distributed type except ``horovod``; other names raise ValueError."""
        if capability.lower() == "optimizer":
            return self._type != "horovod"
        raise ValueError("Unknown capability: {}".format(capability))

    def _store_device(self, source: torch.Tensor) -> torch.device:
        if "device" in self._type or self._type in ("nccl", "horovod"):
            return source.device
        return torch.device("cpu")

    # -- collectives ----------------------------------------------------------------------------
    def _collective(self, what: str, key: Any, run: Callable[[], Any]) -> Any:
        if self._num_workers == 1:
            return None
        try:
            return run()
        except Exception as err:  # Gloo/NCCL failures: a peer died, left, or timed out
            raise MXNetError(
                f"kvstore '{self._type}' {what}" + ("" if key is None else f" of key {_key_text(key)}")
                + f" failed on rank {self._rank} of {self._num_workers} workers: another worker "
                "died, stopped or did not answer within the timeout (MXTORCH_DIST_TIMEOUT) "
                f"({type(err).__name__}: {err})") from err

    def set_gradient_compression(self, compression_params: dict) -> None:
        """Turns on the low-bit quantization of pushed values.

        With ``{'type': '2bit', 'threshold': t}`` (t > 0, default 0.5), before the sum over the
        workers each worker adds its summed push to the residual it keeps for the key and sends
        ``+t`` where the residual reached ``t``, ``-t`` where it reached ``-t`` and 0 elsewhere,
        keeping the difference as the new residual, as MXNet's 2-bit compression quantizes. The
        values are summed as floats (torch.distributed moves them uncompressed), so the result
        is MXNet's and the traffic is not reduced.

        Parameters
        ----------
        compression_params : dict
            ``type`` (only ``'2bit'``) and, optionally, ``threshold``.
        """
        if not isinstance(compression_params, dict):
            raise TypeError(f"unexpected type for compression_params: {type(compression_params)}")
        kind = compression_params.get("type")
        if kind is None:
            raise MXNetError("set_gradient_compression: the required parameter 'type' is missing")
        if kind != "2bit":
            raise MXNetError(f"Unknown type for gradient compression {kind}: expected '2bit'")
        unknown = set(compression_params) - {"type", "threshold"}
        if unknown:
            raise MXNetError(f"set_gradient_compression: unknown parameters {sorted(unknown)}")
        threshold = float(compression_params.get("threshold", 0.5))
        if not threshold > 0:
            raise MXNetError(f"gradient compression threshold must be greater than 0, got "
                             f"{threshold}")
        self._threshold = threshold

    def _quantize(self, key: Any, merged: torch.Tensor) -> torch.Tensor:
        """2-bit quantization with the residual of ``key`` (see set_gradient_compression)."""
        t = self._threshold
        residual = self._residuals.get(key)
        residual = merged.clone() if residual is None else residual.add_(merged)
        self._residuals[key] = residual
        quantized = torch.where(residual >= t, t, torch.where(residual <= -t, -t, 0.0)) \
            .to(residual.dtype)
        residual.sub_(quantized)
        return quantized

    def _merge(self, key: Any, arrays: list, stored: NDArray) -> torch.Tensor:
        merged = self._reduce(key, arrays, stored)
        if self._threshold:
            merged = self._quantize(key, merged)
        import torch.distributed as dist

        self._collective("push", key, lambda: dist.all_reduce(merged, op=dist.ReduceOp.SUM))
        return merged

    def _check_layout(self, pairs: list) -> None:
        """Every worker must init the same keys with values of the same shapes and types: one
        all_gather of (key hash, dtype, shape) rows says which key differs, before anything
        is summed."""
        import torch.distributed as dist

        rows = []
        for key, arrays in pairs:
            value = arrays[0]
            shape = tuple(value.shape)
            if len(shape) > _MAX_NDIM:
                raise MXNetError(f"init: the value of key {_key_text(key)} has {len(shape)} "
                                 f"dimensions, more than {_MAX_NDIM}")
            code = _DTYPE_CODES.get(value._t.dtype, 99)
            rows.append([zlib.crc32(_key_text(key).encode()), code, len(shape)]
                        + list(shape) + [0] * (_MAX_NDIM - len(shape)))
        mine = torch.tensor(rows, dtype=torch.int64).reshape(len(rows), 3 + _MAX_NDIM)
        count = torch.tensor([len(rows)], dtype=torch.int64)
        counts = [torch.zeros_like(count) for _ in range(self._num_workers)]
        self._collective("init", None, lambda: dist.all_gather(counts, count))
        if len({int(c) for c in counts}) > 1:
            raise MXNetError(f"init: the workers init different numbers of keys at once "
                             f"({', '.join(f'rank {r}: {int(c)}' for r, c in enumerate(counts))})")
        tables = [torch.zeros_like(mine) for _ in range(self._num_workers)]
        self._collective("init", None, lambda: dist.all_gather(tables, mine))
        for rank, table in enumerate(tables):
            for (key, arrays), row, theirs in zip(pairs, mine.tolist(), table.tolist()):
                if row == theirs:
                    continue
                if row[0] != theirs[0]:
                    raise MXNetError(f"init: rank {self._rank} inits key {_key_text(key)} where "
                                     f"rank {rank} inits another key: every worker must init the "
                                     "same keys in the same order")
                names = {code: str(dtype).replace("torch.", "") for dtype, code in
                         _DTYPE_CODES.items()}
                mine_text = f"{tuple(row[3:3 + row[2]])} {names.get(row[1], 'other')}"
                their_text = f"{tuple(theirs[3:3 + theirs[2]])} {names.get(theirs[1], 'other')}"
                raise MXNetError(f"init: key {_key_text(key)} is {mine_text} on rank "
                                 f"{self._rank} but {their_text} on rank {rank}: every worker "
                                 "must build the same model")

    def init(self, key: Any, value: Any) -> None:
        """Stores the first value of each key (one key, or a list of keys with one value each).

        Every worker must init the same keys, with values of the same shapes; the value of rank
        0 is the one stored on every worker.

        Parameters
        ----------
        key : str, int, or list of them
            The key or keys.
        value : NDArray, or list of NDArray
            The value of each key (of a list per key, the first one is stored).
        """
        import torch.distributed as dist

        pairs = _key_value_pairs(key, value, "init")
        for k, _ in pairs:
            self._check_key_type(k)
            if k in self._store:
                raise MXNetError(f"duplicate init of key {k}. Please double check if you called "
                                 "kv.init or kv.broadcast with this key multiple times")
        if self._num_workers > 1:
            self._check_layout(pairs)
        super().init(key, value)
        for k, _ in pairs:
            stored = self._store[k]._t
            self._collective("init", k, lambda t=stored: dist.broadcast(t, src=0))

    def reduce_metric(self, metric: Any) -> None:
        """Sums a metric's counts over the workers, in place (an mxtorch addition; MXNet has no
        counterpart): afterwards ``metric.get()`` on every worker is the metric of the whole
        job's data. Call it once per measurement (e.g. at the end of an epoch, before ``get``
        and ``reset``): a second call would count the other workers twice.

        Metrics that are ratios of sums (Accuracy, TopKAccuracy, CrossEntropy, MAE, MSE, RMSE,
        Perplexity, Loss, CustomMetric, ...) and CompositeEvalMetric of them are reduced; F1, MCC,
        PearsonCorrelation and PCC keep other state and are refused.

        Parameters
        ----------
        metric : EvalMetric
            The metric to reduce.
        """
        import torch.distributed as dist

        from .. import metric as mx_metric

        leaves, todo = [], [metric]
        while todo:
            m = todo.pop(0)
            if isinstance(m, mx_metric.CompositeEvalMetric):
                todo.extend(m.metrics)
            elif isinstance(m, (mx_metric._BinaryMetric, mx_metric.PearsonCorrelation,
                                mx_metric.PCC)) or not isinstance(m, mx_metric.EvalMetric):
                raise MXNetError(f"reduce_metric: {type(m).__name__} cannot be summed over "
                                 "workers (only metrics that are ratios of sums can)")
            else:
                leaves.append(m)
        names = ("sum_metric", "num_inst", "global_sum_metric", "global_num_inst")
        values = torch.tensor([[float(getattr(m, n)) for n in names] for m in leaves],
                              dtype=torch.float64).reshape(len(leaves), len(names))
        self._collective("reduce_metric", None,
                         lambda: dist.all_reduce(values, op=dist.ReduceOp.SUM))
        for m, row in zip(leaves, values.tolist()):
            for n, v in zip(names, row):
                setattr(m, n, int(round(v)) if isinstance(getattr(m, n), int) else v)

    def _barrier(self) -> None:
        """Invokes global barrier among all worker nodes: returns once every worker called it."""
        import torch.distributed as dist

        token = torch.zeros(1)
        self._collective("barrier", None, lambda: dist.all_reduce(token))
