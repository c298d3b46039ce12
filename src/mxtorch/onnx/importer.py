"""Reading an ONNX model back as a Symbol and its parameters.

An ONNX file is data: it is read whole (after its size is checked), parsed by protobuf, and every
tensor's declared shape is checked against the bytes it carries before NumPy sees it. Tensors kept
in external files are refused (a model must not make the reader open other paths), as are operator
domains other than ONNX's own. Each node goes to its importer (``IMPORTERS`` in
:mod:`mxtorch.ops.onnx_rules`), which builds mxtorch operator nodes through the same
``symbol.create`` that ``mx.sym.*`` uses. Initializers that feed an operator's data become
variables with values in ``arg_params`` (BatchNorm's running statistics in ``aux_params``); those
that only give a shape, axes or bounds are read as numbers.
"""
from __future__ import annotations

import math
import os
from typing import Any, Optional

import numpy as np

from ..base import MXNetError
from ..ops.onnx_rules import IMPORTERS, fold_constant, import_error
from ..symbol import limits
from ._deps import require_onnx

__all__ = ["import_model", "get_model_metadata", "import_to_gluon"]

# ONNX files larger than protobuf's own message limit cannot be parsed anyway.
_MAX_FILE_BYTES = 2**31 - 1

#: ONNX operator type -> the function that builds it from mxtorch operators.

# -- reading the file within bounds ------------------------------------------------------------------
def _read_model(onnx: Any, model_file: Any) -> Any:
    path = os.fspath(model_file)
    if not os.path.isfile(path):
        raise MXNetError(f"ONNX import: no such file '{path}'")
    size = os.path.getsize(path)
    if size > _MAX_FILE_BYTES:
        raise MXNetError(f"ONNX import: '{path}' is {size} bytes, more than the {_MAX_FILE_BYTES} "
                         "bytes a protobuf message can hold")
    with open(path, "rb") as f:
        payload = f.read(size + 1)
    if len(payload) != size:
        raise MXNetError(f"ONNX import: '{path}' changed size while it was read")
    try:
        model = onnx.ModelProto()
        model.ParseFromString(payload)
    except Exception as err:  # protobuf's DecodeError, whatever its module
        raise MXNetError(f"ONNX import: '{path}' is not an ONNX model ({err})") from None
    if not model.HasField("graph"):
        raise MXNetError(f"ONNX import: '{path}' holds no graph; it is not an ONNX model")
    if len(model.graph.node) > limits.MAX_NODES:
        raise MXNetError(f"ONNX import: the graph has {len(model.graph.node)} nodes, more than the "
                         f"limit of {limits.MAX_NODES}")
    return model


# element type -> (numpy dtype, the TensorProto field that carries it when not in raw_data)
def _element_types(onnx: Any) -> dict:
    t = onnx.TensorProto
    return {t.FLOAT: (np.float32, "float_data"), t.DOUBLE: (np.float64, "double_data"),
            t.FLOAT16: (np.float16, "int32_data"), t.INT8: (np.int8, "int32_data"),
            t.UINT8: (np.uint8, "int32_data"), t.INT16: (np.int16, "int32_data"),
            t.INT32: (np.int32, "int32_data"), t.INT64: (np.int64, "int64_data"),
            t.BOOL: (np.bool_, "int32_data")}


def _tensor(onnx: Any, tensor: Any, what: str) -> np.ndarray:
    """The array a TensorProto holds, after checking its shape against the data present."""
    types = _element_types(onnx)
    if tensor.data_type not in types:
        raise MXNetError(f"ONNX import: tensor '{tensor.name}' ({what}) has element type "
                         f"{tensor.data_type}, which mxtorch does not read")
    if tensor.data_location == onnx.TensorProto.EXTERNAL or len(tensor.external_data):
        raise MXNetError(f"ONNX import: tensor '{tensor.name}' ({what}) is stored in an external "
                         "file; mxtorch reads self-contained ONNX files only")
    dims = list(tensor.dims)
    if len(dims) > limits.MAX_NDIM or any(d < 0 for d in dims):
        raise MXNetError(f"ONNX import: tensor '{tensor.name}' ({what}) has shape {dims}; expected "
                         f"at most {limits.MAX_NDIM} non-negative dimensions")
    count = math.prod(dims)
    if count > limits.MAX_ELEMENTS:
        raise MXNetError(f"ONNX import: tensor '{tensor.name}' ({what}) declares {count} elements")
    dtype, field = types[tensor.data_type]
    if tensor.HasField("raw_data"):
        present, needed = len(tensor.raw_data), count * np.dtype(dtype).itemsize
    else:
        present, needed = len(getattr(tensor, field)), count
    if present != needed:
        raise MXNetError(f"ONNX import: tensor '{tensor.name}' ({what}) of shape {tuple(dims)} "
                         f"needs {needed} {'bytes' if tensor.HasField('raw_data') else 'values'} but "
                         f"holds {present}")
    return np.array(onnx.numpy_helper.to_array(tensor), dtype=dtype, copy=True)


