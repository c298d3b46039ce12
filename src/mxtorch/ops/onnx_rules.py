"""How each MXNet operator is written as ONNX nodes, and each ONNX operator read back.

These are facts about operators, so they live beside the operator table: :data:`CONVERTERS` maps
an MXNet operator's table name to the function that emits its ONNX nodes (used by
:mod:`mxtorch.onnx.exporter`), and :data:`IMPORTERS` maps an ONNX operator type to the function
that builds it from mxtorch operators (used by :mod:`mxtorch.onnx.importer`). A converter receives
the exporter's builder (``b``: ``add``, ``const``, ``ints``, ``scalar``, ``in_shape``, ``in_type``,
``rank``, ``out_shape``, ``temp``), the graph node, its inputs' ONNX tensor names and the names its
outputs must have. An importer receives the importer's reader (``r``: ``data``, ``const``,
``opt_const``, ``is_const``, ``op``, ``numpy_type``), the ONNX node and its decoded attributes.

Export writes ONNX operator set 13; import reads the operators export writes, under operator set 13
and the older sets where their meaning is the same.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Optional

import numpy as np

from ..base import MXNetError
from ..symbol.graph import Node

__all__ = ["CONVERTERS", "IMPORTERS", "converts", "imports", "export_error", "import_error",
           "output_tensor_name", "label_variables", "unit_gammas", "tensor_type", "fold_constant"]

Converter = Callable[[Any, Node, list, list], None]

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



def export_error(node: Node, why: str) -> MXNetError:
    """The MXNetError for an MXNet node that cannot be written as ONNX, naming operator and node."""
    return MXNetError(f"ONNX export: operator {node.op} (node '{node.name}') {why}")


def output_tensor_name(mx_name: str) -> str:
    """The ONNX tensor name MXNet's exporter gives an output called ``mx_name`` by ``list_outputs``:
    ``fc1_output`` -> ``fc1``, ``split0_output1`` -> ``split01``, anything else unchanged."""
    if mx_name.endswith("_output"):
        return mx_name[: -len("_output")]
    head, sep, tail = mx_name.rpartition("_output")
    if sep and tail.isdigit() and len(tail) == 1:
        return head + tail
    return mx_name




# -- shared helpers for the converters --------------------------------------------------------------
def _spatial(node: Node, b: Any, what: str) -> int:
    layout = node.parsed.get("layout")
    if layout not in (None, "NCW", "NCHW", "NCDHW"):
        raise export_error(node, f"has layout {layout}; ONNX {what} takes channels-first data (NCW, "
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
def _convolution(b: Any, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    nd = _spatial(node, b, "Conv")
    kernel, stride, pad = _window(node, nd)
    dilate = tuple(p["dilate"]) or (1,) * nd
    inputs = ins[:2] if p["no_bias"] else ins[:3]
    b.add("Conv", inputs, outs, name=node.name, kernel_shape=list(kernel), strides=list(stride),
          pads=list(pad) * 2, dilations=list(dilate), group=int(p["num_group"]))


@converts("Deconvolution")
def _deconvolution(b: Any, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    nd = _spatial(node, b, "ConvTranspose")
    if p["target_shape"]:
        raise export_error(node, "sets target_shape; export supports Deconvolution with pad/adj only")
    kernel, stride, pad = _window(node, nd)
    dilate = tuple(p["dilate"]) or (1,) * nd
    adj = tuple(p["adj"]) or (0,) * nd
    inputs = ins[:2] if p["no_bias"] else ins[:3]
    b.add("ConvTranspose", inputs, outs, name=node.name, kernel_shape=list(kernel),
          strides=list(stride), pads=list(pad) * 2, dilations=list(dilate),
          output_padding=list(adj), group=int(p["num_group"]))


@converts("FullyConnected")
def _fully_connected(b: Any, node: Node, ins: list, outs: list) -> None:
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
def _activation(b: Any, node: Node, ins: list, outs: list) -> None:
    act = node.parsed["act_type"]
    if act not in _ACTIVATIONS:
        raise export_error(node, f"has act_type '{act}', which has no ONNX form here; supported: "
                            f"{sorted(_ACTIVATIONS)}")
    b.add(_ACTIVATIONS[act], ins[:1], outs, name=node.name)


def _gelu(b: Any, node: Node, x: str, outs: list) -> None:
    """Exact GELU, ``x * (1 + erf(x / sqrt(2))) / 2``, from operator-set-13 nodes."""
    like = b.in_type(node)
    scaled = b.add("Div", [x, b.scalar(f"{node.name}_sqrt2", math.sqrt(2.0), like)],
                   b.temp(node, "scaled"))[0]
    erf = b.add("Erf", [scaled], b.temp(node, "erf"))[0]
    one_plus = b.add("Add", [erf, b.scalar(f"{node.name}_one", 1.0, like)], b.temp(node, "1p"))[0]
    half_x = b.add("Mul", [x, b.scalar(f"{node.name}_half", 0.5, like)], b.temp(node, "halfx"))[0]
    b.add("Mul", [half_x, one_plus], outs[:1], name=node.name)


@converts("LeakyReLU")
def _leaky_relu(b: Any, node: Node, ins: list, outs: list) -> None:
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
            # the second output holds each element's slope: at inference, that one value
            mask = np.full(b.in_shape(node), alpha, dtype=b.in_type(node))
            b.add("Identity", [b.const(f"{node.name}_mask", mask)], outs[1:2])
    else:
        raise export_error(node, f"has act_type '{act}', which has no ONNX form here")


_GLOBAL_POOLS = {"max": "GlobalMaxPool", "avg": "GlobalAveragePool", "lp": "GlobalLpPool"}


@converts("Pooling")
def _pooling(b: Any, node: Node, ins: list, outs: list) -> None:
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
        raise export_error(node, f"has pooling_convention '{convention}'; export supports 'valid' "
                                 "and 'full'")
    window = {"kernel_shape": list(kernel), "strides": list(stride), "pads": list(pad) * 2}
    count_pad = p["count_include_pad"]
    include = count_pad is None or bool(count_pad)
    extra = _full_extra(b, node, kernel, stride, pad) if convention == "full" else None
    if extra is not None and any(extra):
        _full_pooling(b, node, ins[0], outs, kernel, stride, pad, extra, include)
    elif pool_type == "max":
        b.add("MaxPool", ins[:1], outs, name=node.name, **window)
    elif pool_type == "lp":
        b.add("LpPool", ins[:1], outs, name=node.name, **window, **lp)
    elif pool_type == "sum":  # the mean over every window place, times the window's size
        mean = b.add("AveragePool", ins[:1], b.temp(node, "avg"), count_include_pad=1, **window)[0]
        size = b.scalar(f"{node.name}_window", float(np.prod(kernel)), b.in_type(node))
        b.add("Mul", [mean, size], outs, name=node.name)
    else:
        b.add("AveragePool", ins[:1], outs, name=node.name, count_include_pad=int(include), **window)


def _full_extra(b: Any, node: Node, kernel: tuple, stride: tuple, pad: tuple) -> list:
    """How far past the end padding the windows of pooling_convention 'full' reach, per axis."""
    extra = []
    for n, k, s, q in zip(b.in_shape(node)[2:], kernel, stride, pad):
        windows = -(-(n + 2 * q - k) // s) + 1  # rounded up, every window kept
        extra.append(max(0, (windows - 1) * s + k - (n + 2 * q)))
    return extra


def _full_pooling(b: Any, node: Node, x: str, outs: list, kernel: tuple, stride: tuple, pad: tuple,
                  extra: list, include: bool) -> None:
    """Pooling 'full' whose last windows reach past the padding, which ONNX's ceil_mode would drop.

    'max' writes the padding out (the lowest value) and pools unpadded. 'sum' and 'avg' add up each
    window with a per-channel convolution by ones (a convolution takes any padding; onnxruntime
    refuses pooling pads as wide as the window), and 'avg' divides by the part of each window MXNet
    counts: inside the padding with count_include_pad, else inside the data (a constant of the
    static shape).
    """
    pool_type = node.parsed["pool_type"]
    like = b.in_type(node)
    shape = b.in_shape(node)
    window = {"kernel_shape": list(kernel), "strides": list(stride)}
    end_pads = [q + e for q, e in zip(pad, extra)]
    if pool_type == "max":
        pads = [0, 0] + list(pad) + [0, 0] + end_pads
        fill = b.scalar(f"{node.name}_fill", float(np.finfo(like).min), like)
        padded = b.add("Pad", [x, b.ints(f"{node.name}_pads", pads), fill], b.temp(node, "padded"),
                       mode="constant")[0]
        b.add("MaxPool", [padded], outs, name=node.name, **window)
        return
    if pool_type == "lp":
        raise export_error(node, "is an 'lp' pooling whose 'full' windows reach past the padding, "
                                 "which export does not write")
    ones = b.const(f"{node.name}_ones", np.ones((shape[1], 1) + tuple(kernel), dtype=like))
    total = b.add("Conv", [x, ones], outs if pool_type == "sum" else b.temp(node, "sum"),
                  group=int(shape[1]), pads=list(pad) + end_pads, **window)[0]
    if pool_type == "sum":
        return
    counts = np.ones((1, 1), dtype=np.float64)
    for n, k, s, q, e in zip(shape[2:], kernel, stride, pad, extra):
        windows = (n + 2 * q + e - k) // s + 1
        start = np.arange(windows) * s - q
        low, high = (-q, n + q) if include else (0, n)
        count = np.minimum(start + k, high) - np.maximum(start, low)
        counts = counts[..., None] * np.maximum(count, 0)
    # a window wholly outside counts nothing and sums to zero: MXNet gives 0 there
    counts = np.maximum(counts, 1)
    b.add("Div", [total, b.const(f"{node.name}_counts", counts.astype(like))], outs, name=node.name)


@converts("_contrib_AdaptiveAvgPooling2D")
def _adaptive_avg_pooling(b: Any, node: Node, ins: list, outs: list) -> None:
    size = tuple(node.parsed["output_size"]) or (1,)
    if any(s != 1 for s in size):
        raise export_error(node, f"has output_size {size}; export supports output_size 1 only")
    b.add("GlobalAveragePool", ins[:1], outs, name=node.name)


@converts("BatchNorm")
def _batch_norm(b: Any, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    axis = int(p["axis"])
    if axis not in (1, 1 - b.rank(node)):
        raise export_error(node, f"normalises axis {axis}; ONNX BatchNormalization normalises axis 1")
    if p["output_mean_var"]:
        raise export_error(node, "sets output_mean_var; export writes the inference form only")
    gamma = ins[1]
    if p["fix_gamma"] and id(node.inputs[1][0]) not in b.unit_gammas:
        # the operator scales by one whatever gamma holds; a gamma read elsewhere too stays as it is
        gamma = b.const(f"{node.name}_fixed_gamma", np.ones(b.in_shape(node, 1), b.in_type(node, 1)))
    b.add("BatchNormalization", [ins[0], gamma, ins[2], ins[3], ins[4]], outs[:1], name=node.name,
          epsilon=float(p["eps"]), momentum=float(p["momentum"]))


@converts("InstanceNorm")
def _instance_norm(b: Any, node: Node, ins: list, outs: list) -> None:
    b.add("InstanceNormalization", ins[:3], outs, name=node.name, epsilon=float(node.parsed["eps"]))


@converts("LRN")
def _lrn(b: Any, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    b.add("LRN", ins[:1], outs, name=node.name, alpha=float(p["alpha"]), beta=float(p["beta"]),
          bias=float(p["knorm"]), size=int(p["nsize"]))


@converts("LayerNorm")
def _layer_norm(b: Any, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    rank = b.rank(node)
    if int(p["axis"]) not in (-1, rank - 1) or p["output_mean_var"]:
        raise export_error(node, "normalises an axis other than the last (or outputs mean and variance); "
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
def _flatten(b: Any, node: Node, ins: list, outs: list) -> None:
    b.add("Flatten", ins[:1], outs, name=node.name, axis=1)


def _softmax_over_rest(b: Any, node: Node, x: str, outs: list, op_type: str = "Softmax") -> None:
    """Softmax of each sample over all its other axes: (N, ...) -> flattened, then shaped back."""
    if b.rank(node) <= 2:
        b.add(op_type, [x], outs, name=node.name, axis=-1)
        return
    flat = b.add("Flatten", [x], b.temp(node, "flat"), axis=1)[0]
    soft = b.add(op_type, [flat], b.temp(node, "soft"), axis=1)[0]
    shape = b.ints(f"{node.name}_shape", (0,) + b.in_shape(node)[1:])
    b.add("Reshape", [soft, shape], outs, name=node.name)


@converts("SoftmaxOutput")
def _softmax_output(b: Any, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    if p["preserve_shape"]:
        b.add("Softmax", ins[:1], outs, name=node.name, axis=-1)
    elif p["multi_output"]:
        b.add("Softmax", ins[:1], outs, name=node.name, axis=1)
    else:
        _softmax_over_rest(b, node, ins[0], outs)


@converts("SoftmaxActivation")
def _softmax_activation(b: Any, node: Node, ins: list, outs: list) -> None:
    if node.parsed["mode"] == "channel":
        b.add("Softmax", ins[:1], outs, name=node.name, axis=1)
    else:
        _softmax_over_rest(b, node, ins[0], outs)


@converts("LogisticRegressionOutput")
def _logistic_output(b: Any, node: Node, ins: list, outs: list) -> None:
    b.add("Sigmoid", ins[:1], outs, name=node.name)


@converts("softmax", "log_softmax")
def _softmax(b: Any, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    if p["use_length"]:
        raise export_error(node, "sets use_length; export supports softmax without a length input")
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
    b.add("Cast", [soft], outs, name=node.name, to=tensor_type(b, p["dtype"]))


def tensor_type(b: Any, dtype: Any) -> int:
    """ONNX's element-type number for a NumPy dtype."""
    return int(b.helper.np_dtype_to_tensor_dtype(np.dtype(dtype)))


