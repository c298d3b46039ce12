"""NDArray: a torch.Tensor with MXNet's behaviour at the API boundary."""
from __future__ import annotations

import contextlib
import math
import operator
import warnings
from typing import Any, Callable, Optional, Sequence

import numpy as np
import torch

from .. import autograd
from ..base import MXNetError, integer_types, numeric_types, to_numpy_dtype, to_torch_dtype
from ..context import Context, context_of, current_context

__all__ = ["NDArray", "array", "empty", "zeros", "ones", "full", "arange", "eye", "linspace",
           "waitall", "concatenate", "moveaxis", "add", "subtract", "multiply", "divide",
           "true_divide", "modulo", "power", "maximum", "minimum", "equal", "not_equal", "greater",
           "greater_equal", "lesser", "lesser_equal", "logical_and", "logical_or", "logical_xor",
           "split_v2", "histogram", "onehot_encode", "to_dlpack_for_read", "to_dlpack_for_write",
           "from_dlpack", "from_numpy", "imdecode"]

_GRAD_REQS = ("write", "add", "null")
_state = autograd._state

# MXNet's own words for writing into an array that autograd has recorded.
_INPLACE_IN_GRAPH = (
    "Assigning to NDArrays that are already in a computational graph will cause undefined "
    "behavior when evaluating gradients. Please call backward first to clear the graph or do this "
    "out side of a record section. Also note that you cannot use inplace operations like +=, *=, "
    "relu(x, out=x), y[idx]=x, etc inside a record section.")


def _grad_scope() -> Any:
    """Torch's gradient tracking follows MXNet's recording flag: off outside ``autograd.record``."""
    return contextlib.nullcontext() if _state.recording else torch.no_grad()


def _viewable(t: torch.Tensor) -> torch.Tensor:
    """The tensor to take a view (``x[1:3]``, ``reshape``) of: outside ``autograd.record`` one
    detached from the graph, since MXNet's views made there are plain arrays sharing memory.

    A view that torch makes under ``no_grad`` of a tensor with a gradient stays tied to it: once
    either is written in place, using the view in a recorded operation is an error in torch.
    A view of the detached tensor carries no such tie.
    """
    if t.requires_grad and not _state.recording:
        return t.detach()
    return t


def _dtype(dtype: Any, default: torch.dtype = torch.float32) -> torch.dtype:
    return default if dtype is None else to_torch_dtype(dtype)


def _ctx(ctx: Optional[Context]) -> Context:
    return current_context() if ctx is None else ctx


def _call(name: str, *args: Any, **kwargs: Any) -> Any:
    """Run the operator-table entry ``name`` on NDArrays (``nd.<name>``)."""
    from . import _dispatch  # imports this module

    return _dispatch.call(name, args, kwargs)


def owned(result: torch.Tensor, inputs: Sequence[torch.Tensor], fresh: bool = False) -> torch.Tensor:
    """An operator's or a graph's output as MXNet hands it out: its own contiguous memory, at
    least 1-d.

    Torch returns views or the input itself for reshape-like and identity operators (and a graph
    may output one of its inputs); MXNet's outputs never alias their inputs, so writing into an
    output must not change an input. ``fresh`` promises the output is new memory (an operator
    declared with ``fresh_outputs``): the check is skipped.
    """
    if result.dim() == 0:  # MXNet 1.x has no 0-d arrays
        result = result.reshape(1)
    if not result.is_contiguous():
        return result.contiguous()
    if fresh:
        return result
    ptr = result.untyped_storage().data_ptr()
    if any(t is not None and t.untyped_storage().data_ptr() == ptr for t in inputs):
        return result.clone()
    return result


class _GradSink:
    """Where the gradient of a leaf goes: torch accumulates into ``t.grad``, MXNet writes (or adds)
    into a persistent buffer that the user and the Trainer hold. The tensor's hook holds this sink,
    not the NDArray: a hook holding the NDArray made a cycle through the C++ tensor that Python's
    garbage collector cannot see, so no array with a gradient was ever freed."""

    __slots__ = ("buffer", "add", "fresh")

    def __init__(self, buffer: torch.Tensor, add: bool):
        self.buffer = buffer
        self.add = add
        self.fresh = False

    def __call__(self, t: torch.Tensor) -> None:
        g, t.grad = t.grad, None
        with torch.no_grad():
            if self.add:
                self.buffer.add_(g)
            else:
                self.buffer.copy_(g)
        self.fresh = True


