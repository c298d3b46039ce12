"""Image NDArray API of MXNet: ``mx.nd.image``, the operator table's ``_image_*`` entries."""
from __future__ import annotations

import sys

from ..ops.registry import NAMESPACE_PREFIXES, install
from ._dispatch import make_function

__all__ = install(sys.modules[__name__], make_function, NAMESPACE_PREFIXES["image"])
