"""Sub-namespaces of ``nd`` and ``sym`` made from the operator table: ``nd.image``,
``sym.contrib``, ``nd.linalg``... hold the operators whose table names start with the
namespace's prefix (``_image_to_tensor`` is ``nd.image.to_tensor``), as MXNet arranged its
generated functions. ``nd.random`` and ``sym.random`` add the samplers to theirs (see
``mxtorch._samplers``)."""
from __future__ import annotations

import sys
import types
from typing import Callable

from .ops.registry import NAMESPACE_PREFIXES, OpDef, install

__all__ = ["namespace_module"]


def namespace_module(parent: str, name: str, make_function: Callable[[OpDef, str], Callable],
                     doc: str) -> types.ModuleType:
    """The module ``<parent>.<name>`` (registered, so ``import`` finds it) holding one
    ``make_function`` function per table operator under the namespace's prefix."""
    module = types.ModuleType(f"{parent}.{name}", doc)
    module.__all__ = install(module, make_function, NAMESPACE_PREFIXES[name])
    sys.modules[module.__name__] = module
    return module