class NDArray:
    """An n-dimensional array of one element type, on one device, with MXNet's API.

    Wraps a ``torch.Tensor`` (``_t``); the wrapper gives it MXNet's API: numpy dtypes, contexts,
    ``asnumpy``, reshape codes, in-place slice assignment and gradient buffers.

    Parameters
    ----------
    tensor : torch.Tensor
        The data.
    ctx : Context, optional
        The context the array belongs to; defaults to the one of the tensor's device. Given when
        it carries more than the device does (``cpu(1)``).
    """

    # _history: (record, output index) on an array an operator made while autograd recorded, the
    # record being (table entry, attributes as given, input arrays); autograd.get_symbol reads it
    __slots__ = ("_t", "_ctx", "_grad", "_grad_req", "_hook", "_sink", "_graph_inputs",
                 "_history", "__weakref__")
    # Make numpy defer to NDArray's reflected operators (np.float32(2) * nd -> NDArray).
    __array_priority__ = 1000.0

    def __init__(self, tensor: torch.Tensor, ctx: Optional[Context] = None):
        self._t = tensor
        self._ctx = ctx
        self._grad: Optional[NDArray] = None
        self._grad_req = "null"
        self._hook = None
        self._sink: Optional[_GradSink] = None
        # set on a recorded output torch cannot differentiate: the inputs it depends on
        self._graph_inputs: tuple = ()

    # -- properties -------------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        """The size of each dimension, as a tuple of ints."""
        return tuple(self._t.shape)

    @property
    def size(self) -> int:
        """How many elements the array holds (the product of its shape)."""
        return self._t.numel()

    @property
    def ndim(self) -> int:
        """How many dimensions the array has."""
        return self._t.dim()

    @property
    def dtype(self) -> Any:
        """Data-type of the array's elements, as a numpy type (``numpy.float32``)."""
        return to_numpy_dtype(self._t.dtype)

    @property
    def context(self) -> Context:
        """The Context (device) the array lives on."""
        return self._ctx if self._ctx is not None else context_of(self._t.device)

    ctx = context

    @property
    def stype(self) -> str:
        """Storage-type of the array: always 'default' (dense)."""
        return "default"

    @property
    def writable(self) -> bool:
        """Whether the array can be written to (always True)."""
        return True

    @property
    def T(self) -> "NDArray":
        """The array with its axes in reverse order, as a copy (the array itself when it has
        fewer than two dimensions, as in MXNet)."""
        if self._t.dim() < 2:
            return self
        with _grad_scope():
            t = self._t.permute(*reversed(range(self._t.dim()))).contiguous()
        return NDArray(t, self._ctx)

    @property
    def handle(self) -> torch.Tensor:
        """The underlying torch tensor."""
        return self._t

    def __len__(self) -> int:
        """Number of elements along the first axis."""
        return self.shape[0]

    def __repr__(self) -> str:
        """The values followed by ``<NDArray shape @context>``, as MXNet prints arrays."""
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
        """The values of this array as a new host ``numpy.ndarray`` (bfloat16 reads as float32)."""
        t = self._t.detach()
        if t.dtype == torch.bfloat16:
            t = t.float()
        return t.cpu().numpy().copy()

    def asscalar(self) -> Any:
        """The single element of a one-element array, as a numpy scalar.

        Same as ``self.asnumpy().reshape(1)[0]``; any other size raises ValueError.

        Returns
        -------
        a scalar of the array's numpy dtype (``numpy.float32``...)
        """
        if self.size != 1:
            raise ValueError(f"The current array is not a scalar: it has shape {self.shape}")
        return self.asnumpy().reshape(1)[0]

    def astype(self, dtype: Any, copy: bool = True) -> "NDArray":
        """Cast this array to another element type.

        Parameters
        ----------
        dtype : numpy.dtype or str
            The element type wanted.
        copy : bool
            Default `True`: the result is always a new array on this array's context. With `False`,
            an array that already has ``dtype`` is returned itself.

        Returns
        -------
        NDArray
            The cast array (``self`` when ``copy=False`` and nothing needs casting).
        """
        tdtype = to_torch_dtype(dtype)
        if not copy and tdtype == self._t.dtype:
            return self
        with _grad_scope():
            return NDArray(self._t.to(tdtype, copy=True), self._ctx)

    def copy(self) -> "NDArray":
        """Makes a copy of this ``NDArray``, keeping the same context.

        Returns
        -------
        NDArray
            A new array holding the same values.
        """
        with _grad_scope():
            return NDArray(self._t.clone(), self._ctx)

    def copyto(self, other: "NDArray | Context") -> Any:
        """Copies the value of this array to another array or to a device.

        Given an ``NDArray``, its shape must equal this array's; the values are written into it
        (converted to its dtype). Given a ``Context``, a new array is made there holding the values.

        Parameters
        ----------
        other : NDArray or Context
            Where the values go.

        Returns
        -------
        NDArray
            ``other`` itself when it is an array, else the new array. Copying an array onto itself
            warns and returns False, as MXNet does.
        """
        if isinstance(other, NDArray):
            if other._t is self._t:
                import warnings
                warnings.warn("You are attempting to copy an array to itself", RuntimeWarning,
                              stacklevel=2)
                return False
            if other.shape != self.shape:
                raise MXNetError(f"copyto: shape mismatch, source {self.shape} vs target "
                                 f"{other.shape}")
            src = self._t
            dst = other._write_target(src.requires_grad, True)
            dst.copy_(src.detach() if dst is not other._t and src.requires_grad else src)
            return other
        if isinstance(other, Context):
            with _grad_scope():
                return NDArray(self._t.to(other.torch_device, copy=True), other)
        raise TypeError(f"copyto does not support type {type(other)}")

    def as_in_context(self, context: Context) -> "NDArray":
        """This array's values on ``context``.

        No copy is made when the array already lives on ``context``: ``self`` comes back.

        Parameters
        ----------
        context : Context
            The device wanted.

        Returns
        -------
        NDArray
            ``self`` or a copy on ``context``.
        """
        if self.context == context:
            return self
        return self.copyto(context)

    as_in_ctx = as_in_context

    def tostype(self, stype: str) -> "NDArray":
        """A copy of the array in storage type ``stype``.

        mxtorch arrays are always dense, so ``'default'`` is the one type accepted.
        """
        if stype != "default":
            raise MXNetError(f"storage type {stype!r} is not supported by mxtorch; only 'default' "
                             "(dense) arrays exist")
        return self.copy()

    def wait_to_read(self) -> None:
        """Block until pending writes to this array are done (a CUDA synchronize; CPU is eager)."""
        if self._t.is_cuda:
            torch.cuda.synchronize(self._t.device)

    def detach(self) -> "NDArray":
        """The same memory as a new NDArray that autograd does not trace back through."""
        return NDArray(self._t.detach(), self._ctx)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        a = self.asnumpy()
        return a if dtype is None else a.astype(dtype)

    def __float__(self) -> float:
        return float(self.asscalar())

    def __int__(self) -> int:
        return int(self.asscalar())

    def to_dlpack_for_read(self) -> Any:
        """This array as a DLPack capsule sharing its memory (reading and writing alike)."""
        return torch.utils.dlpack.to_dlpack(self._t.detach())

    to_dlpack_for_write = to_dlpack_for_read

    # -- autograd ---------------------------------------------------------------------------
    def attach_grad(self, grad_req: str = "write", stype: Optional[str] = None) -> None:
        """Give this array a zero-filled gradient buffer, making it a variable for ``backward``.

        Parameters
        ----------
        grad_req : {'write', 'add', 'null'}
            What a backward pass does with the buffer: ``'write'`` replaces its content, ``'add'``
            accumulates into it across passes, ``'null'`` computes no gradient for this array.
        stype : str, optional
            Storage type of the buffer; only the dense ``'default'`` (or None) exists in mxtorch.
        """
        if stype not in (None, "default"):
            raise MXNetError(f"gradient storage type {stype!r} is not supported; only 'default'")
        buf = torch.zeros_like(self._t, memory_format=torch.contiguous_format)
        self._mark_variable(NDArray(buf, self._ctx), grad_req)

    def _mark_variable(self, grad_buf: Optional["NDArray"], grad_req: str) -> None:
        """Make this array a leaf of autograd whose gradient goes to ``grad_buf``."""
        if grad_req not in _GRAD_REQS:
            raise ValueError(f"grad_req must be one of {list(_GRAD_REQS)}, got {grad_req!r}")
        if grad_buf is not None and grad_buf.shape != self.shape:
            raise MXNetError(f"gradient buffer of shape {grad_buf.shape} does not match the "
                             f"variable's shape {self.shape}")
        if self._hook is not None:
            self._hook.remove()
            self._hook = None
        # A recorded result (or a view) becomes a fresh leaf sharing its memory, as in MXNet.
        t = self._t
        if t.grad_fn is not None or t._is_view() or t.requires_grad:
            t = t.detach()
        self._grad_req = grad_req
        self._grad = grad_buf
        if grad_req == "null" or not (t.is_floating_point() or t.is_complex()):
            # integer arrays keep their (zero) buffer but torch cannot differentiate them
            self._t = t
            return
        if grad_buf is None:
            raise MXNetError(f"grad_req {grad_req!r} needs a gradient buffer")
        self._t = t.requires_grad_(True)
        self._sink = _GradSink(grad_buf._t, add=grad_req == "add")
        self._hook = self._t.register_post_accumulate_grad_hook(self._sink)

    @property
    def _fresh_grad(self) -> bool:
        """Whether a backward pass wrote the gradient since the Trainer last used it."""
        return self._sink is not None and self._sink.fresh

    @_fresh_grad.setter
    def _fresh_grad(self, value: bool) -> None:
        if self._sink is not None:
            self._sink.fresh = value

    @property
    def grad(self) -> Optional["NDArray"]:
        """The gradient buffer ``attach_grad`` gave this array, or None."""
        return self._grad

    @property
    def grad_req(self) -> str:
        """How the gradient of this array is stored: 'write', 'add' or 'null'."""
        return self._grad_req

    def backward(self, out_grad: Optional["NDArray"] = None, retain_graph: bool = False,
                 train_mode: bool = True) -> None:
        """Run a backward pass from this array, filling the gradient buffers of the variables it depends on.

        Parameters
        ----------
        out_grad : NDArray, optional
            The head gradient; ones of this array's shape when None.
        retain_graph : bool, optional
            Keep the recorded graph so that another backward pass can run through it; it is freed
            otherwise.
        train_mode : bool, optional
            Whether operators run their training behaviour (dropout...) during the pass.
        """
        autograd.backward([self], None if out_grad is None else [out_grad],
                          retain_graph=retain_graph, train_mode=train_mode)

    def _write_target(self, value_grad: bool, whole: bool) -> torch.Tensor:
        """The tensor an in-place write into this array goes through, following MXNet's rules.

        MXNet's writes are writes to memory: outside ``record()`` (or inside ``pause()``) they
        never touch the graph, and a backward pass run later reads the memory as it is then.
        Torch's ``.data`` alias gives exactly that: it shares the storage but neither the autograd
        history nor the version counter, so the write neither trips torch's checks on views made
        without gradients nor its check on tensors saved for backward. Inside ``record()`` MXNet
        refuses to write into an array that is part of the graph (a variable, a recorded result
        or a view of one). A recorded value copied over the whole of a plain array (``x[:] = y``,
        ``out=x``) is recorded: the array becomes the copy's output. Copied over the whole of a
        view of a plain array (``out=x[1:3]``) it lands in memory without joining the array to
        the graph, as in MXNet, whose views are arrays of their own. Any other write of a
        recorded value (into a slice, ``+=``) would make the array both input and output of the
        write, and MXNet refuses it.

        ``value_grad`` says whether the value written is a recorded result, ``whole`` whether the
        write covers the whole array. The caller detaches the value when the tensor returned is
        not ``self._t``.
        """
        t = self._t
        if _state.recording and (value_grad or t.requires_grad):
            if t.requires_grad or not whole:
                raise MXNetError(_INPLACE_IN_GRAPH)
            if not t._is_view():
                return t  # recorded: the array becomes the copy's output in the graph
        return t.data

    # -- shape manipulation -----------------------------------------------------------------
    def reshape(self, *shape: Any, **kwargs: Any) -> "NDArray":
        """A **view** of this array with another shape (the data are shared, not copied).

        Parameters
        ----------
        shape : tuple of int, or n ints
            The wanted shape; its product must be this array's size. Besides positive sizes, MXNet's
            special codes apply:

            - ``0`` keeps the input dimension at that position;
            - ``-1`` is computed so that the total size is unchanged (at most one);
            - ``-2`` takes all the remaining input dimensions as they are;
            - ``-3`` merges two consecutive input dimensions into their product;
            - ``-4`` splits one input dimension into the two sizes that follow it (one may be -1).
        reverse : bool, default False
            Match the special codes against the input shape from the right instead of the left.

        Returns
        -------
        NDArray
            A view with the new shape.

        Examples
        --------
        >>> mx.nd.zeros((2, 3, 4)).reshape((0, -1)).shape
        (2, 12)
        >>> mx.nd.zeros((2, 3, 4)).reshape((-3, 4)).shape
        (6, 4)
        """
        reverse = kwargs.pop("reverse", False)
        if "shape" in kwargs:
            shape = kwargs.pop("shape")
        elif len(shape) == 1 and isinstance(shape[0], (list, tuple)):
            shape = shape[0]
        if kwargs:
            raise TypeError(f"Got unknown keywords in reshape: {', '.join(kwargs)}. "
                            "Accepted keyword arguments are 'shape' and 'reverse'.")
        from ..ops.tensor import infer_reshape

        target = infer_reshape(self.shape, tuple(int(d) for d in shape), reverse)
        return NDArray(_viewable(self._t).reshape(target), self._ctx)

    def reshape_like(self, other: "NDArray") -> "NDArray":
        """Reshapes this array to the shape of ``other`` (sharing data)."""
        return self.reshape(other.shape)

    # -- fluent methods whose signature or semantics differ from their operator's ----------------
    def flatten(self, inplace: bool = False) -> "NDArray":
        """Collapse every dimension after the first: ``(d1, d2, ..., dk)`` becomes ``(d1, d2*...*dk)``.

        Parameters
        ----------
        inplace : bool, default False
            With True the result is a **view** sharing this array's data; with False (the
            ``Flatten`` operator) it is a new array.

        Returns
        -------
        NDArray
            The two-dimensional array.
        """
        return self.reshape((0, -1)) if inplace else _call("Flatten", self)

    def expand_dims(self, axis: int, inplace: bool = False) -> "NDArray":
        """Insert a dimension of size 1 at position ``axis``.

        Parameters
        ----------
        axis : int
            Where the new dimension goes, in ``[-ndim - 1, ndim]`` for an ``ndim``-dimensional array
            (negative values count from the end of the result).
        inplace : bool, default False
            With True the result is a **view** sharing this array's data; otherwise a new array.

        Returns
        -------
        NDArray
            The array with one more dimension.
        """
        if not inplace:
            return _call("expand_dims", self, axis=axis)
        new_shape = list(self.shape)
        if not -len(new_shape) - 1 <= axis <= len(new_shape):
            raise MXNetError(f"axis {axis} is out of range for {len(new_shape)}d array")
        new_shape.insert(axis + len(new_shape) + 1 if axis < 0 else axis, 1)
        return self.reshape(new_shape)

    def squeeze(self, axis: Any = None, inplace: bool = False) -> "NDArray":
        """Drop dimensions of size 1.

        Parameters
        ----------
        axis : int, tuple of int, or None
            The dimensions to drop; all size-1 dimensions when None. Naming a dimension whose size is
            not 1 raises ``MXNetError``.
        inplace : bool, default False
            With True the result is a **view** sharing this array's data; otherwise a new array.
        """
        if not inplace:
            return _call("squeeze", self, axis=axis)
        shape = self.shape
        axes = [axis] if isinstance(axis, int) else list(axis or ())
        if len(axes) != len(set(axes)):
            raise MXNetError(f"axis {axis} contains duplicate which is not allowed.")
        for a in axes:
            if not -len(shape) <= a < len(shape):
                raise MXNetError(f"axis {a} is out of range for {len(shape)}d array")
            if shape[a] != 1:
                raise MXNetError(f"Squeeze target axis {a} must be size 1, got {shape[a]}.")
        drop = {a % len(shape) for a in axes} if axes else {i for i, d in enumerate(shape) if d == 1}
        return self.reshape([d for i, d in enumerate(shape) if i not in drop] or [1])

    def broadcast_to(self, shape: Any) -> "NDArray":
        """A copy of this array repeated along its size-1 axes to fill ``shape``.

        Only size-1 axes are repeated; ``shape`` may add leading dimensions but never drop any, so
        ``(2, 1)`` and ``(3,)`` both broadcast to ``(2, 3)``.

        Parameters
        ----------
        shape : tuple of int
            The target shape.

        Returns
        -------
        NDArray
            A new array of ``shape`` (a copy even when the shape is unchanged).
        """
        shape = tuple(shape)
        cur_shape = self.shape
        err = (f"operands could not be broadcast together with remapped shapes"
               f"[original->remapped]: {cur_shape} and requested shape {shape}")
        if len(shape) < len(cur_shape):
            raise ValueError(err)
        padded = (1,) * (len(shape) - len(cur_shape)) + cur_shape
        if any(c != s and c != 1 for c, s in zip(padded, shape)):
            raise ValueError(err)
        return _call("broadcast_to", self.reshape(padded) if padded != cur_shape else self,
                     shape=shape)

    def broadcast_like(self, other: "NDArray") -> "NDArray":
        """A copy of this array repeated along its size-1 axes to fill ``other.shape``.

        The rules are those of ``broadcast_to``.

        Parameters
        ----------
        other : NDArray
            The array whose shape is the target.

        Returns
        -------
        NDArray
            A new array with ``other``'s shape (a copy even when the shapes already agree).
        """
        return self.broadcast_to(other.shape)

    def split_v2(self, *args: Any, **kwargs: Any) -> Any:
        """Fluent form of :py:func:`split_v2` with this array as ``ary``."""
        return split_v2(self, *args, **kwargs)

    def slice_assign(self, rhs: "NDArray", begin: Any, end: Any, step: Any) -> "NDArray":
        """Write ``rhs`` into the strided region ``begin:end:step`` of this array, in place.

        Parameters
        ----------
        rhs: NDArray.
            The values; its shape is the region's shape, its dtype and device this array's.
        begin: tuple of int
            First index of the region on each axis.
        end: tuple of int
            End index (exclusive) on each axis.
        step: tuple of int
            Stride on each axis.

        Returns
        -------
        NDArray
            This array.
        """
        return _call("_slice_assign", self, rhs, begin=begin, end=end, step=step, out=self)

    def slice_assign_scalar(self, value: Any, begin: Any, end: Any, step: Any) -> "NDArray":
        """Fill the strided region ``begin:end:step`` of this array with one number, in place.

        The number is converted to this array's dtype.

        Parameters
        ----------
        value: numeric value
            The fill value.
        begin: tuple of int
            First index of the region on each axis.
        end: tuple of int
            End index (exclusive) on each axis.
        step: tuple of int
            Stride on each axis.

        Returns
        -------
        NDArray
            This array.
        """
        return _call("_slice_assign_scalar", self, scalar=value, begin=begin, end=end, step=step,
                     out=self)

    # -- indexing ---------------------------------------------------------------------------
    def __getitem__(self, key: Any) -> "NDArray":
        """x.__getitem__(i) <=> x[i]

        Returns a sliced view of this array if the elements fetched are contiguous in memory;
        otherwise, returns a newly created NDArray (as MXNet does). Integer, slice, ``None``,
        ``...`` and integer-array (advanced) indices follow numpy, except that a result with no
        dimensions has shape ``(1,)``.
        """
        if type(key) is slice and key.start is None and key.stop is None and key.step in (None, 1):
            return self  # as in MXNet: so ``x[:] -= y`` is ``x -= y`` then a no-op write-back
        t = _viewable(self._t)
        if type(key) is int and t.dim() > 0:
            _check_int_bound(key, t.shape[0], 0)
            out = t[key]
        else:
            index, flips = _normalize_key(key, t)
            if flips:
                t = t.flip(flips)
            out = t[index]
        if out.dim() == 0:  # MXNet 1.x has no 0-d arrays: x[i] of a vector has shape (1,)
            out = out.reshape(1)
        elif not out.is_contiguous():  # MXNet copies what is not one block of memory
            out = out.contiguous()
        return NDArray(out, self._ctx)

    def __setitem__(self, key: Any, value: Any) -> None:
        """x.__setitem__(i, y) <=> x[i]=y

        Sets ``self[key]`` to ``value``, broadcasting it and casting it to this array's dtype.
        ``value`` is an NDArray, a numeric scalar, a numpy array or a (nested) list. The write
        goes to memory (see ``_write_target`` for what ``autograd.record()`` allows).
        """
        t = self._t
        if isinstance(value, NDArray):
            value = value._t
        elif isinstance(value, (np.ndarray, list, tuple)):
            value = torch.as_tensor(np.asarray(value))
        elif not isinstance(value, numeric_types) and not isinstance(value, torch.Tensor):
            raise TypeError(f"NDArray does not support assignment with {value!r} of type "
                            f"{type(value)}")
        whole = type(key) is slice and key == slice(None)
        if isinstance(value, torch.Tensor):
            if value.dtype != t.dtype or value.device != t.device:
                value = value.to(device=t.device, dtype=t.dtype)
            dst = self._write_target(value.requires_grad, whole)
            if dst is not t and value.requires_grad:
                value = value.detach()  # a write outside record() is not recorded
            if value.untyped_storage().data_ptr() == t.untyped_storage().data_ptr():
                if _same_place(value, dst if whole else _basic_region(dst, key)):
                    return  # x[:] = x, and the write-back of ``x[a:b] += y``: already there
                value = value.clone()  # x[a] = x[b]: read all of the source before writing
        else:
            value = _cast_scalar(value, t.dtype)
            dst = self._write_target(False, whole)
        try:
            if whole:
                if isinstance(value, torch.Tensor):
                    dst.copy_(value)
                else:
                    dst.fill_(value)
                return
            index, flips = _normalize_key(key, dst)
            if flips:
                _set_flipped(dst, index, flips, value)
            else:
                dst[index] = value
        except RuntimeError as err:
            shape = tuple(value.shape) if isinstance(value, torch.Tensor) else ()
            raise ValueError(f"cannot assign a value of shape {shape} to NDArray of shape "
                             f"{self.shape} at index {key!r}: {err}") from None

    # -- arithmetic: the module's functions (add, subtract, ...) as MXNet's NDArray does -------
    def __add__(self, o): return add(self, o)  # noqa: E704
    def __radd__(self, o): return add(self, o)  # noqa: E704  (MXNet's order: np + x is a TypeError)
    def __sub__(self, o): return subtract(self, o)  # noqa: E704
    def __rsub__(self, o): return subtract(o, self)  # noqa: E704
    def __mul__(self, o): return multiply(self, o)  # noqa: E704
    def __rmul__(self, o): return multiply(self, o)  # noqa: E704
    def __truediv__(self, o): return divide(self, o)  # noqa: E704
    def __rtruediv__(self, o): return divide(o, self)  # noqa: E704
    def __mod__(self, o): return modulo(self, o)  # noqa: E704
    def __rmod__(self, o): return modulo(o, self)  # noqa: E704
    def __pow__(self, o): return power(self, o)  # noqa: E704
    def __rpow__(self, o): return power(o, self)  # noqa: E704
    def __eq__(self, o): return equal(self, o)  # noqa: E704
    def __ne__(self, o): return not_equal(self, o)  # noqa: E704
    def __gt__(self, o): return greater(self, o)  # noqa: E704
    def __ge__(self, o): return greater_equal(self, o)  # noqa: E704
    def __lt__(self, o): return lesser(self, o)  # noqa: E704
    def __le__(self, o): return lesser_equal(self, o)  # noqa: E704

    __div__ = __truediv__
    __rdiv__ = __rtruediv__

    def __neg__(self) -> "NDArray":
        return _call("_mul_scalar", self, scalar=-1.0)

    def __abs__(self) -> "NDArray":
        return _call("abs", self)

    def _inplace(self, other: Any, method: Any, torch_op: Optional[str] = None) -> "NDArray":
        """``self op= other``: the result is written into this array's memory (MXNet runs the
        operator with ``out=self``). ``torch_op`` names the torch in-place method that computes
        it in one pass when both sides are of this array's floating dtype."""
        t = self._t
        o = other._t if isinstance(other, NDArray) else None
        dst = self._write_target(o is not None and o.requires_grad, False)
        if torch_op is not None and t.is_floating_point():
            if o is not None and o.dtype == t.dtype and o.device == t.device:
                fast = o.detach() if o.requires_grad else o
            elif type(other) in (int, float):
                fast = float(other)
            else:
                fast = None
            if fast is not None:
                try:
                    getattr(dst, torch_op)(fast)
                    return self
                except RuntimeError:
                    pass  # shapes torch does not broadcast in place, or overlapping memory
        result = method(other)
        if result.shape != self.shape:
            raise MXNetError(f"in-place operation: the result of shape {result.shape} cannot be "
                             f"stored in an array of shape {self.shape} (shape inconsistent)")
        r = result._t
        dst.copy_(r.detach() if r.requires_grad else r)
        return self

    def __iadd__(self, o): return self._inplace(o, self.__add__, "add_")  # noqa: E704
    def __isub__(self, o): return self._inplace(o, self.__sub__, "sub_")  # noqa: E704
    def __imul__(self, o): return self._inplace(o, self.__mul__, "mul_")  # noqa: E704
    def __itruediv__(self, o): return self._inplace(o, self.__truediv__, "div_")  # noqa: E704
    def __imod__(self, o): return self._inplace(o, self.__mod__)  # noqa: E704

    __idiv__ = __itruediv__

    def __getstate__(self) -> dict:
        return {"data": self.asnumpy(), "dtype": str(self._t.dtype).replace("torch.", "")}

    def __setstate__(self, state: dict) -> None:
        self._t = torch.from_numpy(state["data"]).to(to_torch_dtype(state.get("dtype", "float32")))
        self._ctx = None
        self._grad = None
        self._grad_req = "null"
        self._hook = None
        self._sink = None
        self._graph_inputs = ()


