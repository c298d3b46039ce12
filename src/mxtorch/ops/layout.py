"""Memory-layout facts of the operators, for the compiled executor's channels-last pass.

On the CPU oneDNN's convolutions are fastest on channels-last (NHWC-strided) data. A compiled graph
hands each ungrouped 2-d convolution its data in that order and lets the result stay so through the
operators listed here, whose results depend on logical positions only. Any other operator gets its
inputs back in row-major order first: a random one (Dropout) so that its mask cannot depend on the
layout (torch's eager dropout kernel draws in memory order), and a reshape of a channels-last
tensor would copy anyway.
"""
from __future__ import annotations

_LAYOUT_FREE = frozenset({
    "Convolution", "Activation", "Pooling", "BatchNorm", "relu", "sigmoid", "tanh", "clip",
    "elemwise_add", "broadcast_add", "add_n", "Concat", "_plus_scalar", "Flatten", "FullyConnected",
})


def wants_channels_last(op_name: str, attrs: dict) -> bool:
    """Whether the operator runs faster on channels-last data (an ungrouped convolution: oneDNN's
    grouped and depthwise kernels gain nothing from it)."""
    return op_name == "Convolution" and attrs.get("num_group", 1) == 1


def keeps_layout(op_name: str, attrs: dict) -> bool:
    """Whether the operator's result is the same whatever memory order its inputs are in."""
    if op_name == "LeakyReLU":   # rrelu draws a random slope per element, in memory order
        return attrs.get("act_type") != "rrelu"
    return op_name in _LAYOUT_FREE
