"""Contrib neural-network blocks (``gluon.contrib.nn``) used by the model zoo."""
from . import nn

__all__ = ["nn"]