# -- indexing helpers ---------------------------------------------------------------------------
def _check_int_bound(index: int, size: int, axis: int) -> None:
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of bounds for axis {axis} with size {size}")


def _index_array(entry: Any, device: torch.device) -> Any:
    """An integer-array index as a long tensor (0-d numpy arrays become ints).

    Booleans count as the integers 0 and 1, as in MXNet 1.x's legacy (non-numpy) mode.
    """
    if isinstance(entry, NDArray):
        if entry._t.dtype == torch.bool:
            raise ValueError("Cannot perform boolean indexing in legacy mode: MXNet 1.x NDArrays "
                             "index with integer arrays only")
        return entry._t.detach().to(device=device, dtype=torch.long)
    if isinstance(entry, torch.Tensor):
        return entry.detach().to(device=device, dtype=torch.long)
    arr = np.asarray(entry)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"NDArray does not support slicing with key {entry!r} of type "
                         f"{type(entry)}.")
    if arr.ndim == 0:
        return int(arr)
    return torch.as_tensor(arr.astype(np.int64), device=device)


def _normalize_key(key: Any, t: torch.Tensor) -> tuple:
    """Turn an MXNet indexing key into a torch one with numpy's semantics.

    Returns ``(index, flip_dims)``: slices with a negative step become positive slices of the
    source flipped along ``flip_dims`` (torch slices only step forward). When any integer-array
    index is present, integers become one-element arrays so that the result's dimensions are
    arranged as numpy arranges them.
    """
    entries = list(key) if isinstance(key, tuple) else [key]
    normalized: list = []
    for entry in entries:
        if entry is None or entry is Ellipsis or isinstance(entry, slice):
            normalized.append(entry)
        elif isinstance(entry, (int, np.integer)):
            normalized.append(int(entry))
        elif isinstance(entry, (NDArray, torch.Tensor, np.ndarray, list)):
            normalized.append(_index_array(entry, t.device))
        else:
            raise ValueError(f"NDArray does not support slicing with key {entry!r} of type "
                             f"{type(entry)}.")
    n_ellipsis = sum(e is Ellipsis for e in normalized)
    if n_ellipsis > 1:
        raise IndexError("Cannot use more than one ellipsis (`...`) for indexing")
    consumed = sum(e is not None and e is not Ellipsis for e in normalized)
    if consumed > t.dim():
        raise IndexError(f"too many indices ({consumed}) for array with {t.dim()} dimensions")
    if n_ellipsis:
        at = normalized.index(Ellipsis)
        normalized[at:at + 1] = [slice(None)] * (t.dim() - consumed)
    flips: list = []
    advanced = any(isinstance(e, torch.Tensor) for e in normalized)
    axis = 0
    for i, entry in enumerate(normalized):
        if entry is None:
            continue
        size = t.shape[axis]
        if isinstance(entry, int):
            _check_int_bound(entry, size, axis)
            if advanced:
                normalized[i] = torch.tensor([entry], device=t.device)
        elif isinstance(entry, slice):
            normalized[i] = _forward_slice(entry, size, axis, flips)
        axis += 1
    return tuple(normalized), flips


