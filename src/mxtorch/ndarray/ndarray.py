"""NDArray: a torch.Tensor with MXNet's behaviour at the API boundary."""
from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np
import torch

from .. import autograd
from ..base import MXNetError, numeric_types, to_numpy_dtype, to_torch_dtype
from ..context import Context, context_of, current_context

__all__ = ["NDArray", "array", "empty", "zeros", "ones", "full", "arange", "eye", "linspace",
           "full_like", "waitall", "concatenate", "moveaxis"]

_GRAD_REQS = ("write", "add", "null")


def _device(ctx: Optional[Context]) -> torch.device:
    return (ctx if ctx is not None else current_context()).torch_device


def _dtype(dtype: Any, default: torch.dtype = torch.float32) -> torch.dtype:
    return default if dtype is None else to_torch_dtype(dtype)


class NDArray:
    """An array object representing a multidimensional, homogeneous array of fixed-size items.

    Wraps a ``torch.Tensor`` (``_t``); the wrapper gives it MXNet's API: numpy dtypes, contexts,
    ``asnumpy``, reshape codes, in-place slice assignment and gradient buffers.
    """

    __slots__ = ("_t", "_grad", "_grad_req", "_hook", "__weakref__")
    # Make numpy defer to NDArray's reflected operators (np.float32(2) * nd -> NDArray).
    __array_priority__ = 1000.0

    def __init__(self, tensor: torch.Tensor):
        self._t = tensor
        self._grad: Optional[NDArray] = None
        self._grad_req = "null"
        self._hook = None

    # -- properties -------------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        """Tuple of array dimensions."""
        return tuple(self._t.shape)

    @property
    def size(self) -> int:
        """Number of elements in the array."""
        return self._t.numel()

    @property
    def ndim(self) -> int:
        """Number of array dimensions."""
        return self._t.dim()

    @property
    def dtype(self) -> Any:
        """Data-type of the array's elements, as a numpy type (``numpy.float32``)."""
        return to_numpy_dtype(self._t.dtype)

    @property
    def context(self) -> Context:
        """Device context of the array."""
        return context_of(self._t.device)

    ctx = context

    @property
    def stype(self) -> str:
        """Storage type: always 'default' (dense)."""
        return "default"

    @property
    def T(self) -> "NDArray":
        """Returns a copy of the array with axes transposed (all axes reversed)."""
        return NDArray(self._t.permute(*reversed(range(self._t.dim()))).contiguous())

    @property
    def handle(self) -> torch.Tensor:
        """The underlying torch tensor."""
        return self._t

    def __len__(self) -> int:
        return self.shape[0]

    def __repr__(self) -> str:
        shape_info = "x".join(str(d) for d in self.shape)
        return f"\n{self.asnumpy()!s}\n<{type(self).__name__} {shape_info} @{self.context}>"

    def __bool__(self) -> bool:
        if self.size == 1:
            return bool(self._t.item())
        if self.size == 0:
            return False
        raise ValueError("The truth value of an NDArray with multiple elements is ambiguous.")

    def __iter__(self):
        for i in range(self.shape[0]):
            yield self[i]

    def __hash__(self) -> int:
        return id(self)

    # -- conversion -------------------------------------------------------------------------
    def asnumpy(self) -> np.ndarray:
        """Returns a ``numpy.ndarray`` object with value copied from this array."""
        t = self._t.detach()
        if t.dtype == torch.bfloat16:
            t = t.float()
        return t.cpu().numpy().copy()

    def asscalar(self) -> Any:
        """Returns a scalar whose value is copied from this array (which must have size 1)."""
        if self.size != 1:
            raise ValueError(f"The current array is not a scalar: it has shape {self.shape}")
        return self.asnumpy().reshape(()).item() if self.dtype == "bfloat16" else \
            self.asnumpy().reshape(1)[0]

    def astype(self, dtype: Any, copy: bool = True) -> "NDArray":
        """Returns a copy of the array after casting to a specified type."""
        tdtype = to_torch_dtype(dtype)
        if not copy and tdtype == self._t.dtype:
            return self
        return NDArray(self._t.to(tdtype, copy=True))

    def copy(self) -> "NDArray":
        """Makes a copy of this NDArray, keeping the same context."""
        return NDArray(self._t.clone())

    def copyto(self, other: "NDArray | Context") -> "NDArray":
        """Copies the value of this array to another array or to a context."""
        if isinstance(other, NDArray):
            if other is self:
                return other
            if other.shape != self.shape:
                raise MXNetError(f"copyto: shape mismatch, source {self.shape} vs target "
                                 f"{other.shape}")
            with torch.no_grad():
                other._t.copy_(self._t)
            return other
        if isinstance(other, Context):
            return NDArray(self._t.detach().to(other.torch_device, copy=True))
        raise TypeError(f"copyto does not support type {type(other).__name__}")

    def as_in_context(self, context: Context) -> "NDArray":
        """Returns an array on the target device with the same value as this array
        (this array itself when it already lives there)."""
        if self.context == context:
            return self
        return NDArray(self._t.to(context.torch_device))

    as_in_ctx = as_in_context

    def tostype(self, stype: str) -> "NDArray":
        """Return a copy of the array with the chosen storage type ('default' only)."""
        if stype != "default":
            raise MXNetError(f"storage type {stype!r} is not supported; only 'default'")
        return self.copy()

    def wait_to_read(self) -> None:
        """Waits until all previous write operations on the current array are finished."""
        if self._t.is_cuda:
            torch.cuda.synchronize(self._t.device)

    def detach(self) -> "NDArray":
        """Returns a new NDArray, detached from the current graph."""
        return NDArray(self._t.detach())

    def tolist(self) -> list:
        return self.asnumpy().tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        a = self.asnumpy()
        return a if dtype is None else a.astype(dtype)

    def __float__(self) -> float:
        return float(self.asscalar())

    def __int__(self) -> int:
        return int(self.asscalar())

    def __index__(self) -> int:
        return int(self.asscalar())

    # -- autograd ---------------------------------------------------------------------------
    def attach_grad(self, grad_req: str = "write", stype: Optional[str] = None) -> None:
        """Attach a gradient buffer to this NDArray, so that `backward` can compute gradient
        with respect to it.

        Parameters
        ----------
        grad_req : {'write', 'add', 'null'}
            How gradient will be accumulated.
        """
        self._mark_variable(NDArray(torch.zeros_like(self._t, memory_format=torch.contiguous_format)),
                            grad_req)

    def _mark_variable(self, grad_buf: "NDArray", grad_req: str) -> None:
        if grad_req not in _GRAD_REQS:
            raise ValueError(f"grad_req must be one of {_GRAD_REQS}, got {grad_req!r}")
        if self._hook is not None:
            self._hook.remove()
            self._hook = None
        t = self._t.detach() if self._t.grad_fn is not None else self._t
        self._grad_req = grad_req
        if grad_req == "null":
            self._t = t.requires_grad_(False)
            self._grad = None
            return
        if not t.is_floating_point():
            raise MXNetError(f"cannot attach a gradient to an array of dtype {self.dtype}: "
                             "only floating-point arrays are differentiable")
        self._t = t.requires_grad_(True)
        self._grad = grad_buf
        self._hook = self._t.register_post_accumulate_grad_hook(self._store_grad)

    def _store_grad(self, t: torch.Tensor) -> None:
        # torch accumulates into t.grad; MXNet writes (or adds) into a persistent buffer whose
        # NDArray the user and the Trainer hold. Move the gradient there and leave t.grad empty.
        g, t.grad = t.grad, None
        buf = self._grad._t
        if self._grad_req == "add":
            buf.add_(g)
        else:
            buf.copy_(g)

    @property
    def grad(self) -> Optional["NDArray"]:
        """Returns gradient buffer attached to this NDArray."""
        return self._grad

    @property
    def grad_req(self) -> str:
        return self._grad_req

    def backward(self, out_grad: Optional["NDArray"] = None, retain_graph: bool = False,
                 train_mode: bool = True) -> None:
        """Compute the gradients of this NDArray w.r.t variables.

        Parameters
        ----------
        out_grad : NDArray, optional
            Gradient with respect to head (ones when None).
        retain_graph : bool, optional
            Whether to retain the computaion graph for another backward pass.
        """
        autograd.backward([self], None if out_grad is None else [out_grad],
                          retain_graph=retain_graph, train_mode=train_mode)

    # -- shape manipulation -----------------------------------------------------------------
    def reshape(self, *shape: Any, **kwargs: Any) -> "NDArray":
        """Returns a view of this array with a new shape without altering any data.

        Supports MXNet's special values: 0 copies a dimension, -1 infers one, -2 copies all
        remaining dimensions, -3 merges two consecutive dimensions, -4 splits one into two
        (followed by the two parts, one of which may be -1). ``reverse=True`` matches the
        special values from the right.
        """
        reverse = kwargs.pop("reverse", False)
        if "shape" in kwargs:
            shape = kwargs.pop("shape")
        elif len(shape) == 1 and isinstance(shape[0], (list, tuple)):
            shape = shape[0]
        if kwargs:
            raise TypeError(f"reshape got unexpected keyword arguments {sorted(kwargs)}")
        from ..ops.tensor import infer_reshape

        return NDArray(self._t.reshape(infer_reshape(self.shape, tuple(shape), reverse)))

    def reshape_like(self, other: "NDArray") -> "NDArray":
        return NDArray(self._t.reshape(other.shape))

    def as_np_ndarray(self) -> np.ndarray:
        return self.asnumpy()

    # -- indexing ---------------------------------------------------------------------------
    def _index(self, key: Any) -> Any:
        if isinstance(key, NDArray):
            return key._t.long()
        if isinstance(key, tuple):
            return tuple(k._t.long() if isinstance(k, NDArray) else
                         (torch.as_tensor(k) if isinstance(k, (list, np.ndarray)) else k)
                         for k in key)
        if isinstance(key, (list, np.ndarray)):
            return torch.as_tensor(np.asarray(key)).long()
        return key

    def __getitem__(self, key: Any) -> "NDArray":
        out = self._t[self._index(key)]
        if out.dim() == 0:  # MXNet 1.x has no 0-d arrays: x[i] of a vector has shape (1,)
            out = out.reshape(1)
        return NDArray(out)

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(value, NDArray):
            value = value._t
        elif isinstance(value, np.ndarray):
            value = torch.as_tensor(value)
        target_key = self._index(key)
        with torch.no_grad() if not autograd.is_recording() else _nullcontext():
            if isinstance(value, torch.Tensor):
                value = value.to(device=self._t.device, dtype=self._t.dtype)
                if isinstance(key, slice) and key == slice(None):
                    self._t.copy_(value.expand_as(self._t) if value.shape != self._t.shape
                                  else value)
                    return
            self._t[target_key] = value

    # -- arithmetic (dispatched through the operator table) -----------------------------------
    def _binary(self, other: Any, tensor_op: str, scalar_op: str, reverse: bool = False) -> Any:
        from . import _dispatch

        if isinstance(other, NDArray):
            args = (other, self) if reverse else (self, other)
            return _dispatch.call(tensor_op, args, {})
        if isinstance(other, numeric_types):
            return _dispatch.call(scalar_op, (self,), {"scalar": other})
        if isinstance(other, np.ndarray):
            return self._binary(array(other, ctx=self.context, dtype=self.dtype), tensor_op,
                                scalar_op, reverse)
        return NotImplemented

    def __add__(self, o): return self._binary(o, "broadcast_add", "_plus_scalar")  # noqa: E704
    def __radd__(self, o): return self._binary(o, "broadcast_add", "_plus_scalar", True)  # noqa: E704
    def __sub__(self, o): return self._binary(o, "broadcast_sub", "_minus_scalar")  # noqa: E704
    def __rsub__(self, o): return self._binary(o, "broadcast_sub", "_rminus_scalar", True)  # noqa: E704
    def __mul__(self, o): return self._binary(o, "broadcast_mul", "_mul_scalar")  # noqa: E704
    def __rmul__(self, o): return self._binary(o, "broadcast_mul", "_mul_scalar", True)  # noqa: E704
    def __truediv__(self, o): return self._binary(o, "broadcast_div", "_div_scalar")  # noqa: E704
    def __rtruediv__(self, o): return self._binary(o, "broadcast_div", "_rdiv_scalar", True)  # noqa: E704
    def __mod__(self, o): return self._binary(o, "broadcast_mod", "_mod_scalar")  # noqa: E704
    def __rmod__(self, o): return self._binary(o, "broadcast_mod", "_rmod_scalar", True)  # noqa: E704
    def __pow__(self, o): return self._binary(o, "broadcast_power", "_power_scalar")  # noqa: E704
    def __rpow__(self, o): return self._binary(o, "broadcast_power", "_rpower_scalar", True)  # noqa: E704
    def __eq__(self, o): return self._binary(o, "broadcast_equal", "_equal_scalar")  # noqa: E704
    def __ne__(self, o): return self._binary(o, "broadcast_not_equal", "_not_equal_scalar")  # noqa: E704
    def __gt__(self, o): return self._binary(o, "broadcast_greater", "_greater_scalar")  # noqa: E704
    def __ge__(self, o): return self._binary(o, "broadcast_greater_equal", "_greater_equal_scalar")  # noqa: E704,E501
    def __lt__(self, o): return self._binary(o, "broadcast_lesser", "_lesser_scalar")  # noqa: E704
    def __le__(self, o): return self._binary(o, "broadcast_lesser_equal", "_lesser_equal_scalar")  # noqa: E704,E501

    __div__ = __truediv__
    __rdiv__ = __rtruediv__

    def __neg__(self) -> "NDArray":
        return self._binary(-1.0, "", "_mul_scalar")

    def __abs__(self) -> "NDArray":
        from . import _dispatch
        return _dispatch.call("abs", (self,), {})

    def _inplace(self, result: Any) -> "NDArray":
        if result is NotImplemented:
            return result
        with torch.no_grad() if not autograd.is_recording() else _nullcontext():
            self._t.copy_(result._t)
        return self

    def __iadd__(self, o): return self._inplace(self.__add__(o))  # noqa: E704
    def __isub__(self, o): return self._inplace(self.__sub__(o))  # noqa: E704
    def __imul__(self, o): return self._inplace(self.__mul__(o))  # noqa: E704
    def __itruediv__(self, o): return self._inplace(self.__truediv__(o))  # noqa: E704
    def __imod__(self, o): return self._inplace(self.__mod__(o))  # noqa: E704

    __idiv__ = __itruediv__

    def __getstate__(self) -> dict:
        return {"data": self.asnumpy()}

    def __setstate__(self, state: dict) -> None:
        self._t = torch.from_numpy(state["data"])
        self._grad = None
        self._grad_req = "null"
        self._hook = None


