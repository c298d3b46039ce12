"""MXNet 1.9.1's ``mx.util``: GPU queries, settings, and the NumPy-mode switches (off, and staying off).

mxtorch gives MXNet 1.x's NDArray API with its legacy shape rules: a shape needs at least one
dimension, and a 0 in a shape means "unknown" to shape inference. MXNet 1.6's NumPy modes (NumPy
shapes: scalar and zero-size arrays; NumPy arrays: ``mx.np.ndarray`` in Gluon) are not part of
mxtorch. Programs may ask about them (``is_np_shape()`` and ``is_np_array()`` are False), switch
them off (``set_np_shape(False)``, ``np_shape(False)``, ``reset_np()``) and decorate with
``use_np``; switching one on, or calling what ``use_np`` decorated, raises :class:`MXNetError`
naming the mode as unsupported.
"""
from __future__ import annotations

import functools
import inspect
import os
from typing import Any, Callable

from .base import MXNetError
from .context import gpu_memory_info, num_gpus

__all__ = ["get_gpu_count", "get_gpu_memory", "set_np_shape", "is_np_shape", "np_shape",
           "use_np_shape", "set_module", "np_array", "is_np_array", "use_np_array", "use_np",
           "np_ufunc_legal_option", "wrap_np_unary_func", "wrap_np_binary_func", "set_np",
           "reset_np", "get_cuda_compute_capability", "getenv", "setenv"]

_INSTEAD = ("mxtorch gives MXNet 1.x's NDArray API (mx.nd, mx.sym, Gluon on NDArrays) with its "
            "legacy shapes; use mx.nd arrays with at least one dimension and leave NumPy mode off")


def _refuse(what: str) -> MXNetError:
    return MXNetError(f"{what} is not supported in mxtorch: {_INSTEAD}")


def get_gpu_count() -> int:
    """The number of GPUs (0 without CUDA)."""
    return num_gpus()


def get_gpu_memory(gpu_dev_id: int) -> tuple:
    """``(free, total)`` bytes of memory of GPU ``gpu_dev_id``; MXNetError when there is none."""
    return gpu_memory_info(gpu_dev_id)


def set_np_shape(active: bool) -> bool:
    """Switch NumPy-shape semantics; only off is accepted (it is always off in mxtorch).

    Parameters
    ----------
    active : bool
        False (accepted, nothing changes) or True (refused).

    Returns
    -------
    bool
        The previous state: False.

    Raises
    ------
    MXNetError
        When ``active`` is true: NumPy shapes (scalar and zero-size arrays) are not supported.
    """
    if active:
        raise _refuse("NumPy-shape semantics (mx.set_np_shape(True), mx.np_shape(), "
                      "mx.use_np_shape)")
    return False


def is_np_shape() -> bool:
    """Whether NumPy-shape semantics is on: always False in mxtorch."""
    return False


class _NumpyShapeScope:
    """The ``with`` scope :func:`np_shape` returns."""

    def __init__(self, is_np_shape: Any):  # noqa: F811 - MXNet's parameter name
        self._enter_is_np_shape = is_np_shape
        self._prev_is_np_shape = None

    def __enter__(self) -> None:
        if self._enter_is_np_shape is not None:
            self._prev_is_np_shape = set_np_shape(self._enter_is_np_shape)

    def __exit__(self, ptype: Any, value: Any, trace: Any) -> None:
        if self._enter_is_np_shape is not None and self._prev_is_np_shape != self._enter_is_np_shape:
            set_np_shape(self._prev_is_np_shape)


def np_shape(active: Any = True) -> _NumpyShapeScope:
    """A ``with`` scope switching NumPy-shape semantics: ``np_shape(False)`` (and ``None``) run
    their block as is; entering ``np_shape(True)`` raises :class:`MXNetError`."""
    return _NumpyShapeScope(active)


def _scoped(func: Any, scope: Callable[[], Any], decorator: str) -> Any:
    """``func`` run inside ``scope()``; for a class, each of its methods and properties."""
    if inspect.isclass(func):
        members = inspect.getmembers(func, lambda f: inspect.isfunction(f) or inspect.ismethod(f)
                                     or isinstance(f, property))
        for name, member in members:
            if isinstance(member, property):
                wrapped = property(*(_scoped(f, scope, decorator) if f is not None else None
                                     for f in (member.fget, member.fset, member.fdel)),
                                   member.__doc__)
            else:
                wrapped = _scoped(member, scope, decorator)
            setattr(func, name, wrapped)
        return func
    if callable(func):
        @functools.wraps(func)
        def in_scope(*args: Any, **kwargs: Any) -> Any:
            with scope():
                return func(*args, **kwargs)
        return in_scope
    raise TypeError(f"{decorator} can only decorate classes and callable objects, while received "
                    f"a {type(func)}")


def use_np_shape(func: Any) -> Any:
    """Decorate a function or class to run in NumPy-shape semantics: calling it raises
    :class:`MXNetError` (the mode is not supported); decorating is accepted."""
    return _scoped(func, lambda: np_shape(active=True), "use_np_shape")


def set_module(module: Any) -> Callable:
    """Decorator setting a function's or class's ``__module__`` (unless ``module`` is None)."""
    def decorator(func: Any) -> Any:
        if module is not None:
            func.__module__ = module
        return func
    return decorator