def _forward_slice(s: slice, size: int, axis: int, flips: list) -> slice:
    """A slice with a forward step; a backward one is recorded in ``flips`` and re-expressed
    on the source reversed along ``axis``."""
    step = 1 if s.step is None else operator.index(s.step)
    if step == 0:
        raise ValueError("slice step cannot be zero")
    if step > 0:
        return s
    start, stop, step = s.indices(size)
    count = len(range(start, stop, step))
    flips.append(axis)
    if count == 0:
        return slice(0, 0)
    first = size - 1 - start  # position of ``start`` in the reversed axis
    return slice(first, first + (count - 1) * (-step) + 1, -step)


def _basic_region(t: torch.Tensor, key: Any) -> Optional[torch.Tensor]:
    """The view ``t[key]`` for a key of integers and forward slices, else None."""
    entries = key if isinstance(key, tuple) else (key,)
    if not all(type(e) is int or (type(e) is slice and (e.step is None or e.step > 0))
               for e in entries) or len(entries) > t.dim():
        return None
    try:
        return t[key]
    except IndexError:
        return None


def _same_place(a: torch.Tensor, b: Optional[torch.Tensor]) -> bool:
    """Whether ``a`` and ``b`` are the same elements of the same memory."""
    return (b is not None and a.data_ptr() == b.data_ptr() and a.shape == b.shape
            and a.stride() == b.stride())