class _nullcontext:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


# -- creation ---------------------------------------------------------------------------------
def array(source_array: Any, ctx: Optional[Context] = None, dtype: Any = None) -> NDArray:
    """Creates an array from any object exposing the array interface.

    ``dtype`` defaults to the source's dtype when it is an NDArray or numpy array,
    and to float32 otherwise (as in MXNet).
    """
    if isinstance(source_array, NDArray):
        t = source_array._t.detach()
        return NDArray(t.to(device=_device(ctx), dtype=_dtype(dtype, t.dtype), copy=True))
    if isinstance(source_array, torch.Tensor):
        return NDArray(source_array.detach().to(device=_device(ctx), dtype=_dtype(dtype, source_array.dtype), copy=True))  # noqa: E501
    if isinstance(source_array, np.ndarray):
        default = to_torch_dtype(source_array.dtype) if source_array.dtype != np.float64 \
            else torch.float32
        np_src = source_array
    else:
        np_src = np.array(source_array, dtype=np.float32 if dtype is None else None)
        default = torch.float32
    tdtype = _dtype(dtype, default)
    if np_src.dtype == object:
        raise TypeError(f"cannot create an NDArray from {type(source_array).__name__}")
    t = torch.as_tensor(np.ascontiguousarray(np_src)).to(device=_device(ctx), dtype=tdtype,
                                                          copy=True)
    return NDArray(t)