@converts("_copy", "BlockGrad", "LinearRegressionOutput", "MAERegressionOutput", "MakeLoss")
def _identity(b: Any, node: Node, ins: list, outs: list) -> None:
    b.add("Identity", ins[:1], outs, name=node.name)


@converts("Dropout")
def _dropout(b: Any, node: Node, ins: list, outs: list) -> None:
    if node.parsed["mode"] == "always":
        raise export_error(node, "has mode 'always' (dropout at inference too), which an ONNX inference "
                            "graph does not express")
    b.add("Identity", ins[:1], outs[:1], name=node.name)


_BINARY = {"elemwise_add": "Add", "broadcast_add": "Add", "elemwise_sub": "Sub",
           "broadcast_sub": "Sub", "elemwise_mul": "Mul", "broadcast_mul": "Mul",
           "elemwise_div": "Div", "broadcast_div": "Div", "_maximum": "Max",
           "broadcast_maximum": "Max", "_minimum": "Min", "broadcast_minimum": "Min",
           "_power": "Pow", "broadcast_power": "Pow"}


@converts(*_BINARY)
def _binary(b: Any, node: Node, ins: list, outs: list) -> None:
    b.add(_BINARY[node.entry.name], ins[:2], outs, name=node.name)


# name -> (ONNX operator, whether the scalar is the left operand)
_SCALAR = {"_plus_scalar": ("Add", False), "_minus_scalar": ("Sub", False),
           "_rminus_scalar": ("Sub", True), "_mul_scalar": ("Mul", False),
           "_div_scalar": ("Div", False), "_rdiv_scalar": ("Div", True),
           "_power_scalar": ("Pow", False), "_rpower_scalar": ("Pow", True),
           "_maximum_scalar": ("Max", False), "_minimum_scalar": ("Min", False)}


