"""Writing a Symbol and its parameters as an ONNX model.

The graph is walked once in MXNet's node order. Each variable becomes a graph input (the data the
caller feeds), an initializer (a parameter found in ``params``) or nothing (a loss layer's label);
each operator node is handed to its converter in :data:`CONVERTERS`, which emits one or more ONNX
nodes that end in the tensor names the graph expects. Shapes and dtypes come from mxtorch's own
inference (:mod:`mxtorch.symbol.infer`), run once for the whole graph, so converters that need a
static shape (``Reshape`` with MXNet's special codes, a non-global ``sum`` pooling) can read it.
"""
from __future__ import annotations

import logging
import math
from typing import Any, Callable, Iterable, Optional, Sequence

import numpy as np

from ..base import MXNetError
from ..symbol import infer
from ..symbol.graph import Node, topo_order
from ._deps import OPSET, require_onnx

__all__ = ["CONVERTERS", "build_model", "converts", "get_operator_support"]

Converter = Callable[["_Builder", Node, list, list], None]

#: MXNet operator name (the table's canonical name) -> the function that writes it as ONNX nodes.
CONVERTERS: dict = {}

# Loss layers whose ``label`` input is only used in training: export drops the label variable.
_LOSS_OUTPUTS = ("SoftmaxOutput", "LogisticRegressionOutput", "LinearRegressionOutput",
                 "MAERegressionOutput", "SVMOutput")


def converts(*names: str) -> Callable[[Converter], Converter]:
    """Register the decorated function as the ONNX converter of the MXNet operators ``names``."""
    def register(fn: Converter) -> Converter:
        for name in names:
            CONVERTERS[name] = fn
        return fn
    return register


def get_operator_support(opset_version: Optional[int] = None) -> list:
    """Names of the MXNet operators that :func:`export_model` can write, sorted.

    Parameters
    ----------
    opset_version : int, optional
        Accepted for MXNet's signature. mxtorch always writes operator set 13, so the list is the
        same whatever is asked; a version below 13 is refused.

    Returns
    -------
    list of str
        The operator names, as they appear in ``-symbol.json`` files.
    """
    if opset_version is not None and int(opset_version) < OPSET:
        raise MXNetError(f"mxtorch writes ONNX operator set {OPSET}; operator set {opset_version} "
                         "is not supported")
    return sorted(CONVERTERS)


def _refuse(node: Node, why: str) -> MXNetError:
    return MXNetError(f"ONNX export: operator {node.op} (node '{node.name}') {why}")


def _onnx_output_name(mx_name: str) -> str:
    """The ONNX tensor name MXNet's exporter gives an output called ``mx_name`` by ``list_outputs``:
    ``fc1_output`` -> ``fc1``, ``split0_output1`` -> ``split01``, anything else unchanged."""
    if mx_name.endswith("_output"):
        return mx_name[: -len("_output")]
    head, sep, tail = mx_name.rpartition("_output")
    if sep and tail.isdigit() and len(tail) == 1:
        return head + tail
    return mx_name


