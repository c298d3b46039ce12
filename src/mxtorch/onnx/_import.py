"""Reading an ONNX model back as a Symbol and its parameters.

An ONNX file is data: it is read whole (after its size is checked), parsed by protobuf, and every
tensor's declared shape is checked against the bytes it carries before NumPy sees it. Tensors kept
in external files are refused (a model must not make the reader open other paths), as are operator
domains other than ONNX's own. Each node goes to its importer in :data:`IMPORTERS`, which builds
mxtorch operator nodes through the same ``symbol.create`` that ``mx.sym.*`` uses. Initializers
that feed an operator's data become variables with values in ``arg_params`` (BatchNorm's running
statistics in ``aux_params``); those that only give a shape, axes or bounds are read as numbers.
"""
from __future__ import annotations

import math
import os
from typing import Any, Callable, Optional

import numpy as np

from ..base import MXNetError
from ..symbol import limits
from ._deps import require_onnx

__all__ = ["IMPORTERS", "import_model", "get_model_metadata", "import_to_gluon"]

# ONNX files larger than protobuf's own message limit cannot be parsed anyway.
_MAX_FILE_BYTES = 2**31 - 1

#: ONNX operator type -> the function that builds it from mxtorch operators.
IMPORTERS: dict = {}


def imports(*op_types: str) -> Callable[[Callable], Callable]:
    """Register the decorated function as the importer of the ONNX operators ``op_types``."""
    def register(fn: Callable) -> Callable:
        for op_type in op_types:
            IMPORTERS[op_type] = fn
        return fn
    return register


def _bad(node: Any, why: str) -> MXNetError:
    return MXNetError(f"ONNX import: operator {node.op_type} (node '{node.name or node.output[0]}') {why}")


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
            raise _bad(node, "has a subgraph attribute; mxtorch imports flat graphs only")
        else:
            value = onnx.helper.get_attribute_value(attr)
            out[attr.name] = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return out