@converts(*_SCALAR)
def _scalar_op(b: Any, node: Node, ins: list, outs: list) -> None:
    op_type, left = _SCALAR[node.entry.name]
    c = b.scalar(f"{node.name}_scalar", float(node.parsed["scalar"]), b.in_type(node))
    b.add(op_type, [c, ins[0]] if left else [ins[0], c], outs, name=node.name)


_UNARY = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "exp": "Exp", "log": "Log",
          "sqrt": "Sqrt", "abs": "Abs", "negative": "Neg", "reciprocal": "Reciprocal",
          "floor": "Floor", "ceil": "Ceil", "erf": "Erf", "sin": "Sin", "cos": "Cos", "tan": "Tan",
          "softsign": "Softsign", "sign": "Sign", "arcsin": "Asin", "arccos": "Acos",
          "arctan": "Atan"}


@converts(*_UNARY)
def _unary(b: Any, node: Node, ins: list, outs: list) -> None:
    b.add(_UNARY[node.entry.name], ins[:1], outs, name=node.name)


# MXNet comparison -> (ONNX comparison, whether its answer is negated): 1 or 0 in the input's type
_COMPARE = {"_equal": ("Equal", False), "broadcast_equal": ("Equal", False),
            "_not_equal": ("Equal", True), "broadcast_not_equal": ("Equal", True),
            "_greater": ("Greater", False), "broadcast_greater": ("Greater", False),
            "_greater_equal": ("GreaterOrEqual", False), "broadcast_greater_equal": ("GreaterOrEqual", False),
            "_lesser": ("Less", False), "broadcast_lesser": ("Less", False),
            "_lesser_equal": ("LessOrEqual", False), "broadcast_lesser_equal": ("LessOrEqual", False)}
_COMPARE_SCALAR = {"_equal_scalar": "_equal", "_not_equal_scalar": "_not_equal",
                   "_greater_scalar": "_greater", "_greater_equal_scalar": "_greater_equal",
                   "_lesser_scalar": "_lesser", "_lesser_equal_scalar": "_lesser_equal"}


@converts(*_COMPARE, *_COMPARE_SCALAR)
def _compare(b: Any, node: Node, ins: list, outs: list) -> None:
    name = node.entry.name
    like = b.in_type(node)
    if name in _COMPARE_SCALAR:
        name = _COMPARE_SCALAR[name]
        ins = [ins[0], b.scalar(f"{node.name}_scalar", float(node.parsed["scalar"]), like)]
    op_type, negate = _COMPARE[name]
    answer = b.add(op_type, ins[:2], b.temp(node, "bool"))[0]
    if negate:
        answer = b.add("Not", [answer], b.temp(node, "not"))[0]
    b.add("Cast", [answer], outs, name=node.name, to=tensor_type(b, like))


@converts("logical_not")
def _logical_not(b: Any, node: Node, ins: list, outs: list) -> None:
    # MXNet's answer is 1 or 0 in the input's type; ONNX's Not takes booleans only
    zero = b.scalar(f"{node.name}_zero", 0.0, b.in_type(node))
    is_zero = b.add("Equal", [ins[0], zero], b.temp(node, "is_zero"))[0]
    b.add("Cast", [is_zero], outs, name=node.name, to=tensor_type(b, b.in_type(node)))


