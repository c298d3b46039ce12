"""Fuzz target: ``Block.load_parameters`` of a small network from a downloaded ``.params`` file."""
from __future__ import annotations

import os
import tempfile

import mxtorch as mx
from mxtorch import gluon
from mxtorch.base import MXNetError

NAME = "load_parameters"
REFUSALS = (MXNetError,)
_WORKDIR = tempfile.mkdtemp(prefix="mxtorch-fuzz-load-parameters-")


def _net() -> gluon.nn.HybridSequential:
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Conv2D(4, 3), gluon.nn.BatchNorm(), gluon.nn.Dense(3))
    return net


def seeds() -> list:
    net = _net()
    net.initialize(mx.init.Xavier())
    net(mx.nd.ones((1, 1, 6, 6)))
    path = os.path.join(_WORKDIR, "seed.params")
    net.save_parameters(path)
    with open(path, "rb") as f:
        return [f.read()]


def run(data: bytes) -> None:
    path = os.path.join(_WORKDIR, "input.params")
    with open(path, "wb") as f:
        f.write(data)
    net = _net()
    net.load_parameters(path)
    net(mx.nd.ones((1, 1, 6, 6)))