def _set_flipped(t: torch.Tensor, index: tuple, flips: list, value: Any) -> None:
    """``t[key] = value`` where the key holds backward slices: write through flat positions."""
    positions = torch.arange(t.numel(), device=t.device).reshape(t.shape).flip(flips)[index]
    base = t if t.is_contiguous() else t.contiguous()
    flat = base.view(-1)
    if isinstance(value, torch.Tensor):
        value = value.expand(positions.shape).reshape(-1)
    flat[positions.reshape(-1)] = value
    if base is not t:
        t.copy_(base)


# -- creation ---------------------------------------------------------------------------------
def array(source_array: Any, ctx: Optional[Context] = None, dtype: Any = None) -> NDArray:
    """Make an NDArray holding a copy of ``source_array``.

    Parameters
    ----------
    source_array : array_like
        An NDArray, a ``torch.Tensor``, a numpy array, anything with ``__array__``, or nested
        sequences of numbers.
    ctx : Context, optional
        The device of the result; the current default context when None.
    dtype : str or numpy.dtype, optional
        Element type of the result. When None an NDArray (or tensor) keeps its own dtype and
        anything else becomes `float32` (MXNet's rule, unlike numpy's).

    Returns
    -------
    NDArray
        A new array with the source's values.

    Examples
    --------
    >>> mx.nd.array([1, 2, 3]).dtype
    <class 'numpy.float32'>
    """
    ctx = _ctx(ctx)
    device = ctx.torch_device
    if isinstance(source_array, (NDArray, torch.Tensor)):
        t = source_array._t if isinstance(source_array, NDArray) else source_array
        t = t.detach()
        return NDArray(t.to(device=device, dtype=_dtype(dtype, t.dtype), copy=True), ctx)
    tdtype = _dtype(dtype)
    np_dtype = np.float32 if tdtype == torch.bfloat16 else to_numpy_dtype(tdtype)
    try:
        np_src = np.asarray(source_array, dtype=np_dtype, order="C")
    except (TypeError, ValueError) as err:
        raise TypeError(f"source_array must be array like object, got {type(source_array)}: "
                        f"{err}") from None
    # torch.tensor copies (torch.from_numpy would warn about read-only sources, such as
    # np.asarray(PIL_image), then share their memory)
    return NDArray(torch.tensor(np_src, dtype=tdtype, device=device), ctx)


def _shape(shape: Any) -> tuple:
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(d) for d in shape)


def _check_stype(stype: Optional[str]) -> None:
    if stype not in (None, "default"):
        raise MXNetError(f"storage type {stype!r} is not supported by mxtorch; only 'default'")


def empty(shape: Any, ctx: Optional[Context] = None, dtype: Any = None,
          stype: Optional[str] = None) -> NDArray:
    """A new array of ``shape`` whose content is left uninitialised.

    Parameters
    ----------
    shape : int or tuple of int
        Shape of the result.
    ctx : Context, optional
        Its device; the current default context when None.
    dtype : str or numpy.dtype, optional
        Its element type; `float32` when None.
    stype : str, optional
        Storage type; only the dense ``'default'`` (or None) exists in mxtorch.

    Returns
    -------
    NDArray
        The new array.
    """
    _check_stype(stype)
    ctx = _ctx(ctx)
    return NDArray(torch.empty(_shape(shape), device=ctx.torch_device, dtype=_dtype(dtype)), ctx)


def zeros(shape: Any, ctx: Optional[Context] = None, dtype: Any = None,
          stype: Optional[str] = None, **kwargs: Any) -> NDArray:
    """A new array of ``shape`` holding zeros.

    Parameters
    ----------
    shape : int or tuple of int
        Shape of the result.
    ctx : Context, optional
        Its device; the current default context when None.
    dtype : str or numpy.dtype, optional
        Its element type; `float32` when None.
    stype : str, optional
        Storage type; only the dense ``'default'`` (or None) exists in mxtorch.

    Returns
    -------
    NDArray
        The new array.
    """
    _check_stype(stype)
    ctx = _ctx(ctx)
    return NDArray(torch.zeros(_shape(shape), device=ctx.torch_device, dtype=_dtype(dtype)), ctx)


def ones(shape: Any, ctx: Optional[Context] = None, dtype: Any = None, **kwargs: Any) -> NDArray:
    """A new array of ``shape`` holding ones.

    Parameters
    ----------
    shape : int or tuple of int or list of int
        Shape of the result.
    ctx : Context, optional
        Its device; the current default context (``mx.context.current_context()``) when None.
    dtype : str or numpy.dtype, optional
        Its element type; `float32` when None.

    Returns
    -------
    NDArray
        The new array.
    """
    _check_stype(kwargs.pop("stype", None))
    ctx = _ctx(ctx)
    return NDArray(torch.ones(_shape(shape), device=ctx.torch_device, dtype=_dtype(dtype)), ctx)


def _cast_scalar(value: Any, tdtype: torch.dtype) -> Any:
    """The scalar as an element of ``tdtype`` (2.5 -> 2 for int32, -1 -> 255 for uint8)."""
    if tdtype == torch.bfloat16:
        return float(value)
    return np.array(value).astype(to_numpy_dtype(tdtype)).item()


def full(shape: Any, val: Any, ctx: Optional[Context] = None, dtype: Any = None,
         out: Optional[NDArray] = None) -> NDArray:
    """A new array of ``shape`` with every element equal to ``val``.

    Parameters
    ----------
    shape : int or tuple of int
        Shape of the result.
    val : scalar
        The fill value, converted to ``dtype`` (2.5 becomes 2 in an integer array).
    ctx : Context, optional
        The device; the current default context when None.
    dtype : `str` or `numpy.dtype`, optional
        Element type of the result; `float32` when None.
    out : NDArray, optional
        When given, the values are written into it and it is returned.

    Returns
    -------
    NDArray
        The filled array (``out`` when given).
    """
    ctx = _ctx(ctx)
    tdtype = _dtype(dtype)
    res = NDArray(torch.full(_shape(shape), _cast_scalar(val, tdtype), device=ctx.torch_device,
                             dtype=tdtype), ctx)
    if out is not None:
        out[:] = res
        return out
    return res


def arange(start: float, stop: Optional[float] = None, step: float = 1.0, repeat: int = 1,
           infer_range: Optional[bool] = None, ctx: Optional[Context] = None,
           dtype: Any = None) -> NDArray:
    """Values from ``start`` (inclusive) to ``stop`` (exclusive) in steps of ``step``.

    Element ``i`` is ``start + i * step``, computed in the output dtype, for every ``i`` whose
    value lies before ``stop``: ``stop`` itself is never included, as with Python's ``range`` and
    ``numpy.arange``.

    Parameters
    ----------
    start : number, optional
        First value; when ``stop`` is None it is taken as ``stop`` and the start is 0.
    stop : number
        The bound the values stay below (above, for a negative step).
    step : number, optional
        Distance between consecutive values, 1 by default; 0 raises ``MXNetError``.
    repeat : int, optional
        How many times each value appears in a row (1 by default).
    infer_range : boolean, optional
        Deprecated; has no effect.
    ctx : Context, optional
        The device; the current default context when None.
    dtype : str or numpy.dtype, optional
        Element type; `np.float32` when None.

    Returns
    -------
    NDArray
        The one-dimensional array of values.

    Examples
    --------
    >>> mx.nd.arange(0, 5, 2).asnumpy()
    array([0., 2., 4.], dtype=float32)
    >>> mx.nd.arange(3, repeat=2).asnumpy()
    array([0., 0., 1., 1., 2., 2.], dtype=float32)
    """
    if stop is None:
        start, stop = 0, start
    if step == 0:
        raise MXNetError("arange: step cannot be 0")
    count = max(0, math.ceil((stop - start) / step))
    ctx = _ctx(ctx)
    tdtype = _dtype(dtype)
    # MXNet computes start + i * step in the output dtype (float32: 0.3 * 3 = 0.90000004)
    index = torch.arange(count, device=ctx.torch_device, dtype=tdtype)
    values = index * _cast_scalar(step, tdtype) + _cast_scalar(start, tdtype)
    if repeat != 1:
        values = values.repeat_interleave(int(repeat))
    return NDArray(values, ctx)


