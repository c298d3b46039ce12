"""Fuzz target: a ``-symbol.json`` file read by ``mx.sym.load``, listed, shape-inferred and resaved."""
from __future__ import annotations

import os
import tempfile

import mxtorch as mx
from mxtorch.base import MXNetError
from tests.conftest import GOLDEN

NAME = "symbol_json"
REFUSALS = (MXNetError,)
DICTIONARY = (b'"op": "null"', b'"inputs": []', b'"attrs": {', b'"__shape__": "(2, 0)"',
              b'"num_outputs": "', b'"num_args": "', b'"kernel": "(', b'"shape": "(', b'"axis": "',
              b'"SliceChannel"', b'"Concat"', b'"Reshape"', b'"Convolution"', b'"BatchNorm"',
              b'"heads": [[', b'"arg_nodes": [', b", 0, 0]", b"1e999", b"\\ud800", b'"subgraphs": [',
              b'"_foreach"', b'"in_state_locs": "[', b'"func_input_locs": "[')
_WORKDIR = tempfile.mkdtemp(prefix="mxtorch-fuzz-symbol-json-")
_PATH = os.path.join(_WORKDIR, "net-symbol.json")
# Every seed with a 'data' argument takes this shape (a batch of two MNIST digits)
DATA_SHAPE = (2, 1, 28, 28)
_GOLDEN_FILES = ("symbol/mx_lenet-symbol.json", "hybridize/mx_lenet5-symbol.json",
                 "hybridize/mx_two_inputs-symbol.json", "hybridize/mx_bn_dropout-symbol.json",
                 "control_flow_json/nested-symbol.json", "control_flow_json/while-symbol.json",
                 "control_flow_json/cond-symbol.json")


def _talk_lenet() -> mx.sym.Symbol:
    """The talk's symbolic LeNet."""
    data = mx.sym.Variable("data")
    net = mx.sym.Convolution(data, kernel=(5, 5), num_filter=20)
    net = mx.sym.Pooling(mx.sym.Activation(net, act_type="tanh"), pool_type="max", kernel=(2, 2),
                         stride=(2, 2))
    net = mx.sym.Convolution(net, kernel=(5, 5), num_filter=50)
    net = mx.sym.Pooling(mx.sym.Activation(net, act_type="tanh"), pool_type="max", kernel=(2, 2),
                         stride=(2, 2))
    net = mx.sym.FullyConnected(mx.sym.Flatten(net), num_hidden=500)
    net = mx.sym.FullyConnected(mx.sym.Activation(net, act_type="tanh"), num_hidden=10)
    return mx.sym.SoftmaxOutput(net, name="softmax")


def _resnet_block() -> mx.sym.Symbol:
    """A tiny residual block: two 3x3 convolutions with batch norm, an identity shortcut, a head."""
    data = mx.sym.Variable("data")
    stem = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=4, no_bias=True, name="stem")
    body = mx.sym.BatchNorm(stem, fix_gamma=False, name="bn1")
    body = mx.sym.Convolution(mx.sym.Activation(body, act_type="relu"), kernel=(3, 3), pad=(1, 1),
                              num_filter=4, no_bias=True, name="conv1")
    body = mx.sym.BatchNorm(body, fix_gamma=False, name="bn2")
    out = mx.sym.Activation(body + stem, act_type="relu", name="relu")
    out = mx.sym.Pooling(out, global_pool=True, pool_type="avg", kernel=(1, 1), name="pool")
    out = mx.sym.FullyConnected(mx.sym.Flatten(out), num_hidden=3, name="fc")
    return mx.sym.SoftmaxOutput(out, name="softmax")


def seeds() -> list:
    found = [(GOLDEN / name).read_bytes() for name in _GOLDEN_FILES]
    return found + [_talk_lenet().tojson().encode(), _resnet_block().tojson().encode()]


def run(data: bytes) -> None:
    with open(_PATH, "wb") as f:
        f.write(data)
    sym = mx.sym.load(_PATH)
    arguments = sym.list_arguments()
    sym.list_outputs()
    sym.list_auxiliary_states()
    sym.get_internals().list_outputs()
    shapes = {"data": DATA_SHAPE} if "data" in arguments else {}
    sym.infer_shape_partial(**shapes)
    sym.infer_type_partial()
    text = sym.tojson()
    assert mx.sym.load_json(text).tojson() == text, "a resaved symbol must read back unchanged"
