"""ONNX export (``mx.onnx``), laid out as MXNet 1.9.1's ``mxnet.onnx``.

:func:`export_model` writes a Symbol (or a ``-symbol.json`` file) and its parameters (a dict or a
``.params`` file) as an ONNX model of operator set 13, which onnxruntime and other ONNX runtimes
execute. :func:`get_operator_support` lists the MXNet operators it converts. Reading ONNX files
back is ``mx.contrib.onnx.import_model``, as in MXNet.

The ``onnx`` package is needed only when these functions run (``pip install 'mxtorch[onnx]'``);
importing this module does not load it.

Examples
--------
A hybridized Gluon network is exported by way of its symbol and parameter files:

>>> import numpy as np
>>> import mxtorch as mx
>>> net = mx.gluon.nn.HybridSequential()
>>> net.add(mx.gluon.nn.Dense(4, activation='relu'), mx.gluon.nn.Dense(2))
>>> net.initialize()
>>> net.hybridize()
>>> _ = net(mx.nd.ones((1, 3)))
>>> net.export('/tmp/tiny')
>>> mx.onnx.export_model('/tmp/tiny-symbol.json', '/tmp/tiny-0000.params', [(1, 3)], np.float32,
...                      '/tmp/tiny.onnx')
'/tmp/tiny.onnx'
"""
from __future__ import annotations

import logging
import os
from typing import Any, Optional, Sequence, Union

import numpy as np

from ..base import MXNetError
from .exporter import build_model, get_operator_support

__all__ = ["export_model", "get_operator_support"]

PathType = Union[str, "os.PathLike[str]"]


def _load_params(params: Any) -> dict:
    """Parameters as ``{name: numpy array}`` from a ``.params`` path, a dict or [arg, aux] dicts."""
    from .. import ndarray

    if isinstance(params, (str, os.PathLike)):
        params = ndarray.load(os.fspath(params))
        if not isinstance(params, dict):
            raise MXNetError("ONNX export: the params file holds an unnamed list of arrays; it must "
                             "map names (arg:NAME, aux:NAME) to arrays, as save_checkpoint and "
                             "HybridBlock.export write")
    elif isinstance(params, (list, tuple)):
        if len(params) != 2 or not all(isinstance(p, dict) for p in params):
            raise MXNetError("ONNX export: params given as a list must be [arg_params, aux_params]")
        params = {**params[0], **params[1]}
    elif not isinstance(params, dict):
        raise MXNetError(f"ONNX export: params must be a .params file path, a dict or "
                         f"[arg_params, aux_params], not {type(params).__name__}")
    out = {}
    for key, value in params.items():
        name = key[4:] if key.startswith(("arg:", "aux:")) else key
        out[name] = value.asnumpy() if hasattr(value, "asnumpy") else np.asarray(value)
    return out


def export_model(sym: Any, params: Any, in_shapes: Optional[Sequence[Sequence[int]]] = None,
                 in_types: Any = np.float32, onnx_file_path: PathType = 'model.onnx',
                 verbose: bool = False, dynamic: bool = False,
                 dynamic_input_shapes: Optional[Sequence[Sequence[Optional[int]]]] = None,
                 run_shape_inference: bool = False, input_type: Any = None,
                 input_shape: Optional[Sequence[Sequence[int]]] = None) -> PathType:
    """Write a network as an ONNX model file.

    The graph's variables that ``params`` names become the model's initializers; the others are its
    inputs, in ``sym.list_inputs()`` order, except the label of a loss layer such as
    ``SoftmaxOutput``, which inference does not read and the model leaves out. Outputs are named
    after their MXNet nodes (``softmax`` for ``softmax_output``), as MXNet's exporter names them.

    Parameters
    ----------
    sym : str or Symbol
        The network, or the path of its ``-symbol.json`` file.
    params : str, dict, or list of two dicts
        The parameter values: the path of a ``.params`` file, a dict from names to NDArrays (or
        NumPy arrays; ``arg:`` and ``aux:`` prefixes are dropped), or ``[arg_params, aux_params]``.
    in_shapes : list of tuple
        One shape for each data input, e.g. ``[(1, 3, 224, 224)]``.
    in_types : dtype or list of dtype, default numpy.float32
        The data inputs' element type, one for all or one per input.
    onnx_file_path : str, default 'model.onnx'
        Where to write the model.
    verbose : bool, default False
        Log each node as it is converted.
    dynamic : bool, default False
        Declare the inputs' dimensions unknown (all of them, or those that are None in
        ``dynamic_input_shapes``), so that the model accepts other batch sizes.
    dynamic_input_shapes : list of tuple, optional
        With ``dynamic``, the shape to declare for each input, None where a dimension may vary.
    run_shape_inference : bool, default False
        Run ONNX's shape inference over the model and store the intermediate shapes it finds.
    input_type : dtype or list of dtype, optional
        The older name of ``in_types``; when given it wins.
    input_shape : list of tuple, optional
        The older name of ``in_shapes``; when given it wins.

    Returns
    -------
    str
        ``onnx_file_path``.

    Raises
    ------
    MXNetError
        When the graph holds an operator without an ONNX conversion (the error names it), the
        shapes do not match the inputs, or a file cannot be read.
    ImportError
        When the ``onnx`` package is not installed.
    """
    from .. import symbol
    from .._fileio.atomic import write_atomically
    from ._deps import require_onnx

    onnx = require_onnx()
    if input_type is not None:
        in_types = input_type
    if input_shape is not None:
        in_shapes = input_shape
    if in_shapes is None:
        raise MXNetError("ONNX export: in_shapes is required, one shape per data input, "
                         "e.g. [(1, 3, 224, 224)]")
    in_shapes = [tuple(s) for s in in_shapes]
    if not isinstance(in_types, (list, tuple)):
        in_types = [in_types] * len(in_shapes)
    if isinstance(sym, (str, os.PathLike)):
        sym = symbol.load(os.fspath(sym))
    elif not isinstance(sym, symbol.Symbol):
        raise MXNetError(f"ONNX export: sym must be a Symbol or a -symbol.json path, not "
                         f"{type(sym).__name__}")
    model = build_model(sym._outputs, _load_params(params), in_shapes, list(in_types),
                        dynamic=dynamic, dynamic_input_shapes=dynamic_input_shapes, verbose=verbose)
    if run_shape_inference:
        try:
            model = onnx.shape_inference.infer_shapes(model)
        except Exception as err:  # ONNX's inference is best effort; the model stands without it
            logging.info("ONNX shape inference failed (%s); the model is written without it", err)
    write_atomically(onnx_file_path, model.SerializeToString())
    logging.info("Exported ONNX file %s for input shapes %s", onnx_file_path, in_shapes)
    return onnx_file_path