def _shape(shape: Any) -> tuple:
    return (shape,) if isinstance(shape, int) else tuple(shape)


def empty(shape: Any, ctx: Optional[Context] = None, dtype: Any = None) -> NDArray:
    """Returns a new array of given shape and type, without initializing entries."""
    return NDArray(torch.empty(_shape(shape), device=_device(ctx), dtype=_dtype(dtype)))


def zeros(shape: Any, ctx: Optional[Context] = None, dtype: Any = None, **kwargs: Any) -> NDArray:
    """Returns a new array filled with all zeros, with the given shape and type."""
    return NDArray(torch.zeros(_shape(shape), device=_device(ctx), dtype=_dtype(dtype)))


def ones(shape: Any, ctx: Optional[Context] = None, dtype: Any = None, **kwargs: Any) -> NDArray:
    """Returns a new array filled with all ones, with the given shape and type."""
    return NDArray(torch.ones(_shape(shape), device=_device(ctx), dtype=_dtype(dtype)))


def full(shape: Any, val: Any, ctx: Optional[Context] = None, dtype: Any = None,
         out: Optional[NDArray] = None) -> NDArray:
    """Returns a new array of given shape and type, filled with the given value `val`."""
    res = NDArray(torch.full(_shape(shape), val, device=_device(ctx), dtype=_dtype(dtype)))
    if out is not None:
        out[:] = res
        return out
    return res