class _Builder:
    """The ONNX graph under construction, and what converters may ask about the MXNet graph."""

    def __init__(self, onnx: Any, shapes: dict, types: dict, dynamic: bool):
        self.onnx = onnx
        self.helper = onnx.helper
        self.shapes = shapes      # {(id(node), index): shape}
        self.types = types        # {(id(node), index): numpy type}
        self.dynamic = dynamic
        self.nodes: list = []
        self.initializers: list = []
        self.used: set = set()
        # ids of gamma variables read only by fix_gamma BatchNorms: written as ones
        self.unit_gammas: set = set()

    # -- names ------------------------------------------------------------------------------------
    def claim(self, name: str) -> str:
        """Reserve ``name`` as a tensor name; a taken name gets a numeric suffix."""
        candidate, k = name, 0
        while candidate in self.used:
            k += 1
            candidate = f"{name}__{k}"
        self.used.add(candidate)
        return candidate

    # -- what converters read ---------------------------------------------------------------------
    def in_shape(self, node: Node, k: int = 0) -> tuple:
        """Inferred shape of the ``k``-th input of ``node``."""
        src, i = node.inputs[k]
        shape = self.shapes.get((id(src), i))
        if shape is None or not infer.known(shape):
            raise _refuse(node, f"needs the shape of its input {k}, which could not be inferred")
        return tuple(shape)

    def out_shape(self, node: Node, k: int = 0) -> tuple:
        """Inferred shape of output ``k`` of ``node``."""
        shape = self.shapes.get((id(node), k))
        if shape is None or not infer.known(shape):
            raise _refuse(node, f"needs the shape of its output {k}, which could not be inferred")
        return tuple(shape)

    def in_type(self, node: Node, k: int = 0) -> np.dtype:
        """Inferred dtype of the ``k``-th input of ``node`` (float32 when unknown)."""
        src, i = node.inputs[k]
        found = self.types.get((id(src), i))
        return np.dtype(found if found is not None else np.float32)

    def rank(self, node: Node, k: int = 0) -> int:
        """Number of dimensions of the ``k``-th input of ``node``."""
        return len(self.in_shape(node, k))

    # -- what converters write --------------------------------------------------------------------
    def const(self, hint: str, value: Any, dtype: Any = None) -> str:
        """Add a constant tensor (an initializer) and return its name."""
        array = np.asarray(value, dtype=dtype)
        name = self.claim(hint)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def ints(self, hint: str, values: Iterable[int]) -> str:
        """Add a 1-D int64 constant (shapes, axes, pads) and return its name."""
        return self.const(hint, [int(v) for v in values], np.int64)

    def scalar(self, hint: str, value: float, like: np.dtype) -> str:
        """Add a 0-d constant of dtype ``like`` and return its name."""
        return self.const(hint, np.array(value, dtype=like))

    def add(self, op_type: str, inputs: Sequence[str], outputs: Any = None, *,
            name: Optional[str] = None, **attrs: Any) -> list:
        """Append one ONNX node; ``outputs`` are tensor names or a hint for a single new one.

        Returns the node's output names.
        """
        if outputs is None or isinstance(outputs, str):
            outputs = [self.claim(outputs or f"{name or op_type}_out")]
        node_name = self.claim(name or outputs[0])
        attrs = {k: v for k, v in attrs.items() if v is not None}
        self.nodes.append(self.helper.make_node(op_type, list(inputs), list(outputs), name=node_name,
                                                **attrs))
        return list(outputs)

    def temp(self, node: Node, suffix: str) -> str:
        """A fresh tensor name for an intermediate result of ``node``."""
        return self.claim(f"{node.name}_{suffix}")


# -- shared helpers for the converters --------------------------------------------------------------
def _spatial(node: Node, b: _Builder, what: str) -> int:
    layout = node.parsed.get("layout")
    if layout not in (None, "NCW", "NCHW", "NCDHW"):
        raise _refuse(node, f"has layout {layout}; ONNX {what} takes channels-first data (NCW, "
                            "NCHW, NCDHW)")
    return b.rank(node) - 2


def _window(node: Node, nd: int) -> tuple:
    """(kernel, strides, pads) of a convolution or pooling node, with MXNet's defaults filled in."""
    p = node.parsed
    kernel = tuple(p["kernel"])
    stride = tuple(p["stride"]) or (1,) * nd
    pad = tuple(p["pad"]) or (0,) * nd
    return kernel, stride, pad