# -- the graph under construction ---------------------------------------------------------------------
class _Reader:
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

    def is_const(self, name: str) -> bool:
        return name in self.consts and name not in self.env

    def const(self, node: Any, k: int, what: str) -> np.ndarray:
        """Input ``k`` of ``node`` as a constant array; refused if the graph computes it."""
        name = node.input[k] if k < len(node.input) else ""
        if name not in self.consts:
            raise _bad(node, f"takes its {what} (input {k}) from a computed tensor; mxtorch needs "
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
            raise _bad(node, f"reads tensor '{src}', which nothing in the graph produces")
        var_name = name or src
        if var_name in self.env:
            return self.env[var_name]
        array = self.consts[src] if value is None else value
        from .. import ndarray

        sym = self.symbol.var(var_name)
        self.env[var_name] = sym
        target = self.aux_params if aux else self.arg_params
        target[var_name] = ndarray.array(array, dtype=array.dtype)
        return sym

    def op(self, node: Any, op_name: str, inputs: Any = (), *, name: Optional[str] = None,
           **attrs: Any) -> Any:
        """Build one mxtorch operator node (inputs positional, or by name from a dict)."""
        args, kwargs = (list(inputs), {}) if not isinstance(inputs, dict) else ([], dict(inputs))
        try:
            return self.symbol.symbol.create(op_name, args, {**kwargs, **attrs},
                                             name=name or node.output[0])
        except (MXNetError, TypeError, ValueError) as err:
            raise _bad(node, f"could not be built as {op_name}: {err}") from None

    def helper_name(self, node: Any, suffix: str) -> str:
        return f"{node.output[0]}_{suffix}"


# -- importers ------------------------------------------------------------------------------------------
def _pads(node: Any, attrs: dict, nd: int) -> tuple:
    auto_pad = attrs.get("auto_pad", "NOTSET")
    if auto_pad not in ("NOTSET", "VALID"):
        raise _bad(node, f"has auto_pad {auto_pad}; mxtorch imports explicit padding only")
    pads = list(attrs.get("pads", [0] * (2 * nd)))
    if len(pads) != 2 * nd or pads[:nd] != pads[nd:]:
        raise _bad(node, f"has pads {pads}; MXNet pads both sides of an axis alike")
    return tuple(int(p) for p in pads[:nd])


def _window_attrs(node: Any, attrs: dict, kernel: tuple) -> dict:
    nd = len(kernel)
    return {"kernel": tuple(int(k) for k in kernel),
            "stride": tuple(int(s) for s in attrs.get("strides", [1] * nd)),
            "pad": _pads(node, attrs, nd)}


@imports("Conv", "ConvTranspose")
def _conv(r: _Reader, node: Any, attrs: dict) -> Any:
    weight = r.const(node, 1, "weight")
    nd = weight.ndim - 2
    kernel = tuple(attrs.get("kernel_shape", weight.shape[2:]))
    window = _window_attrs(node, attrs, kernel)
    group = int(attrs.get("group", 1))
    bias = len(node.input) > 2 and node.input[2] != ""
    inputs = {"data": r.data(node, 0), "weight": r.data(node, 1)}
    if bias:
        inputs["bias"] = r.data(node, 2)
    extra = {}
    if node.op_type == "Conv":
        op_name, num_filter = "Convolution", weight.shape[0]
    else:
        if "output_shape" in attrs:
            raise _bad(node, "sets output_shape; mxtorch imports ConvTranspose with pads and "
                             "output_padding only")
        op_name, num_filter = "Deconvolution", weight.shape[1] * group
        extra["adj"] = tuple(int(a) for a in attrs.get("output_padding", [0] * nd))
    return r.op(node, op_name, inputs, num_filter=int(num_filter), num_group=group, no_bias=not bias,
                dilate=tuple(int(d) for d in attrs.get("dilations", [1] * nd)), **window, **extra)


@imports("Gemm")
def _gemm(r: _Reader, node: Any, attrs: dict) -> Any:
    alpha, beta = float(attrs.get("alpha", 1.0)), float(attrs.get("beta", 1.0))
    trans_a, trans_b = int(attrs.get("transA", 0)), int(attrs.get("transB", 0))
    has_c = len(node.input) > 2 and node.input[2] != ""
    if r.is_const(node.input[1]) and not trans_a and alpha == 1.0 and beta == 1.0:
        weight = r.consts[node.input[1]]
        if weight.ndim != 2:
            raise _bad(node, f"has a weight of shape {weight.shape}; Gemm multiplies matrices")
        inputs = {"data": r.data(node, 0),
                  "weight": r.data(node, 1) if trans_b else
                  r.data(node, 1, value=np.ascontiguousarray(weight.T), name=f"{node.input[1]}_T")}
        if has_c:
            bias = r.consts.get(node.input[2])
            width = weight.shape[0] if trans_b else weight.shape[1]
            if bias is not None and bias.shape != (width,):  # an MXNet bias is one value per output
                try:
                    bias = np.broadcast_to(bias.reshape(-1) if bias.size == width else bias, (width,)).copy()
                except ValueError:
                    raise _bad(node, f"has a bias of shape {bias.shape} for {width} outputs") from None
                inputs["bias"] = r.data(node, 2, value=bias, name=f"{node.input[2]}_1d")
            else:
                inputs["bias"] = r.data(node, 2)
        num_hidden = weight.shape[0] if trans_b else weight.shape[1]
        return r.op(node, "FullyConnected", inputs, num_hidden=int(num_hidden), no_bias=not has_c,
                    flatten=True)
    product = r.op(node, "_linalg_gemm2", [r.data(node, 0), r.data(node, 1)],
                   name=r.helper_name(node, "gemm") if has_c else None,
                   transpose_a=bool(trans_a), transpose_b=bool(trans_b), alpha=alpha)
    if not has_c:
        return product
    c = r.data(node, 2)
    if beta != 1.0:
        c = r.op(node, "_mul_scalar", [c], name=r.helper_name(node, "beta"), scalar=beta)
    return r.op(node, "broadcast_add", [product, c])


@imports("MatMul")
def _matmul(r: _Reader, node: Any, attrs: dict) -> Any:
    if r.is_const(node.input[1]) and r.consts[node.input[1]].ndim == 2:
        weight = r.consts[node.input[1]]
        w = r.data(node, 1, value=np.ascontiguousarray(weight.T), name=f"{node.input[1]}_T")
        return r.op(node, "FullyConnected", {"data": r.data(node, 0), "weight": w},
                    num_hidden=int(weight.shape[1]), no_bias=True, flatten=False)
    return r.op(node, "_linalg_gemm2", [r.data(node, 0), r.data(node, 1)])


_ACTIVATIONS = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Softplus": "softrelu",
                "Softsign": "softsign"}