def eye(N: int, M: int = 0, k: int = 0, ctx: Optional[Context] = None, dtype: Any = None,
        **kwargs: Any) -> NDArray:
    """A two-dimensional array with ones on one diagonal and zeros everywhere else.

    Parameters
    ----------
    N: int
        Row count.
    M: int, optional
        Column count; 0 means ``N``.
    k: int, optional
        Which diagonal holds the ones: 0 the main one, ``k > 0`` the k-th above it, ``k < 0``
        the k-th below it.
    ctx: Context, optional
        The device; the current default context when None.
    dtype: str or numpy.dtype, optional
        Element type; `float32` when None.

    Returns
    -------
    NDArray
        The ``(N, M)`` array.
    """
    ctx = _ctx(ctx)
    values = np.eye(N, M or N, k, dtype=np.float64)
    return NDArray(torch.from_numpy(values).to(device=ctx.torch_device, dtype=_dtype(dtype)), ctx)


def linspace(start: float, stop: float, num: int, endpoint: bool = True,
             ctx: Optional[Context] = None, dtype: Any = None) -> NDArray:
    """``num`` equally spaced values from ``start`` to ``stop``.

    ``num`` values go from ``start`` towards ``stop`` in equal steps. With ``endpoint=True`` the
    last value is ``stop`` (step ``(stop - start) / (num - 1)``); with ``endpoint=False`` the
    interval is split into ``num`` steps and ``stop`` is left out (step ``(stop - start) / num``).

    Parameters
    ----------
    start : number
        First value.
    stop : number
        Last value, or the excluded bound when ``endpoint`` is False.
    num : number
        How many values to produce (not negative).
    endpoint : bool
        Whether ``stop`` is the last value (True by default).
    ctx : Context, optional
        The device; the current default context when None.
    dtype : str or numpy.dtype, optional
        Element type; `np.float32` when None.

    Returns
    -------
    NDArray
        The one-dimensional array of values.
    """
    ctx = _ctx(ctx)
    values = np.linspace(start, stop, num, endpoint=endpoint)
    return NDArray(torch.from_numpy(values).to(device=ctx.torch_device, dtype=_dtype(dtype)), ctx)


def concatenate(arrays: Sequence[NDArray], axis: int = 0, always_copy: bool = True) -> NDArray:
    """Join arrays along an existing axis (deprecated: ``concat`` is the operator to use).

    Parameters
    ----------
    arrays : list of `NDArray`
        The arrays to join: the same dtype, and the same shape except along ``axis``.
    axis : int
        The axis they are joined along.
    always_copy : bool
        Default `True`. With False, a list holding a single array returns that array itself
        rather than a copy.

    Returns
    -------
    NDArray
        The joined array, on the context of ``arrays[0]``.
    """
    if not arrays:
        raise MXNetError("concatenate: need at least one array")
    if not always_copy and len(arrays) == 1:
        return arrays[0]
    dtypes = {a._t.dtype for a in arrays}
    if len(dtypes) > 1:
        raise MXNetError(f"concatenate: all arrays must have the same dtype, got "
                         f"{sorted(str(d) for d in dtypes)}")
    with _grad_scope():
        return NDArray(torch.cat([a._t for a in arrays], dim=axis), arrays[0]._ctx)


def moveaxis(tensor: NDArray, source: int, destination: int) -> NDArray:
    """Put axis ``source`` at position ``destination``; the other axes keep their relative order.

    Parameters
    ----------
    tensor : mx.nd.array
        The input array.
    source : int or sequence of int
        The axes to move (negative values count from the end; no repeats).
    destination : int or sequence of int
        Their new positions, one per source axis (negative values allowed; no repeats).

    Returns
    -------
    result : mx.nd.array
        A new array with the axes moved.
    """
    with _grad_scope():
        return NDArray(torch.movedim(tensor._t, source, destination).contiguous(), tensor._ctx)


# -- element-wise functions of NDArrays and scalars -------------------------------------------------
_UFUNC_PARAMS = """

    Shapes broadcast as in numpy: aligned from the right, each pair of dimensions must be
    equal or contain a 1.

    Parameters
    ----------
    {lhs} : scalar or mxnet.ndarray.array
        Left operand: an array or a number.
    {rhs} : scalar or mxnet.ndarray.array
        Right operand: an array or a number, broadcast against ``{lhs}``.

    Returns
    -------
    NDArray
        {result} A number when both operands are numbers.
    """


def _ufunc_doc(summary: str, result: str, lhs: str = "lhs", rhs: str = "rhs") -> Callable:
    """Give an element-wise function its docstring: its summary, then the shared sections."""
    def decorate(fn: Callable) -> Callable:
        fn.__doc__ = summary + _UFUNC_PARAMS.format(lhs=lhs, rhs=rhs, result=result)
        return fn
    return decorate


def _ufunc_helper(lhs: Any, rhs: Any, fn_array: str, fn_scalar: Callable, lfn_scalar: str,
                  rfn_scalar: Optional[str] = None) -> Any:
    """Element-wise ``lhs`` op ``rhs`` with an NDArray or a number on either side, dispatched as
    MXNet's ``_ufunc_helper`` does.

    Parameters
    ----------
    lhs, rhs : NDArray or numeric value
        The operands.
    fn_array : str
        The broadcasting operator called when both are NDArrays.
    fn_scalar : callable
        The Python function called when both are numbers.
    lfn_scalar : str
        The scalar operator called as ``lfn_scalar(lhs, scalar=rhs)`` when only ``rhs`` is a number.
    rfn_scalar : str, optional
        The operator called as ``rfn_scalar(rhs, scalar=lhs)`` when only ``lhs`` is a number;
        None for commutative functions, which use ``lfn_scalar`` then.

    Returns
    -------
    NDArray or number
    """
    if isinstance(lhs, numeric_types):
        if isinstance(rhs, numeric_types):
            return fn_scalar(lhs, rhs)
        return _call(rfn_scalar or lfn_scalar, rhs, scalar=float(lhs))
    if isinstance(rhs, numeric_types):
        return _call(lfn_scalar, lhs, scalar=float(rhs))
    if isinstance(rhs, NDArray):
        return _call(fn_array, lhs, rhs)
    raise TypeError(f"type {type(rhs)} not supported")


@_ufunc_doc("""``lhs + rhs`` element by element, broadcasting shapes.

    The same as ``mx.nd.broadcast_add`` (alias ``broadcast_plus``) for two arrays.""",
            "The sums.")
def add(lhs: Any, rhs: Any) -> Any:
    return _ufunc_helper(lhs, rhs, "broadcast_add", operator.add, "_plus_scalar")


@_ufunc_doc("""``lhs - rhs`` element by element, broadcasting shapes.

    The same as ``mx.nd.broadcast_sub`` (alias ``broadcast_minus``) for two arrays.""",
            "The differences.")
def subtract(lhs: Any, rhs: Any) -> Any:
    return _ufunc_helper(lhs, rhs, "broadcast_sub", operator.sub, "_minus_scalar", "_rminus_scalar")


@_ufunc_doc("""``lhs * rhs`` element by element, broadcasting shapes.

    The same as ``mx.nd.broadcast_mul`` for two arrays.""", "The products.")
def multiply(lhs: Any, rhs: Any) -> Any:
    return _ufunc_helper(lhs, rhs, "broadcast_mul", operator.mul, "_mul_scalar")


@_ufunc_doc("""``lhs / rhs`` element by element, broadcasting shapes.

    The same as ``mx.nd.broadcast_div`` for two arrays.""", "The quotients.")