@converts("square")
def _square(b: Any, node: Node, ins: list, outs: list) -> None:
    b.add("Mul", [ins[0], ins[0]], outs, name=node.name)


@converts("hard_sigmoid")
def _hard_sigmoid(b: Any, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    b.add("HardSigmoid", ins[:1], outs, name=node.name, alpha=float(p["alpha"]), beta=float(p["beta"]))


@converts("clip")
def _clip(b: Any, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    like = b.in_type(node)
    b.add("Clip", [ins[0], b.scalar(f"{node.name}_min", float(p["a_min"]), like),
                   b.scalar(f"{node.name}_max", float(p["a_max"]), like)], outs, name=node.name)


@converts("Concat")
def _concat(b: Any, node: Node, ins: list, outs: list) -> None:
    b.add("Concat", ins, outs, name=node.name, axis=int(node.parsed["dim"]))


@converts("add_n")
def _add_n(b: Any, node: Node, ins: list, outs: list) -> None:
    b.add("Sum", ins, outs, name=node.name)


@converts("Reshape")
def _reshape(b: Any, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    codes = tuple(p["shape"]) or tuple(p["target_shape"])
    if b.dynamic:
        if p["reverse"] or p["target_shape"] or any(c < -1 for c in codes):
            raise export_error(node, f"has shape {codes} (reverse={p['reverse']}); with dynamic=True "
                                "export supports the codes 0 and -1 and plain sizes only")
        target = codes
    else:  # static shapes: the inferred output shape says it all
        target = b.out_shape(node)
    b.add("Reshape", [ins[0], b.ints(f"{node.name}_shape", target)], outs, name=node.name)


@converts("transpose")
def _transpose(b: Any, node: Node, ins: list, outs: list) -> None:
    axes = tuple(node.parsed["axes"]) or tuple(reversed(range(b.rank(node))))
    b.add("Transpose", ins[:1], outs, name=node.name, perm=list(axes))


@converts("expand_dims")
def _expand_dims(b: Any, node: Node, ins: list, outs: list) -> None:
    axes = b.ints(f"{node.name}_axes", [int(node.parsed["axis"])])
    b.add("Unsqueeze", [ins[0], axes], outs, name=node.name)


@converts("squeeze")
def _squeeze(b: Any, node: Node, ins: list, outs: list) -> None:
    axis = node.parsed["axis"]
    if axis is None:
        b.add("Squeeze", ins[:1], outs, name=node.name)
    else:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        b.add("Squeeze", [ins[0], b.ints(f"{node.name}_axes", axes)], outs, name=node.name)


def _reduce_axes(b: Any, node: Node) -> Optional[list]:
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
def _reduce(b: Any, node: Node, ins: list, outs: list) -> None:
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
def _slice_axis(b: Any, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    end = _INT64_MAX if p["end"] is None else int(p["end"])
    b.add("Slice", [ins[0], b.ints(f"{node.name}_starts", [int(p["begin"])]),
                    b.ints(f"{node.name}_ends", [end]), b.ints(f"{node.name}_axes", [int(p["axis"])])],
          outs, name=node.name)


@converts("slice")
def _slice(b: Any, node: Node, ins: list, outs: list) -> None:
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
def _cast(b: Any, node: Node, ins: list, outs: list) -> None:
    b.add("Cast", ins[:1], outs, name=node.name, to=tensor_type(b, node.parsed["dtype"]))


@converts("Pad")
def _pad(b: Any, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    width = [int(w) for w in p["pad_width"]]
    pads = width[0::2] + width[1::2]
    mode = p["mode"]
    inputs = [ins[0], b.ints(f"{node.name}_pads", pads)]
    if mode == "constant":
        inputs.append(b.scalar(f"{node.name}_value", float(p["constant_value"]), b.in_type(node)))
    b.add("Pad", inputs, outs, name=node.name, mode=mode)


@converts("Embedding")
def _embedding(b: Any, node: Node, ins: list, outs: list) -> None:
    index = b.add("Cast", ins[:1], b.temp(node, "index"), to=int(b.onnx.TensorProto.INT64))[0]
    b.add("Gather", [ins[1], index], outs, name=node.name, axis=0)


@converts("dot", "batch_dot")
def _dot(b: Any, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    ranks = (b.rank(node, 0), b.rank(node, 1))
    if node.entry.name == "dot" and ranks != (2, 2) and (ranks[1] != 2 or p["transpose_a"]):
        raise export_error(node, f"multiplies arrays of ranks {ranks}; export supports dot of a matrix "
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
def _slice_channel(b: Any, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    axis = int(p["axis"])
    if not p["squeeze_axis"]:
        b.add("Split", ins[:1], outs, name=node.name, axis=axis)
        return
    parts = [b.claim(b.temp(node, f"part{k}")) for k in range(len(outs))]
    b.add("Split", ins[:1], parts, name=node.name, axis=axis)
    axes = b.ints(f"{node.name}_axes", [axis])
    for part, out in zip(parts, outs):
        b.add("Squeeze", [part, axes], [out])


@converts("argmax", "argmin")
def _arg_reduce(b: Any, node: Node, ins: list, outs: list) -> None:
    p = node.parsed
    if p["axis"] is None:
        raise export_error(node, "has no axis; export supports argmax/argmin along one axis")
    op_type = "ArgMax" if node.entry.name == "argmax" else "ArgMin"
    index = b.add(op_type, ins[:1], b.temp(node, "index"), axis=int(p["axis"]),
                  keepdims=int(bool(p["keepdims"])))[0]
    b.add("Cast", [index], outs, name=node.name, to=int(b.onnx.TensorProto.FLOAT))


# -- the walk -----------------------------------------------------------------------------------------
def label_variables(nodes: list, params: dict) -> set:
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


def unit_gammas(nodes: list) -> set:
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



# == import: ONNX operators as mxtorch operators ==================================================
IMPORTERS: dict = {}


def imports(*op_types: str) -> Callable[[Callable], Callable]:
    """Register the decorated function as the importer of the ONNX operators ``op_types``."""
    def register(fn: Callable) -> Callable:
        for op_type in op_types:
            IMPORTERS[op_type] = fn
        return fn
    return register


def import_error(node: Any, why: str) -> MXNetError:
    """The MXNetError for an ONNX node that cannot be read, naming its operator type and node."""
    where = node.name or (node.output[0] if node.output else "?")
    return MXNetError(f"ONNX import: operator {node.op_type} (node '{where}') {why}")



# -- importers ------------------------------------------------------------------------------------------
def _pads(node: Any, attrs: dict, nd: int) -> list:
    """ONNX's ``pads`` (all begins, then all ends), checked."""
    auto_pad = attrs.get("auto_pad", "NOTSET")
    if auto_pad not in ("NOTSET", "VALID"):
        raise import_error(node, f"has auto_pad {auto_pad}; mxtorch imports explicit padding only")
    pads = [int(p) for p in attrs.get("pads", [0] * (2 * nd))]
    if len(pads) != 2 * nd or min(pads, default=0) < 0:
        raise import_error(node, f"has pads {pads}; expected {2 * nd} non-negative values")
    return pads


def _window_input(r: Any, node: Any, attrs: dict, kernel: tuple, fill: Optional[float]) -> tuple:
    """(data Symbol, window attributes) of a convolution or pooling node. MXNet pads both sides of
    an axis alike: a different padding at the end is written as a Pad of ``fill`` before the node
    (None: refused)."""
    nd = len(kernel)
    pads = _pads(node, attrs, nd)
    data = r.data(node, 0)
    window = {"kernel": tuple(int(k) for k in kernel),
              "stride": tuple(int(s) for s in attrs.get("strides", [1] * nd)),
              "pad": tuple(pads[:nd])}
    if pads[:nd] != pads[nd:]:
        if fill is None or nd not in (2, 3):
            raise import_error(node, f"has pads {pads}; MXNet pads both sides of an axis alike")
        width = (0, 0, 0, 0) + tuple(v for pair in zip(pads[:nd], pads[nd:]) for v in pair)
        data = r.op(node, "Pad", [data], name=r.helper_name(node, "pad"), mode="constant",
                    pad_width=width, constant_value=fill)
        window["pad"] = (0,) * nd
    return data, window


@imports("Conv", "ConvTranspose")
def _from_conv(r: Any, node: Any, attrs: dict) -> Any:
    weight = r.const(node, 1, "weight")
    nd = weight.ndim - 2
    kernel = tuple(attrs.get("kernel_shape", weight.shape[2:]))
    data, window = _window_input(r, node, attrs, kernel, 0.0 if node.op_type == "Conv" else None)
    group = int(attrs.get("group", 1))
    bias = len(node.input) > 2 and node.input[2] != ""
    inputs = {"data": data, "weight": r.data(node, 1)}
    if bias:
        inputs["bias"] = r.data(node, 2)
    extra = {}
    if node.op_type == "Conv":
        op_name, num_filter = "Convolution", weight.shape[0]
    else:
        if "output_shape" in attrs:
            raise import_error(node, "sets output_shape; mxtorch imports ConvTranspose with pads and "
                             "output_padding only")
        op_name, num_filter = "Deconvolution", weight.shape[1] * group
        extra["adj"] = tuple(int(a) for a in attrs.get("output_padding", [0] * nd))
    return r.op(node, op_name, inputs, num_filter=int(num_filter), num_group=group, no_bias=not bias,
                dilate=tuple(int(d) for d in attrs.get("dilations", [1] * nd)), **window, **extra)


@imports("Gemm")
def _from_gemm(r: Any, node: Any, attrs: dict) -> Any:
    alpha, beta = float(attrs.get("alpha", 1.0)), float(attrs.get("beta", 1.0))
    trans_a, trans_b = int(attrs.get("transA", 0)), int(attrs.get("transB", 0))
    has_c = len(node.input) > 2 and node.input[2] != ""
    if r.is_const(node.input[1]) and not trans_a and alpha == 1.0 and beta == 1.0:
        weight = r.consts[node.input[1]]
        if weight.ndim != 2:
            raise import_error(node, f"has a weight of shape {weight.shape}; Gemm multiplies matrices")
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
                    raise import_error(node, f"has a bias of shape {bias.shape} for {width} "
                                             "outputs") from None
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
def _from_matmul(r: Any, node: Any, attrs: dict) -> Any:
    if r.is_const(node.input[1]) and r.consts[node.input[1]].ndim == 2:
        weight = r.consts[node.input[1]]
        w = r.data(node, 1, value=np.ascontiguousarray(weight.T), name=f"{node.input[1]}_T")
        return r.op(node, "FullyConnected", {"data": r.data(node, 0), "weight": w},
                    num_hidden=int(weight.shape[1]), no_bias=True, flatten=False)
    return r.op(node, "_linalg_gemm2", [r.data(node, 0), r.data(node, 1)])


_ONNX_ACTIVATIONS = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Softplus": "softrelu",
                "Softsign": "softsign"}


@imports(*_ONNX_ACTIVATIONS)
def _from_activation(r: Any, node: Any, attrs: dict) -> Any:
    return r.op(node, "Activation", [r.data(node, 0)], act_type=_ONNX_ACTIVATIONS[node.op_type])


@imports("LeakyRelu", "Elu")
def _from_leaky(r: Any, node: Any, attrs: dict) -> Any:
    default = 0.01 if node.op_type == "LeakyRelu" else 1.0
    return r.op(node, "LeakyReLU", [r.data(node, 0)], act_type="leaky" if default == 0.01 else "elu",
                slope=float(attrs.get("alpha", default)))


@imports("Selu")
def _from_selu(r: Any, node: Any, attrs: dict) -> Any:
    alpha, gamma = float(attrs.get("alpha", 1.67326319217681884765625)), float(
        attrs.get("gamma", 1.05070102214813232421875))
    if abs(alpha - 1.6732632) > 1e-6 or abs(gamma - 1.0507010) > 1e-6:
        raise import_error(node, f"has alpha {alpha} and gamma {gamma}; MXNet's selu has fixed constants")
    return r.op(node, "LeakyReLU", [r.data(node, 0)], act_type="selu")


@imports("PRelu")
def _from_prelu(r: Any, node: Any, attrs: dict) -> Any:
    slope = r.const(node, 1, "slope")
    if slope.ndim > 1 and sum(d != 1 for d in slope.shape[1:]):
        raise import_error(node, f"has a slope of shape {slope.shape}; MXNet's prelu takes one per channel")
    gamma = r.data(node, 1, value=slope.reshape(-1), name=f"{node.input[1]}_1d") if slope.ndim != 1 \
        else r.data(node, 1)
    return r.op(node, "LeakyReLU", {"data": r.data(node, 0), "gamma": gamma}, act_type="prelu")


@imports("HardSigmoid")
def _from_hard_sigmoid(r: Any, node: Any, attrs: dict) -> Any:
    return r.op(node, "hard_sigmoid", [r.data(node, 0)], alpha=float(attrs.get("alpha", 0.2)),
                beta=float(attrs.get("beta", 0.5)))


@imports("MaxPool", "AveragePool", "LpPool")
def _from_pool(r: Any, node: Any, attrs: dict) -> Any:
    if any(int(d) != 1 for d in attrs.get("dilations", [])):
        raise import_error(node, f"has dilations {attrs['dilations']}; MXNet pools without dilation")
    if len(node.output) > 1 and node.output[1]:
        raise import_error(node, "asks for MaxPool's indices output, which MXNet's Pooling has not")
    extra: dict = {}
    if node.op_type == "MaxPool":
        pool_type, fill = "max", float(np.finfo(np.float32).min)
    elif node.op_type == "AveragePool":
        pool_type = "avg"
        extra["count_include_pad"] = bool(attrs.get("count_include_pad", 0))
        fill = 0.0 if extra["count_include_pad"] else None  # written-out padding would be counted
    else:
        pool_type, fill = "lp", 0.0
        extra["p_value"] = int(attrs.get("p", 2))
    data, window = _window_input(r, node, attrs, tuple(attrs["kernel_shape"]), fill)
    convention = "full" if int(attrs.get("ceil_mode", 0)) else "valid"
    return r.op(node, "Pooling", [data], pool_type=pool_type, pooling_convention=convention,
                **window, **extra)


@imports("GlobalMaxPool", "GlobalAveragePool", "GlobalLpPool")
def _from_global_pool(r: Any, node: Any, attrs: dict) -> Any:
    pool_type = {"GlobalMaxPool": "max", "GlobalAveragePool": "avg", "GlobalLpPool": "lp"}[node.op_type]
    extra = {"p_value": int(attrs.get("p", 2))} if pool_type == "lp" else {}
    return r.op(node, "Pooling", [r.data(node, 0)], pool_type=pool_type, global_pool=True,
                kernel=(1, 1), **extra)


@imports("BatchNormalization")
def _from_batch_norm(r: Any, node: Any, attrs: dict) -> Any:
    if int(attrs.get("training_mode", 0)) or (len(node.output) > 1 and any(node.output[1:])):
        raise import_error(node, "is in training mode; mxtorch imports inference BatchNormalization only")
    inputs = {"data": r.data(node, 0), "gamma": r.data(node, 1), "beta": r.data(node, 2),
              "moving_mean": r.data(node, 3, aux=True), "moving_var": r.data(node, 4, aux=True)}
    return r.op(node, "BatchNorm", inputs, eps=float(attrs.get("epsilon", 1e-5)),
                momentum=float(attrs.get("momentum", 0.9)), fix_gamma=False)


@imports("LayerNormalization")
def _from_layer_norm(r: Any, node: Any, attrs: dict) -> Any:
    if len(node.output) > 1 and any(node.output[1:]):
        raise import_error(node, "asks for the mean or inverse deviation, which LayerNorm here does "
                                 "not give")
    scale = r.const(node, 1, "scale")
    if scale.ndim != 1:
        raise import_error(node, f"has a scale of shape {scale.shape}; MXNet's LayerNorm normalises "
                                 "one axis")
    if len(node.input) > 2 and node.input[2]:
        beta = r.data(node, 2)
    else:
        beta = r.data(node, 1, value=np.zeros_like(scale), name=f"{node.output[0]}_beta")
    return r.op(node, "LayerNorm", {"data": r.data(node, 0), "gamma": r.data(node, 1), "beta": beta},
                axis=int(attrs.get("axis", -1)), eps=float(attrs.get("epsilon", 1e-5)))


@imports("Gelu")
def _from_gelu(r: Any, node: Any, attrs: dict) -> Any:
    if attrs.get("approximate", "none") != "none":
        raise import_error(node, f"uses the '{attrs['approximate']}' approximation; MXNet's gelu is "
                                 "the exact one")
    return r.op(node, "LeakyReLU", [r.data(node, 0)], act_type="gelu")


@imports("InstanceNormalization")
def _from_instance_norm(r: Any, node: Any, attrs: dict) -> Any:
    return r.op(node, "InstanceNorm", {"data": r.data(node, 0), "gamma": r.data(node, 1),
                                       "beta": r.data(node, 2)}, eps=float(attrs.get("epsilon", 1e-5)))


@imports("LRN")
def _from_lrn(r: Any, node: Any, attrs: dict) -> Any:
    return r.op(node, "LRN", [r.data(node, 0)], alpha=float(attrs.get("alpha", 1e-4)),
                beta=float(attrs.get("beta", 0.75)), knorm=float(attrs.get("bias", 1.0)),
                nsize=int(attrs["size"]))


@imports("Flatten")
def _from_flatten(r: Any, node: Any, attrs: dict) -> Any:
    axis = int(attrs.get("axis", 1))
    if axis == 1:
        return r.op(node, "Flatten", [r.data(node, 0)])
    if axis == 0:
        return r.op(node, "Reshape", [r.data(node, 0)], shape=(1, -1))
    raise import_error(node, f"flattens at axis {axis}; mxtorch imports axis 0 and 1")


@imports("Softmax", "LogSoftmax")
def _from_softmax(r: Any, node: Any, attrs: dict) -> Any:
    op_name = "softmax" if node.op_type == "Softmax" else "log_softmax"
    if r.opset >= 13:
        return r.op(node, op_name, [r.data(node, 0)], axis=int(attrs.get("axis", -1)))
    axis = int(attrs.get("axis", 1))  # before set 13: each sample flattened from ``axis`` on
    if axis == -1:
        return r.op(node, op_name, [r.data(node, 0)], axis=-1)
    if axis not in (0, 1):
        raise import_error(node, f"has axis {axis} under operator set {r.opset}; mxtorch imports "
                                 "axes -1, 0 and 1 there")
    x = r.data(node, 0)
    flat = r.op(node, "Reshape", [x], name=r.helper_name(node, "flat"),
                shape=(1, -1) if axis == 0 else (0, -1))
    soft = r.op(node, op_name, [flat], name=r.helper_name(node, "soft"), axis=-1)
    return r.op(node, "reshape_like", [soft, x])


_ONNX_BINARY = {"Add": ("broadcast_add", "_plus_scalar", "_plus_scalar"),
           "Sub": ("broadcast_sub", "_minus_scalar", "_rminus_scalar"),
           "Mul": ("broadcast_mul", "_mul_scalar", "_mul_scalar"),
           "Div": ("broadcast_div", "_div_scalar", "_rdiv_scalar"),
           "Pow": ("broadcast_power", "_power_scalar", "_rpower_scalar"),
           "Max": ("broadcast_maximum", "_maximum_scalar", "_maximum_scalar"),
           "Min": ("broadcast_minimum", "_minimum_scalar", "_minimum_scalar"),
           "Equal": ("broadcast_equal", "_equal_scalar", "_equal_scalar"),
           "Greater": ("broadcast_greater", "_greater_scalar", "_lesser_scalar"),
           "Less": ("broadcast_lesser", "_lesser_scalar", "_greater_scalar"),
           "GreaterOrEqual": ("broadcast_greater_equal", "_greater_equal_scalar", "_lesser_equal_scalar"),
           "LessOrEqual": ("broadcast_lesser_equal", "_lesser_equal_scalar", "_greater_equal_scalar")}


def _from_is_scalar(r: Any, name: str) -> bool:
    return r.is_const(name) and r.consts[name].size == 1 and r.consts[name].ndim <= 1 \
        and r.consts[name].dtype.kind == "f"


@imports(*_ONNX_BINARY)
def _from_binary(r: Any, node: Any, attrs: dict) -> Any:
    tensor_op, scalar_op, rscalar_op = _ONNX_BINARY[node.op_type]
    if len(node.input) != 2:
        if node.op_type not in ("Max", "Min") or not node.input:
            raise import_error(node, f"has {len(node.input)} inputs; expected 2")
        out = r.data(node, 0)
        for k in range(1, len(node.input)):
            last = k == len(node.input) - 1
            out = r.op(node, tensor_op, [out, r.data(node, k)],
                       name=None if last else r.helper_name(node, str(k)))
        return out
    lhs, rhs = node.input
    if _from_is_scalar(r, rhs) and not r.is_const(lhs):
        return r.op(node, scalar_op, [r.data(node, 0)], scalar=float(r.consts[rhs].reshape(())))
    if _from_is_scalar(r, lhs) and not r.is_const(rhs):
        return r.op(node, rscalar_op, [r.data(node, 1)], scalar=float(r.consts[lhs].reshape(())))
    return r.op(node, tensor_op, [r.data(node, 0), r.data(node, 1)])


@imports("Sum")
def _from_sum(r: Any, node: Any, attrs: dict) -> Any:
    if len(node.input) == 1:
        return r.op(node, "_copy", [r.data(node, 0)])
    return r.op(node, "add_n", [r.data(node, k) for k in range(len(node.input))],
                num_args=len(node.input))


_ONNX_UNARY = {"Exp": "exp", "Log": "log", "Sqrt": "sqrt", "Abs": "abs", "Neg": "negative",
          "Reciprocal": "reciprocal", "Floor": "floor", "Ceil": "ceil", "Erf": "erf", "Sin": "sin",
          "Cos": "cos", "Tan": "tan", "Sign": "sign", "Asin": "arcsin", "Acos": "arccos",
          "Atan": "arctan", "Not": "logical_not", "Identity": "_copy", "Dropout": "_copy"}


@imports(*_ONNX_UNARY)
def _from_unary(r: Any, node: Any, attrs: dict) -> Any:
    if node.op_type == "Dropout" and len(node.output) > 1 and node.output[1]:
        raise import_error(node, "asks for the dropout mask, which an inference graph does not have")
    return r.op(node, _ONNX_UNARY[node.op_type], [r.data(node, 0)])


@imports("Clip")
def _from_clip(r: Any, node: Any, attrs: dict) -> Any:
    if r.opset >= 11:
        low, high = r.opt_const(node, 1, "min"), r.opt_const(node, 2, "max")
    else:
        low, high = attrs.get("min"), attrs.get("max")
    big = float(np.finfo(np.float32).max)
    return r.op(node, "clip", [r.data(node, 0)], a_min=-big if low is None else float(np.reshape(low, ())),
                a_max=big if high is None else float(np.reshape(high, ())))


@imports("Concat")
def _from_concat(r: Any, node: Any, attrs: dict) -> Any:
    return r.op(node, "Concat", [r.data(node, k) for k in range(len(node.input))],
                dim=int(attrs["axis"]), num_args=len(node.input))


def _int_list(values: Any, node: Any, what: str) -> tuple:
    from ..symbol import limits

    array = np.asarray(values)
    if array.ndim > 1 or array.size > limits.MAX_TUPLE_LEN or array.dtype.kind not in "iu":
        raise import_error(node, f"has {what} {array.tolist()}; expected at most {limits.MAX_TUPLE_LEN} "
                         "integers")
    return tuple(int(v) for v in array.reshape(-1))


@imports("Reshape")
def _from_reshape(r: Any, node: Any, attrs: dict) -> Any:
    shape = _int_list(r.const(node, 1, "shape"), node, "shape")
    if int(attrs.get("allowzero", 0)) and 0 in shape:
        raise import_error(node, "sets allowzero with a zero in its shape; MXNet reads 0 as 'copy'")
    return r.op(node, "Reshape", [r.data(node, 0)], shape=shape)


@imports("Transpose")
def _from_transpose(r: Any, node: Any, attrs: dict) -> Any:
    return r.op(node, "transpose", [r.data(node, 0)], axes=tuple(int(a) for a in attrs.get("perm", ())))


def _from_axes(r: Any, node: Any, attrs: dict, k: int) -> Optional[tuple]:
    """Axes from the ``axes`` attribute (older sets) or input ``k`` (newer ones); None if absent."""
    if "axes" in attrs:
        return tuple(int(a) for a in attrs["axes"])
    value = r.opt_const(node, k, "axes")
    return None if value is None else _int_list(value, node, "axes")


@imports("Unsqueeze")
def _from_unsqueeze(r: Any, node: Any, attrs: dict) -> Any:
    axes = _from_axes(r, node, attrs, 1)
    if not axes:
        raise import_error(node, "has no axes")
    if any(a < 0 for a in axes) and len(axes) > 1:
        raise import_error(node, f"has axes {axes}; mxtorch imports several axes only when none is negative")
    out = r.data(node, 0)
    ordered = sorted(axes)
    for k, axis in enumerate(ordered):
        last = k == len(ordered) - 1
        out = r.op(node, "expand_dims", [out], axis=axis, name=None if last else r.helper_name(node, str(k)))
    return out


@imports("Squeeze")
def _from_squeeze(r: Any, node: Any, attrs: dict) -> Any:
    axes = _from_axes(r, node, attrs, 1)
    return r.op(node, "squeeze", [r.data(node, 0)], **({} if axes is None else {"axis": axes}))


_ONNX_REDUCE = {"ReduceSum": "sum", "ReduceMean": "mean", "ReduceMax": "max", "ReduceMin": "min",
           "ReduceProd": "prod"}


@imports(*_ONNX_REDUCE)
def _from_reduce(r: Any, node: Any, attrs: dict) -> Any:
    axes = _from_axes(r, node, attrs, 1)
    keep = bool(attrs.get("keepdims", 1))
    if not axes:
        if int(attrs.get("noop_with_empty_axes", 0)):
            return r.op(node, "_copy", [r.data(node, 0)])
        return r.op(node, _ONNX_REDUCE[node.op_type], [r.data(node, 0)], keepdims=keep)
    return r.op(node, _ONNX_REDUCE[node.op_type], [r.data(node, 0)], axis=axes, keepdims=keep)


_HUGE = 2**31 - 1


@imports("Slice")
def _from_slice(r: Any, node: Any, attrs: dict) -> Any:
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
        raise import_error(node, f"has negative axes {axes}; mxtorch imports slices on counted axes")

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
def _from_cast(r: Any, node: Any, attrs: dict) -> Any:
    dtype = r.numpy_type(attrs["to"])
    if dtype is None:
        raise import_error(node, f"casts to element type {attrs['to']}, which mxtorch does not have")
    return r.op(node, "Cast", [r.data(node, 0)], dtype=np.dtype(dtype).name)


@imports("Pad")
def _from_pad(r: Any, node: Any, attrs: dict) -> Any:
    if r.opset >= 11:
        pads = _int_list(r.const(node, 1, "pads"), node, "pads")
        value = r.opt_const(node, 2, "constant_value")
        if len(node.input) > 3 and node.input[3]:
            raise import_error(node, "names axes; mxtorch imports pads over every axis")
    else:
        pads, value = tuple(attrs["pads"]), attrs.get("value")
    nd = len(pads) // 2
    width = tuple(v for pair in zip(pads[:nd], pads[nd:]) for v in pair)
    mode = attrs.get("mode", "constant")
    return r.op(node, "Pad", [r.data(node, 0)], mode=mode, pad_width=width,
                constant_value=0.0 if value is None else float(np.reshape(value, ())))


@imports("Gather")
def _from_gather(r: Any, node: Any, attrs: dict) -> Any:
    axis = int(attrs.get("axis", 0))
    if r.is_const(node.input[0]) and r.consts[node.input[0]].ndim == 2 and axis == 0:
        table = r.consts[node.input[0]]
        return r.op(node, "Embedding", {"data": r.data(node, 1), "weight": r.data(node, 0)},
                    input_dim=int(table.shape[0]), output_dim=int(table.shape[1]),
                    dtype=table.dtype.name)
    return r.op(node, "take", [r.data(node, 0), r.data(node, 1)], axis=axis, mode="wrap")


@imports("Split")
def _from_split(r: Any, node: Any, attrs: dict) -> Any:
    axis = int(attrs.get("axis", 0))
    sizes = attrs.get("split")
    if sizes is None and r.opset >= 13:
        found = r.opt_const(node, 1, "split")
        sizes = None if found is None else _int_list(found, node, "split")
    if sizes is not None and len(set(sizes)) > 1:
        raise import_error(node, f"splits into unequal parts {list(sizes)}; MXNet's split makes equal parts")
    return r.op(node, "SliceChannel", [r.data(node, 0)], num_outputs=len(node.output), axis=axis)


@imports("ArgMax", "ArgMin")
def _from_arg_reduce(r: Any, node: Any, attrs: dict) -> Any:
    if int(attrs.get("select_last_index", 0)):
        raise import_error(node, "sets select_last_index; MXNet returns the first index")
    index = r.op(node, node.op_type.lower(), [r.data(node, 0)], name=r.helper_name(node, "index"),
                 axis=int(attrs.get("axis", 0)), keepdims=bool(attrs.get("keepdims", 1)))
    return r.op(node, "Cast", [index], dtype="int64")  # MXNet's argmax gives floats, ONNX int64


_FOLDABLE = {"Reshape", "Transpose", "Unsqueeze", "Squeeze", "Cast", "Identity", "Flatten"}


def fold_constant(r: Any, node: Any, attrs: dict) -> Optional[np.ndarray]:
    """The value of a ``Constant`` node, or NumPy's result of a shape-only node whose data input is
    a constant (a weight reshaped or transposed by the exporter); None when the node must stay in
    the graph."""
    if node.op_type == "Constant":
        if "value" not in attrs:
            raise import_error(node, "gives its value other than as a tensor; mxtorch reads 'value' "
                                     "only")
        return attrs["value"]
    if node.op_type not in _FOLDABLE or not node.input or not r.is_const(node.input[0]):
        return None
    x = r.consts[node.input[0]]
    if node.op_type in ("Identity",):
        return x
    if node.op_type == "Transpose":
        return np.ascontiguousarray(np.transpose(x, attrs.get("perm")))
    if node.op_type == "Cast":
        dtype = r.numpy_type(attrs["to"])
        return None if dtype is None else x.astype(dtype)
    if node.op_type == "Flatten":
        axis = int(attrs.get("axis", 1)) % max(x.ndim, 1)
        return x.reshape(math.prod(x.shape[:axis]), -1)
    if node.op_type == "Reshape":
        shape = [int(v) for v in r.const(node, 1, "shape")]
        shape = [x.shape[i] if v == 0 else v for i, v in enumerate(shape)]
        return x.reshape(shape)
    axes = _from_axes(r, node, attrs, 1)
    if node.op_type == "Squeeze":
        return np.squeeze(x, axis=axes)
    out = x
    for axis in sorted(axes or ()):
        out = np.expand_dims(out, axis)
    return out

