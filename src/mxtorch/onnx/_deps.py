"""The optional ``onnx`` package, imported when an ONNX function is first called.

mxtorch itself never needs ``onnx``: ``import mxtorch`` and ``import mxtorch.onnx`` work without
it, and only export or import of an ONNX file asks for it, with an error that says how to get it.
"""
from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["require_onnx", "OPSET"]

#: The ONNX operator-set version mxtorch writes: 13, the newest set MXNet 1.9.1's exporter was
#: written against, and one that every onnxruntime since 1.6 runs.
OPSET = 13


def require_onnx() -> ModuleType:
    """The ``onnx`` module, or an ImportError naming the package to install.

    Returns
    -------
    module
        The imported ``onnx`` package (with ``onnx.helper`` and ``onnx.numpy_helper`` loaded).

    Raises
    ------
    ImportError
        When the ``onnx`` package (and its ``protobuf`` dependency) is not installed.
    """
    try:
        onnx = importlib.import_module("onnx")
        importlib.import_module("onnx.helper")
        importlib.import_module("onnx.numpy_helper")
    except ImportError as err:
        raise ImportError("ONNX export and import need the 'onnx' package (with protobuf): "
                          "pip install onnx, or pip install 'mxtorch[onnx]'") from err
    return onnx
