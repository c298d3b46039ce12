"""Contributed Gluon parts: blocks (``gluon.contrib.nn``, used by the model zoo) and the
Estimator training loop (``gluon.contrib.estimator``)."""
from . import estimator, nn

__all__ = ["estimator", "nn"]