@converts("Convolution")
def _convolution(b: _Builder, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    nd = _spatial(node, b, "Conv")
    kernel, stride, pad = _window(node, nd)
    dilate = tuple(p["dilate"]) or (1,) * nd
    inputs = ins[:2] if p["no_bias"] else ins[:3]
    b.add("Conv", inputs, outs, name=node.name, kernel_shape=list(kernel), strides=list(stride),
          pads=list(pad) * 2, dilations=list(dilate), group=int(p["num_group"]))


@converts("Deconvolution")
def _deconvolution(b: _Builder, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    nd = _spatial(node, b, "ConvTranspose")
    if p["target_shape"]:
        raise _refuse(node, "sets target_shape; export supports Deconvolution with pad/adj only")
    kernel, stride, pad = _window(node, nd)
    dilate = tuple(p["dilate"]) or (1,) * nd
    adj = tuple(p["adj"]) or (0,) * nd
    inputs = ins[:2] if p["no_bias"] else ins[:3]
    b.add("ConvTranspose", inputs, outs, name=node.name, kernel_shape=list(kernel),
          strides=list(stride), pads=list(pad) * 2, dilations=list(dilate),
          output_padding=list(adj), group=int(p["num_group"]))


@converts("FullyConnected")
def _fully_connected(b: _Builder, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    rank = b.rank(node)
    data = ins[0]
    if p["flatten"] and rank > 2:
        data = b.add("Flatten", [data], b.temp(node, "flatten"), axis=1)[0]
        rank = 2
    if rank == 2:
        inputs = [data, ins[1]] + ([] if p["no_bias"] else [ins[2]])
        b.add("Gemm", inputs, outs, name=node.name, transB=1)
        return
    weight_t = b.add("Transpose", [ins[1]], b.temp(node, "weight_t"), perm=[1, 0])[0]
    if p["no_bias"]:
        b.add("MatMul", [data, weight_t], outs, name=node.name)
        return
    product = b.add("MatMul", [data, weight_t], b.temp(node, "matmul"))[0]
    b.add("Add", [product, ins[2]], outs, name=node.name)


_ACTIVATIONS = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softrelu": "Softplus",
                "softsign": "Softsign"}


@converts("Activation")
def _activation(b: _Builder, node: Node, ins: list, outs: list) -> None:
    act = node.parsed["act_type"]
    if act not in _ACTIVATIONS:
        raise _refuse(node, f"has act_type '{act}', which has no ONNX form here; supported: "
                            f"{sorted(_ACTIVATIONS)}")
    b.add(_ACTIVATIONS[act], ins[:1], outs, name=node.name)


def _gelu(b: _Builder, node: Node, x: str, outs: list) -> None:
    """Exact GELU, ``x * (1 + erf(x / sqrt(2))) / 2``, from operator-set-13 nodes."""
    like = b.in_type(node)
    scaled = b.add("Div", [x, b.scalar(f"{node.name}_sqrt2", math.sqrt(2.0), like)],
                   b.temp(node, "scaled"))[0]
    erf = b.add("Erf", [scaled], b.temp(node, "erf"))[0]
    one_plus = b.add("Add", [erf, b.scalar(f"{node.name}_one", 1.0, like)], b.temp(node, "1p"))[0]
    half_x = b.add("Mul", [x, b.scalar(f"{node.name}_half", 0.5, like)], b.temp(node, "halfx"))[0]
    b.add("Mul", [half_x, one_plus], outs[:1], name=node.name)


@converts("LeakyReLU")
def _leaky_relu(b: _Builder, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    act = p["act_type"]
    if act == "leaky":
        b.add("LeakyRelu", ins[:1], outs[:1], name=node.name, alpha=float(p["slope"]))
    elif act == "elu":
        b.add("Elu", ins[:1], outs[:1], name=node.name, alpha=float(p["slope"]))
    elif act == "selu":
        b.add("Selu", ins[:1], outs[:1], name=node.name)
    elif act == "gelu":
        _gelu(b, node, ins[0], outs)
    elif act == "prelu":
        rank = b.rank(node)
        slope = ins[1]
        if rank > 2:  # gamma has one value per channel (axis 1); ONNX broadcasts from the right
            slope = b.add("Reshape", [slope, b.ints(f"{node.name}_gamma_shape", [-1] + [1] * (rank - 2))],
                          b.temp(node, "gamma"))[0]
        b.add("PRelu", [ins[0], slope], outs[:1], name=node.name)
    elif act == "rrelu":  # at inference the slope is the middle of its range
        alpha = (float(p["lower_bound"]) + float(p["upper_bound"])) / 2.0
        b.add("LeakyRelu", ins[:1], outs[:1], name=node.name, alpha=alpha)
        if len(outs) > 1:
            b.add("Identity", [b.const(f"{node.name}_mask", np.zeros(b.in_shape(node), np.float32))],
                  outs[1:2])
    else:
        raise _refuse(node, f"has act_type '{act}', which has no ONNX form here")


_GLOBAL_POOLS = {"max": "GlobalMaxPool", "avg": "GlobalAveragePool", "lp": "GlobalLpPool"}


@converts("Pooling")
def _pooling(b: _Builder, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    nd = _spatial(node, b, "pooling")
    pool_type = p["pool_type"]
    lp = {"p": int(p["p_value"] or 2)} if pool_type == "lp" else {}
    if p["global_pool"]:
        if pool_type == "sum":
            b.add("ReduceSum", [ins[0], b.ints(f"{node.name}_axes", range(2, 2 + nd))], outs,
                  name=node.name, keepdims=1)
        else:
            b.add(_GLOBAL_POOLS[pool_type], ins[:1], outs, name=node.name, **lp)
        return
    kernel, stride, pad = _window(node, nd)
    convention = p["pooling_convention"]
    if convention not in ("valid", "full"):
        raise _refuse(node, f"has pooling_convention '{convention}'; export supports 'valid' and "
                            "'full'")
    window = {"kernel_shape": list(kernel), "strides": list(stride), "pads": list(pad) * 2,
              "ceil_mode": int(convention == "full")}
    if pool_type == "max":
        b.add("MaxPool", ins[:1], outs, name=node.name, **window)
    elif pool_type == "lp":
        if window["ceil_mode"]:
            raise _refuse(node, "is an 'lp' pooling with pooling_convention 'full', which ONNX's "
                                "LpPool of operator set 13 cannot express")
        del window["ceil_mode"]
        b.add("LpPool", ins[:1], outs, name=node.name, **window, **lp)
    else:
        count_pad = p["count_include_pad"]
        include = 1 if pool_type == "sum" or count_pad is None or count_pad else 0
        if pool_type == "avg":
            b.add("AveragePool", ins[:1], outs, name=node.name, count_include_pad=include, **window)
        else:  # sum: the average over the whole window, times the window's size
            mean = b.add("AveragePool", ins[:1], b.temp(node, "avg"), count_include_pad=1, **window)[0]
            size = b.scalar(f"{node.name}_window", float(np.prod(kernel)), b.in_type(node))
            b.add("Mul", [mean, size], outs, name=node.name)


@converts("_contrib_AdaptiveAvgPooling2D")
def _adaptive_avg_pooling(b: _Builder, node: Node, ins: list, outs: list) -> None:
    size = tuple(node.parsed["output_size"]) or (1,)
    if any(s != 1 for s in size):
        raise _refuse(node, f"has output_size {size}; export supports output_size 1 only")
    b.add("GlobalAveragePool", ins[:1], outs, name=node.name)


@converts("BatchNorm")
def _batch_norm(b: _Builder, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    axis = int(p["axis"])
    if axis not in (1, 1 - b.rank(node)):
        raise _refuse(node, f"normalises axis {axis}; ONNX BatchNormalization normalises axis 1")
    if p["output_mean_var"]:
        raise _refuse(node, "sets output_mean_var; export writes the inference form only")
    gamma = ins[1]
    if p["fix_gamma"] and id(node.inputs[1][0]) not in b.unit_gammas:
        # the operator scales by one whatever gamma holds; a gamma read elsewhere too stays as it is
        gamma = b.const(f"{node.name}_fixed_gamma", np.ones(b.in_shape(node, 1), b.in_type(node, 1)))
    b.add("BatchNormalization", [ins[0], gamma, ins[2], ins[3], ins[4]], outs[:1], name=node.name,
          epsilon=float(p["eps"]), momentum=float(p["momentum"]))


@converts("InstanceNorm")
def _instance_norm(b: _Builder, node: Node, ins: list, outs: list) -> None:
    b.add("InstanceNormalization", ins[:3], outs, name=node.name, epsilon=float(node.parsed["eps"]))


@converts("LRN")
def _lrn(b: _Builder, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    b.add("LRN", ins[:1], outs, name=node.name, alpha=float(p["alpha"]), beta=float(p["beta"]),
          bias=float(p["knorm"]), size=int(p["nsize"]))


@converts("LayerNorm")
def _layer_norm(b: _Builder, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    rank = b.rank(node)
    if int(p["axis"]) not in (-1, rank - 1) or p["output_mean_var"]:
        raise _refuse(node, "normalises an axis other than the last (or outputs mean and variance); "
                            "export supports LayerNorm over the last axis")
    like = b.in_type(node)
    mean = b.add("ReduceMean", ins[:1], b.temp(node, "mean"), axes=[-1], keepdims=1)[0]
    centred = b.add("Sub", [ins[0], mean], b.temp(node, "centred"))[0]
    square = b.add("Mul", [centred, centred], b.temp(node, "square"))[0]
    var = b.add("ReduceMean", [square], b.temp(node, "var"), axes=[-1], keepdims=1)[0]
    var_eps = b.add("Add", [var, b.scalar(f"{node.name}_eps", float(p["eps"]), like)],
                    b.temp(node, "var_eps"))[0]
    std = b.add("Sqrt", [var_eps], b.temp(node, "std"))[0]
    normed = b.add("Div", [centred, std], b.temp(node, "normed"))[0]
    scaled = b.add("Mul", [normed, ins[1]], b.temp(node, "scaled"))[0]
    b.add("Add", [scaled, ins[2]], outs[:1], name=node.name)


@converts("Flatten")
def _flatten(b: _Builder, node: Node, ins: list, outs: list) -> None:
    b.add("Flatten", ins[:1], outs, name=node.name, axis=1)


def _softmax_over_rest(b: _Builder, node: Node, x: str, outs: list, op_type: str = "Softmax") -> None:
    """Softmax of each sample over all its other axes: (N, ...) -> flattened, then shaped back."""
    if b.rank(node) <= 2:
        b.add(op_type, [x], outs, name=node.name, axis=-1)
        return
    flat = b.add("Flatten", [x], b.temp(node, "flat"), axis=1)[0]
    soft = b.add(op_type, [flat], b.temp(node, "soft"), axis=1)[0]
    shape = b.ints(f"{node.name}_shape", (0,) + b.in_shape(node)[1:])
    b.add("Reshape", [soft, shape], outs, name=node.name)


@converts("SoftmaxOutput")
def _softmax_output(b: _Builder, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    if p["preserve_shape"]:
        b.add("Softmax", ins[:1], outs, name=node.name, axis=-1)
    elif p["multi_output"]:
        b.add("Softmax", ins[:1], outs, name=node.name, axis=1)
    else:
        _softmax_over_rest(b, node, ins[0], outs)


@converts("SoftmaxActivation")
def _softmax_activation(b: _Builder, node: Node, ins: list, outs: list) -> None:
    if node.parsed["mode"] == "channel":
        b.add("Softmax", ins[:1], outs, name=node.name, axis=1)
    else:
        _softmax_over_rest(b, node, ins[0], outs)


@converts("LogisticRegressionOutput")
def _logistic_output(b: _Builder, node: Node, ins: list, outs: list) -> None:
    b.add("Sigmoid", ins[:1], outs, name=node.name)


@converts("softmax", "log_softmax")
def _softmax(b: _Builder, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    if p["use_length"]:
        raise _refuse(node, "sets use_length; export supports softmax without a length input")
    x = ins[0]
    temperature = p["temperature"]
    if temperature is not None and float(temperature) != 1.0:
        t = b.scalar(f"{node.name}_temperature", float(temperature), b.in_type(node))
        x = b.add("Div", [x, t], b.temp(node, "scaled"))[0]
    op_type = "Softmax" if node.entry.name == "softmax" else "LogSoftmax"
    if p["dtype"] is None:
        b.add(op_type, [x], outs, name=node.name, axis=int(p["axis"]))
        return
    soft = b.add(op_type, [x], b.temp(node, "soft"), axis=int(p["axis"]))[0]
    b.add("Cast", [soft], outs, name=node.name, to=_tensor_type(b, p["dtype"]))


def _tensor_type(b: _Builder, dtype: Any) -> int:
    return int(b.helper.np_dtype_to_tensor_dtype(np.dtype(dtype)))


@converts("_copy", "BlockGrad", "LinearRegressionOutput", "MAERegressionOutput", "MakeLoss")
def _identity(b: _Builder, node: Node, ins: list, outs: list) -> None:
    b.add("Identity", ins[:1], outs, name=node.name)


@converts("Dropout")
def _dropout(b: _Builder, node: Node, ins: list, outs: list) -> None:
    if node.parsed["mode"] == "always":
        raise _refuse(node, "has mode 'always' (dropout at inference too), which an ONNX inference "
                            "graph does not express")
    b.add("Identity", ins[:1], outs[:1], name=node.name)


_BINARY = {"elemwise_add": "Add", "broadcast_add": "Add", "elemwise_sub": "Sub",
           "broadcast_sub": "Sub", "elemwise_mul": "Mul", "broadcast_mul": "Mul",
           "elemwise_div": "Div", "broadcast_div": "Div", "_maximum": "Max",
           "broadcast_maximum": "Max", "_minimum": "Min", "broadcast_minimum": "Min",
           "_power": "Pow", "broadcast_power": "Pow"}


@converts(*_BINARY)
def _binary(b: _Builder, node: Node, ins: list, outs: list) -> None:
    b.add(_BINARY[node.entry.name], ins[:2], outs, name=node.name)


# name -> (ONNX operator, whether the scalar is the left operand)
_SCALAR = {"_plus_scalar": ("Add", False), "_minus_scalar": ("Sub", False),
           "_rminus_scalar": ("Sub", True), "_mul_scalar": ("Mul", False),
           "_div_scalar": ("Div", False), "_rdiv_scalar": ("Div", True),
           "_power_scalar": ("Pow", False), "_rpower_scalar": ("Pow", True),
           "_maximum_scalar": ("Max", False), "_minimum_scalar": ("Min", False)}


@converts(*_SCALAR)
def _scalar_op(b: _Builder, node: Node, ins: list, outs: list) -> None:
    op_type, left = _SCALAR[node.entry.name]
    c = b.scalar(f"{node.name}_scalar", float(node.parsed["scalar"]), b.in_type(node))
    b.add(op_type, [c, ins[0]] if left else [ins[0], c], outs, name=node.name)


_UNARY = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "exp": "Exp", "log": "Log",
          "sqrt": "Sqrt", "abs": "Abs", "negative": "Neg", "reciprocal": "Reciprocal",
          "floor": "Floor", "ceil": "Ceil", "erf": "Erf", "sin": "Sin", "cos": "Cos", "tan": "Tan",
          "softsign": "Softsign", "sign": "Sign", "arcsin": "Asin", "arccos": "Acos",
          "arctan": "Atan", "logical_not": "Not"}


@converts(*_UNARY)
def _unary(b: _Builder, node: Node, ins: list, outs: list) -> None:
    b.add(_UNARY[node.entry.name], ins[:1], outs, name=node.name)


@converts("square")
def _square(b: _Builder, node: Node, ins: list, outs: list) -> None:
    b.add("Mul", [ins[0], ins[0]], outs, name=node.name)


@converts("hard_sigmoid")
def _hard_sigmoid(b: _Builder, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    b.add("HardSigmoid", ins[:1], outs, name=node.name, alpha=float(p["alpha"]), beta=float(p["beta"]))


@converts("clip")
def _clip(b: _Builder, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    like = b.in_type(node)
    b.add("Clip", [ins[0], b.scalar(f"{node.name}_min", float(p["a_min"]), like),
                   b.scalar(f"{node.name}_max", float(p["a_max"]), like)], outs, name=node.name)


@converts("Concat")
def _concat(b: _Builder, node: Node, ins: list, outs: list) -> None:
    b.add("Concat", ins, outs, name=node.name, axis=int(node.parsed["dim"]))


@converts("add_n")
def _add_n(b: _Builder, node: Node, ins: list, outs: list) -> None:
    b.add("Sum", ins, outs, name=node.name)


@converts("Reshape")
def _reshape(b: _Builder, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    codes = tuple(p["shape"]) or tuple(p["target_shape"])
    if b.dynamic:
        if p["reverse"] or p["target_shape"] or any(c < -1 for c in codes):
            raise _refuse(node, f"has shape {codes} (reverse={p['reverse']}); with dynamic=True "
                                "export supports the codes 0 and -1 and plain sizes only")
        target = codes
    else:  # static shapes: the inferred output shape says it all
        target = b.out_shape(node)
    b.add("Reshape", [ins[0], b.ints(f"{node.name}_shape", target)], outs, name=node.name)


@converts("transpose")
def _transpose(b: _Builder, node: Node, ins: list, outs: list) -> None:
    axes = tuple(node.parsed["axes"]) or tuple(reversed(range(b.rank(node))))
    b.add("Transpose", ins[:1], outs, name=node.name, perm=list(axes))


@converts("expand_dims")
def _expand_dims(b: _Builder, node: Node, ins: list, outs: list) -> None:
    axes = b.ints(f"{node.name}_axes", [int(node.parsed["axis"])])
    b.add("Unsqueeze", [ins[0], axes], outs, name=node.name)


@converts("squeeze")
def _squeeze(b: _Builder, node: Node, ins: list, outs: list) -> None:
    axis = node.parsed["axis"]
    if axis is None:
        b.add("Squeeze", ins[:1], outs, name=node.name)
    else:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        b.add("Squeeze", [ins[0], b.ints(f"{node.name}_axes", axes)], outs, name=node.name)


def _reduce_axes(b: _Builder, node: Node) -> Optional[list]:
    p = node.parsed
    axis = p["axis"]
    if axis is None or axis == ():
        if p["exclude"]:  # nothing excluded from an all-axes reduction: MXNet reduces nothing
            return []
        return None
    axes = [axis] if isinstance(axis, int) else list(axis)
    if p["exclude"]:
        rank = b.rank(node)
        chosen = {a % rank for a in axes}
        axes = [a for a in range(rank) if a not in chosen]
    return axes


_REDUCE = {"sum": "ReduceSum", "mean": "ReduceMean", "max": "ReduceMax", "min": "ReduceMin",
           "prod": "ReduceProd"}


@converts(*_REDUCE)
def _reduce(b: _Builder, node: Node, ins: list, outs: list) -> None:
    axes = _reduce_axes(b, node)
    keep = int(bool(node.parsed["keepdims"]))
    if axes == []:
        b.add("Identity", ins[:1], outs, name=node.name)
    elif node.entry.name == "sum":  # operator set 13 takes ReduceSum's axes as an input
        inputs = ins[:1] if axes is None else [ins[0], b.ints(f"{node.name}_axes", axes)]
        b.add("ReduceSum", inputs, outs, name=node.name, keepdims=keep)
    else:
        b.add(_REDUCE[node.entry.name], ins[:1], outs, name=node.name, keepdims=keep, axes=axes)


_INT64_MAX = 2**63 - 1


@converts("slice_axis")
def _slice_axis(b: _Builder, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    end = _INT64_MAX if p["end"] is None else int(p["end"])
    b.add("Slice", [ins[0], b.ints(f"{node.name}_starts", [int(p["begin"])]),
                    b.ints(f"{node.name}_ends", [end]), b.ints(f"{node.name}_axes", [int(p["axis"])])],
          outs, name=node.name)


@converts("slice")
def _slice(b: _Builder, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    begin, end = tuple(p["begin"]), tuple(p["end"])
    step = tuple(p["step"]) or (None,) * len(begin)
    steps = [1 if s is None else int(s) for s in step]
    starts = [(0 if st > 0 else -1) if s is None else int(s) for s, st in zip(begin, steps)]
    ends = [(_INT64_MAX if st > 0 else -_INT64_MAX) if e is None else int(e) for e, st in zip(end, steps)]
    b.add("Slice", [ins[0], b.ints(f"{node.name}_starts", starts), b.ints(f"{node.name}_ends", ends),
                    b.ints(f"{node.name}_axes", range(len(begin))), b.ints(f"{node.name}_steps", steps)],
          outs, name=node.name)


@converts("Cast")
def _cast(b: _Builder, node: Node, ins: list, outs: list) -> None:
    b.add("Cast", ins[:1], outs, name=node.name, to=_tensor_type(b, node.parsed["dtype"]))


@converts("Pad")
def _pad(b: _Builder, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    width = [int(w) for w in p["pad_width"]]
    pads = width[0::2] + width[1::2]
    mode = p["mode"]
    inputs = [ins[0], b.ints(f"{node.name}_pads", pads)]
    if mode == "constant":
        inputs.append(b.scalar(f"{node.name}_value", float(p["constant_value"]), b.in_type(node)))
    b.add("Pad", inputs, outs, name=node.name, mode=mode)


@converts("Embedding")
def _embedding(b: _Builder, node: Node, ins: list, outs: list) -> None:
    index = b.add("Cast", ins[:1], b.temp(node, "index"), to=int(b.onnx.TensorProto.INT64))[0]
    b.add("Gather", [ins[1], index], outs, name=node.name, axis=0)


@converts("dot", "batch_dot")
def _dot(b: _Builder, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    ranks = (b.rank(node, 0), b.rank(node, 1))
    if node.entry.name == "dot" and ranks != (2, 2) and (ranks[1] != 2 or p["transpose_a"]):
        raise _refuse(node, f"multiplies arrays of ranks {ranks}; export supports dot of a matrix "
                            "on the right (and transpose_a with two matrices)")
    args = []
    for k, flag in enumerate((p["transpose_a"], p["transpose_b"])):
        x = ins[k]
        if flag:
            perm = list(range(ranks[k] - 2)) + [ranks[k] - 1, ranks[k] - 2]
            x = b.add("Transpose", [x], b.temp(node, f"t{k}"), perm=perm)[0]
        args.append(x)
    b.add("MatMul", args, outs, name=node.name)


@converts("SliceChannel")
def _slice_channel(b: _Builder, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    axis = int(p["axis"])
    if not p["squeeze_axis"]:
        b.add("Split", ins[:1], outs, name=node.name, axis=axis)
        return
    parts = [b.temp(node, f"part{k}") for k in range(len(outs))]
    b.add("Split", ins[:1], parts, name=node.name, axis=axis)
    axes = b.ints(f"{node.name}_axes", [axis])
    for part, out in zip(parts, outs):
        b.add("Squeeze", [part, axes], [out])


@converts("argmax", "argmin")
def _arg_reduce(b: _Builder, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    if p["axis"] is None:
        raise _refuse(node, "has no axis; export supports argmax/argmin along one axis")
    op_type = "ArgMax" if node.entry.name == "argmax" else "ArgMin"
    index = b.add(op_type, ins[:1], b.temp(node, "index"), axis=int(p["axis"]),
                  keepdims=int(bool(p["keepdims"])))[0]
    b.add("Cast", [index], outs, name=node.name, to=int(b.onnx.TensorProto.FLOAT))


# -- the walk -----------------------------------------------------------------------------------------
def _label_variables(nodes: list, params: dict) -> set:
    """Variables used only as the ``label`` input of loss layers: training data the export drops."""
    uses: dict = {}
    for node in nodes:
        if node.is_variable:
            continue
        names = node.input_names()
        for (src, _), slot in zip(node.inputs, names):
            if src.is_variable:
                uses.setdefault(id(src), []).append(node.entry.name in _LOSS_OUTPUTS and slot == "label")
    return {id(n) for n in nodes if n.is_variable and n.name not in params and uses.get(id(n))
            and all(uses[id(n)])}


def _unit_gammas(nodes: list) -> set:
    """Gamma variables read only by ``fix_gamma`` BatchNorms, which scale by one whatever they hold."""
    uses: dict = {}
    for node in nodes:
        if node.is_variable:
            continue
        fixed = node.entry.name == "BatchNorm" and node.parsed["fix_gamma"]
        for k, (src, _) in enumerate(node.inputs):
            if src.is_variable:
                uses.setdefault(id(src), []).append(fixed and k == 1)
    return {key for key, flags in uses.items() if all(flags)}


def build_model(heads: list, params: dict, in_shapes: list, in_types: list, *, dynamic: bool = False,
                dynamic_input_shapes: Optional[list] = None, verbose: bool = False) -> Any:
    """Convert the graph under ``heads`` into an ONNX ``ModelProto``.

    Parameters
    ----------
    heads : list of (Node, int)
        The symbol's outputs.
    params : dict of str to numpy.ndarray
        Parameter values by variable name; they become the model's initializers.
    in_shapes : list of tuple
        Shapes of the remaining (data) inputs, in ``list_inputs`` order.
    in_types : list of numpy dtype
        Their dtypes.
    dynamic : bool
        Write every input dimension (or those None in ``dynamic_input_shapes``) as unknown.
    dynamic_input_shapes : list of tuple, optional
        The input shapes to declare when ``dynamic`` is set, None marking an unknown dimension.
    verbose : bool
        Log each node as it is converted.

    Returns
    -------
    onnx.ModelProto
    """
    onnx = require_onnx()
    helper = onnx.helper
    nodes = topo_order(heads)
    labels = _label_variables(nodes, params)
    data_vars = [n for n in nodes if n.is_variable and n.name not in params and id(n) not in labels]
    if len(data_vars) != len(in_shapes):
        raise MXNetError(f"ONNX export: the symbol has {len(data_vars)} input(s) not given in params "
                         f"{[n.name for n in data_vars]}, but in_shapes lists {len(in_shapes)} shape(s)")
    if len(in_types) != len(in_shapes):
        raise MXNetError(f"ONNX export: in_types lists {len(in_types)} type(s) for {len(in_shapes)} "
                         "input shape(s)")
    given_shapes = {n.name: tuple(int(d) for d in s) for n, s in zip(data_vars, in_shapes)}
    given_types = {n.name: np.dtype(t).type for n, t in zip(data_vars, in_types)}
    for n in nodes:
        if n.is_variable and n.name in params:
            given_shapes[n.name] = tuple(params[n.name].shape)
            given_types[n.name] = params[n.name].dtype.type
    shapes = infer.infer_shapes(heads, given_shapes)
    types = infer.infer_types(heads, given_types)

    if dynamic:
        if dynamic_input_shapes is None:
            declared = [[None] * len(s) for s in in_shapes]
        else:
            if len(dynamic_input_shapes) != len(in_shapes) or any(
                    len(d) != len(s) for d, s in zip(dynamic_input_shapes, in_shapes)):
                raise MXNetError("ONNX export: dynamic_input_shapes must give one shape of the same "
                                 "rank for each of in_shapes")
            declared = [list(d) for d in dynamic_input_shapes]
    elif dynamic_input_shapes is not None:
        raise MXNetError("ONNX export: dynamic_input_shapes is given but dynamic is False; pass "
                         "dynamic=True to declare unknown input dimensions")
    else:
        declared = [list(s) for s in in_shapes]

    b = _Builder(onnx, shapes, types, dynamic)
    b.unit_gammas = _unit_gammas(nodes)
    names: dict = {}           # (id(node), index) -> ONNX tensor name
    graph_inputs: list = []
    seen_names: set = set()
    for position, node in enumerate(nodes):
        if node.is_variable:
            if id(node) in labels:
                continue
            name = b.claim(node.name)
            names[(id(node), 0)] = name
            if node.name in params:
                value = params[node.name]
                if id(node) in b.unit_gammas:
                    value = np.ones_like(value)
                b.initializers.append(onnx.numpy_helper.from_array(np.ascontiguousarray(value), name))
            else:
                k = data_vars.index(node)
                graph_inputs.append(helper.make_tensor_value_info(
                    name, _tensor_type(b, in_types[k]), declared[k]))
            continue
        converter = CONVERTERS.get(node.entry.name)
        if converter is None:
            raise MXNetError(f"ONNX export: no conversion for operator {node.op} (node '{node.name}'); "
                             f"mxtorch exports {len(CONVERTERS)} operators, listed by "
                             "mx.onnx.get_operator_support()")
        if verbose:
            logging.info("ONNX export: converting node %d, %s '%s'", position, node.op, node.name)
        # a loss layer's label has no tensor (converters of loss layers read their data only)
        ins = [names.get((id(src), i), "") for src, i in node.inputs]
        base = node.name if node.name not in seen_names else f"idx_{position}_{node.name}"
        seen_names.add(node.name)
        outs = [b.claim(_onnx_output_name(base + o[len(node.name):])) for o in node.output_names()]
        converter(b, node, ins, outs)
        for i, out in enumerate(outs):
            names[(id(node), i)] = out

    graph_outputs = []
    for node, i in heads:
        name = names[(id(node), i)]
        if name in {o.name for o in graph_outputs} or name in {x.name for x in graph_inputs}:
            name = b.add("Identity", [name], f"{name}_out")[0]
        shape = shapes.get((id(node), i))
        dims = [None] * len(shape) if (dynamic and shape is not None) else shape
        dtype = types.get((id(node), i)) or np.float32
        graph_outputs.append(helper.make_tensor_value_info(name, _tensor_type(b, dtype),
                                                           None if dims is None else list(dims)))
    graph = helper.make_graph(b.nodes, "mxtorch_graph", graph_inputs, graph_outputs, b.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="mxtorch")
    model.ir_version = min(model.ir_version, 7)  # what operator set 13 came with
    return model