class _NumpyArrayScope:
    """The ``with`` scope :func:`np_array` returns."""

    def __init__(self, is_np_array: bool):  # noqa: F811 - MXNet's parameter name
        self._is_np_array = is_np_array

    def __enter__(self) -> "_NumpyArrayScope":
        if self._is_np_array:
            raise _refuse("NumPy-array semantics (mx.np_array(), mx.use_np_array, mx.use_np, "
                          "npx.set_np)")
        return self

    def __exit__(self, ptype: Any, value: Any, trace: Any) -> None:
        pass


def np_array(active: bool = True) -> _NumpyArrayScope:
    """A ``with`` scope switching NumPy-array semantics: ``np_array(False)`` runs its block as is;
    entering ``np_array(True)`` raises :class:`MXNetError`."""
    return _NumpyArrayScope(active)


def is_np_array() -> bool:
    """Whether NumPy-array semantics is on: always False in mxtorch (Gluon makes NDArrays)."""
    return False


def use_np_array(func: Any) -> Any:
    """Decorate a function or class to run in NumPy-array semantics: calling it raises
    :class:`MXNetError` (the mode is not supported); decorating is accepted."""
    return _scoped(func, lambda: np_array(active=True), "use_np_array")


def use_np(func: Any) -> Any:
    """:func:`use_np_shape` and :func:`use_np_array` together: calling what it decorates raises
    :class:`MXNetError`; decorating (``@use_np class Net(HybridBlock)``) is accepted."""
    return use_np_shape(use_np_array(func))


_NP_UFUNC_DEFAULTS = {"where": True, "casting": "same_kind", "order": "K", "dtype": None,
                      "subok": True}


def np_ufunc_legal_option(key: str, value: Any) -> bool:
    """Whether ``key=value`` is a value NumPy accepts for that ufunc keyword."""
    if key == "where":
        return True
    if key == "casting":
        return value in ("no", "equiv", "safe", "same_kind", "unsafe")
    if key == "order":
        return isinstance(value, str)
    if key == "dtype":
        import numpy as np

        return value in (np.int8, np.uint8, np.int32, np.int64, np.float16, np.float32, np.float64,
                         "int8", "uint8", "int32", "int64", "float16", "float32", "float64")
    if key == "subok":
        return isinstance(value, bool)
    return False


def _check_ufunc_kwargs(kwargs: dict, name: str, binary: bool) -> None:
    # MXNet's two wrappers word their refusals differently; kept, since tests match the text.
    for key, value in kwargs.items():
        if key not in _NP_UFUNC_DEFAULTS:
            raise TypeError(f"{key} is an invalid keyword to function '{name}'")
        if value != _NP_UFUNC_DEFAULTS[key]:
            if np_ufunc_legal_option(key, value):
                raise NotImplementedError(f"{key}={value} is not implemented yet" if binary else
                                          f"{key}={value} is not implemented yet for operator {name}")
            raise TypeError(f"{key} {value} not understood" if binary else
                            f"{key}={value} not understood for operator {name}")


def wrap_np_unary_func(func: Callable) -> Callable:
    """Decorate a unary ufunc-like ``func(x, out=None)``: NumPy's ufunc keywords at their defaults
    are accepted, others refused (NotImplementedError for legal values, TypeError otherwise)."""
    @functools.wraps(func)
    def unary(x: Any, out: Any = None, **kwargs: Any) -> Any:
        _check_ufunc_kwargs(kwargs, func.__name__, binary=False)
        return func(x, out=out)
    return unary


def wrap_np_binary_func(func: Callable) -> Callable:
    """Decorate a binary ufunc-like ``func(x1, x2, out=None)`` as :func:`wrap_np_unary_func`."""
    @functools.wraps(func)
    def binary(x1: Any, x2: Any, out: Any = None, **kwargs: Any) -> Any:
        _check_ufunc_kwargs(kwargs, func.__name__, binary=True)
        return func(x1, x2, out=out)
    return binary


def set_np(shape: bool = True, array: bool = True) -> None:
    """Switch NumPy shape and array semantics together: ``set_np(False, False)`` is accepted
    (both are off); switching either on raises :class:`MXNetError`.

    Raises
    ------
    ValueError
        ``array`` on with ``shape`` off, as MXNet.
    """
    if not shape and array:
        raise ValueError("NumPy Shape semantics is required in using NumPy array semantics.")
    if array:
        raise _refuse("NumPy mode (mx.util.set_np, npx.set_np)")
    set_np_shape(shape)


def reset_np() -> None:
    """Switch NumPy shape and array semantics off (they are off in mxtorch)."""
    set_np(shape=False, array=False)


def get_cuda_compute_capability(ctx: Any) -> int:
    """The CUDA compute capability of a GPU context, e.g. 70 for ``sm_70``.

    Raises
    ------
    ValueError
        For a context that is not a GPU.
    MXNetError
        When that GPU is not there.
    """
    if ctx.device_type != "gpu":
        raise ValueError("Expecting a gpu context to get cuda compute capability, while received "
                         f"ctx {ctx}")
    import torch

    major, minor = torch.cuda.get_device_capability(ctx.torch_device)
    return major * 10 + minor


def getenv(name: str) -> Any:
    """The value of environment variable ``name``, or None when unset."""
    return os.environ.get(name)


def setenv(name: str, value: Any) -> None:
    """Set environment variable ``name`` to ``value`` (None unsets it)."""
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