def divide(lhs: Any, rhs: Any) -> Any:
    return _ufunc_helper(lhs, rhs, "broadcast_div", operator.truediv, "_div_scalar", "_rdiv_scalar")


def true_divide(lhs: Any, rhs: Any) -> Any:
    """Another name of :meth:`divide`."""
    return divide(lhs, rhs)


@_ufunc_doc("""``lhs % rhs`` element by element, broadcasting shapes.

    The same as ``mx.nd.broadcast_mod`` for two arrays.""", "The remainders.")
def modulo(lhs: Any, rhs: Any) -> Any:
    return _ufunc_helper(lhs, rhs, "broadcast_mod", operator.mod, "_mod_scalar", "_rmod_scalar")


@_ufunc_doc("""``base ** exp`` element by element, broadcasting shapes.

    The same as ``mx.nd.broadcast_power`` for two arrays.""",
            "Each base raised to its exponent.", lhs="base", rhs="exp")
def power(base: Any, exp: Any) -> Any:
    return _ufunc_helper(base, exp, "broadcast_power", operator.pow, "_power_scalar",
                         "_rpower_scalar")


@_ufunc_doc("""The larger of ``lhs`` and ``rhs`` element by element, broadcasting shapes.

    The same as ``mx.nd.broadcast_maximum`` for two arrays.""", "The maxima.")
def maximum(lhs: Any, rhs: Any) -> Any:
    return _ufunc_helper(lhs, rhs, "broadcast_maximum", lambda x, y: x if x > y else y,
                         "_maximum_scalar")


@_ufunc_doc("""The smaller of ``lhs`` and ``rhs`` element by element, broadcasting shapes.

    The same as ``mx.nd.broadcast_minimum`` for two arrays.""", "The minima.")
def minimum(lhs: Any, rhs: Any) -> Any:
    return _ufunc_helper(lhs, rhs, "broadcast_minimum", lambda x, y: x if x < y else y,
                         "_minimum_scalar")


def _compared(what: str, symbol: str, name: str, when: str) -> Callable:
    """The docstring decorator of the comparison ``name`` (``lhs symbol rhs``)."""
    return _ufunc_doc(f"""``lhs {symbol} rhs`` (**{what}**) element by element, broadcasting shapes.

    Each result is 1 where {when} and 0 elsewhere, in the operands' dtype. The same as
    ``mx.nd.broadcast_{name}`` for two arrays.""", "The 0/1 results.")


@_compared("equal to", "==", "equal", "the two elements are equal")
def equal(lhs: Any, rhs: Any) -> Any:
    return _ufunc_helper(lhs, rhs, "broadcast_equal", lambda x, y: 1 if x == y else 0,
                         "_equal_scalar")


@_compared("not equal to", "!=", "not_equal", "the two elements differ")
def not_equal(lhs: Any, rhs: Any) -> Any:
    return _ufunc_helper(lhs, rhs, "broadcast_not_equal", lambda x, y: 1 if x != y else 0,
                         "_not_equal_scalar")


@_compared("greater than", ">", "greater", "the lhs element is the larger")
def greater(lhs: Any, rhs: Any) -> Any:
    return _ufunc_helper(lhs, rhs, "broadcast_greater", lambda x, y: 1 if x > y else 0,
                         "_greater_scalar", "_lesser_scalar")


@_compared("greater than or equal to", ">=", "greater_equal",
           "the lhs element is not smaller")
def greater_equal(lhs: Any, rhs: Any) -> Any:
    return _ufunc_helper(lhs, rhs, "broadcast_greater_equal", lambda x, y: 1 if x >= y else 0,
                         "_greater_equal_scalar", "_lesser_equal_scalar")


@_compared("lesser than", "<", "lesser", "the lhs element is the smaller")
def lesser(lhs: Any, rhs: Any) -> Any:
    return _ufunc_helper(lhs, rhs, "broadcast_lesser", lambda x, y: 1 if x < y else 0,
                         "_lesser_scalar", "_greater_scalar")


@_compared("lesser than or equal to", "<=", "lesser_equal",
           "the lhs element is not larger")
def lesser_equal(lhs: Any, rhs: Any) -> Any:
    return _ufunc_helper(lhs, rhs, "broadcast_lesser_equal", lambda x, y: 1 if x <= y else 0,
                         "_lesser_equal_scalar", "_greater_equal_scalar")


def _logical(what: str, when: str, expression: str) -> Callable:
    """The docstring decorator of the logical function ``logical_<what>``."""
    return _ufunc_doc(f"""**Logical {what}** of ``lhs`` and ``rhs`` element by element, broadcasting shapes.

    Each result is 1 where {when} and 0 elsewhere (``{expression}``). The same as
    ``mx.nd.broadcast_logical_{what}`` for two arrays.""", "The 0/1 results.")


@_logical("and", "both elements are non-zero", "lhs and rhs")
def logical_and(lhs: Any, rhs: Any) -> Any:
    return _ufunc_helper(lhs, rhs, "broadcast_logical_and", lambda x, y: 1 if x and y else 0,
                         "_logical_and_scalar")


@_logical("or", "at least one element is non-zero", "lhs or rhs")
def logical_or(lhs: Any, rhs: Any) -> Any:
    return _ufunc_helper(lhs, rhs, "broadcast_logical_or", lambda x, y: 1 if x or y else 0,
                         "_logical_or_scalar")


@_logical("xor", "exactly one element is non-zero", "bool(lhs) ^ bool(rhs)")
def logical_xor(lhs: Any, rhs: Any) -> Any:
    return _ufunc_helper(lhs, rhs, "broadcast_logical_xor",
                         lambda x, y: 1 if bool(x) ^ bool(y) else 0, "_logical_xor_scalar")


# -- splitting, encoding, interchange ---------------------------------------------------------------
def split_v2(ary: NDArray, indices_or_sections: Any, axis: int = 0,
             squeeze_axis: bool = False) -> Any:
    """Cut ``ary`` into pieces along ``axis``, in equal parts or at given positions.

    Parameters
    ----------
    ary : NDArray
        The array to cut.
    indices_or_sections : int or tuple of ints
        An int ``N`` cuts ``ary`` into ``N`` pieces of equal length along ``axis`` (ValueError
        when the length does not divide). A tuple gives the sorted positions to cut at:
        ``(2, 3)`` on axis 0 yields ``ary[:2]``, ``ary[2:3]`` and ``ary[3:]``; positions past
        the end give empty pieces.
    axis : int, optional
        The axis cut along (0 by default).
    squeeze_axis: boolean, optional
        Remove ``axis`` from pieces whose length along it is 1 (False by default).

    Returns
    -------
    NDArray or list of NDArray
        The sub-arrays (an NDArray when there is one).
    """
    axis_size = ary.shape[axis]
    if isinstance(indices_or_sections, int):
        sections = indices_or_sections
        if axis_size % sections:
            raise ValueError("array split does not result in an equal division")
        section_size = axis_size // sections
        indices = [section_size * k for k in range(sections)]
    elif isinstance(indices_or_sections, tuple):
        indices = [0] + list(indices_or_sections)
    else:
        raise ValueError("indices_or_sections must either int or tuple of ints")
    return _call("_split_v2", ary, indices=tuple(indices), axis=axis, squeeze_axis=squeeze_axis)


def histogram(a: NDArray, bins: Any = 10, range: Optional[tuple] = None) -> Any:  # noqa: A002
    """Count how many values of ``a`` fall in each bin.

    Parameters
    ----------
    a : NDArray
        The values, all of them counted (as if flattened).
    bins : int or NDArray
        An int is the number of bins of equal width over ``range`` (10 by default); an NDArray
        gives the bin edges themselves, the last edge included, so widths may differ.
    range : (float, float), optional
        Lower and upper edge of the bins when ``bins`` is an int; ``(a.min(), a.max())`` when
        None. Values outside it are not counted, and ``range[0] <= range[1]`` is required.

    Returns
    -------
    [NDArray, NDArray]
        The counts of each bin (int64) and the bin edges: a list from the operator, a tuple of
        float32 arrays when numpy computes them (an int ``bins`` without ``range``), as in MXNet.
    """
    if isinstance(bins, NDArray):
        return _call("_histogram", a, bins)
    if isinstance(bins, integer_types):
        if range is None:
            warnings.warn("range is not specified, using numpy's result to ensure consistency "
                          "with numpy")
            counts, edges = np.histogram(a.asnumpy(), bins=bins)
            return array(counts), array(edges)
        return _call("_histogram", a, bin_cnt=bins, range=range)
    raise ValueError("bins argument should be either an integer or an NDArray")


