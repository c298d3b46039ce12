"""Image Symbol API of MXNet: ``mx.sym.image``, the operator table's ``_image_*`` entries.

As in MXNet, a node is named after the short name (``to_tensor0``); the JSON keeps the table's
operator name (``_image_to_tensor``).
"""
from __future__ import annotations

import sys

from ..ops.registry import NAMESPACE_PREFIXES, install
from .symbol import make_symbol_function

__all__ = install(sys.modules[__name__], make_symbol_function, NAMESPACE_PREFIXES["image"])