def arange(start: float, stop: Optional[float] = None, step: float = 1.0, repeat: int = 1,
           infer_range: bool = False, ctx: Optional[Context] = None, dtype: Any = None) -> NDArray:
    """Returns evenly spaced values within a given interval (float32 by default, as MXNet)."""
    if stop is None:
        start, stop = 0, start
    t = torch.arange(start, stop, step, device=_device(ctx), dtype=torch.float64)
    if repeat != 1:
        t = t.repeat_interleave(repeat)
    return NDArray(t.to(_dtype(dtype)))


def eye(N: int, M: int = 0, k: int = 0, ctx: Optional[Context] = None, dtype: Any = None) -> NDArray:
    """Return a 2-D array with ones on the diagonal and zeros elsewhere."""
    return NDArray(torch.from_numpy(np.eye(N, M or N, k, dtype=np.float64)).to(
        device=_device(ctx), dtype=_dtype(dtype)))


def linspace(start: float, stop: float, num: int, endpoint: bool = True,
             ctx: Optional[Context] = None, dtype: Any = None) -> NDArray:
    """Return evenly spaced numbers within a specified interval."""
    return NDArray(torch.from_numpy(np.linspace(start, stop, num, endpoint=endpoint)).to(
        device=_device(ctx), dtype=_dtype(dtype)))


def full_like(data: NDArray, fill_value: Any, **kwargs: Any) -> NDArray:
    return NDArray(torch.full_like(data._t, fill_value))


def concatenate(arrays: Sequence[NDArray], axis: int = 0, always_copy: bool = True) -> NDArray:
    """Concatenates a list of NDArrays along the first dimension (or ``axis``)."""
    return NDArray(torch.cat([a._t for a in arrays], dim=axis))


def moveaxis(tensor: NDArray, source: int, destination: int) -> NDArray:
    return NDArray(torch.movedim(tensor._t, source, destination))


def waitall() -> None:
    """Wait for all async operations to finish (synchronizes every CUDA device)."""
    if torch.cuda.is_available():
        torch.cuda.synchronize()