@imports(*_ACTIVATIONS)
def _activation(r: _Reader, node: Any, attrs: dict) -> Any:
    return r.op(node, "Activation", [r.data(node, 0)], act_type=_ACTIVATIONS[node.op_type])


@imports("LeakyRelu", "Elu")
def _leaky(r: _Reader, node: Any, attrs: dict) -> Any:
    default = 0.01 if node.op_type == "LeakyRelu" else 1.0
    return r.op(node, "LeakyReLU", [r.data(node, 0)], act_type="leaky" if default == 0.01 else "elu",
                slope=float(attrs.get("alpha", default)))


@imports("Selu")
def _selu(r: _Reader, node: Any, attrs: dict) -> Any:
    alpha, gamma = float(attrs.get("alpha", 1.67326319217681884765625)), float(
        attrs.get("gamma", 1.05070102214813232421875))
    if abs(alpha - 1.6732632) > 1e-6 or abs(gamma - 1.0507010) > 1e-6:
        raise _bad(node, f"has alpha {alpha} and gamma {gamma}; MXNet's selu has fixed constants")
    return r.op(node, "LeakyReLU", [r.data(node, 0)], act_type="selu")


@imports("PRelu")
def _prelu(r: _Reader, node: Any, attrs: dict) -> Any:
    slope = r.const(node, 1, "slope")
    if slope.ndim > 1 and sum(d != 1 for d in slope.shape[1:]):
        raise _bad(node, f"has a slope of shape {slope.shape}; MXNet's prelu takes one per channel")
    gamma = r.data(node, 1, value=slope.reshape(-1), name=f"{node.input[1]}_1d") if slope.ndim != 1 \
        else r.data(node, 1)
    return r.op(node, "LeakyReLU", {"data": r.data(node, 0), "gamma": gamma}, act_type="prelu")


@imports("HardSigmoid")
def _hard_sigmoid(r: _Reader, node: Any, attrs: dict) -> Any:
    return r.op(node, "hard_sigmoid", [r.data(node, 0)], alpha=float(attrs.get("alpha", 0.2)),
                beta=float(attrs.get("beta", 0.5)))


@imports("MaxPool", "AveragePool", "LpPool")
def _pool(r: _Reader, node: Any, attrs: dict) -> Any:
    if any(int(d) != 1 for d in attrs.get("dilations", [])):
        raise _bad(node, f"has dilations {attrs['dilations']}; MXNet pools without dilation")
    if len(node.output) > 1 and node.output[1]:
        raise _bad(node, "asks for MaxPool's indices output, which MXNet's Pooling has not")
    window = _window_attrs(node, attrs, tuple(attrs["kernel_shape"]))
    extra: dict = {}
    if node.op_type == "MaxPool":
        pool_type = "max"
    elif node.op_type == "AveragePool":
        pool_type = "avg"
        extra["count_include_pad"] = bool(attrs.get("count_include_pad", 0))
    else:
        pool_type = "lp"
        extra["p_value"] = int(attrs.get("p", 2))
    convention = "full" if int(attrs.get("ceil_mode", 0)) else "valid"
    return r.op(node, "Pooling", [r.data(node, 0)], pool_type=pool_type, pooling_convention=convention,
                **window, **extra)


@imports("GlobalMaxPool", "GlobalAveragePool", "GlobalLpPool")
def _global_pool(r: _Reader, node: Any, attrs: dict) -> Any:
    pool_type = {"GlobalMaxPool": "max", "GlobalAveragePool": "avg", "GlobalLpPool": "lp"}[node.op_type]
    extra = {"p_value": int(attrs.get("p", 2))} if pool_type == "lp" else {}
    return r.op(node, "Pooling", [r.data(node, 0)], pool_type=pool_type, global_pool=True,
                kernel=(1, 1), **extra)


@imports("BatchNormalization")
def _batch_norm(r: _Reader, node: Any, attrs: dict) -> Any:
    if int(attrs.get("training_mode", 0)) or (len(node.output) > 1 and any(node.output[1:])):
        raise _bad(node, "is in training mode; mxtorch imports inference BatchNormalization only")
    inputs = {"data": r.data(node, 0), "gamma": r.data(node, 1), "beta": r.data(node, 2),
              "moving_mean": r.data(node, 3, aux=True), "moving_var": r.data(node, 4, aux=True)}
    return r.op(node, "BatchNorm", inputs, eps=float(attrs.get("epsilon", 1e-5)),
                momentum=float(attrs.get("momentum", 0.9)), fix_gamma=False)


