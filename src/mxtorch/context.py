"""Device contexts: ``mx.cpu()``, ``mx.gpu(i)`` and the ``with`` scope that sets the default."""
from __future__ import annotations

import threading
import warnings

import torch

from .base import MXNetError

__all__ = ["Context", "cpu", "gpu", "cpu_pinned", "num_gpus", "gpu_memory_info", "current_context"]


class _DefaultCtxProperty(type):
    """Metaclass giving ``Context.default_ctx`` (deprecated in MXNet 1.x, still used by old code)."""

    @property
    def default_ctx(cls) -> "Context":
        warnings.warn("Context.default_ctx has been deprecated. Please use Context.current_context() "
                      "instead.", DeprecationWarning, stacklevel=2)
        return current_context()

    @default_ctx.setter
    def default_ctx(cls, val: "Context") -> None:
        warnings.warn("Context.default_ctx has been deprecated. Please use Context.current_context() "
                      "instead.", DeprecationWarning, stacklevel=2)
        Context._default_ctx.value = val


class Context(metaclass=_DefaultCtxProperty):
    """A device (type and number) where arrays live and operators run.

    ``mx.cpu()`` and ``mx.gpu(i)`` are the usual ways to make one. Used as a ``with`` scope, a
    context becomes the default for arrays created inside it. In mxtorch a context maps to a
    torch device (``gpu(i)`` is ``cuda:i``).

    Parameters
    ----------
    device_type : {'cpu', 'gpu', 'cpu_pinned', 'cpu_shared'} or Context
        The kind of device (also ``'cpu_pinned'`` and ``'cpu_shared'``), or a context to copy.

    device_id : int (default=0)
        Which device of that kind; it matters for GPUs.

    Examples
    --------
    >>> with mx.Context(mx.cpu(1)):
    ...     a = mx.nd.ones((2, 3))
    >>> a.context
    cpu(1)
    """

    devtype2str = {1: "cpu", 2: "gpu", 3: "cpu_pinned", 5: "cpu_shared"}
    devstr2type = {"cpu": 1, "gpu": 2, "cpu_pinned": 3, "cpu_shared": 5}
    _default_ctx = threading.local()

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
        # previous defaults, one per active ``with`` of this object (re-entrant, unlike MXNet's)
        self._old_ctx: list = []

    @property
    def device_type(self) -> str:
        """The kind of device: ``'cpu'``, ``'gpu'``, ``'cpu_pinned'`` or ``'cpu_shared'``.

        Returns
        -------
        device_type : str
        """
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
        self._old_ctx.append(current_context())
        Context._default_ctx.value = self
        return self

    def __exit__(self, *exc: object) -> None:
        Context._default_ctx.value = self._old_ctx.pop()

    def empty_cache(self) -> None:
        """Return this device's cached, unused GPU memory to the driver (no-op on CPU)."""
        if self.device_typeid == 2 and torch.cuda.is_available():
            with torch.cuda.device(self.torch_device):
                torch.cuda.empty_cache()


def cpu(device_id: int = 0) -> Context:
    """The CPU context, ``Context('cpu', device_id)``; the default when none is given.

    Parameters
    ----------
    device_id : int, optional
        Kept for symmetry with ``gpu``; it does not change where CPU data live.

    Returns
    -------
    context : Context
        The CPU context.
    """
    return Context("cpu", device_id)


def cpu_pinned(device_id: int = 0) -> Context:
    """A CPU context whose memory is page-locked, so copies to a GPU are faster.

    Parameters
    ----------
    device_id : int, optional
        Kept for symmetry with ``gpu``.

    Returns
    -------
    context : Context
        The pinned-memory CPU context.
    """
    return Context("cpu_pinned", device_id)


def gpu(device_id: int = 0) -> Context:
    """The context of GPU number ``device_id``, ``Context('gpu', device_id)``.

    GPUs are numbered from 0. Making the context always works; putting data on a GPU the
    machine lacks raises MXNetError.

    Parameters
    ----------
    device_id : int, optional
        Which GPU.

    Returns
    -------
    context : Context
        The GPU context.
    """
    return Context("gpu", device_id)


def num_gpus() -> int:
    """How many CUDA devices this machine has.

    Returns
    -------
    count : int
        0 without CUDA.
    """
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def gpu_memory_info(device_id: int = 0) -> tuple:
    """Free and total global memory of one GPU, in bytes, as CUDA reports them.

    Parameters
    ----------
    device_id : int, optional
        Which GPU to ask about.

    Returns
    -------
    (free, total) : (int, int)
    """
    device = gpu(device_id).torch_device  # raises MXNetError when that GPU is absent
    free, total = torch.cuda.mem_get_info(device)
    return int(free), int(total)


def current_context() -> Context:
    """The context arrays are created on when none is given.

    It is ``cpu(0)`` unless a ``with mx.Context(...)`` scope (or ``Context.default_ctx``) says
    otherwise; leaving the scope restores the previous one.

    Examples
    --------
    >>> mx.current_context()
    cpu(0)
    >>> with mx.cpu(3):
    ...     mx.current_context()
    cpu(3)

    Returns
    -------
    default_ctx : Context
    """
    ctx = getattr(Context._default_ctx, "value", None)
    return ctx if ctx is not None else Context("cpu", 0)


def context_of(device: torch.device) -> Context:
    """The Context of a torch device."""
    if device.type == "cuda":
        return Context("gpu", device.index or 0)
    return Context("cpu", 0)
