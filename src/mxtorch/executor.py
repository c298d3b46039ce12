"""Symbolic Executor component of MXNet (``mx.executor``)."""
from .symbol.executor import Executor

__all__ = ["Executor"]
