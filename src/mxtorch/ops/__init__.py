"""The operator table. Importing this package declares every operator."""
from . import image, loss, nn, tensor  # noqa: F401  (declaring modules)
from . import random  # noqa: F401  (random sampling operators)
from .registry import OpDef, all_ops, get_op, op

__all__ = ["OpDef", "all_ops", "get_op", "op"]