def _attrs(onnx: Any, node: Any) -> dict:
    out = {}
    for attr in node.attribute:
        if attr.type == onnx.AttributeProto.TENSOR:
            out[attr.name] = _tensor(onnx, attr.t, f"attribute {attr.name} of node '{node.name}'")
        elif attr.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS):
            raise import_error(node, "has a subgraph attribute; mxtorch imports flat graphs only")
        else:
            value = onnx.helper.get_attribute_value(attr)
            out[attr.name] = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return out


# -- the graph under construction ---------------------------------------------------------------------
class Reader:
    """Tensors of the ONNX graph as they become Symbols or constants, and the parameters found."""

    def __init__(self, onnx: Any, opset: int):
        from .. import symbol

        self.onnx = onnx
        self.symbol = symbol
        self.opset = opset
        self.env: dict = {}        # tensor name -> Symbol
        self.consts: dict = {}     # tensor name -> numpy array (initializers, Constant outputs)
        self.arg_params: dict = {}
        self.aux_params: dict = {}
        self.aux_names: set = set()

    def numpy_type(self, element_type: int) -> Optional[type]:
        """The NumPy type of an ONNX element type, None for one mxtorch does not have."""
        found = _element_types(self.onnx).get(int(element_type))
        return None if found is None else found[0]

    def is_const(self, name: str) -> bool:
        return name in self.consts and name not in self.env

    def const(self, node: Any, k: int, what: str) -> np.ndarray:
        """Input ``k`` of ``node`` as a constant array; refused if the graph computes it."""
        name = node.input[k] if k < len(node.input) else ""
        if name not in self.consts:
            raise import_error(node, f"takes its {what} (input {k}) from a computed tensor; mxtorch needs "
                             "it as a constant")
        return self.consts[name]

    def opt_const(self, node: Any, k: int, what: str) -> Optional[np.ndarray]:
        """Like :meth:`const`, None when the optional input is absent."""
        if k >= len(node.input) or node.input[k] == "":
            return None
        return self.const(node, k, what)

    def data(self, node: Any, k: int, *, aux: bool = False, value: Optional[np.ndarray] = None,
             name: Optional[str] = None) -> Any:
        """Input ``k`` of ``node`` as a Symbol; a constant becomes a variable with a parameter value.

        ``value`` and ``name`` replace the constant with a transformed one under a new name (a
        weight stored transposed, say).
        """
        src = node.input[k]
        if value is None and src in self.env:
            return self.env[src]
        if value is None and src not in self.consts:
            raise import_error(node, f"reads tensor '{src}', which nothing in the graph produces")
        return self.parameter(name or src, self.consts[src] if value is None else value, aux=aux)

    def parameter(self, name: str, array: np.ndarray, *, aux: bool = False) -> Any:
        """The variable ``name`` holding ``array`` (in ``aux_params`` when ``aux``), made once."""
        if name in self.env:
            return self.env[name]
        from .. import ndarray

        sym = self.symbol.var(name)
        self.env[name] = sym
        target = self.aux_params if aux else self.arg_params
        target[name] = ndarray.array(array, dtype=array.dtype)
        return sym

    def op(self, node: Any, op_name: str, inputs: Any = (), *, name: Optional[str] = None,
           **attrs: Any) -> Any:
        """Build one mxtorch operator node (inputs positional, or by name from a dict)."""
        args, kwargs = (list(inputs), {}) if not isinstance(inputs, dict) else ([], dict(inputs))
        try:
            return self.symbol.symbol.create(op_name, args, {**kwargs, **attrs},
                                             name=name or node.output[0])
        except (MXNetError, TypeError, ValueError) as err:
            raise import_error(node, f"could not be built as {op_name}: {err}") from None

    def helper_name(self, node: Any, suffix: str) -> str:
        return f"{node.output[0]}_{suffix}"



