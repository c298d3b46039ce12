"""Experimental contributions, laid out as MXNet 1.9.1's ``mxnet.contrib``.

``contrib.ndarray`` and ``contrib.symbol`` (also ``contrib.nd`` and ``contrib.sym``) are the very
modules ``mx.nd.contrib`` and ``mx.sym.contrib``, made from the operator table's ``_contrib_*``
entries. ``contrib.text`` indexes tokens and loads word embeddings, ``contrib.autograd`` is
MXNet's legacy autograd API, ``contrib.io`` wraps a Gluon DataLoader as a DataIter. ``contrib.amp``
and ``contrib.onnx`` import; ``contrib.onnx`` exports and imports ONNX models (see mx.onnx).
"""
import sys

from ..ndarray import contrib as ndarray
from ..symbol import contrib as symbol

# ``import mxtorch.contrib.ndarray`` must find the same module object, not a second copy of it.
sys.modules[__name__ + ".ndarray"] = ndarray
sys.modules[__name__ + ".symbol"] = symbol
nd = ndarray
sym = symbol

from . import autograd, io, text, amp, onnx  # noqa: E402

__all__ = ["ndarray", "symbol", "nd", "sym", "autograd", "io", "text", "amp", "onnx"]
