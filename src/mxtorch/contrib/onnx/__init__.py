"""ONNX import and export (``mx.contrib.onnx``): importable, its functions not supported yet.

``import_model``, ``get_model_metadata``, ``import_to_gluon`` and ``export_model``, the functions
MXNet 1.9.1 exports here, each raise :class:`~mxtorch.base.MXNetError` saying so and what to
use instead.
"""
from __future__ import annotations

from .._unsupported import refusing

__all__ = ["import_model", "get_model_metadata", "import_to_gluon", "export_model"]

_INSTEAD = {
    "import_model": "rebuild the network with mx.sym or Gluon and load MXNet -symbol.json/.params "
                    "files with mx.model.load_checkpoint or gluon.SymbolBlock.imports",
    "get_model_metadata": "read the input names and shapes from the MXNet -symbol.json file "
                          "(mx.sym.load(...).list_inputs(), infer_shape)",
    "import_to_gluon": "load MXNet -symbol.json/.params files with gluon.SymbolBlock.imports",
    "export_model": "save the model as MXNet -symbol.json and .params files (HybridBlock.export "
                    "or mx.model.save_checkpoint)",
}

import_model = refusing("mxnet.contrib.onnx.import_model", _INSTEAD["import_model"])
get_model_metadata = refusing("mxnet.contrib.onnx.get_model_metadata", _INSTEAD["get_model_metadata"])
import_to_gluon = refusing("mxnet.contrib.onnx.import_to_gluon", _INSTEAD["import_to_gluon"])
export_model = refusing("mxnet.contrib.onnx.export_model", _INSTEAD["export_model"])
