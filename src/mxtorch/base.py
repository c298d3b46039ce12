"""Errors, dtype names and the parsing of MXNet's attribute strings.

Also the pure-Python part of MXNet 1.9.1's ``mxnet.base`` that programs import: ``py_str``, the
type tuples (``string_types``, ``numeric_types``, ``integer_types``), ``mx_real_t``,
``NotImplementedForSymbol``, ``NotSupportedForSparseNDArray``, ``register_error``,
``with_metaclass``, ``build_param_doc``, ``data_dir``. Its ctypes plumbing (``_LIB``,
``check_call``, ``c_str``, the ``*Handle`` types...) has no counterpart: there is no C library.
"""
from __future__ import annotations

import ast
from typing import Any, Callable

import numpy as np
import torch

__all__ = ["MXNetError"]

__version__ = "1.9.1"   # the MXNet release whose API mxtorch gives (mxtorch.__mxtorch_version__: its own)

# MXNet's exact tuples: numpy's int8/int16/uint* scalars are numbers but not MXNet "integers".
integer_types = (int, np.int32, np.int64)
numeric_types = (float, int, np.generic)
string_types = (str,)
basestring = str   # MXNet's Python 2 compatibility names, still imported by old code
long = int
mx_real_t = np.float32
error_types: dict = {}


def py_str(x: bytes) -> str:
    """Decode UTF-8 bytes to ``str`` (MXNet's ``py_str``)."""
    return x.decode("utf-8")


def register_error(func_name: Any = None, cls: Any = None) -> Any:
    """Register an error class under a name in ``error_types`` (MXNet's decorator).

    ``@register_error`` uses the class's own name; ``@register_error("Name")`` another one.
    """
    if callable(func_name):
        cls, func_name = func_name, func_name.__name__

    def register(mycls: Any) -> Any:
        error_types[func_name if isinstance(func_name, str) else mycls.__name__] = mycls
        return mycls

    return register if cls is None else register(cls)


class MXNetError(RuntimeError):
    """Error raised by mxtorch where MXNet's engine raised ``MXNetError``."""


def _arguments_text(function: Callable, alias: Any, args: tuple, what: str) -> str:
    text = f"Function {function}"
    if alias:
        text += f' (namely operator "{alias}")'
    if args:
        text += f" with arguments ({', '.join(args)})"
    return text + what


@register_error
class NotImplementedForSymbol(MXNetError):
    """A function that only NDArrays have, called on a Symbol.

    Parameters
    ----------
    function : callable
        The function called (its ``__name__`` goes in the message).
    alias : str or None
        The operator's name, when it differs.
    *args
        The arguments it was called with (their types go in the message).
    """

    def __init__(self, function: Callable, alias: Any, *args: Any):
        super().__init__()
        self.function = function.__name__
        self.alias = alias
        self.args = [str(type(a)) for a in args]

    def __str__(self) -> str:
        return _arguments_text(self.function, self.alias, self.args,
                               " is not implemented for Symbol and only available in NDArray.")


class NotSupportedForSparseNDArray(MXNetError):
    """A function that only dense NDArrays have, called on a sparse one (MXNet's class; mxtorch
    arrays are all dense)."""

    def __init__(self, function: Callable, alias: Any, *args: Any):
        super().__init__()
        self.function = function.__name__
        self.alias = alias
        self.args = [str(type(a)) for a in args]

    def __str__(self) -> str:
        return _arguments_text(self.function, self.alias, self.args,
                               " is not supported for SparseNDArray and only available in NDArray.")


def with_metaclass(meta: type, *bases: type) -> type:
    """A base class whose subclasses are made by ``meta`` (Python 2/3 compatible code's idiom)."""

    class metaclass(type):
        def __new__(cls, name, this_bases, namespace):
            return meta(name, bases, namespace)

        @classmethod
        def __prepare__(cls, name, this_bases):
            return meta.__prepare__(name, bases)

    return type.__new__(metaclass, "temporary_class", (), {})


class _ClassProperty:
    """The descriptor :func:`classproperty` makes: a property read (and, with ``.setter`` and a
    class whose metaclass is ``_ClassPropertyMeta``, written) on the class itself."""

    def __init__(self, fget: Any, fset: Any = None):
        self.fget, self.fset = fget, fset

    def __get__(self, obj: Any, clas: Any = None) -> Any:
        return self.fget.__get__(obj, type(obj) if clas is None else clas)()

    def __set__(self, obj: Any, value: Any) -> Any:
        if not self.fset:
            raise MXNetError(f"cannot use the setter: {obj.__name__} to set attribute")
        if isinstance(obj, type):
            obj, clas = None, obj
        else:
            clas = type(obj)
        return self.fset.__get__(obj, clas)(value)

    def setter(self, func: Any) -> "_ClassProperty":
        self.fset = func if isinstance(func, (classmethod, staticmethod)) else classmethod(func)
        return self


class _ClassPropertyMeta(type):
    """Metaclass letting ``Class.prop = value`` reach a :func:`classproperty`'s setter."""

    def __setattr__(cls, key: str, value: Any) -> None:
        found = cls.__dict__.get(key)
        if isinstance(found, _ClassProperty):
            found.__set__(cls, value)
        else:
            super().__setattr__(key, value)


