"""ONNX import and export under MXNet 1.9.1's older path, ``mx.contrib.onnx``.

``export_model`` is :func:`mxtorch.onnx.export_model` (MXNet moved it to ``mx.onnx`` in 1.9 and
kept this name for older programs). ``import_model`` reads an ONNX file back as a Symbol with
``arg_params`` and ``aux_params``, ``get_model_metadata`` lists a model's input and output
tensors, and ``import_to_gluon`` wraps an imported model in a ``gluon.SymbolBlock``.
"""
from __future__ import annotations

from ...onnx import export_model
from ...onnx.importer import get_model_metadata, import_model, import_to_gluon

__all__ = ["import_model", "get_model_metadata", "import_to_gluon", "export_model"]
