"""Device contexts: ``mx.cpu()``, ``mx.gpu(i)`` and the ``with`` scope that sets the default."""
from __future__ import annotations

import threading
from typing import Optional

import torch

from .base import MXNetError

__all__ = ["Context", "cpu", "gpu", "cpu_pinned", "num_gpus", "current_context"]


class Context:
    """Constructs a context: the device where NDArrays live and operators run.

    Parameters
    ----------
    device_type : {'cpu', 'gpu', 'cpu_pinned'} or Context
        String representing the device type.
    device_id : int (default=0)
        The device id of the device, needed for GPU.

    Examples
    --------
    >>> with mx.Context('gpu', 1):
    ...     x = mx.nd.ones((2, 3))
    """

    devtype2str = {1: "cpu", 2: "gpu", 3: "cpu_pinned", 5: "cpu_shared"}
    devstr2type = {"cpu": 1, "gpu": 2, "cpu_pinned": 3, "cpu_shared": 5}
    _default = threading.local()

    def __init__(self, device_type: "str | Context", device_id: int = 0):
        if isinstance(device_type, Context):
            self.device_typeid = device_type.device_typeid
            self.device_id = device_type.device_id
        else:
            if device_type not in self.devstr2type:
                raise MXNetError(f"unknown device type {device_type!r}; expected one of "
                                 f"{sorted(self.devstr2type)}")
            self.device_typeid = self.devstr2type[device_type]
            self.device_id = int(device_id)
        self._old_ctx: Optional[Context] = None

    @property
    def device_type(self) -> str:
        return self.devtype2str[self.device_typeid]

    @property
    def torch_device(self) -> torch.device:
        """The torch device this context maps to; raises MXNetError for a GPU that is not there."""
        if self.device_typeid == 2:
            count = num_gpus()
            if self.device_id >= count:
                raise MXNetError(
                    f"cannot use {self}: this machine has {count} GPU(s) visible to torch "
                    f"(CUDA available: {torch.cuda.is_available()}); use mx.cpu() instead")
            return torch.device("cuda", self.device_id)
        return torch.device("cpu")

    def __hash__(self) -> int:
        return hash((self.device_typeid, self.device_id))

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Context) and self.device_typeid == other.device_typeid
                and self.device_id == other.device_id)

    def __str__(self) -> str:
        return f"{self.device_type}({self.device_id})"

    __repr__ = __str__

    def __enter__(self) -> "Context":
        self._old_ctx = current_context()
        Context._default.value = self
        return self

    def __exit__(self, *exc: object) -> None:
        Context._default.value = self._old_ctx

    def empty_cache(self) -> None:
        """Releases the cached GPU memory of this context (no-op on CPU)."""
        if self.device_typeid == 2 and torch.cuda.is_available():
            torch.cuda.empty_cache()


def cpu(device_id: int = 0) -> Context:
    """Returns a CPU context. ``device_id`` is ignored by the engine, kept for MXNet parity."""
    return Context("cpu", device_id)


def cpu_pinned(device_id: int = 0) -> Context:
    """Returns a CPU pinned-memory context."""
    return Context("cpu_pinned", device_id)


def gpu(device_id: int = 0) -> Context:
    """Returns a GPU context. Using it on a machine without that GPU raises MXNetError."""
    return Context("gpu", device_id)


def num_gpus() -> int:
    """Query CUDA for the number of GPUs present."""
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def current_context() -> Context:
    """Returns the current context: ``cpu(0)`` unless a ``with Context(...)`` scope sets another."""
    ctx = getattr(Context._default, "value", None)
    return ctx if ctx is not None else Context("cpu", 0)


def context_of(device: torch.device) -> Context:
    """The Context of a torch device."""
    if device.type == "cuda":
        return Context("gpu", device.index or 0)
    return Context("cpu", 0)