@imports("InstanceNormalization")
def _instance_norm(r: _Reader, node: Any, attrs: dict) -> Any:
    return r.op(node, "InstanceNorm", {"data": r.data(node, 0), "gamma": r.data(node, 1),
                                       "beta": r.data(node, 2)}, eps=float(attrs.get("epsilon", 1e-5)))


@imports("LRN")
def _lrn(r: _Reader, node: Any, attrs: dict) -> Any:
    return r.op(node, "LRN", [r.data(node, 0)], alpha=float(attrs.get("alpha", 1e-4)),
                beta=float(attrs.get("beta", 0.75)), knorm=float(attrs.get("bias", 1.0)),
                nsize=int(attrs["size"]))


@imports("Flatten")
def _flatten(r: _Reader, node: Any, attrs: dict) -> Any:
    axis = int(attrs.get("axis", 1))
    if axis == 1:
        return r.op(node, "Flatten", [r.data(node, 0)])
    if axis == 0:
        return r.op(node, "Reshape", [r.data(node, 0)], shape=(1, -1))
    raise _bad(node, f"flattens at axis {axis}; mxtorch imports axis 0 and 1")


@imports("Softmax", "LogSoftmax")
def _softmax(r: _Reader, node: Any, attrs: dict) -> Any:
    op_name = "softmax" if node.op_type == "Softmax" else "log_softmax"
    if r.opset >= 13:
        return r.op(node, op_name, [r.data(node, 0)], axis=int(attrs.get("axis", -1)))
    axis = int(attrs.get("axis", 1))  # before set 13: each sample flattened from ``axis`` on
    if axis == -1:
        return r.op(node, op_name, [r.data(node, 0)], axis=-1)
    if axis == 1 and op_name == "softmax":
        return r.op(node, "SoftmaxActivation", [r.data(node, 0)], mode="instance")
    raise _bad(node, f"has axis {axis} under operator set {r.opset}; mxtorch imports axis -1 (and 1 "
                     "for Softmax) there")


_BINARY = {"Add": ("broadcast_add", "_plus_scalar", "_plus_scalar"),
           "Sub": ("broadcast_sub", "_minus_scalar", "_rminus_scalar"),
           "Mul": ("broadcast_mul", "_mul_scalar", "_mul_scalar"),
           "Div": ("broadcast_div", "_div_scalar", "_rdiv_scalar"),
           "Pow": ("broadcast_power", "_power_scalar", "_rpower_scalar"),
           "Max": ("broadcast_maximum", "_maximum_scalar", "_maximum_scalar"),
           "Min": ("broadcast_minimum", "_minimum_scalar", "_minimum_scalar")}


def _is_scalar(r: _Reader, name: str) -> bool:
    return r.is_const(name) and r.consts[name].size == 1 and r.consts[name].ndim <= 1 \
        and r.consts[name].dtype.kind == "f"


@imports(*_BINARY)
def _binary(r: _Reader, node: Any, attrs: dict) -> Any:
    tensor_op, scalar_op, rscalar_op = _BINARY[node.op_type]
    if len(node.input) != 2:
        if node.op_type not in ("Max", "Min") or not node.input:
            raise _bad(node, f"has {len(node.input)} inputs; expected 2")
        out = r.data(node, 0)
        for k in range(1, len(node.input)):
            last = k == len(node.input) - 1
            out = r.op(node, tensor_op, [out, r.data(node, k)],
                       name=None if last else r.helper_name(node, str(k)))
        return out
    lhs, rhs = node.input
    if _is_scalar(r, rhs) and not r.is_const(lhs):
        return r.op(node, scalar_op, [r.data(node, 0)], scalar=float(r.consts[rhs].reshape(())))
    if _is_scalar(r, lhs) and not r.is_const(rhs):
        return r.op(node, rscalar_op, [r.data(node, 1)], scalar=float(r.consts[lhs].reshape(())))
    return r.op(node, tensor_op, [r.data(node, 0), r.data(node, 1)])


