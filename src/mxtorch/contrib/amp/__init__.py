"""Automatic mixed precision (``mx.contrib.amp``): importable, its functions not supported yet.

The names MXNet 1.9.1 exports (:data:`~mxtorch.contrib.amp.amp.__all__`) each raise
:class:`~mxtorch.base.MXNetError` saying so, and what to use instead.
"""
from . import amp
from .amp import *  # noqa: F401,F403

__all__ = list(amp.__all__)
