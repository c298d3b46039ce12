"""Fuzz target: a Module checkpoint's ``.params`` (``arg:``/``aux:`` names) loaded, bound and run."""
from __future__ import annotations

import os
import tempfile

import mxtorch as mx
from mxtorch.base import MXNetError

NAME = "checkpoint"
REFUSALS = (MXNetError,)
DICTIONARY = (b"arg:", b"aux:", b"conv_weight", b"bn_moving_var", b"fc_bias")
_WORKDIR = tempfile.mkdtemp(prefix="mxtorch-fuzz-checkpoint-")
_PREFIX = os.path.join(_WORKDIR, "net")
_DATA_SHAPE = (2, 1, 6, 6)


def _symbol() -> mx.sym.Symbol:
    data = mx.sym.Variable("data")
    net = mx.sym.Convolution(data, kernel=(3, 3), num_filter=4, name="conv")
    net = mx.sym.BatchNorm(net, name="bn")
    net = mx.sym.FullyConnected(mx.sym.Flatten(net), num_hidden=3, name="fc")
    return mx.sym.SoftmaxOutput(net, name="softmax")


def _module() -> mx.mod.Module:
    mod = mx.mod.Module(_symbol(), context=mx.cpu())
    mod.bind(data_shapes=[("data", _DATA_SHAPE)], label_shapes=[("softmax_label", (2,))],
             for_training=False)
    return mod


def seeds() -> list:
    mod = _module()
    mod.init_params(mx.init.Xavier())
    mod.save_checkpoint(_PREFIX, 1)
    with open(f"{_PREFIX}-0001.params", "rb") as f:
        return [f.read()]


def run(data: bytes) -> None:
    with open(f"{_PREFIX}-0002.params", "wb") as f:
        f.write(data)
    _, arg_params, aux_params = mx.model.load_checkpoint(_PREFIX, 2)
    mod = _module()
    mod.set_params(arg_params, aux_params)
    mod.forward(mx.io.DataBatch([mx.nd.ones(_DATA_SHAPE)]), is_train=False)
    assert mod.get_outputs()[0].shape == (2, 3)