@imports("Sum")
def _sum(r: _Reader, node: Any, attrs: dict) -> Any:
    if len(node.input) == 1:
        return r.op(node, "_copy", [r.data(node, 0)])
    return r.op(node, "add_n", [r.data(node, k) for k in range(len(node.input))],
                num_args=len(node.input))


_UNARY = {"Exp": "exp", "Log": "log", "Sqrt": "sqrt", "Abs": "abs", "Neg": "negative",
          "Reciprocal": "reciprocal", "Floor": "floor", "Ceil": "ceil", "Erf": "erf", "Sin": "sin",
          "Cos": "cos", "Tan": "tan", "Sign": "sign", "Asin": "arcsin", "Acos": "arccos",
          "Atan": "arctan", "Not": "logical_not", "Identity": "_copy", "Dropout": "_copy"}


@imports(*_UNARY)
def _unary(r: _Reader, node: Any, attrs: dict) -> Any:
    if node.op_type == "Dropout" and len(node.output) > 1 and node.output[1]:
        raise _bad(node, "asks for the dropout mask, which an inference graph does not have")
    return r.op(node, _UNARY[node.op_type], [r.data(node, 0)])


@imports("Clip")
def _clip(r: _Reader, node: Any, attrs: dict) -> Any:
    if r.opset >= 11:
        low, high = r.opt_const(node, 1, "min"), r.opt_const(node, 2, "max")
    else:
        low, high = attrs.get("min"), attrs.get("max")
    big = float(np.finfo(np.float32).max)
    return r.op(node, "clip", [r.data(node, 0)], a_min=-big if low is None else float(np.reshape(low, ())),
                a_max=big if high is None else float(np.reshape(high, ())))


@imports("Concat")
def _concat(r: _Reader, node: Any, attrs: dict) -> Any:
    return r.op(node, "Concat", [r.data(node, k) for k in range(len(node.input))],
                dim=int(attrs["axis"]), num_args=len(node.input))


def _int_list(values: Any, node: Any, what: str) -> tuple:
    array = np.asarray(values)
    if array.ndim > 1 or array.size > limits.MAX_TUPLE_LEN or array.dtype.kind not in "iu":
        raise _bad(node, f"has {what} {array.tolist()}; expected at most {limits.MAX_TUPLE_LEN} "
                         "integers")
    return tuple(int(v) for v in array.reshape(-1))


@imports("Reshape")
def _reshape(r: _Reader, node: Any, attrs: dict) -> Any:
    shape = _int_list(r.const(node, 1, "shape"), node, "shape")
    if int(attrs.get("allowzero", 0)) and 0 in shape:
        raise _bad(node, "sets allowzero with a zero in its shape; MXNet reads 0 as 'copy'")
    return r.op(node, "Reshape", [r.data(node, 0)], shape=shape)


@imports("Transpose")
def _transpose(r: _Reader, node: Any, attrs: dict) -> Any:
    return r.op(node, "transpose", [r.data(node, 0)], axes=tuple(int(a) for a in attrs.get("perm", ())))


def _axes(r: _Reader, node: Any, attrs: dict, k: int) -> Optional[tuple]:
    """Axes from the ``axes`` attribute (older sets) or input ``k`` (newer ones); None if absent."""
    if "axes" in attrs:
        return tuple(int(a) for a in attrs["axes"])
    value = r.opt_const(node, k, "axes")
    return None if value is None else _int_list(value, node, "axes")


@imports("Unsqueeze")
def _unsqueeze(r: _Reader, node: Any, attrs: dict) -> Any:
    axes = _axes(r, node, attrs, 1)
    if not axes:
        raise _bad(node, "has no axes")
    if any(a < 0 for a in axes) and len(axes) > 1:
        raise _bad(node, f"has axes {axes}; mxtorch imports several axes only when none is negative")
    out = r.data(node, 0)
    ordered = sorted(axes)
    for k, axis in enumerate(ordered):
        last = k == len(ordered) - 1
        out = r.op(node, "expand_dims", [out], axis=axis, name=None if last else r.helper_name(node, str(k)))
    return out


@imports("Squeeze")
def _squeeze(r: _Reader, node: Any, attrs: dict) -> Any:
    axes = _axes(r, node, attrs, 1)
    return r.op(node, "squeeze", [r.data(node, 0)], **({} if axes is None else {"axis": axes}))


_REDUCE = {"ReduceSum": "sum", "ReduceMean": "mean", "ReduceMax": "max", "ReduceMin": "min",
           "ReduceProd": "prod"}