def onehot_encode(indices: NDArray, out: NDArray) -> NDArray:
    """Write the one-hot rows of ``indices`` into ``out``.

    Deprecated in MXNet in favour of the ``one_hot`` operator, which it calls.

    Parameters
    ----------
    indices : NDArray
        1-D float32 array of class indices (truncated to integers; indices outside
        ``[0, out.shape[1])`` give a row of zeros).
    out : NDArray
        2-D float32 array of shape ``(len(indices), num_classes)`` that receives the encoding.

    Returns
    -------
    NDArray
        ``out``.
    """
    if indices.ndim != 1 or out.ndim != 2:
        raise MXNetError(f"onehot_encode only supports a 1-D index and a 2-D output, got index "
                         f"shape {indices.shape} and output shape {out.shape}")
    if indices.shape[0] != out.shape[0]:
        raise MXNetError(f"onehot_encode: shape inconsistent, {indices.shape[0]} indices but "
                         f"{out.shape[0]} output rows")
    if indices.dtype != np.float32 or out.dtype != np.float32:
        raise MXNetError(f"onehot_encode only supports float32 as input/output, got "
                         f"{np.dtype(indices.dtype).name} and {np.dtype(out.dtype).name}")
    return _call("one_hot", indices, depth=out.shape[1], out=out)


def imdecode(str_img: Any, clip_rect: Sequence[int] = (0, 0, 0, 0), out: Optional[NDArray] = None,
             index: int = 0, channels: int = 3, mean: Optional[NDArray] = None) -> NDArray:
    """Decode an encoded image into a float (channels, height, width) array, optionally cut to a
    rectangle and with a mean image subtracted (deprecated in MXNet: use ``mx.image.imdecode``).

    Unlike ``mx.image.imdecode``, the channels come in OpenCV's order (BGR, or BGRA for an image
    with alpha) and channel-first; ``channels=1`` decodes to grey, otherwise the image's own
    channels are kept and the first ``channels`` of them returned.

    Parameters
    ----------
    str_img : bytes
        The encoded image (JPEG, PNG, ...): bytes, a bytearray or a uint8 NumPy array.
    clip_rect : tuple of 4 int, default (0, 0, 0, 0)
        Keep only columns ``x0`` to ``x1`` and rows ``y0`` to ``y1`` (``(x0, y0, x1, y1)``, ends
        excluded); with ``y1 == y0`` the whole image is kept.
    out : NDArray, optional
        Where to write: (channels, height, width), or (n, channels, height, width) with the
        image going to ``out[index]``. Its dtype is the result's.
    index : int, default 0
        The slot of a 4-dimensional ``out``.
    channels : int, default 3
        Channels to return (1 for grey).
    mean : NDArray, optional
        A (channels, height, width) array subtracted from the pixels; its dtype is the result's
        when no ``out`` is given (float32 otherwise).

    Returns
    -------
    NDArray
        The decoded pixels, or ``out``.
    """
    from ..recordio import _imdecode_cv

    if isinstance(str_img, NDArray):
        str_img = str_img.asnumpy()
    if isinstance(str_img, np.ndarray):
        str_img = str_img.astype(np.uint8, copy=False).tobytes()
    if not isinstance(str_img, (bytes, bytearray, memoryview)):
        raise MXNetError(f"imdecode: str_img must be the encoded image as bytes, got "
                         f"{type(str_img).__name__} (read the file in binary mode)")
    channels = int(channels)
    img = _imdecode_cv(bytes(str_img), 0 if channels == 1 else -1)
    img = img[:, :, None] if img.ndim == 2 else img
    rows, cols, present = img.shape
    if not 1 <= channels <= present:
        raise MXNetError(f"imdecode: channels={channels}, but the image has {present} channel(s)")
    x0, y0, x1, y1 = (int(v) for v in clip_rect)
    if y1 == y0:
        x0, y0, x1, y1 = 0, 0, cols, rows
    if not (0 <= x0 < x1 <= cols and 0 <= y0 < y1 <= rows):
        raise MXNetError(f"imdecode: clip_rect {tuple(clip_rect)} is not a rectangle inside the "
                         f"{cols}x{rows} image (x0 < x1 <= width, y0 < y1 <= height)")
    pixels = torch.from_numpy(np.ascontiguousarray(img[y0:y1, x0:x1, :channels].transpose(2, 0, 1)))
    shape = (channels, y1 - y0, x1 - x0)
    if out is not None:
        dtype = out._t.dtype
    else:
        dtype = torch.float32 if mean is None else mean._t.dtype
    result = pixels.to(dtype)
    if mean is not None:
        if tuple(mean.shape) != shape:
            raise MXNetError(f"imdecode: mean has shape {tuple(mean.shape)}, the decoded image "
                             f"{shape}")
        result = result - mean._t.to(dtype)
    if out is None:
        return NDArray(result)
    if out.ndim == 3 and tuple(out.shape) == shape:
        out[:] = NDArray(result)
    elif out.ndim == 4 and tuple(out.shape[1:]) == shape and 0 <= int(index) < out.shape[0]:
        out[int(index)] = NDArray(result)
    else:
        raise MXNetError(f"imdecode: out has shape {tuple(out.shape)}; the decoded image needs "
                         f"{shape}, or (n, {', '.join(map(str, shape))}) with index < n")
    return out


def to_dlpack_for_read(data: NDArray) -> Any:
    """Export ``data`` as a DLPack capsule to be read by another framework.

    The capsule shares ``data``'s memory; pending writes are complete before anyone reads it.

    Parameters
    ----------
    data: NDArray
        The array to export.

    Returns
    -------
    PyCapsule
        A ``DLManagedTensor`` capsule viewing ``data``.
    """
    return data.to_dlpack_for_read()


def to_dlpack_for_write(data: NDArray) -> Any:
    """Export ``data`` as a DLPack capsule that another framework may write through.

    The capsule shares ``data``'s memory, so writes made through it show in ``data``.

    Parameters
    ----------
    data: NDArray
        The array to export.

    Returns
    -------
    PyCapsule
        A ``DLManagedTensor`` capsule viewing ``data``.
    """
    return data.to_dlpack_for_write()


def from_dlpack(dlpack: Any) -> NDArray:
    """An NDArray over the memory of a DLPack capsule (no copy).

    Parameters
    ----------
    dlpack: PyCapsule
        A ``DLManagedTensor`` capsule; it can be consumed once only.

    Returns
    -------
    NDArray
        The array, sharing the capsule's memory.
    """
    try:
        t = torch.utils.dlpack.from_dlpack(dlpack)
    except (RuntimeError, TypeError, BufferError) as err:
        raise ValueError(f"Invalid DLPack Tensor ({err}). DLTensor capsules can be consumed only "
                         "once.") from None
    return NDArray(t)


# what MXNet's DLPack import accepts
_DLPACK_DTYPES = ("int32", "int64", "bool", "uint8", "float16", "float32", "float64")


def from_numpy(ndarray: np.ndarray, zero_copy: bool = True, array_cls: type = NDArray) -> NDArray:
    """An NDArray over a numpy array's memory, or a copy of it.

    With ``zero_copy=True`` no data are copied: the NDArray uses the numpy array's buffer, and
    the numpy array is made read-only so that it cannot change behind the NDArray's back (reading
    it while the NDArray is being written is not safe either). A read-only numpy array cannot be
    shared with torch and is copied instead.

    Parameters
    ----------
    ndarray: numpy.ndarray
        The source; for ``zero_copy`` it must be C-contiguous and of a dtype DLPack carries
        (int32, int64, bool, uint8, float16, float32, float64), ValueError otherwise.
    zero_copy: bool
        Share the buffer (True) or copy it (False).
    array_cls: type
        The class the result is made of.

    Returns
    -------
    NDArray
        The array over (or copied from) ``ndarray``.
    """
    if not zero_copy:
        return array(ndarray, dtype=ndarray.dtype)
    if not ndarray.flags["C_CONTIGUOUS"]:
        raise ValueError("Only c-contiguous arrays are supported for zero-copy")
    if ndarray.dtype.name not in _DLPACK_DTYPES:
        raise ValueError(f"{ndarray.dtype} is not supported.")
    if not ndarray.flags["WRITEABLE"]:
        # torch cannot share a read-only buffer (NDArrays are writable): copy it instead
        return array_cls(torch.tensor(ndarray))
    t = torch.from_numpy(ndarray)
    ndarray.flags["WRITEABLE"] = False
    return array_cls(t)


def waitall() -> None:
    """Block until all queued device work is done (a synchronize of every CUDA device)."""
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            torch.cuda.synchronize(i)
