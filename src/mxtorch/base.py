"""Errors, dtype names and the parsing of MXNet's attribute strings."""
from __future__ import annotations

import ast
from typing import Any

import numpy as np
import torch

__all__ = ["MXNetError", "numeric_types", "string_types", "integer_types"]

numeric_types = (float, int, np.generic)
integer_types = (int, np.integer)
string_types = (str,)


class MXNetError(RuntimeError):
    """Error raised by mxtorch where MXNet's engine raised ``MXNetError``."""


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