@imports(*_REDUCE)
def _reduce(r: _Reader, node: Any, attrs: dict) -> Any:
    axes = _axes(r, node, attrs, 1)
    keep = bool(attrs.get("keepdims", 1))
    if not axes:
        if int(attrs.get("noop_with_empty_axes", 0)):
            return r.op(node, "_copy", [r.data(node, 0)])
        return r.op(node, _REDUCE[node.op_type], [r.data(node, 0)], keepdims=keep)
    return r.op(node, _REDUCE[node.op_type], [r.data(node, 0)], axis=axes, keepdims=keep)


_HUGE = 2**31 - 1


@imports("Slice")
def _slice(r: _Reader, node: Any, attrs: dict) -> Any:
    if r.opset < 10:
        starts, ends = tuple(attrs["starts"]), tuple(attrs["ends"])
        axes, steps = tuple(attrs.get("axes", range(len(starts)))), (1,) * len(starts)
    else:
        starts = _int_list(r.const(node, 1, "starts"), node, "starts")
        ends = _int_list(r.const(node, 2, "ends"), node, "ends")
        axes_v, steps_v = r.opt_const(node, 3, "axes"), r.opt_const(node, 4, "steps")
        axes = tuple(range(len(starts))) if axes_v is None else _int_list(axes_v, node, "axes")
        steps = (1,) * len(starts) if steps_v is None else _int_list(steps_v, node, "steps")
    if any(a < 0 for a in axes):
        raise _bad(node, f"has negative axes {axes}; mxtorch imports slices on counted axes")

    def end_of(e: int, step: int) -> Optional[int]:
        return None if (step > 0 and e >= _HUGE) or (step < 0 and e <= -_HUGE) else e

    if len(axes) == 1 and steps[0] == 1:
        return r.op(node, "slice_axis", [r.data(node, 0)], axis=axes[0], begin=starts[0],
                    end=end_of(ends[0], 1))
    count = max(axes) + 1
    begin, end, step = [None] * count, [None] * count, [None] * count
    for a, s, e, st in zip(axes, starts, ends, steps):
        begin[a], end[a], step[a] = s, end_of(e, st), st
    return r.op(node, "slice", [r.data(node, 0)], begin=tuple(begin), end=tuple(end), step=tuple(step))


@imports("Cast")
def _cast(r: _Reader, node: Any, attrs: dict) -> Any:
    to = int(attrs["to"])
    types = _element_types(r.onnx)
    if to not in types:
        raise _bad(node, f"casts to element type {to}, which mxtorch does not have")
    return r.op(node, "Cast", [r.data(node, 0)], dtype=np.dtype(types[to][0]).name)


@imports("Pad")
def _pad(r: _Reader, node: Any, attrs: dict) -> Any:
    if r.opset >= 11:
        pads = _int_list(r.const(node, 1, "pads"), node, "pads")
        value = r.opt_const(node, 2, "constant_value")
        if len(node.input) > 3 and node.input[3]:
            raise _bad(node, "names axes; mxtorch imports pads over every axis")
    else:
        pads, value = tuple(attrs["pads"]), attrs.get("value")
    nd = len(pads) // 2
    width = tuple(v for pair in zip(pads[:nd], pads[nd:]) for v in pair)
    mode = attrs.get("mode", "constant")
    return r.op(node, "Pad", [r.data(node, 0)], mode=mode, pad_width=width,
                constant_value=0.0 if value is None else float(np.reshape(value, ())))


@imports("Gather")
def _gather(r: _Reader, node: Any, attrs: dict) -> Any:
    axis = int(attrs.get("axis", 0))
    if r.is_const(node.input[0]) and r.consts[node.input[0]].ndim == 2 and axis == 0:
        table = r.consts[node.input[0]]
        return r.op(node, "Embedding", {"data": r.data(node, 1), "weight": r.data(node, 0)},
                    input_dim=int(table.shape[0]), output_dim=int(table.shape[1]),
                    dtype=table.dtype.name)
    return r.op(node, "take", [r.data(node, 0), r.data(node, 1)], axis=axis, mode="wrap")