def classproperty(func: Any) -> _ClassProperty:
    """A property of the class itself (``Context.default_ctx``-style), as MXNet's decorator."""
    return _ClassProperty(func if isinstance(func, (classmethod, staticmethod)) else classmethod(func))


def add_fileline_to_docstring(module: Any, incursive: bool = True) -> None:
    """Append ``From:<file>:<line>`` to the docstring of each function (and, with ``incursive``,
    each class's methods) in ``module`` (a module or its name)."""
    import inspect
    import sys

    def add(obj: Any) -> None:
        if obj.__doc__ is None or "From:" in obj.__doc__:
            return
        try:
            fname = inspect.getsourcefile(obj)
            line = inspect.getsourcelines(obj)[-1] if fname else None
        except (OSError, TypeError):
            return
        if fname is not None:
            obj.__doc__ += f"\n\nFrom:{fname}:{line}"

    if isinstance(module, str):
        module = sys.modules[module]
    for _, obj in inspect.getmembers(module):
        if inspect.isbuiltin(obj):
            continue
        if inspect.isfunction(obj):
            add(obj)
        if inspect.ismethod(obj):
            add(obj.__func__)
        if inspect.isclass(obj) and incursive:
            add_fileline_to_docstring(obj, False)


def build_param_doc(arg_names: Any, arg_types: Any, arg_descs: Any, remove_dup: bool = True) -> str:
    """A numpydoc ``Parameters`` section from names, type strings and descriptions (``num_args``
    left out; a repeated name kept once unless ``remove_dup`` is False)."""
    seen, entries = set(), []
    for key, type_info, desc in zip(arg_names, arg_types, arg_descs):
        if (key in seen and remove_dup) or key == "num_args":
            continue
        seen.add(key)
        entries.append(f"{key} : {type_info}" + (f"\n    {desc}" if desc else ""))
    return "Parameters\n----------\n" + "\n".join(entries) + "\n"


def short_repr(value: Any, limit: int = 100) -> str:
    """``repr(value)`` cut short: an error message must not echo a whole hostile file."""
    try:
        text = repr(value)
    except ValueError:   # an int beyond Python's digit limit for printing
        return f"<{type(value).__name__} too large to print>"
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


class MXNetAssertionError(MXNetError, AssertionError):
    """A refusal of bad input where MXNet's Python code raised ``AssertionError``: programs that
    catch either keep working."""


class MXNetValueError(MXNetError, ValueError):
    """A refusal of bad input where MXNet's Python code raised ``ValueError``: programs that catch
    either keep working."""


# numpy dtype <-> torch dtype. bfloat16 has no numpy dtype; it maps to itself as a name.
_NP_TO_TORCH = {
    np.dtype("float32"): torch.float32,
    np.dtype("float64"): torch.float64,
    np.dtype("float16"): torch.float16,
    np.dtype("uint8"): torch.uint8,
    np.dtype("int8"): torch.int8,
    np.dtype("int32"): torch.int32,
    np.dtype("int64"): torch.int64,
    np.dtype("bool"): torch.bool,
}
_TORCH_TO_NP = {v: k for k, v in _NP_TO_TORCH.items()}


def to_torch_dtype(dtype: Any) -> torch.dtype:
    """Map a numpy dtype, a dtype name ('float32', 'bfloat16') or a torch dtype to a torch dtype."""
    if isinstance(dtype, torch.dtype):
        return dtype
    if isinstance(dtype, str) and dtype == "bfloat16":
        return torch.bfloat16
    try:
        return _NP_TO_TORCH[np.dtype(dtype)]
    except (TypeError, KeyError):
        raise MXNetError(f"unsupported dtype {dtype!r}; expected one of "
                         f"{sorted(str(d) for d in _NP_TO_TORCH)} or 'bfloat16'") from None


def to_numpy_dtype(dtype: torch.dtype) -> Any:
    """Map a torch dtype to the numpy dtype type MXNet reports (``numpy.float32``...)."""
    if dtype == torch.bfloat16:
        return "bfloat16"
    return _TORCH_TO_NP[dtype].type


def parse_literal(value: Any) -> Any:
    """Parse an attribute string as MXNet stores it in symbol JSON.

    ``"(5, 5)"`` -> ``(5, 5)``, ``"True"`` -> ``True``, ``"0.1"`` -> ``0.1``, ``"None"`` -> ``None``;
    a string that is not a Python literal (``"relu"``) is returned unchanged.
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text in ("true", "false"):
        return text == "true"
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return value


def data_dir_default() -> str:
    """Default data directory: ``~/.mxnet`` (``%APPDATA%/mxnet`` on Windows), as MXNet."""
    import os
    import platform

    if platform.system() == "Windows":
        return os.path.join(os.environ.get("APPDATA", ""), "mxnet")
    return os.path.join(os.path.expanduser("~"), ".mxnet")


def data_dir() -> str:
    """Data directory for downloads (datasets, models): ``$MXNET_HOME`` or the default."""
    import os

    return os.getenv("MXNET_HOME", data_dir_default())
