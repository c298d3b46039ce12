"""Automatic mixed precision (``mx.contrib.amp``): autocast training with dynamic loss scaling,
and graphs converted to low precision for inference (see :mod:`mxtorch.contrib.amp.amp`)."""
from . import amp
from .amp import *  # noqa: F401,F403

__all__ = list(amp.__all__)