# -- the public functions ---------------------------------------------------------------------------------
def _opset(model: Any) -> int:
    versions = [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")]
    return max(versions) if versions else 1


def _import_node(onnx: Any, r: Reader, node: Any) -> None:
    """Fold one node into a constant, or build it from mxtorch operators."""
    attrs = _attrs(onnx, node)
    folded = fold_constant(r, node, attrs)
    if folded is not None:
        r.consts[node.output[0]] = folded
        return
    importer = IMPORTERS.get(node.op_type)
    if importer is None:
        raise import_error(node, "has no conversion to MXNet operators; mxtorch imports "
                                 f"{sorted(IMPORTERS)}")
    out = importer(r, node, attrs)
    outputs = list(node.output)
    if len(outputs) == 1 or len(out) == 1:
        r.env[outputs[0]] = out if len(out) == 1 else out[0]
        return
    if len(out) != len(outputs):
        raise import_error(node, f"names {len(outputs)} outputs; its MXNet form has {len(out)}")
    for k, name in enumerate(outputs):
        if name:
            r.env[name] = out[k]


def _from_graph(onnx: Any, model: Any) -> tuple:
    graph = model.graph
    r = Reader(onnx, _opset(model))
    for tensor in graph.initializer:
        if not isinstance(tensor.name, str) or not tensor.name:
            raise MXNetError(f"ONNX import: initializer name {tensor.name!r} is not a usable name")
        r.consts[tensor.name] = _tensor(onnx, tensor, "initializer")
    for value in graph.input:
        if not isinstance(value.name, str) or not value.name:  # protobuf hands invalid UTF-8 as bytes
            raise MXNetError(f"ONNX import: graph input name {value.name!r} is not a usable name")
        if value.name not in r.consts:
            r.env[value.name] = r.symbol.var(value.name)
    for node in graph.node:
        if node.domain not in ("", "ai.onnx"):
            raise import_error(node, f"is in domain '{node.domain}'; mxtorch imports ONNX's own "
                                     "operators only")
        if not node.output:
            raise import_error(node, "has no outputs")
        try:
            _import_node(onnx, r, node)
        except (ValueError, KeyError, TypeError, IndexError) as err:
            # a node whose attributes or inputs do not fit its operator: the file is malformed
            raise import_error(node, f"could not be read ({type(err).__name__}: {err})") from None
    heads = []
    for value in graph.output:
        if value.name in r.env:
            heads.append(r.env[value.name])
        elif value.name in r.consts:  # an output that reads no input: a parameter shown as is
            heads.append(r.parameter(value.name, r.consts[value.name]))
        else:
            raise MXNetError(f"ONNX import: graph output '{value.name}' is produced by no node")
    sym = heads[0] if len(heads) == 1 else r.symbol.Group(heads)
    return sym, r.arg_params, r.aux_params


def import_model(model_file: Any) -> tuple:
    """Read an ONNX model file as an mxtorch Symbol and its parameters.

    Parameters
    ----------
    model_file : str
        Path of the ``.onnx`` file. It is read as data: tensors are checked against the bytes
        they carry, and tensors in external files are refused.

    Returns
    -------
    sym : Symbol
        The network; its free variables are the model's inputs, named as in the file.
    arg_params : dict of str to NDArray
        Values of the weights (the model's initializers that operators read as data).
    aux_params : dict of str to NDArray
        Values of the auxiliary states (BatchNorm's running mean and variance).

    Raises
    ------
    MXNetError
        When the file is missing or malformed, or holds an operator mxtorch cannot express (the
        error names it).
    ImportError
        When the ``onnx`` package is not installed.
    """
    onnx = require_onnx()
    return _from_graph(onnx, _read_model(onnx, model_file))


def get_model_metadata(model_file: Any) -> dict:
    """Names, shapes and element types of an ONNX model's inputs and outputs.

    Parameters
    ----------
    model_file : str
        Path of the ``.onnx`` file.

    Returns
    -------
    dict
        ``'input_tensor_data'``: a list of ``(name, shape, element type)`` for each input that is
        not an initializer; ``'output_tensor_data'``: a list of ``(name, shape)`` for each output.
        An unknown dimension reads 0, as in MXNet.
    """
    onnx = require_onnx()
    graph = _read_model(onnx, model_file).graph
    initialized = {t.name for t in graph.initializer}

    def dims(value: Any) -> tuple:
        return tuple(int(d.dim_value) for d in value.type.tensor_type.shape.dim)

    inputs = [(v.name, dims(v), int(v.type.tensor_type.elem_type)) for v in graph.input
              if v.name not in initialized]
    outputs = [(v.name, dims(v)) for v in graph.output]
    return {"input_tensor_data": inputs, "output_tensor_data": outputs}


def import_to_gluon(model_file: Any, ctx: Any) -> Any:
    """Read an ONNX model file as a Gluon :class:`~mxtorch.gluon.SymbolBlock` with its weights.

    Parameters
    ----------
    model_file : str
        Path of the ``.onnx`` file.
    ctx : Context or list of Context
        Where the parameters are placed.

    Returns
    -------
    gluon.SymbolBlock
        A block whose inputs are the model's data inputs, in the file's order.
    """
    from .. import symbol
    from ..gluon import SymbolBlock

    sym, arg_params, aux_params = import_model(model_file)
    names = [name for name, _, _ in get_model_metadata(model_file)["input_tensor_data"]]
    block = SymbolBlock(sym, [symbol.var(n) for n in names])
    params = block.collect_params()
    values = {**arg_params, **aux_params}
    for name, param in params.items():
        if name not in values:
            raise MXNetError(f"ONNX import: parameter '{name}' has no value in the model")
        param._load_init(values[name], ctx)
    return block