@imports("Split")
def _split(r: _Reader, node: Any, attrs: dict) -> Any:
    axis = int(attrs.get("axis", 0))
    sizes = attrs.get("split")
    if sizes is None and r.opset >= 13:
        found = r.opt_const(node, 1, "split")
        sizes = None if found is None else _int_list(found, node, "split")
    if sizes is not None and len(set(sizes)) > 1:
        raise _bad(node, f"splits into unequal parts {list(sizes)}; MXNet's split makes equal parts")
    return r.op(node, "SliceChannel", [r.data(node, 0)], num_outputs=len(node.output), axis=axis)


@imports("ArgMax", "ArgMin")
def _arg_reduce(r: _Reader, node: Any, attrs: dict) -> Any:
    if int(attrs.get("select_last_index", 0)):
        raise _bad(node, "sets select_last_index; MXNet returns the first index")
    index = r.op(node, node.op_type.lower(), [r.data(node, 0)], name=r.helper_name(node, "index"),
                 axis=int(attrs.get("axis", 0)), keepdims=bool(attrs.get("keepdims", 1)))
    return r.op(node, "Cast", [index], dtype="int64")  # MXNet's argmax gives floats, ONNX int64


_FOLDABLE = {"Reshape", "Transpose", "Unsqueeze", "Squeeze", "Cast", "Identity", "Flatten"}


def _fold(r: _Reader, node: Any, attrs: dict) -> Optional[np.ndarray]:
    """NumPy's result of a shape-only node whose data input is a constant (a weight reshaped or
    transposed by the exporter), or None when the node must stay in the graph."""
    if node.op_type not in _FOLDABLE or not node.input or not r.is_const(node.input[0]):
        return None
    x = r.consts[node.input[0]]
    if node.op_type in ("Identity",):
        return x
    if node.op_type == "Transpose":
        return np.ascontiguousarray(np.transpose(x, attrs.get("perm")))
    if node.op_type == "Cast":
        to = int(attrs["to"])
        types = _element_types(r.onnx)
        return x.astype(types[to][0]) if to in types else None
    if node.op_type == "Flatten":
        axis = int(attrs.get("axis", 1)) % max(x.ndim, 1)
        return x.reshape(math.prod(x.shape[:axis]), -1)
    if node.op_type == "Reshape":
        shape = [int(v) for v in r.const(node, 1, "shape")]
        shape = [x.shape[i] if v == 0 else v for i, v in enumerate(shape)]
        return x.reshape(shape)
    axes = _axes(r, node, attrs, 1)
    if node.op_type == "Squeeze":
        return np.squeeze(x, axis=axes)
    out = x
    for axis in sorted(axes or ()):
        out = np.expand_dims(out, axis)
    return out


# -- the public functions ---------------------------------------------------------------------------------
def _opset(model: Any) -> int:
    versions = [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")]
    return max(versions) if versions else 1


def _from_graph(onnx: Any, model: Any) -> tuple:
    graph = model.graph
    r = _Reader(onnx, _opset(model))
    for tensor in graph.initializer:
        r.consts[tensor.name] = _tensor(onnx, tensor, "initializer")
    for value in graph.input:
        if value.name not in r.consts:
            r.env[value.name] = r.symbol.var(value.name)
    for node in graph.node:
        if node.domain not in ("", "ai.onnx"):
            raise _bad(node, f"is in domain '{node.domain}'; mxtorch imports ONNX's own operators only")
        attrs = _attrs(onnx, node)
        if node.op_type == "Constant":
            if "value" not in attrs:
                raise _bad(node, "gives its value other than as a tensor; mxtorch reads 'value' only")
            r.consts[node.output[0]] = attrs["value"]
            continue
        folded = _fold(r, node, attrs)
        if folded is not None:
            r.consts[node.output[0]] = folded
            continue
        importer = IMPORTERS.get(node.op_type)
        if importer is None:
            raise _bad(node, f"has no conversion to MXNet operators; mxtorch imports {sorted(IMPORTERS)}")
        out = importer(r, node, attrs)
        outputs = [o for o in node.output]
        if len(outputs) == 1 or len(out) == 1:
            r.env[outputs[0]] = out if len(out) == 1 else out[0]
        else:
            for k, name in enumerate(outputs):
                if name:
                    r.env[name] = out[k]
    heads = []
    for value in graph.output:
        if value.name in r.env:
            heads.append(r.env[value.name])
        elif value.name in r.consts:
            raise MXNetError(f"ONNX import: graph output '{value.name}' is a constant; mxtorch "
                             "imports outputs that the graph computes")
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
